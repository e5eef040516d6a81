"""Where the gateway's CPU goes, for bench/profile.sh: the Shoal stack of bench/proxy.sh (two sample-app replicas,
round robin, every resilience feature on) with the daemon started under DOTNET_PerfMapEnabled, so `perf` names JIT-compiled
frames from /tmp/perf-PID.map. wrk at 10 and 100 connections; during SECONDS of each, `perf record -e cpu-clock -F 999 -g`
on the daemon, plus the daemon's CPU, context switches (every thread's /proc/PID/task/TID/status, and `perf stat`),
allocated bytes and GC counts (its /metrics) over the same run, per request.

Writes, in bench/results/: profile-c10.svg and profile-c100.svg (flame graphs, bench/flamegraph.py), profile-c10.folded
and profile-c100.folded (the collapsed stacks they were drawn from) and profile.json (the machine-read summary: share of
samples by bucket, by code layer, by thread, the top frames, and the per-request figures). The reading is profile.md.
Usage: profile.py ROOT SECONDS [WARMUP] (WARMUP: seconds of wrk -c100 first, then more until the JIT settles; default 8;
0 = no warm-up at all, for a smoke test of the script)"""
import bisect, collections, datetime, glob, json, os, re, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flamegraph import collapse, component, render
from proxy import RESILIENCE, cpu_ticks, start_stack, wait_http, wrk
from telemetry_cost import scrape

# Buckets that own a sample when one of their frames is on its stack, the frame nearest the leaf winning: a sample in the
# kernel or CoreLib under YARP's forwarder counts for the forwarder, one in SocketsHttpHandler under it for the client.
OWNERS = ["Shoal", "YARP forwarder", "SocketsHttpHandler (upstream client)", "Kestrel", "ASP.NET Core hosting/routing",
          "telemetry (metrics, tracing)", "sockets (System.Net.Sockets)"]


def bucket(frames):
    """The bucket of one sample (frames root first, the thread name first of all): GC or JIT when the runtime collects
    or compiles anywhere on the stack; else the owner nearest the leaf; else the thread pool's own work (dispatch,
    spinning, waiting) when its frames are there; else the leaf's component (kernel, libcoreclr, CoreLib, …)."""
    kinds = [component(f)[0] for f in frames[1:]]
    for special in ("runtime: GC", "runtime: JIT"):
        if special in kinds:
            return special
    for kind in reversed(kinds):
        if kind in OWNERS:
            return kind
    if "runtime: thread pool" in kinds:
        return "runtime: thread pool"
    return kinds[-1] if kinds else "other"


def layer(leaf):
    """Which kind of code the sampled instruction was in."""
    if leaf.startswith("[k] "):
        return "kernel"
    if leaf.startswith("[libcoreclr") or leaf.startswith("[libclrjit"):
        return "runtime native (libcoreclr, libclrjit)"
    if leaf.startswith("[lib") or leaf.startswith("[ld-"):
        return "other native (libc, libSystem.Native, …)"
    if "::" in leaf:
        return "managed (JIT-compiled or ReadyToRun .NET)"
    return "unresolved"


def perf_map_resolver(pid):
    """Looks addresses up in /tmp/perf-PID.map (start, size, name per line), for the frames perf did not name."""
    entries = []
    try:
        with open(f"/tmp/perf-{pid}.map") as f:
            for line in f:
                parts = line.rstrip("\n").split(" ", 2)
                if len(parts) == 3:
                    entries.append((int(parts[0], 16), int(parts[1], 16), parts[2]))
    except FileNotFoundError:
        return None
    entries.sort()
    starts = [e[0] for e in entries]

    def resolve(ip):
        i = bisect.bisect_right(starts, ip) - 1
        if i >= 0 and entries[i][0] <= ip < entries[i][0] + entries[i][1]:
            return entries[i][2]
        return None
    return resolve


def thread_switches(pid):
    """Voluntary and nonvoluntary context switches summed over the daemon's live threads, and their count."""
    vol = nonvol = threads = 0
    for status in glob.glob(f"/proc/{pid}/task/*/status"):
        try:
            with open(status) as f:
                text = f.read()
        except OSError:
            continue   # a thread that exited while we read
        threads += 1
        vol += int(re.search(r"^voluntary_ctxt_switches:\s+(\d+)", text, re.M).group(1))
        nonvol += int(re.search(r"^nonvoluntary_ctxt_switches:\s+(\d+)", text, re.M).group(1))
    return vol, nonvol, threads


