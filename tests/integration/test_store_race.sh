#!/usr/bin/env bash
# test_store_race.sh - a rule deleted while a worker is between the lookup that
# found it and the store of its blocked answer in the message cache: the
# watcher's sweep may come before that store, and nothing would remove the
# answer but its TTL. gdb (non-stop: the other threads run on) holds the
# worker at answer_cache_store while the rule is deleted and the watcher has
# swapped and swept; then the blocked answer must not outlive its rule.
. "$(dirname "$0")/lib.sh"
: "${RRPOLICY_SO:?RRPOLICY_SO must name rrpolicy.so}"
command -v gdb >/dev/null || die "gdb is not installed"

sqlite3 "$RRPOLICY_DB" < "$REPO_ROOT/schema/schema.sql"
sql "UPDATE setting SET value = '200' WHERE key = 'poll_interval_ms';"
add_rule R_MX "name, type, action" "'spammer.com', 'MX', 'nullmx'"

# run by gdb each time the worker reaches answer_cache_store; acts the first time only
cat >"$T/race-hook.sh" <<HOOK
#!/bin/sh
[ -e "$T/race-hook.done" ] && exit 0
touch "$T/race-hook.done"
sqlite3 -cmd '.timeout 5000' "$RRPOLICY_DB" "DELETE FROM policy WHERE id = $R_MX;"
i=0
while [ \$i -lt 100 ] && ! grep -q 'loaded 0 rules' "$T/resolver.log"; do
    sleep 0.1
    i=\$((i + 1))
done
HOOK
gdb_hold answer_cache_store "sh $T/race-hook.sh" >"$T/race.gdb"
RESOLVER_WRAPPER="gdb -q -batch -x $T/race.gdb --args" START_SECONDS=60 \
    start_resolver "qname-minimisation: no"
wait_log "loaded 1 rules" || die "the rule did not load"

check_eq "spammer.com MX, looked up before the rule went: the null MX" \
    "NOERROR spammer.com. IN MX 0 . " "$(answer spammer.com MX)"
check "the rule was deleted, and the watcher swept, while the worker waited to store" \
    log_has "loaded 0 rules"
check_eq "the next query: the real MX, not the blocked answer stored after the sweep" \
    "$REAL_MX" "$(answer spammer.com MX)"
check_eq "... and the one after (from the cache)" "$REAL_MX" "$(answer spammer.com MX)"
check "the cache holds no null MX of the deleted rule (its RRset went with the message)" \
    not grep -qE 'MX[[:space:]]+0 \.$' <<<"$(uctl dump_cache)"

stop_held_resolver
finish
