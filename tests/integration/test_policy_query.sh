#!/bin/bash
# test_policy_query.sh - the query stage of rrpolicy and the operator's workflow, against a real
# Unbound with the module: rules typed with the sqlite3 CLI, applied with unbound-control reload,
# checked on the wire with dig.
#
#   1. the canonical case (spammer.com MX blocked, everything around it resolves; UDP and TCP;
#      the blocked query never reaches the auth server);
#   2. each action's exact answer (rcode, sections, SOA, TTL, EDE, no AD);
#   3. precedence (exact vs '*.', longer vs shorter '*.', named type vs '*', allow vs block);
#   4. disabled and expired rules, and a rule that expires while Unbound runs;
#   5. edits with sqlite3 + reload: new, deleted and changed rules, the negative_ttl setting,
#      an answer cached before its rule existed;
#   6. bad input rejected by the schema, a malformed row that bypassed it skipped at load;
#   7. a missing database created by the module, a corrupt one survived.
# Needs RRPOLICY_SO (the module); with stock Unbound there is nothing to test.
. "$(dirname "$0")/lib.sh"
top_srcdir=${top_srcdir:-$REPO_ROOT}

[ -n "${RRPOLICY_SO:-}" ] || die "RRPOLICY_SO is not set: this test needs the rrpolicy module"

# ---------------------------------------------------------------- helpers

# check_synth DESC OUT RCODE ANSWER AUTHORITY EDE RULE_ID: a synthesized answer, exactly:
# rcode, answer and authority sections (sorted, no TTL), empty additional section, no AD flag,
# EDE code and the text "rrpolicy: rule RULE_ID".
check_synth() {
    local desc=$1 out=$2
    check_eq "$desc: rcode" "$3" "$(rcode_of "$out")"
    check_eq "$desc: answer section" "$4" "$(answer_of "$out")"
    check_eq "$desc: authority section" "$5" "$(authority_of "$out")"
    check_eq "$desc: additional section empty" "" "$(additional_of "$out")"
    check "$desc: no AD flag" not has_flag ad "$out"
    check_eq "$desc: EDE code" "$6" "$(ede_of "$out")"
    check_eq "$desc: EDE text names the rule" "rrpolicy: rule $7" "$(ede_text_of "$out")"
}

# check_real DESC OUT ANSWER: a normal answer from the zones: NOERROR, ANSWER exactly, no EDE.
check_real() {
    check_eq "$1: rcode" NOERROR "$(rcode_of "$2")"
    check_eq "$1: answer from the zone" "$3" "$(answer_of "$2")"
    check_eq "$1: no EDE" "" "$(ede_of "$2")"
}

# check_nxdomain_at DESC OUT APEX RULE_ID [TTL]: synthesized NXDOMAIN with the rule's SOA, EDE 15.
check_nxdomain_at() {
    check_synth "$1" "$2" NXDOMAIN "" "$(soa "$3" "${5:-60}")" 15 "$4"
}

# check_nodata_at DESC OUT APEX RULE_ID [TTL]: synthesized NODATA with the rule's SOA, EDE 15.
check_nodata_at() {
    check_synth "$1" "$2" NOERROR "" "$(soa "$3" "${5:-60}")" 15 "$4"
}

# check_nullmx DESC OUT OWNER RULE_ID [TTL]: the null MX "OWNER MX 0 ." with TTL, EDE 15.
check_nullmx() {
    check_synth "$1" "$2" NOERROR "$3 IN MX 0 ." "" 15 "$4"
    check_ttls "$1: TTL is negative_ttl (counting down in the cache)" "${5:-60}" \
        "$(ttls_of ANSWER "$2")"
}

# sqlite_rejects DESC SQL MESSAGE: the sqlite3 CLI fails on SQL with the schema's MESSAGE and
# the policy table is unchanged.
sqlite_rejects() {
    local desc=$1 before out rc
    before=$(sqlite3 "$RRPOLICY_DB" "SELECT count(*), total(id) FROM policy")
    out=$(sqlite3 "$RRPOLICY_DB" "$2" 2>&1)
    rc=$?
    check "$desc: sqlite3 exits non-zero" test "$rc" -ne 0
    check "$desc: message '$3'" grep -qF -- "$3" <<<"$out"
    check_eq "$desc: policy table unchanged" "$before" \
        "$(sqlite3 "$RRPOLICY_DB" "SELECT count(*), total(id) FROM policy")"
}

