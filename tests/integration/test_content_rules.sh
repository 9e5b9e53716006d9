#!/bin/bash
# test_content_rules.sh - rules on what an answer contains, against a real Unbound with the
# module: 'target' rules match the target names inside MX, SRV, HTTPS and CNAME records (their
# 'block' removes only the matching records; a null MX or NODATA when none is left), 'answer-ip'
# rules match the addresses of A and AAAA records (their 'block' answers SERVFAIL with EDE 17),
# and the 'mailhost' scope limits an answer-ip rule to names seen as MX exchanges.
#
#   1. answers cached before the rules: removed from the cache when the rules apply (live);
#   2. target rules: mixed/bad-only MX, through a CNAME, in-zone exchanges with additional
#      data, SRV, HTTPS, CNAME; other domains and the shared mail host untouched; repeats;
#   3. answer-ip rules: IPv4 /24 in and out, an allow inside it, IPv6 /48 in and out; repeats;
#   4. mailhost scope: the same address answers normally until its name is an MX exchange;
#   5. DNSSEC: a target rule on a signed zone's MX: changed, never AD, hit.dnssec = 'secure';
#   6. the hit log: one row per answer, stage 'response', hit.dnssec; deleting a rule applies.
# Needs RRPOLICY_SO (the module).
. "$(dirname "$0")/lib.sh"
top_srcdir=${top_srcdir:-$REPO_ROOT}

[ -n "${RRPOLICY_SO:-}" ] || die "RRPOLICY_SO is not set: this test needs the rrpolicy module"


M=mailpath.example.net
GOOD="mixed.$M. IN MX 20 mx.good.$M."
GOOD_A="mx.good.$M. IN A 192.0.2.80"

# ---------------------------------------------------------------- 1. cached before the rules

sqlite3 "$RRPOLICY_DB" <"$top_srcdir/schema/schema.sql" || die "cannot create $RRPOLICY_DB"
sql "UPDATE setting SET value = '200' WHERE key = 'poll_interval_ms';"
start_resolver "qname-minimisation: no" "minimal-responses: no"
for n in "mixed MX" "badonly MX" "inzone MX" "in24 A" "in6 AAAA"; do
    set -- $n
    q "$1.$M" "$2" >/dev/null
done
auth_mark
check_eq "before the rules: mixed MX has both exchanges" "mixed.$M. IN MX 10 mx1.bulletproof.example.
$GOOD" "$(answer_of "$(q mixed.$M MX)")"
check_eq "before the rules: in24 A resolves" "NOERROR in24.$M. IN A 198.51.100.7 " "$(answer in24.$M A)"
check "before the rules: those answers came from the cache" \
    test "$(auth_count mixed.$M MX)$(auth_count in24.$M A)" = 00

add_rule R_MX "name, type, trigger" "'*.bulletproof.example', 'MX', 'target'"
add_rule R_BAD "name, type, trigger" "'bad.$M', 'MX', 'target'"
add_rule R_SRV "name, type, trigger" "'mx1.bulletproof.example', 'SRV', 'target'"
add_rule R_HTTPS "name, type, trigger" "'mx1.bulletproof.example', 'HTTPS', 'target'"
add_rule R_CNAME "name, type, trigger" "'www.bulletproof.example', 'CNAME', 'target'"
add_rule R_IP4 "name, type, trigger" "'198.51.100.0/24', '*', 'answer-ip'"
add_rule R_ALLOW "name, type, action, trigger" "'198.51.100.8', 'A', 'allow', 'answer-ip'"
add_rule R_IP6 "name, type, trigger" "'2001:db8:bad::/48', 'AAAA', 'answer-ip'"
add_rule R_MH "name, type, trigger, scope" "'192.0.2.200', 'A', 'answer-ip', 'mailhost'"
add_rule R_SMX "name, type, trigger" "'mail.signed.example.org', 'MX', 'target'"
add_rule R_SPAM "name, type" "'spammer.com', 'MX'"
# applied live: unbound-control reload would empty the cache
check "module loaded 11 rules (live)" wait_log "rrpolicy .*: loaded 11 rules .*cache: [1-9][0-9]* keys or entries removed"

# ---------------------------------------------------------------- 2. target rules

