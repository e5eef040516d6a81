#!/usr/bin/env bash
# The daemon's memory after proxy.sh's load (100 connections), split into GC heap, runtime/native, mapped assemblies and
# native libraries, for each VARIANT: `default` or comma-separated VAR=VALUE settings the daemon starts with (e.g.
# DOTNET_GCgen0size=0x400000,DOTNET_GCConserveMemory=5); rounds interleaved. Writes bench/results/memory.md.
# Usage: bench/memory.sh [rounds] [seconds] [VARIANT...]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need wrk python3 curl
"$ROOT/shoal" --version >/dev/null
dotnet build "$ROOT/samples/Shoal.Samples.App/Shoal.Samples.App.csproj" -c Release -nologo -v quiet >/dev/null
MEMORY_COMMAND="bench/memory.sh $*" exec python3 "$BENCH_DIR/memory.py" "$ROOT" "${1:-2}" "${2:-10}" "${@:3}"