# resolver_answers DESC: the resolver still resolves spammer.com A normally.
resolver_answers() {
    check_eq "$1: spammer.com A resolves" "spammer.com. IN A 192.0.2.10" \
        "$(answer_of "$(q spammer.com A)")"
}

# ---------------------------------------------------------------- the rules

sqlite3 "$RRPOLICY_DB" <"$top_srcdir/schema/schema.sql" || die "cannot create $RRPOLICY_DB"

# the canonical rule, exactly as an operator types it
add_rule R_MX "name, type" "'spammer.com', 'MX'"
# one rule per action, each on a name/type that exists in the zones
add_rule R_TXT "name, type" "'spammer.com', 'TXT'"                        # block, named type
add_rule R_STAR "name, type" "'www.spammer.com', '*'"                     # block, type '*'
add_rule R_NULLMX "name, type, action" "'shared.alias.example.net', 'MX', 'nullmx'"
add_rule R_NODATA "name, type, action" "'alias.example.net', 'TXT', 'nodata'"
add_rule R_NXDOMAIN "name, type, action" "'mailhost.alias.example.net', 'A', 'nxdomain'"
add_rule R_REFUSED "name, type, action" "'alt1.aspmx.l.google.com', 'A', 'refused'"
add_rule R_SERVFAIL "name, type, action" "'local.alias.example.net', 'MX', 'servfail'"
add_rule R_DROP "name, type, action" "'nxdomain.com', 'A', 'drop'"
add_rule R_LOG "name, type, action" "'example.com', 'TXT', 'log'"
# precedence
add_rule R_WILD "name, type, action" "'*.example.com', '*', 'nxdomain'"   # every name below
add_rule R_ALLOW "name, type, action" "'mail.example.com', '*', 'allow'"  # exact beats '*.'
add_rule R_WILDMX "name, type, action" "'*.example.com', 'MX', 'nullmx'"  # named beats '*'
add_rule R_WWWTXT "name, type, action" "'www.spammer.com', 'TXT', 'nodata'" # named beats '*'
add_rule R_EQBLOCK "name, type" "'example.com', 'MX'"                     # equal specificity:
add_rule R_EQALLOW "name, type, action" "'example.com', 'MX', 'allow'"    #   allow beats block
# rules that must not apply
add_rule R_EXPIRED "name, type, action, expires_at" \
    "'spammer.com', 'A', 'nxdomain', datetime('now', '-1 hour')"
add_rule R_DISABLED "name, type, action, enabled" "'aspmx.l.google.com', 'A', 'nxdomain', 0"

start_resolver "qname-minimisation: no"

check "module loaded 16 rules of 18 rows (1 disabled, 1 expired)" \
    log_has "rrpolicy .*: loaded 16 rules \(revision [0-9]+\) from $RRPOLICY_DB .*\(18 rows: 1 disabled, 1 expired, 0 malformed\)"

# ---------------------------------------------------------------- 1. canonical case

# canonical TRANSPORT [dig options]: spammer.com MX blocked, its neighbours resolve.
canonical() {
    local tr=$1 out
    shift
    out=$(q spammer.com MX "$@")
    check_nullmx "$tr spammer.com MX" "$out" spammer.com. "$R_MX"
    check_eq "$tr spammer.com MX: exactly one record" "spammer.com. IN MX 0 ." "$(answer_of "$out")"
    check "$tr query went over $tr" grep -q "^;; SERVER: .*($tr)\$" <<<"$out"
    check_real "$tr spammer.com A" "$(q spammer.com A "$@")" "spammer.com. IN A 192.0.2.10"
    check_real "$tr aspmx.l.google.com A" "$(q aspmx.l.google.com A "$@")" \
        "aspmx.l.google.com. IN A 192.0.2.25"
    check_real "$tr nxdomain.com MX" "$(q nxdomain.com MX "$@")" \
        "nxdomain.com. IN MX 1 aspmx.l.google.com."
}
canonical UDP
canonical TCP +tcp
out=$(q spammer.com MX +dnssec +adflag)
check_nullmx "spammer.com MX with DO and AD set in the query" "$out" spammer.com. "$R_MX"

