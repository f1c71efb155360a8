#!/usr/bin/env bash
# `vra-engine serve` under load: N clients submitting one-stage plans for S seconds against one
# serve and the simulator (ServeBenchmark), then wrk on GET /api/v1/runs/{id} of a finished run.
#
# Usage: Benchmarks/serve/run.sh [seconds] [clients]        (default 60 50)
#   SCRATCH=.build-bench-release   release scratch path (vra-engine and ServeBenchmark are built there)
#   WRK_SECONDS=30                 length of the wrk run; 0 skips it
#   KEEP=1                         keep the temp dir (serve.yaml, state, logs) and print its path
#   STATE_DIR=/dev/shm/x           put serve's SQLite state there instead of the temp dir (e.g. on
#                                  tmpfs, to see what the fsyncs cost; removed at the end unless KEEP=1)
# Needs wrk, pidstat (Debian: apt-get install wrk sysstat), curl and python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-60}
CLIENTS=${2:-50}
SCRATCH=${SCRATCH:-.build-bench-release}
WRK_SECONDS=${WRK_SECONDS:-30}

echo "== machine"
uname -a
echo "nproc: $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
free -g | head -2
echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), load average: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== build (release, $SCRATCH)"
swift build -c release --scratch-path "$SCRATCH" --product vra-engine 2>&1 | tail -1
swift build -c release --scratch-path "$SCRATCH" --product ServeBenchmark 2>&1 | tail -1
BIN=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/serve-bench.XXXXXX")
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ ${KEEP:-0} == 1 ]]; then
    echo "kept $WORK ${STATE_DIR:-}"
  else
    rm -rf "$WORK"
    if [[ -n ${STATE_DIR:-} ]]; then rm -rf "$STATE_DIR"; fi
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
SIM_PORT=$(free_port)
SERVE_PORT=$(free_port)
SIM=http://127.0.0.1:$SIM_PORT
SERVE=http://127.0.0.1:$SERVE_PORT

"$BIN/vra-engine" simulator --host 127.0.0.1 --port "$SIM_PORT" --time-scale 0.01 >"$WORK/simulator.log" 2>&1 &
SIM_PID=$!
PIDS+=("$SIM_PID")

# One tenant: its token as `serve token create` gives it (the token on stdout, the hash line on stderr).
"$BIN/vra-engine" serve token create --tenant bench >"$WORK/bench.token" 2>"$WORK/token.err"
chmod 600 "$WORK/bench.token"
TOKEN=$(cat "$WORK/bench.token")
HASH=$(grep -o 'sha256:[0-9a-f]\{64\}' "$WORK/token.err")
STATE=${STATE_DIR:-$WORK/state}
mkdir -p "$STATE"
cat >"$WORK/serve.yaml" <<EOF
listen: 127.0.0.1:$SERVE_PORT
state: {url: $STATE/state.db}
tenants:
  - name: bench
    tokens: ["$HASH"]
    vra: {url: "$SIM", username: admin, password: "VMware1!", domain: vsphere.local}
    maxConcurrentRuns: 200
    maxQueuedRuns: 1000
EOF
"$BIN/vra-engine" serve --config "$WORK/serve.yaml" >"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
PIDS+=("$SERVE_PID")

wait_for() {
  local url=$1 pid=$2 name=$3
  for _ in $(seq 600); do
    curl -sf -o /dev/null "$url" && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "error: $name exited before it answered; its log:" >&2
      cat "$WORK/$name.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "error: $name does not answer at $url after 60 s" >&2
  exit 1
}
wait_for "$SIM/iaas/api/about" "$SIM_PID" simulator
wait_for "$SERVE/readyz" "$SERVE_PID" serve
echo "== simulator at $SIM (time scale 0.01), serve at $SERVE (tenant bench: maxConcurrentRuns 200,"
echo "   maxQueuedRuns 1000; state $STATE/state.db on $(df -T "$STATE" | awk 'NR == 2 {print $2}'))"

echo "== ServeBenchmark: $CLIENTS clients, $DURATION s"
"$BIN/ServeBenchmark" --server "$SERVE" --token-file "$WORK/bench.token" --clients "$CLIENTS" \
  --duration "$DURATION" --project Development --simulator "$SIM" &
