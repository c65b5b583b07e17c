#!/usr/bin/env bash
# Adds the loopback host names that the end-to-end tests and benchmarks use to /etc/hosts (idempotent).
# fsNN -> 127.0.0.2NN (Samba), sqlNN -> 127.0.0.1NN (TDS test peer), poolNN/chatNN -> 127.0.1.NN/127.0.2.NN.
set -euo pipefail
marker='# pchat-topology test hosts'
hosts=${HOSTS_FILE:-/etc/hosts}
grep -qF "$marker" "$hosts" 2>/dev/null && exit 0
{
  echo "$marker"
  for n in $(seq 1 40); do
    nn=$(printf '%02d' "$n")
    echo "127.0.0.$((200 + n)) fs$nn.pchat.test"
    echo "127.0.0.$((100 + n)) sql$nn.pchat.test"
    echo "127.0.1.$n pool$nn.pchat.test"
    echo "127.0.2.$n chat$nn.pchat.test"
  done
  echo "127.0.3.1 fe01.pchat.test fepool.pchat.test"
  echo "$marker end"
} >> "$hosts"
