#!/usr/bin/env bash
# Does what a stranger does: clones this repository's committed HEAD into an empty temporary folder, with
# no shared/ or anything else beside it, runs the README's commands there (npm ci, then npm test), and
# compares the users (/etc/passwd), groups (/etc/group), the temporary folder and the running processes
# with what they were before. Prints every difference; exits 1 on one, or when npm test fails.
# Usage: bash test/stranger.sh [-- <ava arguments, e.g. a few test files>]     (as root, for the Samba suites)
# Where it can (root, unshare), it runs in a mount namespace with a /tmp of its own, so that the temporary
# folder it compares holds only what this run made, not what other runs on the machine make meanwhile;
# /tmp/pchat-test-loopback, where all runs reserve their loopback addresses, stays shared.
# STRANGER_SHARED_TMP=1 compares the machine's /tmp instead.
set -uo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
[ "${1:-}" = -- ] && shift
locks=/tmp/pchat-test-loopback

if [ -z "${STRANGER_IN_NAMESPACE:-}" ] && [ "${STRANGER_SHARED_TMP:-0}" != 1 ] && unshare -m true 2>/dev/null; then
  export STRANGER_IN_NAMESPACE=1
  exec unshare -m --propagation private bash "$0" "$@"
fi
private_tmp=0
if [ -n "${STRANGER_IN_NAMESPACE:-}" ]; then
  made_locks=0
  [ -d "$locks" ] || { mkdir -p "$locks" && made_locks=1; }
  # The machine's lock folder and /tmp by descriptor: reachable once the private /tmp hides them (mount
  # would resolve the /proc/self/fd path to the private /tmp without --no-canonicalize).
  exec 8<"$locks" 9</tmp
  mount -t tmpfs -o mode=1777 pchat-stranger-tmp /tmp && mkdir "$locks" && mount --no-canonicalize --bind /proc/self/fd/8 "$locks" || exit 1
  private_tmp=1
fi
tmp=${TMPDIR:-/tmp}

state=$(mktemp -d) || exit 1
work=$(mktemp -d) || exit 1
chmod 755 "$work"   # as a folder in a home or /srv would be: the tests run some commands as nobody
ignore="^($(basename "$state")|$(basename "$work")|$(basename "$locks"))$"   # this script's own folders, the shared locks
snapshot() {
  getent passwd | cut -d: -f1,3 | sort >"$state/$1.passwd"
  getent group | cut -d: -f1,3,4 | sort >"$state/$1.group"
  ls -A "$tmp" | grep -vE "$ignore" | sort >"$state/$1.tmp"
}
snapshot before

git clone -q "$src" "$work/pchat-topology" || exit 1
cd "$work/pchat-topology" || exit 1
echo "stranger: $(git log --oneline -1) cloned into $work/pchat-topology$([ $private_tmp = 1 ] && echo ' (a /tmp of its own)')"
# From npm's cache when it has every package (no network needed), else from the registry.
if ! { npm ci --offline --no-audit --no-fund || npm ci --no-audit --no-fund; } >"$state/npm-ci.log" 2>&1; then
  echo "stranger: npm ci failed:"; tail -n 20 "$state/npm-ci.log"; status=1
else
  npm test -- "$@" 2>&1 | tee "$state/npm-test.log"
  status=${PIPESTATUS[0]}
  run_id=$(grep -oE '^npm test: run [a-z0-9]{5} ' "$state/npm-test.log" | head -n 1 | cut -d' ' -f4)
  echo "stranger: npm test exited $status"
fi
cd / || exit 1
left=$(pgrep -af -- "$work" | grep -v "^$$ " || true)
rm -rf "$work"

snapshot after
differences=0
if [ -n "$left" ]; then
  differences=1
  echo "stranger: processes still running from the clone:"; echo "$left" | sed 's/^/    /'
fi
# Accounts of another npm test run on this machine (pctest<its id>-*) are that run's, not this one's.
others='(?!)'   # this run's id unknown: every difference counts
[ -n "${run_id:-}" ] && others="pctest(?!${run_id}-)[a-z0-9]{5}-"
for what in passwd group; do
  mine=$(diff "$state/before.$what" "$state/after.$what" | grep '^[<>]' | grep -vP "^[<>] $others" || true)
  theirs=$(diff "$state/before.$what" "$state/after.$what" | grep '^[<>]' | grep -P "^[<>] $others" || true)
  [ -n "$theirs" ] && echo "stranger: other runs' test accounts came or went meanwhile (not this run's): $(echo "$theirs" | cut -c3- | cut -d: -f1 | sort -u | tr '\n' ' ')"
  printf '%s\n' "$mine" | sed '/^$/d' >"$state/diff.$what"
done
for what in passwd group tmp; do
  [ "$what" = tmp ] && diff "$state/before.tmp" "$state/after.tmp" | grep '^[<>]' >"$state/diff.tmp"
  if [ -s "$state/diff.$what" ]; then
    differences=1
    case $what in
      passwd) label="users (/etc/passwd)" ;;
      group) label="groups (/etc/group)" ;;
      tmp) label="the temporary folder ($tmp)" ;;
    esac
    echo "stranger: $label differ (< before, > after):"
    sed 's/^/    /' "$state/diff.$what"
  fi
done
rm -rf "$state"
if [ $private_tmp = 1 ]; then
  umount "$locks" && [ $made_locks = 1 ] && rmdir /proc/self/fd/9/pchat-test-loopback 2>/dev/null
fi
if [ $differences -eq 0 ]; then
  echo "stranger: no process left, and /etc/passwd, /etc/group and $tmp are as they were"
else
  status=1
fi
exit "$status"