CLIENT_PID=$!
PIDS+=("$CLIENT_PID")
# CPU: each process's ticks and the whole machine's, at the start, at the end of the load and when
# the client is done (after the drain and the checks); pidstat every 5 s; one `top` half-way.
proc_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
snapshot() {
  echo "$(date +%s.%N) $(proc_ticks "$SERVE_PID") $(proc_ticks "$SIM_PID") $(proc_ticks "$CLIENT_PID")" \
    "$(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat)"
}
CPU_START=$(snapshot)
(sleep "$DURATION" && snapshot >"$WORK/cpu-load-end") &
PIDS+=("$!")
if command -v pidstat >/dev/null; then
  pidstat -u -p "$SERVE_PID,$SIM_PID,$CLIENT_PID" 5 >"$WORK/pidstat.log" 2>&1 &
  PIDSTAT_PID=$!
  PIDS+=("$PIDSTAT_PID")
fi
(sleep "$((${DURATION%.*} / 2))" && top -b -n1 -w 160 | head -15 >"$WORK/top.log") &
PIDS+=("$!")
CLIENT_STATUS=0
wait "$CLIENT_PID" || CLIENT_STATUS=$?
CPU_END=$(snapshot)
if [[ -n ${PIDSTAT_PID:-} ]]; then kill -INT "$PIDSTAT_PID" 2>/dev/null || true; fi

echo
echo "== CPU, % of one core (2 cores = 200 %); 'others' = the machine minus these three"
python3 - "$(getconf CLK_TCK)" "$(nproc)" "$CPU_START" "$(cat "$WORK/cpu-load-end" 2>/dev/null || echo)" "$CPU_END" <<'PY'
import sys
tick, cores = float(sys.argv[1]), int(sys.argv[2])
start, load_end, end = ([float(x) for x in a.split()] if a.strip() else None for a in sys.argv[3:6])
print(f"{'window':<28} {'serve':>6} {'simulator':>9} {'client':>6} {'machine':>7} {'others':>6}")
def row(name, a, b, client=True):
    seconds = b[0] - a[0]
    serve, sim = ((b[i] - a[i]) / tick / seconds * 100 for i in (1, 2))
    cli = (b[3] - a[3]) / tick / seconds * 100 if client else float("nan")
    machine = (b[4] - a[4]) / (b[5] - a[5]) * cores * 100
    others = machine - serve - sim - (cli if client else 0)
    label = f"{name} ({seconds:.0f} s)"
    print(f"{label:<28} {serve:6.0f} {sim:9.0f} {cli:6.0f} {machine:7.0f} {others:6.0f}")
if load_end:
    row("load", start, load_end)
    row("drain and checks", load_end, end, client=False)
PY
if [[ -f $WORK/pidstat.log ]]; then
  for pid in "$SERVE_PID" "$SIM_PID" "$CLIENT_PID"; do
    awk -v pid="$pid" '$3 == pid && $1 != "Average:" {name = $10; cpu = cpu " " int($8 + 0.5)} END {
      if (name != "") print "-- pidstat " name " " pid ", %CPU every 5 s:" cpu }' "$WORK/pidstat.log"
  done
fi
echo "-- top, mid-load:"
cat "$WORK/top.log" 2>/dev/null || true
echo "-- serve log lines by level:"
grep -oE '\b(trace|debug|info|notice|warning|error|critical)\b' "$WORK/serve.log" | sort | uniq -c || true
grep -E '\b(warning|error|critical)\b' "$WORK/serve.log" | head -10 || true

if [[ $WRK_SECONDS != 0 ]]; then
  RUN=$(curl -sf -H "Authorization: Bearer $TOKEN" "$SERVE/api/v1/runs?status=succeeded&limit=1" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["runs"][0]["id"])')
  echo
  echo "== wrk -t2 -c32 -d${WRK_SECONDS}s GET /api/v1/runs/$RUN (a finished run)"
  wrk -t2 -c32 -d"${WRK_SECONDS}s" -H "Authorization: Bearer $TOKEN" -s Benchmarks/serve/wrk-status.lua \
    "$SERVE/api/v1/runs/$RUN"
fi

echo
echo "== state: $(du -sh "$STATE" | cut -f1) in $STATE; serve exit on SIGTERM:"
kill -TERM "$SERVE_PID"
SERVE_STATUS=0
wait "$SERVE_PID" || SERVE_STATUS=$?
echo "serve exited $SERVE_STATUS"
tail -2 "$WORK/serve.log"
echo "ServeBenchmark exited $CLIENT_STATUS"
exit "$CLIENT_STATUS"
