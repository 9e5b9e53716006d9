#!/bin/bash
# run.sh [TEST...] - run the integration tests (default: every test_*.sh here), one after another,
# and print the summed "total: N passed, M failed"; exits 1 if any test script failed.
cd "$(dirname "$0")" || exit 1
[ $# -gt 0 ] || set -- test_*.sh
passed=0 failed=0 bad=0
for t in "$@"; do
    echo "# ${t##*/}"
    out=$(bash "$t" 2>&1)
    rc=$?
    echo "$out"
    f=0
    last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' <<<"$out" | tail -n 1)
    if [ -n "$last" ]; then
        read -r p _ f _ <<<"$last"
        passed=$((passed + p)) failed=$((failed + f))
    fi
    if [ "$rc" -ne 0 ]; then
        bad=$((bad + 1))
        # a script that died before finish still counts as one failure
        [ "$f" -gt 0 ] || failed=$((failed + 1))
    fi
done
echo "total: $passed passed, $failed failed"
[ "$bad" -eq 0 ]
