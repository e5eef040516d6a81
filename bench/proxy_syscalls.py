"""Where a proxied request's CPU goes, kernel or user space, and how many system calls it makes: proxy.sh's Shoal stack
(every resilience feature on) against nginx and HAProxy in front of the same two sample-app replicas, wrk at 10 and 100
connections, rounds interleaved. Per proxy and run: utime and stime from /proc (user and kernel CPU per request), and
`perf stat` counts of its system calls and context switches. Root (perf); writes bench/results/proxy-syscalls.md and
keeps its hand-written reading.

Usage (under the build lock, after `./shoal --version` built the CLI and the sample app is built):
  python3 bench/proxy_syscalls.py . [rounds] [seconds]
"""
import datetime, os, re, signal, statistics, subprocess, sys, tempfile, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hand_notes  # noqa: E402
from proxy import RESILIENCE, start_peers, start_stack, stop_all, wait_http  # noqa: E402

root = os.path.abspath(sys.argv[1])
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 2
seconds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
results = os.path.join(root, "bench/results/proxy-syscalls.md")
# What the counts are split into: reads, writes, waiting for readiness, waking threads; "all" is every system call.
CALLS = ["recvfrom", "read", "readv", "sendto", "sendmsg", "write", "writev", "epoll_wait", "futex"]
EVENTS = ["raw_syscalls:sys_enter"] + [f"syscalls:sys_enter_{c}" for c in CALLS] + ["context-switches"]


def cpu_split(pids):
    """utime and stime in clock ticks, summed over `pids` (every thread)."""
    user = system = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        user += int(fields[11]); system += int(fields[12])
    return user, system


def measure(target, conns):
    """One wrk run against `target` with perf stat on its processes: per request figures."""
    out_file = os.path.join(work, "perf.txt")
    perf = subprocess.Popen(["perf", "stat", "-x,", "-e", ",".join(EVENTS), "-p", ",".join(map(str, target["pids"])), "-o", out_file],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    u0, s0 = cpu_split(target["pids"])
    out = subprocess.run(["wrk", "-t2", f"-c{conns}", f"-d{seconds}s", target["url"]], capture_output=True, text=True).stdout
    u1, s1 = cpu_split(target["pids"])
    perf.send_signal(signal.SIGINT); perf.wait()
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    counts = {}
    for line in open(out_file):
        parts = line.strip().split(",")
        if len(parts) > 2 and re.fullmatch(r"[\d.]+", parts[0]):
            counts[parts[2].replace("raw_syscalls:sys_enter", "all").replace("syscalls:sys_enter_", "")] = float(parts[0])
    tick_us = 1e6 / os.sysconf("SC_CLK_TCK")
    return {"rps": requests / seconds, "user_us": (u1 - u0) * tick_us / requests, "system_us": (s1 - s0) * tick_us / requests,
            **{k: v / requests for k, v in counts.items()}}


work = tempfile.mkdtemp(prefix="shoal-syscalls-")
procs, stacks, rows = [], [], []
kept = hand_notes.kept(results)
try:
    stacks.append(start_stack(os.path.join(root, "shoal"), work, root, "syscalls-bench", service=RESILIENCE))
    ports = [r["port"] for r in stacks[0]["replicas"]]
    targets = {"shoal": {"port": stacks[0]["port"], "pids": [stacks[0]["pid"]]}}
    start_peers(work, ports, targets, procs)
    for name, t in targets.items():
        t["url"] = f"http://127.0.0.1:{t['port']}/api/whoami"
        wait_http(t["url"], name=name)
        subprocess.run(["wrk", "-t2", "-c100", f"-d{8 if name == 'shoal' else 3}s", t["url"]], stdout=subprocess.DEVNULL)
    order = list(targets)
    for rnd in range(1, rounds + 1):
        for conns in (10, 100):
            for name in order[rnd % len(order):] + order[:rnd % len(order)]:
                subprocess.run(["wrk", "-t2", f"-c{conns}", "-d2s", targets[name]["url"]], stdout=subprocess.DEVNULL)
                rows.append({"round": rnd, "conns": conns, "proxy": name, **measure(targets[name], conns)})
                r = rows[-1]
                print(f"round {rnd} c={conns} {name}: {r['rps']:.0f} req/s, user {r['user_us']:.1f} + kernel {r['system_us']:.1f} µs/req, "
                      f"{r.get('all', 0):.2f} system calls/req", flush=True)
finally:
    stop_all(procs, [os.path.join(work, "nginx.pid")], stacks)

labels = {"nginx": "nginx (2 workers, keepalive 64)", "haproxy": "HAProxy (2 threads, http-reuse)", "shoal": "Shoal gateway (all features on)"}
rev = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
with open(results, "w") as f:
    w = f.write
    w("# Kernel or user space: where a proxied request's CPU goes, and its system calls\n\n")
    w(f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC by `python3 bench/proxy_syscalls.py . {rounds} {seconds}` "
      f"(Shoal at {rev}) on 2 cores shared by wrk, the proxy and two sample-app replicas (`GET /api/whoami`), the stack and the "
      f"peers of `bench/proxy.sh`. wrk `-t2`, {seconds} s per run after 2 s unrecorded, {rounds} rounds, the order rotated each "
      "round. Per request: the proxy's user and kernel CPU (utime and stime from /proc over the run; nginx: its workers), "
      "and `perf stat` counts of its system calls (`raw_syscalls:sys_enter`: all of them; then by call) and context "
      "switches. Medians over rounds.\n\n")
    for conns in (10, 100):
        def med(name, key):
            values = [r.get(key, 0.0) for r in rows if r["proxy"] == name and r["conns"] == conns]
            return statistics.median(values) if values else 0.0
        w(f"## {conns} connections\n\n| proxy | req/s | user µs/req | kernel µs/req | CPU µs/req | kernel µs per system call | system calls/req | "
          + " | ".join(CALLS) + " | context switches/req |\n|" + "---|" * (8 + len(CALLS)) + "\n")
        for name in targets:
            calls = med(name, "all")
            w(f"| {labels[name]} | {med(name, 'rps'):,.0f} | {med(name, 'user_us'):.1f} | {med(name, 'system_us'):.1f} | "
              f"{med(name, 'user_us') + med(name, 'system_us'):.1f} | {med(name, 'system_us') / calls if calls else 0:.1f} | {calls:.2f} | "
              + " | ".join(f"{med(name, c):.2f}" for c in CALLS) + f" | {med(name, 'context-switches'):.2f} |\n")
        w("\n")
    w("## Every run\n\n| round | conns | proxy | req/s | user µs/req | kernel µs/req | system calls/req |\n|---|---|---|---|---|---|---|\n")
    for r in rows:
        w(f"| {r['round']} | {r['conns']} | {r['proxy']} | {r['rps']:,.0f} | {r['user_us']:.1f} | {r['system_us']:.1f} | {r.get('all', 0):.2f} |\n")
    if kept:
        w("\n" + kept)
print(f"wrote {results}")
