#!/usr/bin/env bash
# What the daemon does while nothing happens: proxy.sh's stack (two sample-app replicas, every resilience feature on),
# no traffic; after SETTLE seconds (default 120: the JIT still tiers for about 80 s after `up`), ROUNDS windows of SECONDS
# each: the daemon's CPU (ms per minute), context switches per second and which threads woke (by thread name).
# SHOAL_BASELINE=<another built checkout> runs the same stack from that build too, both daemons read over the same
# windows. Writes bench/results/idle.md (or the file IDLE_RESULTS names); a new run keeps the file's hand-written reading.
# Usage: bench/idle.sh [rounds] [seconds] [settle]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need python3 curl
"$ROOT/shoal" --version >/dev/null
[ -z "${SHOAL_BASELINE:-}" ] || "$SHOAL_BASELINE/shoal" --version >/dev/null
dotnet build "$ROOT/samples/Shoal.Samples.App/Shoal.Samples.App.csproj" -c Release -nologo -v quiet >/dev/null
IDLE_COMMAND="${SHOAL_BASELINE:+SHOAL_BASELINE=… }${IDLE_RESULTS:+IDLE_RESULTS=$IDLE_RESULTS }bench/idle.sh ${1:-5} ${2:-20} ${3:-120}" \
  exec python3 "$BENCH_DIR/idle.py" "$ROOT" "${1:-5}" "${2:-20}" "${3:-120}"
