"""Where a warm function invocation's time goes on the instances' side: bench/functions.sh's warm stack (route ->
the C# sample, `concurrency: { max: 10 }`, `agent: local`) once per variant (a CLI and a build of the sample), under
`shoal bench` load at 1 and 10 clients, rounds interleaved. Per request: the daemon's CPU and context switches, the
instances' CPU and context switches by thread name (/proc/PID/task/TID/{stat,status}), and with --syscalls the
instances' system calls (`perf stat -e raw_syscalls:sys_enter,syscalls:sys_enter_*`); with --perf SECONDS a
`perf record -g` of every instance of the first variant at each client count, folded stacks written to WORK.

Usage (root, under the build lock):
  python3 bench/functions_profile.py WORK ROUNDS SECONDS [--syscalls] [--perf SECONDS] LABEL=CLI_DIR:SAMPLE_DIR...
CLI_DIR is a copy of artifacts/bin/Shoal.Cli/release, SAMPLE_DIR of artifacts/bin/Shoal.Samples.Function/release.
Prints a table; nothing is written under bench/results (the reading goes into functions-profile.md by hand).
"""
import collections, json, os, re, signal, socket, statistics, subprocess, sys, textwrap, time

args = sys.argv[1:]
work, rounds, seconds = args[0], int(args[1]), int(args[2])
syscalls = "--syscalls" in args
perf_seconds = int(args[args.index("--perf") + 1]) if "--perf" in args else 0
variants = {}
for a in args[3:]:
    if "=" in a:
        label, dirs = a.split("=", 1)
        cli, sample = dirs.split(":", 1)
        variants[label] = {"cli": os.path.join(cli, "shoal"), "sample": sample}
CLK = os.sysconf("SC_CLK_TCK")
PATH = "/warm/items/42?tag=a"
stacks = []


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def children(pid):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        todo += [int(c) for c in subprocess.run(["pgrep", "-P", str(p)], capture_output=True, text=True).stdout.split()]
        out.append(p)
    return [p for p in out if p != pid]


def threads(pids):
    """{(pid, tid): (name, cpu ticks, context switches)} of every thread of the processes."""
    out = {}
    for pid in pids:
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except FileNotFoundError:
            continue
        for tid in tids:
            try:
                stat = open(f"/proc/{pid}/task/{tid}/stat").read()
                status = open(f"/proc/{pid}/task/{tid}/status").read()
            except (FileNotFoundError, ProcessLookupError):
                continue
            name = stat[stat.index("(") + 1:stat.rindex(")")]
            fields = stat.rsplit(")", 1)[1].split()
            cs = sum(int(m) for m in re.findall(r"ctxt_switches:\s+(\d+)", status))
            out[(pid, tid)] = (name, int(fields[11]) + int(fields[12]), cs)
    return out


def by_name(before, after, requests):
    groups = collections.defaultdict(lambda: [0, 0, 0])
    for key, (name, cpu, cs) in after.items():
        b = before.get(key, (name, 0, 0))
        name = re.sub(r"\d+$", "", name).strip() or "?"
        g = groups[name]
        g[0] += (cpu - b[1]) / CLK * 1e6 / requests
        g[1] += (cs - b[2]) / requests
        g[2] += 1 if cpu - b[1] or cs - b[2] else 0
    return dict(groups)