# mixed_ok DESC [dig options]: mixed MX keeps the good exchange only, EDE 17 names R_MX.
mixed_ok() {
    local desc=$1 out
    shift
    out=$(q mixed.$M MX "$@")
    check_eq "$desc: rcode" NOERROR "$(rcode_of "$out")"
    check_eq "$desc: only the good exchange" "$GOOD" "$(answer_of "$out")"
    check "$desc: no AD flag" not has_flag ad "$out"
    check_ede "$desc" "$out" 17 "$R_MX"
}
mixed_ok "mixed MX, cached before the rule"
mixed_ok "mixed MX, second time"
mixed_ok "mixed MX with CD" +cd
# QCLASS *: the iterator asks the class IN part in a sub-query without a client; the answer is
# filtered in the QCLASS * query, whose client gets the EDE and a hit
# q_any NAME TYPE: a QCLASS * query (dig takes the class after the type only)
q_any() {
    dig @127.0.0.1 -p "$RESOLVER_PORT" +tries=1 +time=2 "$1" "$2" -c ANY
}
out=$(q_any mixed.$M MX)
check_eq "mixed MX, QCLASS *: rcode" NOERROR "$(rcode_of "$out")"
check_eq "mixed MX, QCLASS *: only the good exchange" "$GOOD" "$(answer_of "$out")"
check_ede "mixed MX, QCLASS *" "$out" 17 "$R_MX"
out=$(q_any cname.$M MX)
check_eq "cname MX, QCLASS *: the CNAME, then the null MX of its target" "badonly.$M. IN MX 0 .
cname.$M. IN CNAME badonly.$M." "$(answer_of "$out")"
check_ede "cname MX, QCLASS *" "$out" 17 "$R_MX"
out=$(q badonly.$M MX)
check_eq "badonly MX: every exchange bad: the null MX" "badonly.$M. IN MX 0 ." "$(answer_of "$out")"
check_ede "badonly MX" "$out" 17 "$R_MX"
# (the auth server answers ANY with the MX RRset only, as Unbound's auth-zone does)
out=$(q_auth badonly.$M ANY)
check_eq "badonly ANY from the auth server: the MX RRset" "badonly.$M. IN MX 10 mx1.bulletproof.example.
badonly.$M. IN MX 20 mx2.bulletproof.example." "$(answer_of "$out")"
out=$(q badonly.$M ANY)
check_eq "badonly ANY: the MX RRset goes, no null MX is made up for an ANY answer" "NOERROR " \
    "$(rcode_of "$out") $(answer_of "$out")"
check_eq "badonly ANY: left with nothing, a NODATA with its SOA (RFC 2308)" "$(soa badonly.$M.)" \
    "$(authority_of "$out")"
check_ede "badonly ANY" "$out" 17 "$R_MX"
out=$(q cname.$M MX)
check_eq "cname MX: the CNAME, then the null MX of its target" "badonly.$M. IN MX 0 .
cname.$M. IN CNAME badonly.$M." "$(answer_of "$out")"
check_ede "cname MX" "$out" 17 "$R_MX"
out=$(q inzone.$M MX)
check_eq "inzone MX: the in-zone bad exchange goes" "inzone.$M. IN MX 20 mx.good.$M." "$(answer_of "$out")"
check_eq "inzone MX: ... and its address from the additional section" "$GOOD_A" "$(additional_of "$out")"
check_ede "inzone MX" "$out" 17 "$R_BAD"
check_eq "bad.$M A itself still resolves (a target rule matches targets only)" \
    "NOERROR bad.$M. IN A 192.0.2.90 " "$(answer bad.$M A)"
out=$(q _smtp._tcp.srv.$M SRV)
check_eq "SRV: only the good target" "_smtp._tcp.srv.$M. IN SRV 20 5 25 mx.good.$M." "$(answer_of "$out")"
check_ede "SRV" "$out" 17 "$R_SRV"
out=$(q svc.$M HTTPS)
check_eq "HTTPS with the bad TargetName: NODATA" "NOERROR" "$(rcode_of "$out")"
check_eq "HTTPS: empty answer" "" "$(answer_of "$out")"
check_eq "HTTPS: a SOA for the negative TTL" "$(soa svc.$M.)" "$(authority_of "$out")"
check_ede "HTTPS" "$out" 17 "$R_HTTPS"
out=$(q webalias.$M A)
check_eq "CNAME to a bad target: NODATA, the CNAME removed" "NOERROR " \
    "$(rcode_of "$out") $(answer_of "$out")"
