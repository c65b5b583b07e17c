#!/usr/bin/env bash
# Does what a stranger does: clones this repository's committed HEAD into an empty temporary folder, with
# no shared/ or anything else beside it, runs the README's commands there (npm ci, then npm test), and
# compares the users (/etc/passwd), groups (/etc/group) and the temporary folder with what they were
# before. Prints every difference and exits 1 on one, or when npm test fails.
# Usage: bash test/stranger.sh    (as root, for the Samba suites; other runs on the machine at the same
# time, e.g. from other clones, can show up as differences: they are named, so they can be told apart)
set -uo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=${TMPDIR:-/tmp}

state=$(mktemp -d) || exit 1
work=$(mktemp -d) || exit 1
ignore="^($(basename "$state")|$(basename "$work"))$"   # this script's own two folders
snapshot() {
  getent passwd | cut -d: -f1,3 | sort >"$state/$1.passwd"
  getent group | cut -d: -f1,3,4 | sort >"$state/$1.group"
  ls -A "$tmp" | grep -vE "$ignore" | sort >"$state/$1.tmp"
}
snapshot before

git clone -q "$src" "$work/pchat-topology" || exit 1
cd "$work/pchat-topology" || exit 1
echo "stranger: $(git log --oneline -1) cloned into $work/pchat-topology"
# From npm's cache when it has every package (no network needed), else from the registry.
if ! { npm ci --offline --no-audit --no-fund || npm ci --no-audit --no-fund; } >"$state/npm-ci.log" 2>&1; then
  echo "stranger: npm ci failed:"; tail -n 20 "$state/npm-ci.log"; status=1
else
  npm test
  status=$?
  echo "stranger: npm test exited $status"
fi
cd / && rm -rf "$work"

snapshot after
differences=0
for what in passwd group tmp; do
  if ! diff -q "$state/before.$what" "$state/after.$what" >/dev/null; then
    differences=1
    case $what in
      passwd) label="users (/etc/passwd)" ;;
      group) label="groups (/etc/group)" ;;
      tmp) label="the temporary folder ($tmp)" ;;
    esac
    echo "stranger: $label differ (< before, > after):"
    diff "$state/before.$what" "$state/after.$what" | grep '^[<>]' | sed 's/^/    /'
  fi
done
rm -rf "$state"
if [ $differences -eq 0 ]; then
  echo "stranger: /etc/passwd, /etc/group and $tmp are as they were"
else
  status=1
fi
exit "$status"
