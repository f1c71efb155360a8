#!/bin/sh
# Installs a vra-engine release (made by scripts/release.sh) after checking its SHA-256:
#
#   install.sh --from vra-engine-0.1.0-linux-x86_64.tar.gz                 # a local tarball; its .sha256 beside it
#   install.sh --from https://example.com/vra-engine-0.1.0-linux-x86_64.tar.gz  # downloaded, with URL.sha256
#   install.sh --version 0.1.0 --base-url https://github.com/OWNER/REPO/releases/download/v0.1.0
#   install.sh ... --prefix "$HOME/.local"    # default /usr/local: PREFIX/bin/vra-engine
#   install.sh ... --sha256 HEX               # the expected digest, instead of the .sha256 file
#
# Refuses to install anything whose digest does not match, or without a digest to check.
# Needs sh, tar, gzip, sha256sum (coreutils), and curl or wget to download. Prints the installed path.
set -eu

fail() { echo "install: $*" >&2; exit 1; }

prefix=/usr/local
from=
version=
base_url=${VRA_ENGINE_RELEASE_URL:-}
expected=
while [ $# -gt 0 ]; do
  case "$1" in
    --from) from=${2:?--from needs a file or URL}; shift 2 ;;
    --version) version=${2:?--version needs a value}; shift 2 ;;
    --base-url) base_url=${2:?--base-url needs a URL}; shift 2 ;;
    --prefix) prefix=${2:?--prefix needs a directory}; shift 2 ;;
    --sha256) expected=${2:?--sha256 needs a hex digest}; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) fail "unknown argument: $1 (see --help)" ;;
  esac
done

case "$(uname -m)" in
  x86_64|amd64) arch=x86_64 ;;
  aarch64|arm64) arch=aarch64 ;;
  *) arch=$(uname -m) ;;
esac
if [ -z "$from" ]; then
  [ -n "$version" ] || fail "give --from FILE|URL, or --version V with --base-url URL"
  [ -n "$base_url" ] || fail "--version needs --base-url URL (or VRA_ENGINE_RELEASE_URL): where the release's files are"
  from="${base_url%/}/vra-engine-$version-linux-$arch.tar.gz"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

download() { # URL FILE
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 3 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$1"
  else
    fail "neither curl nor wget is installed to download $1"
  fi
}

tarball="$work/$(basename "$from")"
case "$from" in
  http://*|https://*)
    download "$from" "$tarball" || fail "could not download $from"
    if [ -z "$expected" ]; then
      download "$from.sha256" "$tarball.sha256" || fail "could not download $from.sha256 (or give --sha256 HEX)"
    fi
    ;;
  *)
    [ -f "$from" ] || fail "no such file: $from"
    cp "$from" "$tarball"
    if [ -z "$expected" ]; then
      [ -f "$from.sha256" ] || fail "no $from.sha256 beside the tarball (or give --sha256 HEX)"
      cp "$from.sha256" "$tarball.sha256"
    fi
    ;;
esac
if [ -z "$expected" ]; then
  expected=$(cut -d' ' -f1 < "$tarball.sha256")
fi
actual=$(sha256sum "$tarball" | cut -d' ' -f1)
[ -n "$expected" ] || fail "the .sha256 file is empty"
[ "$actual" = "$expected" ] || fail "SHA-256 mismatch for $(basename "$from"): expected $expected, got $actual; nothing installed"

tar -xzf "$tarball" -C "$work"
binary=$(find "$work" -path '*/bin/vra-engine' -type f | head -n 1)
[ -n "$binary" ] || fail "the tarball holds no bin/vra-engine"
case "$(basename "$from")" in
  *-linux-*) case "$(basename "$from")" in *-linux-"$arch".tar.gz) ;; *) fail "$(basename "$from") is not for this machine ($arch)" ;; esac ;;
esac

mkdir -p "$prefix/bin"
# A new file renamed over the old one: a running vra-engine keeps its binary.
cp "$binary" "$prefix/bin/.vra-engine.new.$$"
chmod 0755 "$prefix/bin/.vra-engine.new.$$"
mv -f "$prefix/bin/.vra-engine.new.$$" "$prefix/bin/vra-engine"
"$prefix/bin/vra-engine" --version >/dev/null 2>&1 || fail "installed $prefix/bin/vra-engine, but it does not run here (see docs/ci.md: what the binary needs)"
echo "$prefix/bin/vra-engine"
