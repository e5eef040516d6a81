#!/usr/bin/env bash
# Registry propagation and write throughput, SQLite against etcd in one run: the time from `PUT register` to the first
# request the gateway routes to the new instance (200 registrations per store and kind after 10 not counted,
# interleaved in blocks of 10; 200 so that the p99 is the third-worst sample, not the second), and the registrations per
# second one gateway sustains (shoal bench PUTs, 8 connections). Writes bench/results/registry.md.
# REGISTRY_SAMPLES=FILE also writes every sample (send time, PUT answered, each probe and whom it reached) as JSON, to
# read against timestamps taken in a daemon. SHOAL_BASELINE=<another built checkout> runs that build's gateways too (SQLite
# and etcd, the same etcd cluster under another prefix) in the same interleaved blocks and adds a ratio table.
# Usage: bench/registry.sh [registrations] [seconds]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need etcd python3 curl
"$ROOT/shoal" --version >/dev/null
dotnet build "$ROOT/samples/Shoal.Samples.App/Shoal.Samples.App.csproj" -c Release -nologo -v quiet >/dev/null
exec python3 "$BENCH_DIR/registry.py" "$ROOT" "${1:-200}" "${2:-10}"
