"""Runs the registry benchmark for bench/registry.sh and writes bench/results/registry.md."""
import datetime, http.client, json, os, shutil, socket, statistics, subprocess, sys, tempfile, textwrap, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hand_notes  # noqa: E402
root, samples, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
warmup = 10
work = tempfile.mkdtemp(prefix="shoal-registry-")
shoal = os.path.join(root, "shoal")
sample = os.path.join(root, "artifacts/bin/Shoal.Samples.App/release/Shoal.Samples.App.dll")
# SHOAL_BASELINE=<another built checkout>: that build's gateways too, in the same interleaved blocks, and a ratio table.
baseline = os.environ.get("SHOAL_BASELINE")
base_rev = subprocess.run(["git", "-C", baseline, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip() if baseline else ""
procs, stacks, tokens = [], [], {}

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def wait_http(url, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", url], capture_output=True, text=True).stdout == "200": return
        time.sleep(0.2)
    sys.exit(f"{url} did not answer 200")

def stack(name, store, cli=shoal):
    gw, admin = free_port(), free_port()
    d = os.path.join(work, name); os.makedirs(d)
    registry = f"registry: {{ store: \"{store}\" }}\n" if store else ""
    with open(os.path.join(d, "shoal.yml"), "w") as f:
        f.write(f"name: {name}\ngateway: {{ listen: \"http://127.0.0.1:{gw}\", admin: \"http://127.0.0.1:{admin}\" }}\n{registry}"
                "services:\n  app:\n    external: true\n    routes: [\"/api/**\"]\n")
    subprocess.run([cli, "up", "-d", "-f", os.path.join(d, "shoal.yml")], check=True, stdout=subprocess.DEVNULL)
    stacks.append((d, cli))
    tokens[admin] = open(os.path.join(d, ".shoal/admin.token")).read().strip()
    return gw, admin

def request(conn, method, path, body=None):
    headers = {"Content-Type": "application/json"} if body else {}
    if conn.port in tokens: headers["Authorization"] = f"Bearer {tokens[conn.port]}"
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse(); r.read()
    return r

try:
    # One real backend; every registered instance points at it, and the gateway's x-shoal-instance header says which
    # instance it picked.
    backend = free_port()
    procs.append(subprocess.Popen(["dotnet", sample], env={**os.environ, "PORT": str(backend), "SQLITE_PATH": os.path.join(work, "bank.db")},
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    wait_http(f"http://127.0.0.1:{backend}/api/health")

    members = [(free_port(), free_port()) for _ in range(3)]
    cluster = ",".join(f"m{i}=http://127.0.0.1:{p}" for i, (_, p) in enumerate(members))
    for i, (c, p) in enumerate(members):
        procs.append(subprocess.Popen(["etcd", "--name", f"m{i}", "--data-dir", os.path.join(work, f"etcd{i}"),
            "--listen-client-urls", f"http://127.0.0.1:{c}", "--advertise-client-urls", f"http://127.0.0.1:{c}",
            "--listen-peer-urls", f"http://127.0.0.1:{p}", "--initial-advertise-peer-urls", f"http://127.0.0.1:{p}",
            "--initial-cluster", cluster, "--initial-cluster-state", "new", "--logger", "zap", "--log-level", "error"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    for c, _ in members: wait_http(f"http://127.0.0.1:{c}/health")
    etcd = "etcd://" + ",".join(f"127.0.0.1:{c}" for c, _ in members) + "/bench"

    sqlite_gw, sqlite_admin = stack("sqlite", None)
    etcd_a_gw, etcd_a_admin = stack("etcd-a", etcd)   # registrations go to A …
    etcd_b_gw, etcd_b_admin = stack("etcd-b", etcd)   # … traffic goes through B
    setups = {"sqlite": (sqlite_admin, sqlite_gw), "etcd": (etcd_a_admin, etcd_b_gw)}
    if baseline:
        base_cli = os.path.join(baseline, "shoal")
        gw, admin = stack("sqlite-base", None, base_cli)
        setups[f"sqlite, {base_rev}"] = (admin, gw)
        _, admin = stack("etcd-a-base", etcd + "-base", base_cli)
        gw, _ = stack("etcd-b-base", etcd + "-base", base_cli)
        setups[f"etcd, {base_rev}"] = (admin, gw)
    body = json.dumps({"address": "127.0.0.1", "port": backend})
    # The same registration with a TTL, as a client that heartbeats sends it (on etcd it needs a lease).
    bodies = {"": body, "ttl": json.dumps({"address": "127.0.0.1", "port": backend, "ttl": "10s"})}
    for name, (admin, gw) in setups.items():
        c = http.client.HTTPConnection("127.0.0.1", admin)
        request(c, "PUT", "/v1/services/app/instances/base", body)

    def propagation(name, variant, i):
        admin, gw = setups[name]
        a = http.client.HTTPConnection("127.0.0.1", admin); g = http.client.HTTPConnection("127.0.0.1", gw)
        request(g, "GET", "/api/whoami")
        ident = f"p-{variant}{i}"
        wall = time.time()
        t0 = time.perf_counter()
        r = request(a, "PUT", f"/v1/services/app/instances/{ident}", bodies[variant])
        assert r.status == 200, r.status
        put = time.perf_counter() - t0
        probes = []
        while True:
            p0 = time.perf_counter()
            r = request(g, "GET", "/api/whoami")
            probes.append(((p0 - t0) * 1000, (time.perf_counter() - t0) * 1000, r.getheader("x-shoal-instance")))
            if r.getheader("x-shoal-instance") == ident: break
            if time.perf_counter() - t0 > 10: sys.exit(f"{name}: {ident} was never routed to")
        took = time.perf_counter() - t0
        request(a, "DELETE", f"/v1/services/app/instances/{ident}")
        traced.append({"store": name, "variant": variant, "id": ident, "wall": wall, "put": put * 1000, "routed": took * 1000, "probes": probes})
        return put * 1000, took * 1000

    # Warm-up, not counted: the first registrations through a freshly started daemon pay for the JIT and its first
    # collections (a first sample of 15-80 ms), which is start-up, not propagation.
    traced = []
    for name in setups:
        for variant in bodies:
            for i in range(warmup):
                propagation(name, variant, f"w{i}")
    traced = []
    results = {(name, variant): [] for name in setups for variant in bodies}
    for block in range(0, samples, 10):
        for name, variant in (list(results) if block % 20 == 0 else list(reversed(results))):
            for i in range(block, min(samples, block + 10)):
                results[(name, variant)].append(propagation(name, variant, i))

    if os.environ.get("REGISTRY_SAMPLES"):
        with open(os.environ["REGISTRY_SAMPLES"], "w") as f: json.dump(traced, f)

    def pct_index(n, q): return min(n - 1, int(round(q * (n - 1))))
    def pct(xs, q): return sorted(xs)[pct_index(len(xs), q)]
    def ordinal(k): return {1: "", 2: "second-", 3: "third-", 4: "fourth-", 5: "fifth-"}.get(k, f"{k}th-")

    throughput = {}
    for name, (admin, _) in setups.items():
        out = os.path.join(work, f"{name}-writes.json")
        subprocess.run([shoal, "bench", f"http://127.0.0.1:{admin}/v1/services/load/instances/w-{{{{n}}}}", "-m", "PUT",
                        "-H", "Content-Type: application/json", "-H", f"Authorization: Bearer {tokens[admin]}", "--body", body, "-c", "8", "-d", f"{seconds}s", "--warmup", "1s",
                        "--json", out], check=True, stdout=subprocess.DEVNULL)
        with open(out) as f: j = json.load(f)
        total = j["total"]
        throughput[name] = (total["rps"], total["latency_ms"]["p50"], total["latency_ms"]["p99"], total["errors"])

    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Registry: propagation and write throughput, SQLite against etcd", "",
        f"Measured {when} by `{'SHOAL_BASELINE=<' + base_rev + ' build> ' if baseline else ''}bench/registry.sh {samples} {seconds}` on 2 cores shared with other sessions' work. Propagation: the time from sending `PUT /v1/services/app/instances/ID` "
        "to the first `GET /api/whoami` through the gateway that the gateway routes to that instance (`x-shoal-instance`), "
        f"{samples} registrations per store and kind in interleaved blocks of 10 (after {warmup} per store and kind not counted: the first registrations through a freshly started daemon pay for its JIT), each deregistered after it was seen; one other instance stays registered, so "
        "round robin alternates. Two kinds: without a TTL, and with `ttl: 10s` (what a client that heartbeats sends; on etcd the TTL is a lease). SQLite: one gateway with the default `sqlite:.shoal/registry.db`. etcd: a 3-member etcd 3.4 cluster on loopback, "
        "registrations sent to gateway A and traffic sent through gateway B, so every registration crosses etcd's watch. "
        f"Writes: `shoal bench` PUTs of new instances to one gateway's admin API, 8 connections, {seconds} s.", "",
        "## Propagation (ms)", "",
        f"The p99 of {samples} samples is the {ordinal(samples - pct_index(samples, .99))}worst sample.", "",
        "| store | registration | PUT answered p50 | PUT answered p99 | first routed p50 | first routed p99 | max | target p99 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (name, variant), xs in results.items():
        puts = [p for p, _ in xs]; routed = [t for _, t in xs]
        target = {"sqlite": 10, "etcd": 50}[name.split(",")[0]]
        lines.append(f"| {name} | {'ttl 10s' if variant else 'no ttl'} | {pct(puts, .5):.1f} | {pct(puts, .99):.1f} | {pct(routed, .5):.1f} | {pct(routed, .99):.1f} | {max(routed):.1f} | < {target} |")
    lines += ["", "## Registrations per second, one gateway", "", "| store | registrations/s | p50 ms | p99 ms | errors |", "|---|---|---|---|---|"]
    for name, (rps, p50, p99, errors) in throughput.items():
        lines.append(f"| {name} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {errors} |")
    if baseline:
        lines += ["", f"## This build against {base_rev}, same blocks", "", "This build ÷ baseline, first routed:", "",
                  "| store | registration | p50 | p99 | max |", "|---|---|---|---|---|"]
        for (name, variant), xs in results.items():
            if "," in name:
                continue
            base = [t for _, t in results[(f"{name}, {base_rev}", variant)]]
            mine = [t for _, t in xs]
            lines.append(f"| {name} | {'ttl 10s' if variant else 'no ttl'} | {pct(mine, .5) / pct(base, .5):.2f} | {pct(mine, .99) / pct(base, .99):.2f} | {max(mine) / max(base):.2f} |")
    path = os.path.join(root, "bench/results/registry.md")
    notes = hand_notes.kept(path)
    text = "\n".join(lines) + "\n" + ("\n" + notes if notes else "")
    with open(path, "w") as f: f.write(text)
    print("\n".join(lines))
finally:
    for d, cli in stacks:
        subprocess.run([cli, "down", "-f", os.path.join(d, "shoal.yml")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for p in procs:
        p.kill(); p.wait()
    shutil.rmtree(work, ignore_errors=True)