# Runtime counters read from the daemon's /metrics (System.Runtime's meter, Prometheus names).
COUNTERS = {"allocated_bytes": "dotnet_gc_heap_total_allocated_bytes", "gc_pause_seconds": "dotnet_gc_pause_time_seconds",
            "jit_seconds": "dotnet_jit_compilation_time_seconds", "jit_methods": "dotnet_jit_compiled_methods",
            "thread_pool_work_items": "dotnet_thread_pool_work_item_count", "lock_contentions": "dotnet_monitor_lock_contentions",
            "exceptions": "dotnet_exceptions", "gateway_attempts_answered": "shoal_gateway_requests"}
# Counted by `perf stat` during the profiled runs: scheduling, and the system calls a proxied request makes.
PERF_STAT = ["context-switches", "cpu-migrations", "syscalls:sys_enter_sendto", "syscalls:sys_enter_recvfrom",
             "syscalls:sys_enter_epoll_wait", "syscalls:sys_enter_futex"]


def thread_names(pid):
    """How many of the daemon's threads carry each name (digits dropped: `.NET TP Worker`, `.NET Sockets`)."""
    names = collections.Counter()
    for comm in glob.glob(f"/proc/{pid}/task/*/comm"):
        try:
            with open(comm) as f:
                names[re.sub(r"[\s\d-]+$", "", f.read().strip()) or "?"] += 1
        except OSError:
            pass
    return dict(names.most_common())


def runtime_metrics(target):
    """The counters above (summed over their labels) and GC counts by generation, from the daemon's /metrics."""
    values, gcs = {}, {}
    for line in scrape(target)[0].splitlines():
        if line.startswith("#"):
            continue
        name, value = re.split(r"[{ ]", line, 1)[0], float(line.rsplit(" ", 1)[1]) if " " in line else 0.0
        for key, prefix in COUNTERS.items():
            if name in (prefix, prefix + "_total"):
                values[key] = values.get(key, 0.0) + value
        m = re.match(r'dotnet_gc_collections(?:_total)?\{.*gc_heap_generation="(\w+)".*\}\s+(\S+)', line)
        if m:
            gcs[m.group(1)] = float(m.group(2))
        m = re.match(r'dotnet_exceptions(?:_total)?\{.*error_type="([^"]+)".*\}\s+(\S+)', line)
        if m:
            values["exceptions: " + m.group(1)] = float(m.group(2))
    return values, gcs


