#!/bin/bash
# Creates a Debian bookworm rootfs (adapted from the team testbed recipe; curl and libsqlite3-0
# added: the package test installs with no network, so its dependencies must be there) with systemd as init, usable by
# systemd-nspawn -b (and, with --kernel, by qemu via make-vm-image.sh).
# Usage: make-rootfs.sh DIR [--kernel] [--mirror URL] [--include pkg,pkg]
# The mirror defaults to the first Debian URI configured for apt on this host.
set -euo pipefail
dir=${1:?usage: make-rootfs.sh DIR [--kernel] [--mirror URL] [--include pkgs]}; shift
kernel=0; mirror=""; extra=""
while [ $# -gt 0 ]; do case $1 in
  --kernel) kernel=1;; --mirror) mirror=$2; shift;; --include) extra=",$2"; shift;;
  *) echo "unknown arg $1" >&2; exit 2;; esac; shift; done
if [ -z "$mirror" ]; then
  mirror=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v -- '-security' | head -1 || true)
  [ -n "$mirror" ] || mirror=$(grep -hsE '^deb\s' /etc/apt/sources.list | awk '{print $2}' | head -1 || true)
  [ -n "$mirror" ] || { echo "no Debian mirror configured for apt; pass --mirror URL" >&2; exit 2; }
fi
pkgs=systemd,systemd-sysv,dbus,adduser,procps,iproute2,python3,less,curl,ca-certificates,libsqlite3-0$extra
[ $kernel = 1 ] && pkgs=$pkgs,linux-image-amd64,initramfs-tools,zstd
echo "debootstrap bookworm -> $dir from $mirror (include: $pkgs)" >&2
start=$(date +%s)
debootstrap --variant=minbase --include="$pkgs" bookworm "$dir" "$mirror" >&2
cat > "$dir/etc/apt/sources.list" <<EOS
deb $mirror bookworm main
EOS
echo testbed > "$dir/etc/hostname"
# root without password on console (test guests only), no first-boot prompts
chroot "$dir" passwd -d root >/dev/null
rm -f "$dir/etc/machine-id"; : > "$dir/etc/machine-id"   # generated on each boot
# keep the journal small
mkdir -p "$dir/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=volatile\nRuntimeMaxUse=16M\n' > "$dir/etc/systemd/journald.conf.d/testbed.conf"
apt-get -o RootDir="$dir" clean 2>/dev/null || rm -f "$dir"/var/cache/apt/archives/*.deb
echo "rootfs ready in $(( $(date +%s) - start ))s: $(du -sh "$dir" | cut -f1)" >&2
