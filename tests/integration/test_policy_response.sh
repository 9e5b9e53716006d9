#!/bin/bash
# test_policy_response.sh - the response stage of rrpolicy and DNSSEC, against a real Unbound
# with the module: what the query stage cannot see (the target of a CNAME, one RRset of an ANY
# answer, a record in the additional section) is still blocked, never cached in its unblocked
# form, never marked secure, and a bogus answer stays SERVFAIL whatever the rules say.
#
#   1. answers cached before their rules existed are blocked after unbound-control reload;
#   2. CNAME chain into a blocked name (null MX; NODATA), repeated, and the blocked name direct;
#      a chain into the blocked answer the query stage stored (EDE and hit); a chain that ends at
#      a name without MX (or without a name) whose MX is blocked: the null MX there, not NODATA;
#      QCLASS * queries, with and without CD;
#   3. ANY: the blocked RRset is stripped, the others stay; nothing left is a NODATA with the SOA;
#   4. additional section: a blocked RRset is stripped, the answer stays;
#   5. DNSSEC: blocked answers in a signed zone have no AD and are not SERVFAIL, unblocked ones
#      keep AD; a null MX at a signed chain's end has no NSEC; bogus answers stay SERVFAIL with a log rule, at the response stage (ANY, CNAME);
#      a query-stage block of a bogus name answers before anything is fetched (NODATA).
# Needs RRPOLICY_SO (the module).
. "$(dirname "$0")/lib.sh"
top_srcdir=${top_srcdir:-$REPO_ROOT}

[ -n "${RRPOLICY_SO:-}" ] || die "RRPOLICY_SO is not set: this test needs the rrpolicy module"

# ---------------------------------------------------------------- helpers

# q_class_any NAME TYPE [dig options]: q with QCLASS * (dig takes "-c ANY NAME TYPE" for the name
# ANY... of type A: the name and type go with -q and -t).
q_class_any() {
    local name=$1 type=$2
    shift 2
    dig @127.0.0.1 -p "$RESOLVER_PORT" +tries=1 +time=2 "$@" -c ANY -t "$type" -q "$name"
}

# types_of SECTION OUT: the RR types in a section, sorted, one per line.
types_of() {
    section_of "$1" "$2" | awk '{ print $3 }' | LC_ALL=C sort -u
}

# check_bogus DESC OUT [cached]: a bogus answer: SERVFAIL, empty answer section, no AD, the
# validator's EDE 6 (DNSSEC Bogus) with its "validation failure ..." text, never rrpolicy's.
# Unbound serves a bogus answer cached (val-bogus-ttl) with EDE 6 but without the text: pass
# "cached" for a repeated query.
check_bogus() {
    check_eq "$1: rcode SERVFAIL" SERVFAIL "$(rcode_of "$2")"
    check_eq "$1: answer section empty" "" "$(answer_of "$2")"
    check "$1: no AD flag" not has_flag ad "$2"
    check_eq "$1: EDE 6 from the validator" 6 "$(ede_of "$2")"
    if [ "${3:-}" = cached ]; then
        check "$1: EDE text not rrpolicy's" not grep -q '^rrpolicy' <<<"$(ede_text_of "$2")"
    else
        check "$1: EDE text from the validator" grep -q '^validation failure' <<<"$(ede_text_of "$2")"
    fi
}

CNAME_MX_REAL="mx.alias.example.net. IN CNAME spammer.com.
spammer.com. IN MX 10 aspmx.l.google.com.
spammer.com. IN MX 20 alt1.aspmx.l.google.com."
CNAME_MX_BLOCKED="mx.alias.example.net. IN CNAME spammer.com.
spammer.com. IN MX 0 ."
GOOGLE_MX="google.com. IN MX 10 aspmx.l.google.com."
ASPMX_A="aspmx.l.google.com. IN A 192.0.2.25"
ASPMX_AAAA="aspmx.l.google.com. IN AAAA 2001:db8::25"
ALIAS_SOA="alias.example.net. IN SOA ns1.alias.example.net. hostmaster.alias.example.net. 2024010101 3600 600 86400 300"
ALIAS_A="alias.example.net. IN A 192.0.2.40"
ALIAS_MX="alias.example.net. IN MX 10 aspmx.l.google.com."

