#!/bin/sh
# run-tests.sh: everything `make check` runs, from a clean clone: installs the
# dependencies, provisions Unbound, builds with -Werror and runs the unit,
# schema and integration tests. Failed runs keep their logs (paths printed).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
contrib/build.sh --enable-werror
status=0
make check >build/check.log 2>&1 || status=$?
grep -E '^(PASS|FAIL|XFAIL|XPASS|ERROR|SKIP):' build/check.log || true
for log in $(grep -lE '^(not ok|FAIL)' tests/*/*.log 2>/dev/null); do
	echo "=== $log"; cat "$log"
done
sed -n '/^=*$/,$p' build/check.log | grep -E '^# (TOTAL|PASS|FAIL|ERROR)' || true
# shell tests end with "N passed, M failed"; Check suites with "Checks: N, Failures: F, Errors: E"
total=$( { grep -hE '^[0-9]+ passed, [0-9]+ failed' tests/*/*.log 2>/dev/null;
	grep -hoE 'Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' tests/*/*.log 2>/dev/null |
	tr -d ',' | awk '{print $2-$4-$6 " passed, " $4+$6 " failed"}'; } |
	awk '{p+=$1; f+=$3} END {print p+0, f+0}')
echo "$total" | awk '{print $1 " passed, " $2 " failed"}'
exit $status
