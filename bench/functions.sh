#!/usr/bin/env bash
# Lambda-compatible functions: warm invocation through the gateway (with `shoal up`'s own agent, and with a standalone
# `shoal agent`) against the same C# handler served as plain HTTP (SAMPLE_HTTP_PORT mode), at 1 and 10 clients, rounds
# interleaved; cold start (first request to a new instance) of the bash, Node.js and C# (JIT and Native AOT) samples
# through Shoal, and the same start-ups at process level against a minimal Runtime API. Writes
# bench/results/functions.md.
# Then cold start per runtime (process, sandbox, oci) of the bash, Node.js and C# AOT samples, and thaw-to-first-response
# of `idle: freeze` (bench/functions_isolation.py → bench/results/functions-isolation.md).
# Usage: flock -o /tmp/shoal-build.lock bench/functions.sh [rounds] [seconds] [cold-runs]
#        FUNCTIONS_ISOLATION_ONLY=1 bench/functions.sh _ _ [cold-runs]   (only the per-runtime part)
#        FUNCTIONS_COLD_ONLY=1 bench/functions.sh _ _ [cold-runs]        (only the cold starts through Shoal and at process
#          level: functions.md keeps its warm section from the last full run, and says so; no per-runtime part)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need python3 curl node bash dotnet

work="$(mktemp -d /tmp/shoal-functions-XXXXXX)"
chmod 755 "$work"
"$ROOT/shoal" --version >/dev/null
dotnet build "$ROOT/samples/functions/csharp/Shoal.Samples.Function.csproj" -c Release -nologo -v quiet >/dev/null
dotnet publish "$ROOT/samples/functions/csharp/Shoal.Samples.Function.csproj" -c Release -r linux-x64 -p:PublishAot=true \
  -nologo -v quiet -o "$work/csharp-aot" >/dev/null
# Private copies: other builds of the repository may rewrite artifacts/ while the benchmark runs.
cp -r "$ROOT/artifacts/bin/Shoal.Cli/release" "$work/shoal-cli"
# SHOAL_BASELINE=<another checkout>: its CLI runs the same warm and cold stacks in the same rounds (regression check).
if [ -n "${SHOAL_BASELINE:-}" ]; then
  "$SHOAL_BASELINE/shoal" --version >/dev/null
  cp -r "$SHOAL_BASELINE/artifacts/bin/Shoal.Cli/release" "$work/shoal-base-cli"
fi
cp -r "$ROOT/artifacts/bin/Shoal.Samples.Function/release" "$work/csharp-jit"
rm -f "$work/csharp-aot/"*.dbg
# The work directory (the CLI and sample copies) serves both parts: functions.py keeps it (KEEP), this script removes it.
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
if [ -z "${FUNCTIONS_ISOLATION_ONLY:-}" ]; then
  KEEP=1 python3 "$BENCH_DIR/functions.py" "$ROOT" "$work" "${1:-3}" "${2:-10}" "${3:-15}"
fi
[ -n "${FUNCTIONS_COLD_ONLY:-}" ] || python3 "$BENCH_DIR/functions_isolation.py" "$ROOT" "$work" "${3:-15}"
