#!/usr/bin/env bash
# CPU profiles of the Shoal gateway (the `shoal` daemon) under bench/proxy.sh's load: the same stack (two sample-app
# replicas, round robin, every resilience feature on), wrk at 10 and 100 connections, `perf record -e cpu-clock -F 999 -g`
# on the daemon for SECONDS of each (JIT frames named through DOTNET_PerfMapEnabled). Writes bench/results/profile-c10.svg,
# profile-c100.svg (flame graphs), their .folded stacks and profile.json (share of samples by bucket, per-request CPU,
# context switches, allocations, GC counts). Usage: bench/profile.sh [seconds] (default 15); run it as root (perf).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need perf wrk python3 curl
"$ROOT/shoal" --version >/dev/null
dotnet build "$ROOT/samples/Shoal.Samples.App/Shoal.Samples.App.csproj" -c Release -nologo -v quiet >/dev/null
PROFILE_COMMAND="bench/profile.sh ${1:-15}" exec python3 "$BENCH_DIR/profile.py" "$ROOT" "${1:-15}" "${2:-8}"
