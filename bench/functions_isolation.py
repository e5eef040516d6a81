"""Cold start per runtime (process, sandbox, oci) and thaw-to-first-response of `idle: freeze`, for bench/functions.sh.

argv: repo root, work directory (holds private copies of the CLI and of the C# AOT sample), cold runs per runtime.
Writes bench/results/functions-isolation.md. Runtimes the machine cannot run (the agent refuses them) are reported as such.
"""
import datetime, http.client, json, math, os, platform, socket, statistics, subprocess, sys, textwrap, time

root, work, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
shoal = os.path.join(work, "shoal-cli", "shoal")
SAMPLES = {
    "bash": {"command": "[bash, bootstrap]", "handler": "function.handler", "code": os.path.join(root, "samples/functions/bash")},
    "node": {"command": "[node, bootstrap.js]", "handler": "index.handler", "code": os.path.join(root, "samples/functions/node")},
    "cs-aot": {"command": "[./Shoal.Samples.Function]", "handler": "", "code": os.path.join(work, "csharp-aot")},
}
KINDS = ["process", "sandbox", "oci"]
MEMORY = 1769
started_utc = datetime.datetime.now(datetime.timezone.utc)
stacks = []


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def get(port, path, timeout=30, headers=None):
    t0 = time.perf_counter()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path, headers=headers or {})
        r = c.getresponse()
        body = r.read()
        return r.status, body, time.perf_counter() - t0
    finally:
        c.close()


def nearest_rank(values, q):
    s = sorted(values)
    return s[max(0, math.ceil(q * len(s)) - 1)]


def stack(name, functions):
    d = os.path.join(work, name); os.makedirs(d)
    gw, admin = free_port(), free_port()
    names = [f.split(":")[0].strip() for f in functions]
    files = {
        "shoal.yml": f'name: {name}\ngateway: {{ listen: "http://127.0.0.1:{gw}", admin: "http://127.0.0.1:{admin}" }}\nfunctions:\n  janitor_interval: 50ms\n',
        "functions.yml": "functions:\n" + "".join(functions),
        "routing.yml": "routes:\n" + "".join(f'  - {{ path: "/{n}/{{proxy+}}", method: GET, function: {n}, payload: "2.0" }}\n' for n in names),
    }
    for file, text in files.items():
        with open(os.path.join(d, file), "w") as f:
            f.write(text)
    s = {"dir": d, "file": os.path.join(d, "shoal.yml"), "gw": gw, "admin": admin}
    r = subprocess.run([shoal, "up", "-d", "-f", s["file"]], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"shoal up failed: {r.stdout}{r.stderr}")
    stacks.append(s)
    s["token"] = open(os.path.join(d, ".shoal/admin.token")).read().strip()
    return s


def pools(s):
    _, body, _ = get(s["admin"], "/v1/functions", timeout=5, headers={"Authorization": f"Bearer {s['token']}"})
    return {p["function"]: p for p in json.loads(body)}


def function(name, sample, kind, extra):
    rt = SAMPLES[sample]
    handler = f"\n    handler: {rt['handler']}" if rt["handler"] else ""
    return f"  {name}:\n    command: {rt['command']}{handler}\n    code: {rt['code']}\n    memory: {MEMORY}\n    timeout: 10s\n    runtime: {kind}\n    concurrency: {{ max: 1 }}\n{extra}"


