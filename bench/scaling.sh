#!/usr/bin/env bash
# Scaling under CPU limits (seed 000's ×1.8): 1, 2 and 4 replicas of a CPU-bound replica (bench/scaling_app.py, a fixed
# amount of work per request), each limited to `resources: { cpus: 0.25 }` so the limit, not the machine's cores,
# bounds them, behind the Shoal gateway, loaded with `shoal bench`; rounds interleaved with the order rotated, medians.
# Reports throughput ratios (2/1, 4/1) with the gateway's (the daemon's) CPU and the replicas' CPU alongside.
# Writes bench/results/scaling.md (or the file given third).
# Usage: flock -o /tmp/shoal-build.lock bench/scaling.sh [rounds] [seconds] [output]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need python3

work="$(mktemp -d /tmp/shoal-scaling-XXXXXX)"
chmod 755 "$work"
"$ROOT/shoal" --version >/dev/null
# A private copy: other builds of the repository may rewrite artifacts/ while the benchmark runs.
cp -r "$ROOT/artifacts/bin/Shoal.Cli/release" "$work/shoal-cli"
exec python3 "$BENCH_DIR/scaling.py" "$ROOT" "$work" "${1:-3}" "${2:-15}" "${3:-$RESULTS/scaling.md}"
