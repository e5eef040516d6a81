"""The cost of the gateway's rate limiter, for bench/ratelimit.sh: three stacks from the same build, each in front of its
own two sample-app replicas: no rate_limit, rate_limit with the local store, rate_limit with the Redis store (one
redis-server started here). The limit (10,000,000 per minute, by client address) never refuses. Interleaved rounds at
10 and 100 connections; CPU per request of the daemon, and of redis-server for the Redis stack. Writes
bench/results/ratelimit.md."""
import datetime, os, statistics, subprocess, sys, tempfile, time
import stackbench

root, rounds, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
work = tempfile.mkdtemp(prefix="shoal-ratelimit-")
os.chmod(work, 0o755)
redis_port = stackbench.free_port()
redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", work],
                         stdout=subprocess.DEVNULL)
limit = "rate_limit:\n  limit: 10000000\n  window: 1m\n  key: client_ip\n"
stacks, rows = [], []
try:
    for _ in range(100):
        if subprocess.run(["redis-cli", "-p", str(redis_port), "ping"], capture_output=True, text=True).stdout.strip() == "PONG":
            break
        time.sleep(0.1)
    targets = {}
    for name, extra in (("none", ""), ("local", limit), ("redis", limit + f"  store: redis\n  redis: \"127.0.0.1:{redis_port}\"\n")):
        targets[name] = stackbench.start_stack(root, work, f"rl-{name}", service_extra=extra)
        stacks.append(targets[name]["yml"])
    for t in targets.values():
        subprocess.run(["wrk", "-t2", "-c100", "-d6s", t["url"]], stdout=subprocess.DEVNULL)
    order = list(targets)
    for rnd in range(1, rounds + 1):
        for conns in (10, 100):
            for name in (order[rnd % 3:] + order[:rnd % 3]):
                t = targets[name]
                r = stackbench.measure(t["url"], t["pid"], conns, seconds, others=[redis.pid])
                rows.append({"round": rnd, "name": name, **r})
                print(f"round {rnd} c={conns} {name}: {r['rps']:.0f} req/s, p99 {r['p99']:.2f} ms, {r['cpu_us']:.2f} µs CPU/req, "
                      f"redis {r['others_us'][0]:.2f} µs/req, non-2xx {r['non2xx']}", flush=True)
    keys = subprocess.run(["redis-cli", "-p", str(redis_port), "--scan", "--pattern", "shoal:rl:*"], capture_output=True, text=True).stdout.split()
finally:
    for yml in stacks:
        stackbench.stop_stack(root, yml)
    redis.terminate()

path = os.path.join(root, "bench/results/ratelimit.md")
with open(path, "w") as out:
    w = out.write
    w("# The cost of the gateway's rate limiter\n\n")
    w(f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC with `bench/ratelimit.sh {rounds} {seconds}` on "
      f"{os.cpu_count()} shared cores (other sessions were building and testing at the same time: the figures are noisy, read "
      "the medians and not single runs). Three stacks from the same build, each in front of its own two sample-app replicas "
      "(`GET /api/whoami`, round robin): `none` has no `rate_limit`; `local` and `redis` have `rate_limit: { limit: 10000000, "
      "window: 1m, key: client_ip }` (fixed window, never refuses), in the gateway's memory or in one redis-server on the "
      f"loopback (one EVALSHA per request). wrk `-t2`, {seconds} s per run after 2 s of warm-up, {rounds} rounds rotating "
      "which stack goes first. CPU per request = the daemon's utime + stime from /proc over the run ÷ requests; the Redis "
      "column is redis-server's own CPU over the `redis` runs.\n\n")
    w("## Medians\n\n| conns | stack | req/s | p99 ms | CPU µs/req | Δ CPU µs/req vs none (per-round median) | redis-server µs/req |\n|---|---|---|---|---|---|---|\n")
    for conns in (10, 100):
        base = {r["round"]: r for r in rows if r["name"] == "none" and r["conns"] == conns}
        for name in targets:
            mine = [r for r in rows if r["name"] == name and r["conns"] == conns]
            delta = statistics.median(r["cpu_us"] - base[r["round"]]["cpu_us"] for r in mine)
            redis_us = f"{statistics.median(r['others_us'][0] for r in mine):.2f}" if name == "redis" else "–"
            w(f"| {conns} | {name} | {statistics.median(r['rps'] for r in mine):,.0f} | {statistics.median(r['p99'] for r in mine):.2f} | "
              f"{statistics.median(r['cpu_us'] for r in mine):.2f} | {delta:+.2f} | {redis_us} |\n")
    refused = sum(r["non2xx"] for r in rows)
    w(f"\nCheck: {refused} non-2xx answers over all runs (the limit never refuses); the Redis stack left {len(keys)} counter "
      "key(s) in Redis (one client address).\n\n")
    w("The redis-server column of the `none` and `local` runs below is Redis idling (its own timers), not work for the gateway.\n\n")
    w("## Every run\n\n| round | conns | stack | req/s | p50 ms | p99 ms | CPU µs/req | redis-server µs/req |\n|---|---|---|---|---|---|---|---|\n")
    for r in rows:
        w(f"| {r['round']} | {r['conns']} | {r['name']} | {r['rps']:,.0f} | {r['p50']:.2f} | {r['p99']:.2f} | {r['cpu_us']:.2f} | {r['others_us'][0]:.2f} |\n")
print(open(path).read())
