#!/usr/bin/env bash
# Accepts every received snapshot under tests/: renames each *.received.cs to *.verified.cs.
# Run it by hand after reviewing the received files (git diff shows what changes); CI never runs it.
set -euo pipefail
cd "$(dirname "$0")"
count=0
while IFS= read -r -d '' received; do
    verified="${received%.received.cs}.verified.cs"
    mv -f -- "$received" "$verified"
    echo "accepted ${verified#./}"
    count=$((count + 1))
done < <(find . -name '*.received.cs' -not -path '*/bin/*' -not -path '*/obj/*' -print0)
echo "$count snapshot(s) accepted"