def bench(cli, url, clients, duration, json_path=None):
    a = [cli, "bench", url, "-c", str(clients), "-d", f"{duration}s"] + (["--json", json_path] if json_path else [])
    subprocess.run(a, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return json.load(open(json_path))["total"] if json_path else None


def up(label, v):
    d = os.path.join(work, f"prof-{label}"); os.makedirs(d, exist_ok=True)
    gw, admin = free_port(), free_port()
    env = "\n    environment: { DOTNET_PerfMapEnabled: \"1\", DOTNET_EnableWriteXorExecute: \"0\" }" if perf_seconds else ""
    files = {
        "shoal.yml": f'name: fnprof-{label}\ngateway: {{ listen: "http://127.0.0.1:{gw}", admin: "http://127.0.0.1:{admin}" }}\n'
                     "functions:\n  agent: local\n  janitor_interval: 1s\n",
        "functions.yml": textwrap.dedent(f"""\
            functions:
              echo:
                command: [dotnet, Shoal.Samples.Function.dll]
                code: {v['sample']}
                memory: 1769
                timeout: 10s
                concurrency: {{ max: 10 }}
                idle_timeout: 30m""") + env + "\n",
        "routing.yml": 'routes:\n  - { path: "/warm/{proxy+}", method: GET, function: echo, payload: "2.0" }\n',
    }
    for f, t in files.items():
        open(os.path.join(d, f), "w").write(t)
    r = subprocess.run([v["cli"], "up", "-d", "-f", os.path.join(d, "shoal.yml")], capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"up {label}: {r.stdout}{r.stderr}")
    stacks.append((v["cli"], os.path.join(d, "shoal.yml")))
    v["daemon"] = json.load(open(os.path.join(d, ".shoal/state.json")))["daemon"]["pid"]
    v["url"] = f"http://127.0.0.1:{gw}{PATH}"
    v["dir"] = d


rows = []
try:
    for label, v in variants.items():
        up(label, v)
    for label, v in variants.items():
        for _ in range(100):
            try:
                if subprocess.run(["curl", "-sf", "-o", "/dev/null", v["url"]]).returncode == 0:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        bench(v["cli"], v["url"], 10, 8)
        time.sleep(2)
        bench(v["cli"], v["url"], 10, 4)
    for rnd in range(rounds):
        for clients in (1, 10):
            order = list(variants)
            order = order[rnd % len(order):] + order[:rnd % len(order)]
            for label in order:
                v = variants[label]
                bench(v["cli"], v["url"], clients, 1)
                inst = [p for p in children(v["daemon"])]
                d0, i0 = threads([v["daemon"]]), threads(inst)
                stat = None
                if syscalls:
                    events = "raw_syscalls:sys_enter,context-switches,syscalls:sys_enter_recvfrom,syscalls:sys_enter_sendto," \
                             "syscalls:sys_enter_read,syscalls:sys_enter_write,syscalls:sys_enter_writev,syscalls:sys_enter_futex," \
                             "syscalls:sys_enter_epoll_wait,syscalls:sys_enter_poll,syscalls:sys_enter_sched_yield," \
                             "syscalls:sys_enter_clock_gettime,syscalls:sys_enter_getpid"
                    out = os.path.join(work, f"stat-{label}-{clients}-{rnd}.txt")
                    stat = subprocess.Popen(["perf", "stat", "-x,", "-o", out, "-e", events, "-p", ",".join(map(str, inst))],
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    time.sleep(0.3)
                t = bench(v["cli"], v["url"], clients, seconds, os.path.join(work, f"prof-{label}-{clients}-{rnd}.json"))
                if stat:
                    stat.send_signal(signal.SIGINT); stat.wait()
                d1, i1 = threads([v["daemon"]]), threads(inst)
                n = max(t["requests"], 1)
                dt, it = by_name(d0, d1, n), by_name(i0, i1, n)
                row = {"label": label, "clients": clients, "round": rnd, "rps": t["rps"], "p50": t["latency_ms"]["p50"],
                       "errors": t["errors"], "daemon_us": sum(g[0] for g in dt.values()), "daemon_cs": sum(g[1] for g in dt.values()),
                       "inst_us": sum(g[0] for g in it.values()), "inst_cs": sum(g[1] for g in it.values()), "inst_threads": it}
                if stat:
                    sc = {}
                    for line in open(out):
                        parts = line.strip().split(",")
                        if len(parts) > 3 and parts[0].replace(".", "").isdigit():
                            sc[parts[2].replace("syscalls:sys_enter_", "")] = float(parts[0]) / n
                    row["syscalls"] = sc
                rows.append(row)
                print(f"r{rnd} c{clients} {label}: {row['rps']:.0f} req/s p50 {row['p50']:.3f} daemon {row['daemon_us']:.0f} µs "
                      f"{row['daemon_cs']:.1f} cs; instances {row['inst_us']:.0f} µs {row['inst_cs']:.1f} cs", flush=True)
    if perf_seconds:
        label, v = next(iter(variants.items()))
        for clients in (1, 10):
            inst = children(v["daemon"])
            data = os.path.join(work, f"perf-{label}-{clients}.data")
            loader = subprocess.Popen([v["cli"], "bench", v["url"], "-c", str(clients), "-d", f"{perf_seconds + 3}s"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1)
            subprocess.run(["perf", "record", "-e", "cpu-clock", "-F", "999", "-g", "-o", data, "-p", ",".join(map(str, inst)),
                            "--", "sleep", str(perf_seconds)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            loader.wait()
            folded = os.path.join(work, f"perf-{label}-{clients}.folded")
            script = subprocess.run(["perf", "script", "-i", data], capture_output=True, text=True).stdout
            stacks_count = collections.Counter()
            for block in script.split("\n\n"):
                lines = [l for l in block.strip().split("\n") if l]
                if len(lines) < 2:
                    continue
                comm = lines[0].split()[0]
                frames = []
                for l in lines[1:]:
                    parts = l.strip().split(None, 1)
                    frames.append(re.sub(r"\+0x[0-9a-f]+$", "", re.sub(r"\s*\(.*\)$", "", parts[1] if len(parts) > 1 else "?")))
                stacks_count[";".join([comm] + frames[::-1])] += 1
            with open(folded, "w") as f:
                for s, c in stacks_count.most_common():
                    f.write(f"{s} {c}\n")
            print(f"perf c{clients}: {sum(stacks_count.values())} samples -> {folded}", flush=True)
finally:
    for cli, f in stacks:
        subprocess.run([cli, "down", "-f", f], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

# Medians per variant and client count.
print()
for clients in (1, 10):
    for label in variants:
        rs = [r for r in rows if r["label"] == label and r["clients"] == clients]
        if not rs:
            continue
        med = lambda k: statistics.median(r[k] for r in rs)
        print(f"c{clients} {label}: {med('rps'):.0f} req/s, p50 {med('p50'):.3f} ms, daemon {med('daemon_us'):.0f} µs {med('daemon_cs'):.2f} cs, "
              f"instances {med('inst_us'):.0f} µs {med('inst_cs'):.2f} cs, errors {sum(r['errors'] for r in rs)}")
        names = sorted({n for r in rs for n in r["inst_threads"]}, key=lambda n: -statistics.median(r["inst_threads"].get(n, [0, 0, 0])[0] for r in rs))
        for n in names:
            vals = [r["inst_threads"].get(n, [0, 0, 0]) for r in rs]
            print(f"    {n:28s} {statistics.median(x[0] for x in vals):7.1f} µs {statistics.median(x[1] for x in vals):6.2f} cs "
                  f"({statistics.median(x[2] for x in vals):.0f} active)")
        if "syscalls" in rs[0]:
            keys = sorted(rs[0]["syscalls"])
            print("    syscalls/req: " + ", ".join(f"{k} {statistics.median(r['syscalls'].get(k, 0) for r in rs):.2f}" for k in keys))