# ---------------------------------------------------------------- 1. cached before the rules

sqlite3 "$RRPOLICY_DB" <"$top_srcdir/schema/schema.sql" || die "cannot create $RRPOLICY_DB"
start_resolver "qname-minimisation: no" "minimal-responses: no"
check "module loaded 0 rules" log_has "rrpolicy .*: loaded 0 rules (\(revision [0-9]+\) )?from $RRPOLICY_DB"

# fill the cache with the unblocked answers, and prove they are cached (auth server not asked)
q mx.alias.example.net MX >/dev/null
q google.com MX >/dev/null
q alias.example.net ANY >/dev/null
auth_mark
out=$(q mx.alias.example.net MX)
check_eq "before the rules: mx.alias.example.net MX follows the CNAME" "$CNAME_MX_REAL" \
    "$(answer_of "$out")"
out=$(q google.com MX)
check_eq "before the rules: google.com MX" "$GOOGLE_MX" "$(answer_of "$out")"
check_eq "before the rules: google.com MX carries aspmx.l's A and AAAA as additional data" \
    "$ASPMX_A
$ASPMX_AAAA" "$(additional_of "$out")"
check_eq "before the rules: alias.example.net ANY has SOA, MX and A" "$ALIAS_A
$ALIAS_MX
$ALIAS_SOA" "$(answer_of "$(q alias.example.net ANY)")"
check "before the rules: those answers came from the cache" \
    test "$(auth_count mx.alias.example.net MX)$(auth_count google.com MX)$(auth_count alias.example.net ANY)" = 000

# the rules, typed with sqlite3 and applied with reload
add_rule R_MX "name, type" "'spammer.com', 'MX'"                                   # block = null MX
add_rule R_TXT "name, type, action" "'spammer.com', 'TXT', 'nodata'"
add_rule R_ANYMX "name, type, action" "'alias.example.net', 'MX', 'nodata'"
add_rule R_ASPMX "name, type, action" "'aspmx.l.google.com', 'A', 'nodata'"
add_rule R_SMX "name, type" "'signed.example.org', 'MX'"                           # block = null MX
add_rule R_SA "name, type, action" "'signed.example.org', 'A', 'nodata'"
add_rule R_BLOG "name, type, action" "'bogus.example.org', 'A', 'log'"
add_rule R_BMX "name, type, action" "'bogus.example.org', 'MX', 'nodata'"
add_rule R_WMX "name, type" "'www.spammer.com', 'MX'"                              # block = null MX
add_rule R_MHA "name, type, action" "'mailhost.alias.example.net', 'A', 'nodata'"
add_rule R_NTH "name, type" "'nothere.alias.example.net', 'MX'"                    # block = null MX
add_rule R_SGMX "name, type" "'mail.signed.example.org', 'MX'"                     # block = null MX
add_rule R_SGNX "name, type" "'nothere.signed.example.org', 'MX'"                  # block = null MX
add_rule R_HOP "name, type" "'hop.alias.example.net', 'MX'"                        # block = null MX
reload
check "module loaded 14 rules" log_has "rrpolicy .*: loaded 14 rules (\(revision [0-9]+\) )?from $RRPOLICY_DB"
auth_mark

# ---------------------------------------------------------------- 2. CNAME chain

