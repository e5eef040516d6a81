"""Runs the proxy comparison for bench/proxy.sh and writes bench/results/proxy.md. Importable: bench/telemetry_cost.py
uses its helpers (ports, CPU ticks, a Shoal stack in front of two sample-app replicas, a wrk run)."""
import datetime, json, os, re, signal, socket, statistics, subprocess, sys, tempfile, textwrap, threading, time
import hand_notes

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def wait_http(url, timeout=60, name=""):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", url], capture_output=True, text=True, timeout=5).stdout
            if out == "200": return
        except subprocess.TimeoutExpired: pass
        time.sleep(0.2)
    sys.exit(f"{name} at {url} did not answer 200")

def cpu_ticks(pids):
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total

def rss_bytes(pids):
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/status") as f:
            total += int(next(l for l in f if l.startswith("VmRSS:")).split()[1]) * 1024
    return total

def children(pid):
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out]

# Every resilience feature on, as the gateway runs in this comparison (bench/profile.py profiles the same stack).
RESILIENCE = """\
    resilience:
      timeout: 30s
      retries: { max_attempts: 3, budget: 20% }
      circuit_breaker: { consecutive_failures: 5, failure_ratio: 0.5, minimum_requests: 20 }
      outliers: { consecutive_failures: 5, max_ejection_percent: 50 }
      bulkhead: { max_concurrent: 10000, max_concurrent_per_instance: 5000, queue_size: 100 }
      slow_start: 2s
    """

def start_stack(cli, work, root, name, gateway="", service="", top=""):
    """A stack from build `cli` in front of its own two sample-app replicas (`GET /api/whoami`), round robin, with
    `gateway` (flow-mapping entries), `service` (lines under the service) and `top` (top-level sections) added.
    Started with `up -d`; returns its addresses, daemon pid, admin token and replicas."""
    gw, admin = free_port(), free_port()
    stack_dir = os.path.join(work, name); os.makedirs(stack_dir)
    yml = os.path.join(stack_dir, "shoal.yml")
    sample = os.path.join(root, "artifacts/bin/Shoal.Samples.App/release/Shoal.Samples.App.dll")
    with open(yml, "w") as f:
        f.write(textwrap.dedent(f"""\
            name: {name}
            gateway: {{ listen: "http://127.0.0.1:{gw}", admin: "http://127.0.0.1:{admin}"{", " + gateway if gateway else ""} }}
            services:
              app:
                command: [dotnet, "{sample}"]
                replicas: 2
                port: auto
                health: {{ http: /api/health, interval: 2s }}
                routes: ["/api/**"]
                load_balancing: round-robin
            """))
        f.write(textwrap.indent(textwrap.dedent(service), "    "))
        f.write(textwrap.dedent(top))
    subprocess.run([cli, "up", "-d", "-f", yml], check=True, stdout=subprocess.DEVNULL)
    state = json.load(open(os.path.join(stack_dir, ".shoal/state.json")))
    ps = json.loads(subprocess.run([cli, "ps", "--json", "-f", yml], capture_output=True, text=True, check=True).stdout)
    return {"cli": cli, "yml": yml, "port": gw, "pid": state["daemon"]["pid"], "replicas": ps["services"][0]["replicas"],
            "admin": f"http://127.0.0.1:{admin}", "token": open(os.path.join(stack_dir, ".shoal/admin.token")).read().strip()}

def wrk(url, conns, seconds):
    """One wrk run (-t2, --latency): requests, req/s, p50 and p99 in ms, non-2xx responses."""
    out = subprocess.run(["wrk", "-t2", f"-c{conns}", f"-d{seconds}s", "--latency", url], capture_output=True, text=True).stdout
    def ms(m): return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": ms(re.search(r"50%\s+([\d.]+)(us|ms|s)", out)), "p99": ms(re.search(r"99%\s+([\d.]+)(us|ms|s)", out)),
            "errors": int(errors.group(1)) if errors else 0}

