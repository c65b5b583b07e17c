#!/usr/bin/env bash
# npm test's set-up, on Debian or Ubuntu as root: installs what the Samba and publish tests need when it is
# missing (Samba's smbd and client tools, openssl for the TDS peer's certificate) and adds the loopback test
# host names to /etc/hosts (add-test-hosts.sh: idempotent, between marker lines, left in place afterwards).
# What it cannot do it says; the tests that need it then skip with the reason (in CI they fail).
# It never fails the run itself.
set -u
cd "$(dirname "$0")/../.."
say() { echo "npm test set-up: $*"; }
if [ "${PCHAT_TEST_SETUP:-1}" = 0 ]; then
  say "skipped (PCHAT_TEST_SETUP=0): nothing installed, /etc/hosts untouched"
  exit 0
fi
root=0
[ "$(id -u)" -eq 0 ] && root=1

missing=()
for tool in smbd smbclient smbcacls rpcclient net pdbedit smbpasswd openssl; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ $root -ne 1 ]; then
    say "${missing[*]} missing and not root: not installing them (as root: apt-get install samba smbclient samba-common-bin openssl)"
  elif ! command -v apt-get >/dev/null 2>&1; then
    say "${missing[*]} missing and no apt-get here: install Samba's smbd, smbclient, smbcacls, rpcclient, net and openssl"
  else
    say "installing samba smbclient samba-common-bin openssl (missing: ${missing[*]})"
    # Keep the packages from starting a system smbd/nmbd: it would hold port 445 on every address,
    # where the tests run their own. Only a policy-rc.d of our own is made, and removed.
    policy=/usr/sbin/policy-rc.d
    own_policy=0
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\n# npm test set-up (pchat-topology): no daemon starts during its install\nexit 101\n' >"$policy" && chmod 755 "$policy" && own_policy=1
    fi
    log=$(mktemp)
    if ! { DEBIAN_FRONTEND=noninteractive timeout 600 apt-get update -qq && DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq samba smbclient samba-common-bin openssl; } >"$log" 2>&1; then
      say "the install failed; the tests that need Samba will be skipped. apt-get said:"
      tail -n 5 "$log" | sed 's/^/    /'
    fi
    rm -f "$log"
    [ $own_policy -eq 1 ] && rm -f "$policy"
    # Where no policy-rc.d is honoured (systemd): stop what the packages started.
    for s in smbd nmbd samba-ad-dc; do
      { systemctl stop "$s" || service "$s" stop; } >/dev/null 2>&1 || true
    done
  fi
fi

if ! grep -qF '# pchat-topology test hosts' /etc/hosts 2>/dev/null; then
  if [ $root -eq 1 ] && bash test/support/add-test-hosts.sh; then
    say "added the loopback test host names (fsNN, sqlNN, poolNN, chatNN, fe01, fepool .pchat.test) to /etc/hosts; they stay"
  else
    say "cannot add the loopback test host names to /etc/hosts (as root: bash test/support/add-test-hosts.sh)"
  fi
fi
exit 0
