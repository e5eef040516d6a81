#!/usr/bin/env bash
# shoal bench against wrk: the same static nginx target, the same connections and duration, interleaved rounds.
# Writes bench/results/loadgen.md. Usage: bench/loadgen.sh [rounds] [duration-seconds] [connections...]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need nginx wrk python3 curl

ROUNDS=${1:-3}
DURATION=${2:-10}
shift 2 2>/dev/null || true
CONNECTIONS=("${@:-10 100}")
[ $# -gt 0 ] || CONNECTIONS=(10 100)

work="$(mktemp -d)"
trap 'stop_nginx "$work"; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
port=$(free_port)
start_static_nginx "$port" "$work"
url="http://127.0.0.1:$port/whoami.json"
"$ROOT/shoal" --version >/dev/null   # build once, outside the measurements
wrk -t2 -c100 -d3s "$url" >/dev/null  # warm nginx

raw="$work/raw.tsv"
echo -e "round\tconnections\ttool\trps\tp50_ms\tp99_ms\tcpu_us_per_req" > "$raw"

run_wrk() {
  local c=$1 round=$2
  local out="$work/wrk.txt"
  wrk -t2 -c"$c" -d"${DURATION}s" --latency "$url" > "$out" &
  local pid=$!
  local cpu=0
  while kill -0 $pid 2>/dev/null; do cpu=$(cpu_seconds $pid 2>/dev/null || echo "$cpu"); sleep 0.2; done
  wait $pid
  python3 - "$out" "$cpu" "$round" "$c" >> "$raw" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(v, unit): return float(v) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", text); p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", text)
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
requests = int(re.search(r"(\d+) requests in", text).group(1))
if "Non-2xx" in text or "Socket errors" in text:
    sys.exit("wrk saw errors: " + text)
cpu = float(sys.argv[2])
print(f"{sys.argv[3]}\t{sys.argv[4]}\twrk\t{rps:.0f}\t{ms(*p50.groups()):.3f}\t{ms(*p99.groups()):.3f}\t{cpu * 1e6 / requests:.2f}")
PY
}

run_shoal() {
  local c=$1 round=$2
  local json="$work/shoal.json"
  "$ROOT/shoal" bench "$url" -c "$c" -d "${DURATION}s" --warmup 3s --json "$json" >/dev/null 2>&1
  python3 - "$json" "$round" "$c" >> "$raw" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["total"]
if t["errors"]:
    sys.exit(f"shoal bench saw {t['errors']} errors")
print(f"{sys.argv[2]}\t{sys.argv[3]}\tshoal\t{t['rps']:.0f}\t{t['latency_ms']['p50']:.3f}\t{t['latency_ms']['p99']:.3f}\t{t['generator_cpu_s'] * 1e6 / t['requests']:.2f}")
PY
}

for round in $(seq "$ROUNDS"); do
  for c in "${CONNECTIONS[@]}"; do
    # Alternate which tool goes first, so neither always gets the fresher machine.
    if (( round % 2 )); then run_wrk "$c" "$round"; run_shoal "$c" "$round"; else run_shoal "$c" "$round"; run_wrk "$c" "$round"; fi
    echo "round $round, $c connections done" >&2
  done
done

python3 - "$raw" "$RESULTS/loadgen.md" "$ROUNDS" "$DURATION" "$(nproc)" <<'PY'
import csv, statistics, sys, datetime, platform
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
out = open(sys.argv[2], "w")
w = out.write
w("# Load generator: `shoal bench` against `wrk`\n\n")
w(f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC by `bench/loadgen.sh` on {sys.argv[5]} cores "
  f"({platform.machine()}); generator, wrk and nginx share them. Target: nginx 1 worker, a 48-byte static JSON file, keep-alive. "
  f"Closed loop, {sys.argv[4]} s per run, {sys.argv[3]} interleaved rounds (the tool that goes first alternates); wrk `-t2`, "
  "shoal bench after a 3 s warm-up it excludes. CPU per request = the tool's utime+stime over the measured run ÷ requests "
  "(wrk: the whole process from /proc; shoal: the generator's own figure for its recorded step).\n\n")
w("| round | connections | tool | req/s | p50 ms | p99 ms | CPU µs/req |\n|---|---|---|---|---|---|---|\n")
for r in rows:
    w(f"| {r['round']} | {r['connections']} | {r['tool']} | {int(r['rps']):,} | {float(r['p50_ms']):.3f} | {float(r['p99_ms']):.3f} | {float(r['cpu_us_per_req']):.1f} |\n")
w("\n## Medians and ratios\n\n| connections | wrk req/s | shoal req/s | throughput shoal/wrk | wrk p50 ms | shoal p50 ms | p50 shoal/wrk | wrk CPU µs/req | shoal CPU µs/req |\n|---|---|---|---|---|---|---|---|---|\n")
verdicts = []
for c in sorted({r["connections"] for r in rows}, key=int):
    def med(tool, key): return statistics.median(float(r[key]) for r in rows if r["connections"] == c and r["tool"] == tool)
    # Ratios per round, then their median: both tools saw the same machine state within a round.
    rounds = sorted({r["round"] for r in rows})
    def per_round(key):
        values = []
        for rd in rounds:
            a = [float(r[key]) for r in rows if r["round"] == rd and r["connections"] == c and r["tool"] == "shoal"]
            b = [float(r[key]) for r in rows if r["round"] == rd and r["connections"] == c and r["tool"] == "wrk"]
            if a and b and b[0] > 0: values.append(a[0] / b[0])
        return statistics.median(values)
    tr, pr = per_round("rps"), per_round("p50_ms")
    w(f"| {c} | {med('wrk','rps'):,.0f} | {med('shoal','rps'):,.0f} | **{tr:.2f}** | {med('wrk','p50_ms'):.3f} | {med('shoal','p50_ms'):.3f} | **{pr:.2f}** | {med('wrk','cpu_us_per_req'):.1f} | {med('shoal','cpu_us_per_req'):.1f} |\n")
    verdicts.append((c, tr, pr))
w("\nTargets: throughput ≥ 0.9 × wrk, p50 within 20 % of wrk's (ratio 0.8–1.2).\n\n")
for c, tr, pr in verdicts:
    w(f"- {c} connections: throughput {tr:.2f} × wrk ({'met' if tr >= 0.9 else 'missed'}), p50 {pr:.2f} × wrk ({'met' if 0.8 <= pr <= 1.2 else 'missed'}).\n")
out.close()
print(open(sys.argv[2]).read())
PY