def wait(condition, what, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return
        time.sleep(0.02)
    sys.exit(f"timed out waiting for {what}")


results = {"cold": [], "thaw": [], "warm": []}
unavailable = {}
try:
    # 1. Cold start: idle instances are reaped after 100 ms; each measured request waits until none is left.
    cold_fns = [function(f"{kind}-{sample}", sample, kind, "    idle_timeout: 100ms\n") for kind in KINDS for sample in SAMPLES]
    cold = stack("fniso-cold", cold_fns)
    order = [f"{kind}-{sample}" for kind in KINDS for sample in SAMPLES]
    for run in range(-1, runs):   # one unrecorded run each first
        for name in order[run % len(order):] + order[:run % len(order)]:
            if name in unavailable:
                continue
            wait(lambda: pools(cold)[name]["instances"] == 0, f"{name} to be reaped")
            time.sleep(0.2)
            status, body, elapsed = get(cold["gw"], f"/{name}/cold?run={run}")
            if status != 200:
                # A runtime this machine lacks fails its start (502 Runtime.StartError): say so instead of a number.
                unavailable[name] = f"{status} {body[:200].decode(errors='replace')}"
                print(f"{name}: not available: {unavailable[name]}", flush=True)
                continue
            if run >= 0:
                results["cold"].append({"run": run + 1, "name": name, "ms": elapsed * 1000})
                print(f"cold {name} run {run + 1}: {elapsed * 1000:.1f} ms", flush=True)

    # 2. Thaw to first response: an `idle: freeze` instance is frozen 100 ms after it turns idle; each measured request
    #    waits until the agent reports it PAUSED. The same function with `idle: stop` gives the warm baseline.
    thaw_fns = [function(f"{mode}-{sample}", sample, "process", f"    idle: {mode}\n    idle_timeout: 10m\n") for mode in ("freeze", "stop") for sample in SAMPLES]
    thaw = stack("fniso-thaw", thaw_fns)
    for sample in SAMPLES:
        for mode in ("freeze", "stop"):
            status, body, _ = get(thaw["gw"], f"/{mode}-{sample}/warmup")
            if status != 200:
                sys.exit(f"{mode}-{sample}: {status} {body[:300]!r}")
    for run in range(-1, runs):
        for sample in SAMPLES:
            def paused():
                details = pools(thaw)[f"freeze-{sample}"]["details"]
                return len(details) == 1 and str(details[0]["state"]).lower() in ("paused", "2")
            wait(paused, f"freeze-{sample} to be frozen")
            status, body, elapsed = get(thaw["gw"], f"/freeze-{sample}/thaw?run={run}")
            if status != 200:
                sys.exit(f"thaw {sample}: {status} {body[:300]!r}")
            time.sleep(0.2)   # the stop twin is idle as long, but stays running
            wstatus, _, welapsed = get(thaw["gw"], f"/stop-{sample}/warm?run={run}")
            if run >= 0:
                results["thaw"].append({"run": run + 1, "name": sample, "ms": elapsed * 1000})
                results["warm"].append({"run": run + 1, "name": sample, "ms": welapsed * 1000})
                print(f"thaw {sample} run {run + 1}: {elapsed * 1000:.2f} ms (warm {welapsed * 1000:.2f} ms)", flush=True)
finally:
    for s in stacks:
        subprocess.run([shoal, "down", "-f", s["file"]], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

out = os.path.join(root, "bench/results/functions-isolation.md")
with open(out, "w") as f:
    w = f.write
    w("# Functions: cold start per runtime, and thaw to first response\n\n")
    w(f"Measured {started_utc:%Y-%m-%d %H:%M} UTC by `bench/functions.sh` ({runs} runs each after one unrecorded), "
      f"{platform.node()}, {os.cpu_count()} CPUs, load {open('/proc/loadavg').read().split()[0]} at the end. Times are one "
      "GET on a fresh connection, from connect to the last byte, through the gateway.\n\n")
    w("## Cold start (first request to a new instance)\n\n| runtime | sample | median ms | p90 ms | vs process, ms |\n|---|---|---|---|---|\n")
    for kind in KINDS:
        for sample in SAMPLES:
            name = f"{kind}-{sample}"
            if name in unavailable:
                w(f"| {kind} | {sample} | not available: {unavailable[name]} | | |\n")
                continue
            v = [r["ms"] for r in results["cold"] if r["name"] == name]
            base = [r["ms"] for r in results["cold"] if r["name"] == f"process-{sample}"]
            delta = f"{statistics.median(v) - statistics.median(base):+.1f}" if base else ""
            w(f"| {kind} | {sample} | {statistics.median(v):.1f} | {nearest_rank(v, 0.9):.1f} | {delta} |\n")
    w("\n## Thaw to first response (`idle: freeze`)\n\nThe instance is frozen (cgroup freezer) once idle; the request thaws "
      "it. The warm column is the same function with `idle: stop`, as idle, answered by a running instance.\n\n"
      "| sample | thaw median ms | p90 ms | warm median ms | thaw − warm, ms |\n|---|---|---|---|---|\n")
    for sample in SAMPLES:
        t = [r["ms"] for r in results["thaw"] if r["name"] == sample]
        m = [r["ms"] for r in results["warm"] if r["name"] == sample]
        w(f"| {sample} | {statistics.median(t):.2f} | {nearest_rank(t, 0.9):.2f} | {statistics.median(m):.2f} | {statistics.median(t) - statistics.median(m):+.2f} |\n")
print(f"wrote {out}")
