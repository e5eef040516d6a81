#!/usr/bin/env bash
# Runs every test: unit tests, then end-to-end tests that drive the real ./shoal against real processes on 127.0.0.1.
# Needs the .NET SDK; the PostgreSQL tests need Debian's postgresql server binaries, the function tests node, npm, curl
# and bash (.ci/run installs them).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# The AWS SDK for JavaScript v3, which one end-to-end test drives against the Lambda Invoke API (pinned in package-lock.json).
if [ ! -d tests/aws-sdk/node_modules/@aws-sdk/client-lambda ]; then
  npm ci --prefix tests/aws-sdk --no-audit --no-fund --loglevel=error
fi
# --fuzz: only the fuzz tests (trait Category=Fuzz), 10,000 cases per target instead of the suite's 1,000.
args=()
for arg in "$@"; do
  if [ "$arg" = "--fuzz" ]; then
    export SHOAL_FUZZ=1
    args+=(--filter "Category=Fuzz")
  else
    args+=("$arg")
  fi
done
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
dotnet test Shoal.slnx -c Release ${args[@]+"${args[@]}"} 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
# One closing line for the whole run, summed over the test assemblies.
awk '/(Passed|Failed)!  - Failed:/ {
       for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1)); if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     } END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$rc"
