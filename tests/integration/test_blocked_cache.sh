#!/usr/bin/env bash
# test_blocked_cache.sh - a blocked answer is stored in the message cache: the
# name's next queries are answered by Unbound's worker without a mesh state
# (unbound-control's cache hit counter moves, no upstream query), and each one
# still carries the EDE and is logged as a hit with the client's address.
# When the rule is deleted, changed, overridden by an exception, or the
# answer's settings change, the stored answer goes at once; a rule that
# expires takes its answer with it (the TTL is cut to the expiry; with serve-expired, the
# expiry removes it).
. "$(dirname "$0")/lib.sh"
: "${RRPOLICY_SO:?RRPOLICY_SO must name rrpolicy.so}"

sqlite3 "$RRPOLICY_DB" < "$REPO_ROOT/schema/schema.sql"
sql "UPDATE setting SET value = '200' WHERE key = 'poll_interval_ms';"
start_resolver "qname-minimisation: no" "extended-statistics: yes"

add_rule R_MX "name, type, action" "'spammer.com', 'MX', 'nullmx'"
add_rule R_STAR "name, type, action" "'*.spammer.com', '*', 'nxdomain'"
wait_log "loaded 2 rules" || die "the rules did not load"

# first query: the module answers, and stores the answer
auth_mark
out=$(q spammer.com MX)
check_eq "first spammer.com MX: the null MX" "spammer.com. IN MX 0 ." "$(answer_of "$out")"
check_eq "... with TTL negative_ttl" 60 "$(ttls_of ANSWER "$out")"
check_ede "... " "$out" 15 "$R_MX"
hits0=$(uctl_stat total.num.cachehits)
# the next ones: the worker answers from the cache
for i in 1 2 3 4 5; do
    out=$(q spammer.com MX +dnssec)
done
check_eq "five more queries: five cache hits" $((hits0 + 5)) "$(uctl_stat total.num.cachehits)"
check_eq "... the null MX" "spammer.com. IN MX 0 ." "$(answer_of "$out")"
check_ede "... from the cache" "$out" 15 "$R_MX"
check "... no AD bit, though the query had DO" not has_flag ad "$out"
check "... no AA bit" not has_flag aa "$out"
check_ttls "... TTL counts down from negative_ttl" 60 "$(ttls_of ANSWER "$out")"
check "the auth server never saw spammer.com MX" not auth_saw spammer.com MX
check_eq "six queries, six hits of the rule" 6 "$(wait_hits_of "$R_MX" 6)"
check_eq "... each with the client's address and the query stage" "6|127.0.0.1|query|nullmx" \
    "$(sql "SELECT count(*), client, stage, action FROM hit WHERE policy_id = $R_MX
            GROUP BY client, stage, action;")"
# the cache key has the CD bit: a CD query is blocked and stored on its own
out=$(q spammer.com MX +cd)
check_eq "CD query: the null MX" "spammer.com. IN MX 0 ." "$(answer_of "$out")"
out=$(q spammer.com MX +cd)
check_ede "CD query again, from the cache" "$out" 15 "$R_MX"
check_eq "... eight hits" 8 "$(wait_hits_of "$R_MX" 8)"
# the real MX is not touched: the stored RRset is another cache entry (its key has a flag)
check_eq "spammer.com A still resolves" "NOERROR spammer.com. IN A 192.0.2.10 " \
    "$(answer spammer.com A)"

# NXDOMAIN under a "*." rule: stored too, with its SOA
out=$(q www.spammer.com A)
check_eq "www.spammer.com A: NXDOMAIN" NXDOMAIN "$(rcode_of "$out")"
c0=$(uctl_stat total.num.cachehits)
out=$(q WWW.Spammer.COM A)
check_eq "... again, in other case: a cache hit" $((c0 + 1)) "$(uctl_stat total.num.cachehits)"
check_eq "... NXDOMAIN" NXDOMAIN "$(rcode_of "$out")"
# (Unbound writes owner names as pointers to the query name: the client's case)
check_eq "... the rule's SOA" "$(soa spammer.com.)" "$(authority_of "$out" | awk '{ $1 = tolower($1); print }')"
check_ede "... " "$out" 15 "$R_STAR"
check_eq "... two hits of the '*.' rule" 2 "$(wait_hits_of "$R_STAR" 2)"

