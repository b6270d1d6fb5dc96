#!/bin/bash
# Boots ROOTFS with systemd-nspawn -b (ephemeral: --volatile=overlay, base stays
# pristine), puts DIR's files and TESTSCRIPT in /testbed, runs TESTSCRIPT inside the booted
# system (as a transient unit via nsenter+systemd-run), powers off, reports. Adapted from the
# team testbed recipe (which took one .deb).
# Usage: nspawn-test.sh ROOTFS DIR TESTSCRIPT [OUTDIR]
#   TESTSCRIPT is called as: TESTSCRIPT /testbed /testbed-out
# Env: EXTRA_FILES="f1 f2" are copied next to the test script in the guest (/testbed/)
#      NSPAWN_ARGS="..." extra systemd-nspawn args (word-split), e.g. "--capability=CAP_BPF"
#      NSPAWN_BPF=1 (default) adds --capability=CAP_BPF,CAP_PERFMON --system-call-filter=bpf
#        so systemd in the guest can enforce IPAddressDeny=/DeviceAllow= (BPF); without
#        it those settings are silently NOT enforced.
#      NSPAWN_UNIFIED=1 (default) boots the guest with a pure cgroup2 layout.
#      BOOT_TIMEOUT=60, TEST_TIMEOUT=600
# Works without systemd as host PID 1 / without machined: --register=no --keep-unit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rootfs=$(cd "${1:?usage: nspawn-test.sh ROOTFS DIR TESTSCRIPT [OUTDIR]}" && pwd)
dir=$(readlink -f "${2:?DIR missing}")
test=$(readlink -f "${3:?TESTSCRIPT missing}")
outdir=${4:-$(mktemp -d /tmp/nspawn-out.XXXXXX)}; mkdir -p "$outdir"; outdir=$(cd "$outdir" && pwd)
machine=tb$$
share=$(mktemp -d /tmp/nspawn-share.XXXXXX)
cp -r "$dir"/. "$share/"
cp "$test" "$share/"
[ -n "${EXTRA_FILES:-}" ] && cp $EXTRA_FILES "$share/"; chmod -R a+rX "$share"
ts() { date +%s.%N; }
el() { awk -v a="$1" -v b="$(ts)" 'BEGIN{printf "%.2f", b-a}'; }

bpf_args=""
[ "${NSPAWN_BPF:-1}" = 1 ] && bpf_args="--capability=CAP_BPF,CAP_PERFMON --system-call-filter=bpf"
export SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=${NSPAWN_UNIFIED:-1}
t_boot=$(ts)
systemd-nspawn -D "$rootfs" --volatile=overlay -b --register=no --keep-unit \
  --console=pipe -M "$machine" $bpf_args ${NSPAWN_ARGS:-} --bind-ro="$share:/testbed" --bind="$outdir:/testbed-out" \
  < /dev/null > "$outdir/console.log" 2>&1 &
nspawn_pid=$!
cleanup() {
  if kill -0 "$nspawn_pid" 2>/dev/null; then
    [ -n "${leader:-}" ] && nsenter -t "$leader" -a systemctl poweroff >/dev/null 2>&1 || kill -TERM "$nspawn_pid"
    for i in $(seq 1 300); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$nspawn_pid" 2>/dev/null && { kill -TERM "$nspawn_pid"; sleep 1; kill -KILL "$nspawn_pid" 2>/dev/null || true; }
  fi
  wait "$nspawn_pid" 2>/dev/null || true
  rm -rf "$share" "/run/systemd/nspawn/propagate/$machine" 2>/dev/null || true
}
trap cleanup EXIT
# container PID 1 = child of the nspawn process
leader=""
for i in $(seq 1 $(( ${BOOT_TIMEOUT:-60} * 10 ))); do
  leader=$(ps -o pid= --ppid "$nspawn_pid" | head -1 | tr -d ' ' || true)
  [ -n "$leader" ] && [ "$(cat /proc/$leader/comm 2>/dev/null)" = systemd ] && break
  leader=""; kill -0 "$nspawn_pid" 2>/dev/null || { echo "nspawn exited early"; cat "$outdir/console.log"; exit 1; }
  sleep 0.1
done
[ -n "$leader" ] || { echo "no container init found"; exit 1; }
# wait for the manager's private bus socket before asking it anything
for i in $(seq 1 $(( ${BOOT_TIMEOUT:-60} * 10 ))); do
  [ -S "/proc/$leader/root/run/systemd/private" ] && break; sleep 0.1; done
state=$(timeout "${BOOT_TIMEOUT:-60}" nsenter -t "$leader" -a systemctl is-system-running --wait || true)
echo "BOOT: leader=$leader state=$state in $(el "$t_boot")s"
nsenter -t "$leader" -a systemd-analyze 2>/dev/null | head -1 || true
t_test=$(ts)
set +e
timeout "${TEST_TIMEOUT:-600}" nsenter -t "$leader" -a systemd-run --wait --pipe --quiet --collect \
  --unit=testbed-run -p StandardInput=null \
  /bin/bash "/testbed/$(basename "$test")" /testbed /testbed-out \
  2>&1 | tee "$outdir/test.log"
rc=${PIPESTATUS[0]}
set -e
echo "TEST: rc=$rc in $(el "$t_test")s"
nsenter -t "$leader" -a journalctl -b --no-pager -o short-monotonic > "$outdir/journal-full.txt" 2>&1 || true
t_off=$(ts)
nsenter -t "$leader" -a systemctl poweroff >/dev/null 2>&1 || true
for i in $(seq 1 300); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.1; done
echo "POWEROFF: $(el "$t_off")s  (outputs in $outdir)"
exit "$rc"
