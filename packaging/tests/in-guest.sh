#!/bin/bash
# Runs INSIDE a booted Debian 12 guest (systemd-nspawn, network off): installs the package with
# apt and drives it as an administrator would. Prints "PASS name" / "FAIL name" and measured
# figures ("MEASURE name value"); exit 0 iff every check passes.
# Usage: in-guest.sh DIR OUTDIR   (DIR holds the two .debs, v1 and v2, and dev-license.json)
set -u
dir=${1:?usage: in-guest.sh DIR OUTDIR}
out=${2:-/tmp/out}
mkdir -p "$out"
deb1=$(ls "$dir"/tappass-appliance_*-1_amd64.deb)
deb2=$(ls "$dir"/tappass-appliance_*-2_amd64.deb)
unit=tappass-appliance.service
fails=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }
measure() { echo "MEASURE $1 $2"; }
api() { curl -sk --max-time 20 "$@"; }
wait_active() {
    for _ in $(seq 1 150); do systemctl -q is-active "$unit" && return 0; sleep 0.1; done
    return 1
}
main_pid() { systemctl show -p MainPID --value "$unit"; }
monotonic() { systemctl show -p "$1" --value "$unit"; }

echo "== install with apt, no network"
ip -o link | grep -v ' lo:' | grep -q 'state UP' && echo "note: a network interface is up"
check no-network sh -c '! curl -s --max-time 3 http://deb.debian.org >/dev/null 2>&1'
DEBIAN_FRONTEND=noninteractive apt-get install -y "$deb1" > "$out/apt-install.log" 2>&1
check apt-install [ $? = 0 ]
check user-created getent passwd tappass
check unit-enabled systemctl -q is-enabled "$unit"
check tls-key-mode [ "$(stat -c '%a %U %G' /etc/tappass/tls/key.pem)" = "640 root tappass" ]
check active-through-ready wait_active
systemctl show "$unit" -p Type,NotifyAccess,WatchdogUSec,StatusText,NRestarts,Result > "$out/show.txt"
cat "$out/show.txt"
check status-line grep -qE '^StatusText=serving 1 model, 1/1 hosts healthy, license: evaluation, [0-9]+ days left' "$out/show.txt"
start=$(monotonic ExecMainStartTimestampMonotonic)
ready=$(monotonic ActiveEnterTimestampMonotonic)
measure exec-to-ready-ms "$(( (ready - start) / 1000 ))"
check exec-to-ready-under-1s [ $(( ready - start )) -lt 1000000 ]

echo "== TLS, readiness and a governed completion"
check readyz sh -c "curl -sk --max-time 5 https://127.0.0.1:8443/readyz | grep -q '\"ready\"'"
key=$(tappass keys create --user alice --team eng)
check key-created [ -n "$key" ]
answer=$(api https://127.0.0.1:8443/v1/chat/completions -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    -d '{"model":"echo","messages":[{"role":"user","content":"mail jan.peeters@acme.be the key ghp_0123456789abcdefghijABCDEFGHIJ012345"}]}')
echo "answer: $answer"
check completion-redacted sh -c "echo '$answer' | grep -q 'REDACTED:github_token_1' && ! echo '$answer' | grep -q ghp_0123"
sleep 1
journalctl -u "$unit" -o json --no-pager > "$out/journal.json"
check journal-fields sh -c "grep '\"TAPPASS_REQUEST_ID\"' '$out/journal.json' | grep '\"TAPPASS_USER\":\"alice\"' | grep '\"TAPPASS_MODEL\":\"echo\"' | grep '\"TAPPASS_VERDICT\":\"redact\"' | grep -q '\"TAPPASS_STATUS\":\"200\"'"
check journal-no-secret sh -c "! grep -q ghp_0123 '$out/journal.json'"
pid=$(main_pid)
rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
measure idle-rss-kb "$rss"
grep -E '^(Uid|NoNewPrivs|Seccomp|CapBnd)' "/proc/$pid/status" > "$out/proc-status.txt"
check seccomp-on grep -qE '^Seccomp:\s+2' "$out/proc-status.txt"
check capbnd-empty grep -qE '^CapBnd:\s+0+$' "$out/proc-status.txt"
systemd-analyze security "$unit" --no-pager > "$out/security.txt" 2>&1
exposure=$(grep -oE 'Overall exposure level for [^:]+: [0-9.]+' "$out/security.txt" | awk '{print $NF}')
measure exposure "$exposure"
check exposure-at-most-1.5 awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 1.5) }'

