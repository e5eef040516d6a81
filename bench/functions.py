"""Runs the functions benchmark for bench/functions.sh and writes bench/results/functions.md.

argv: repo root, work directory (holds private copies of the CLI and of the C# sample, JIT and AOT), rounds, seconds
per measured run, cold runs per runtime. FUNCTIONS_COLD_ONLY=1: only the cold starts (sections 2 and 3); section 1
(warm) and its verdicts are carried over from the results file as the last full run wrote them, and say so.
"""
import datetime, http.client, http.server, json, math, os, platform, shutil, signal, socket, statistics, subprocess, sys
import textwrap, threading, time
import hand_notes

root, work = sys.argv[1], sys.argv[2]
# `_` for rounds and seconds when only the cold starts run (FUNCTIONS_COLD_ONLY).
rounds, seconds, cold_runs = (int(a) if a.isdigit() else 0 for a in sys.argv[3:6])
shoal = os.path.join(work, "shoal-cli", "shoal")
# SHOAL_BASELINE: another built checkout of Shoal; its CLI also runs the warm and cold stacks, measured in the same
# interleaved rounds, and the results file gets a ratio table (the regression check of a refactoring).
baseline = os.environ.get("SHOAL_BASELINE")
cold_only = bool(os.environ.get("FUNCTIONS_COLD_ONLY"))
base_shoal = os.path.join(work, "shoal-base-cli", "shoal") if baseline else None
jit_dir, aot_dir = os.path.join(work, "csharp-jit"), os.path.join(work, "csharp-aot")
node_dir, bash_dir = os.path.join(root, "samples/functions/node"), os.path.join(root, "samples/functions/bash")
started_utc = datetime.datetime.now(datetime.timezone.utc)
load_at_start = open("/proc/loadavg").read().split()[:3]
procs, stacks = [], []
CLK = os.sysconf("SC_CLK_TCK")

# The four runtimes: how Shoal runs them (command, handler, code directory).
RUNTIMES = {
    "bash": {"label": "bash (AWS tutorial bootstrap, bash + curl)", "command": ["bash", "bootstrap"], "handler": "function.handler", "code": bash_dir},
    "node": {"label": "Node.js (`node bootstrap.js`)", "command": ["node", "bootstrap.js"], "handler": "index.handler", "code": node_dir},
    "cs-jit": {"label": "C# JIT (`dotnet Shoal.Samples.Function.dll`)", "command": ["dotnet", "Shoal.Samples.Function.dll"], "handler": "", "code": jit_dir},
    "cs-aot": {"label": "C# Native AOT (`./Shoal.Samples.Function`)", "command": ["./Shoal.Samples.Function"], "handler": "", "code": aot_dir},
}
MEMORY = 1769  # MB: the size Lambda gives one full vCPU; here cpu.shares 1024, a plain process's weight


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def get(port, path, timeout=30, headers=None):
    """One GET on a fresh connection: (status, body bytes, seconds from connect to the last byte)."""
    t0 = time.perf_counter()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path, headers=headers or {})
        r = c.getresponse()
        body = r.read()
        return r.status, body, time.perf_counter() - t0
    finally:
        c.close()


def wait_ok(port, path, name, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if get(port, path, timeout=5)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"{name} at 127.0.0.1:{port}{path} did not answer 200")


