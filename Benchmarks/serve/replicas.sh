#!/usr/bin/env bash
# `vra-engine serve` replicas on one PostgreSQL: the same workload (a fixed number of multi-stage
# runs, submitted round-robin) against 1 and against 3 replicas, repeated and interleaved (runs per
# minute, vRA calls in all and per second, calls per run, run durations, CPU); then takeover latency
# with 3 replicas (one SIGKILLed or SIGTERMed while it holds runs). Prints the tables at the end.
#
# Usage: Benchmarks/serve/replicas.sh [runs] [stages]        (default 60 4)
#   SCRATCH=.build-bench-release   release scratch path (vra-engine and ServeBenchmark are built there)
#   REPEAT=3                       repetitions of the 1-vs-3 comparison (interleaved)
#   REPLICAS=1,3                   the replica counts compared
#   CLIENTS=10                     ServeBenchmark clients submitting the runs
#   MAX_CONCURRENT=20              the tenant's maxConcurrentRuns (counted over all replicas)
#   TIME_SCALE=0.2                 the simulator's --time-scale (0.2: a Cloud.Network takes 4.4 s)
#   LEASE_DURATION=10 LEASE_CHECK=1   VRA_ENGINE_LEASE_DURATION / _CHECK of every replica (seconds)
#   KILLS=4                        takeover trials per mode
#   TAKEOVER_RUNS=100              runs submitted for the takeover trials (the load they run under)
#   MODES=kill-hosts,kill-same-host,term   takeover modes ("" skips the takeover part)
#   KEEP=1                         keep the temp dir (serve.yaml files, logs, client reports)
# Needs PostgreSQL's server binaries and psql (apt-get install postgresql), python3, and for the
# replicas on separate hosts `unshare --uts` (root).
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-60}
STAGES=${2:-4}
SCRATCH=${SCRATCH:-.build-bench-release}

echo "== machine"
uname -a
echo "nproc: $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
free -g | head -2
echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- Sources Package.swift || echo ' (Sources modified)')," \
  "last change to Sources: $(git log -1 --format='%h %cs' -- Sources)"

echo "== build (release, $SCRATCH)"
swift build -c release --scratch-path "$SCRATCH" --product vra-engine 2>&1 | tail -1
swift build -c release --scratch-path "$SCRATCH" --product ServeBenchmark 2>&1 | tail -1
BIN=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/serve-replicas.XXXXXX")
chmod 755 "$WORK"
PGDIR=""
cleanup() {
  if [[ -n $PGDIR ]]; then scripts/dev-postgres.sh stop "$PGDIR" 2>/dev/null || true; fi
  if [[ ${KEEP:-0} == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PGURL=$(scripts/dev-postgres.sh 2>"$WORK/postgres.err")
PGDIR=$(sed -n 's/^PostgreSQL .* in \(.*\) (log: .*/\1/p' "$WORK/postgres.err")
echo "== $(head -1 "$WORK/postgres.err") (fsync off), at $PGURL"

python3 Benchmarks/serve/replicas.py --bin "$BIN" --pg-url "$PGURL" --pg-dir "$PGDIR" --work "$WORK" \
  --runs "$RUNS" --stages "$STAGES" --repeat "${REPEAT:-3}" --replicas "${REPLICAS:-1,3}" \
  --clients "${CLIENTS:-10}" --max-concurrent "${MAX_CONCURRENT:-20}" --time-scale "${TIME_SCALE:-0.2}" \
  --lease-duration "${LEASE_DURATION:-10}" --lease-check "${LEASE_CHECK:-1}" --kills "${KILLS:-4}" \
  --takeover-runs "${TAKEOVER_RUNS:-100}" --modes "${MODES-kill-hosts,kill-same-host,term}"