check_eq "... with action nxdomain" "2|nxdomain" \
    "$(sql "SELECT count(*), action FROM hit WHERE policy_id = $R_STAR GROUP BY action;")"

# a rule id too large for the RRset key flags: the callback looks the rule up instead
sql "INSERT INTO policy(id, name, type, action) VALUES (70000000, 'nxdomain.com', 'A', 'nodata');"
wait_answer nxdomain.com A "NOERROR " || die "rule 70000000 did not apply"
n=$(wait_hits_of 70000000 1)
out=$(q nxdomain.com A)
check_ede "rule id 70000000, from the cache" "$out" 15 70000000
check_eq "... logged with its id and action" "$((n + 1))|nodata" \
    "$(wait_hits_of 70000000 $((n + 1)))|$(sql "SELECT DISTINCT action FROM hit WHERE policy_id = 70000000;")"
live sql "DELETE FROM policy WHERE id = 70000000;"
check_eq "... deleted: nxdomain.com A resolves" "NOERROR nxdomain.com. IN A 192.0.2.20 " \
    "$(answer nxdomain.com A)"

# an exception added under the "*." rule: its stored NXDOMAIN goes
live add_rule R_ALLOW "name, type, action" "'www.spammer.com', 'A', 'allow'"
check_eq "exception added: www.spammer.com A resolves at once" \
    "NOERROR www.spammer.com. IN A 192.0.2.11 " "$(answer www.spammer.com A)"

# the rule's action changed: the stored null MX goes
live sql "UPDATE policy SET action = 'nodata' WHERE id = $R_MX;"
out=$(q spammer.com MX)
check_eq "action changed to nodata: NODATA at once" "NOERROR||$(soa spammer.com.)" \
    "$(rcode_of "$out")|$(answer_of "$out")|$(authority_of "$out")"
out=$(q spammer.com MX)
check_eq "... and from the cache" "NOERROR||$(soa spammer.com.)" \
    "$(rcode_of "$out")|$(answer_of "$out")|$(authority_of "$out")"

# the answer's settings changed: every stored answer goes
live sql "UPDATE setting SET value = '120' WHERE key = 'negative_ttl';"
out=$(q spammer.com MX)
check_eq "negative_ttl changed to 120: the new SOA at once" "$(soa spammer.com. 120)" \
    "$(authority_of "$out")"
check_eq "... and TTL" 120 "$(ttls_of AUTHORITY "$out")"
out=$(q nope.spammer.com TXT)
check_eq "... under the '*.' rule too" "$(soa spammer.com. 120)" "$(authority_of "$out")"

# the rule deleted: the real MX at once, not the stored answer
live sql "DELETE FROM policy WHERE id = $R_MX;"
check_eq "rule deleted: the real MX at once" \
    "$REAL_MX" \
    "$(answer spammer.com MX)"
check "... fetched from the auth server" auth_saw spammer.com MX
check_eq "... the rule's hits so far all written: 6, 2 with CD and 3 since" 11 \
    "$(settled hits_of "$R_MX")"
n=$(hits_of "$R_MX")
answer spammer.com MX >/dev/null
sleep 0.5
check_eq "... and no longer logged" "$n" "$(hits_of "$R_MX")"

# every rule deleted (the table empty): the stored answers of the "*." rule go too
live sql "DELETE FROM policy;"
check_eq "every rule deleted: nope.spammer.com TXT is the zone's own NXDOMAIN" \
    "NXDOMAIN|spammer.com. IN SOA ns1.spammer.com. hostmaster.spammer.com. 2024010101 3600 600 86400 300" \
    "$(out=$(q nope.spammer.com TXT); echo "$(rcode_of "$out")|$(authority_of "$out")")"