echo "== systemctl reload during a streaming request"
words=$(python3 -c 'print(" ".join("word%d" % i for i in range(150)))')
api -N https://127.0.0.1:8443/v1/chat/completions -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    -d "{\"model\":\"echo\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"$words\"}]}" > "$out/stream.txt" &
stream=$!
sleep 1
systemctl reload "$unit"
check reload-ok [ $? = 0 ]
wait $stream
check stream-complete sh -c "grep -q 'word149' '$out/stream.txt' && grep -q 'data: \[DONE\]' '$out/stream.txt'"
check still-active-after-reload systemctl -q is-active "$unit"
check reload-notified sh -c "journalctl -u $unit --no-pager | grep -q 'Reloading\|reload'"

echo "== systemctl stop during a streaming request drains it, exits 0, warns of nothing"
api -N https://127.0.0.1:8443/v1/chat/completions -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    -d "{\"model\":\"echo\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"$words\"}]}" > "$out/stream-stop.txt" &
stream=$!
sleep 1
systemctl stop "$unit"
wait $stream
check stop-drains-stream sh -c "grep -q 'word149' '$out/stream-stop.txt' && grep -q 'data: \[DONE\]' '$out/stream-stop.txt'"
check clean-exit [ "$(systemctl show -p ExecMainStatus --value "$unit")" = 0 ]
journalctl -u "$unit" -p warning -o cat --no-pager > "$out/warnings.txt"
check no-warnings-so-far sh -c "! grep -q . '$out/warnings.txt'"
cat "$out/warnings.txt"
systemctl start "$unit"
wait_active

echo "== a broken configuration at reload keeps the running one"
cp /etc/tappass/appliance.yaml "$out/appliance.yaml.good"
printf 'listen:\n  port: [8443\n' >> /etc/tappass/appliance.yaml
systemctl reload "$unit"
sleep 1
check active-after-bad-reload systemctl -q is-active "$unit"
check bad-reload-reported sh -c "journalctl -u $unit -o json --no-pager | grep 'configuration rejected' | grep -q 'appliance.yaml'"
check still-serving sh -c "curl -sk --max-time 5 https://127.0.0.1:8443/readyz | grep -q '\"ready\"'"
cp "$out/appliance.yaml.good" /etc/tappass/appliance.yaml

echo "== licensing as an administrator, refused to others"
adduser --quiet --disabled-password --gecos '' admin1 >/dev/null
adduser --quiet admin1 tappass >/dev/null
adduser --quiet --disabled-password --gecos '' plain >/dev/null
check admin-license-request runuser -u admin1 -- tappass license request --output /tmp/request-admin.json
check plain-license-request-refused sh -c '! runuser -u plain -- tappass license request --output /tmp/request-plain.json'
cp "$dir/dev-license.json" /tmp/dev-license.json
chmod 0644 /tmp/dev-license.json
runuser -u admin1 -- tappass license activate /tmp/dev-license.json > "$out/activate-admin.txt" 2>&1
rc=$?
cat "$out/activate-admin.txt"
check release-refuses-development-key sh -c "[ $rc = 2 ] && grep -q unknown_key '$out/activate-admin.txt'"
check plain-activate-refused sh -c '! runuser -u plain -- tappass license activate /tmp/dev-license.json'

echo "== a signed policy bundle imported into the running service under the hardened unit"
work=$(mktemp -d)
mkdir "$work/src"
printf 'version: 1\nname: guest-bundle\nactions:\n  secret: block\n' > "$work/src/policy.yaml"
tappass policy keygen --out "$work/signer" > /dev/null
tappass policy build "$work/src" --org guest --bundle-version 1 -o "$work/b1.tpb" > /dev/null
tappass policy sign "$work/b1.tpb" --key "$work/signer" > /dev/null
check bundle-trust-pinned tappass policy trust add "$work/signer.pub" --org guest
tappass policy import "$work/b1.tpb" > "$out/bundle-import.txt" 2>&1
check bundle-imported grep -q 'imported: bundle version 1 for guest is in force' "$out/bundle-import.txt"
check bundle-in-force sh -c "tappass policy show | grep -q \"'guest-bundle' from signed bundle version 1\""
check bundle-installed [ "$(readlink /var/lib/tappass/policy/current)" = versions/1 ]
check bundle-reimport-unchanged sh -c "tappass policy import '$work/b1.tpb' | grep -q unchanged"
systemctl restart "$unit"
wait_active
check bundle-kept-across-restart sh -c "tappass policy show | grep -q 'signed bundle version 1'"

