#!/usr/bin/env bash
# The daemon's memory after proxy.sh's load (100 connections), split into GC heap, runtime/native, mapped assemblies and
# native libraries, for each VARIANT: `default` or comma-separated VAR=VALUE settings the daemon starts with (e.g.
# DOTNET_GCgen0size=0x400000,DOTNET_GCConserveMemory=5), optionally with cli=PATH (that `shoal` binary runs the stack
# instead of ./shoal: another build, e.g. a Native AOT publish); rounds interleaved. Writes bench/results/memory.md, or
# the file MEMORY_RESULTS names. Usage: bench/memory.sh [rounds] [seconds] [VARIANT...]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need wrk python3 curl
# ./shoal is built only when a variant runs it.
own=0
for variant in "${@:3}"; do [[ ",$variant," == *",cli="* ]] || own=1; done
(( $# >= 3 && own == 0 )) || "$ROOT/shoal" --version >/dev/null
dotnet build "$ROOT/samples/Shoal.Samples.App/Shoal.Samples.App.csproj" -c Release -nologo -v quiet >/dev/null
MEMORY_COMMAND="${MEMORY_RESULTS:+MEMORY_RESULTS=$MEMORY_RESULTS }bench/memory.sh $*" exec python3 "$BENCH_DIR/memory.py" "$ROOT" "${1:-2}" "${2:-10}" "${@:3}"
