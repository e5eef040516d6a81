"""The cost of the gateway's metrics, for bench/proxy.sh with PROXY_METRICS_COMPARE=1: two stacks from the same build
in front of their own two sample-app replicas, one with metrics on (the default) and one with `gateway.metrics: false`,
measured in interleaved rounds (wrk at 10 and 100 connections, tracing off in both). Writes bench/results/metrics-cost.md."""
import datetime, os, statistics, subprocess, sys, tempfile
import stackbench

root, rounds, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
command = os.environ.get("PROXY_COMMAND", f"PROXY_METRICS_COMPARE=1 bench/proxy.sh {rounds} {seconds}")
work = tempfile.mkdtemp(prefix="shoal-metrics-cost-")
os.chmod(work, 0o755)
stacks = []

def start_stack(name, metrics):
    t = stackbench.start_stack(root, work, name, gateway_extra=f", metrics: {str(metrics).lower()}")
    stacks.append(t["yml"])
    return t

rows = []
try:
    targets = {"metrics-on": start_stack("metrics-on", True), "metrics-off": start_stack("metrics-off", False)}
    for name, t in targets.items():
        subprocess.run(["wrk", "-t2", "-c100", "-d8s", t["url"]], stdout=subprocess.DEVNULL)
    order = list(targets)
    for rnd in range(1, rounds + 1):
        for conns in (10, 100):
            for name in (order if rnd % 2 else order[::-1]):
                t = targets[name]
                rows.append({"round": rnd, "name": name, **stackbench.measure(t["url"], t["pid"], conns, seconds)})
                print(f"round {rnd} c={conns} {name}: {rows[-1]['rps']:.0f} req/s, p99 {rows[-1]['p99']:.2f} ms, {rows[-1]['cpu_us']:.2f} µs CPU/req", flush=True)

    # The metrics were recorded: the on stack's counter equals what wrk sent it, the off stack serves no /metrics.
    t = targets["metrics-on"]
    scraped = subprocess.run(["curl", "-s", "-H", f"Authorization: Bearer {t['token']}", t["admin"]], capture_output=True, text=True).stdout
    counted = sum(float(l.rsplit(" ", 1)[1]) for l in scraped.splitlines() if l.startswith("shoal_gateway_requests_total{"))
    off = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", f"Authorization: Bearer {targets['metrics-off']['token']}", targets["metrics-off"]["admin"]], capture_output=True, text=True).stdout
finally:
    for yml in stacks:
        stackbench.stop_stack(root, yml)

sent = sum(r["requests"] for r in rows if r["name"] == "metrics-on")
path = os.path.join(root, "bench/results/metrics-cost.md")
with open(path, "w") as out:
    w = out.write
    w("# The cost of the gateway's metrics\n\n")
    w(f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC with `{command}` on {os.cpu_count()} shared cores: two stacks "
      "from the same build, each in front of its own two sample-app replicas (`GET /api/whoami`), round robin, no tracing; one with "
      "metrics on (the default: the OpenTelemetry SDK aggregating every request's counter, histogram and in-flight updates, the "
      "Prometheus exporter registered), one with `gateway.metrics: false`. wrk `-t2`, "
      f"{seconds} s per run after 2 s of warm-up, {rounds} rounds alternating which stack goes first; 8 s of JIT warm-up each first. "
      "CPU per request = the daemon's utime + stime from /proc over the run ÷ requests.\n\n")
    w("## Per-round differences (metrics on − off), medians\n\n| conns | CPU µs/req on | CPU µs/req off | Δ CPU µs/req | req/s on ÷ off | p99 on ÷ off |\n|---|---|---|---|---|---|\n")
    for conns in (10, 100):
        pairs = [(a, b) for a in rows for b in rows if a["name"] == "metrics-on" and b["name"] == "metrics-off" and a["round"] == b["round"] and a["conns"] == b["conns"] == conns]
        w(f"| {conns} | {statistics.median(a['cpu_us'] for a, _ in pairs):.2f} | {statistics.median(b['cpu_us'] for _, b in pairs):.2f} | "
          f"{statistics.median(a['cpu_us'] - b['cpu_us'] for a, b in pairs):+.2f} | {statistics.median(a['rps'] / b['rps'] for a, b in pairs):.3f} | "
          f"{statistics.median(a['p99'] / b['p99'] for a, b in pairs):.3f} |\n")
    w(f"\nCheck: after the runs the metrics-on stack's `shoal_gateway_requests_total` summed to {counted:,.0f} (wrk completed {sent:,} "
      f"measured requests there, plus warm-ups); the metrics-off stack answered `/metrics` with HTTP {off}.\n\n")
    w("## Every run\n\n| round | conns | stack | req/s | p50 ms | p99 ms | CPU µs/req |\n|---|---|---|---|---|---|---|\n")
    for r in rows:
        w(f"| {r['round']} | {r['conns']} | {r['name']} | {r['rps']:,.0f} | {r['p50']:.2f} | {r['p99']:.2f} | {r['cpu_us']:.2f} |\n")
print(open(path).read())
