#!/usr/bin/env bash
# test_dump_cache.sh - unbound-control dump_cache / load_cache with blocked answers in the cache.
# The dump keeps no RRset key flag but the NSEC-apex one, so load_cache stores the module's
# null MX and SOA as plain RRsets of the name, and skips the messages that refer to them by
# their flagged keys. The blocked names stay blocked (the module answers them again, with the
# EDE and a hit each), and the loaded RRsets never stand in for the name's real data: not after
# the rule is deleted, not in the zone's SOA, not in an ANY answer built from the cache.
. "$(dirname "$0")/lib.sh"
: "${RRPOLICY_SO:?RRPOLICY_SO must name rrpolicy.so}"

sqlite3 "$RRPOLICY_DB" < "$REPO_ROOT/schema/schema.sql"
sql "UPDATE setting SET value = '200' WHERE key = 'poll_interval_ms';"
# a long negative TTL: the loaded RRsets outlive the test
sql "UPDATE setting SET value = '3600' WHERE key = 'negative_ttl';"
start_resolver "qname-minimisation: no"

add_rule R_MX "name, type, action" "'spammer.com', 'MX', 'nullmx'"
add_rule R_TXT "name, type, action" "'spammer.com', 'TXT', 'nodata'"
wait_log "loaded 2 rules" || die "the rules did not load"
check_eq "spammer.com MX: the null MX" "NOERROR spammer.com. IN MX 0 . " "$(answer spammer.com MX)"
out=$(q spammer.com TXT)
check_eq "spammer.com TXT: NODATA with the module's SOA" "NOERROR|$(soa spammer.com. 3600)" \
    "$(rcode_of "$out")|$(authority_of "$out")"

uctl dump_cache >"$T/cache.dump" || die "unbound-control dump_cache failed"
check "the dump holds the stored null MX" grep -q '^spammer\.com\.[[:space:]].*MX[[:space:]]*0 \.$' "$T/cache.dump"
check "... and the stored SOA" grep -q '^spammer\.com\.[[:space:]].*SOA[[:space:]]*localhost\. nobody\.invalid\.' "$T/cache.dump"

reload
check_eq "load_cache of the dump after a reload" ok "$(uctl load_cache <"$T/cache.dump" 2>&1)"

n_mx=$(wait_hits_of "$R_MX" 1)
n_txt=$(wait_hits_of "$R_TXT" 1)
out=$(q spammer.com MX)
check_eq "after load_cache: spammer.com MX is the null MX" "spammer.com. IN MX 0 ." "$(answer_of "$out")"
check_ede "... " "$out" 15 "$R_MX"
check_eq "... logged" $((n_mx + 1)) "$(wait_hits_of "$R_MX" $((n_mx + 1)))"
out=$(q spammer.com TXT)
check_eq "... spammer.com TXT is NODATA" "NOERROR|" "$(rcode_of "$out")|$(answer_of "$out")"
check_ede "... " "$out" 15 "$R_TXT"
check_eq "... logged" $((n_txt + 1)) "$(wait_hits_of "$R_TXT" $((n_txt + 1)))"

# no rule for ANY or SOA: the name's own data, never the module's
ZONE_SOA="NOERROR spammer.com. IN SOA ns1.spammer.com. hostmaster.spammer.com. 2024010101 3600 600 86400 300 "
out=$(q spammer.com ANY)
check_eq "spammer.com ANY: NOERROR" NOERROR "$(rcode_of "$out")"
check "... with records of the name (the absence below is of something)" \
    grep -q '^spammer\.com\. IN ' <<<"$(answer_of "$out")"
check_eq "... neither the null MX nor the module's SOA" "" \
    "$(answer_of "$out" | grep -E 'MX 0 \.$|localhost\.')"
check_eq "spammer.com SOA: the zone's own" \
    "$ZONE_SOA" \
    "$(answer spammer.com SOA)"
check_eq "... again, from the cache" \
    "$ZONE_SOA" \
    "$(answer spammer.com SOA)"

live sql "DELETE FROM policy WHERE id = $R_MX;"
check_eq "rule deleted: the real MX" \
    "$REAL_MX" \
    "$(answer spammer.com MX)"
check_eq "... again, from the cache" \
    "$REAL_MX" \
    "$(answer spammer.com MX)"
check "the resolver is still running" pid_running "$RESOLVER_PID"

finish
