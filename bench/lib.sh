# Shared helpers for the benchmark scripts (sourced).
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
RESULTS="$BENCH_DIR/results"
mkdir -p "$RESULTS"

need() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || { echo "$0: '$tool' is not installed (apt-get install -y $tool)" >&2; exit 2; }
  done
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Starts nginx with one worker serving a small JSON file on 127.0.0.1:$1; the pid file is $2/nginx.pid.
start_static_nginx() {
  local port=$1 dir=$2
  mkdir -p "$dir/html"
  chmod 755 "$dir" "$dir/html"   # nginx workers run as www-data
  printf '{"container":"static","pid":1,"version":"1.0.0"}' > "$dir/html/whoami.json"
  cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
daemon on;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$port; location / { root $dir/html; } }
}
CONF
  nginx -c "$dir/nginx.conf"
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/whoami.json")
  [ "$code" = 200 ] || { echo "$0: the static nginx target answers $code, not 200" >&2; exit 1; }
}

stop_nginx() {
  local dir=$1
  [ -f "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true
}

# Sum of utime+stime (seconds) of a process, from /proc.
cpu_seconds() {
  awk '{ print ($14 + $15) / 100 }' "/proc/$1/stat"
}
