#!/bin/bash
# content-load.sh - load time and memory of target and answer-ip rules in a real Unbound:
# the module loads N answer-ip rules (90% IPv4 /32 and /24, 10% IPv6 /64 and /128), then N target
# rules (MX exchanges under N provider names), then both, from SQLite; the figures are the
# module's own load time (its log line) and the resolver's RSS against the same Unbound with
# an empty policy. Also times the INSERT of the rows through the schema's triggers.
# Usage: tests/bench/content-load.sh [N]   (default 1000000). Not a test: asserts nothing.
# Needs RRPOLICY_SO (defaults to the built module/.libs/rrpolicy.so).
. "$(dirname "$0")/../integration/lib.sh"
N=${1:-1000000}
RRPOLICY_SO=${RRPOLICY_SO:-$REPO_ROOT/module/.libs/rrpolicy.so}

# rss_kb: the resolver's resident set, in kB.
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$RESOLVER_PID/status"; }

# load_line: the module's last "loaded ... in X ms" line.
load_ms() { grep -oE 'loaded [0-9]+ rules .* in [0-9.]+ ms' "$T/resolver.log" | tail -n 1 |
            sed -E 's/loaded ([0-9]+) rules .* in ([0-9.]+) ms/\1 rules in \2 ms/'; }

# measure LABEL: start the resolver on $RRPOLICY_DB, print the load and RSS, stop it.
measure() {
    start_resolver
    wait_log 'rrpolicy .*: loaded' 120 || die "no load line"
    printf '%-34s %-28s RSS %7d kB\n' "$1" "$(load_ms)" "$(rss_kb)"
    stop_resolver
}

# insert_rows SQL: time an INSERT ... SELECT through the triggers.
insert_rows() {
    local t0 t1
    t0=$(date +%s.%N)
    sql "$1"
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f s\n", b - a }'
}

sqlite3 "$RRPOLICY_DB" <"$REPO_ROOT/schema/schema.sql" || die "cannot create the database"
sql "UPDATE setting SET value = '0' WHERE key = 'hit_log';"
measure "empty policy"

IP4=$((N * 9 / 10))
printf 'insert %d answer-ip rules: ' "$N"
insert_rows "WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n + 1 < $N)
    INSERT INTO policy(name, type, trigger)
    SELECT CASE WHEN n < $IP4 AND n % 10 <> 0
                THEN (10 + n / 16777216) || '.' || (n / 65536 % 256) || '.' || (n / 256 % 256) || '.' || (n % 256)
                WHEN n < $IP4
                THEN (100 + n / 16777216) || '.' || (n / 65536 % 256) || '.' || (n / 256 % 256) || '.0/24'
                WHEN n % 2 = 0 THEN printf('2001:db8:%x:%x::/64', n / 65536 % 65536, n % 65536)
                ELSE printf('2001:db8:%x:%x::%x/128', n / 65536 % 65536, n % 65536, n % 97)
           END, '*', 'answer-ip' FROM i;"
measure "$N answer-ip rules"

sql "DELETE FROM policy;"
printf 'insert %d target rules: ' "$N"
insert_rows "WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n + 1 < $N)
    INSERT INTO policy(name, type, trigger)
    SELECT CASE WHEN n % 4 = 0 THEN '*.provider' || n || '.example'
                ELSE 'mx' || (n % 7) || '.provider' || n || '.example' END,
           CASE WHEN n % 3 = 0 THEN '*' ELSE 'MX' END, 'target' FROM i;"
measure "$N target rules"

printf 'insert %d answer-ip rules again: ' "$N"
insert_rows "WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n + 1 < $N)
    INSERT INTO policy(name, type, trigger)
    SELECT (10 + n / 16777216) || '.' || (n / 65536 % 256) || '.' || (n / 256 % 256) || '.' || (n % 256),
           'A', 'answer-ip' FROM i;"
measure "$N target + $N answer-ip rules"
