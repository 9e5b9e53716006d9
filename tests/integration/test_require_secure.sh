#!/bin/bash
# test_require_secure.sh - the require-secure action against a real Unbound with the module and a
# DNSSEC-signed test zone (trust anchor in zones/trust-anchors.ds): the signed zone's MX passes
# with AD; the same name served unsigned (a second zone file swapped in) is bogus under the
# anchor, SERVFAIL for clients that set CD too (dnssec = 'bogus'); once the operator takes the
# zone out of DNSSEC (anchor removed, domain-insecure, reload) it answers SERVFAIL with EDE 17,
# every time, and its hits record dnssec = 'insecure'; an insecure answer cached before the rule
# is not served once the rule is committed (live).
# Needs RRPOLICY_SO (the module).
. "$(dirname "$0")/lib.sh"
top_srcdir=${top_srcdir:-$REPO_ROOT}

[ -n "${RRPOLICY_SO:-}" ] || die "RRPOLICY_SO is not set: this test needs the rrpolicy module"

S=signed.example.org
MX="$S. IN MX 10 mail.$S."

# hits_where COND: rows of table hit matching COND, after the writer had time to write them.
hits_where() {
    sleep 0.5
    sql "SELECT count(*) FROM hit WHERE $1;"
}

# refused_insecure DESC [dig options]: SERVFAIL with EDE 17 naming the rule, no answer.
refused_insecure() {
    local out
    out=$(q $S MX "$@")
    check_eq "$1: SERVFAIL" SERVFAIL "$(rcode_of "$out")"
    check_eq "$1: no answer" "" "$(answer_of "$out")"
    check_eq "$1: EDE 17" 17 "$(ede_of "$out")"
    check_eq "$1: EDE names the rule" "rrpolicy: rule $R_SEC" "$(ede_text_of "$out")"
}

# the test's own copy of the zones: the signed zone is swapped for its unsigned source below
mkdir -p "$T/zones" && cp "$ZONES_DIR"/*.zone "$T/zones/" || die "cannot copy the zones"
ZONES_DIR=$T/zones

sqlite3 "$RRPOLICY_DB" <"$top_srcdir/schema/schema.sql" || die "cannot create $RRPOLICY_DB"
sql "UPDATE setting SET value = '200' WHERE key = 'poll_interval_ms';"
add_rule R_SEC "name, type, action" "'$S', 'MX', 'require-secure'"
start_resolver "qname-minimisation: no"

# ---------------------------------------------------------------- signed: passes

for i in 1 2; do
    out=$(q $S MX +dnssec)
    check_eq "signed zone, try $i: NOERROR" NOERROR "$(rcode_of "$out")"
    check_eq "signed zone, try $i: the MX" "$MX" "$(answer_of "$out" | grep -v RRSIG)"
    check "signed zone, try $i: AD" has_flag ad "$out"
    check_eq "signed zone, try $i: no EDE" "" "$(ede_of "$out")"
done
check_eq "a secure answer is no hit" 0 "$(hits_where "policy_id = $R_SEC")"
# an unsigned CNAME into the signed zone: the answer is insecure, the MX RRset the rule covers
# is secure, and passes
out=$(q tosigned.alias.example.net MX +dnssec)
check_eq "unsigned CNAME to the signed name: NOERROR" NOERROR "$(rcode_of "$out")"
check_eq "... the CNAME and the MX" "$MX
tosigned.alias.example.net. IN CNAME $S." "$(answer_of "$out" | grep -v RRSIG)"
check "... no AD (the CNAME is not signed)" not has_flag ad "$out"
check_eq "... no EDE" "" "$(ede_of "$out")"
check_eq "... no hit" 0 "$(hits_where "policy_id = $R_SEC")"

# ---------------------------------------------------------------- unsigned under the anchor: bogus

cp "$REPO_ROOT/tests/integration/zones/$S.zone.in" "$T/zones/$S.zone" || die "cannot swap the zone"
restart_auth
uctl flush_zone $S >/dev/null
out=$(q $S MX)
check_eq "unsigned under the trust anchor (bogus): SERVFAIL" SERVFAIL "$(rcode_of "$out")"
refused_insecure "bogus, client sets CD" +cd
check_eq "hits with dnssec bogus: the validating query and the CD one" 2 \
    "$(settled sql "SELECT count(*) FROM hit WHERE policy_id = $R_SEC AND dnssec = 'bogus';")"

# ---------------------------------------------------------------- unsigned, insecure: SERVFAIL

# the operator takes the zone out of DNSSEC: its anchor goes, domain-insecure, reload
grep -v "^$S\." "$TRUST_ANCHORS" >"$T/anchors.ds"
TRUST_ANCHORS=$T/anchors.ds
write_resolver_conf "qname-minimisation: no" "domain-insecure: $S"
reload
out=$(q $S A)
check_eq "insecure zone, no rule for A: answers" "NOERROR" "$(rcode_of "$out")"
check "insecure zone, no rule for A: no AD" not has_flag ad "$out"
refused_insecure "insecure zone, MX"
refused_insecure "insecure zone, MX, second time"
refused_insecure "insecure zone, MX over TCP" +tcp
check_eq "three hits, dnssec insecure, action require-secure, stage response" \
    "3|require-secure|response|insecure" \
    "$(settled sql "SELECT count(*), action, stage, dnssec FROM hit
                    WHERE policy_id = $R_SEC AND dnssec = 'insecure' GROUP BY action, stage, dnssec;")"

# ---------------------------------------------------------------- cached before the rule

live sql "UPDATE policy SET enabled = 0 WHERE id = $R_SEC;"
check_eq "rule disabled: the insecure MX answers (and is cached)" "NOERROR $MX " "$(answer $S MX)"
auth_mark
check_eq "... from the cache" "NOERROR $MX " "$(answer $S MX)"
check_eq "... the auth server was not asked" 0 "$(auth_count $S MX)"
live sql "UPDATE policy SET enabled = 1 WHERE id = $R_SEC;"
refused_insecure "rule enabled again (live): the cached insecure MX is not served"

finish