# cname_blocked DESC [dig options]: mx.alias.example.net MX is CNAME + null MX, EDE 17.
cname_blocked() {
    local desc=$1 out
    shift
    out=$(q mx.alias.example.net MX "$@")
    check_eq "$desc: rcode" NOERROR "$(rcode_of "$out")"
    check_eq "$desc: CNAME and the null MX" "$CNAME_MX_BLOCKED" "$(answer_of "$out")"
    check_eq "$desc: authority section empty" "" "$(authority_of "$out")"
    check_eq "$desc: additional section empty" "" "$(additional_of "$out")"
    check_eq "$desc: null MX TTL is negative_ttl" 60 \
        "$(section_raw ANSWER "$out" | awk '$4 == "MX" { print $2 }')"
    check "$desc: no AD flag" not has_flag ad "$out"
    check_ede "$desc" "$out" 17 "$R_MX"
}
cname_blocked "cached before its rule: mx.alias.example.net MX"
out=$(q spammer.com MX)
check_eq "then spammer.com MX direct: null MX" "spammer.com. IN MX 0 ." "$(answer_of "$out")"
check_ede "then spammer.com MX direct" "$out" 15 "$R_MX"
cname_blocked "mx.alias.example.net MX, second time"
cname_blocked "mx.alias.example.net MX, third time"
out=$(q spammer.com MX)
check_eq "spammer.com MX direct, second time: null MX" "spammer.com. IN MX 0 ." "$(answer_of "$out")"
check_ede "spammer.com MX direct, second time" "$out" 15 "$R_MX"
cname_blocked "mx.alias.example.net MX over TCP" +tcp
cname_blocked "mx.alias.example.net MX with CD" +cd
# the spammer.com MX the iterator fetched for the chain was not left in the cache: a CD query
# (which Unbound may answer from cache with unvalidated data) is still blocked
out=$(q spammer.com MX +cd)
check_eq "spammer.com MX +cd after the chain: null MX" "spammer.com. IN MX 0 ." "$(answer_of "$out")"
check_ede "spammer.com MX +cd after the chain" "$out" 15 "$R_MX"
# the other types of the CNAME target are untouched
out=$(q mx.alias.example.net A)
check_eq "mx.alias.example.net A: CNAME and spammer.com's A" "mx.alias.example.net. IN CNAME spammer.com.
spammer.com. IN A 192.0.2.10" "$(answer_of "$out")"
check_eq "mx.alias.example.net A: no EDE" "" "$(ede_of "$out")"
# a NODATA rule at the end of the chain: the CNAME stays, the rule's SOA in the authority section
out=$(q mx.alias.example.net TXT)
check_eq "CNAME to a nodata rule: rcode" NOERROR "$(rcode_of "$out")"
check_eq "CNAME to a nodata rule: only the CNAME" "mx.alias.example.net. IN CNAME spammer.com." \
    "$(answer_of "$out")"
check_eq "CNAME to a nodata rule: SOA of the rule" "$(soa spammer.com.)" "$(authority_of "$out")"
check_ede "CNAME to a nodata rule" "$out" 17 "$R_TXT"
out=$(q mx.alias.example.net TXT)
check_eq "CNAME to a nodata rule, second time: only the CNAME" \
    "mx.alias.example.net. IN CNAME spammer.com." "$(answer_of "$out")"
# the chain's end is the blocked answer the query stage stored: still the EDE, and a hit
hits0=$(wait_hits_of "$R_TXT" 2)
out=$(q spammer.com TXT)
check_ede "spammer.com TXT direct: blocked" "$out" 15 "$R_TXT"
check_eq "spammer.com TXT direct: a hit" $((hits0 + 1)) "$(wait_hits_of "$R_TXT" $((hits0 + 1)))"
out=$(q mx.alias.example.net TXT)
check_eq "CNAME into the stored blocked answer: SOA of the rule" "$(soa spammer.com.)" \
    "$(authority_of "$out")"
check_ede "CNAME into the stored blocked answer" "$out" 17 "$R_TXT"
check_eq "CNAME into the stored blocked answer: a hit" $((hits0 + 2)) \
    "$(wait_hits_of "$R_TXT" $((hits0 + 2)))"

