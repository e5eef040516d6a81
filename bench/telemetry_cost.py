"""The cost of the gateway's telemetry, for bench/proxy.sh: stacks from the same build, each in front of its own two
sample-app replicas, measured in interleaved rounds (wrk at 10 and 100 connections; the daemon's CPU per request).
  metrics    (PROXY_METRICS_COMPARE=1):   metrics on, metrics off; no tracing. Writes bench/results/metrics-cost.md.
  telemetry  (PROXY_TELEMETRY_COMPARE=1): metrics off; metrics on, tracing off; metrics on and tracing at 100 % and at
             10 % sampling, exported over OTLP (http/protobuf) to a sink in this script that counts the spans and discards
             them, so the daemon pays the whole export (batching, serialising, sending). Writes bench/results/telemetry-cost.md.
Usage: telemetry_cost.py ROOT ROUNDS SECONDS metrics|telemetry"""
import datetime, http.server, os, resource, statistics, subprocess, sys, tempfile, threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from proxy import cpu_ticks, free_port, start_stack, wait_http, wrk

class OtlpSink(http.server.ThreadingHTTPServer):
    """Accepts OTLP/HTTP protobuf exports on 127.0.0.1, counts their spans and answers an empty success."""
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", free_port()), SinkHandler)
        self.lock, self.exports, self.spans, self.bytes = threading.Lock(), 0, 0, 0
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def endpoint(self): return f"http://127.0.0.1:{self.server_address[1]}"

class SinkHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = bytearray()
            while (size := int(self.rfile.readline().split(b";")[0], 16)) > 0:
                body += self.rfile.read(size); self.rfile.readline()
            self.rfile.readline()
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        spans = count_spans(bytes(body))
        with self.server.lock:
            self.server.exports += 1; self.server.spans += spans; self.server.bytes += len(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf"); self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args): pass

def fields(buf, start, end):
    """The protobuf fields in buf[start:end]: (number, value start, value end) of the length-delimited ones."""
    i = start
    while i < end:
        key, i = varint(buf, i)
        kind = key & 7
        if kind == 2:
            n, i = varint(buf, i); yield key >> 3, i, i + n; i += n
        elif kind == 0: _, i = varint(buf, i)
        elif kind == 1: i += 8
        elif kind == 5: i += 4
        else: raise ValueError(f"wire type {kind}")

def varint(buf, i):
    value = shift = 0
    while True:
        b = buf[i]; i += 1
        value |= (b & 0x7F) << shift; shift += 7
        if b < 0x80: return value, i

def count_spans(buf):
    """ExportTraceServiceRequest: resource_spans (1) → scope_spans (2) → spans (2)."""
    return sum(1 for n, a, b in fields(buf, 0, len(buf)) if n == 1
                 for m, c, d in fields(buf, a, b) if m == 2
                 for k, _, _ in fields(buf, c, d) if k == 2)

def scrape(target):
    """The daemon's /metrics page and its HTTP status."""
    text, status = subprocess.run(["curl", "-s", "-w", "\n%{http_code}", "-H", f"Authorization: Bearer {target['token']}", target["admin"] + "/metrics"],
                                  capture_output=True, text=True).stdout.rsplit("\n", 1)
    return text, status

def allocated(target):
    """The bytes the daemon's runtime has allocated so far (System.Runtime's dotnet.gc.heap.total_allocated), or None without metrics."""
    if target["gateway"] == "metrics: false":
        return None
    for line in scrape(target)[0].splitlines():
        if line.startswith("dotnet_gc_heap_total_allocated_bytes"):
            return float(line.rsplit(" ", 1)[1])
    return None

def main():
    root, rounds, seconds, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    flag = {"metrics": "PROXY_METRICS_COMPARE", "telemetry": "PROXY_TELEMETRY_COMPARE"}[mode]
    command = os.environ.get("PROXY_COMMAND", f"{flag}=1 bench/proxy.sh {rounds} {seconds}")
    work = tempfile.mkdtemp(prefix=f"shoal-{mode}-cost-")
    os.chmod(work, 0o755)
    shoal = os.path.join(root, "shoal")
    sink = OtlpSink() if mode == "telemetry" else None
    def traced(sampling): return f"""\
        telemetry:
          traces:
            otlp: {{ endpoint: "{sink.endpoint}", protocol: http/protobuf }}
            sampling: {sampling}
        """
    # (name, gateway settings, top-level sections); the first is what the others are compared with.
    variants = ([("metrics-off", "metrics: false", ""), ("metrics-on", "metrics: true", "")] if mode == "metrics" else
                [("metrics-off", "metrics: false", ""), ("metrics-on", "metrics: true", ""), ("tracing-100", "metrics: true", traced(1.0)),
                 ("tracing-10", "metrics: true", traced(0.1))])
    names = [v[0] for v in variants]
    stacks, targets, rows = [], {}, []
    try:
        for name, gateway, top in variants:
            stacks.append(start_stack(shoal, work, root, name, gateway=gateway, top=top))
            targets[name] = {**stacks[-1], "gateway": gateway, "url": f"http://127.0.0.1:{stacks[-1]['port']}/api/whoami"}
        for name, t in targets.items():
            wait_http(t["url"], name=name)
            subprocess.run(["wrk", "-t2", "-c100", "-d8s", t["url"]], stdout=subprocess.DEVNULL)
        for rnd in range(1, rounds + 1):
            for conns in (10, 100):
                for name in names[rnd % len(names):] + names[:rnd % len(names)]:
                    t = targets[name]
                    subprocess.run(["wrk", "-t2", f"-c{conns}", "-d2s", t["url"]], stdout=subprocess.DEVNULL)
                    spans0 = sink.spans if sink else 0
                    self0 = resource.getrusage(resource.RUSAGE_SELF)
                    a0 = allocated(t)
                    c0 = cpu_ticks([t["pid"]])
                    run = wrk(t["url"], conns, seconds)
                    c1 = cpu_ticks([t["pid"]])
                    self1 = resource.getrusage(resource.RUSAGE_SELF)
                    a1 = allocated(t)
                    rows.append({"round": rnd, "conns": conns, "name": name, **run, "cpu_us": (c1 - c0) * 1e4 / run["requests"],
                                 "spans": (sink.spans - spans0) if sink else 0, "alloc": (a1 - a0) / run["requests"] if a0 is not None and a1 is not None else None,
                                 "sink_us": (self1.ru_utime + self1.ru_stime - self0.ru_utime - self0.ru_stime) * 1e6 / run["requests"]})
                    print(f"round {rnd} c={conns} {name}: {run['rps']:.0f} req/s, p99 {run['p99']:.2f} ms, {rows[-1]['cpu_us']:.2f} µs CPU/req"
                          + (f", {rows[-1]['alloc']:,.0f} B/req" if rows[-1]["alloc"] is not None else "")
                          + (f", {rows[-1]['spans'] / run['requests']:.2f} spans/req" if sink else ""), flush=True)

        # What was recorded: the metrics-on stack's counter against what wrk sent it; the metrics-off stack has no /metrics.
        counted = sum(float(l.rsplit(" ", 1)[1]) for l in scrape(targets["metrics-on"])[0].splitlines() if l.startswith("shoal_gateway_requests_total{"))
        off = scrape(targets["metrics-off"])[1]
    finally:
        for stack in stacks:
            subprocess.run([shoal, "down", "-f", stack["yml"]], stdout=subprocess.DEVNULL)

    def per_round(name, conns, key, op):
        return [op(a[key], b[key]) for a in rows for b in rows
                if a["name"] == name and b["name"] == names[0] and a["round"] == b["round"] and a["conns"] == b["conns"] == conns]
    def cell(values, fmt):
        return f"{format(statistics.median(values), fmt)} ({format(min(values), fmt)} … {format(max(values), fmt)})"

    path = os.path.join(root, f"bench/results/{mode}-cost.md")
    with open(path, "w") as out:
        w = out.write
        w(f"# The cost of the gateway's {'metrics' if mode == 'metrics' else 'metrics and traces'}\n\n")
        w(f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC with `{command}` on {os.cpu_count()} shared cores: "
          f"{len(variants)} stacks from the same build, each in front of its own two sample-app replicas (`GET /api/whoami`), round robin: "
          "`metrics-off` (`gateway.metrics: false`), `metrics-on` (the default: the OpenTelemetry SDK aggregating every request's counter, "
          "histogram and in-flight updates, the Prometheus exporter registered, no tracing)"
          + (", `tracing-100` (metrics on, and `telemetry.traces` at sampling 1.0 exporting over OTLP http/protobuf to a sink in the "
             "bench script that counts the spans and discards them; the SDK's batch processor at its defaults) and `tracing-10` (the "
             "same at sampling 0.1: the other nine requests in ten still carry a trace to the replica, unrecorded)" if sink else "")
          + f". wrk `-t2`, {seconds} s per run after 2 s of warm-up, {rounds} rounds with the order rotated each round; 8 s of JIT "
          "warm-up each first. CPU per request = the daemon's utime + stime from /proc over the run ÷ requests (the export is the "
          "daemon's own work, so it is counted; the sink's is not). Allocated bytes per request: the increase of the daemon's "
          "`dotnet_gc_heap_total_allocated_bytes` (read from its `/metrics`, so not for `metrics-off`) over the run ÷ requests.\n\n")
        w("Cells: median over rounds (lowest … highest). Ratios and differences are taken per round against `metrics-off` of the "
          "same round and connection count, then the median of those.\n\n")
        for conns in (10, 100):
            w(f"## {conns} connections\n\n| stack | CPU µs/req | CPU × metrics-off | Δ CPU µs/req | req/s × metrics-off | p99 ms | p99 × metrics-off | allocated B/req |"
              + (" spans/req |" if sink else "") + "\n|---|---|---|---|---|---|---|---|" + ("---|" if sink else "") + "\n")
            for name in names:
                mine = [r for r in rows if r["name"] == name and r["conns"] == conns]
                first = name == names[0]
                w(f"| {name} | {cell([r['cpu_us'] for r in mine], '.2f')} | "
                  f"{'1' if first else cell(per_round(name, conns, 'cpu_us', lambda a, b: a / b), '.3f')} | "
                  f"{'0' if first else cell(per_round(name, conns, 'cpu_us', lambda a, b: a - b), '+.2f')} | "
                  f"{'1' if first else cell(per_round(name, conns, 'rps', lambda a, b: a / b), '.3f')} | "
                  f"{cell([r['p99'] for r in mine], '.2f')} | {'1' if first else cell(per_round(name, conns, 'p99', lambda a, b: a / b), '.3f')} | "
                  f"{cell([r['alloc'] for r in mine], ',.0f') if mine[0]['alloc'] is not None else '–'} |"
                  + (f" {statistics.median(r['spans'] / r['requests'] for r in mine):.2f} |" if sink else "") + "\n")
            w("\n")
        if sink:
            traced_rows = [r for r in rows if r["name"] == "tracing-100"]
            w("## Tracing against metrics on (tracing off), per round\n\n| stack | conns | Δ CPU µs/req | CPU × metrics-on |\n|---|---|---|---|\n")
            for name in ("tracing-100", "tracing-10"):
                for conns in (10, 100):
                    pairs = [(a, b) for a in rows for b in rows if a["name"] == name and b["name"] == "metrics-on" and a["round"] == b["round"] and a["conns"] == b["conns"] == conns]
                    w(f"| {name} | {conns} | {cell([a['cpu_us'] - b['cpu_us'] for a, b in pairs], '+.2f')} | {cell([a['cpu_us'] / b['cpu_us'] for a, b in pairs], '.3f')} |\n")
            w(f"\nThe sink received {sink.spans:,} spans in {sink.exports:,} exports ({sink.bytes / 1048576:,.1f} MiB of protobuf); during the "
              f"measured `tracing-100` runs {sum(r['spans'] for r in traced_rows):,} spans for {sum(r['requests'] for r in traced_rows):,} requests "
              "(a proxied request is 3 spans: the server span, the routing decision, the attempt; fewer means the batch processor's queue "
              "overflowed and dropped spans, more is the previous run's tail). The bench process (mostly the sink) used "
              f"{statistics.median(r['sink_us'] for r in traced_rows):.1f} µs CPU per traced request, on the same cores.\n\n")
        w(f"Check: after the runs the metrics-on stack's `shoal_gateway_requests_total` summed to {counted:,.0f} (wrk completed "
          f"{sum(r['requests'] for r in rows if r['name'] == 'metrics-on'):,} measured requests there, plus warm-ups); the metrics-off "
          f"stack answered `/metrics` with HTTP {off}.\n\n")
        w("## Every run\n\n| round | conns | stack | req/s | p50 ms | p99 ms | CPU µs/req | allocated B/req |" + (" spans |" if sink else "")
          + "\n|---|---|---|---|---|---|---|---|" + ("---|" if sink else "") + "\n")
        for r in rows:
            w(f"| {r['round']} | {r['conns']} | {r['name']} | {r['rps']:,.0f} | {r['p50']:.2f} | {r['p99']:.2f} | {r['cpu_us']:.2f} | "
              f"{'–' if r['alloc'] is None else format(r['alloc'], ',.0f')} |"
              + (f" {r['spans']:,} |" if sink else "") + "\n")
    print(open(path).read())

if __name__ == "__main__":
    main()
