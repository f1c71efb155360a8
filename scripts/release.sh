#!/usr/bin/env bash
# Builds vra-engine for Linux in release mode with the Swift runtime and Foundation linked in
# statically (--static-swift-stdlib), so the binary runs on a Linux with no Swift installed; it still
# needs glibc, libstdc++, libgcc_s and zlib, which every Debian/Ubuntu base image has (docs/ci.md).
# Then packs it:
#
#   dist/vra-engine-<version>-linux-<arch>.tar.gz          vra-engine-<version>-linux-<arch>/: bin/vra-engine,
#                                                          share/vra-engine/{vra-engine-step.sh,install.sh},
#                                                          README.md, ci.md
#   dist/vra-engine-<version>-linux-<arch>.tar.gz.sha256   "<sha256>  <tarball name>" (sha256sum -c reads it)
#
#   scripts/release.sh                       # version from the source (VRAEngineVersion.current)
#   scripts/release.sh --version 0.2.0 --output /tmp/dist --scratch-path .build-release
#
# The build folder defaults to .build-release, apart from the debug build's .build.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "release: $*" >&2; exit 1; }

version=$(sed -n 's/.*static let current = "\(.*\)".*/\1/p' Sources/VRAModels/VRAEngineVersion.swift)
output=dist
scratch=.build-release
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version=${2:?--version needs a value}; shift 2 ;;
    --output) output=${2:?--output needs a directory}; shift 2 ;;
    --scratch-path) scratch=${2:?--scratch-path needs a directory}; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) fail "unknown argument: $1 (see --help)" ;;
  esac
done
[ -n "$version" ] || fail "no version found in Sources/VRAModels/VRAEngineVersion.swift (give --version)"
[ "$(uname -s)" = Linux ] || fail "builds Linux binaries only (this is $(uname -s))"

case "$(uname -m)" in
  x86_64|amd64) arch=x86_64 ;;
  aarch64|arm64) arch=aarch64 ;;
  *) arch=$(uname -m) ;;
esac
name="vra-engine-$version-linux-$arch"

echo "release: building $name (swift build -c release --static-swift-stdlib)" >&2
start=$(date +%s)
# The build's progress goes to stderr: stdout's last line is the tarball's path, for scripts.
swift build -c release --static-swift-stdlib --product vra-engine --scratch-path "$scratch" >&2
binary="$(swift build -c release --static-swift-stdlib --product vra-engine --scratch-path "$scratch" --show-bin-path)/vra-engine"
[ -x "$binary" ] || fail "no binary at $binary"
echo "release: built in $(( $(date +%s) - start ))s" >&2

# The Swift runtime must not be among the shared libraries the binary needs.
if ldd "$binary" | grep -Eq 'libswift|libFoundation|libdispatch|libBlocksRuntime'; then
  ldd "$binary" >&2
  fail "the binary still links the Swift runtime dynamically"
fi

mkdir -p "$output"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name/bin"
cp "$binary" "$stage/$name/bin/vra-engine"
strip "$stage/$name/bin/vra-engine" 2>/dev/null || true
cp README.md "$stage/$name/"
# The CI step (GitLab's template runs it from the release) and the installer.
mkdir -p "$stage/$name/share/vra-engine"
cp ci/vra-engine-step.sh scripts/install.sh "$stage/$name/share/vra-engine/"
[ -f docs/ci.md ] && cp docs/ci.md "$stage/$name/"
# Reproducible-ish: fixed owner and order, the files' times set to the commit's.
stamp=$(git log -1 --format=%ct 2>/dev/null || date +%s)
find "$stage/$name" -exec touch -h -d "@$stamp" {} +
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner -czf "$output/$name.tar.gz" "$name"
(cd "$output" && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")

"$stage/$name/bin/vra-engine" --version >/dev/null || fail "the packed binary does not run"
echo "release: $output/$name.tar.gz ($(du -h "$output/$name.tar.gz" | cut -f1)), $output/$name.tar.gz.sha256" >&2
echo "$output/$name.tar.gz"
