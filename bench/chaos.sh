#!/usr/bin/env bash
# Fault phases under `shoal bench` load, and a soak.
#   bench/chaos.sh [PHASES] [SECONDS]   kill -9 and SIGSTOP/SIGCONT of a replica, a function instance, a standalone
#                                       agent, the daemon (then `up -d` again) and one member of a 3-member etcd
#                                       cluster; per phase the failed requests, the worst client latency and the time
#                                       to recover. PHASES: all (default) or a comma-separated list of replica-kill,
#                                       replica-stop, function-kill, function-stop, agent-kill, agent-stop, daemon-stop,
#                                       daemon-kill, etcd-kill, etcd-stop. SECONDS of load per phase (default 30).
#                                       Writes bench/results/chaos.md; exits 1 if a phase never recovered.
#   bench/chaos.sh --soak [DURATION]    steady load for DURATION (default 1h; e.g. 300s, 5m, 2h) while the daemon's
#                                       RSS, fds and threads are sampled; exits 1 unless they stay flat (last quarter's
#                                       median ≤ first quarter's + 20 % + a small slack). Writes bench/results/soak.md.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need python3 dotnet bash curl

seconds_of() {
  local d=$1
  case "$d" in
    *h) echo $(( ${d%h} * 3600 )) ;;
    *m) echo $(( ${d%m} * 60 )) ;;
    *s) echo "${d%s}" ;;
    *[!0-9]*|'') echo "$0: '$d' is not a duration (e.g. 300s, 5m, 1h)" >&2; exit 2 ;;
    *) echo "$d" ;;
  esac
}

if [ "${1:-}" = "--soak" ]; then
  mode=soak; args=("$(seconds_of "${2:-1h}")")
else
  need etcd
  mode=faults; args=("${1:-all}" "$(seconds_of "${2:-30}")")
fi

work="$(mktemp -d /tmp/shoal-chaos-XXXXXX)"
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
"$ROOT/shoal" --version >/dev/null
dotnet build "$ROOT/samples/Shoal.Samples.App/Shoal.Samples.App.csproj" -c Release -nologo -v quiet >/dev/null
# A private copy of the CLI: other builds of the repository may rewrite artifacts/ while this runs.
cp -r "$ROOT/artifacts/bin/Shoal.Cli/release" "$work/shoal-cli"
python3 "$BENCH_DIR/chaos.py" "$ROOT" "$work" "$mode" "${args[@]}"
