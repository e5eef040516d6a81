#!/usr/bin/env bash
# Proxies side by side in front of the same two sample-app replicas: the replica directly, nginx, HAProxy, plain YARP
# (same YARP version) and the Shoal gateway with every resilience feature on. wrk at 10 and 100 connections, rounds
# interleaved. Writes bench/results/proxy.md. Usage: bench/proxy.sh [rounds] [seconds]
# bench/proxy.sh --quick [rounds] [seconds] (default 1 round of 5 s): the regression guard before committing a change to
# the request path: Shoal and plain YARP only, prints Shoal ÷ YARP (req/s, CPU per request) next to the committed ratios.
# SHOAL_BASELINE=<another built checkout> adds that build's gateway to the same rounds and a ratio table (regression check).
# PROXY_METRICS_COMPARE=1 instead measures the gateway's metrics: the same build with metrics on and off, interleaved
# (writes bench/results/metrics-cost.md). PROXY_TELEMETRY_COMPARE=1 measures tracing too: metrics off; metrics on, tracing
# off; metrics on and tracing at 100 % sampling exported over OTLP to a local sink (writes bench/results/telemetry-cost.md).
# Both run bench/telemetry_cost.py and need wrk, python3, curl only.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
for mode in METRICS TELEMETRY; do
  flag="PROXY_${mode}_COMPARE"
  if [[ "${!flag:-0}" == 1 ]]; then
    need wrk python3 curl
    dotnet build "$ROOT/samples/Shoal.Samples.App/Shoal.Samples.App.csproj" -c Release -nologo -v quiet >/dev/null
    PROXY_COMMAND="$flag=1 bench/proxy.sh ${1:-5} ${2:-8}" exec python3 "$BENCH_DIR/telemetry_cost.py" "$ROOT" "${1:-5}" "${2:-8}" "${mode,,}"
  fi
done
if [[ "${1:-}" == --quick ]]; then
  need wrk python3 curl
  "$ROOT/shoal" --version >/dev/null
  dotnet build "$ROOT/bench/PlainYarp/PlainYarp.csproj" -c Release -nologo -v quiet >/dev/null
  dotnet build "$ROOT/samples/Shoal.Samples.App/Shoal.Samples.App.csproj" -c Release -nologo -v quiet >/dev/null
  exec python3 "$BENCH_DIR/proxy.py" "$ROOT" "${2:-1}" "${3:-5}" quick
fi
need nginx haproxy wrk python3 curl
"$ROOT/shoal" --version >/dev/null
dotnet build "$ROOT/bench/PlainYarp/PlainYarp.csproj" -c Release -nologo -v quiet >/dev/null
dotnet build "$ROOT/samples/Shoal.Samples.App/Shoal.Samples.App.csproj" -c Release -nologo -v quiet >/dev/null
exec python3 "$BENCH_DIR/proxy.py" "$ROOT" "${1:-3}" "${2:-10}"
