#!/usr/bin/env bash
# Runs independent lanes of checks side by side (each lane is a command, often `a && b`), prints
# each one's output in order, with how long it took, once all are done, and fails if any failed.
# CI has two cores and most checks are single-threaded node processes: the operating system shares
# the cores between the lanes, so neither waits while work remains.
#
#   bash scripts/parallel.sh "npx projen eslint" "npx projen check:api-docs"
set -uo pipefail
dir=$(mktemp -d "${TMPDIR:-/tmp}/parallel.XXXXXX")
pids=()
index=0
for command in "$@"; do
  (
    start=$SECONDS
    bash -c "$command" >"$dir/$index.log" 2>&1
    status=$?
    echo "$((SECONDS - start))" >"$dir/$index.seconds"
    exit "$status"
  ) &
  pids+=("$!")
  index=$((index + 1))
done
failed=0
index=0
for command in "$@"; do
  if wait "${pids[$index]}"; then status=ok; else status=FAILED; failed=$((failed + 1)); fi
  echo "── $command: $status in $(cat "$dir/$index.seconds" 2>/dev/null || echo '?') s"
  cat "$dir/$index.log"
  index=$((index + 1))
done
rm -rf "$dir"
exit "$failed"
