#!/usr/bin/env bash
# The release binary on a Linux without Swift: builds it with scripts/release.sh (static Swift
# runtime), makes a minimal Debian root with debootstrap (--variant=minbase, no Swift), installs the
# tarball there with scripts/install.sh (SHA-256 checked), and inside `chroot` runs `vra-engine
# validate` on an example and `vra-engine apply` against a simulator that the same released binary
# serves on 127.0.0.1 from outside the root (a chroot shares the network). Needs root.
#
# The pristine root is cached as a tarball in $VRA_ENGINE_CI_CACHE (default /var/cache/vra-engine-ci)
# and unpacked afresh for each run; delete it to make a new one. Prints how long each part took.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "release-test: needs root (debootstrap, chroot)" >&2; exit 1; }

suite=bookworm
cache=${VRA_ENGINE_CI_CACHE:-/var/cache/vra-engine-ci}
work=$(mktemp -d /tmp/vra-release-test.XXXXXX)
root="$work/root"
simulator=
mounted=()
cleanup() {
  [ -n "$simulator" ] && kill "$simulator" 2>/dev/null || true
  for (( i=${#mounted[@]}-1; i>=0; i-- )); do umount -l "${mounted[$i]}" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
seconds() { date +%s; }
t0=$(seconds)

# 1. The release tarball.
tarball=$(scripts/release.sh --output "$work/dist" | tail -n 1)
t_build=$(( $(seconds) - t0 ))
echo "release-test: shared libraries the release binary needs:" >&2
tar -xzf "$tarball" -C "$work"
released=$(find "$work" -maxdepth 3 -path '*/bin/vra-engine' -type f | head -n 1)
ldd "$released" | sed 's/^/  /' >&2

# 2. A minimal Debian root without Swift (cached as a tarball).
t1=$(seconds)
if ! command -v debootstrap >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi
mkdir -p "$cache"
pristine="$cache/debian-$suite-minbase.tar"
if [ ! -s "$pristine" ]; then
  # The mirror apt uses on this machine, else Debian's.
  mirror=$(sed -n 's/^URIs: *\(http[^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
  mirror=${mirror:-http://deb.debian.org/debian}
  echo "release-test: debootstrap --variant=minbase $suite from $mirror (cached in $pristine)" >&2
  fresh="$work/fresh"
  debootstrap --variant=minbase "$suite" "$fresh" "$mirror" > "$work/debootstrap.log" 2>&1 \
    || { tail -30 "$work/debootstrap.log" >&2; exit 1; }
  tar -C "$fresh" -cf "$pristine.tmp" . && mv "$pristine.tmp" "$pristine"
  rm -rf "$fresh"
fi
mkdir -p "$root"
tar -C "$root" -xf "$pristine"
t_root=$(( $(seconds) - t1 ))
if chroot "$root" sh -c 'command -v swift || ls /usr/lib/swift /opt/swift' >/dev/null 2>&1; then
  echo "release-test: the Debian root has Swift in it; it must not" >&2; exit 1
fi
# /proc and /dev as a system has them (best effort: without them the binary must still run).
for fs in proc dev; do
  if mount --bind "/$fs" "$root/$fs" 2>/dev/null; then mounted+=("$root/$fs"); fi
done

# 3. Install with install.sh, as a user would, and check what it put there.
t2=$(seconds)
cp "$tarball" "$tarball.sha256" scripts/install.sh "$root/tmp/"
installed=$(chroot "$root" /bin/sh /tmp/install.sh --from "/tmp/$(basename "$tarball")" --prefix /usr/local)
[ "$installed" = /usr/local/bin/vra-engine ] || { echo "release-test: install.sh printed '$installed'" >&2; exit 1; }
chroot "$root" /usr/local/bin/vra-engine --version
# A tampered tarball is refused.
cp "$tarball" "$root/tmp/tampered.tar.gz" && printf 'x' >> "$root/tmp/tampered.tar.gz"
cp "$tarball.sha256" "$root/tmp/tampered.tar.gz.sha256"
if chroot "$root" /bin/sh /tmp/install.sh --from /tmp/tampered.tar.gz --prefix /tmp/nowhere 2>/dev/null; then
  echo "release-test: install.sh installed a tarball whose SHA-256 does not match" >&2; exit 1
fi

# 4. validate and apply inside the root, against the released binary's simulator outside it.
mkdir -p "$root/work"
cp -r examples "$root/work/"
chroot "$root" /usr/local/bin/vra-engine validate /work/examples/three-tier/templates/network.yaml --input cidr=10.0.0.0/24
chroot "$root" /usr/local/bin/vra-engine validate /work/examples/three-tier/plan.yaml
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The two projects the three-tier example deploys to (the default simulator has only Development).
"$released" simulator --config examples/environments/sim.yaml --port "$port" --time-scale 0.02 > "$work/simulator.log" 2>&1 &
simulator=$!
ready=
for _ in $(seq 1 600); do
  if curl -sf "http://127.0.0.1:$port/iaas/api/about" >/dev/null; then ready=1; break; fi
  kill -0 "$simulator" 2>/dev/null || break
  sleep 0.1
done
[ -n "$ready" ] || { echo "release-test: the simulator did not start:" >&2; cat "$work/simulator.log" >&2; exit 1; }
status=0
chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root \
  VRA_URL="http://127.0.0.1:$port" VRA_USERNAME=admin VRA_PASSWORD='VMware1!' VRA_DOMAIN=vsphere.local \
  sh -c 'cd /work && vra-engine apply examples/three-tier/plan.yaml --report junit=/work/report.xml \
    --destroy-after always --max-duration 5m' > "$work/apply.log" 2>&1 || status=$?
if [ "$status" != 0 ]; then
  echo "release-test: apply in the Debian root exited $status:" >&2; cat "$work/apply.log" >&2
  echo "release-test: the simulator's log:" >&2; tail -30 "$work/simulator.log" >&2; exit 1
fi
grep -q 'testcase name="app"' "$root/work/report.xml" || { echo "release-test: no JUnit report" >&2; exit 1; }
grep -q 'torn down' "$work/apply.log" || { echo "release-test: the sandbox was not torn down" >&2; cat "$work/apply.log" >&2; exit 1; }
t_run=$(( $(seconds) - t2 ))
echo "release-test: ok (release build ${t_build}s, Debian root ${t_root}s, install + validate + apply ${t_run}s, total $(( $(seconds) - t0 ))s)"
