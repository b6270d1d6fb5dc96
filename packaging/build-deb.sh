#!/usr/bin/env bash
# Builds tappass-appliance_<version>-1_amd64.deb from this checkout: the release binary with the
# Swift runtime linked in (no toolchain on the server), the hardened unit, the configuration and
# policy as conffiles, the man page, and a record of the source commit and dependency versions.
# Depends: derived from what the binary links (dpkg-shlibdeps), plus adduser.
# Usage: [REVISION=n] packaging/build-deb.sh [OUTDIR]   (default: .build/deb; prints the .deb's path last)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.build/deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)
package=tappass-appliance
version=$(sed -n 's/^ *static let version = "\(.*\)"/\1/p' Sources/Appliance/TappassCommand.swift)
revision=${REVISION:-1}
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo " (with uncommitted changes)" || true)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}

# Path prefixes out of the binary, so two checkouts of one commit build the same bytes.
swift build -c release --product tappass --static-swift-stdlib \
    -Xswiftc -file-prefix-map -Xswiftc "$PWD=/usr/src/$package" \
    -Xcc -ffile-prefix-map="$PWD=/usr/src/$package" >&2
binary=.build/release/tappass

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
umask 022
root=$stage/root
doc=$root/usr/share/doc/$package
install -d "$root/DEBIAN" "$root/usr/bin" "$root/lib/systemd/system" "$root/etc/tappass" "$doc" \
    "$root/usr/share/man/man1" "$root/usr/share/lintian/overrides"
install -m 0755 "$binary" "$root/usr/bin/tappass"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/tappass"
install -m 0644 systemd/tappass-appliance.service "$root/lib/systemd/system/tappass-appliance.service"
install -m 0644 packaging/appliance.yaml "$root/etc/tappass/appliance.yaml"
"$binary" policy show --default > "$root/etc/tappass/policy.yaml"
chmod 0644 "$root/etc/tappass/policy.yaml"
install -m 0644 packaging/debian/copyright "$doc/copyright"
gzip -9n -c packaging/debian/changelog > "$doc/changelog.Debian.gz"
gzip -9n -c README.md > "$doc/README.md.gz"
gzip -9n -c packaging/tappass.1 > "$root/usr/share/man/man1/tappass.1.gz"
install -m 0644 packaging/debian/lintian-overrides "$root/usr/share/lintian/overrides/$package"
# What this package was built from: the commit and every Swift package at its exact version.
{
    echo "source commit: $commit$dirty"
    echo "built with: $(swift --version 2>/dev/null | head -1)"
    echo "swift packages (exact versions, Package.swift):"
    python3 -c 'import json; d = json.load(open(".build/workspace-state.json"))
for p in sorted(d["object"]["dependencies"], key=lambda p: p["packageRef"]["identity"]):
    print("  %s %s" % (p["packageRef"]["identity"], p["state"].get("checkoutState", {}).get("version", "?")))'
} > "$doc/build-info.txt"
chmod 0644 "$doc"/* "$root"/usr/share/man/man1/*

for script in postinst prerm postrm; do install -m 0755 "packaging/debian/$script" "$root/DEBIAN/$script"; done
printf '%s\n' /etc/tappass/appliance.yaml /etc/tappass/policy.yaml > "$root/DEBIAN/conffiles"
chmod 0644 "$root/DEBIAN/conffiles"

# Depends from the libraries the binary really links.
shlib=$stage/shlibdeps
mkdir -p "$shlib/debian"
printf 'Source: %s\n\nPackage: %s\nArchitecture: amd64\n' "$package" "$package" > "$shlib/debian/control"
depends=$(cd "$shlib" && dpkg-shlibdeps -O "$root/usr/bin/tappass" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "dpkg-shlibdeps found no dependencies" >&2; exit 1; }

(cd "$root" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -print | sed 's|^\./||' | LC_ALL=C sort |
    xargs md5sum) > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums"
size=$(du -k -s --apparent-size --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version-$revision/" -e "s/@SIZE@/$size/" -e "s/@DEPENDS@/adduser, $depends/" \
    packaging/debian/control.in > "$root/DEBIAN/control"
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
deb=$out/${package}_${version}-${revision}_amd64.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >&2
echo "$deb"
