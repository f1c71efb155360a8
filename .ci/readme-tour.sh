#!/usr/bin/env bash
# Runs the README's curl tour, copied out of README.md as it stands, against a freshly started
# simulator, so the README's commands cannot rot. Needs a built vra-engine (swift build).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'kill "$simulator" 2>/dev/null || true; rm -rf "$work"' EXIT

awk '/^## The simulator on its own/{f=1} f&&/^```sh/{c=1;next} c&&/^```/{exit} c{print}' README.md > "$work/tour.sh"
test -s "$work/tour.sh" || { echo "readme-tour: no curl tour found in README.md" >&2; exit 1; }

# The tour talks to 127.0.0.1:8080, as the README says; time-scale 0.05 makes its deployment take seconds.
"$(swift build --show-bin-path)/vra-engine" simulator --port 8080 --time-scale 0.05 > "$work/simulator.log" 2>&1 &
simulator=$!
for _ in $(seq 1 100); do
  curl -sf http://127.0.0.1:8080/iaas/api/about > /dev/null && break
  sleep 0.1
done

(cd "$work" && timeout 300 bash -euo pipefail tour.sh) > "$work/tour.out" 2>&1 || {
  echo "readme-tour: the README's curl tour failed:" >&2; cat "$work/tour.out" >&2; exit 1; }
grep -q SUCCESSFUL "$work/tour.out" || { echo "readme-tour: the deployment never succeeded" >&2; exit 1; }
grep -q '"statusCode":400' "$work/tour.out" || { echo "readme-tour: the wrong input was not refused" >&2; exit 1; }
echo "readme-tour: ok"
