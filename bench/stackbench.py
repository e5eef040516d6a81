"""Helpers for the benchmarks that compare variants of one Shoal build side by side (bench/metrics_cost.py,
bench/ratelimit.py): a stack of two sample-app replicas behind the gateway, started with `./shoal up -d`; one wrk run
against it with the daemon's CPU per request read from /proc."""
import json, os, re, socket, subprocess, textwrap


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def start_stack(root, work, name, gateway_extra="", service_extra=""):
    """Starts stack `name` in work/name: the gateway (plus `gateway_extra`, flow-style fields) in front of two sample-app
    replicas (plus `service_extra`: block-style fields of the service, unindented). Returns url, pid (the daemon), admin, token, yml."""
    shoal = os.path.join(root, "shoal")
    sample = os.path.join(root, "artifacts/bin/Shoal.Samples.App/release/Shoal.Samples.App.dll")
    gw, admin = free_port(), free_port()
    stack_dir = os.path.join(work, name); os.makedirs(stack_dir)
    yml = os.path.join(stack_dir, "shoal.yml")
    extra = textwrap.indent(service_extra, " " * 4)
    with open(yml, "w") as f:
        f.write(textwrap.dedent(f"""\
            name: {name}
            gateway: {{ listen: "http://127.0.0.1:{gw}", admin: "http://127.0.0.1:{admin}"{gateway_extra} }}
            services:
              app:
                command: [dotnet, "{sample}"]
                replicas: 2
                port: auto
                health: {{ http: /api/health, interval: 2s }}
                routes: ["/api/**"]
                load_balancing: round-robin
            """) + extra)
    subprocess.run([shoal, "up", "-d", "-f", yml], check=True, stdout=subprocess.DEVNULL)
    state = json.load(open(os.path.join(stack_dir, ".shoal/state.json")))
    token = open(os.path.join(stack_dir, ".shoal/admin.token")).read().strip()
    return {"url": f"http://127.0.0.1:{gw}/api/whoami", "pid": state["daemon"]["pid"], "admin": f"http://127.0.0.1:{admin}/metrics",
            "token": token, "yml": yml}


def stop_stack(root, yml):
    subprocess.run([os.path.join(root, "shoal"), "down", "-f", yml], stdout=subprocess.DEVNULL)


def measure(url, pid, conns, seconds, others=()):
    """2 s of warm-up, then wrk -t2 for `seconds`: req/s, p50/p99 (ms), statuses other than 2xx/3xx, and CPU µs per request
    of `pid` (cpu_us) and of each pid in `others` (others_us)."""
    subprocess.run(["wrk", "-t2", f"-c{conns}", "-d2s", url], stdout=subprocess.DEVNULL)
    c0, o0 = cpu_ticks(pid), [cpu_ticks(p) for p in others]
    out = subprocess.run(["wrk", "-t2", f"-c{conns}", f"-d{seconds}s", "--latency", url], capture_output=True, text=True).stdout
    c1, o1 = cpu_ticks(pid), [cpu_ticks(p) for p in others]
    def ms(m): return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"conns": conns, "requests": requests, "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": ms(re.search(r"50%\s+([\d.]+)(us|ms|s)", out)), "p99": ms(re.search(r"99%\s+([\d.]+)(us|ms|s)", out)),
            "non2xx": int(bad.group(1)) if bad else 0,
            "cpu_us": (c1 - c0) * 1e4 / requests, "others_us": [(b - a) * 1e4 / requests for a, b in zip(o0, o1)]}