# the blocked query never went upstream; the unblocked ones did (so the log is being read)
check "auth server never saw spammer.com MX" not auth_saw spammer.com MX
check "auth server saw spammer.com A" auth_saw spammer.com A
check "auth server saw nxdomain.com MX" auth_saw nxdomain.com MX

# names are case-insensitive
out=$(q SpAmMeR.CoM MX)
check_eq "SpAmMeR.CoM MX: rcode" NOERROR "$(rcode_of "$out")"
check_eq "SpAmMeR.CoM MX: null MX" "spammer.com. in mx 0 ." "$(answer_of "$out" | tr '[:upper:]' '[:lower:]')"
check_eq "SpAmMeR.CoM MX: EDE 15" 15 "$(ede_of "$out")"
check_eq "SpAmMeR.CoM MX: EDE text" "rrpolicy: rule $R_MX" "$(ede_text_of "$out")"
out=$(q SPAMMER.COM. mx)
check_eq "SPAMMER.COM. mx: null MX" "spammer.com. in mx 0 ." "$(answer_of "$out" | tr '[:upper:]' '[:lower:]')"
check "auth server never saw spammer.com MX in any case" not auth_saw spammer.com MX

# ---------------------------------------------------------------- 2. each action

# block on a named type other than MX: NODATA with the SOA of the rule's name
check_nodata_at "block TXT: spammer.com TXT" "$(q spammer.com TXT)" spammer.com. "$R_TXT"
out=$(q spammer.com TXT)
check_ttls "block TXT: SOA TTL is negative_ttl" 60 "$(ttls_of AUTHORITY "$out")"
check "block TXT: auth server never saw spammer.com TXT" not auth_saw spammer.com TXT
# block on '*': NXDOMAIN for every type
check_nxdomain_at "block '*': www.spammer.com A" "$(q www.spammer.com A)" www.spammer.com. "$R_STAR"
check_nxdomain_at "block '*': www.spammer.com AAAA" "$(q www.spammer.com AAAA)" \
    www.spammer.com. "$R_STAR"
check "block '*': auth server never saw www.spammer.com A" not auth_saw www.spammer.com A
# nullmx
check_nullmx "nullmx: shared.alias.example.net MX" "$(q shared.alias.example.net MX)" \
    shared.alias.example.net. "$R_NULLMX"
# nodata
out=$(q alias.example.net TXT)
check_nodata_at "nodata: alias.example.net TXT" "$out" alias.example.net. "$R_NODATA"
check_ttls "nodata: SOA TTL is negative_ttl" 60 "$(ttls_of AUTHORITY "$out")"
check_real "nodata on TXT only: alias.example.net A" "$(q alias.example.net A)" \
    "alias.example.net. IN A 192.0.2.40"
# nxdomain
out=$(q mailhost.alias.example.net A)
check_nxdomain_at "nxdomain: mailhost.alias.example.net A" "$out" \
    mailhost.alias.example.net. "$R_NXDOMAIN"
check_ttls "nxdomain: SOA TTL is negative_ttl" 60 "$(ttls_of AUTHORITY "$out")"
# refused, servfail: the rcode alone
check_synth "refused: alt1.aspmx.l.google.com A" "$(q alt1.aspmx.l.google.com A)" \
    REFUSED "" "" 15 "$R_REFUSED"
check_synth "servfail: local.alias.example.net MX" "$(q local.alias.example.net MX)" \
    SERVFAIL "" "" 15 "$R_SERVFAIL"
check "servfail: auth server never saw local.alias.example.net MX" \
    not auth_saw local.alias.example.net MX
