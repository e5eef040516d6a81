#!/usr/bin/env bash
# The cold `shoal bench` of builds side by side against wrk: each round runs `wrk -t2 -c50 -d5s` and, for each build, a
# new `shoal bench URL -c 50 -d 5s` process without --warmup (start-up and JIT count), the order reversed every other
# round, on bench/loadgen.sh's static nginx target (1 worker). A build is NAME=FOLDER (a folder holding a `shoal`, e.g. a
# copy of artifacts/bin/Shoal.Cli/release of the commit to compare). Writes bench/results/loadgen-cold.md.
# Usage: bench/loadgen_cold.sh ROUNDS NAME=FOLDER...
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need nginx wrk python3 curl

ROUNDS=${1:?rounds}
shift
[ $# -gt 0 ] || { echo "usage: $0 ROUNDS NAME=FOLDER..." >&2; exit 2; }
work="$(mktemp -d)"
trap 'stop_nginx "$work"; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
port=$(free_port)
start_static_nginx "$port" "$work"
wrk -t2 -c50 -d2s "http://127.0.0.1:$port/whoami.json" >/dev/null   # warm nginx
BENCH_DIR="$BENCH_DIR" python3 - "$RESULTS/loadgen-cold.md" "$work" "http://127.0.0.1:$port/whoami.json" "$ROUNDS" "$@" <<'PY'
import datetime, json, os, re, statistics, subprocess, sys
path, work, url, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
builds = dict(a.split("=", 1) for a in sys.argv[5:])

def wrk():
    out = subprocess.run(["wrk", "-t2", "-c50", "-d5s", url], capture_output=True, text=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), None

def bench(folder):
    out = os.path.join(work, "bench.json")
    subprocess.run([os.path.join(folder, "shoal"), "bench", url, "-c", "50", "-d", "5s", "--json", out], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t = json.load(open(out))["total"]
    if t["errors"]:
        sys.exit(f"shoal bench ({folder}) saw {t['errors']} errors")
    return t["rps"], t["generator_cpu_s"] * 1e6 / t["requests"]

names = ["wrk", *builds]
rows = []
for r in range(rounds):
    order = names if r % 2 == 0 else names[::-1]
    got = {n: wrk() if n == "wrk" else bench(builds[n]) for n in order}
    rows.append((r + 1, order, got))
    print(f"round {r + 1} done", file=sys.stderr)

med = statistics.median
lines = ["# Cold `shoal bench` against wrk, builds side by side", "",
    f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC by `bench/loadgen_cold.sh {rounds} {' '.join(f'{n}=…' for n in builds)}` on {os.cpu_count()} cores "
    "shared with other sessions' builds, tests and benchmarks (wrk's own figure moves from round to round with them; the ratios within a round are what count). "
    "Each round: `wrk -t2 -c50 -d5s`, and per build a new `shoal bench URL -c 50 -d 5s` process without `--warmup` (start-up and JIT included), "
    "the order reversed every other round. Target: nginx 1 worker, a 48-byte static JSON file. CPU µs/req: the generator's own utime+stime over the step ÷ requests.", "",
    "| round | order | wrk req/s | " + " | ".join(f"{n} req/s | {n}/wrk | {n} CPU µs/req" for n in builds) + " |",
    "|---|---|---|" + "---|---|---|" * len(builds)]
for n, order, got in rows:
    lines.append(f"| {n} | {', '.join(order)} | {got['wrk'][0]:,.0f} | " + " | ".join(
        f"{got[b][0]:,.0f} | **{got[b][0] / got['wrk'][0]:.2f}** | {got[b][1]:.1f}" for b in builds) + " |")
# Against the first build too: two shoal runs of one round are closer in time than either is to wrk's.
first = next(iter(builds))
lines += ["", f"| build | median ratio to wrk | lowest round | median CPU µs/req | median req/s ratio to {first} (per round) | median CPU ratio to {first} |", "|---|---|---|---|---|---|"]
for b in builds:
    ratios = [g[b][0] / g["wrk"][0] for _, _, g in rows]
    to_first = [g[b][0] / g[first][0] for _, _, g in rows]
    cpu_to_first = [g[b][1] / g[first][1] for _, _, g in rows]
    lines.append(f"| {b} | **{med(ratios):.2f}** | {min(ratios):.2f} | {med(g[b][1] for _, _, g in rows):.1f} | {med(to_first):.2f} | {med(cpu_to_first):.2f} |")
text = "\n".join(lines) + "\n"
sys.path.insert(0, os.environ["BENCH_DIR"])
import hand_notes  # noqa: E402
if notes := hand_notes.kept(path):
    text += "\n" + notes
with open(path, "w") as f:
    f.write(text)
print(text)
PY