echo "== watchdog: a hung serving path is restarted"
mkdir -p "/etc/systemd/system/$unit.d"
printf '[Service]\nWatchdogSec=3\nTimeoutAbortSec=5\n' > "/etc/systemd/system/$unit.d/watchdog-test.conf"
systemctl daemon-reload
systemctl restart "$unit"
wait_active
before=$(systemctl show -p NRestarts --value "$unit")
old=$(main_pid)
kill -STOP "$old"
restarted=no
t_stop=$EPOCHREALTIME
for _ in $(seq 1 300); do
    now=$(main_pid)
    if [ "$now" != "$old" ] && [ "$now" != 0 ] && systemctl -q is-active "$unit"; then restarted=yes; break; fi
    sleep 0.1
done
check watchdog-restart [ "$restarted" = yes ]
measure watchdog-stop-to-restart-s "$(awk -v a="$t_stop" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}')"
check watchdog-result sh -c "journalctl -u $unit --no-pager | grep -q 'Watchdog timeout\|watchdog'"
check nrestarts-grew [ "$(systemctl show -p NRestarts --value "$unit")" -gt "$before" ]
rm -r "/etc/systemd/system/$unit.d"
systemctl daemon-reload
systemctl restart "$unit"
wait_active

echo "== a broken configuration at start fails the unit, naming the file, line and key"
printf 'listen:\n  port: seventy\n' > /etc/tappass/appliance.yaml
systemctl restart "$unit"
sleep 2
systemctl status "$unit" --no-pager -n 20 > "$out/status-broken.txt" 2>&1
cat "$out/status-broken.txt" | tail -5
check failed-not-looping sh -c "systemctl -q is-failed $unit && [ \$(systemctl show -p NRestarts --value $unit) -lt 2 ]"
check status-names-file-and-key grep -q 'appliance.yaml.*port' "$out/status-broken.txt"
cp "$out/appliance.yaml.good" /etc/tappass/appliance.yaml
systemctl reset-failed "$unit"
systemctl start "$unit"
wait_active

echo "== upgrade keeps configuration edits, keys, license state and the audit log"
sed -i 's/^log_level: info/log_level: notice/' /etc/tappass/appliance.yaml
echo "# edited by the customer" >> /etc/tappass/appliance.yaml
DEBIAN_FRONTEND=noninteractive apt-get install -y "$deb2" > "$out/apt-upgrade.log" 2>&1
check apt-upgrade [ $? = 0 ]
check upgraded-version sh -c "dpkg-query -W -f='\${Version}' tappass-appliance | grep -q -- '-2$'"
check config-edit-kept grep -q '# edited by the customer' /etc/tappass/appliance.yaml
check active-after-upgrade wait_active
code=$(api -o /dev/null -w '%{http_code}' https://127.0.0.1:8443/v1/models -H "Authorization: Bearer $key")
check key-still-valid [ "$code" = 200 ]
tappass audit verify > "$out/audit-verify.txt" 2>&1
check audit-verify-ok grep -q '^OK' "$out/audit-verify.txt"
cat "$out/audit-verify.txt"

echo "== remove, then purge"
DEBIAN_FRONTEND=noninteractive apt-get remove -y tappass-appliance > "$out/apt-remove.log" 2>&1
check removed-stopped sh -c "! systemctl -q is-active $unit"
check state-kept-on-remove [ -d /var/lib/tappass ]
DEBIAN_FRONTEND=noninteractive apt-get purge -y tappass-appliance > "$out/apt-purge.log" 2>&1
check purge-removes-state [ ! -e /var/lib/tappass ]
check purge-removes-config [ ! -e /etc/tappass ]
check user-stays getent passwd tappass

measure thread-priority-refusals "$(journalctl -u "$unit" --no-pager | grep -c 'Failed to set thread priority')"
echo "RESULT: $fails failed"
exit $((fails > 0))
