#!/usr/bin/env python3
"""bench/proxy_variants.py ROOT ROUNDS SECONDS [VARIANT...]: what one build's gateway features and runtime settings cost.

Stacks of `proxy.sh` (two sample-app replicas each, round robin) from the same build, each a variant: every resilience
feature on (`all`, as proxy.sh), hedging off (`nohedge`), no resilience settings, hedging and stall detection off and
metrics off (`bare`), and `all` with the daemon started under `DOTNET_TieredCompilation=0` (`tc0`), that and
`DOTNET_ReadyToRun=0` (`tc0r2r0`), or `DOTNET_ReadyToRun=0` alone (`r2r0`: every method JIT-compiled through the tiers,
so hot code gets tier-1 with profile-guided optimisation, which ReadyToRun code skips), or `all` with the replicas'
thread pools not spinning for work (`spin0`, with an nginx of its own in front of those replicas: `nginx-spin0`); nginx in front of the first stack's replicas as the yardstick. wrk -t2 at 10 and 100
connections, rounds interleaved (the order rotates). Per run: req/s, p99, the proxy's CPU per request and the replicas'
CPU per request (utime + stime from /proc over the run ÷ requests): on two shared cores what one side spends is taken
from the other. Writes bench/results/proxy-variants.md (PROXY_VARIANTS_RESULTS=FILE: that file instead).
"""
import datetime, os, statistics, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hand_notes  # noqa: E402
import proxy as P  # noqa: E402

HEDGING_OFF = "      hedging: { enabled: false }\n"
VARIANTS = {
    "all": dict(service=P.RESILIENCE),
    "nohedge": dict(service=P.RESILIENCE.rstrip() + "\n" + HEDGING_OFF),
    "bare": dict(service="    resilience:\n      hedging: { enabled: false }\n      stall_detection: { enabled: false }\n", gateway="metrics: false"),
    "tc0": dict(service=P.RESILIENCE, env={"DOTNET_TieredCompilation": "0"}),
    "tc0r2r0": dict(service=P.RESILIENCE, env={"DOTNET_TieredCompilation": "0", "DOTNET_ReadyToRun": "0"}),
    "r2r0": dict(service=P.RESILIENCE, env={"DOTNET_ReadyToRun": "0"}),
    # The replicas' thread pools without their spin-wait (a setting of the apps, not of the proxy), with an nginx of
    # their own in front (`nginx-spin0`): how much of what the replicas spend per request is waiting for work.
    "spin0": dict(service=P.RESILIENCE.rstrip() + "\n    env: { DOTNET_ThreadPool_UnfairSemaphoreSpinLimit: \"0\" }\n", nginx=True),
}