# a null MX rule on a name without MX, at the end of a chain: the null MX, not NODATA (after
# which a sender would take the name's A, RFC 5321 implicit MX); again from the cache, and after
# the name's own null MX was stored
for when in "" ", second time" ", after www.spammer.com MX direct"; do
    [ "$when" != ", after www.spammer.com MX direct" ] || out=$(q www.spammer.com MX)
    out=$(q nomx.alias.example.net MX)
    check_eq "CNAME to a name without MX$when: rcode" NOERROR "$(rcode_of "$out")"
    check_eq "CNAME to a name without MX$when: CNAME and the null MX" \
"nomx.alias.example.net. IN CNAME www.spammer.com.
www.spammer.com. IN MX 0 ." "$(answer_of "$out")"
    check_eq "CNAME to a name without MX$when: no SOA" "" "$(authority_of "$out")"
    check_ede "CNAME to a name without MX$when" "$out" 17 "$R_WMX"
done
# QCLASS * (RFC 1035 3.2.5) asks for class IN data too: the rules apply. With CD, Unbound's
# iterator asks the class IN part itself, without the module: that part is not left in the cache
for cd in "" +cd; do
    out=$(q_class_any spammer.com MX $cd)
    check_eq "spammer.com MX, QCLASS *${cd:+ $cd}: null MX" "spammer.com. IN MX 0 ." \
        "$(answer_of "$out")"
    check_ede "spammer.com MX, QCLASS *${cd:+ $cd}" "$out" 15 "$R_MX"
done
GONE_NULLMX="gone.alias.example.net. IN CNAME nothere.alias.example.net.
nothere.alias.example.net. IN MX 0 ."
for how in "QCLASS * +cd" +cd ""; do
    if [ "$how" = "QCLASS * +cd" ]; then
        out=$(q_class_any gone.alias.example.net MX +cd)
    else
        out=$(q gone.alias.example.net MX $how)
    fi
    check_eq "CNAME to a name that does not exist, ${how:-class IN}: rcode" NOERROR \
        "$(rcode_of "$out")"
    check_eq "CNAME to a name that does not exist, ${how:-class IN}: CNAME and the null MX" \
        "$GONE_NULLMX" "$(answer_of "$out")"
    check_ede "CNAME to a name that does not exist, ${how:-class IN}" "$out" 17 "$R_NTH"
done
# a rule on a name in the middle of a chain (hop2 -> hop -> shared, which has an MX): the chain
# through it gets the null MX at that name, as a query for the name itself does, whether or not
# the cache holds hop's blocked answer; and the iterator, which followed the chain through hop,
# leaves no answer for hop MX in the cache that the worker would give without the rule
HOP_NULLMX="hop.alias.example.net. IN MX 0 .
hop2.alias.example.net. IN CNAME hop.alias.example.net."   # sorted, as answer_of prints
# first from another zone: the iterator asks hop MX on its own (the message it gets, hop's CNAME
# and shared's MX, is not cached as the answer to hop MX)
out=$(q hop3.mailpath.example.net MX)
check_eq "CNAME from another zone to a name in the middle of a chain: the null MX at that name" \
    "hop.alias.example.net. IN MX 0 .
hop3.mailpath.example.net. IN CNAME hop.alias.example.net." "$(answer_of "$out")"
check_ede "CNAME from another zone to a name in the middle of a chain" "$out" 17 "$R_HOP"
out=$(q hop.alias.example.net MX)
check_eq "the name in the middle itself, after a chain from another zone: the null MX" \
    "hop.alias.example.net. IN MX 0 ." "$(answer_of "$out")"
check_ede "the name in the middle itself, after a chain from another zone" "$out" 15 "$R_HOP"
uctl flush hop.alias.example.net >/dev/null
for when in "" ", second time"; do
    out=$(q hop2.alias.example.net MX)
    check_eq "CNAME to a name in the middle of a chain$when: the null MX at that name" \
        "$HOP_NULLMX" "$(answer_of "$out")"
    check_ede "CNAME to a name in the middle of a chain$when" "$out" 17 "$R_HOP"
done
out=$(q hop.alias.example.net MX)
check_eq "the name in the middle itself, after a chain through it: the null MX" \
    "hop.alias.example.net. IN MX 0 ." "$(answer_of "$out")"