def measure(target, conns, seconds, perf_data=None):
    """2 s of warm-up, then one wrk run at `conns` connections for `seconds`, with the daemon's counters read around it:
    the per-request figures of that run. With `perf_data`, `perf record` (into that file) and `perf stat` run alongside."""
    pid = target["pid"]
    subprocess.run(["wrk", "-t2", f"-c{conns}", "-d2s", target["url"]], stdout=subprocess.DEVNULL)
    a0, g0 = runtime_metrics(target)
    s0, c0 = thread_switches(pid), cpu_ticks([pid])
    perf = [] if perf_data is None else [
        subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", "999", "-g", "-p", str(pid), "-o", perf_data, "--", "sleep", str(seconds)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True),
        subprocess.Popen(["perf", "stat", "-x", ",", "-e", ",".join(PERF_STAT), "-p", str(pid), "--", "sleep", str(seconds)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)]
    run = wrk(target["url"], conns, seconds)
    errors = [p.communicate()[1] for p in perf]
    s1, c1 = thread_switches(pid), cpu_ticks([pid])
    a1, g1 = runtime_metrics(target)
    if perf and perf[0].returncode != 0:
        sys.exit(f"perf record failed: {errors[0]}")
    counted = {}
    for line in (errors[1] if perf else "").splitlines():
        parts = line.split(",")
        if len(parts) > 2 and parts[0].replace(".", "").isdigit():
            counted[parts[2]] = float(parts[0])
    requests = run["requests"]
    return {"conns": conns, "seconds": seconds, "requests": requests, "rps": run["rps"], "p50_ms": run["p50"], "p99_ms": run["p99"],
            "non2xx": run["errors"], "cpu_us_per_request": round((c1 - c0) * 1e4 / requests, 2),
            "ctx_switches_per_request": {"voluntary": round((s1[0] - s0[0]) / requests, 3), "nonvoluntary": round((s1[1] - s0[1]) / requests, 3),
                                         "perf_stat": round(counted["context-switches"] / requests, 3) if counted else None,
                                         "threads_before_after": [s0[2], s1[2]]},
            "cpu_migrations_per_request": round(counted["cpu-migrations"] / requests, 4) if counted else None,
            "syscalls_per_request": {k.split("sys_enter_")[1]: round(v / requests, 3) for k, v in counted.items() if "sys_enter_" in k},
            "gateway_attempts_answered_per_request": round((a1["gateway_attempts_answered"] - a0["gateway_attempts_answered"]) / requests, 4) if "gateway_attempts_answered" in a0 else None,
            "allocated_bytes_per_request": round((a1["allocated_bytes"] - a0["allocated_bytes"]) / requests) if "allocated_bytes" in a0 else None,
            "thread_pool_work_items_per_request": round((a1["thread_pool_work_items"] - a0["thread_pool_work_items"]) / requests, 3) if "thread_pool_work_items" in a0 else None,
            "gc_collections": {gen: g1.get(gen, 0) - g0.get(gen, 0) for gen in sorted(set(g0) | set(g1))},
            "gc_pause_share_of_cpu": round((a1.get("gc_pause_seconds", 0) - a0.get("gc_pause_seconds", 0)) / max((c1 - c0) / 100, 1e-9), 4),
            "runtime_counter_deltas": {k: round(a1[k] - a0[k], 4) for k in a1 if k in a0},
            "threads_by_name": thread_names(pid)}


def profile(target, conns, seconds, results):
    """One profiled wrk run: its figures (measure) and the share of samples by bucket, layer, thread and frame; writes its
    flame graph and collapsed stacks."""
    pid = target["pid"]
    data = os.path.join(target["work"], f"perf-c{conns}.data")
    run = measure(target, conns, seconds, data)
    script = subprocess.run(["perf", "script", "-i", data, "-F", "comm,tid,ip,sym,dso"], capture_output=True, text=True)
    tiers = collections.Counter()
    stacks = collapse(script.stdout.splitlines(), perf_map_resolver(pid), tiers)
    total = sum(stacks.values()) or 1
    name = f"profile-c{conns}"
    with open(os.path.join(results, name + ".folded"), "w") as f:
        for stack, count in sorted(stacks.items()):
            f.write(f"{stack} {count}\n")
    with open(os.path.join(results, name + ".svg"), "w") as f:
        f.write(render(stacks, f"Shoal daemon, wrk -c{conns}, {seconds} s, perf cpu-clock 999 Hz"))

    buckets, layers, threads, leaves, inclusive = (collections.Counter() for _ in range(5))
    for stack, count in stacks.items():
        frames = stack.split(";")
        buckets[bucket(frames)] += count
        layers[layer(frames[-1])] += count
        threads[frames[0]] += count
        leaves[frames[-1]] += count
        for f in set(frames[1:]):
            inclusive[f] += count

    def shares(counter, n=None):
        return [{"name": k, "samples": v, "share": round(v / total, 4)} for k, v in counter.most_common(n)]
    return dict(run, samples=total, cores_busy_by_thread={k: round(v / (999 * seconds), 3) for k, v in threads.most_common()},
                managed_leaf_tiers=dict(tiers.most_common()), buckets=shares(buckets), layers=shares(layers), threads=shares(threads),
                top_self_frames=shares(leaves, 25), top_inclusive_frames=shares(inclusive, 40))


def run_stack(root, work, name, warmup, body):
    """Starts the proxy.sh stack `name`, warms it up (at least WARMUP seconds of wrk -c100, then 5 s more at a time until
    the JIT has settled: fewer than 25 methods compiled in 5 s, at most 2 minutes), returns body(target), stops it."""
    stack = start_stack(os.path.join(root, "shoal"), work, root, name, service=RESILIENCE)
    target = dict(stack, url=f"http://127.0.0.1:{stack['port']}/api/whoami", work=work)
    try:
        wait_http(target["url"], name="gateway")
        subprocess.run(["wrk", "-t2", "-c100", f"-d{warmup}s", target["url"]], stdout=subprocess.DEVNULL)
        for _ in range(24 if warmup else 0):
            before = runtime_metrics(target)[0].get("jit_methods", 0)
            subprocess.run(["wrk", "-t2", "-c100", "-d5s", target["url"]], stdout=subprocess.DEVNULL)
            compiled = runtime_metrics(target)[0].get("jit_methods", 0) - before
            print(f"{name} warm-up: {compiled:.0f} methods compiled in 5 s", flush=True)
            if compiled < 25:
                break
        return body(target)
    finally:
        subprocess.run([stack["cli"], "down", "-f", stack["yml"]], stdout=subprocess.DEVNULL)


def main():
    root, seconds = sys.argv[1], int(sys.argv[2])
    warmup = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    command = os.environ.get("PROFILE_COMMAND", f"bench/profile.sh {seconds}")
    results = os.path.join(root, "bench/results")
    work = tempfile.mkdtemp(prefix="shoal-profile-")
    os.chmod(work, 0o755)

    # First the same stack as shipped (ReadyToRun, W^X), no profiler: the figures the profiled run is to be read against.
    def unprofiled(target):
        return {conns: measure(target, conns, seconds) for conns in (10, 100)}
    reference = run_stack(root, work, "profile-reference", warmup, unprofiled)
    for conns, r in reference.items():
        print(f"c={conns} unprofiled: {r['rps']:.0f} req/s, {r['cpu_us_per_request']} µs CPU/req", flush=True)

    # Then profiled. The daemon inherits the CLI's environment (`up -d` starts it through /bin/sh, environment untouched),
    # and the replicas inherit the daemon's. PerfMapEnabled=3: the perf map only, no jitdump files. perf names a frame from
    # the map only in anonymous memory, so W^X is off (its double mapping puts JIT code in a memfd file perf does not look
    # up) and ReadyToRun is off (precompiled framework code runs from the mapped .dll, which the map does not list): every
    # method is JIT-compiled, and after the warm-up the hot ones run at tier 1 either way, as they do with ReadyToRun.
    os.environ.update({"DOTNET_PerfMapEnabled": "3", "DOTNET_EnableWriteXorExecute": "0", "DOTNET_ReadyToRun": "0"})
    maps_before = set(glob.glob("/tmp/perf-*.map"))

    def profiled(target):
        with open(f"/proc/{target['pid']}/environ", "rb") as f:
            if b"DOTNET_EnableWriteXorExecute=0" not in f.read().split(b"\0"):
                sys.exit("the daemon did not get the profiling environment: its JIT frames would stay unnamed")
        runs = []
        for conns in (10, 100):
            runs.append(profile(target, conns, seconds, results))
            r = runs[-1]
            print(f"c={conns}: {r['rps']:.0f} req/s, {r['cpu_us_per_request']} µs CPU/req, {r['samples']} samples; "
                  + ", ".join(f"{b['name']} {100 * b['share']:.1f} %" for b in r["buckets"][:6]), flush=True)
        return runs
    try:
        runs = run_stack(root, work, "profile", warmup, profiled)
    finally:
        # The perf maps of the processes this run started and that have exited (the daemon, its replicas, the CLI's own
        # `up`, `ps`, `down`).
        for leftover in set(glob.glob("/tmp/perf-*.map")) - maps_before:
            pid = re.search(r"(\d+)\.map$", leftover).group(1)
            try:
                with open(f"/proc/{pid}/stat") as f:
                    gone = f.read().rsplit(")", 1)[1].split()[0] == "Z"   # exited, not yet reaped
            except OSError:
                gone = True
            if gone:
                os.remove(leftover)
    for r in runs:
        r["unprofiled"] = reference[r["conns"]]
    summary = {"measured": f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC", "command": command, "cores": os.cpu_count(),
               "perf": "perf record -e cpu-clock -F 999 -g -p DAEMON (frame pointers); daemon with DOTNET_PerfMapEnabled=3, DOTNET_EnableWriteXorExecute=0, DOTNET_ReadyToRun=0",
               "bucket_rule": " ".join(bucket.__doc__.split()), "runs": runs}
    with open(os.path.join(results, "profile.json"), "w") as f:
        json.dump(summary, f, indent=1, ensure_ascii=False)
        f.write("\n")
    write_tables(summary, os.path.join(results, "profile-tables.md"))
    print(open(os.path.join(results, "profile-tables.md")).read())


def write_tables(summary, path):
    """profile.json as tables, 10 and 100 connections side by side (the reading, profile.md, is written by hand)."""
    runs = summary["runs"]
    with open(path, "w") as out:
        w = out.write
        w(f"# Gateway profile: the figures (generated)\n\nMeasured {summary['measured']} by `{summary['command']}` on {summary['cores']} shared cores; "
          f"{summary['perf']}. Flame graphs: " + ", ".join(f"[profile-c{r['conns']}.svg](profile-c{r['conns']}.svg)" for r in runs)
          + f". Machine-read: [profile.json](profile.json). Bucket rule: {summary['bucket_rule']}\n\n")
        w("| per run | " + " | ".join(f"{r['conns']} connections" for r in runs) + " |\n|---|" + "---|" * len(runs) + "\n")
        rows = [("unprofiled, as shipped: req/s, CPU µs per request", lambda r: f"{r['unprofiled']['rps']:,.0f}, {r['unprofiled']['cpu_us_per_request']:.1f}"),
                ("unprofiled: context switches per request (voluntary + nonvoluntary)",
                 lambda r: f"{r['unprofiled']['ctx_switches_per_request']['voluntary']:.2f} + {r['unprofiled']['ctx_switches_per_request']['nonvoluntary']:.2f}"),
                ("unprofiled: allocated bytes, thread-pool work items per request",
                 lambda r: f"{r['unprofiled']['allocated_bytes_per_request']:,}, {r['unprofiled']['thread_pool_work_items_per_request']}"),
                ("req/s (wrk, while profiled)", lambda r: f"{r['rps']:,.0f}"), ("p50 / p99 ms", lambda r: f"{r['p50_ms']:.2f} / {r['p99_ms']:.2f}"),
                ("CPU µs per request (utime+stime)", lambda r: f"{r['cpu_us_per_request']:.1f}"), ("samples", lambda r: f"{r['samples']:,}"),
                ("context switches per request (threads' /proc: voluntary + nonvoluntary)",
                 lambda r: f"{r['ctx_switches_per_request']['voluntary']:.2f} + {r['ctx_switches_per_request']['nonvoluntary']:.2f}"),
                ("context switches per request (perf stat)", lambda r: f"{r['ctx_switches_per_request']['perf_stat']}"),
                ("CPU migrations per request (perf stat)", lambda r: f"{r['cpu_migrations_per_request']}"),
                ("thread-pool work items per request", lambda r: f"{r['thread_pool_work_items_per_request']}"),
                ("system calls per request (perf stat)", lambda r: ", ".join(f"{k} {v}" for k, v in r["syscalls_per_request"].items())),
                ("attempts answered per request (shoal_gateway_requests_total; > 1: retries, hedges)", lambda r: f"{r['gateway_attempts_answered_per_request']}"),
                ("exceptions per request", lambda r: f"{r['runtime_counter_deltas'].get('exceptions', 0) / r['requests']:.3f}"),
                ("allocated bytes per request", lambda r: f"{r['allocated_bytes_per_request']:,}"),
                ("GCs in the run (gen0/gen1/gen2)", lambda r: "/".join(f"{r['gc_collections'].get(g, 0):.0f}" for g in ("gen0", "gen1", "gen2"))),
                ("GC pause ÷ CPU time", lambda r: f"{100 * r['gc_pause_share_of_cpu']:.1f} %"),
                ("JIT: methods compiled, seconds", lambda r: f"{r['runtime_counter_deltas'].get('jit_methods', 0):.0f}, {r['runtime_counter_deltas'].get('jit_seconds', 0):.2f}"),
                ("exceptions thrown", lambda r: ", ".join(f"{k[12:]} {v:.0f}" for k, v in r["runtime_counter_deltas"].items() if k.startswith("exceptions: ") and v) or "0"),
                ("lock contentions", lambda r: f"{r['runtime_counter_deltas'].get('lock_contentions', 0):.0f}"),
                ("cores busy (samples ÷ 999 Hz ÷ seconds), by thread", lambda r: ", ".join(f"{k} {v:.2f}" for k, v in r["cores_busy_by_thread"].items())),
                ("the daemon's threads, by name", lambda r: ", ".join(f"{k} ×{v}" for k, v in r["threads_by_name"].items())),
                ("leaf .NET samples by tier", lambda r: ", ".join(f"{k} {v}" for k, v in r["managed_leaf_tiers"].items()))]
        for label, cell in rows:
            w(f"| {label} | " + " | ".join(cell(r) for r in runs) + " |\n")
        for key, title in (("buckets", "Share of samples by bucket"), ("layers", "Share of samples by the code the sampled instruction was in"),
                           ("threads", "Share of samples by thread")):
            names = list(dict.fromkeys(b["name"] for r in runs for b in r[key]))
            w(f"\n## {title}\n\n| {key[:-1]} | " + " | ".join(f"{r['conns']} conns" for r in runs) + " |\n|---|" + "---|" * len(runs) + "\n")
            for name in names:
                w(f"| {name} | " + " | ".join(f"{100 * next((b['share'] for b in r[key] if b['name'] == name), 0):.1f} %" for r in runs) + " |\n")
        for key, title, n in (("top_self_frames", "Top frames by self samples (the sampled instruction)", 15),
                              ("top_inclusive_frames", "Top frames by inclusive samples (on the stack)", 25)):
            for r in runs:
                w(f"\n## {title}, {r['conns']} connections\n\n| frame | share |\n|---|---|\n")
                for b in r[key][:n]:
                    w(f"| `{b['name']}` | {100 * b['share']:.1f} % |\n")


if __name__ == "__main__":
    main()
