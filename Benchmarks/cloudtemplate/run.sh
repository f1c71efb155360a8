#!/usr/bin/env bash
# CloudTemplate benchmark: parse + graph + validate the whole corpus N times, in Swift (release build)
# and with Python's PyYAML + jsonschema (pip install pyyaml jsonschema) in the same run.
#
# Usage: Benchmarks/cloudtemplate/run.sh [iterations]     (default 200)
# Builds into .build-release (the release scratch path the other benchmarks use), never touches .build.
set -euo pipefail
cd "$(dirname "$0")/../.."
ITERATIONS=${1:-200}
CORPUS=$(cd ../shared/corpus/cloud-templates && pwd)

swift build -c release --product CloudTemplateBenchmark --scratch-path .build-release >&2
SWIFT=$(.build-release/release/CloudTemplateBenchmark "$ITERATIONS" "$CORPUS")
PYTHON=$(python3 Benchmarks/cloudtemplate/baseline.py "$ITERATIONS" "$CORPUS" --loader python)
PYTHON_C=$(python3 Benchmarks/cloudtemplate/baseline.py "$ITERATIONS" "$CORPUS" --loader c)
echo "$SWIFT"
echo "$PYTHON"
echo "$PYTHON_C"

seconds() { sed -E 's/.* seconds=([0-9.]+).*/\1/' <<<"$1"; }
python3 - "$(seconds "$SWIFT")" "$(seconds "$PYTHON")" "$(seconds "$PYTHON_C")" <<'PY'
import sys
swift, python, python_c = map(float, sys.argv[1:])
print(f"ratio: Swift is {python / swift:.1f}x faster than PyYAML (pure-Python SafeLoader) + jsonschema")
print(f"ratio: Swift is {python_c / swift:.1f}x faster than PyYAML (libyaml CSafeLoader) + jsonschema")
PY
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%Y-%m-%d)"
