"""Runs the scaling experiment for bench/scaling.sh and writes its results (bench/results/scaling.md by default)."""
import datetime, json, os, socket, statistics, subprocess, sys, textwrap, time

root, work, rounds, seconds, output = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
shoal = os.path.join(work, "shoal-cli", "shoal")
COUNTS = [1, 2, 4]
CPUS = 0.25
CONNECTIONS = 32
WARMUP = 3


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def run(*args, check=True):
    r = subprocess.run([shoal, *args, "-f", stack_file], capture_output=True, text=True)
    if check and r.returncode != 0:
        log = os.path.join(work, "stack/.shoal/shoal.log")
        sys.exit(f"shoal {' '.join(args)} failed: {r.stdout}{r.stderr}\n{open(log).read() if os.path.exists(log) else ''}")
    return r


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def replicas():
    snapshot = json.loads(run("ps", "--json").stdout)
    return [r for s in snapshot["services"] for r in s["replicas"]]


def scale(n):
    run("scale", f"app={n}")
    deadline = time.time() + 60
    while time.time() < deadline:
        rs = replicas()
        if len(rs) == n and all(r["state"] == "healthy" for r in rs):
            return [r["pid"] for r in rs]
        time.sleep(0.2)
    sys.exit(f"app did not settle at {n} healthy replicas: {rs}")


gw, admin = free_port(), free_port()
stack_dir = os.path.join(work, "stack"); os.makedirs(stack_dir)
stack_file = os.path.join(stack_dir, "shoal.yml")
with open(stack_file, "w") as f:
    f.write(textwrap.dedent(f"""\
        name: scaling-bench
        gateway: {{ listen: "http://127.0.0.1:{gw}", admin: "http://127.0.0.1:{admin}" }}
        services:
          app:
            command: [python3, "{os.path.join(root, 'bench/scaling_app.py')}"]
            replicas: 1
            port: auto
            health: {{ http: /health, interval: 1s }}
            routes: ["/work"]
            resources: {{ cpus: {CPUS} }}
        """))
run("up", "-d")
daemon = json.load(open(os.path.join(stack_dir, ".shoal/state.json")))["daemon"]["pid"]
url = f"http://127.0.0.1:{gw}/work"
rows = []
try:
    # The gateway's JIT warms up once, before any run counts.
    subprocess.run([shoal, "bench", url, "-c", str(CONNECTIONS), "-d", "5s"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for rnd in range(rounds):
        order = COUNTS[rnd % len(COUNTS):] + COUNTS[:rnd % len(COUNTS)]
        for n in order:
            pids = scale(n)
            report = os.path.join(work, f"r{rnd}-n{n}.json")
            # Warm-up first (its figures left out), then CPU is counted over the measured run only.
            bench = subprocess.Popen([shoal, "bench", url, "-c", str(CONNECTIONS), "--warmup", f"{WARMUP}s", "-d", f"{seconds}s", "--json", report],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            # CPU is a rate under a steady load, the same in the warm-up as in the run: count it from a second in (the
            # generator has started) to the generator's exit.
            time.sleep(1)
            gw0, app0, t0 = cpu_seconds(daemon), sum(cpu_seconds(p) for p in pids), time.monotonic()
            if bench.wait() != 0:
                sys.exit(f"shoal bench failed against {n} replica(s)")
            gw1, app1 = cpu_seconds(daemon), sum(cpu_seconds(p) for p in pids)
            elapsed = time.monotonic() - t0
            total = json.load(open(report))["total"]
            rows.append({"round": rnd + 1, "n": n, "rps": total["rps"], "p50": total["latency_ms"]["p50"], "p99": total["latency_ms"]["p99"],
                         "errors": total["errors"], "gateway_cpu": (gw1 - gw0) / elapsed, "replica_cpu": (app1 - app0) / elapsed})
            print(f"round {rnd + 1}, {n} replica(s): {rows[-1]['rps']:.0f} req/s, gateway {rows[-1]['gateway_cpu']:.2f} CPU, replicas {rows[-1]['replica_cpu']:.2f} CPU", file=sys.stderr)
finally:
    run("down", check=False)


def med(n, key):
    return statistics.median(r[key] for r in rows if r["n"] == n)


def ratio_per_round(n):
    # The ratio within each round (same machine state), then the median of those.
    return statistics.median(next(r["rps"] for r in rows if r["round"] == k and r["n"] == n) / next(r["rps"] for r in rows if r["round"] == k and r["n"] == 1)
                             for k in range(1, rounds + 1))


targets = {2: 1.8, 4: 3.2}
command = " ".join(["bench/scaling.sh", str(rounds), str(seconds)] + ([output] if os.path.abspath(output) != os.path.join(root, "bench/results/scaling.md") else []))
with open(output, "w") as out:
    w = out.write
    w("# Scaling: 1, 2 and 4 replicas limited to a quarter CPU each\n\n")
    w(f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC by `{command}` on {os.cpu_count()} cores shared by the load generator "
      f"(`shoal bench`, {CONNECTIONS} connections, closed loop), the Shoal daemon (gateway and supervisor) and the replicas. Each replica is "
      f"`bench/scaling_app.py`, which burns a fixed amount of CPU per request, limited with `resources: {{ cpus: {CPUS} }}` (a CFS quota), so "
      f"the limit bounds its throughput, not the machine's cores. The replica count changes with `shoal scale` between runs; {rounds} rounds, "
      f"the order rotated each round, {seconds} s per run after {WARMUP} s of warm-up (and 5 s for the gateway's JIT before the "
      "first). CPU = utime + stime from /proc under load, in CPUs (1.00 = one core busy).\n\n")
    w("| replicas | req/s | × 1 replica | target | p50 ms | p99 ms | errors | gateway CPU | replicas' CPU |\n|---|---|---|---|---|---|---|---|---|\n")
    for n in COUNTS:
        ratio = 1.0 if n == 1 else ratio_per_round(n)
        target = f"≥ {targets[n]} ({'met' if ratio >= targets[n] else 'missed'})" if n in targets else "—"
        w(f"| {n} | {med(n, 'rps'):,.0f} | {ratio:.2f} | {target} | {med(n, 'p50'):.1f} | {med(n, 'p99'):.1f} | {med(n, 'errors'):.0f} | "
          f"{med(n, 'gateway_cpu'):.2f} | {med(n, 'replica_cpu'):.2f} |\n")
    w("\nRatios are medians of the per-round ratios (each round's N-replica run ÷ the same round's 1-replica run).\n\n## Every run\n\n")
    w("| round | replicas | req/s | gateway CPU | replicas' CPU |\n|---|---|---|---|---|\n")
    for r in rows:
        w(f"| {r['round']} | {r['n']} | {r['rps']:,.0f} | {r['gateway_cpu']:.2f} | {r['replica_cpu']:.2f} |\n")
print(open(output).read())
