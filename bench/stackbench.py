"""Helpers for the benchmarks that compare variants of one Shoal build side by side (bench/ratelimit.py), on top of
bench/proxy.py's: a stack of two sample-app replicas behind the gateway started with `./shoal up -d`, and one wrk run
against it with the daemon's CPU per request read from /proc."""
import os, subprocess
from proxy import cpu_ticks, free_port, start_stack as start_proxy_stack, wrk

__all__ = ["free_port", "start_stack", "stop_stack", "measure"]


def start_stack(root, work, name, service_extra=""):
    """Stack `name` in work/name from this checkout's ./shoal, with `service_extra` (block-style fields of the service).
    Returns proxy.start_stack's fields plus url (GET /api/whoami through the gateway)."""
    t = start_proxy_stack(os.path.join(root, "shoal"), work, root, name, service=service_extra)
    return {**t, "url": f"http://127.0.0.1:{t['port']}/api/whoami"}


def stop_stack(root, yml):
    subprocess.run([os.path.join(root, "shoal"), "down", "-f", yml], stdout=subprocess.DEVNULL)


def measure(url, pid, conns, seconds, others=()):
    """2 s of warm-up, then proxy.wrk for `seconds`: its figures plus non2xx and the CPU µs per request of `pid` (cpu_us)
    and of each pid in `others` (others_us)."""
    subprocess.run(["wrk", "-t2", f"-c{conns}", "-d2s", url], stdout=subprocess.DEVNULL)
    c0, o0 = cpu_ticks([pid]), [cpu_ticks([p]) for p in others]
    r = wrk(url, conns, seconds)
    c1, o1 = cpu_ticks([pid]), [cpu_ticks([p]) for p in others]
    requests = r["requests"]
    return {"conns": conns, **r, "non2xx": r["errors"],
            "cpu_us": (c1 - c0) * 1e4 / requests, "others_us": [(b - a) * 1e4 / requests for a, b in zip(o0, o1)]}
