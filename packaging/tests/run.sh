#!/usr/bin/env bash
# The package's tests, as `make test` (and so CI) runs them, on a Debian 12 host as root:
#  1. builds the .deb twice (revision 1, and revision 2 to upgrade to) from this checkout;
#  2. lintian: no errors or warnings (each override is justified in its file);
#  3. a real systemd: a Debian 12 container (debootstrap, cached in .build/testbed-rootfs)
#     booted with systemd-nspawn and no network, in which in-guest.sh installs the package with
#     apt and drives it (readiness, TLS, journald fields, reload under a stream, watchdog,
#     licensing as admin and not, bad configuration, upgrade, remove, purge).
# Prints the checks and a closing line "N passed, N failed"; exit 0 iff all passed.
# Usage: packaging/tests/run.sh [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
work=${1:-.build/package-test}
rm -rf "$work"
mkdir -p "$work/guest"
work=$(cd "$work" && pwd)

need=()
for tool in debootstrap:debootstrap systemd-nspawn:systemd-container lintian:lintian dpkg-shlibdeps:dpkg-dev; do
    command -v "${tool%%:*}" > /dev/null || need+=("${tool#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "Installing Debian packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" > /dev/null
fi

t0=$(date +%s)
REVISION=1 packaging/build-deb.sh "$work/guest" | tail -1 > "$work/deb1"
REVISION=2 packaging/build-deb.sh "$work/guest" | tail -1 > "$work/deb2"
deb=$(cat "$work/deb1")
echo "built $(basename "$deb") ($(du -h "$deb" | cut -f1)) and revision 2 in $(($(date +%s) - t0)) s"

passed=0
failed=0
record() { if [ "$1" = 0 ]; then passed=$((passed + 1)); echo "PASS $2"; else failed=$((failed + 1)); echo "FAIL $2"; fi; }

echo "== lintian $(lintian --version | awk '{print $2}')"
set +e
lintian --pedantic --fail-on error,warning "$deb" 2> >(grep -v 'running with root privileges' >&2)
record $? lintian-clean
set -e

# A license signed with the development key, which the packaged (release) binary must refuse.
.build/debug/tappass license request --output "$work/request.json" 2> /dev/null
.build/debug/tappass-license-issuer issue --signing-key Tests/Fixtures/license/development-vendor.key \
    --key-id tappass-development --request "$work/request.json" --customer "Test" --org-id test --seats 5 \
    --output "$work/guest/dev-license.json" > /dev/null

rootfs=.build/testbed-rootfs
if [ ! -x "$rootfs/usr/bin/curl" ] || [ ! -e "$rootfs/usr/lib/x86_64-linux-gnu/libsqlite3.so.0" ]; then
    rm -rf "$rootfs"
    packaging/tests/make-rootfs.sh "$rootfs"
fi
set +e
NSPAWN_ARGS=--private-network TEST_TIMEOUT=600 packaging/tests/nspawn-test.sh "$rootfs" "$work/guest" \
    packaging/tests/in-guest.sh "$work/out" > "$work/nspawn.log" 2>&1
rc=$?
set -e
cat "$work/nspawn.log"
guest_passed=$(grep -c '^PASS ' "$work/nspawn.log" || true)
guest_failed=$(grep -c '^FAIL ' "$work/nspawn.log" || true)
passed=$((passed + guest_passed))
failed=$((failed + guest_failed))
if [ "$rc" != 0 ] && [ "$guest_failed" = 0 ]; then
    failed=$((failed + 1))
    echo "FAIL container-run (exit $rc)"
fi
echo "package tests took $(($(date +%s) - t0)) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