check_ede "the name in the middle itself, after a chain through it" "$out" 15 "$R_HOP"
out=$(q hop2.alias.example.net MX)
check_eq "the chain again, after the name's own blocked answer was stored" "$HOP_NULLMX" \
    "$(answer_of "$out")"
check_ede "the chain again, after the name's own blocked answer was stored" "$out" 17 "$R_HOP"
out=$(q hop2.alias.example.net A)
check_eq "the chain's other types: untouched" "hop.alias.example.net. IN CNAME shared.alias.example.net.
hop2.alias.example.net. IN CNAME hop.alias.example.net." "$(answer_of "$out")"
out=$(q shared.alias.example.net MX)
check_eq "the chain's end itself: its real MX" "shared.alias.example.net. IN MX 10 aspmx.l.google.com." \
    "$(answer_of "$out")"

out=$(q nomx.alias.example.net A)
check_eq "nomx.alias.example.net A: untouched" "nomx.alias.example.net. IN CNAME www.spammer.com.
www.spammer.com. IN A 192.0.2.11" "$(answer_of "$out")"

# ---------------------------------------------------------------- 3. ANY

# any_stripped DESC [EDE]: alias.example.net ANY holds SOA and A but not the MX (rule nodata
# on MX); with EDE, the answer names the rule.
any_stripped() {
    local out
    out=$(q alias.example.net ANY)
    check_eq "$1: rcode" NOERROR "$(rcode_of "$out")"
    check_eq "$1: SOA and A stay, MX stripped" "$ALIAS_A
$ALIAS_SOA" "$(answer_of "$out")"
    [ -z "${2:-}" ] || check_ede "$1" "$out" 17 "$R_ANYMX"
}
any_stripped "cached before its rule: alias.example.net ANY" ede
# The first answer removed the MX RRset from the cache; Unbound then answers ANY from what it
# has cached, without the MX: nothing left to strip, so no EDE, but never the MX.
any_stripped "alias.example.net ANY, second time"
check "the auth server's ANY answer does hold the MX" \
    grep -qxF "$ALIAS_MX" <<<"$(answer_of "$(q_auth alias.example.net ANY)")"
out=$(q alias.example.net MX)
check_eq "alias.example.net MX direct: NODATA" "" "$(answer_of "$out")"
check_eq "alias.example.net MX direct: SOA of the rule" "$(soa alias.example.net.)" \
    "$(authority_of "$out")"
check_ede "alias.example.net MX direct" "$out" 15 "$R_ANYMX"
check_eq "alias.example.net A still resolves" "$ALIAS_A" "$(answer_of "$(q alias.example.net A)")"
check "alias.example.net MX never sent upstream" not auth_saw alias.example.net MX
# every RRset of an ANY answer stripped: the NODATA of the rule, SOA included (RFC 2308)
out=$(q mailhost.alias.example.net ANY)
check_eq "ANY with nothing left: rcode" NOERROR "$(rcode_of "$out")"
check_eq "ANY with nothing left: no answer" "" "$(answer_of "$out")"
check_eq "ANY with nothing left: the SOA of the rule" "$(soa mailhost.alias.example.net.)" \
    "$(authority_of "$out")"
check_ede "ANY with nothing left" "$out" 17 "$R_MHA"

# ---------------------------------------------------------------- 4. additional section

# additional_stripped DESC: google.com MX keeps its MX and aspmx.l's AAAA, loses aspmx.l's A.
additional_stripped() {
    local out
    out=$(q google.com MX)
    check_eq "$1: rcode" NOERROR "$(rcode_of "$out")"
    check_eq "$1: the MX stays" "$GOOGLE_MX" "$(answer_of "$out")"
    check_eq "$1: additional aspmx.l A stripped, AAAA stays" "$ASPMX_AAAA" "$(additional_of "$out")"
}
additional_stripped "cached before its rule: google.com MX"
check "the auth server's google.com MX answer does carry aspmx.l's A" \
    grep -qxF "$ASPMX_A" <<<"$(additional_of "$(q_auth google.com MX)")"
