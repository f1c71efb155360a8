#!/usr/bin/env bash
# Runs the README's curl tour, copied out of README.md as it stands, against a freshly started
# simulator, so the README's commands cannot rot. Needs a built vra-engine (swift build).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
simulator=
trap '[ -n "$simulator" ] && kill "$simulator" 2>/dev/null; rm -rf "$work"' EXIT

awk '/^## The simulator on its own/{f=1} f&&/^```sh/{c=1;next} c&&/^```/{exit} c{print}' README.md > "$work/tour.sh"
test -s "$work/tour.sh" || { echo "readme-tour: no curl tour found in README.md" >&2; exit 1; }
grep -q '127.0.0.1:8080' "$work/tour.sh" || { echo "readme-tour: the tour no longer talks to 127.0.0.1:8080" >&2; exit 1; }

# The README's tour talks to port 8080. A CI machine may have something else there, so the tour runs
# as written except for the port: a free one, chosen by the kernel.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed -i "s#127.0.0.1:8080#127.0.0.1:$port#g" "$work/tour.sh"

# time-scale 0.05 makes the tour's deployment take seconds.
"$(swift build --show-bin-path)/vra-engine" simulator --port "$port" --time-scale 0.05 > "$work/simulator.log" 2>&1 &
simulator=$!
ready=
for _ in $(seq 1 600); do
  if curl -sf "http://127.0.0.1:$port/iaas/api/about" > /dev/null; then ready=1; break; fi
  kill -0 "$simulator" 2>/dev/null || break
  sleep 0.1
done
[ -n "$ready" ] || { echo "readme-tour: the simulator did not start on port $port:" >&2; cat "$work/simulator.log" >&2; exit 1; }

(cd "$work" && timeout 300 bash -euo pipefail tour.sh) > "$work/tour.out" 2>&1 || {
  echo "readme-tour: the README's curl tour failed:" >&2; cat "$work/tour.out" >&2
  echo "readme-tour: the simulator's log:" >&2; tail -50 "$work/simulator.log" >&2; exit 1; }
grep -q SUCCESSFUL "$work/tour.out" || { echo "readme-tour: the deployment never succeeded" >&2; exit 1; }
grep -q '"statusCode":400' "$work/tour.out" || { echo "readme-tour: the wrong input was not refused" >&2; exit 1; }
echo "readme-tour: ok"