def tree(pid):
    """pid and all its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += [int(c) for c in subprocess.run(["pgrep", "-P", str(p)], capture_output=True, text=True).stdout.split()]
    return out


def cpu_ticks(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def ctx_switches(pids):
    """Voluntary + involuntary context switches of every thread of the processes so far."""
    total = 0
    for pid in pids:
        try:
            for tid in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{tid}/status") as f:
                    total += sum(int(l.split()[1]) for l in f if "ctxt_switches" in l)
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


# Issue 16's targets for `shoal up`'s own agent: throughput ÷ plain per client count, p50 overhead, C# AOT cold start.
TARGET_RATIO = {1: 0.6, 10: 0.5}
TARGET_P50_MS = 0.5
TARGET_AOT_COLD_MS = 30


def nearest_rank(values, q):
    s = sorted(values)
    return s[max(0, math.ceil(q * len(s)) - 1)]


# ---------------------------------------------------------------------------------------------------------------------
# Stacks
# ---------------------------------------------------------------------------------------------------------------------
def write_stack(name, janitor, functions_yml, routing_yml, agent="local", cli=None):
    d = os.path.join(work, name); os.makedirs(d)
    gw, admin = free_port(), free_port()
    files = {
        "shoal.yml": textwrap.dedent(f"""\
            name: {name}
            gateway: {{ listen: "http://127.0.0.1:{gw}", admin: "http://127.0.0.1:{admin}" }}
            functions:
              agent: {agent}
              janitor_interval: {janitor}
            """),
        "functions.yml": functions_yml,
        "routing.yml": routing_yml,
    }
    for file, text in files.items():
        with open(os.path.join(d, file), "w") as f:
            f.write(text)
    return {"dir": d, "file": os.path.join(d, "shoal.yml"), "gw": gw, "admin": admin, "files": files, "cli": cli or shoal}


def up(stack):
    r = subprocess.run([stack["cli"], "up", "-d", "-f", stack["file"]], capture_output=True, text=True)
    if r.returncode != 0:
        log = os.path.join(stack["dir"], ".shoal/shoal.log")
        sys.exit(f"shoal up failed: {r.stdout}{r.stderr}\n{open(log).read() if os.path.exists(log) else ''}")
    stacks.append(stack)
    stack["daemon"] = json.load(open(os.path.join(stack["dir"], ".shoal/state.json")))["daemon"]["pid"]
    stack["token"] = open(os.path.join(stack["dir"], ".shoal/admin.token")).read().strip()


def down(stack):
    if stack in stacks:
        subprocess.run([stack["cli"], "down", "-f", stack["file"]], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        stacks.remove(stack)


def pools(stack):
    status, body, _ = get(stack["admin"], "/v1/functions", timeout=5, headers={"Authorization": f"Bearer {stack['token']}"})
    return {p["function"]: p for p in json.loads(body)}


def function_yml(name, rt, extra):
    handler = f"\n    handler: {rt['handler']}" if rt["handler"] else ""
    command = "[" + ", ".join(rt["command"]) + "]"
    return f"  {name}:\n    command: {command}{handler}\n    code: {rt['code']}\n    memory: {MEMORY}\n    timeout: 10s\n{extra}"


def bench(url, clients, duration, json_path=None):
    args = [shoal, "bench", url, "-c", str(clients), "-d", f"{duration}s"]
    if json_path:
        args += ["--json", json_path]
    subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return json.load(open(json_path))["total"] if json_path else None


def cleanup():
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
    for s in list(stacks):
        down(s)


results = {"warm": [], "cold": [], "process": []}
notes = {}
try:
    if not cold_only:
        # -------------------------------------------------------------------------------------------------------------
        # 1. Warm: the gateway (route -> C# function, payload 2.0, 10 warm instances) against the same build served as
        #    plain HTTP, 1 and 10 clients, rounds interleaved (the variant that goes first alternates).
        # -------------------------------------------------------------------------------------------------------------
        warm = write_stack("fnbench-warm", "1s",
                           "functions:\n" + function_yml("echo", RUNTIMES["cs-jit"], "    concurrency: { max: 10 }\n    idle_timeout: 30m\n"),
                           'routes:\n  - { path: "/warm/{proxy+}", method: GET, function: echo, payload: "2.0" }\n')
        up(warm)
        # The same function behind a gateway whose agent runs alone (`shoal agent`): events go to the instances over HTTP.
        agent_port = free_port()
        agent_log = open(os.path.join(work, "agent.log"), "w")
        agent = subprocess.Popen([shoal, "agent", "--listen", f"http://127.0.0.1:{agent_port}", "--state-dir", os.path.join(work, "agent-state")],
                                 stdout=agent_log, stderr=subprocess.STDOUT)
        procs.append(agent)
        remote = write_stack("fnbench-remote", "1s", warm["files"]["functions.yml"], warm["files"]["routing.yml"], agent=f"http://127.0.0.1:{agent_port}")
        deadline = time.time() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", agent_port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline:
                    sys.exit("the standalone agent did not listen")
                time.sleep(0.1)
        up(remote)
        plain_port = free_port()
        plain_log = open(os.path.join(work, "plain.log"), "w")
        plain = subprocess.Popen(["dotnet", "Shoal.Samples.Function.dll"], cwd=jit_dir, env={**os.environ, "SAMPLE_HTTP_PORT": str(plain_port)},
                                 stdout=plain_log, stderr=subprocess.STDOUT)
        procs.append(plain)
        path = "/warm/items/42?tag=a"
        variants = {"gateway": {"port": warm["gw"]}, "remote": {"port": remote["gw"]}, "plain": {"port": plain_port}}
        if baseline:
            warm_base = write_stack("fnbench-warm-base", "1s", warm["files"]["functions.yml"], warm["files"]["routing.yml"], cli=base_shoal)
            up(warm_base)
            variants["base"] = {"port": warm_base["gw"]}
        for name, v in variants.items():
            wait_ok(v["port"], path, name)
            v["url"] = f"http://127.0.0.1:{v['port']}{path}"
            v["bytes"] = len(get(v["port"], path)[1])
        # Warm-up: 10 clients make the pool start its 10 instances (each JIT-compiles on its own), a pause lets their
        # background tier-up finish, then more; the plain side gets the same load.
        for name in [n for n in variants if n != "plain"]:
            bench(variants[name]["url"], 10, 10)
            time.sleep(3)
            bench(variants[name]["url"], 10, 5)
        bench(variants["plain"]["url"], 10, 10)
        notes["instances_after_warmup"] = pools(warm)["echo"]
        notes["remote_after_warmup"] = pools(remote)["echo"]
        for rnd in range(1, rounds + 1):
            for clients in (1, 10):
                names = list(variants)
                shift = (rnd * 2 + clients) % len(names)
                for name in names[shift:] + names[:shift]:
                    v = variants[name]
                    bench(v["url"], clients, 2)
                    # The Shoal processes (daemon; with a standalone agent, the agent too) first, then the instances.
                    shoal_pids = {"gateway": [warm["daemon"]], "remote": [remote["daemon"], agent.pid], "plain": [plain.pid],
                                  "base": [warm_base["daemon"]] if baseline else []}[name]
                    pids = shoal_pids + [p for q in shoal_pids for p in tree(q) if p not in shoal_pids]
                    c0, d0, s0 = cpu_ticks(pids), cpu_ticks(shoal_pids), ctx_switches(shoal_pids)
                    t = bench(v["url"], clients, seconds, os.path.join(work, f"warm-{rnd}-{clients}-{name}.json"))
                    c1, d1, s1 = cpu_ticks(pids), cpu_ticks(shoal_pids), ctx_switches(shoal_pids)
                    codes = {k: v2 for k, v2 in t["status_codes"].items() if k != "200"}
                    row = {"round": rnd, "clients": clients, "variant": name, "rps": t["rps"], "p50": t["latency_ms"]["p50"],
                           "p99": t["latency_ms"]["p99"], "errors": t["errors"] + sum(codes.values()), "requests": t["requests"],
                           "cpu_us": (c1 - c0) / CLK * 1e6 / max(t["requests"], 1),
                           "daemon_us": (d1 - d0) / CLK * 1e6 / max(t["requests"], 1),
                           "daemon_cs": (s1 - s0) / max(t["requests"], 1),
                           "instances_us": ((c1 - c0) - (d1 - d0)) / CLK * 1e6 / max(t["requests"], 1), "processes": len(pids)}
                    results["warm"].append(row)
                    print(f"warm round {rnd} c={clients} {name}: {row['rps']:.0f} req/s, p50 {row['p50']:.3f} ms, p99 {row['p99']:.3f} ms, "
                          f"{row['cpu_us']:.0f} µs CPU/req, {row['errors']} errors", flush=True)
        notes["instances_after_warm"] = pools(warm)["echo"]
        notes["remote_after_warm"] = pools(remote)["echo"]
        down(warm)
        down(remote)
        if baseline:
            down(warm_base)
        agent.send_signal(signal.SIGTERM); agent.wait(20)
        plain.send_signal(signal.SIGTERM); plain.wait(10)

    # -----------------------------------------------------------------------------------------------------------------
    # 2. Cold start through Shoal: a route per runtime; idle instances are reaped after 100 ms (janitor every 50 ms),
    #    and each measured request waits until no instance of any function is left, so it starts a new one.
    # -----------------------------------------------------------------------------------------------------------------
    cold = write_stack("fnbench-cold", "50ms",
                       "functions:\n" + "".join(function_yml(name, rt, "    concurrency: { max: 1 }\n    idle_timeout: 100ms\n") for name, rt in RUNTIMES.items()),
                       "routes:\n" + "".join(f'  - {{ path: "/{name}/{{proxy+}}", method: GET, function: {name}, payload: "2.0" }}\n' for name in RUNTIMES))
    up(cold)
    cold_stacks = {"": cold}
    if baseline:
        cold_base = write_stack("fnbench-cold-base", "50ms", cold["files"]["functions.yml"], cold["files"]["routing.yml"], cli=base_shoal)
        up(cold_base)
        cold_stacks["base"] = cold_base

    def all_reaped(timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            left = sum(p["instances"] for c in cold_stacks.values() for p in pools(c).values())
            records = [r for c in cold_stacks.values() for f in [os.path.join(c["dir"], ".shoal/agent/instances.json")]
                       if os.path.exists(f) for r in json.load(open(f))]
            if left == 0 and not records:
                return
            time.sleep(0.02)
        sys.exit("the cold stack's instances were not reaped")

    names = list(RUNTIMES)
    for run in range(-2, cold_runs):   # two unrecorded runs each first
        for name in names[run % len(names):] + names[:run % len(names)]:
            sides = list(cold_stacks)
            for side in sides[run % len(sides):] + sides[:run % len(sides)]:
                c = cold_stacks[side]
                all_reaped()
                time.sleep(0.3)
                before = pools(c)[name]["started"]
                status, body, elapsed = get(c["gw"], f"/{name}/cold?run={run}")
                if status != 200:
                    sys.exit(f"cold {name}{side}: {status} {body[:300]!r}")
                if pools(c)[name]["started"] != before + 1:
                    sys.exit(f"cold {name}{side}: the request did not start a new instance")
                if run >= 0:
                    results["cold"].append({"run": run + 1, "runtime": name + ("-" + side if side else ""), "ms": elapsed * 1000})
                    print(f"cold run {run + 1} {name}{' ' + side if side else ''}: {elapsed * 1000:.1f} ms", flush=True)
    all_reaped()
    for c in cold_stacks.values():
        down(c)

    # -----------------------------------------------------------------------------------------------------------------
    # 3. Process level, without Shoal: the runtime process against a minimal Runtime API (Python), from just before the
    #    spawn to its first GET /invocation/next and to its POST of the first response. No cgroup.
    # -----------------------------------------------------------------------------------------------------------------
    event = json.dumps({
        "version": "2.0", "routeKey": "GET /process/{proxy+}", "rawPath": "/process/cold", "rawQueryString": "run=1",
        "headers": {"host": "127.0.0.1", "user-agent": "functions-bench"}, "queryStringParameters": {"run": "1"},
        "pathParameters": {"proxy": "cold"},
        "requestContext": {"accountId": "000000000000", "apiId": "local", "domainName": "127.0.0.1", "domainPrefix": "127",
                           "http": {"method": "GET", "path": "/process/cold", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "functions-bench"},
                           "requestId": "r-1", "routeKey": "GET /process/{proxy+}", "stage": "$default",
                           "time": "01/Jan/2026:00:00:00 +0000", "timeEpoch": 1767225600000},
        "isBase64Encoded": False}).encode()
    class RuntimeApi(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, code, body=b"", headers=None):
            self.send_response(code)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            state = self.server.state
            if self.path.endswith("/invocation/next"):
                if "next" not in state:
                    state["next"] = time.perf_counter()
                    self.reply(200, event, {"Content-Type": "application/json", "Lambda-Runtime-Aws-Request-Id": "r-1",
                                            "Lambda-Runtime-Deadline-Ms": str(int(time.time() * 1000) + 10000),
                                            "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:000000000000:function:bench",
                                            "Lambda-Runtime-Trace-Id": "Root=1-0-0"})
                else:
                    state["done"].wait(30)   # the second `next`: held until the process is killed
                    self.close_connection = True
            else:
                self.reply(404)

        def do_POST(self):
            state = self.server.state
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path.endswith("/response"):
                state["response"] = time.perf_counter()
            else:
                state["error"] = body
            self.reply(202, b'{"status":"OK"}', {"Content-Type": "application/json"})
            state["posted"].set()

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request, client_address):
            pass   # the killed runtime resets its held `next` connection

    def process_start(name):
        # A fresh Runtime API (and port) per run, so nothing of the previous process can reach this one.
        rt = RUNTIMES[name]
        api = Server(("127.0.0.1", 0), RuntimeApi)
        api.state = state = {"posted": threading.Event(), "done": threading.Event()}
        threading.Thread(target=api.serve_forever, daemon=True).start()
        env = {**os.environ, "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{api.server_address[1]}", "_HANDLER": rt["handler"],
               "LAMBDA_TASK_ROOT": rt["code"], "LAMBDA_RUNTIME_DIR": rt["code"], "AWS_LAMBDA_FUNCTION_NAME": name,
               "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(MEMORY), "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "AWS_REGION": "us-east-1", "TZ": ":UTC"}
        env.pop("SAMPLE_HTTP_PORT", None)
        t0 = time.perf_counter()
        p = subprocess.Popen(rt["command"], cwd=rt["code"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        ok = state["posted"].wait(30)
        os.killpg(p.pid, signal.SIGKILL); p.wait()
        state["done"].set()
        api.shutdown(); api.server_close()
        if not ok or "response" not in state:
            sys.exit(f"process {name}: no response ({state.get('error')!r})")
        return (state["next"] - t0) * 1000, (state["response"] - t0) * 1000

    for run in range(-1, cold_runs):   # one unrecorded run each first
        for name in names[run % len(names):] + names[:run % len(names)]:
            to_next, to_response = process_start(name)
            if run >= 0:
                results["process"].append({"run": run + 1, "runtime": name, "next_ms": to_next, "response_ms": to_response})
                print(f"process run {run + 1} {name}: next {to_next:.1f} ms, response {to_response:.1f} ms", flush=True)
            time.sleep(0.1)
finally:
    cleanup()

# ---------------------------------------------------------------------------------------------------------------------
# The results file
# ---------------------------------------------------------------------------------------------------------------------
def sh(*args):
    return subprocess.run(args, capture_output=True, text=True).stdout.strip()

cpu_model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
commit = sh("git", "-C", root, "rev-parse", "--short", "HEAD")
dirty = sh("git", "-C", root, "status", "--porcelain", "--untracked-files=no")
aot_size = os.path.getsize(os.path.join(aot_dir, "Shoal.Samples.Function")) / 1048576
out_path = os.path.join(root, "bench/results/functions.md")
previous_notes = hand_notes.kept(out_path)
if cold_only:
    # Section 1 and its verdicts as the last full run wrote them (this run did not measure them).
    previous = open(out_path).read()
    kept_warm = previous[previous.index("## 1. "):previous.index("## 2. ")]
    kept_measured = next(l for l in previous.splitlines() if l.startswith("Measured "))
    kept_verdicts = [l for l in previous.splitlines() if l.startswith(("- Warm, ", "- With a standalone agent"))]
out = open(out_path, "w")
w = out.write
w("# Functions: warm invocation against the plain handler, and cold start per runtime\n\n")
command = f"FUNCTIONS_COLD_ONLY=1 bench/functions.sh _ _ {cold_runs}" if cold_only else f"bench/functions.sh {rounds} {seconds} {cold_runs}"
w(f"Measured {started_utc:%Y-%m-%d %H:%M} UTC by `{command}` (run under "
  "`flock -o /tmp/shoal-build.lock`), which builds what it needs, then runs `bench/functions.py`; this file is its output.\n\n")
w(f"Machine: {os.cpu_count()} cores ({cpu_model}, {platform.machine()}), kernel {platform.release()}, shared with other work "
  f"(load average at the start {' '.join(load_at_start)}); .NET SDK {sh('dotnet', '--version')}, Node.js {sh('node', '--version')}, "
  f"bash {sh('bash', '-c', 'echo $BASH_VERSION')}, curl {sh('curl', '--version').split()[1]}. Shoal at commit {commit}"
  f"{' with uncommitted changes in the working tree' if dirty else ''}. Function instances run in cgroup v1 groups "
  f"(`/sys/fs/cgroup/*/shoal/<id>`), every function here with `memory: {MEMORY}` (cpu.shares 1024, the weight of one plain process).\n\n")

# Warm
LABELS = {"plain": "plain", "gateway": "gateway (`shoal up`'s own agent)", "remote": "gateway + standalone agent", "base": "gateway, baseline build"}
verdicts = []
if cold_only:
    heading, _, body = kept_warm.partition("\n\n")
    if body.startswith("*Not measured in this run"):
        # Carried over by an earlier cold-only run already, quoting the full run's header: keep it as it is.
        w(kept_warm)
    else:
        w(f"{heading}\n\n*Not measured in this run (`FUNCTIONS_COLD_ONLY=1`): carried over from the last full run, whose header read:* "
          f"{kept_measured}\n\n{body}")
else:
    w("## 1. Warm invocation: gateway → C# function against the same handler as plain HTTP\n\n")
    w(f"All sides run the same JIT build (`dotnet Shoal.Samples.Function.dll`, `dotnet build -c Release`; TieredPGO off as the "
      f"project sets it). **Gateway**: `GET {path}` on a route `/warm/{{proxy+}}` (payload 2.0) to function `echo` with "
      f"`concurrency: {{ max: 10 }}`, as `shoal up` runs it (`agent: local`, the agent in the daemon's process): the gateway builds "
      f"the event, the pool takes an idle instance and hands the event to it in memory, the instance's endpoint serves it on the "
      f"Runtime API to the runtime process, the response goes back the same way ({variants['gateway']['bytes']}-byte body). "
      f"**Gateway + standalone agent**: the same files with `agent:` pointing at a `shoal agent --listen …` process, so each event "
      f"also crosses HTTP from the gateway to the instance's endpoint (the Runtime Interface Emulator's invoke path), as it does "
      f"with an agent on another host ({variants['remote']['bytes']}-byte body). "
      f"**Plain**: the same dll started directly with `SAMPLE_HTTP_PORT` (no Shoal): `HttpListener` turns each request into a 2.0 "
      f"event and calls the same handler, concurrently ({variants['plain']['bytes']}-byte body).\n\n")
    w(f"Load: `shoal bench <url> -c <clients> -d {seconds}s` (closed loop, keep-alive), each run after an unrecorded 2 s run; "
      f"before the rounds, 10 clients for 10 s + 5 s (3 s apart) through each gateway and 10 s on the plain side (JIT, and each pool's 10 instances). {rounds} rounds, 1 and 10 clients, "
      "the order of the sides rotates. CPU per request: utime+stime from /proc over the run ÷ requests — Shoal: the daemon "
      "(gateway, and the agent when it is in-process) and the standalone agent where there is one; instances: the function's processes (each part a median of its own, so the parts need not add up exactly); plain: its one process. "
      "Shoal's context switches per request: voluntary + involuntary, every thread of the same Shoal processes (/proc/PID/task/*/status). The load generator shares the cores. "
      "Where the daemon's time per invocation goes (a perf profile and the per-thread reading behind the changes): [functions-profile.md](functions-profile.md).\n\n")
    iw, ia = notes["instances_after_warmup"], notes["instances_after_warm"]
    rw, ra = notes["remote_after_warmup"], notes["remote_after_warm"]
    w(f"Pools after warm-up: {iw['instances']} instances ({iw['started']} started), standalone agent {rw['instances']} ({rw['started']}); "
      f"after all runs: {ia['instances']} instances, {ia['started']} started in total, {ia['throttled']} throttled; standalone agent "
      f"{ra['instances']}, {ra['started']}, {ra['throttled']}.\n\n")
    w("| clients | side | req/s | p50 ms | p99 ms | CPU µs/req | of which Shoal | of which the function instances | Shoal context switches/req |\n|---|---|---|---|---|---|---|---|---|\n")
    for clients in (1, 10):
        def med(name, key): return statistics.median(r[key] for r in results["warm"] if r["variant"] == name and r["clients"] == clients)
        for name in ("plain", "gateway", "remote") + (("base",) if baseline else ()):
            split = f"{med(name, 'daemon_us'):.0f} | {med(name, 'instances_us'):.0f} | {med(name, 'daemon_cs'):.1f}" if name != "plain" else "– | – | –"
            w(f"| {clients} | {LABELS[name]} | {med(name, 'rps'):,.0f} | {med(name, 'p50'):.3f} | {med(name, 'p99'):.3f} | {med(name, 'cpu_us'):.0f} | {split} |\n")
        for name in ("gateway", "remote"):
            def per_round(fn):
                vals = []
                for rnd in range(1, rounds + 1):
                    g = next(r for r in results["warm"] if r["round"] == rnd and r["clients"] == clients and r["variant"] == name)
                    p = next(r for r in results["warm"] if r["round"] == rnd and r["clients"] == clients and r["variant"] == "plain")
                    vals.append(fn(g, p))
                return statistics.median(vals)
            verdicts.append((clients, name, per_round(lambda g, p: g["p50"] - p["p50"]), per_round(lambda g, p: g["rps"] / p["rps"]),
                             per_round(lambda g, p: g["p99"] - p["p99"]), per_round(lambda g, p: g["cpu_us"] / p["cpu_us"])))
    w(f"\nMedians over rounds. Each gateway against plain (median of the per-round differences and ratios); the targets (issue 16) are for `shoal up`'s own agent, throughput ≥ {TARGET_RATIO[1]} × plain at 1 client and ≥ {TARGET_RATIO[10]} × at 10:\n\n")
    w(f"| clients | side | p50 overhead ms (target < {TARGET_P50_MS}) | throughput ÷ plain (target) | p99 overhead ms | CPU per request ÷ plain |\n|---|---|---|---|---|---|\n")
    for clients, name, d50, tr, d99, cr in verdicts:
        if name == "gateway":
            w(f"| {clients} | {LABELS[name]} | **{d50:+.3f}** ({'met' if d50 < TARGET_P50_MS else 'missed'}) | **{tr:.2f}** (≥ {TARGET_RATIO[clients]}: {'met' if tr >= TARGET_RATIO[clients] else 'missed'}) | {d99:+.3f} | {cr:.2f} |\n")
        else:
            w(f"| {clients} | {LABELS[name]} | {d50:+.3f} | {tr:.2f} | {d99:+.3f} | {cr:.2f} |\n")
    w("\n<details><summary>Every run</summary>\n\n| round | clients | side | req/s | p50 ms | p99 ms | CPU µs/req (Shoal + instances) | errors |\n|---|---|---|---|---|---|---|---|\n")
    for r in results["warm"]:
        split = f" ({r['daemon_us']:.0f} + {r['instances_us']:.0f})" if r["variant"] != "plain" else ""
        w(f"| {r['round']} | {r['clients']} | {LABELS[r['variant']]} | {r['rps']:,.0f} | {r['p50']:.3f} | {r['p99']:.3f} | {r['cpu_us']:.0f}{split} | {r['errors']} |\n")
    w("\n</details>\n\n")

# Cold
w("## 2. Cold start: first request to a new instance, through Shoal\n\n")
w(f"One stack, a route per function (`GET /<function>/cold`, payload 2.0), every function with `concurrency: {{ max: 1 }}` "
  f"and `idle_timeout: 100ms`, the janitor every 50 ms. Before each measured request the script waits until the admin API "
  f"(`GET /v1/functions`) shows no instance of any function and the agent holds no record, then 0.3 s more; it checks that the "
  f"request started exactly one new instance. Latency: the client's, from opening a TCP connection to the gateway to the last "
  f"byte of the 200 — so it holds the gateway, the pool, the agent's start (the instance's Runtime API endpoint, cgroups, "
  f"spawn), the runtime's init, the first `next`, the handler and the way back. {cold_runs} runs per runtime after 2 unrecorded "
  f"ones, runtimes rotated each run. p90: nearest rank. Native AOT binary: {aot_size:.1f} MB (`dotnet publish -c Release -r linux-x64 -p:PublishAot=true`, stripped).\n\n")
w("| runtime | median ms | p90 ms | min ms | max ms |\n|---|---|---|---|---|\n")
cold_med = {}
for name, rt in RUNTIMES.items():
    v = [r["ms"] for r in results["cold"] if r["runtime"] == name]
    cold_med[name] = (statistics.median(v), nearest_rank(v, 0.9))
    w(f"| {rt['label']} | **{statistics.median(v):.1f}** | {nearest_rank(v, 0.9):.1f} | {min(v):.1f} | {max(v):.1f} |\n")
w("\n### Process level (no Shoal)\n\n")
w(f"The same commands, environment and code directories, started by the script against a minimal Runtime API written in Python "
  f"(one `next` answered with a 2.0 event, the `response` taken with 202); no cgroup, no gateway, no agent. Times from just before "
  f"the spawn (`subprocess.Popen`) to the runtime's first `GET /invocation/next`, and to its `POST …/response`. {cold_runs} runs "
  f"per runtime after 1 unrecorded one, rotated.\n\n")
w("| runtime | → first `next`, median ms | p90 ms | → first response, median ms | p90 ms | Shoal cold start − process-level response, ms |\n|---|---|---|---|---|---|\n")
proc_med = {}
for name, rt in RUNTIMES.items():
    n = [r["next_ms"] for r in results["process"] if r["runtime"] == name]
    p = [r["response_ms"] for r in results["process"] if r["runtime"] == name]
    proc_med[name] = statistics.median(p)
    w(f"| {rt['label']} | {statistics.median(n):.1f} | {nearest_rank(n, 0.9):.1f} | **{statistics.median(p):.1f}** | {nearest_rank(p, 0.9):.1f} | "
      f"{cold_med[name][0] - statistics.median(p):+.1f} |\n")
w("\n<details><summary>Every run</summary>\n\n| run | runtime | Shoal cold ms | process → next ms | process → response ms |\n|---|---|---|---|---|\n")
for r in results["cold"]:
    p = next(x for x in results["process"] if x["run"] == r["run"] and x["runtime"] == r["runtime"].removesuffix("-base"))
    w(f"| {r['run']} | {r['runtime']} | {r['ms']:.1f} | {p['next_ms']:.1f} | {p['response_ms']:.1f} |\n")
w("\n</details>\n\n")

if baseline:
    base_rev = sh("git", "-C", baseline, "rev-parse", "--short", "HEAD")
    w(f"## 3. This build against the baseline ({base_rev}), same rounds\n\n")
    if not cold_only:
        w("Warm (gateway with `shoal up`'s own agent; medians of the per-round ratios, this build ÷ baseline):\n\n"
          "| clients | req/s | p50 | p99 | CPU µs/req |\n|---|---|---|---|---|\n")
    for clients in () if cold_only else (1, 10):
        def ratio(key):
            return statistics.median(
                a[key] / b[key] for a in results["warm"] for b in results["warm"] if a["variant"] == "gateway" and b["variant"] == "base"
                and a["round"] == b["round"] and a["clients"] == b["clients"] == clients)
        w(f"| {clients} | {ratio('rps'):.3f} | {ratio('p50'):.3f} | {ratio('p99'):.3f} | {ratio('cpu_us'):.3f} |\n")
    w("\nCold start (each run measured on both builds back to back, the order alternating):\n\n"
      "| runtime | this build, median ms | baseline, median ms | median of per-run ratios |\n|---|---|---|---|\n")
    for name in RUNTIMES:
        a = {r["run"]: r["ms"] for r in results["cold"] if r["runtime"] == name}
        b = {r["run"]: r["ms"] for r in results["cold"] if r["runtime"] == name + "-base"}
        w(f"| {name} | {statistics.median(a.values()):.1f} | {statistics.median(b.values()):.1f} | "
          f"{statistics.median(a[k] / b[k] for k in a):.3f} |\n")
    w("\n")

# Reading
w("## Against the targets\n\n")
for line in kept_verdicts if cold_only else []:
    # A verdict carried over once already says so: a second cold-only run must not say it twice.
    suffix = " (section 1, carried over from the last full run)"
    w(f"{line.removesuffix(suffix)}{suffix}\n")
for clients, name, d50, tr, d99, cr in verdicts:
    if name != "gateway":
        continue
    goal = TARGET_RATIO[clients]
    w(f"- Warm, {clients} client{'s' if clients > 1 else ''}: p50 overhead {d50:+.3f} ms (target < {TARGET_P50_MS} ms: {'met' if d50 < TARGET_P50_MS else 'missed'}"
      f"{'' if d50 < TARGET_P50_MS else f', by {d50 - TARGET_P50_MS:.2f} ms'}); throughput {tr:.2f} × plain (target ≥ {goal}: {'met' if tr >= goal else 'missed'}"
      f"{'' if tr >= goal else f', {goal - tr:.2f} short'}).\n")
if verdicts:
    w("- With a standalone agent (each event also crosses HTTP to the instance's endpoint): "
      + "; ".join(f"{clients} client{'s' if clients > 1 else ''} p50 {d50:+.3f} ms, {tr:.2f} × plain" for clients, name, d50, tr, d99, cr in verdicts if name == "remote")
      + ".\n")
aot, aot90 = cold_med["cs-aot"]
w(f"- C# cold start with Native AOT: median {aot:.1f} ms, p90 {aot90:.1f} ms through Shoal (target ≤ {TARGET_AOT_COLD_MS} ms median: "
  f"{'met' if aot <= TARGET_AOT_COLD_MS else 'missed'}{'' if aot <= TARGET_AOT_COLD_MS else f', by {aot - TARGET_AOT_COLD_MS:.1f} ms'}{'' if aot90 <= TARGET_AOT_COLD_MS or aot > TARGET_AOT_COLD_MS else '; the p90 is over'}); "
  f"the JIT build takes {cold_med['cs-jit'][0]:.0f} ms (ReadyToRun was not measured). Process level, AOT answers its first event "
  f"{proc_med['cs-aot']:.1f} ms after the spawn, JIT {proc_med['cs-jit']:.0f} ms.\n")
w(f"- Shoal's own part of a cold start (cold start through Shoal − process-level first response, medians): "
  + ", ".join(f"{n} {cold_med[n][0] - proc_med[n]:+.0f} ms" for n in RUNTIMES) + ".\n\n")
w("### The exact stacks\n\n")
stack_files = [] if cold_only else [("warm", warm["files"]), ("warm, standalone agent", {"shoal.yml": remote["files"]["shoal.yml"]})]
for label, files in stack_files + [("cold", cold["files"])]:
    for file, text in files.items():
        w(f"`{label}/{file}`:\n\n```yaml\n{text.replace(work, '$WORK')}```\n\n")
w("`$WORK` is the script's temporary directory: `shoal-cli/` a copy of `artifacts/bin/Shoal.Cli/release` (after `./shoal --version` "
  "built it), `csharp-jit/` a copy of `artifacts/bin/Shoal.Samples.Function/release` (after `dotnet build "
  "samples/functions/csharp/Shoal.Samples.Function.csproj -c Release`), `csharp-aot/` the output of `dotnet publish "
  "samples/functions/csharp/Shoal.Samples.Function.csproj -c Release -r linux-x64 -p:PublishAot=true -o $WORK/csharp-aot`. "
  "Plain side: `SAMPLE_HTTP_PORT=<port> dotnet Shoal.Samples.Function.dll` in `$WORK/csharp-jit`.\n")
if previous_notes:
    w("\n" + previous_notes)
out.close()
print(open(out_path).read())
if not os.environ.get("KEEP"):
    shutil.rmtree(work, ignore_errors=True)