additional_stripped "google.com MX, second time"
out=$(q aspmx.l.google.com A)
check_eq "aspmx.l.google.com A direct: NODATA" "" "$(answer_of "$out")"
check_eq "aspmx.l.google.com A direct: SOA of the rule" "$(soa aspmx.l.google.com.)" \
    "$(authority_of "$out")"
check_ede "aspmx.l.google.com A direct" "$out" 15 "$R_ASPMX"
additional_stripped "google.com MX after aspmx.l A direct"
check_eq "aspmx.l.google.com AAAA still resolves" "$ASPMX_AAAA" \
    "$(answer_of "$(q aspmx.l.google.com AAAA)")"
check_eq "nxdomain.com MX still resolves" "nxdomain.com. IN MX 1 aspmx.l.google.com." \
    "$(answer_of "$(q nxdomain.com MX)")"

# ---------------------------------------------------------------- 5. DNSSEC

# blocked in the signed zone: no AD, not SERVFAIL
out=$(q signed.example.org MX +dnssec +adflag)
check_eq "signed.example.org MX (block): rcode NOERROR" NOERROR "$(rcode_of "$out")"
check_eq "signed.example.org MX (block): null MX" "signed.example.org. IN MX 0 ." "$(answer_of "$out")"
check "signed.example.org MX (block): no AD flag" not has_flag ad "$out"
check_ede "signed.example.org MX (block)" "$out" 15 "$R_SMX"
out=$(q signed.example.org A +dnssec +adflag)
check_eq "signed.example.org A (nodata): rcode NOERROR" NOERROR "$(rcode_of "$out")"
check_eq "signed.example.org A (nodata): empty answer" "" "$(answer_of "$out")"
check_eq "signed.example.org A (nodata): SOA of the rule" "$(soa signed.example.org.)" \
    "$(authority_of "$out")"
check "signed.example.org A (nodata): no AD flag" not has_flag ad "$out"
check_ede "signed.example.org A (nodata)" "$out" 15 "$R_SA"
# a response-stage block of a secure answer: ANY loses MX and A, keeps SOA (and its RRSIG), no AD
out=$(q signed.example.org ANY +dnssec +adflag)
check_eq "signed.example.org ANY: rcode NOERROR" NOERROR "$(rcode_of "$out")"
check_eq "signed.example.org ANY: only SOA and its RRSIG left" "RRSIG
SOA" "$(types_of ANSWER "$out")"
check "signed.example.org ANY: no AD flag (rrpolicy changed it)" not has_flag ad "$out"
check_ede "signed.example.org ANY" "$out" 17 "$R_SMX"
# unblocked signed answers still validate
out=$(q signed.example.org TXT +dnssec +adflag)
check_eq "signed.example.org TXT (no rule): answer" 'signed.example.org. IN TXT "signed zone"' \
    "$(answer_of "$out" | grep -v RRSIG)"
check "signed.example.org TXT (no rule): AD flag" has_flag ad "$out"
out=$(q mail.signed.example.org A +adflag)
check_eq "mail.signed.example.org A (no rule): answer" "mail.signed.example.org. IN A 192.0.2.51" \
    "$(answer_of "$out")"
check "mail.signed.example.org A (no rule): AD flag" has_flag ad "$out"

# a null MX at the end of a signed chain replaces its signed denial: no NSEC or SOA (nor their
# RRSIGs) is left to deny it (RFC 4035 3.1.3)
for name in nomx gone; do
    target=mail.signed.example.org.
    [ $name = nomx ] || target=nothere.signed.example.org.
    out=$(q $name.signed.example.org MX +dnssec +adflag)
    check_eq "$name.signed.example.org MX (CNAME to $target): rcode" NOERROR "$(rcode_of "$out")"
    check_eq "$name.signed.example.org MX: the CNAME and the null MX" \
        "$(printf '%s\n' "$name.signed.example.org. IN CNAME $target" "$target IN MX 0 ." | sort)" \
        "$(answer_of "$out" | grep -v RRSIG)"
    check_eq "$name.signed.example.org MX: authority section empty" "" "$(authority_of "$out")"
    check "$name.signed.example.org MX: no AD flag" not has_flag ad "$out"
    check_ede "$name.signed.example.org MX" "$out" 17 \
        "$([ $name = nomx ] && echo "$R_SGMX" || echo "$R_SGNX")"
