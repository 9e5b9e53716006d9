#!/usr/bin/env bash
# test_reload_valgrind.sh - ten `unbound-control reload` in a row under
# valgrind: the module is unloaded and loaded again each time (its library is
# dlclose'd), its callbacks deleted and re-registered, its writer process
# stopped and forked anew. Valgrind must report no error and no leak from the
# module, in Unbound's process or in a writer's (they share the log file).
. "$(dirname "$0")/lib.sh"
: "${RRPOLICY_SO:?RRPOLICY_SO must name rrpolicy.so}"
command -v valgrind >/dev/null || die "valgrind is not installed"

sqlite3 "$RRPOLICY_DB" < "$REPO_ROOT/schema/schema.sql"
sqlite3 "$RRPOLICY_DB" "INSERT INTO policy(name, type) VALUES ('spammer.com', 'MX');
    INSERT INTO policy(name, type, action) VALUES ('*.example.com', 'TXT', 'nxdomain');
    INSERT INTO policy(name, type, action) VALUES ('nxdomain.com', 'A', 'log');"
# keep the library's symbols after dlclose so leak stacks name rrpolicy
export VALGRIND_OPTS=""
RESOLVER_WRAPPER="valgrind --leak-check=full --show-leak-kinds=definite,indirect
    --errors-for-leak-kinds=definite,indirect --keep-debuginfo=yes --num-callers=30
    --log-file=$T/valgrind.log" START_SECONDS=120 start_resolver

blocked_and_logged() {
    local out
    out=$(q spammer.com MX +tries=1 +time=15)
    [ "$(answer_of "$out")" = "spammer.com. IN MX 0 ." ] || return 1
    out=$(q a.example.com TXT +tries=1 +time=15)
    [ "$(rcode_of "$out")" = NXDOMAIN ] || return 1
    out=$(q nxdomain.com A +tries=1 +time=15)
    [ "$(rcode_of "$out")" = NOERROR ]
}
check "rules apply before the reloads" blocked_and_logged
for i in $(seq 10); do
    check "reload $i" uctl reload
    check "rules apply after reload $i" blocked_and_logged
done
check_eq "the module was loaded eleven times" 11 "$(grep -c 'rrpolicy [0-9.]*: loaded 3 rules' "$T/resolver.log")"
STOP_SECONDS=120 stop_resolver    # valgrind's leak check, on a loaded machine
check_eq "valgrind's summaries: Unbound's process and its eleven writers" 12 \
    "$(grep -c 'ERROR SUMMARY: ' "$T/valgrind.log")"
check "... none with an error" not grep -qE 'ERROR SUMMARY: [1-9]' "$T/valgrind.log"
check "no definite or indirect leak anywhere" not grep -qE '(definitely|indirectly) lost: [1-9]' "$T/valgrind.log"
check "no valgrind stack frame is in the module" not grep -qE '(at|by) 0x.*(rrpolicy|policy_|hitlog|response_|answer_)' "$T/valgrind.log"
check_eq "every hit was written across the reloads" 33 \
    "$(sqlite3 "$RRPOLICY_DB" 'SELECT count(*) FROM hit')"
finish