def start_peers(work, ports, targets, procs):
    """nginx and HAProxy in front of the replicas at `ports`, added to `targets` (HAProxy's process to `procs`)."""
    # nginx: 2 workers, upstream keepalive 64 (the setting proxy-tuning.md measured).
    port = free_port()
    with open(os.path.join(work, "nginx.conf"), "w") as f:
        f.write(textwrap.dedent(f"""\
            worker_processes 2;
            daemon on;
            pid {work}/nginx.pid;
            error_log {work}/nginx-error.log;
            events {{ worker_connections 8192; }}
            http {{
              access_log off;
              upstream app {{ server 127.0.0.1:{ports[0]}; server 127.0.0.1:{ports[1]}; keepalive 64; }}
              server {{ listen 127.0.0.1:{port}; location / {{ proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }} }}
            }}
            """))
    subprocess.run(["nginx", "-c", os.path.join(work, "nginx.conf")], check=True)
    time.sleep(0.5)
    master = int(open(os.path.join(work, "nginx.pid")).read())
    targets["nginx"] = {"port": port, "pids": children(master)}

    # HAProxy: 2 threads, round robin, connection reuse.
    port = free_port()
    with open(os.path.join(work, "haproxy.cfg"), "w") as f:
        f.write(textwrap.dedent(f"""\
            global
              nbthread 2
              maxconn 8000
            defaults
              mode http
              timeout connect 5s
              timeout client 30s
              timeout server 30s
              http-reuse always
            frontend fe
              bind 127.0.0.1:{port}
              default_backend app
            backend app
              balance roundrobin
              server a 127.0.0.1:{ports[0]}
              server b 127.0.0.1:{ports[1]}
            """))
    p = subprocess.Popen(["haproxy", "-f", os.path.join(work, "haproxy.cfg")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs.append(p)
    targets["haproxy"] = {"port": port, "pids": [p.pid]}

def stop_all(procs, nginx_pid_files, stacks):
    """Stops what a run started: processes (HAProxy, plain YARP), nginx masters by their pid files, Shoal stacks."""
    for p in procs:
        p.send_signal(signal.SIGTERM)
    for pid_file in nginx_pid_files:
        if os.path.exists(pid_file):
            os.kill(int(open(pid_file).read()), signal.SIGTERM)
    for stack in stacks:
        subprocess.run([stack["cli"], "down", "-f", stack["yml"]], stdout=subprocess.DEVNULL)

def committed_ratios(root):
    """Shoal ÷ plain YARP (req/s, CPU per request) by connections in the committed results/proxy.md's median tables."""
    ratios, conns, rows = {}, None, {}
    try:
        lines = open(os.path.join(root, "bench/results/proxy.md")).read().splitlines()
    except OSError:
        return ratios
    for line in lines:
        m = re.match(r"## (\d+) connections", line)
        if m:
            conns, rows = int(m.group(1)), {}
        cells = [c.strip() for c in line.split("|")]
        if conns and len(cells) > 8 and cells[1].startswith(("plain YARP", "Shoal gateway (all")):
            rows["yarp" if cells[1].startswith("plain") else "shoal"] = (float(cells[2].replace(",", "")), float(cells[7]))
            if len(rows) == 2:
                ratios[conns] = (rows["shoal"][0] / rows["yarp"][0], rows["shoal"][1] / rows["yarp"][1])
    return ratios

def main():
    root, rounds, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    # quick: the regression guard. Shoal and plain YARP only; prints the ratios, writes no results file.
    quick = len(sys.argv) > 4 and sys.argv[4] == "quick"
    work = tempfile.mkdtemp(prefix="shoal-proxy-")
    os.chmod(work, 0o755)
    shoal = os.path.join(root, "shoal")
    procs = []

    # The stack: two replicas of the sample app behind the Shoal gateway, every resilience feature on. With SHOAL_BASELINE
    # (another checkout of Shoal, built), the same stack also runs from that build, measured in the same interleaved rounds.
    baseline = os.environ.get("SHOAL_BASELINE")
    stacks = []
    stacks.append(start_stack(shoal, work, root, "proxy-bench", service=RESILIENCE))
    replicas = stacks[0]["replicas"]
    ports = [r["port"] for r in replicas]
    targets = {"shoal": {"port": stacks[0]["port"], "pids": [stacks[0]["pid"]]}}
    if not quick:
        targets["direct"] = {"port": ports[0], "pids": [replicas[0]["pid"]]}
    if baseline:
        base_rev = subprocess.run(["git", "-C", baseline, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        stacks.append(start_stack(os.path.join(baseline, "shoal"), work, root, "proxy-bench-base", service=RESILIENCE))
        targets["shoal-base"] = {"port": stacks[-1]["port"], "pids": [stacks[-1]["pid"]]}

    try:
        if not quick:
            start_peers(work, ports, targets, procs)

        # Plain YARP from the same YARP version, defaults.
        port = free_port()
        p = subprocess.Popen(["dotnet", os.path.join(root, "artifacts/bin/PlainYarp/release/PlainYarp.dll"), f"http://127.0.0.1:{port}",
                              f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(p)
        targets["yarp"] = {"port": port, "pids": [p.pid]}

        for name, t in targets.items():
            t["url"] = f"http://127.0.0.1:{t['port']}/api/whoami"
            wait_http(t["url"], name=name)

        # JIT and connection warm-up for everyone, .NET proxies longest.
        for name, t in targets.items():
            subprocess.run(["wrk", "-t2", "-c100", f"-d{8 if name in ('shoal', 'shoal-base', 'yarp') else 3}s", t["url"]], stdout=subprocess.DEVNULL)

        rows = []
        order = list(targets)
        for rnd in range(1, rounds + 1):
            for conns in (10, 100):
                for name in order[rnd % len(order):] + order[:rnd % len(order)]:
                    t = targets[name]
                    subprocess.run(["wrk", "-t2", f"-c{conns}", "-d2s", t["url"]], stdout=subprocess.DEVNULL)
                    peak = [0]
                    stop = threading.Event()
                    def sample():
                        while not stop.is_set():
                            peak[0] = max(peak[0], rss_bytes(t["pids"])); time.sleep(0.5)
                    sampler = threading.Thread(target=sample); sampler.start()
                    c0 = cpu_ticks(t["pids"])
                    run = wrk(t["url"], conns, seconds)
                    c1 = cpu_ticks(t["pids"])
                    stop.set(); sampler.join()
                    rows.append({"round": rnd, "conns": conns, "proxy": name, "rps": run["rps"], "p50": run["p50"], "p99": run["p99"],
                                 "cpu_us": (c1 - c0) * 1e4 / run["requests"], "rss_mb": peak[0] / 1048576, "errors": run["errors"]})
                    print(f"round {rnd} c={conns} {name}: {rows[-1]['rps']:.0f} req/s, p99 {rows[-1]['p99']:.2f} ms, {rows[-1]['cpu_us']:.1f} µs CPU/req, {rows[-1]['rss_mb']:.0f} MB", flush=True)
    finally:
        stop_all(procs, [os.path.join(work, "nginx.pid")], stacks)

    if quick:
        committed = committed_ratios(root)
        print("\nShoal ÷ plain YARP, medians over rounds (req/s: higher is better; CPU µs/req: lower is better)")
        for conns in (10, 100):
            def med(name, key): return statistics.median(r[key] for r in rows if r["proxy"] == name and r["conns"] == conns)
            rps, cpu = med("shoal", "rps") / med("yarp", "rps"), med("shoal", "cpu_us") / med("yarp", "cpu_us")
            ref = f" (committed proxy.md: {committed[conns][0]:.2f} × and {committed[conns][1]:.2f} ×)" if conns in committed else ""
            print(f"  {conns:>3} connections: req/s {rps:.2f} ×, CPU per request {cpu:.2f} ×{ref}")
        if baseline:
            print(f"\nShoal ÷ the baseline build ({base_rev}), medians of the per-round ratios")
            for conns in (10, 100):
                def ratio(key):
                    per_round = {}
                    for r in rows:
                        if r["conns"] == conns and r["proxy"] in ("shoal", "shoal-base"):
                            per_round.setdefault(r["round"], {})[r["proxy"]] = r[key]
                    return statistics.median(v["shoal"] / v["shoal-base"] for v in per_round.values())
                print(f"  {conns:>3} connections: req/s {ratio('rps'):.3f} ×, CPU per request {ratio('cpu_us'):.3f} ×, p99 {ratio('p99'):.3f} ×")
        return

    names = ["direct", "nginx", "haproxy", "yarp", "shoal"] + (["shoal-base"] if baseline else [])
    labels = {"direct": "replica directly", "nginx": "nginx (2 workers, keepalive 64)", "haproxy": "HAProxy (2 threads, http-reuse)", "yarp": "plain YARP 2.3 (defaults)", "shoal": "Shoal gateway (all features on)",
              "shoal-base": f"Shoal gateway, baseline {base_rev if baseline else ''}"}
    notes = hand_notes.kept(os.path.join(root, "bench/results/proxy.md"))
    out = open(os.path.join(root, "bench/results/proxy.md"), "w")
    w = out.write
    w("# Proxies: Shoal's gateway against nginx, HAProxy and plain YARP\n\n")
    command = ("SHOAL_BASELINE=… " if baseline else "") + f"bench/proxy.sh {rounds} {seconds}"
    w(f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC by `{command}` on {os.cpu_count()} cores shared by wrk, the proxy and "
      f"two sample-app replicas (`GET /api/whoami`, a 70-byte JSON body). wrk `-t2`, {seconds} s per run after 2 s of warm-up, "
      f"{rounds} rounds with the proxy order rotated each round; .NET proxies got 8 s of JIT warm-up first. CPU per request = the "
      "proxy's utime + stime from /proc over the run ÷ requests (nginx: its workers). RSS: peak during the run.\n\n")
    w("Shoal ran with round robin, retries (3 attempts, 20 % budget), per-instance circuit breakers (5 consecutive / 50 % of ≥ 20), "
      "outlier ejection, a bulkhead (10,000 per service, 5,000 per instance, queue 100) and slow start on.\n\n")
    for conns in (10, 100):
        w(f"## {conns} connections (medians over rounds)\n\n| proxy | req/s | × nginx | p50 ms | p99 ms | p99 × nginx | CPU µs/req | × nginx | RSS MB |\n|---|---|---|---|---|---|---|---|---|\n")
        def med(name, key): return statistics.median(r[key] for r in rows if r["proxy"] == name and r["conns"] == conns)
        for name in names:
            w(f"| {labels[name]} | {med(name,'rps'):,.0f} | {med(name,'rps')/med('nginx','rps'):.2f} | {med(name,'p50'):.2f} | {med(name,'p99'):.2f} | "
              f"{med(name,'p99')/med('nginx','p99'):.2f} | {med(name,'cpu_us'):.1f} | {med(name,'cpu_us')/med('nginx','cpu_us'):.2f} | {med(name,'rss_mb'):.0f} |\n")
        w("\n")
    if baseline:
        w(f"## Shoal against its baseline ({base_rev}), same rounds\n\nMedians of the per-round ratios (this build ÷ baseline):\n\n"
          "| conns | req/s | p50 | p99 | CPU µs/req | RSS |\n|---|---|---|---|---|---|\n")
        for conns in (10, 100):
            def ratio(key):
                pairs = [(a, b) for a in rows for b in rows if a["proxy"] == "shoal" and b["proxy"] == "shoal-base"
                         and a["round"] == b["round"] and a["conns"] == b["conns"] == conns]
                return statistics.median(a[key] / b[key] for a, b in pairs)
            w(f"| {conns} | {ratio('rps'):.3f} | {ratio('p50'):.3f} | {ratio('p99'):.3f} | {ratio('cpu_us'):.3f} | {ratio('rss_mb'):.3f} |\n")
        w("\n")
    w("## Every run\n\n| round | conns | proxy | req/s | p50 ms | p99 ms | CPU µs/req | RSS MB | non-2xx |\n|---|---|---|---|---|---|---|---|---|\n")
    for r in rows:
        w(f"| {r['round']} | {r['conns']} | {r['proxy']} | {r['rps']:,.0f} | {r['p50']:.2f} | {r['p99']:.2f} | {r['cpu_us']:.1f} | {r['rss_mb']:.0f} | {r['errors']} |\n")
    if notes:
        w("\n" + notes)
    out.close()
    print(open(os.path.join(root, "bench/results/proxy.md")).read())

if __name__ == "__main__":
    main()
