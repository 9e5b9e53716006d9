#!/bin/sh
# run-tests.sh: everything `make check` runs, from a clean clone: installs the
# dependencies, provisions Unbound, builds with -Werror and runs the unit,
# schema and integration tests. Failed runs keep their logs (paths printed).
set -eu
case "${1:-}" in -h|--help) sed -n '2,/^set -eu/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;; esac
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
# Shell tests end with "N passed, M failed", Check suites with "Checks: N, Failures: F,
# Errors: E"; a program that failed without such a line (it could not run) counts as one failure.
counts() {
	grep -hE '^[0-9]+ passed, [0-9]+ failed' "$1" 2>/dev/null | tail -n 1
	grep -hoE 'Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$1" 2>/dev/null |
		tr -d ',' | awk '{print $2-$4-$6 " passed, " $4+$6 " failed"}'
}
total=$(for t in $(sed -n 's/^\(PASS\|FAIL\|XFAIL\|XPASS\|ERROR\): //p' build/check.log); do
	c=$(counts "$t.log")
	if [ -n "$c" ]; then echo "$c"
	elif grep -qE "^(FAIL|ERROR): $t\$" build/check.log; then echo "0 passed, 1 failed"
	fi
done | awk '{p+=$1; f+=$3} END {print p+0, f+0}')
echo "$total" | awk '{print $1 " passed, " $2 " failed"}'
exit $status