check_ede "CNAME to a bad target" "$out" 17 "$R_CNAME"
check_eq "a target rule of type MX leaves other types' records alone: www A" \
    "NOERROR www.bulletproof.example. IN A 203.0.113.3 " "$(answer www.bulletproof.example A)"
# the canonical case of the policy issue still holds next to the target rules
check_eq "spammer.com MX: null MX (qname rule)" "NOERROR spammer.com. IN MX 0 . " "$(answer spammer.com MX)"
check_eq "the shared mail host resolves" "NOERROR aspmx.l.google.com. IN A 192.0.2.25 " \
    "$(answer aspmx.l.google.com A)"
out=$(q nxdomain.com MX)
check_eq "nxdomain.com MX (same mail host) untouched" "nxdomain.com. IN MX 1 aspmx.l.google.com." \
    "$(answer_of "$out")"
check_eq "nxdomain.com MX: no EDE" "" "$(ede_of "$out")"
check_eq "google.com MX untouched" "NOERROR google.com. IN MX 10 aspmx.l.google.com. " "$(answer google.com MX)"

# ---------------------------------------------------------------- 3. answer-ip rules

# ip_blocked DESC NAME TYPE RULE: SERVFAIL with EDE 17 naming RULE.
ip_blocked() {
    local out
    out=$(q "$2" "$3")
    check_eq "$1: SERVFAIL" SERVFAIL "$(rcode_of "$out")"
    check_eq "$1: no answer" "" "$(answer_of "$out")"
    check_ede "$1" "$out" 17 "$4"
}
ip_blocked "in24 A, cached before the rule" in24.$M A "$R_IP4"
ip_blocked "in24 A, second time" in24.$M A "$R_IP4"
ip_blocked "in24 A, third time" in24.$M A "$R_IP4"
check_eq "out24 A resolves" "NOERROR out24.$M. IN A 192.0.2.81 " "$(answer out24.$M A)"
check_eq "an allow rule for one address inside the /24" "NOERROR allowed.$M. IN A 198.51.100.8 " \
    "$(answer allowed.$M A)"
ip_blocked "in6 AAAA, cached before the rule" in6.$M AAAA "$R_IP6"
ip_blocked "in6 AAAA, second time" in6.$M AAAA "$R_IP6"
check_eq "out6 AAAA resolves" "NOERROR out6.$M. IN AAAA 2001:db8:600d::7 " "$(answer out6.$M AAAA)"
ip_blocked "an IPv4-mapped AAAA inside the IPv4 /24" mapped.$M AAAA "$R_IP4"
out=$(q in24.$M A +cd)
check_eq "in24 A with CD: SERVFAIL too" SERVFAIL "$(rcode_of "$out")"

# ---------------------------------------------------------------- 4. mailhost scope

check_eq "mailhost rule: diverted A answers while never seen as an MX exchange" \
    "NOERROR diverted.$M. IN A 192.0.2.200 " "$(answer diverted.$M A)"
check_eq "... twice (it was not cached in a form that skips the module)" \
    "NOERROR diverted.$M. IN A 192.0.2.200 " "$(answer diverted.$M A)"
out=$(q relay.$M MX)
check_eq "relay MX names diverted as its exchange" "relay.$M. IN MX 10 diverted.$M." "$(answer_of "$out")"
check_eq "... and its address leaves the additional section" "" "$(additional_of "$out")"
ip_blocked "diverted A once it is an MX exchange" diverted.$M A "$R_MH"
ip_blocked "diverted A, again" diverted.$M A "$R_MH"
check_eq "web A, same address, never an exchange: answers" "NOERROR web.$M. IN A 192.0.2.200 " \
    "$(answer web.$M A)"

# ---------------------------------------------------------------- 5. DNSSEC

out=$(q signed.example.org MX +dnssec)
check_eq "signed zone, target rule on its exchange: null MX" "signed.example.org. IN MX 0 ." \
    "$(answer_of "$out" | grep -v RRSIG)"
check "... no AD on what rrpolicy changed" not has_flag ad "$out"
check_ede "signed zone MX" "$out" 17 "$R_SMX"
out=$(q signed.example.org A +dnssec)
check "signed.example.org A (unchanged) keeps AD" has_flag ad "$out"

# ---------------------------------------------------------------- 6. hit log, live change

check_eq "hits of the mixed MX rule: one per answer (3 mixed, 2 QCLASS *, 3 badonly MX/ANY and cname)" \
    8 "$(wait_hits_of "$R_MX" 8)"