# drop: no reply at all, over UDP and TCP
check_eq "drop: nxdomain.com A gets no reply (UDP)" NOREPLY "$(rcode_of "$(q nxdomain.com A)")"
check_eq "drop: nxdomain.com A gets no reply (TCP)" NOREPLY \
    "$(rcode_of "$(q nxdomain.com A +tcp)")"
check "drop: auth server never saw nxdomain.com A" not auth_saw nxdomain.com A
check_real "drop on A only: nxdomain.com MX" "$(q nxdomain.com MX)" \
    "nxdomain.com. IN MX 1 aspmx.l.google.com."
# log: the normal answer, no EDE; it did go upstream
check_real "log: example.com TXT" "$(q example.com TXT)" 'example.com. IN TXT "apex of example.com"'
check "log: auth server saw example.com TXT" auth_saw example.com TXT

# ---------------------------------------------------------------- 3. precedence

# '*.example.com' '*' nxdomain covers every name below example.com, at any depth
check_nxdomain_at "'*.example.com': a.example.com A" "$(q a.example.com A)" example.com. "$R_WILD"
check_nxdomain_at "'*.example.com': deep.sub.example.com A" "$(q deep.sub.example.com A)" \
    example.com. "$R_WILD"
check_nxdomain_at "'*.example.com': a.example.com TXT" "$(q a.example.com TXT)" \
    example.com. "$R_WILD"
check_nxdomain_at "'*.example.com': nosuch.example.com A" "$(q nosuch.example.com A)" \
    example.com. "$R_WILD"
check "'*.example.com': auth server never saw a.example.com A" not auth_saw a.example.com A
# the exact allow beats the '*.' rule
check_real "exact allow beats '*.': mail.example.com A" "$(q mail.example.com A)" \
    "mail.example.com. IN A 192.0.2.32"
check_real "exact allow beats '*.' MX: mail.example.com MX" "$(q mail.example.com MX)" \
    "mail.example.com. IN MX 10 mail.example.com."
# the apex is not covered by its '*.' rule
check_real "apex not under its '*.': example.com A" "$(q example.com A)" \
    "example.com. IN A 192.0.2.30"
# a named type beats '*', at a '*.' node and at an exact node
check_nullmx "named type beats '*' ('*.example.com' MX): a.example.com MX" \
    "$(q a.example.com MX)" a.example.com. "$R_WILDMX"
check_nullmx "named type beats '*' ('*.example.com' MX): deep.sub.example.com MX" \
    "$(q deep.sub.example.com MX)" deep.sub.example.com. "$R_WILDMX"
check_nodata_at "named type beats '*' (www.spammer.com TXT)" "$(q www.spammer.com TXT)" \
    www.spammer.com. "$R_WWWTXT"
# equal specificity: allow beats block, even with the higher id
check_real "allow beats block at equal specificity: example.com MX" "$(q example.com MX)" \
    "example.com. IN MX 10 mail.example.com."

# ---------------------------------------------------------------- 4. disabled and expired

check_real "expired rule does not apply: spammer.com A" "$(q spammer.com A)" \
    "spammer.com. IN A 192.0.2.10"
check_real "disabled rule does not apply: aspmx.l.google.com A" "$(q aspmx.l.google.com A)" \
    "aspmx.l.google.com. IN A 192.0.2.25"

# ---------------------------------------------------------------- 5. edits and reload

# an answer cached before its rule existed: spammer.com A is in the cache now
q spammer.com A >/dev/null
auth_mark
check_real "spammer.com A before its rule" "$(q spammer.com A)" "spammer.com. IN A 192.0.2.10"
check "spammer.com A came from the cache (auth server not asked)" not auth_saw spammer.com A

