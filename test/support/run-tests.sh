#!/usr/bin/env bash
# npm test: the set-up it can do (setup.sh), the build, ava on the compiled tests, a summary of what was
# skipped and why, and nothing left behind: the run has its own temporary folder (TMPDIR) and id
# (PCHAT_TEST_RUN_ID, in the names of the users and groups it makes), and cleanup-run.ts removes all of it
# at the end, also after a failure, Ctrl+C or SIGTERM. Arguments go to ava: npm test -- dist/test/unit/x.test.js
set -uo pipefail
cd "$(dirname "$0")/../.."

bash test/support/setup.sh

PCHAT_TEST_RUN_ID=$(LC_ALL=C tr -dc 'a-z0-9' </dev/urandom | head -c 5)
export PCHAT_TEST_RUN_ID
run_dir=
child=
cleanup() {
  trap '' INT TERM
  if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
    # The build or ava with its workers, one process group: interrupt it as Ctrl+C would, then kill it.
    kill -INT -- "-$child" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$child" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$child" 2>/dev/null
  fi
  [ -n "$run_dir" ] || return
  if [ -f dist/test/support/cleanup-run.js ]; then
    node dist/test/support/cleanup-run.js "$run_dir" "$PCHAT_TEST_RUN_ID"
  else
    rm -rf "$run_dir"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

run_dir=$(mktemp -d /tmp/pchat-test-run-XXXXXX) || exit 1
# Like /tmp itself: Samba serves shares from here to other accounts, and tests run commands as nobody.
chmod 1777 "$run_dir"
mkdir -m 1777 "$run_dir/tmp"
export TMPDIR=$run_dir/tmp
export PCHAT_TEST_SKIP_LOG=$run_dir/skipped
echo "npm test: run $PCHAT_TEST_RUN_ID (its users and groups: pctest$PCHAT_TEST_RUN_ID-*), temporary folder $run_dir"

# Runs a command in its own process group (set -m), so that the clean-up can stop it with everything it
# started; `wait` returns at once on a signal, so the traps run while it is still going.
in_group() {
  set -m
  "$@" &
  child=$!
  set +m
  wait "$child"
  local rc=$?
  child=
  return $rc
}

in_group node_modules/.bin/tsc -p . || exit $?
in_group node_modules/.bin/ava "$@"
status=$?

if [ -s "$PCHAT_TEST_SKIP_LOG" ]; then
  echo
  echo "Skipped suites, and why:"
  sort -u "$PCHAT_TEST_SKIP_LOG" | sed 's/^/  - /'
fi
exit "$status"
