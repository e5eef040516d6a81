#!/usr/bin/env bash
# The CLI's start-up: the ReadyToRun build ./shoal publishes against the IL-only one a plain build makes, in one run.
# `--version` and `ps` (of a stack that is not running) wall time, and the cold start of `shoal bench` (5 s, 50
# connections, no --warmup, a new process each time) against wrk on the same static nginx file, rounds interleaved.
# Writes bench/results/cli-startup.md. Usage: bench/cli_startup.sh [rounds] [version-runs]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need nginx wrk python3 curl

ROUNDS=${1:-3}
RUNS=${2:-20}
work="$(mktemp -d)"
trap 'stop_nginx "$work"; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

# IL-only: what `dotnet build` of the CLI makes (it lands in artifacts/bin/Shoal.Cli/release, which ./shoal then
# notices and publishes ReadyToRun again).
dotnet publish "$ROOT/src/Shoal.Cli/Shoal.Cli.csproj" -c Release -o "$work/il" -nologo -v quiet >/dev/null
"$ROOT/shoal" --version >/dev/null
cp -r "$ROOT/artifacts/bin/Shoal.Cli/release" "$work/r2r"

port=$(free_port)
start_static_nginx "$port" "$work"
mkdir -p "$work/stack"
printf 'name: startup\nservices:\n  web:\n    command: ["sleep", "1000"]\n' > "$work/stack/shoal.yml"
wrk -t2 -c50 -d2s "http://127.0.0.1:$port/whoami.json" >/dev/null   # warm nginx
BENCH_DIR="$BENCH_DIR" python3 - "$ROOT" "$work" "$port" "$ROUNDS" "$RUNS" <<'PY'
import datetime, json, os, re, statistics, subprocess, sys, time
root, work, port, rounds, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
url = f"http://127.0.0.1:{port}/whoami.json"
builds = {"il": os.path.join(work, "il/shoal"), "r2r": os.path.join(work, "r2r/shoal")}

def wall(argv):
    t = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=os.path.join(work, "stack"))
    return (time.perf_counter() - t) * 1000

# Start-up commands: the builds alternate run by run.
times = {(b, c): [] for b in builds for c in ("--version", "ps")}
for i in range(runs):
    for b in (list(builds) if i % 2 == 0 else list(reversed(builds))):
        times[(b, "--version")].append(wall([builds[b], "--version"]))
        times[(b, "ps")].append(wall([builds[b], "ps"]))

def wrk():
    out = subprocess.run(["wrk", "-t2", "-c50", "-d5s", url], capture_output=True, text=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

def bench(b, n):
    out = os.path.join(work, f"bench-{b}-{n}.json")
    subprocess.run([builds[b], "bench", url, "-c", "50", "-d", "5s", "--json", out], check=True, stdout=subprocess.DEVNULL)
    with open(out) as f: return json.load(f)["total"]["rps"]

rows = []
for r in range(rounds):
    order = ["wrk", "il", "r2r"] if r % 2 == 0 else ["r2r", "il", "wrk"]
    got = {t: (wrk() if t == "wrk" else bench(t, r)) for t in order}
    rows.append((r + 1, order, got))

med = statistics.median
lines = ["# CLI start-up: ReadyToRun against IL-only", "",
    f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC by `bench/cli_startup.sh {rounds} {runs}` on {os.cpu_count()} cores "
    "shared with other work (other sessions' builds and tests may run at the same time; the ratios within one run are what count). "
    "`il`: `dotnet publish src/Shoal.Cli/Shoal.Cli.csproj -c Release` (what a plain build makes, JIT only). "
    "`r2r`: what `./shoal` publishes (`-p:ShoalReadyToRun=true`: for the SDK's runtime identifier (linux-x64 here), framework-dependent, the CLI's assemblies and its "
    "packages compiled ReadyToRun by Crossgen2; the shared framework is ReadyToRun already).", "",
    f"## Start-up commands (wall ms, {runs} runs each, the builds alternating)", "",
    "| command | il median | il p90 | r2r median | r2r p90 | r2r/il |", "|---|---|---|---|---|---|"]
def p90(xs): xs = sorted(xs); return xs[min(len(xs) - 1, int(round(.9 * (len(xs) - 1))))]
for c in ("--version", "ps"):
    il, r2 = times[("il", c)], times[("r2r", c)]
    lines.append(f"| `shoal {c}` | {med(il):.0f} | {p90(il):.0f} | {med(r2):.0f} | {p90(r2):.0f} | **{med(r2) / med(il):.2f}** |")
lines += ["", "`ps` is run in a folder whose shoal.yml names a stack that is not running (it loads the file, finds no daemon and says so).", "",
    "## Cold `shoal bench` against wrk", "",
    f"Each round: `wrk -t2 -c50 -d5s {{url}}`, and `shoal bench {{url}} -c 50 -d 5s --json …` with each build, a new process without "
    "`--warmup` (so its first second, JIT included, counts), the order alternating by round. Target: nginx 1 worker, a 48-byte static JSON file.", "",
    "| round | order | wrk req/s | il req/s | r2r req/s | il/wrk | r2r/wrk |", "|---|---|---|---|---|---|---|"]
for n, order, got in rows:
    lines.append(f"| {n} | {', '.join(order)} | {got['wrk']:,.0f} | {got['il']:,.0f} | {got['r2r']:,.0f} | {got['il'] / got['wrk']:.2f} | **{got['r2r'] / got['wrk']:.2f}** |")
ratio = lambda b: [g[b] / g["wrk"] for _, _, g in rows]
lines += ["", f"Median ratio to wrk: il {med(ratio('il')):.2f}, r2r **{med(ratio('r2r')):.2f}** (target ≥ 0.9); "
          f"lowest round: il {min(ratio('il')):.2f}, r2r {min(ratio('r2r')):.2f}."]
text = "\n".join(lines) + "\n"
path = os.path.join(root, "bench/results/cli-startup.md")
# The build-time section is measured by hand (its commands are in it): kept as it is.
sys.path.insert(0, os.environ["BENCH_DIR"])
import hand_notes  # noqa: E402
if notes := hand_notes.kept(path):
    text += "\n" + notes
with open(path, "w") as f: f.write(text)
print(text)
PY