sql "UPDATE setting SET value = '30' WHERE key = 'negative_ttl';"
add_rule R_CACHED "name, type, action" "'spammer.com', 'A', 'nodata'"        # new, cached answer
add_rule R_LONG "name, type, action" "'*.sub.example.com', '*', 'nodata'"   # longer '*.'
add_rule R_WTXTBLOCK "name, type, action" "'*.example.com', 'TXT', 'nodata'" # equal specificity
add_rule R_WTXTALLOW "name, type, action" "'*.example.com', 'TXT', 'allow'"  #   at a '*.' node
add_rule R_UPPER "name, type" "'SPAMMER.COM.', 'MX'"                         # upper case, dot
sql "DELETE FROM policy WHERE id = $R_MX;"                                  # deleted
sql "DELETE FROM policy WHERE id = $R_TXT;"                                 # deleted
# a rule that expires a few seconds from now, while Unbound runs
add_rule R_SOON "name, type, action, expires_at" \
    "'alias.example.net', 'A', 'nxdomain', datetime('now', '+5 seconds')"
soon_epoch=$(sql "SELECT strftime('%s', expires_at) FROM policy WHERE id = $R_SOON")
reload
check "reload: module loaded 20 rules of 22 rows" \
    log_has "rrpolicy .*: loaded 20 rules \(revision [0-9]+\) from $RRPOLICY_DB .*\(22 rows: 1 disabled, 1 expired, 0 malformed\)"

# the rule expiring soon applies now, and stops applying once expires_at has passed, without a
# reload (blocked answers are not cached: each query goes through the module)
out=$(q alias.example.net A)
if [ "$(date +%s)" -lt "$soon_epoch" ]; then
    check_nxdomain_at "rule expiring soon applies before expires_at: alias.example.net A" "$out" \
        alias.example.net. "$R_SOON" 30
else
    report_fail "rule expiring soon: checked too late (reload took more than 5 s)"
fi
now=$(date +%s)
[ "$now" -gt "$soon_epoch" ] || sleep $((soon_epoch - now + 1))
check_real "rule past its expires_at no longer applies (no reload): alias.example.net A" \
    "$(q alias.example.net A)" "alias.example.net. IN A 192.0.2.40"

# the rule typed as 'SPAMMER.COM.' blocks spammer.com MX; the deleted one is gone
check_nullmx "rule 'SPAMMER.COM.': spammer.com MX (TTL now 30)" "$(q spammer.com MX)" \
    spammer.com. "$R_UPPER" 30
check_real "deleted rule no longer applies: spammer.com TXT" "$(q spammer.com TXT)" \
    'spammer.com. IN TXT "v=spf1 include:_spf.google.com ~all"'
# the answer cached before its rule existed is blocked now
check_nodata_at "answer cached before its rule: spammer.com A" "$(q spammer.com A)" \
    spammer.com. "$R_CACHED" 30
check "spammer.com A: auth server not asked" not auth_saw spammer.com A
# negative_ttl = 30 everywhere
out=$(q mailhost.alias.example.net A)
check_nxdomain_at "negative_ttl 30: mailhost.alias.example.net A" "$out" \
    mailhost.alias.example.net. "$R_NXDOMAIN" 30
check_eq "negative_ttl 30: SOA TTL" 30 "$(ttls_of AUTHORITY "$out")"
check_nullmx "negative_ttl 30: shared.alias.example.net MX" "$(q shared.alias.example.net MX)" \
    shared.alias.example.net. "$R_NULLMX" 30
# a longer '*.' rule beats a shorter one, even the shorter's named type
check_nodata_at "longer '*.' beats shorter: deep.sub.example.com A" \
    "$(q deep.sub.example.com A)" sub.example.com. "$R_LONG" 30
check_nodata_at "longer '*.' '*' beats shorter '*.' MX: deep.sub.example.com MX" \
    "$(q deep.sub.example.com MX)" sub.example.com. "$R_LONG" 30
check_nxdomain_at "shorter '*.' still applies beside it: a.example.com A" "$(q a.example.com A)" \
    example.com. "$R_WILD" 30
# allow beats block at equal specificity on a '*.' node
check_real "allow beats block at a '*.' node: a.example.com TXT" "$(q a.example.com TXT)" \
    'a.example.com. IN TXT "a.example.com"'

# ---------------------------------------------------------------- 6. bad input