check_eq "hits of the IPv4 rule: 5 (3, one with CD, one mapped AAAA)" 5 "$(wait_hits_of "$R_IP4" 5)"
check_eq "hits of the mailhost rule: 3 (two A queries, and the address stripped from relay MX)" 3 "$(wait_hits_of "$R_MH" 3)"
# no trust anchor covers these zones: the validator calls them indeterminate
check_eq "the IPv4 rule's hits: stage response, action servfail, dnssec indeterminate" \
    "in24.$M.|A|servfail|response|indeterminate|4
mapped.$M.|AAAA|servfail|response|indeterminate|1" \
    "$(sql "SELECT qname, qtype, action, stage, dnssec, count(*) FROM hit WHERE policy_id = $R_IP4
            GROUP BY 1, 2, 3, 4, 5 ORDER BY 1;")"
check_eq "a target rule's hits: action block" "block" \
    "$(sql "SELECT DISTINCT action FROM hit WHERE policy_id = $R_MX;")"
check_eq "the signed zone's hit: dnssec secure" "secure" "$(wait_hits_of "$R_SMX" 1 >/dev/null;
    sql "SELECT dnssec FROM hit WHERE policy_id = $R_SMX;")"
check_eq "a query-stage hit: dnssec NULL" "1" \
    "$(wait_hits_of "$R_SPAM" 1 >/dev/null; sql "SELECT count(*) FROM hit WHERE policy_id = $R_SPAM AND dnssec IS NULL;")"
check_eq "recent_hits shows the trigger and dnssec" "answer-ip|indeterminate" \
    "$(sql "SELECT DISTINCT rule_trigger, dnssec FROM recent_hits WHERE policy_id = $R_IP4;")"

live sql "DELETE FROM policy WHERE id IN ($R_MX, $R_IP4);"
check_eq "rule deleted (live): mixed MX has both exchanges again" "mixed.$M. IN MX 10 mx1.bulletproof.example.
$GOOD" "$(answer_of "$(q mixed.$M MX)")"
check_eq "rule deleted (live): in24 A resolves" "NOERROR in24.$M. IN A 198.51.100.7 " "$(answer in24.$M A)"
# cached now; a new rule must remove it from the cache at once
live add_rule R_IP4B "name, type, trigger" "'198.51.100.7', 'A', 'answer-ip'"
ip_blocked "a new /32 rule (live) meets the cached in24 A" in24.$M A "$R_IP4B"

# an IPv4-mapped AAAA and IPv6 rules: they apply as to any AAAA, and the longer prefix decides
# against IPv4 rules (an IPv4 /n counts as a /n+96)
MAPPED="NOERROR mapped.$M. IN AAAA ::ffff:198.51.100.9 "
check_eq "mapped AAAA, no rule covers it now: resolves (and is cached)" "$MAPPED" \
    "$(answer mapped.$M AAAA)"
live add_rule R_MAP6 "name, type, trigger" "'::ffff:198.51.100.0/120', '*', 'answer-ip'"
ip_blocked "an IPv6 rule on the mapped /120 (live) meets the cached mapped AAAA" mapped.$M AAAA "$R_MAP6"
live add_rule R_ALLOW25 "name, type, action, trigger" "'198.51.100.0/25', 'A', 'allow', 'answer-ip'"
check_eq "an IPv4 allow for the /25 (a /121) beats the IPv6 /120" "$MAPPED" "$(answer mapped.$M AAAA)"
live add_rule R_MAP128 "name, type, trigger" "'::ffff:198.51.100.9', 'AAAA', 'answer-ip'"
ip_blocked "an IPv6 rule on the address itself (a /128) beats the IPv4 /25" mapped.$M AAAA "$R_MAP128"
live add_rule R_ALLOW32 "name, type, action, trigger" "'198.51.100.9', '*', 'allow', 'answer-ip'"
check_eq "an IPv4 allow for the address (a /32, as long as the /128): the allow wins" "$MAPPED" \
    "$(answer mapped.$M AAAA)"
live sql "DELETE FROM policy WHERE id IN ($R_MAP6, $R_ALLOW25, $R_MAP128, $R_ALLOW32);
     INSERT INTO policy(name, type, trigger) VALUES ('::/0', 'AAAA', 'answer-ip');"
check_eq "::/0 covers the mapped AAAA too" SERVFAIL "$(rcode_of "$(q mapped.$M AAAA)")"

finish
