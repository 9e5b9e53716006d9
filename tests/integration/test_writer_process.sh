#!/usr/bin/env bash
# test_writer_process.sh - the hit log's writer is a process of its own, so
# that Unbound's process has no thread of the module's when polling is off
# (a second thread makes glibc wrap each query's system calls; see
# module/hitlog.c): with poll_interval_ms = 0 Unbound runs one thread and its
# one child, rrpolicy-hits, writes every hit. Unbound's signals do not end
# the writer; unbound-control reload replaces it; hit_log = 0 leaves none;
# when Unbound is killed the writer writes what was queued and exits, and
# when Unbound stops none is left.
. "$(dirname "$0")/lib.sh"
: "${RRPOLICY_SO:?RRPOLICY_SO must name rrpolicy.so}"

# children PID: the child processes of PID
children() { cat /proc/"$1"/task/*/children 2>/dev/null | xargs; }
# threads PID: the threads of PID
threads() { ls /proc/"$1"/task | wc -l; }
# wait_gone PID: wait up to 5 s for PID to end (pid_running: a zombie has ended, since this
# container's init may not reap orphans)
wait_gone() { for _ in $(seq 50); do pid_running "$1" || return 0; sleep 0.1; done; not pid_running "$1"; }

sqlite3 "$RRPOLICY_DB" < "$REPO_ROOT/schema/schema.sql"
sql "UPDATE setting SET value = '0' WHERE key = 'poll_interval_ms';"
add_rule R_MX "name, type, action" "'spammer.com', 'MX', 'nullmx'"
start_resolver
wait_log "loaded 1 rules" || die "the rule did not load"

writer=$(children "$RESOLVER_PID")
check_eq "polling off: Unbound's process runs one thread" 1 "$(threads "$RESOLVER_PID")"
check "... and has one child process" test -n "$writer" -a "$writer" = "${writer%% *}"
check_eq "... the hit writer" rrpolicy-hits "$(cat /proc/"$writer"/comm 2>/dev/null)"
q spammer.com MX >/dev/null
check_eq "a blocked query's hit is written" 1 "$(wait_hits_of "$R_MX" 1)"

kill -TERM "$writer"; kill -HUP "$writer"; kill -INT "$writer"
sleep 0.5
check "SIGTERM, SIGHUP and SIGINT (Unbound's to handle) do not end the writer" pid_running "$writer"
q spammer.com MX >/dev/null
check_eq "... which writes the next hit" 2 "$(wait_hits_of "$R_MX" 2)"

reload
check "unbound-control reload: the writer ends" wait_gone "$writer"
old=$writer
writer=$(children "$RESOLVER_PID")
check "... another starts" test -n "$writer" -a "$writer" != "$old"
check_eq "... the process still runs one thread" 1 "$(threads "$RESOLVER_PID")"
q spammer.com MX >/dev/null
check_eq "... and the next hit is written" 3 "$(wait_hits_of "$R_MX" 3)"

# Unbound killed: the writer sees that its parent is gone, writes what was queued and exits
for i in $(seq 20); do echo "spammer.com MX"; done >"$T/burst.q"
dig @127.0.0.1 -p "$RESOLVER_PORT" +tries=1 +time=2 -f "$T/burst.q" >/dev/null
kill -KILL "$RESOLVER_PID"
wait "$RESOLVER_PID" 2>/dev/null
check "Unbound killed: the writer ends within 5 s" wait_gone "$writer"
check_eq "... after it wrote every hit queued" 23 "$(hits_of "$R_MX")"
RESOLVER_PID=""

sql "UPDATE setting SET value = '0' WHERE key = 'hit_log';"
start_resolver
check_eq "hit_log = 0: no writer process" "" "$(children "$RESOLVER_PID")"
sql "UPDATE setting SET value = '1' WHERE key = 'hit_log';"
reload
writer=$(children "$RESOLVER_PID")
check "hit_log = 1 again, after a reload: a writer" test -n "$writer"
pid=$RESOLVER_PID
stop_resolver
check "Unbound stopped: its writer is gone too" wait_gone "$writer"
check "... and Unbound's process" not pid_running "$pid"
finish