sqlite_rejects "bad name 'a..b'" "INSERT INTO policy(name, type) VALUES ('a..b', 'MX');" \
    "rrpolicy: invalid name: empty label (leading dot or two dots in a row)"
sqlite_rejects "'*' in the middle" "INSERT INTO policy(name, type) VALUES ('mail.*.example.com', 'MX');" \
    "rrpolicy: invalid name: '*' is allowed only as the whole first label, as in '*.example.com'"
sqlite_rejects "label of 64 octets" \
    "INSERT INTO policy(name, type) VALUES ('$(printf 'a%.0s' $(seq 64)).example.com', 'MX');" \
    "rrpolicy: invalid name: label longer than 63 octets"
sqlite_rejects "unknown type 'MXX'" "INSERT INTO policy(name, type) VALUES ('spammer.com', 'MXX');" \
    "rrpolicy: unknown type (give a mnemonic such as MX, TXT or AAAA, TYPEnnn with nnn 1..65535, or '*' for every type)"
sqlite_rejects "unknown action 'blok'" \
    "INSERT INTO policy(name, type, action) VALUES ('spammer.com', 'MX', 'blok');" \
    "rrpolicy: unknown action (one of block, nullmx, nodata, nxdomain, refused, servfail, drop, log, allow, require-secure; lower case)"
sqlite_rejects "nullmx on TXT" \
    "INSERT INTO policy(name, type, action) VALUES ('spammer.com', 'TXT', 'nullmx');" \
    "rrpolicy: action 'nullmx' applies to type MX only"
sqlite_rejects "UPDATE to a bad name" "UPDATE policy SET name = 'a..b' WHERE id = $R_UPPER;" \
    "rrpolicy: invalid name: empty label (leading dot or two dots in a row)"
sqlite_rejects "bad expires_at" \
    "INSERT INTO policy(name, type, expires_at) VALUES ('spammer.com', 'MX', 'tomorrow');" \
    "rrpolicy: expires_at must be NULL or a valid UTC time 'YYYY-MM-DD HH:MM:SS'"

# a malformed row that bypassed the schema (its triggers dropped) is skipped at load, by id
sql "DROP TRIGGER policy_check_insert; DROP TRIGGER policy_check_update;"
add_rule R_BADNAME "name, type" "'bad..name', 'MX'"
add_rule R_BADTYPE "name, type" "'www.spammer.com', 'NOPE'"
add_rule R_METATYPE "name, type" "'spammer.com', 'AXFR'"
reload
check "log: row $R_BADNAME skipped, naming its id and reason" \
    wait_log "rrpolicy: skipping policy row id $R_BADNAME \(name 'bad\.\.name'.*\): empty label"
check "log: row $R_BADTYPE skipped, naming its id and reason" \
    wait_log "rrpolicy: skipping policy row id $R_BADTYPE \(name 'www\.spammer\.com', type 'NOPE'.*\): unknown type"
check "log: row $R_METATYPE, of a type Unbound answers itself (AXFR), skipped: it would never match" \
    wait_log "rrpolicy: skipping policy row id $R_METATYPE \(name 'spammer\.com', type 'AXFR'.*\): a type no query reaches the module with and no answer holds .*: the rule would never match"
check "log: the good rules still loaded (19 of 25 rows, 3 malformed)" \
    log_has "rrpolicy .*: loaded 19 rules \(revision [0-9]+\) from $RRPOLICY_DB .*\(25 rows: 1 disabled, 2 expired, 3 malformed\)"
check_nullmx "good rules still apply: spammer.com MX" "$(q spammer.com MX)" \
    spammer.com. "$R_UPPER" 30
check_nxdomain_at "good rules still apply: www.spammer.com A" "$(q www.spammer.com A)" \
    www.spammer.com. "$R_STAR" 30
check_real "Unbound keeps answering: nxdomain.com MX" "$(q nxdomain.com MX)" \
    "nxdomain.com. IN MX 1 aspmx.l.google.com."
check "resolver still running" pid_running "$RESOLVER_PID"

# ---------------------------------------------------------------- 7. missing and corrupt database