# a rule that expires: the stored answer's TTL ends with it
exp=$(date -u -d '+20 seconds' '+%Y-%m-%d %H:%M:%S')
add_rule R_EXP "name, type, action, expires_at" "'nxdomain.com', 'MX', 'nullmx', '$exp'"
wait_answer nxdomain.com MX "NOERROR nxdomain.com. IN MX 0 . " || die "the expiring rule did not apply"
out=$(q nxdomain.com MX)
check "rule expiring in 20 s: the null MX's TTL is below 20" \
    awk '{ exit !($1 < 20 && $1 > 0) }' <<<"$(ttls_of ANSWER "$out")"

# ... and it is not served from the cache in the second of the expiry: Unbound serves an entry
# in the second its TTL ends, the rule no longer applies then
e=$(( $(date +%s) + 3 ))
add_rule R_EXP2 "name, type, action, expires_at" "'google.com', 'MX', 'nullmx', datetime($e, 'unixepoch')"
wait_answer google.com MX "NOERROR google.com. IN MX 0 . " || die "the rule expiring at $e did not apply"
while [ "$(date +%s)" -lt "$e" ]; do sleep 0.01; done
out=$(q google.com MX)
check_eq "in the second the rule expires (the query asked at $e, answered at $(date +%s)): the real MX" \
    "google.com. IN MX 10 aspmx.l.google.com." "$(answer_of "$out")"

# a reload: the callbacks are registered again, and stored answers work after it
add_rule R_TXT "name, type, action" "'spammer.com', 'TXT', 'nodata'"
wait_answer spammer.com TXT "NOERROR " || die "the TXT rule did not apply"
n=$(wait_hits_of "$R_TXT" 1)
sleep 0.5
n=$(hits_of "$R_TXT")
reload
answer spammer.com TXT >/dev/null
c0=$(uctl_stat total.num.cachehits)
out=$(q spammer.com TXT)
check_eq "after unbound-control reload: a cache hit" $((c0 + 1)) "$(uctl_stat total.num.cachehits)"
check_ede "... still with the EDE" "$out" 15 "$R_TXT"
check_eq "... and both queries since logged" $((n + 2)) "$(wait_hits_of "$R_TXT" $((n + 2)))"

# a rule id beyond what the key flags hold: the worker's cache callback looks the rule up
sql "INSERT INTO policy(id, name, type, action) VALUES (100000000, 'big.spammer.com', 'A', 'nodata');"
wait_answer big.spammer.com A "NOERROR " || die "the rule of id 100000000 did not apply"
n=$(wait_hits_of 100000000 1)
c0=$(uctl_stat total.num.cachehits)
out=$(q big.spammer.com A)
check_eq "id 100000000: a cache hit" $((c0 + 1)) "$(uctl_stat total.num.cachehits)"
check_ede "id 100000000 from the cache" "$out" 15 100000000
check_eq "... logged under its id" $((n + 1)) "$(wait_hits_of 100000000 $((n + 1)))"
check "the resolver is still running" pid_running "$RESOLVER_PID"

# serve-expired answers from expired entries: a stored blocked answer whose rule expired goes
# from the cache when the rule does (the expiry makes the module load again), not served stale
stop_resolver
start_resolver "qname-minimisation: no" "extended-statistics: yes" "serve-expired: yes"
exp=$(date -u -d '+4 seconds' '+%Y-%m-%d %H:%M:%S')
add_rule R_SE "name, type, action, expires_at" "'spammer.com', 'A', 'nodata', '$exp'"
wait_answer spammer.com A "NOERROR " || die "the expiring rule did not apply"
n=$(wait_hits_of "$R_SE" 1)
while [ "$(date -u '+%Y-%m-%d %H:%M:%S')" \< "$exp" ] || [ "$(date -u '+%Y-%m-%d %H:%M:%S')" = "$exp" ]; do
    sleep 0.2
done
sleep 1    # a poll of the watcher (200 ms), and its load
out=$(q spammer.com A)
check_eq "serve-expired, rule expired: the real answer" "spammer.com. IN A 192.0.2.10" \
    "$(answer_of "$out")"
check_eq "... without an EDE" "" "$(ede_of "$out")"
sleep 0.5
check_eq "... and no hit after the expiry" "$n" "$(hits_of "$R_SE")"

finish
