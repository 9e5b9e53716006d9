#!/usr/bin/env bash
# test_reload_window.sh - on `unbound-control reload`, Unbound frees its
# configuration (config_delete) and reads the new one before it stops the
# module (deinit, from the next modstack_setup): the watcher thread polls on
# meanwhile, and must not read the freed configuration. gdb (non-stop) holds
# the main thread at daemon_apply_cfg for 4 s while a stored answer's rule
# expires, which is when the watcher asks whether serve-expired is on.
# A read of freed memory shows only under AddressSanitizer: the test runs with
# a module built with --enable-sanitizers (libasan preloaded into Unbound) and
# is skipped otherwise.
: "${RRPOLICY_SO:?RRPOLICY_SO must name rrpolicy.so}"
if ! nm -D "$RRPOLICY_SO" 2>/dev/null | grep -q ' U __asan_init'; then
    echo "# SKIP: $RRPOLICY_SO is not built with --enable-sanitizers"
    exit 77
fi
. "$(dirname "$0")/lib.sh"
command -v gdb >/dev/null || die "gdb is not installed"
libasan=$(gcc -print-file-name=libasan.so)

sqlite3 "$RRPOLICY_DB" < "$REPO_ROOT/schema/schema.sql"
sql "UPDATE setting SET value = '200' WHERE key = 'poll_interval_ms';"
gdb_hold daemon_apply_cfg "touch $T/window.held; sleep 4" >"$T/window.gdb"
RESOLVER_WRAPPER="gdb -q -batch -x $T/window.gdb --args env LD_PRELOAD=$libasan
    ASAN_OPTIONS=detect_leaks=0:halt_on_error=1" START_SECONDS=60 \
    start_resolver "serve-expired: yes"
rm -f "$T/window.held"    # the start's own daemon_apply_cfg
e=$(( $(date +%s) + 2 ))
add_rule R_EXP "name, type, action, expires_at" "'spammer.com', 'MX', 'nullmx', datetime($e, 'unixepoch')"
wait_log "loaded 1 rules" || die "the rule did not load"
check_eq "the rule applies (and its answer is stored)" "NOERROR spammer.com. IN MX 0 . " \
    "$(answer spammer.com MX)"
uctl reload >/dev/null 2>&1 &
sleep 6
check "the reload was held at daemon_apply_cfg while the rule expired" test -e "$T/window.held"
check "no AddressSanitizer report (the watcher read no freed memory)" \
    not grep -q "ERROR: AddressSanitizer" "$T/resolver.out"
check "the resolver is still running" pid_running "$(cat "$T/resolver.pid")"
stop_held_resolver
finish
