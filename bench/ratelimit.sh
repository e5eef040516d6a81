#!/usr/bin/env bash
# The gateway's CPU per request with no rate limit, the local limiter and the Redis limiter (a limit high enough never
# to refuse), three stacks from the same build in interleaved rounds, plus the Redis server's own CPU per request.
# Writes bench/results/ratelimit.md. Usage: bench/ratelimit.sh [rounds] [seconds]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need wrk python3 curl redis-server
"$ROOT/shoal" --version >/dev/null
dotnet build "$ROOT/samples/Shoal.Samples.App/Shoal.Samples.App.csproj" -c Release -nologo -v quiet >/dev/null
exec python3 "$BENCH_DIR/ratelimit.py" "$ROOT" "${1:-3}" "${2:-6}"
