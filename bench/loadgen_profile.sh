#!/usr/bin/env bash
# Where the load generator's CPU goes: `perf record -e cpu-clock -F 999 -g` on `shoal bench URL -c 50 -d SECONDS` (a new
# process, no --warmup: start-up and JIT included) against the static nginx of bench/loadgen.sh, once per build given
# (a folder holding a `shoal`, e.g. a copy of artifacts/bin/Shoal.Cli/release; default: this checkout's ./shoal), builds
# alternating over ROUNDS. Prints, per build, the generator's CPU per request and the share of samples by thread, by
# component (bench/flamegraph.py's buckets) and the largest frames. JIT frames are named through DOTNET_PerfMapEnabled.
# Usage: bench/loadgen_profile.sh [seconds] [rounds] [build-folder...]; run it as root (perf).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need perf nginx python3 curl

SECONDS_=${1:-5}
ROUNDS=${2:-1}
shift 2 2>/dev/null || true
BUILDS=("$@")
if [ ${#BUILDS[@]} -eq 0 ]; then "$ROOT/shoal" --version >/dev/null; BUILDS=("$ROOT/artifacts/bin/Shoal.Cli/release"); fi
work="$(mktemp -d)"
trap 'stop_nginx "$work"; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
port=$(free_port)
start_static_nginx "$port" "$work"
url="http://127.0.0.1:$port/whoami.json"

for round in $(seq "$ROUNDS"); do
  for i in "${!BUILDS[@]}"; do
    # Alternate the order by round, so neither build always gets the fresher machine.
    (( round % 2 )) && b=$i || b=$(( ${#BUILDS[@]} - 1 - i ))
    out="$work/b$b-r$round"
    DOTNET_PerfMapEnabled=3 DOTNET_EnableWriteXorExecute=0 perf record -e cpu-clock -F 999 -g -o "$out.data" -- \
      "${BUILDS[$b]}/shoal" bench "$url" -c 50 -d "${SECONDS_}s" --json "$out.json" >/dev/null 2>"$out.err"
    perf script -i "$out.data" 2>/dev/null > "$out.txt"
  done
done

python3 - "$BENCH_DIR" "$work" "$ROUNDS" "${BUILDS[@]}" <<'PY'
import json, re, sys
from collections import Counter
sys.path.insert(0, sys.argv[1])
import flamegraph
work, rounds, builds = sys.argv[2], int(sys.argv[3]), sys.argv[4:]
for b, path in enumerate(builds):
    threads, comps, leaf, incl, total, cpu = Counter(), Counter(), Counter(), Counter(), 0, []
    for r in range(1, rounds + 1):
        out = f"{work}/b{b}-r{r}"
        with open(f"{out}.txt") as f:
            stacks = flamegraph.collapse(f)
        for stack, n in stacks.items():
            frames = stack.split(";")
            total += n
            leaf[frames[-1]] += n
            comps[flamegraph.component(frames[-1])[0]] += n
            for frame in set(frames[1:]):
                incl[frame] += n
        # The thread names: each sample's header line starts with the thread's name, then its id.
        with open(f"{out}.txt") as f:
            for line in f:
                if (m := re.match(r"^(\S.*?)\s+\d+\s", line)):
                    threads[m.group(1)] += 1
        t = json.load(open(f"{out}.json"))["total"]
        cpu.append((t["rps"], t["generator_cpu_s"] * 1e6 / t["requests"]))
    share = lambda n: f"{100 * n / total:.1f} %"
    print(f"## {path}\n")
    print("runs (req/s, CPU µs/req): " + ", ".join(f"{rps:,.0f} / {us:.1f}" for rps, us in cpu))
    print("by thread: " + ", ".join(f"{k} {share(v)}" for k, v in threads.most_common(6)))
    print("by component (self): " + ", ".join(f"{k} {share(v)}" for k, v in comps.most_common(10)))
    print("histogram merging (HdrHistogram frames, inclusive): " + share(max((v for k, v in incl.items() if k.startswith("HdrHistogram.")), default=0)))
    print("self, top 15: " + "; ".join(f"{k[:90]} {share(v)}" for k, v in leaf.most_common(15)))
    print()
PY