# missing: the module creates it with the schema
stop_resolver
mv "$T/resolver.log" "$T/resolver-1.log"
RRPOLICY_DB=$T/created.db
check "no $RRPOLICY_DB before start" test ! -e "$RRPOLICY_DB"
start_resolver "qname-minimisation: no"
# (at start, or within a few seconds in the background: either way without a reload)
check "missing database: module logged 0 rules from the new file" \
    wait_log "rrpolicy .*: loaded 0 rules \(revision [0-9]+\) from $RRPOLICY_DB" 5
check "missing database: file created" test -f "$RRPOLICY_DB"
# (read-only from here: the sqlite3 CLI must not create the file itself)
# the version schema/schema.sql makes
SCHEMA_VERSION=$(sed -n 's/^PRAGMA user_version = \([0-9]*\);$/\1/p' "$REPO_ROOT/schema/schema.sql")
check_eq "created database: user_version $SCHEMA_VERSION (schema.sql's)" "$SCHEMA_VERSION" \
    "$(sqlite3 -readonly "$RRPOLICY_DB" 'PRAGMA user_version')"
check_eq "created database: tables policy and setting" "policy
setting" "$(sqlite3 -readonly "$RRPOLICY_DB" "SELECT name FROM sqlite_schema WHERE type = 'table'
    AND name IN ('policy', 'setting') ORDER BY name")"
check_eq "created database: negative_ttl default 60" 60 \
    "$(sqlite3 -readonly "$RRPOLICY_DB" "SELECT value FROM setting WHERE key = 'negative_ttl'")"
check "created database: has the schema's triggers" test \
    "$(sqlite3 -readonly "$RRPOLICY_DB" "SELECT count(*) FROM sqlite_schema WHERE name = 'policy_check_insert'")" = 1
check_real "missing database: Unbound answers spammer.com MX unblocked" "$(q spammer.com MX)" \
    "spammer.com. IN MX 10 aspmx.l.google.com.
spammer.com. IN MX 20 alt1.aspmx.l.google.com."
# the created database is a working one: the operator's rule applies after reload
if [ "$(sqlite3 -readonly "$RRPOLICY_DB" 'PRAGMA user_version' 2>/dev/null)" = "$SCHEMA_VERSION" ]; then
    sqlite_rejects "created database rejects bad input" \
        "INSERT INTO policy(name, type) VALUES ('a..b', 'MX');" "rrpolicy: invalid name: empty label"
    add_rule R_NEW "name, type" "'spammer.com', 'MX'"
    reload
    check_nullmx "created database: a rule added with sqlite3 applies after reload" \
        "$(q spammer.com MX)" spammer.com. "$R_NEW"
else
    report_fail "created database: no schema, cannot add a rule to it"
fi

# corrupt: garbage in the file; Unbound starts and answers with no rules, and says why
stop_resolver
mv "$T/resolver.log" "$T/resolver-2.log"
RRPOLICY_DB=$T/corrupt.db
for i in $(seq 64); do echo "this is not an SQLite database, just garbage $i"; done >"$RRPOLICY_DB"
cp "$RRPOLICY_DB" "$T/corrupt.orig"
start_resolver "qname-minimisation: no"
check "corrupt database: resolver running" pid_running "$RESOLVER_PID"
check "corrupt database: log says why (not a database) and that no policy applies" \
    log_has "rrpolicy: .*$RRPOLICY_DB.*not a database.*NO POLICY IS APPLIED"
check "corrupt database: no 'loaded N rules' line" not log_has "rrpolicy .*: loaded [0-9]+ rules"
check_real "corrupt database: Unbound answers spammer.com MX" "$(q spammer.com MX)" \
    "spammer.com. IN MX 10 aspmx.l.google.com.
spammer.com. IN MX 20 alt1.aspmx.l.google.com."
resolver_answers "corrupt database"
check "corrupt database: the file was left as it was" cmp -s "$RRPOLICY_DB" "$T/corrupt.orig"
reload
check "corrupt database: reload survived" pid_running "$RESOLVER_PID"
resolver_answers "corrupt database after reload"

finish