def main():
    root, rounds, seconds = os.path.abspath(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    names = sys.argv[4:] or list(VARIANTS)
    work = tempfile.mkdtemp(prefix="shoal-variants-")
    os.chmod(work, 0o755)
    stacks, targets, procs, nginx_pids = [], {}, [], [os.path.join(work, "nginx.pid")]
    try:
        for name in names:
            v = VARIANTS[name]
            env = v.get("env", {})
            os.environ.update(env)  # `up -d` passes it to the daemon; the daemon keeps DOTNET_* from its replicas' environment
            try:
                stack = P.start_stack(os.path.join(root, "shoal"), work, root, "variant-" + name, service=v["service"], gateway=v.get("gateway", ""))
            finally:
                for k in env:
                    os.environ.pop(k)
            stacks.append(stack)
            targets[name] = {"port": stack["port"], "pids": [stack["pid"]], "replicas": [r["pid"] for r in stack["replicas"]]}
            if v.get("nginx"):
                peers, peer_dir = {}, os.path.join(work, name + "-peers")
                os.makedirs(peer_dir)
                P.start_peers(peer_dir, [r["port"] for r in stack["replicas"]], peers, procs)
                nginx_pids.append(os.path.join(peer_dir, "nginx.pid"))
                targets["nginx-" + name] = dict(peers["nginx"], replicas=targets[name]["replicas"])
        peers = {}
        P.start_peers(work, [r["port"] for r in stacks[0]["replicas"]], peers, procs)
        targets["nginx"] = dict(peers["nginx"], replicas=[r["pid"] for r in stacks[0]["replicas"]])
        for name, t in targets.items():
            t["url"] = f"http://127.0.0.1:{t['port']}/api/whoami"
            P.wait_http(t["url"], name=name)
            subprocess.run(["wrk", "-t2", "-c100", f"-d{3 if name == 'nginx' else 8}s", t["url"]], stdout=subprocess.DEVNULL)

        rows, order = [], list(targets)
        for rnd in range(1, rounds + 1):
            for conns in (10, 100):
                for name in order[rnd % len(order):] + order[:rnd % len(order)]:
                    t = targets[name]
                    subprocess.run(["wrk", "-t2", f"-c{conns}", "-d2s", t["url"]], stdout=subprocess.DEVNULL)
                    p0, r0 = P.cpu_ticks(t["pids"]), P.cpu_ticks(t["replicas"])
                    run = P.wrk(t["url"], conns, seconds)
                    p1, r1 = P.cpu_ticks(t["pids"]), P.cpu_ticks(t["replicas"])
                    rows.append({"round": rnd, "conns": conns, "name": name, "rps": run["rps"], "p99": run["p99"],
                                 "cpu": (p1 - p0) * 1e4 / run["requests"], "replicas": (r1 - r0) * 1e4 / run["requests"],
                                 "rss": P.rss_bytes(t["pids"]) / 1048576})
                    r = rows[-1]
                    print(f"round {rnd} c={conns} {name}: {r['rps']:.0f} req/s, p99 {r['p99']:.2f} ms, proxy {r['cpu']:.1f} µs/req, replicas {r['replicas']:.1f} µs/req", flush=True)
    finally:
        P.stop_all(procs, nginx_pids, stacks)

    path = os.environ.get("PROXY_VARIANTS_RESULTS") or os.path.join(root, "bench/results/proxy-variants.md")
    notes = hand_notes.kept(path)
    out = open(path, "w")
    w = out.write
    w("# What the gateway's features and runtime settings cost (one build, interleaved)\n\n")
    results_env = "PROXY_VARIANTS_RESULTS=" + os.path.relpath(out.name, root) + " " if os.environ.get("PROXY_VARIANTS_RESULTS") else ""
    w(f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC by `{results_env}bench/proxy_variants.py . {rounds} {seconds}{' ' + ' '.join(sys.argv[4:]) if sys.argv[4:] else ''}` "
      f"on {os.cpu_count()} shared cores (see the script's docstring for the variants). Medians over {rounds} rounds; "
      "proxy CPU = the daemon's (nginx: its workers), replicas CPU = the two sample-app replicas behind it, both per request.\n\n")
    for conns in (10, 100):
        w(f"## {conns} connections\n\n| variant | req/s | p99 ms | proxy CPU µs/req | replicas CPU µs/req | proxy RSS MB |\n|---|---|---|---|---|---|\n")
        for name in targets:
            sel = [r for r in rows if r["conns"] == conns and r["name"] == name]
            def med(k): return statistics.median(r[k] for r in sel)
            w(f"| {name} | {med('rps'):,.0f} | {med('p99'):.1f} | {med('cpu'):.1f} | {med('replicas'):.1f} | {med('rss'):.0f} |\n")
        w("\n")
    w("## Every run\n\n| round | conns | variant | req/s | p99 ms | proxy CPU µs/req | replicas CPU µs/req |\n|---|---|---|---|---|---|---|\n")
    for r in rows:
        w(f"| {r['round']} | {r['conns']} | {r['name']} | {r['rps']:,.0f} | {r['p99']:.2f} | {r['cpu']:.1f} | {r['replicas']:.1f} |\n")
    if notes:
        w("\n" + notes)
    out.close()


if __name__ == "__main__":
    main()