done

# bogus stays SERVFAIL: a log rule on the name, and a rule that matches only at the response stage
check_bogus "bogus.example.org A with a log rule" "$(q bogus.example.org A +dnssec)"
check_bogus "bogus.example.org A with a log rule, +cd not set, no DO" "$(q bogus.example.org A)"
check_bogus "bogus.example.org ANY (rule nodata on its MX, response stage)" \
    "$(q bogus.example.org ANY +dnssec)"
auth_mark
out=$(q cname.bogus.example.org MX +dnssec)
check_bogus "cname.bogus.example.org MX (bogus CNAME to spammer.com, rule on spammer.com MX)" "$out"
check "cname.bogus.example.org MX: the resolver did follow the CNAME to spammer.com MX" \
    auth_saw spammer.com MX
out=$(q cname.bogus.example.org MX +dnssec)
check_bogus "cname.bogus.example.org MX, second time" "$out" cached
# with CD (checking disabled) the bogus answer is delivered, not SERVFAIL: the blocked RRset in it
# must not reach the client (the query stage blocks spammer.com MX +cd; the CNAME must not be a
# way around the rule)
out=$(q spammer.com MX +cd)
check_eq "spammer.com MX +cd after the bogus chain: null MX, not the MX the iterator cached" \
    "spammer.com. IN MX 0 ." "$(answer_of "$out")"
out=$(q cname.bogus.example.org MX +cd)
check_eq "cname.bogus.example.org MX +cd: rcode" NOERROR "$(rcode_of "$out")"
check "cname.bogus.example.org MX +cd: holds the CNAME (the bogus answer was delivered)" \
    grep -qxF "cname.bogus.example.org. IN CNAME spammer.com." <<<"$(answer_of "$out")"
check "cname.bogus.example.org MX +cd: spammer.com's real MX not delivered (rule $R_MX)" \
    not grep -q "^spammer.com. IN MX [1-9]" <<<"$(answer_of "$out")"
# query stage on the bogus name: answered before anything is fetched, so NODATA, no AD
out=$(q bogus.example.org MX +dnssec)
check_eq "bogus.example.org MX (nodata, query stage): NOERROR" NOERROR "$(rcode_of "$out")"
check_eq "bogus.example.org MX (nodata, query stage): SOA of the rule" \
    "$(soa bogus.example.org.)" "$(authority_of "$out")"
check "bogus.example.org MX (nodata, query stage): no AD" not has_flag ad "$out"
check_ede "bogus.example.org MX (nodata, query stage)" "$out" 15 "$R_BMX"
check "bogus.example.org MX never sent upstream" not auth_saw bogus.example.org MX

sql "UPDATE policy SET action = 'nodata' WHERE id = $R_BLOG;"
reload
auth_mark
out=$(q bogus.example.org A +dnssec)
check_eq "bogus.example.org A after log -> nodata: NOERROR" NOERROR "$(rcode_of "$out")"
check_eq "bogus.example.org A after log -> nodata: empty answer" "" "$(answer_of "$out")"
check_eq "bogus.example.org A after log -> nodata: SOA of the rule" \
    "$(soa bogus.example.org.)" "$(authority_of "$out")"
check "bogus.example.org A after log -> nodata: no AD" not has_flag ad "$out"
check_ede "bogus.example.org A after log -> nodata" "$out" 15 "$R_BLOG"
check "bogus.example.org A not sent upstream" not auth_saw bogus.example.org A
check_bogus "cname.bogus.example.org MX still bogus after reload" \
    "$(q cname.bogus.example.org MX +dnssec)"

finish
