#!/usr/bin/env bash
# Brings up the quickstart, runs the baseline scenario with both replicas watched (CPU, RSS, open fds), then stops it.
# Exit code: the bench's (1 when an SLO is missed).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
stack="$root/examples/quickstart/shoal.yml"
"$root/shoal" up -d -f "$stack" >/dev/null
trap '"$root/shoal" down -f "$stack" >/dev/null' EXIT
watch=()
for pid in $("$root/shoal" ps -f "$stack" --json | python3 -c 'import json,sys; print(" ".join(str(r["pid"]) for s in json.load(sys.stdin)["services"] for r in s["replicas"]))'); do
  watch+=(--watch-pid "$pid")
done
"$root/shoal" bench --scenario "$here/bench.yml" "${watch[@]}" "$@"
