#!/usr/bin/env bash
# Runs independent checks side by side (each is a single-threaded node process, and CI has two
# cores), prints each one's output in order once all are done, and fails if any failed.
#
#   bash scripts/parallel.sh "npx projen eslint" "npx projen check:api-docs"
set -uo pipefail
dir=$(mktemp -d "${TMPDIR:-/tmp}/parallel.XXXXXX")
pids=()
index=0
for command in "$@"; do
  bash -c "$command" >"$dir/$index.log" 2>&1 &
  pids+=("$!")
  index=$((index + 1))
done
failed=0
index=0
for command in "$@"; do
  if wait "${pids[$index]}"; then status=ok; else status=FAILED; failed=$((failed + 1)); fi
  echo "── $command: $status"
  cat "$dir/$index.log"
  index=$((index + 1))
done
rm -rf "$dir"
exit "$failed"
