#!/bin/sh
#
# test_schema.sh - tests of schema/schema.sql, the rrpolicy SQLite schema.
#
# Uses the sqlite3 command line tool the way operators do, on temporary
# databases made from schema/schema.sql.  Every rejected input must make
# sqlite3 exit non-zero AND print the expected 'rrpolicy: ...' message;
# every valid input must succeed.
#
# Usage: tests/schema/test_schema.sh
#   top_srcdir   source tree (default: two levels above this script)
#   SQLITE3      sqlite3 binary (default: sqlite3)
#
# Prints one 'ok - ...' or 'not ok - ...' line per check, then
# 'N passed, M failed'.  Exits 1 if any check failed, 77 (skip) if sqlite3
# is missing.

top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
SCHEMA=$top_srcdir/schema/schema.sql
SQLITE3=${SQLITE3:-sqlite3}

if ! command -v "$SQLITE3" >/dev/null 2>&1; then
    echo "# $SQLITE3 not found, skipping"
    exit 77
fi
if [ ! -r "$SCHEMA" ]; then
    echo "not ok - schema file $SCHEMA readable"
    echo "0 passed, 1 failed"
    exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/test_schema.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 1' HUP INT TERM

passed=0
failed=0

pass() {
    passed=$((passed + 1))
    echo "ok - $1"
}

fail() {
    failed=$((failed + 1))
    echo "not ok - $1"
    shift
    for line in "$@"; do
        printf '%s\n' "$line" | sed 's/^/#   /'
    done
}

# sql SQL...: run statements on the current database $DB, like an operator.
sql() {
    "$SQLITE3" -batch "$DB" "$@"
}

# newdb NAME: make $DB a fresh copy of the template database.
newdb() {
    DB=$TMP/$1.db
    cp "$TMP/template.db" "$DB"
}

# expect_fail DESC SQL TEXT: SQL must fail and print TEXT.
expect_fail() {
    out=$(sql "$2" 2>&1)
    rc=$?
    if [ "$rc" -eq 0 ]; then
        fail "$1" "sql: $2" "exit status 0, expected failure with: $3" \
            "output: $out"
    elif printf '%s\n' "$out" | grep -qF -- "$3"; then
        pass "$1"
    else
        fail "$1" "sql: $2" "exit status $rc, expected message: $3" \
            "output: $out"
    fi
}

# expect_ok DESC SQL: SQL must succeed without printing an error.
expect_ok() {
    out=$(sql "$2" 2>&1)
    rc=$?
    if [ "$rc" -eq 0 ] && ! printf '%s\n' "$out" | grep -q 'Error'; then
        pass "$1"
    else
        fail "$1" "sql: $2" "exit status $rc, output: $out"
    fi
}

# expect_eq DESC SQL EXPECTED: SQL must succeed and print EXPECTED.
expect_eq() {
    out=$(sql "$2" 2>&1)
    rc=$?
    if [ "$rc" -eq 0 ] && [ "$out" = "$3" ]; then
        pass "$1"
    else
        fail "$1" "sql: $2" "exit status $rc" "expected: $3" "got:      $out"
    fi
}

# expect_silent DESC RC OUTPUT: a run of sqlite3 that exited with RC and
# printed OUTPUT must have succeeded and printed nothing. Returns 1 if not.
expect_silent() {
    if [ "$2" -eq 0 ] && [ -z "$3" ]; then
        pass "$1"
    else
        fail "$1" "exit status $2, output: $3"
        return 1
    fi
}

# rep N STRING: STRING repeated N times.
rep() {
    _n=$1
    _s=
    while [ "$_n" -gt 0 ]; do
        _s=$_s$2
        _n=$((_n - 1))
    done
    printf '%s' "$_s"
}

# ---------------------------------------------------------------------
# Creating the database
# ---------------------------------------------------------------------

out=$("$SQLITE3" -batch -bail "$TMP/template.db" < "$SCHEMA" 2>&1)
if ! expect_silent "schema applies to an empty database with sqlite3 -bail" $? "$out"; then
    echo "$passed passed, $failed failed"
    exit 1
fi

# The module runs the file inside a transaction it opens itself.
out=$({ echo 'BEGIN;'; cat "$SCHEMA"; echo 'COMMIT;'; } |
      "$SQLITE3" -batch -bail "$TMP/intx.db" 2>&1)
expect_silent "schema applies inside a transaction (no BEGIN/COMMIT in it)" $? "$out"

if grep -qi 'journal_mode' "$SCHEMA"; then
    fail "schema does not set PRAGMA journal_mode"
else
    pass "schema does not set PRAGMA journal_mode"
fi

newdb main
expect_eq "user_version is 6" "PRAGMA user_version;" "6"
expect_eq "tables, views and indexes exist" \
    "SELECT group_concat(type || ' ' || name, ', ') FROM
       (SELECT type, name FROM sqlite_schema
        WHERE name IN ('policy', 'rrtype', 'setting', 'hit', 'hit_drop',
                       'hits_per_rule_per_day', 'top_clients',
                       'top_blocked_names', 'recent_hits',
                       'policy_name', 'hit_ts', 'hit_policy_id')
        ORDER BY type, name);" \
    "index hit_ts, index policy_name, table hit, table hit_drop, table policy, table rrtype, table setting, view hits_per_rule_per_day, view recent_hits, view top_blocked_names, view top_clients"
expect_eq "index policy_name is on policy(name)" \
    "SELECT group_concat(name) FROM pragma_index_info('policy_name');" "name"
# the README's "who triggered rule 1 in the last hour" (taken from the README)
# reads the last hour's hits (index hit_ts), not every hit of the rule
COOKBOOK_HITS=$(sed -n '/^-- who triggered rule 1 in the last hour/,/;$/p' "$top_srcdir/README.md" | sed 1d)
[ -n "$COOKBOOK_HITS" ] || fail "the README has the query 'who triggered rule 1 in the last hour'"
# cookbook_plan LABEL: the query's plan searches hit through index hit_ts.
cookbook_plan() {
    out=$(sql "EXPLAIN QUERY PLAN $COOKBOOK_HITS" 2>&1)
    if printf '%s\n' "$out" | grep -q 'SEARCH hit USING INDEX hit_ts (ts>?)'; then
        pass "$1"
    else
        fail "$1" "plan: $out"
    fi
}
cookbook_plan "the hits of a rule in the last hour are found through index hit_ts"
expect_eq "policy has the agreed columns and defaults" \
    "SELECT group_concat(name || ':' || type || ':' || \"notnull\" || ':' ||
                         coalesce(dflt_value, '-') || ':' || pk, ' ')
     FROM pragma_table_info('policy');" \
    "id:INTEGER:0:-:1 name:TEXT:1:-:0 type:TEXT:1:'*':0 action:TEXT:1:'block':0 enabled:INTEGER:1:1:0 expires_at:TEXT:0:-:0 comment:TEXT:0:-:0 created_at:TEXT:1:datetime('now'):0 trigger:TEXT:1:'qname':0 scope:TEXT:1:'any':0"
expect_eq "hit has the agreed columns" \
    "SELECT group_concat(name || ':' || type || ':' || \"notnull\", ' ')
     FROM pragma_table_info('hit');" \
    "id:INTEGER:0 ts:TEXT:1 client:TEXT:1 qname:TEXT:1 qtype:TEXT:1 policy_id:INTEGER:0 action:TEXT:1 stage:TEXT:1 dnssec:TEXT:0 count:INTEGER:1"

# ---------------------------------------------------------------------
# rrtype
# ---------------------------------------------------------------------

expect_eq "rrtype: codes are 1..65535, unique, mnemonics upper case" \
    "SELECT count(*) FROM rrtype
     WHERE code NOT BETWEEN 1 AND 65535 OR mnemonic <> upper(mnemonic)
        OR typeof(code) <> 'integer';" "0"
expect_eq "rrtype: well-known codes" \
    "SELECT group_concat(mnemonic || '=' || code, ' ') FROM
       (SELECT * FROM rrtype
        WHERE mnemonic IN ('A', 'NS', 'CNAME', 'SOA', 'PTR', 'MX', 'TXT',
              'AAAA', 'SRV', 'NAPTR', 'DS', 'RRSIG', 'NSEC', 'DNSKEY',
              'NSEC3', 'TLSA', 'SVCB', 'HTTPS', 'SPF', 'ANY', 'CAA', 'URI',
              'OPT', 'NSAP-PTR', 'AXFR', 'IXFR', 'TSIG', 'TKEY', 'ZONEMD',
              'AMTRELAY', 'DLV', 'TA', 'NULL', 'WKS', 'A6')
        ORDER BY code);" \
    "A=1 NS=2 CNAME=5 SOA=6 NULL=10 WKS=11 PTR=12 MX=15 TXT=16 NSAP-PTR=23 AAAA=28 SRV=33 NAPTR=35 A6=38 OPT=41 DS=43 RRSIG=46 NSEC=47 DNSKEY=48 NSEC3=50 TLSA=52 ZONEMD=63 SVCB=64 HTTPS=65 SPF=99 TKEY=249 TSIG=250 IXFR=251 AXFR=252 ANY=255 URI=256 CAA=257 AMTRELAY=260 TA=32768 DLV=32769"
missing=
for t in A NS CNAME SOA PTR HINFO MX TXT RP AFSDB SIG KEY AAAA LOC SRV \
         NAPTR KX CERT DNAME APL DS SSHFP IPSECKEY RRSIG NSEC DNSKEY DHCID \
         NSEC3 NSEC3PARAM TLSA SMIMEA HIP CDS CDNSKEY OPENPGPKEY CSYNC \
         ZONEMD SVCB HTTPS SPF NID L32 L64 LP EUI48 EUI64 TKEY TSIG IXFR \
         AXFR ANY URI CAA AVC DOA AMTRELAY NULL WKS MB MG MR MINFO MD MF \
         NSAP NSAP-PTR PX GPOS X25 ISDN RT ATMA A6 SINK OPT; do
    n=$(sql "SELECT count(*) FROM rrtype WHERE mnemonic = '$t';")
    [ "$n" = 1 ] || missing="$missing $t"
done
if [ -z "$missing" ]; then
    pass "rrtype: every required mnemonic is present"
else
    fail "rrtype: every required mnemonic is present" "missing:$missing"
fi

# ---------------------------------------------------------------------
# policy: valid rules
# ---------------------------------------------------------------------

newdb valid
expect_eq "policy: INSERT (name, type) succeeds and fills the defaults" \
    "INSERT INTO policy(name, type) VALUES ('spammer.com', 'MX');
     SELECT name, type, action, enabled, quote(expires_at), quote(comment),
            created_at = datetime(created_at)
            AND abs(julianday(created_at) - julianday('now')) < 0.01
     FROM policy WHERE id = last_insert_rowid();" \
    "spammer.com|MX|block|1|NULL|NULL|1"
expect_eq "policy: type defaults to '*'" \
    "INSERT INTO policy(name) VALUES ('example.net');
     SELECT type, action, enabled FROM policy WHERE id = last_insert_rowid();" \
    "*|block|1"

l63=$(rep 63 a)
n253=$l63.$l63.$l63.$(rep 61 b)
for name in 'spammer.com.' '*.example.com' '*.example.com.' \
            'xn--bcher-kva.example' '_dmarc.example.com' 'SPAMMER.Com' \
            'com' 'com.' '_25._tcp.mail.example.com' 'a-b.c_d.e' \
            '123.example' "$l63.example.com" "$l63.example.$l63." \
            "$n253" "$n253." "*.$l63.$l63.$l63.$(rep 59 c)"; do
    # stored in lower case, without the trailing dot
    stored=$(printf '%s' "$name" | tr '[:upper:]' '[:lower:]' | sed 's/\.$//')
    expect_eq "policy: valid name '$(printf %.40s "$name")' (length ${#name}), stored as '$(printf %.40s "$stored")'" \
        "INSERT INTO policy(name, type) VALUES ('$name', 'TXT');
         SELECT name FROM policy WHERE id = last_insert_rowid();" "$stored"
done

for type in 'MX' 'mx' 'Mx' 'type65' 'TYPE65535' 'TYPE1' 'Type15' 'https' \
            '*' 'nsap-ptr' 'ANY' 'svcb' 'caa' 'dlv' 'TYPE9'; do
    expect_eq "policy: valid type '$type'" \
        "INSERT INTO policy(name, type) VALUES ('t.example', '$type');
         SELECT type FROM policy WHERE id = last_insert_rowid();" "$type"
done

for action in block nodata nxdomain refused servfail drop log allow; do
    expect_eq "policy: valid action '$action'" \
        "INSERT INTO policy(name, type, action)
         VALUES ('a.example', 'TXT', '$action');
         SELECT action FROM policy WHERE id = last_insert_rowid();" "$action"
done
expect_eq "policy: action 'nullmx' on type MX" \
    "INSERT INTO policy(name, type, action) VALUES ('a.example', 'MX', 'nullmx');
     SELECT action FROM policy WHERE id = last_insert_rowid();" "nullmx"
expect_eq "policy: action 'nullmx' on type mx" \
    "INSERT INTO policy(name, type, action) VALUES ('a.example', 'mx', 'nullmx');
     SELECT action FROM policy WHERE id = last_insert_rowid();" "nullmx"
expect_eq "policy: action 'nullmx' on type TYPE15 (= MX)" \
    "INSERT INTO policy(name, type, action) VALUES ('a.example', 'TYPE15', 'nullmx');
     SELECT action FROM policy WHERE id = last_insert_rowid();" "nullmx"

expect_eq "policy: enabled 0" \
    "INSERT INTO policy(name, enabled) VALUES ('e.example', 0);
     SELECT enabled FROM policy WHERE id = last_insert_rowid();" "0"
expect_eq "policy: enabled '1' (text, stored as integer 1)" \
    "INSERT INTO policy(name, enabled) VALUES ('e.example', '1');
     SELECT typeof(enabled), enabled FROM policy WHERE id = last_insert_rowid();" \
    "integer|1"
expect_eq "policy: valid expires_at" \
    "INSERT INTO policy(name, expires_at) VALUES ('x.example', '2030-12-31 23:59:59');
     SELECT expires_at FROM policy WHERE id = last_insert_rowid();" \
    "2030-12-31 23:59:59"
expect_eq "policy: valid expires_at on 29 February of a leap year" \
    "INSERT INTO policy(name, expires_at) VALUES ('x.example', '2028-02-29 00:00:00');
     SELECT expires_at FROM policy WHERE id = last_insert_rowid();" \
    "2028-02-29 00:00:00"
expect_eq "policy: expires_at NULL" \
    "INSERT INTO policy(name, expires_at) VALUES ('x.example', NULL);
     SELECT quote(expires_at) FROM policy WHERE id = last_insert_rowid();" "NULL"
expect_eq "policy: comment is free text" \
    "INSERT INTO policy(name, comment) VALUES ('x.example', 'ticket #42: a..b *');
     SELECT comment FROM policy WHERE id = last_insert_rowid();" \
    "ticket #42: a..b *"

# ---------------------------------------------------------------------
# policy: rejected names
# ---------------------------------------------------------------------

newdb reject
# reject_name DESC NAME-SQL-LITERAL MESSAGE
reject_name() {
    expect_fail "policy: rejects name $1" \
        "INSERT INTO policy(name, type) VALUES ($2, 'MX');" "$3"
}
reject_name "''" "''" "rrpolicy: invalid name '': empty"
reject_name "NULL" "NULL" "rrpolicy: invalid name: NULL"
reject_name "blob x'41'" "x'41'" "rrpolicy: invalid name: not text"
reject_name "'.' (root)" "'.'" \
    "rrpolicy: invalid name '.': the root is not allowed"
reject_name "'*.'" "'*.'" \
    "rrpolicy: invalid name '*.': a bare wildcard is not allowed"
reject_name "'*'" "'*'" \
    "rrpolicy: invalid name '*.': a bare wildcard is not allowed"

EMPTY="rrpolicy: invalid name: empty label"
for name in 'a..b' '.example.com' 'example.com..' '..' '...' '*..b' \
            'a.b..' '.a' '.a.'; do
    reject_name "'$name' (empty label)" "'$name'" "$EMPTY"
done

WILD="rrpolicy: invalid name: '*' is allowed only as the whole first label"
for name in '*example.com' 'a*.b' 'x.*.b' '**.b' '*.*.b' 'example.*' \
            'example.*.' 'a.b*' '*a.b' '*-.b'; do
    reject_name "'$name' (misplaced wildcard)" "'$name'" "$WILD"
done

CHAR="rrpolicy: invalid name: invalid character"
# shellcheck disable=SC2016 # 'b$c' is meant literally
for name in 'a b' ' a.b' 'a.b ' 'a\.b' 'a\046b' 'ex@mple.com' 'a/b' \
            'a,b' 'a;b' 'a:b' 'a+b' 'a!b' 'a%b' 'a(b)' 'a[b]' 'a?b' \
            'a~b' 'a"b' 'b$c' 'münchen.de' 'a=b'; do
    reject_name "'$name' (bad character)" "'$name'" "$CHAR"
done
reject_name "with a tab" "'a' || char(9) || 'b'" "$CHAR"
reject_name "with a newline" "'a' || char(10) || 'b'" "$CHAR"
reject_name "with a NUL" "'a' || char(0) || 'b'" "$CHAR"
reject_name "with a quote" "'a''b'" "$CHAR"

LABEL="rrpolicy: invalid name: label longer than 63 octets"
l64=$(rep 64 a)
reject_name "with a 64-octet first label" "'$l64.example'" "$LABEL"
reject_name "with a 64-octet middle label" "'a.$l64.example'" "$LABEL"
reject_name "with a 64-octet last label" "'example.$l64'" "$LABEL"
reject_name "with a 64-octet last label and trailing dot" \
    "'example.$l64.'" "$LABEL"
reject_name "of one 64-octet label" "'$l64'" "$LABEL"
reject_name "with a 200-octet label" "'$(rep 200 z).com'" "$LABEL"
reject_name "'*.' + 64-octet label" "'*.$l64'" "$LABEL"

LONG="rrpolicy: invalid name: longer than 253 characters"
n254=$l63.$l63.$l63.$(rep 62 b)
reject_name "of 254 characters" "'$n254'" "$LONG"
reject_name "of 254 characters plus trailing dot" "'$n254.'" "$LONG"
reject_name "of 300 characters" "'$n254.$(rep 45 d)'" "$LONG"

expect_eq "policy: no rejected name was stored" \
    "SELECT count(*) FROM policy;" "0"

# ---------------------------------------------------------------------
# policy: rejected types, actions, enabled, expires_at
# ---------------------------------------------------------------------

TYPE="rrpolicy: unknown type"
for type in 'XYZ' '' 'TYPE' 'TYPE0' 'TYPE065' 'TYPE00001' 'TYPE65536' \
            'TYPE99999' 'TYPE999999' 'TYPE18446744073709551617' 'TYPE-1' \
            'TYPE+1' 'TYPE1x' 'TYPE 1' 'TYPE1.0' ' MX' 'MX ' 'M X' '**' \
            'NSAP_PTR' 'ALL' 'IN' 'mx.' '15' 'TYP15' 'XTYPE15'; do
    expect_fail "policy: rejects type '$type'" \
        "INSERT INTO policy(name, type) VALUES ('a.example', '$type');" \
        "$TYPE"
done
expect_fail "policy: rejects type NULL" \
    "INSERT INTO policy(name, type) VALUES ('a.example', NULL);" "$TYPE"
expect_fail "policy: rejects type TYPE1 followed by a NUL" \
    "INSERT INTO policy(name, type) VALUES ('a.example', 'TYPE1' || char(0) || '2');" "$TYPE"
expect_fail "policy: rejects type MX followed by a NUL" \
    "INSERT INTO policy(name, type) VALUES ('a.example', 'MX' || char(0));" "$TYPE"
expect_fail "policy: rejects type 15 (integer)" \
    "INSERT INTO policy(name, type) VALUES ('a.example', 15);" "$TYPE"

ACTION="rrpolicy: unknown action (one of block, nullmx, nodata, nxdomain, refused, servfail, drop, log, allow"
for action in 'foo' '' 'BLOCK' 'Block' 'block ' 'deny' 'nxdomain;' '1'; do
    expect_fail "policy: rejects action '$action'" \
        "INSERT INTO policy(name, type, action) VALUES ('a.example', 'MX', '$action');" \
        "$ACTION"
done
expect_fail "policy: rejects action NULL" \
    "INSERT INTO policy(name, type, action) VALUES ('a.example', 'MX', NULL);" \
    "$ACTION"

NULLMX="rrpolicy: action 'nullmx' applies to type MX only"
for type in '*' 'TXT' 'A' 'TYPE16' 'TYPE150' 'MINFO' 'HTTPS'; do
    expect_fail "policy: rejects nullmx with type '$type'" \
        "INSERT INTO policy(name, type, action) VALUES ('a.example', '$type', 'nullmx');" \
        "$NULLMX"
done
expect_fail "policy: rejects nullmx with the default type '*'" \
    "INSERT INTO policy(name, action) VALUES ('a.example', 'nullmx');" \
    "$NULLMX"

ENABLED="rrpolicy: enabled must be 0 or 1"
for enabled in 2 -1 "'yes'" "'true'" NULL 0.5 "''" "x'01'"; do
    expect_fail "policy: rejects enabled $enabled" \
        "INSERT INTO policy(name, enabled) VALUES ('a.example', $enabled);" \
        "$ENABLED"
done

EXPIRES="rrpolicy: expires_at must be NULL or a valid UTC time 'YYYY-MM-DD HH:MM:SS'"
for exp in "'2030-01-01'" "'2030-01-01T00:00:00'" "'2030-01-01 00:00'" \
           "'2030-02-30 00:00:00'" "'2029-02-29 00:00:00'" \
           "'2030-13-01 00:00:00'" "'2030-01-01 24:00:00'" \
           "'2030-01-01 23:60:00'" "'2030-01-01 00:00:00Z'" \
           "'2030-01-01 00:00:00+02:00'" "'2030-01-01 00:00:00.000'" \
           "' 2030-01-01 00:00:00'" "'2030-1-1 0:0:0'" "'tomorrow'" \
           "'now'" "''" 1893456000 2462502.5 "x'00'"; do
    expect_fail "policy: rejects expires_at $exp" \
        "INSERT INTO policy(name, expires_at) VALUES ('a.example', $exp);" \
        "$EXPIRES"
done

expect_fail "policy: a multi-row INSERT with one bad row fails" \
    "INSERT INTO policy(name) VALUES ('ok.example'), ('a..b'), ('ok2.example');" \
    "$EMPTY"
expect_eq "policy: ... and stores none of its rows" \
    "SELECT count(*) FROM policy;" "0"
expect_fail "policy: INSERT through the policy_validate view checks too" \
    "INSERT INTO policy_validate VALUES ('a..b', 'MX', 'block', 1, NULL, 'qname', 'any');" \
    "$EMPTY"

# ---------------------------------------------------------------------
# policy: UPDATE is checked like INSERT
# ---------------------------------------------------------------------

newdb update
sql "INSERT INTO policy(id, name, type, action) VALUES (1, 'spammer.com', 'MX', 'nullmx');"
sql "INSERT INTO policy(id, name, type) VALUES (2, '*.example.com', 'TXT');"
expect_fail "policy: UPDATE to an empty label is rejected" \
    "UPDATE policy SET name = 'a..b' WHERE id = 2;" "$EMPTY"
expect_fail "policy: UPDATE to a misplaced wildcard is rejected" \
    "UPDATE policy SET name = 'x.*.b' WHERE id = 2;" "$WILD"
expect_fail "policy: UPDATE to a bad character is rejected" \
    "UPDATE policy SET name = 'a b' WHERE id = 2;" "$CHAR"
expect_fail "policy: UPDATE to a long label is rejected" \
    "UPDATE policy SET name = '$l64' WHERE id = 2;" "$LABEL"
expect_fail "policy: UPDATE to a long name is rejected" \
    "UPDATE policy SET name = '$n254' WHERE id = 2;" "$LONG"
expect_fail "policy: UPDATE to name '' is rejected" \
    "UPDATE policy SET name = '' WHERE id = 2;" "rrpolicy: invalid name '': empty"
expect_fail "policy: UPDATE to an unknown type is rejected" \
    "UPDATE policy SET type = 'XYZ' WHERE id = 2;" "$TYPE"
expect_fail "policy: UPDATE to an unknown action is rejected" \
    "UPDATE policy SET action = 'foo' WHERE id = 2;" "$ACTION"
expect_fail "policy: UPDATE of a nullmx rule to type TXT is rejected" \
    "UPDATE policy SET type = 'TXT' WHERE id = 1;" "$NULLMX"
expect_fail "policy: UPDATE of a TXT rule to action nullmx is rejected" \
    "UPDATE policy SET action = 'nullmx' WHERE id = 2;" "$NULLMX"
expect_fail "policy: UPDATE to enabled 2 is rejected" \
    "UPDATE policy SET enabled = 2 WHERE id = 2;" "$ENABLED"
expect_fail "policy: UPDATE to a bad expires_at is rejected" \
    "UPDATE policy SET expires_at = '2030-02-30 00:00:00' WHERE id = 2;" \
    "$EXPIRES"
expect_fail "policy: UPDATE of every row fails if one becomes bad" \
    "UPDATE policy SET action = 'nullmx';" "$NULLMX"
expect_eq "policy: rejected UPDATEs changed nothing" \
    "SELECT group_concat(id || ' ' || name || ' ' || type || ' ' || action || ' ' ||
                         enabled || ' ' || quote(expires_at), ', ')
     FROM (SELECT * FROM policy ORDER BY id);" \
    "1 spammer.com MX nullmx 1 NULL, 2 *.example.com TXT block 1 NULL"
expect_eq "policy: valid UPDATE succeeds" \
    "UPDATE policy SET enabled = 0, expires_at = '2031-01-01 00:00:00',
                      name = 'Spammer.com.', type = 'mx' WHERE id = 1;
     SELECT name, type, enabled, expires_at FROM policy WHERE id = 1;" \
    "spammer.com|mx|0|2031-01-01 00:00:00"
expect_ok "policy: DELETE of a rule succeeds" \
    "DELETE FROM policy WHERE id = 2;"

# ---------------------------------------------------------------------
# policy: trigger, scope and require-secure (schema version 2)
# ---------------------------------------------------------------------

newdb trig
expect_eq "policy: trigger defaults to 'qname', scope to 'any'" \
    "INSERT INTO policy(name, type) VALUES ('d.example', 'MX');
     SELECT trigger, scope FROM policy WHERE id = last_insert_rowid();" \
    "qname|any"

TRIGGER="rrpolicy: unknown trigger (one of qname, target, answer-ip; lower case)"
SCOPE="rrpolicy: unknown scope (any or mailhost; lower case)"
MAILHOST="rrpolicy: scope 'mailhost' applies to trigger 'answer-ip' only"
for t in "'QNAME'" "'Target'" "'answer_ip'" "'answerip'" "'rpz-ip'" "''" \
         "' qname'" NULL 1 "x'716e616d65'"; do
    expect_fail "policy: rejects trigger $t" \
        "INSERT INTO policy(name, type, trigger) VALUES ('a.example', 'MX', $t);" \
        "$TRIGGER"
done
expect_fail "policy: an unknown trigger is named before a bad name" \
    "INSERT INTO policy(name, trigger) VALUES ('198.51.100.0/24', 'answer_ip');" \
    "$TRIGGER"
for sc in "'ANY'" "'Mailhost'" "'all'" "''" NULL; do
    expect_fail "policy: rejects scope $sc (trigger qname)" \
        "INSERT INTO policy(name, scope) VALUES ('a.example', $sc);" "$SCOPE"
    expect_fail "policy: rejects scope $sc (trigger answer-ip)" \
        "INSERT INTO policy(name, trigger, scope) VALUES ('192.0.2.1', 'answer-ip', $sc);" \
        "$SCOPE"
done
expect_fail "policy: scope 'mailhost' rejected with trigger qname" \
    "INSERT INTO policy(name, type, scope) VALUES ('a.example', 'MX', 'mailhost');" \
    "$MAILHOST"
expect_fail "policy: scope 'mailhost' rejected with trigger target" \
    "INSERT INTO policy(name, type, trigger, scope) VALUES ('mx.example', 'MX', 'target', 'mailhost');" \
    "$MAILHOST"
expect_eq "policy: scope 'mailhost' with trigger answer-ip" \
    "INSERT INTO policy(name, type, trigger, scope)
     VALUES ('198.51.100.0/24', 'A', 'answer-ip', 'mailhost');
     SELECT trigger, scope FROM policy WHERE id = last_insert_rowid();" \
    "answer-ip|mailhost"

# target: a domain name, checked like a qname rule's; a type with a target
for type in MX mx NS SRV CNAME cname DNAME SVCB HTTPS https '*' TYPE15 type2 \
            TYPE33 TYPE5 TYPE39 TYPE64 Type65; do
    expect_eq "policy: trigger target with type '$type'" \
        "INSERT INTO policy(name, type, trigger) VALUES ('*.bad-mx.example', '$type', 'target');
         SELECT trigger, type FROM policy WHERE id = last_insert_rowid();" \
        "target|$type"
done
TARGETTYPE="rrpolicy: trigger 'target' needs a type whose rdata names a target: MX, NS, SRV, CNAME, DNAME, SVCB or HTTPS"
for type in "'A'" "'AAAA'" "'TXT'" "'PTR'" "'SOA'" "'NAPTR'" "'TYPE16'" "'TYPE015'" \
            "'XYZ'" "''" NULL "'MX '"; do
    expect_fail "policy: trigger target rejects type $type" \
        "INSERT INTO policy(name, type, trigger) VALUES ('mx.example', $type, 'target');" \
        "$TARGETTYPE"
done
expect_fail "policy: trigger target checks the name like qname (empty label)" \
    "INSERT INTO policy(name, type, trigger) VALUES ('a..b', 'MX', 'target');" \
    "rrpolicy: invalid name: empty label"
expect_fail "policy: trigger target checks the name like qname (address)" \
    "INSERT INTO policy(name, type, trigger) VALUES ('192.0.2.0/24', 'MX', 'target');" \
    "rrpolicy: invalid name: invalid character"
expect_eq "policy: trigger target with nullmx on MX" \
    "INSERT INTO policy(name, type, trigger, action) VALUES ('mx.example', 'MX', 'target', 'nullmx');
     SELECT action FROM policy WHERE id = last_insert_rowid();" "nullmx"
expect_fail "policy: trigger target with nullmx on NS" \
    "INSERT INTO policy(name, type, trigger, action) VALUES ('ns.example', 'NS', 'target', 'nullmx');" \
    "rrpolicy: action 'nullmx' applies to type MX only"
for action in block nodata nxdomain refused servfail drop log allow; do
    expect_ok "policy: trigger target with action $action" \
        "INSERT INTO policy(name, type, trigger, action) VALUES ('t.example', '*', 'target', '$action');"
done

# require-secure: qname only, any type
REQSEC="rrpolicy: action 'require-secure' applies to trigger 'qname' only"
for type in '*' MX A TXT TYPE65; do
    expect_eq "policy: require-secure with trigger qname, type '$type'" \
        "INSERT INTO policy(name, type, action) VALUES ('*.bank.example', '$type', 'require-secure');
         SELECT action FROM policy WHERE id = last_insert_rowid();" "require-secure"
done
expect_fail "policy: require-secure rejected with trigger target" \
    "INSERT INTO policy(name, type, trigger, action) VALUES ('mx.example', 'MX', 'target', 'require-secure');" \
    "$REQSEC"
expect_fail "policy: require-secure rejected with trigger answer-ip" \
    "INSERT INTO policy(name, type, trigger, action) VALUES ('192.0.2.1', 'A', 'answer-ip', 'require-secure');" \
    "$REQSEC"
expect_fail "policy: nullmx rejected with trigger answer-ip" \
    "INSERT INTO policy(name, type, trigger, action) VALUES ('192.0.2.1', 'A', 'answer-ip', 'nullmx');" \
    "rrpolicy: action 'nullmx' does not apply to trigger 'answer-ip'"
for action in 'Require-Secure' 'require_secure' 'requiresecure'; do
    expect_fail "policy: rejects action '$action'" \
        "INSERT INTO policy(name, action) VALUES ('a.example', '$action');" \
        "rrpolicy: unknown action (one of block, nullmx, nodata, nxdomain, refused, servfail, drop, log, allow, require-secure"
done

# answer-ip: addresses and prefixes
newdb addr
# good_addr TYPE ADDRESS...: each is accepted with TYPE and stored in lower case
good_addr() {
    _t=$1
    shift
    for a in "$@"; do
        expect_eq "policy: answer-ip accepts '$a' (type $_t)" \
            "INSERT INTO policy(name, type, trigger) VALUES ('$a', '$_t', 'answer-ip');
             SELECT name FROM policy WHERE id = last_insert_rowid();" \
            "$(printf '%s' "$a" | tr 'A-F' 'a-f')"
    done
}
# bad_addr MESSAGE TYPE ADDRESS...: each is rejected with MESSAGE
bad_addr() {
    _m=$1
    _t=$2
    shift 2
    for a in "$@"; do
        expect_fail "policy: answer-ip rejects '$a' (type $_t)" \
            "INSERT INTO policy(name, type, trigger) VALUES ('$a', '$_t', 'answer-ip');" "$_m"
    done
}
good_addr A 203.0.113.7 198.51.100.0/24 0.0.0.0 0.0.0.0/0 255.255.255.255 \
    255.255.255.255/32 10.0.0.0/8 10.128.0.0/9 192.0.2.128/25 192.0.2.1/32 \
    100.64.0.0/10 1.2.3.4
good_addr a 192.0.2.0/24
good_addr TYPE1 192.0.2.0/24
good_addr '*' 192.0.2.0/24 2001:db8::/32
good_addr AAAA 2001:db8::/32 2001:db8::1 :: ::/0 ::1 ::1/128 1:: \
    2001:db8:0:0:8:800:200c:417a 2001:DB8:0:0:8:800:200C:417A 2001:db8::8:800:200c:417a \
    ff01::101 fe80::/10 fe80::/9 1:2:3:4:5:6:7:8 1:2:3:4:5:6:7:: ::2:3:4:5:6:7:8 \
    1::8 0:0:0:0:0:0:0:0/0 ::ffff:192.0.2.1 ::ffff:192.0.2.0/120 ::ffff:0:0/96 \
    ::192.0.2.1 1:2:3:4:5:6:192.0.2.1 64:ff9b::/96 64:ff9b::198.51.100.0/120 \
    2001:db8:8000::/33 2001:db8::/128 2001:0db8:0000::/48 abcd::/16 2001:db8::/31
good_addr aaaa 2001:db8::/32
good_addr TYPE28 2001:db8::/32

V4="rrpolicy: invalid IPv4 address (four decimal octets 0..255 without leading zeros"
V4LEN="rrpolicy: invalid IPv4 prefix length (0..32 without leading zeros"
V6="rrpolicy: invalid IPv6 address (RFC 4291: 8 groups of 1 to 4 hex digits, at most one '::'"
V6LEN="rrpolicy: invalid IPv6 prefix length (0..128 without leading zeros"
HOST="rrpolicy: invalid prefix: host bits are set, write the network address"
ADDR="rrpolicy: invalid address (trigger 'answer-ip' needs an IPv4 or IPv6 address or prefix"
bad_addr "$V4" A 256.1.1.1 1.2.3.256 1.2.3.300 1.2.3.999 1.2.3 1.2.3.4.5 01.2.3.4 \
    1.02.3.4 1.2.3.00 1..2.3 .1.2.3 1.2.3. 1234.1.1.1 1.2.3.0004 4294967295 1.2.3.4.
bad_addr "$V4LEN" A 1.2.3.4/33 1.2.3.0/ 1.2.3.0/024 1.2.3.0/-1 1.2.3.0/+8 \
    1.2.3.0/8/8 1.2.3.0/x 0.0.0.0/1000
bad_addr "$HOST" A 198.51.100.7/24 1.2.3.4/0 10.64.0.0/9 192.0.2.1/31 192.0.2.128/24
bad_addr "$V6" AAAA 2001:db8:::1 1::2::3 ::: 12345:: gggg:: 2001:db8::g \
    1:2:3:4:5:6:7:8:9 1:2:3:4:5:6:7:8:: 1:2:3:4:5:6:7 :1::2 1::2: :1:2:3:4:5:6:7:8 \
    1:2:3:4:5:6:7:8: ::a1.2.3.4 ::ffff:256.0.0.1 ::ffff:1.2.3 ::1.2.3.4:5 \
    1:2:3:4:5:6:7:1.2.3.4 ::ffff:01.2.3.4 '::1 ' '2001:db8::1%eth0'
bad_addr "$V6LEN" AAAA 2001:db8::/129 2001:db8::/033 ::/ ::/-1 ::/1000 ::/x
bad_addr "$HOST" AAAA 2001:db8::1/64 2001:db8:4000::/33 ::ffff:192.0.2.1/120 \
    ::1/0 fe80::/8 2001:db9::/31 1::/15 abcd:ef01::/16
bad_addr "$ADDR" A example.com '' /24 ' 192.0.2.1' '192.0.2.1 ' 192.0.2.1x x
expect_fail "policy: answer-ip rejects NULL" \
    "INSERT INTO policy(name, type, trigger) VALUES (NULL, 'A', 'answer-ip');" "$ADDR"
expect_fail "policy: answer-ip rejects a blob" \
    "INSERT INTO policy(name, type, trigger) VALUES (x'31', 'A', 'answer-ip');" "$ADDR"
expect_fail "policy: answer-ip rejects an address with a NUL" \
    "INSERT INTO policy(name, type, trigger) VALUES ('192.0.2.1' || char(0), 'A', 'answer-ip');" "$ADDR"
bad_addr "rrpolicy: an IPv4 address needs type A, TYPE1 or '*'" AAAA 192.0.2.1 192.0.2.0/24
bad_addr "rrpolicy: an IPv4 address needs type A, TYPE1 or '*'" TYPE28 192.0.2.1
bad_addr "rrpolicy: an IPv6 address needs type AAAA, TYPE28 or '*'" A 2001:db8::1 ::ffff:192.0.2.1
bad_addr "rrpolicy: an IPv6 address needs type AAAA, TYPE28 or '*'" TYPE1 2001:db8::/32
IPTYPE="rrpolicy: trigger 'answer-ip' needs type A (IPv4), AAAA (IPv6), TYPE1, TYPE28 or '*'"
bad_addr "$IPTYPE" MX 192.0.2.1
bad_addr "$IPTYPE" TXT 2001:db8::1
bad_addr "$IPTYPE" A6 2001:db8::1
bad_addr "$IPTYPE" TYPE01 192.0.2.1
expect_fail "policy: answer-ip rejects type NULL" \
    "INSERT INTO policy(name, type, trigger) VALUES ('192.0.2.1', NULL, 'answer-ip');" "$IPTYPE"
for action in block nodata nxdomain refused servfail drop log allow; do
    expect_ok "policy: answer-ip with action $action" \
        "INSERT INTO policy(name, type, trigger, action) VALUES ('192.0.2.0/24', 'A', 'answer-ip', '$action');"
done

# UPDATE is checked the same way
newdb trigupd
sql "INSERT INTO policy(id, name, type, trigger) VALUES (1, '192.0.2.0/24', 'A', 'answer-ip');
     INSERT INTO policy(id, name, type) VALUES (2, 'a.example', 'MX');"
expect_fail "policy: UPDATE to a prefix with host bits is rejected" \
    "UPDATE policy SET name = '192.0.2.1/24' WHERE id = 1;" "$HOST"
expect_fail "policy: UPDATE of an IPv4 rule to type AAAA is rejected" \
    "UPDATE policy SET type = 'AAAA' WHERE id = 1;" \
    "rrpolicy: an IPv4 address needs type A, TYPE1 or '*'"
expect_fail "policy: UPDATE of a name rule to trigger answer-ip is rejected" \
    "UPDATE policy SET trigger = 'answer-ip' WHERE id = 2;" "$IPTYPE"
expect_fail "policy: UPDATE of a name rule to scope mailhost is rejected" \
    "UPDATE policy SET scope = 'mailhost' WHERE id = 2;" "$MAILHOST"
expect_fail "policy: UPDATE of an answer-ip rule to trigger qname checks the name" \
    "UPDATE policy SET trigger = 'qname' WHERE id = 1;" \
    "rrpolicy: invalid name: invalid character"
expect_fail "policy: UPDATE to an unknown trigger is rejected" \
    "UPDATE policy SET trigger = 'ip' WHERE id = 1;" "$TRIGGER"
expect_eq "policy: valid UPDATEs of trigger and scope" \
    "UPDATE policy SET scope = 'mailhost', name = '2001:db8::/32', type = 'AAAA' WHERE id = 1;
     UPDATE policy SET trigger = 'target' WHERE id = 2;
     SELECT group_concat(name || ' ' || type || ' ' || trigger || ' ' || scope, ', ')
     FROM (SELECT * FROM policy ORDER BY id);" \
    "2001:db8::/32 AAAA answer-ip mailhost, a.example MX target any"
expect_fail "policy: the view policy_validate_address checks an address alone" \
    "INSERT INTO policy_validate_address VALUES ('192.0.2.1/24', 'A');" "$HOST"
expect_eq "policy: the view policy_validate checks an answer-ip rule" \
    "INSERT INTO policy_validate VALUES ('192.0.2.0/24', 'A', 'block', 1, NULL, 'answer-ip', 'any');
     SELECT count(*) FROM policy_validate;" "0"

# ---------------------------------------------------------------------
# setting
# ---------------------------------------------------------------------

newdb setting
expect_eq "setting: defaults" \
    "SELECT group_concat(key || '=' || value, ' ') FROM
       (SELECT * FROM setting ORDER BY key);" \
    "hit_log=1 hit_queue_size=65536 hit_retention_days=30 mailhost_max=65536 mailhost_ttl=86400 negative_ttl=60 poll_interval_ms=1000 soa_mname=localhost. soa_rname=nobody.invalid."
expect_eq "setting: every description gives the default" \
    "SELECT count(*) FROM setting
     WHERE description LIKE '%Default: ' || value || '%';" "9"
expect_eq "setting: description is NOT NULL" \
    "SELECT \"notnull\" FROM pragma_table_info('setting')
     WHERE name = 'description';" "1"

expect_fail "setting: INSERT of an unknown key is rejected" \
    "INSERT INTO setting VALUES ('x', '1', 'd');" "rrpolicy: unknown setting"
expect_fail "setting: INSERT of a NULL key is rejected" \
    "INSERT INTO setting VALUES (NULL, '1', 'd');" "rrpolicy: unknown setting"
expect_fail "setting: INSERT of an existing key is rejected" \
    "INSERT INTO setting VALUES ('negative_ttl', '30', 'd');" \
    "rrpolicy: setting exists already"
expect_fail "setting: INSERT OR REPLACE of an existing key is rejected" \
    "INSERT OR REPLACE INTO setting VALUES ('negative_ttl', '30', 'd');" \
    "rrpolicy: setting exists already"
expect_fail "setting: INSERT OR REPLACE with a bad value is rejected" \
    "INSERT OR REPLACE INTO setting VALUES ('negative_ttl', 'x', 'd');" \
    "rrpolicy: setting 'negative_ttl' must be an integer 0..86400"
expect_fail "setting: DELETE of a setting is rejected" \
    "DELETE FROM setting WHERE key = 'negative_ttl';" \
    "rrpolicy: settings cannot be deleted, UPDATE the value back to its default"
expect_fail "setting: DELETE of every setting is rejected" \
    "DELETE FROM setting;" "rrpolicy: settings cannot be deleted"
expect_fail "setting: renaming a key is rejected" \
    "UPDATE setting SET key = 'ttl' WHERE key = 'negative_ttl';" \
    "rrpolicy: a setting cannot be renamed"
newdb revision
expect_eq "revision: starts at 1" "SELECT policy FROM revision;" "1"
expect_eq "revision: insert, update and delete of policy bump it, in the same transaction" \
    "BEGIN; INSERT INTO policy(name, type) VALUES ('a.example', 'MX');
     UPDATE policy SET enabled = 0; DELETE FROM policy; COMMIT;
     SELECT policy FROM revision;" "4"
newdb revision2
expect_eq "revision: a change of setting bumps it" \
    "UPDATE setting SET value = '30' WHERE key = 'negative_ttl';
     SELECT policy FROM revision;" "2"
newdb revision3
expect_fail "revision: a rejected insert fails" \
    "INSERT INTO policy(name) VALUES ('a..b');" "rrpolicy: invalid name"
expect_eq "revision: ... and leaves it alone" "SELECT policy FROM revision;" "1"
expect_eq "status: 'not loaded' before the module ran" \
    "SELECT state, revision FROM status;" "not loaded|1"
expect_eq "status: 'live' when the module loaded the committed revision" \
    "INSERT INTO module_status(id, revision, rules) VALUES (1, 1, 0);
     SELECT state FROM status;" "live"
expect_eq "status: 'pending' after a committed edit not yet loaded" \
    "INSERT INTO policy(name, type) VALUES ('a.example', 'MX');
     SELECT state FROM status;" "pending"
expect_eq "status: 'error' when the module reports one" \
    "UPDATE module_status SET error = 'x'; SELECT state, error FROM status;" "error|x"

newdb setting2
expect_eq "setting: still 9 settings with their defaults" \
    "SELECT count(*) FROM setting WHERE description LIKE '%Default: ' || value || '%';" \
    "9"

# check_int KEY MESSAGE GOOD... -- BAD...
check_int() {
    key=$1
    msg=$2
    shift 2
    good=1
    for v in "$@"; do
        if [ "$v" = -- ]; then
            good=0
            continue
        fi
        if [ $good = 1 ]; then
            expect_eq "setting: $key = $v accepted" \
                "UPDATE setting SET value = $v WHERE key = '$key';
                 SELECT value FROM setting WHERE key = '$key';" \
                "$(echo "$v" | tr -d "'")"
        else
            expect_fail "setting: $key = $v rejected" \
                "UPDATE setting SET value = $v WHERE key = '$key';" "$msg"
        fi
    done
}
check_int negative_ttl \
    "rrpolicy: setting 'negative_ttl' must be an integer 0..86400" \
    "'0'" "'86400'" 300 "'60'" -- \
    "'86401'" "'-1'" -1 "'abc'" "''" "'1.5'" 1.5 "'060'" "' 60'" "'60 '" \
    "'+60'" "'1e3'" 1e3 NULL "x'3630'" "'9999999999'" \
    "'60' || char(0) || 'x'"
check_int hit_log "rrpolicy: setting 'hit_log' must be 0 (off), 1 (a row per hit) or 2 (a row per client, name, type, rule and minute, with a count)" \
    "'0'" "'2'" "'1'" -- "'3'" "'-1'" "'yes'" "'01'" "''"
check_int hit_retention_days \
    "rrpolicy: setting 'hit_retention_days' must be an integer 0..36500" \
    "'0'" "'365'" "'36500'" "'30'" -- "'-1'" "'36501'" "'x'" "'3.5'"
check_int hit_queue_size \
    "rrpolicy: setting 'hit_queue_size' must be an integer 16384..1048576" \
    "'16384'" "'1048576'" "'65536'" -- "'1024'" "'16383'" "'1048577'" "'0'" \
    "'64k'" "'100000000'"
check_int poll_interval_ms \
    "rrpolicy: setting 'poll_interval_ms' must be 0 (off) or an integer 100..3600000" \
    "'0'" "'100'" "'3600000'" "'1000'" -- "'99'" "'1'" "'3600001'" "'-1'" "'1s'"
check_int mailhost_max \
    "rrpolicy: setting 'mailhost_max' must be an integer 1024..16777216" \
    "'1024'" "'16777216'" "'100000'" "'65536'" -- "'1023'" "'16777217'" "'0'" \
    "'-1'" "'64k'" "'065536'" "'100000000'" NULL
check_int mailhost_ttl \
    "rrpolicy: setting 'mailhost_ttl' must be an integer 60..2592000 (seconds)" \
    "'60'" "'2592000'" "'3600'" "'86400'" -- "'59'" "'0'" "'2592001'" "'1d'" \
    "'86400.0'" "''"

for v in "'ns.example.com.'" "'ns1.example.com'" "'.'" "'localhost.'"; do
    expect_ok "setting: soa_mname = $v accepted" \
        "UPDATE setting SET value = $v WHERE key = 'soa_mname';"
done
for v in "''" "'a..b'" "'a b'" "'*.example.com'" "'.example.'" \
         "'$l64.example.'" "'$n254.'" NULL; do
    expect_fail "setting: soa_mname = $(printf %.40s "$v") rejected" \
        "UPDATE setting SET value = $v WHERE key = 'soa_mname';" \
        "rrpolicy: setting 'soa_mname' must be a domain name"
done
expect_ok "setting: soa_rname = 'hostmaster.example.com.' accepted" \
    "UPDATE setting SET value = 'hostmaster.example.com.' WHERE key = 'soa_rname';"
for v in "'x@example.com'" "''" "'a..b.'"; do
    expect_fail "setting: soa_rname = $v rejected" \
        "UPDATE setting SET value = $v WHERE key = 'soa_rname';" \
        "rrpolicy: setting 'soa_rname' must be a domain name"
done
expect_ok "setting: description may be edited" \
    "UPDATE setting SET description = description || ' (edited)' WHERE key = 'hit_log';"

# ---------------------------------------------------------------------
# hit, hit_drop and the report views
# ---------------------------------------------------------------------

newdb hit
expect_fail "hit: stage must be 'query' or 'response'" \
    "INSERT INTO hit(ts, client, qname, qtype, policy_id, action, stage)
     VALUES ('2030-01-01 00:00:00', '192.0.2.1', 'a.example.', 'MX', 1, 'block', 'other');" \
    "CHECK constraint failed"
expect_ok "hit_drop: a drop count can be recorded" \
    "INSERT INTO hit_drop(ts, dropped) VALUES ('2030-01-01 00:00:00', 17);"
for v in secure insecure bogus indeterminate; do
    expect_eq "hit: dnssec '$v' accepted" \
        "INSERT INTO hit(ts, client, qname, qtype, policy_id, action, stage, dnssec)
         VALUES ('2030-01-01 00:00:00', '192.0.2.1', 'a.example.', 'A', 1, 'servfail', 'response', '$v');
         SELECT dnssec FROM hit WHERE id = last_insert_rowid();" "$v"
done
expect_eq "hit: dnssec NULL by default" \
    "INSERT INTO hit(ts, client, qname, qtype, policy_id, action, stage)
     VALUES ('2030-01-01 00:00:00', '192.0.2.1', 'a.example.', 'A', 1, 'block', 'query');
     SELECT quote(dnssec) FROM hit WHERE id = last_insert_rowid();" "NULL"
for v in "'Secure'" "'valid'" "''" "'unchecked'" 1; do
    expect_fail "hit: dnssec $v rejected" \
        "INSERT INTO hit(ts, client, qname, qtype, policy_id, action, stage, dnssec)
         VALUES ('2030-01-01 00:00:00', '192.0.2.1', 'a.example.', 'A', 1, 'block', 'query', $v);" \
        "CHECK constraint failed"
done
sql "DELETE FROM hit;"

sql "INSERT INTO policy(id, name, type, action) VALUES
       (1, 'spammer.com', 'MX', 'nullmx'),
       (2, '*.ads.example', '*', 'nxdomain'),
       (3, 'watch.example', '*', 'log'),
       (4, 'gone.example', 'TXT', 'block');
     INSERT INTO hit(ts, client, qname, qtype, policy_id, action, stage) VALUES
       ('2030-01-01 10:00:00.123', '192.0.2.1', 'spammer.com.', 'MX', 1, 'nullmx', 'query'),
       ('2030-01-01 11:00:00', '192.0.2.1', 'SPAMMER.com.', 'MX', 1, 'nullmx', 'query'),
       ('2030-01-02 09:00:00', '192.0.2.2', 'spammer.com.', 'MX', 1, 'nullmx', 'query'),
       ('2030-01-02 09:30:00', '192.0.2.1', 'x.ads.example.', 'A', 2, 'nxdomain', 'query'),
       ('2030-01-02 09:31:00', '2001:db8::1', 'watch.example.', 'A', 3, 'log', 'query'),
       ('2030-01-02 09:32:00', '2001:db8::1', 'watch.example.', 'A', 3, 'log', 'query'),
       ('2030-01-02 09:33:00', '2001:db8::1', 'watch.example.', 'A', 3, 'allow', 'response'),
       ('2030-01-02 09:34:00.5', '192.0.2.3', 'gone.example.', 'TXT', 4, 'block', 'response');
     DELETE FROM policy WHERE id = 4;"
expect_eq "hit: hits stay when their rule is deleted" \
    "SELECT count(*) FROM hit WHERE policy_id = 4;" "1"
expect_eq "hit: ts compares with datetime() (fractional seconds too)" \
    "SELECT count(*) FROM hit WHERE ts >= datetime('2030-01-02 09:34:00');" "1"
expect_eq "view hits_per_rule_per_day" \
    "SELECT group_concat(day || ' ' || policy_id || ' ' || coalesce(name, '-') ||
                         ' ' || coalesce(type, '-') || ' ' || action || ' ' || hits, ', ')
     FROM hits_per_rule_per_day;" \
    "2030-01-02 3 watch.example * log 2, 2030-01-02 1 spammer.com MX nullmx 1, 2030-01-02 2 *.ads.example * nxdomain 1, 2030-01-02 3 watch.example * allow 1, 2030-01-02 4 - - block 1, 2030-01-01 1 spammer.com MX nullmx 2"
expect_eq "view top_clients (most hits first)" \
    "SELECT group_concat(client || ' ' || hits || ' ' || last_seen, ', ')
     FROM top_clients;" \
    "2001:db8::1 3 2030-01-02 09:33:00, 192.0.2.1 3 2030-01-02 09:30:00, 192.0.2.3 1 2030-01-02 09:34:00.5, 192.0.2.2 1 2030-01-02 09:00:00"
expect_eq "view top_clients orders by hits" \
    "SELECT group_concat(hits, ' ') FROM top_clients;" "3 3 1 1"
expect_eq "view top_blocked_names (no log/allow, most first)" \
    "SELECT group_concat(qname || ' ' || qtype || ' ' || hits, ', ')
     FROM top_blocked_names;" \
    "spammer.com. MX 3, gone.example. TXT 1, x.ads.example. A 1"
expect_eq "view recent_hits (newest first, with the rule's name)" \
    "SELECT group_concat(id || ' ' || coalesce(rule_name, '-'), ', ')
     FROM (SELECT * FROM recent_hits LIMIT 3);" \
    "8 -, 7 watch.example, 6 watch.example"
expect_eq "view recent_hits has the hit's columns" \
    "SELECT ts, client, qname, qtype, action, stage, policy_id, rule_name, rule_type
     FROM recent_hits LIMIT 1 OFFSET 7;" \
    "2030-01-01 10:00:00.123|192.0.2.1|spammer.com.|MX|nullmx|query|1|spammer.com|MX"
expect_eq "view recent_hits has the DNSSEC status and the rule's trigger" \
    "INSERT INTO policy(id, name, type, trigger) VALUES (5, '192.0.2.0/24', 'A', 'answer-ip');
     INSERT INTO hit(ts, client, qname, qtype, policy_id, action, stage, dnssec) VALUES
       ('2030-01-03 00:00:00', '192.0.2.9', 'www.example.', 'A', 5, 'block', 'response', 'insecure');
     SELECT coalesce(rule_name, '-'), coalesce(rule_type, '-'), coalesce(dnssec, '-'),
            coalesce(rule_trigger, '-')
     FROM recent_hits LIMIT 3;" \
    "192.0.2.0/24|A|insecure|answer-ip
-|-|-|-
watch.example|*|-|qname"

# ---------------------------------------------------------------------
# policy_change: the change log (schema version 3)
# ---------------------------------------------------------------------

newdb changes
expect_eq "change log: starts empty" "SELECT count(*) FROM policy_change;" "0"
expect_eq "change log: insert, update, delete each log the id, in order" \
    "INSERT INTO policy(id, name) VALUES (5, 'a.example'), (9, 'b.example');
     UPDATE policy SET enabled = 0 WHERE id = 9;
     DELETE FROM policy WHERE id = 5;
     SELECT group_concat(seq || ':' || id, ' ') FROM (SELECT * FROM policy_change ORDER BY seq);" \
    "1:5 2:9 3:9 4:5"
expect_eq "change log: an update of the id logs the new id and the old one" \
    "UPDATE policy SET id = 12 WHERE id = 9;
     SELECT group_concat(id, ' ') FROM (SELECT id FROM policy_change WHERE seq > 4 ORDER BY seq);" \
    "12 9"
expect_eq "change log: an update of many rows logs each" \
    "INSERT INTO policy(id, name) VALUES (20, 'c.example'), (21, 'd.example');
     UPDATE policy SET action = 'nxdomain' WHERE id >= 20;
     SELECT group_concat(id, ' ') FROM (SELECT id FROM policy_change WHERE seq > 6 ORDER BY seq);" \
    "20 21 20 21"
expect_fail "change log: a rejected change fails" \
    "UPDATE policy SET name = 'a..b' WHERE id = 20;" "rrpolicy: invalid name"
expect_eq "change log: ... and logs nothing" \
    "SELECT max(seq), count(*) FROM policy_change;" "10|10"
expect_eq "change log: a change of setting logs nothing" \
    "UPDATE setting SET value = '30' WHERE key = 'negative_ttl';
     SELECT max(seq) FROM policy_change;" "10"
expect_eq "change log: a seq is never given twice, even after the log was emptied" \
    "DELETE FROM policy_change;
     INSERT INTO policy(name) VALUES ('e.example');
     SELECT seq FROM policy_change;" "11"
newdb changes2
expect_eq "change log: an import of 200,000 rows keeps only the last 65,536 or so" \
    "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 200000)
     INSERT INTO policy(name) SELECT 'n' || i || '.example' FROM c;
     SELECT count(*) BETWEEN 65536 AND 65536 + 1024, min(seq) <= 200000 - 65535, max(seq)
     FROM policy_change;" "1|1|200000"
expect_eq "change log: ... the newest ones, with their ids" \
    "SELECT count(*) FROM policy_change WHERE seq > 200000 - 65536 AND id = seq;" "65536"

# ---------------------------------------------------------------------
# policy: ids never given twice, names stored normalised (schema version 6)
# ---------------------------------------------------------------------

newdb ids
sql "INSERT INTO policy(name, type) VALUES ('a.example', 'MX'), ('b.example', 'MX'), ('c.example', 'MX');
     INSERT INTO hit(ts, client, qname, qtype, policy_id, action, stage) VALUES
       ('2030-01-01 10:00:00', '192.0.2.1', 'c.example.', 'MX', 3, 'nullmx', 'query'),
       ('2030-01-01 10:00:01', '192.0.2.2', 'c.example.', 'MX', 3, 'nullmx', 'query');"
expect_eq "ids: a rule inserted after the highest one was deleted gets a new id" \
    "DELETE FROM policy WHERE id = 3;
     INSERT INTO policy(name, type) VALUES ('new.example', 'TXT');
     SELECT id FROM policy WHERE name = 'new.example';" "4"
expect_eq "ids: ... and recent_hits does not show the deleted rule's hits as the new rule's" \
    "SELECT group_concat(policy_id || ' ' || coalesce(rule_name, '-') || ' ' || coalesce(rule_type, '-'), ', ')
     FROM recent_hits;" "3 - -, 3 - -"
expect_eq "ids: ... nor hits_per_rule_per_day" \
    "SELECT group_concat(policy_id || ' ' || coalesce(name, '-') || ' ' || hits, ', ')
     FROM hits_per_rule_per_day;" "3 - 2"
expect_eq "ids: not even once every rule was deleted" \
    "DELETE FROM policy;
     INSERT INTO policy(name) VALUES ('again.example');
     SELECT id FROM policy;" "5"

newdb normal
expect_eq "normal form: 'Spammer.COM.' is stored as 'spammer.com'" \
    "INSERT INTO policy(name, type, action) VALUES ('Spammer.COM.', 'MX', 'nullmx');
     SELECT id, name, type, action FROM policy;" "1|spammer.com|MX|nullmx"
expect_eq "normal form: ... the insert and its normalisation each move the revision and log the id" \
    "SELECT (SELECT policy FROM revision), (SELECT group_concat(id, ' ') FROM policy_change);" "3|1 1"
expect_eq "normal form: ... and DELETE ... WHERE name = 'spammer.com' deletes it" \
    "DELETE FROM policy WHERE name = 'spammer.com';
     SELECT changes(), (SELECT count(*) FROM policy), (SELECT policy FROM revision),
            (SELECT group_concat(id, ' ') FROM policy_change);" "1|0|4|1 1 1"
expect_eq "normal form: an UPDATE of the name to 'X.Example.' stores 'x.example'" \
    "INSERT INTO policy(name, type) VALUES ('a.example', 'TXT');
     UPDATE policy SET name = 'X.Example.' WHERE id = 2;
     SELECT name, (SELECT count(*) FROM policy WHERE name = 'x.example') FROM policy WHERE id = 2;" \
    "x.example|1"
expect_eq "normal form: ... the update and its normalisation each move the revision and log the id" \
    "SELECT (SELECT policy FROM revision), (SELECT group_concat(id, ' ') FROM policy_change WHERE seq > 3);" \
    "7|2 2 2"
expect_eq "normal form: a normal name costs one revision and one log row, as before" \
    "INSERT INTO policy(name, type) VALUES ('b.example', 'MX'), ('*.c.example', 'MX');
     UPDATE policy SET name = 'd.example', enabled = 0 WHERE id = 3;
     UPDATE policy SET enabled = 0 WHERE id = 2;
     SELECT (SELECT policy FROM revision), (SELECT group_concat(id, ' ') FROM policy_change WHERE seq > 6);" \
    "11|3 4 3 2"
expect_eq "normal form: an UPDATE of several rows normalises each" \
    "UPDATE policy SET name = upper(name) || '.' WHERE id IN (3, 4);
     SELECT group_concat(id || ' ' || name, ', ') FROM (SELECT * FROM policy ORDER BY id);" \
    "2 x.example, 3 d.example, 4 *.c.example"
expect_eq "normal form: target rules too" \
    "INSERT INTO policy(name, type, trigger) VALUES ('*.Bad-MX.Example.', 'MX', 'target');
     SELECT name FROM policy WHERE id = last_insert_rowid();" "*.bad-mx.example"
expect_eq "normal form: an answer-ip address is stored in lower case" \
    "INSERT INTO policy(name, type, trigger) VALUES ('2001:DB8:AB::/48', 'AAAA', 'answer-ip'),
       ('::FFFF:192.0.2.0/120', '*', 'answer-ip');
     SELECT group_concat(name, ' ') FROM (SELECT name FROM policy WHERE trigger = 'answer-ip' ORDER BY id);" \
    "2001:db8:ab::/48 ::ffff:192.0.2.0/120"
expect_fail "normal form: a bad name is still refused with its message" \
    "INSERT INTO policy(name) VALUES ('A..B.');" "$EMPTY"
expect_fail "normal form: an UPDATE to a bad name too" \
    "UPDATE policy SET name = 'X.*.B.' WHERE id = 2;" "$WILD"
expect_eq "normal form: ... and neither changed anything" \
    "SELECT count(*), (SELECT name FROM policy WHERE id = 2) FROM policy;" "6|x.example"
expect_eq "normal form: with recursive_triggers on as well" \
    "PRAGMA recursive_triggers = ON;
     INSERT INTO policy(name) VALUES ('Rec.Example.');
     SELECT name FROM policy WHERE id = last_insert_rowid();" "rec.example"

# ---------------------------------------------------------------------
# Migration of a version 1 database (tests/schema/schema-v1.sql, the
# schema as version 1 had it) with schema/migrate-1-to-2.sql and then
# schema/migrate-2-to-3.sql, schema/migrate-3-to-4.sql,
# schema/migrate-4-to-5.sql and schema/migrate-5-to-6.sql
# ---------------------------------------------------------------------

# migrate DB [FILE...]: run the migrations (default: migrate-1-to-2.sql) on
# DB in one transaction, the way an operator does; prints what sqlite3
# printed, returns its exit status.
migrate() {
    _db=$1
    shift
    [ $# -gt 0 ] || set -- "$MIGRATION"
    { echo 'BEGIN;'; cat "$@"; echo 'COMMIT;'; } |
        "$SQLITE3" -batch -bail "$_db" 2>&1
}

# dump DB: every table's rows, in a stable order (to compare databases).
# With DUMP_V3=1: the columns of tables hit and setting that version 4 did
# not change (hit without count, setting without description).
dump() {
    for t in $("$SQLITE3" -batch "$1" "SELECT name FROM sqlite_schema
                 WHERE type = 'table' ORDER BY name;"); do
        echo "== $t"
        _cols='*'
        if [ -n "${DUMP_V3:-}" ]; then
            case $t in
                hit) _cols='id, ts, client, qname, qtype, policy_id, action, stage, dnssec' ;;
                setting) _cols='key, value' ;;
            esac
        fi
        "$SQLITE3" -batch "$1" "SELECT $_cols FROM \"$t\" ORDER BY 1;"
    done
}

# dump_but DB TABLE...: dump DB without the tables TABLE...
dump_but() {
    _db=$1
    shift
    dump "$_db" | awk -v skip=" $* " '/^== /{ s = index(skip, " " substr($0, 4) " ") } !s'
}

# columns DB: "table: pragma table_info rows" of every table.
columns() {
    for t in $("$SQLITE3" -batch "$1" "SELECT name FROM sqlite_schema
                 WHERE type = 'table' ORDER BY name;"); do
        echo "$t: $("$SQLITE3" -batch "$1" "SELECT group_concat(cid || ':' || name || ':' ||
            type || ':' || \"notnull\" || ':' || coalesce(dflt_value, '-') || ':' || pk, ' ')
            FROM pragma_table_info('$t');")"
    done
}

# objects DB: every trigger, view and index, with its table.
objects() {
    "$SQLITE3" -batch "$1" "SELECT type || ' ' || name || ' on ' || tbl_name FROM sqlite_schema
                             WHERE type IN ('trigger', 'view', 'index') ORDER BY type, name;"
}

# code DB: the SQL of every trigger, view and index.
code() {
    "$SQLITE3" -batch "$1" "SELECT name, sql FROM sqlite_schema
                             WHERE type IN ('trigger', 'view', 'index') ORDER BY name;"
}

# same_as_new LABEL DB NEW: DB, migrated, has the columns, triggers, views
# and indexes of the new database NEW, their SQL word for word.
same_as_new() {
    _what=""
    for _what in "columns:pragma table_info of every table equals a new database's" \
                 "objects:the same triggers, views and indexes as a new database" \
                 "code:its triggers and views are schema.sql's, word for word"; do
        if [ "$(${_what%%:*} "$2")" = "$(${_what%%:*} "$3")" ]; then
            pass "$1: ${_what#*:}"
        else
            fail "$1: ${_what#*:}" \
                "$(${_what%%:*} "$2" > "$TMP/a"; ${_what%%:*} "$3" > "$TMP/b"; diff "$TMP/a" "$TMP/b" | head -n 20)"
        fi
    done
}

# applies LABEL FROM DB FILE...: the migrations FILE... run on DB, a version
# FROM database, in one transaction with sqlite3 -bail, silently.
applies() {
    _label=$1 _from=$2 _db=$3
    shift 3
    _out=$(migrate "$_db" "$@")
    expect_silent "$_label: applies to a version $_from database inside a transaction, with sqlite3 -bail" \
        $? "$_out"
}

# refused_elsewhere LABEL MIGRATION FROM DB...: MIGRATION (of a version FROM
# database) refuses each DB, which is of another version, and leaves it as
# it was.
refused_elsewhere() {
    _label=$1 _m=$2 _from=$3
    shift 3
    for _db in "$@"; do
        _sum=$(dump "$_db" | cksum)
        _v=$("$SQLITE3" -batch "$_db" 'PRAGMA user_version;')
        _out=$(migrate "$_db" "$_m")
        _rc=$?
        if [ "$_rc" -ne 0 ] && printf '%s\n' "$_out" | grep -qF \
            "rrpolicy: $(basename "$_m") applies to a database of schema version $_from only"; then
            pass "$_label: refused on a version $_v database ($(basename "$_db"))"
        else
            fail "$_label: refused on a version $_v database ($(basename "$_db"))" \
                "exit status $_rc, output: $_out"
        fi
        if [ "$(dump "$_db" | cksum)" = "$_sum" ] &&
           [ "$("$SQLITE3" -batch "$_db" 'PRAGMA user_version;')" = "$_v" ]; then
            pass "$_label: ... which is left as it was (version $_v)"
        else
            fail "$_label: ... which is left as it was (version $_v)"
        fi
    done
}

# rows_intact LABEL DB BEFORE: dump DB (with DUMP_V3 as set) is BEFORE.
rows_intact() {
    if [ "$(dump "$2")" = "$3" ]; then
        pass "$1: every row of every table intact, the revision too"
    else
        fail "$1: every row of every table intact, the revision too" \
            "$(dump "$2" > "$TMP/a"; echo "$3" > "$TMP/b"; diff "$TMP/b" "$TMP/a" | head -n 20)"
    fi
}

# copy_untouched LABEL DB BEFORE VERSION: DB still dumps as BEFORE and is
# of VERSION (the copy of a fixture no migration was run on).
copy_untouched() {
    if [ "$(dump "$2")" = "$3" ] &&
       [ "$("$SQLITE3" -batch "$2" 'PRAGMA user_version;')" = "$4" ]; then
        pass "$1: the fixture copy was not touched"
    else
        fail "$1: the fixture copy was not touched"
    fi
}

MIGRATION=$top_srcdir/schema/migrate-1-to-2.sql
MIGRATION3=$top_srcdir/schema/migrate-2-to-3.sql
MIGRATION4=$top_srcdir/schema/migrate-3-to-4.sql
MIGRATION5=$top_srcdir/schema/migrate-4-to-5.sql
MIGRATION6=$top_srcdir/schema/migrate-5-to-6.sql
# the columns of policy but name
POLICY_BUT_NAME='id, type, action, enabled, expires_at, comment, created_at, trigger, scope'
V1=$top_srcdir/tests/schema/schema-v1.sql
"$SQLITE3" -batch -bail "$TMP/v1.db" < "$V1" >/dev/null 2>&1
"$SQLITE3" -batch -bail "$TMP/v1.db" "
    INSERT INTO policy(id, name, type, action, enabled, expires_at, comment, created_at) VALUES
      (1, 'spammer.com', 'MX', 'nullmx', 1, NULL, 'ticket 4711', '2029-01-01 00:00:00'),
      (2, '*.ads.example', '*', 'nxdomain', 1, '2031-01-01 00:00:00', NULL, '2029-01-02 00:00:00'),
      (3, 'mail.ads.example', '*', 'allow', 0, NULL, 'exception', '2029-01-03 00:00:00'),
      (7, 'TXT.Tunnel.Example.', 'type16', 'log', 1, NULL, NULL, '2029-01-04 00:00:00');
    UPDATE setting SET value = '300' WHERE key = 'negative_ttl';
    UPDATE setting SET value = 'hostmaster.example.com.' WHERE key = 'soa_rname';
    UPDATE setting SET value = '0' WHERE key = 'hit_retention_days';
    INSERT INTO hit(ts, client, qname, qtype, policy_id, action, stage) VALUES
      ('2030-01-01 10:00:00.123', '192.0.2.1', 'spammer.com.', 'MX', 1, 'nullmx', 'query'),
      ('2030-01-01 11:00:00', '2001:db8::1', 'x.ads.example.', 'A', 2, 'nxdomain', 'response'),
      ('2030-01-02 09:00:00', '192.0.2.2', 'gone.example.', 'TXT', 99, 'block', 'query');
    INSERT INTO hit_drop(ts, dropped) VALUES ('2030-01-01 10:00:01', 5);
    INSERT INTO module_status(id, revision, rules) VALUES (1, 7, 3);
    INSERT INTO skipped(policy_id, reason) VALUES (42, 'unknown type');" \
    || fail "migration: a version 1 database with rules, settings and hits is made"
DB=$TMP/v1.db
expect_eq "migration: the fixture is a version 1 database" "PRAGMA user_version;" "1"
before=$(dump "$TMP/v1.db")
revision=$(sql "SELECT policy FROM revision;")
cp "$TMP/v1.db" "$TMP/v1-copy.db"

applies "migration" 1 "$TMP/v1.db" "$MIGRATION" "$MIGRATION3" "$MIGRATION4" "$MIGRATION5" "$MIGRATION6"
for m in "$MIGRATION" "$MIGRATION3" "$MIGRATION4" "$MIGRATION5" "$MIGRATION6"; do
    if grep -qiE '^[[:space:]]*(BEGIN([[:space:]]+[A-Z]+)*|COMMIT|ROLLBACK|END[[:space:]]+TRANSACTION)[[:space:]]*;|journal_mode' "$m"; then
        fail "migration: no transaction statements, no journal_mode ($(basename "$m"))"
    else
        pass "migration: no transaction statements, no journal_mode ($(basename "$m"))"
    fi
done

DB=$TMP/v1.db
expect_eq "migration: user_version is 6" "PRAGMA user_version;" "6"
expect_eq "migration: integrity_check" "PRAGMA integrity_check;" "ok"
expect_eq "migration: rules intact, names in lower case without the trailing dot" \
    "SELECT id, name, type, action, enabled, quote(expires_at), quote(comment), created_at
     FROM policy ORDER BY id;" \
    "1|spammer.com|MX|nullmx|1|NULL|'ticket 4711'|2029-01-01 00:00:00
2|*.ads.example|*|nxdomain|1|'2031-01-01 00:00:00'|NULL|2029-01-02 00:00:00
3|mail.ads.example|*|allow|0|NULL|'exception'|2029-01-03 00:00:00
7|txt.tunnel.example|type16|log|1|NULL|NULL|2029-01-04 00:00:00"
expect_eq "migration: every old rule has trigger 'qname' and scope 'any'" \
    "SELECT group_concat(trigger || '/' || scope, ' ') FROM policy;" \
    "qname/any qname/any qname/any qname/any"
expect_eq "migration: changed settings kept, new ones at their defaults" \
    "SELECT group_concat(key || '=' || value, ' ') FROM (SELECT * FROM setting ORDER BY key);" \
    "hit_log=1 hit_queue_size=65536 hit_retention_days=0 mailhost_max=65536 mailhost_ttl=86400 negative_ttl=300 poll_interval_ms=1000 soa_mname=localhost. soa_rname=hostmaster.example.com."
expect_eq "migration: hits intact, dnssec NULL" \
    "SELECT group_concat(id || ' ' || ts || ' ' || client || ' ' || qname || ' ' || qtype || ' ' ||
                         policy_id || ' ' || action || ' ' || stage || ' ' || quote(dnssec), ', ')
     FROM (SELECT * FROM hit ORDER BY id);" \
    "1 2030-01-01 10:00:00.123 192.0.2.1 spammer.com. MX 1 nullmx query NULL, 2 2030-01-01 11:00:00 2001:db8::1 x.ads.example. A 2 nxdomain response NULL, 3 2030-01-02 09:00:00 192.0.2.2 gone.example. TXT 99 block query NULL"
expect_eq "migration: every old hit counts once" \
    "SELECT group_concat(count, ' ') FROM hit;" "1 1 1"
# the revision moves by one: version 6 makes a resolver read every row
expect_eq "migration: hit_drop, module_status and skipped intact, the revision moved by one" \
    "SELECT (SELECT dropped FROM hit_drop), (SELECT revision || ' ' || rules FROM module_status),
            (SELECT reason FROM skipped WHERE policy_id = 42), (SELECT policy FROM revision);" \
    "5|7 3|unknown type|$((revision + 1))"
expect_eq "migration: recent_hits shows the old hits with trigger qname" \
    "SELECT group_concat(id || ' ' || coalesce(rule_trigger, '-') || ' ' || coalesce(dnssec, '-'), ', ')
     FROM recent_hits;" "3 - -, 2 qname -, 1 qname -"

# the same as a new database
"$SQLITE3" -batch -bail "$TMP/fresh.db" < "$SCHEMA" >/dev/null 2>&1
same_as_new migration "$TMP/v1.db" "$TMP/fresh.db"
expect_eq "migration: settings and descriptions equal a new database's (but for changed values)" \
    "ATTACH '$TMP/fresh.db' AS f;
     SELECT count(*) FROM setting AS s JOIN f.setting AS n USING (key)
     WHERE s.description = n.description;" "9"

# and every check works on it
expect_fail "migrated: a bad name is rejected" \
    "INSERT INTO policy(name, type) VALUES ('a..b', 'MX');" "$EMPTY"
expect_fail "migrated: nullmx on TXT is rejected" \
    "INSERT INTO policy(name, type, action) VALUES ('a.example', 'TXT', 'nullmx');" "$NULLMX"
expect_fail "migrated: an UPDATE of an old rule is checked" \
    "UPDATE policy SET type = 'TXT' WHERE id = 1;" "$NULLMX"
expect_eq "migrated: an answer-ip rule of scope mailhost" \
    "INSERT INTO policy(name, type, trigger, scope) VALUES ('198.51.100.0/24', 'A', 'answer-ip', 'mailhost');
     SELECT trigger, scope FROM policy WHERE id = last_insert_rowid();" "answer-ip|mailhost"
expect_fail "migrated: a prefix with host bits is rejected" \
    "INSERT INTO policy(name, type, trigger) VALUES ('198.51.100.7/24', 'A', 'answer-ip');" "$HOST"
expect_fail "migrated: a bad IPv6 address is rejected" \
    "INSERT INTO policy(name, type, trigger) VALUES ('1::2::3', 'AAAA', 'answer-ip');" "$V6"
expect_fail "migrated: an IPv6 address with type A is rejected" \
    "INSERT INTO policy(name, type, trigger) VALUES ('2001:db8::1', 'A', 'answer-ip');" \
    "rrpolicy: an IPv6 address needs type AAAA, TYPE28 or '*'"
expect_ok "migrated: a target rule" \
    "INSERT INTO policy(name, type, trigger) VALUES ('*.bad-mx.example', 'MX', 'target');"
expect_fail "migrated: a target rule of type TXT is rejected" \
    "INSERT INTO policy(name, type, trigger) VALUES ('a.example', 'TXT', 'target');" "$TARGETTYPE"
expect_ok "migrated: require-secure on a qname rule" \
    "INSERT INTO policy(name, action) VALUES ('*.bank.example', 'require-secure');"
expect_fail "migrated: require-secure on a target rule is rejected" \
    "INSERT INTO policy(name, type, trigger, action) VALUES ('a.example', 'MX', 'target', 'require-secure');" \
    "$REQSEC"
expect_fail "migrated: scope mailhost on a qname rule is rejected" \
    "INSERT INTO policy(name, scope) VALUES ('a.example', 'mailhost');" "$MAILHOST"
expect_fail "migrated: an unknown trigger is rejected" \
    "INSERT INTO policy(name, trigger) VALUES ('a.example', 'ip');" "$TRIGGER"
expect_fail "migrated: mailhost_ttl is checked" \
    "UPDATE setting SET value = '59' WHERE key = 'mailhost_ttl';" \
    "rrpolicy: setting 'mailhost_ttl' must be an integer 60..2592000"
expect_fail "migrated: mailhost_max is checked" \
    "UPDATE setting SET value = '1023' WHERE key = 'mailhost_max';" \
    "rrpolicy: setting 'mailhost_max' must be an integer 1024..16777216"
expect_fail "migrated: the old settings are still checked" \
    "UPDATE setting SET value = '86401' WHERE key = 'negative_ttl';" \
    "rrpolicy: setting 'negative_ttl' must be an integer 0..86400"
expect_fail "migrated: settings still cannot be deleted" \
    "DELETE FROM setting WHERE key = 'mailhost_max';" "rrpolicy: settings cannot be deleted"
expect_fail "migrated: hit.dnssec is checked" \
    "INSERT INTO hit(ts, client, qname, qtype, policy_id, action, stage, dnssec)
     VALUES ('2030-01-01 00:00:00', '192.0.2.1', 'a.', 'A', 1, 'block', 'query', 'valid');" \
    "CHECK constraint failed"
expect_eq "migrated: hit.dnssec takes a status" \
    "INSERT INTO hit(ts, client, qname, qtype, policy_id, action, stage, dnssec)
     VALUES ('2030-01-01 00:00:00', '192.0.2.1', 'a.', 'A', 1, 'servfail', 'response', 'bogus');
     SELECT dnssec FROM recent_hits LIMIT 1;" "bogus"
expect_eq "migrated: a rule change still bumps the revision" \
    "SELECT policy > $revision FROM revision;" "1"

# twice, or on a new database: refused, nothing changed
refused_elsewhere migration "$MIGRATION" 1 "$TMP/v1.db" "$TMP/fresh.db"

# a failure half-way leaves the version 1 database as it was
cp "$TMP/v1-copy.db" "$TMP/broken.db"
"$SQLITE3" -batch -bail "$TMP/broken.db" "DROP VIEW recent_hits;"
sum=$(dump "$TMP/broken.db" | cksum)
out=$(migrate "$TMP/broken.db" "$MIGRATION" "$MIGRATION3" "$MIGRATION4" "$MIGRATION5" "$MIGRATION6")
rc=$?
if [ "$rc" -ne 0 ] && printf '%s\n' "$out" | grep -qF "no such view: recent_hits"; then
    pass "migration: a failing step stops it (a v1 database without view recent_hits)"
else
    fail "migration: a failing step stops it (a v1 database without view recent_hits)" \
        "exit status $rc, output: $out"
fi
if [ "$(dump "$TMP/broken.db" | cksum)" = "$sum" ] &&
   [ "$("$SQLITE3" -batch "$TMP/broken.db" 'PRAGMA user_version;')" = 1 ] &&
   [ "$("$SQLITE3" -batch "$TMP/broken.db" "SELECT count(*) FROM pragma_table_info('policy') WHERE name = 'trigger';")" = 0 ]; then
    pass "migration: ... and the database stays version 1, unchanged"
else
    fail "migration: ... and the database stays version 1, unchanged"
fi
copy_untouched migration "$TMP/v1-copy.db" "$before" 1

# ---------------------------------------------------------------------
# Migration of a version 2 database (tests/schema/schema-v2.sql, the
# schema as version 2 had it) with schema/migrate-2-to-3.sql, compared
# with a new version 3 database (tests/schema/schema-v3.sql)
# ---------------------------------------------------------------------

"$SQLITE3" -batch -bail "$TMP/fresh3.db" < "$top_srcdir/tests/schema/schema-v3.sql" >/dev/null 2>&1

"$SQLITE3" -batch -bail "$TMP/v2.db" < "$top_srcdir/tests/schema/schema-v2.sql" >/dev/null 2>&1
"$SQLITE3" -batch -bail "$TMP/v2.db" "
    INSERT INTO policy(id, name, type, action, enabled, comment, created_at, trigger, scope) VALUES
      (1, 'spammer.com', 'MX', 'nullmx', 1, 'ticket 4711', '2029-01-01 00:00:00', 'qname', 'any'),
      (4, '198.51.100.0/24', 'A', 'block', 0, NULL, '2029-01-02 00:00:00', 'answer-ip', 'mailhost');
    UPDATE setting SET value = '300' WHERE key = 'negative_ttl';
    INSERT INTO hit(ts, client, qname, qtype, policy_id, action, stage, dnssec) VALUES
      ('2030-01-01 10:00:00', '192.0.2.1', 'spammer.com.', 'MX', 1, 'nullmx', 'query', NULL);
    INSERT INTO module_status(id, revision, rules) VALUES (1, 4, 1);" \
    || fail "migration 2 to 3: a version 2 database with rules, settings and hits is made"
DB=$TMP/v2.db
expect_eq "migration 2 to 3: the fixture is a version 2 database" "PRAGMA user_version;" "2"
before=$(dump "$TMP/v2.db")
cp "$TMP/v2.db" "$TMP/v2-copy.db"
applies "migration 2 to 3" 2 "$TMP/v2.db" "$MIGRATION3"
expect_eq "migration 2 to 3: user_version is 3" "PRAGMA user_version;" "3"
expect_eq "migration 2 to 3: integrity_check" "PRAGMA integrity_check;" "ok"
# every row of every table of version 2 is still there, as it was; the log is new and empty
if [ "$(dump "$TMP/v2.db" | sed '/^== policy_change$/d; /^== sqlite_sequence$/d')" = "$before" ]; then
    pass "migration 2 to 3: every row of every table intact"
else
    fail "migration 2 to 3: every row of every table intact" \
        "$(dump "$TMP/v2.db" > "$TMP/a"; echo "$before" > "$TMP/b"; diff "$TMP/b" "$TMP/a" | head -n 20)"
fi
expect_eq "migration 2 to 3: the change log starts empty" "SELECT count(*) FROM policy_change;" "0"
same_as_new "migration 2 to 3" "$TMP/v2.db" "$TMP/fresh3.db"
if [ "$("$SQLITE3" -batch "$TMP/v2.db" "SELECT sql FROM sqlite_schema WHERE name = 'policy_change';")" = \
     "$("$SQLITE3" -batch "$TMP/fresh3.db" "SELECT sql FROM sqlite_schema WHERE name = 'policy_change';")" ]; then
    pass "migration 2 to 3: table policy_change is schema.sql's, word for word"
else
    fail "migration 2 to 3: table policy_change is schema.sql's, word for word"
fi
revision=$(sql "SELECT policy FROM revision;")
expect_eq "migrated 2 to 3: an update of an old rule is logged and bumps the revision" \
    "UPDATE policy SET enabled = 1 WHERE id = 4;
     SELECT (SELECT group_concat(seq || ':' || id) FROM policy_change),
            (SELECT policy FROM revision);" "1:4|$((revision + 1))"
expect_fail "migrated 2 to 3: the old checks still apply" \
    "INSERT INTO policy(name, type) VALUES ('a..b', 'MX');" "$EMPTY"
# on any other version: refused, nothing changed
refused_elsewhere "migration 2 to 3" "$MIGRATION3" 2 "$TMP/v1-copy.db" "$TMP/fresh.db"

# ---------------------------------------------------------------------
# Migration of a version 3 database (tests/schema/schema-v3.sql, the
# schema as version 3 had it) with schema/migrate-3-to-4.sql, compared
# with a new version 4 database (tests/schema/schema-v4.sql)
# ---------------------------------------------------------------------

"$SQLITE3" -batch -bail "$TMP/fresh4.db" < "$top_srcdir/tests/schema/schema-v4.sql" >/dev/null 2>&1

cp "$TMP/fresh3.db" "$TMP/v3.db"
"$SQLITE3" -batch -bail "$TMP/v3.db" "
    INSERT INTO policy(id, name, type, action) VALUES (1, 'spammer.com', 'MX', 'nullmx');
    UPDATE setting SET value = '0' WHERE key = 'hit_log';
    INSERT INTO hit(ts, client, qname, qtype, policy_id, action, stage, dnssec) VALUES
      ('2030-01-01 10:00:00', '192.0.2.1', 'spammer.com.', 'MX', 1, 'nullmx', 'query', NULL),
      ('2030-01-01 10:00:01', '192.0.2.1', 'spammer.com.', 'MX', 1, 'nullmx', 'query', NULL),
      ('2030-01-01 10:00:02', '192.0.2.2', 'spammer.com.', 'MX', 1, 'nullmx', 'response', 'secure');
    INSERT INTO module_status(id, revision, rules) VALUES (1, 4, 1);" \
    || fail "migration 3 to 4: a version 3 database with rules, settings and hits is made"
DB=$TMP/v3.db
expect_eq "migration 3 to 4: the fixture is a version 3 database" "PRAGMA user_version;" "3"
expect_fail "migration 3 to 4: version 3 refuses hit_log = 2" \
    "UPDATE setting SET value = '2' WHERE key = 'hit_log';" "rrpolicy: setting 'hit_log' must be 0 or 1"
before=$(DUMP_V3=1 dump "$TMP/v3.db")
revision=$(sql "SELECT policy FROM revision;")
cp "$TMP/v3.db" "$TMP/v3-copy.db"
applies "migration 3 to 4" 3 "$TMP/v3.db" "$MIGRATION4"
expect_eq "migration 3 to 4: user_version is 4" "PRAGMA user_version;" "4"
expect_eq "migration 3 to 4: integrity_check" "PRAGMA integrity_check;" "ok"
# every row of every table of version 3 is still there, as it was, the
# revision included; hits got their count, hit_log its new description
DUMP_V3=1 rows_intact "migration 3 to 4" "$TMP/v3.db" "$before"
expect_eq "migration 3 to 4: every old hit counts once" "SELECT group_concat(count, ' ') FROM hit;" "1 1 1"
expect_eq "migration 3 to 4: settings and descriptions equal a new database's" \
    "ATTACH '$TMP/fresh4.db' AS f;
     SELECT count(*) FROM setting AS s JOIN f.setting AS n USING (key)
     WHERE s.description = n.description;" "9"
same_as_new "migration 3 to 4" "$TMP/v3.db" "$TMP/fresh4.db"
expect_eq "migrated 3 to 4: the views sum the counts" \
    "INSERT INTO hit(ts, client, qname, qtype, policy_id, action, stage, count) VALUES
       ('2030-01-01 10:00:03', '192.0.2.1', 'spammer.com.', 'MX', 1, 'nullmx', 'query', 40);
     SELECT (SELECT hits FROM hits_per_rule_per_day), (SELECT group_concat(client || '=' || hits, ' ') FROM top_clients),
            (SELECT hits FROM top_blocked_names), (SELECT count FROM recent_hits LIMIT 1);" \
    "43|192.0.2.1=42 192.0.2.2=1|43|40"
expect_fail "migrated 3 to 4: a count below 1 is rejected" \
    "INSERT INTO hit(ts, client, qname, qtype, policy_id, action, stage, count) VALUES
       ('2030-01-01 10:00:04', '192.0.2.1', 'a.', 'A', 1, 'block', 'query', 0);" "CHECK constraint failed"
expect_eq "migrated 3 to 4: hit_log = 2 is taken, and is a change" \
    "UPDATE setting SET value = '2' WHERE key = 'hit_log';
     SELECT value, (SELECT policy FROM revision) FROM setting WHERE key = 'hit_log';" "2|$((revision + 1))"
expect_fail "migrated 3 to 4: hit_log = 3 is rejected" \
    "UPDATE setting SET value = '3' WHERE key = 'hit_log';" \
    "rrpolicy: setting 'hit_log' must be 0 (off), 1 (a row per hit) or 2"
# on any other version: refused, nothing changed
refused_elsewhere "migration 3 to 4" "$MIGRATION4" 3 "$TMP/v2-copy.db" "$TMP/fresh.db"
DUMP_V3=1 copy_untouched "migration 3 to 4" "$TMP/v3-copy.db" "$before" 3

# ---------------------------------------------------------------------
# Migration of a version 4 database (tests/schema/schema-v4.sql, the
# schema as version 4 had it) with schema/migrate-4-to-5.sql, compared
# with a new version 5 database (tests/schema/schema-v5.sql)
# ---------------------------------------------------------------------

"$SQLITE3" -batch -bail "$TMP/fresh5.db" < "$top_srcdir/tests/schema/schema-v5.sql" >/dev/null 2>&1

cp "$TMP/fresh4.db" "$TMP/v4.db"
"$SQLITE3" -batch -bail "$TMP/v4.db" "
    INSERT INTO policy(id, name, type, action) VALUES (1, 'spammer.com', 'MX', 'nullmx');
    UPDATE setting SET value = '2' WHERE key = 'hit_log';
    INSERT INTO hit(ts, client, qname, qtype, policy_id, action, stage, dnssec, count) VALUES
      ('2030-01-01 10:00:00', '192.0.2.1', 'spammer.com.', 'MX', 1, 'nullmx', 'query', NULL, 3),
      ('2030-01-01 10:01:00', '192.0.2.2', 'spammer.com.', 'MX', 1, 'nullmx', 'response', 'secure', 1);
    INSERT INTO hit_drop(ts, dropped) VALUES ('2030-01-01 10:00:01', 5);
    INSERT INTO module_status(id, revision, rules) VALUES (1, 4, 1);" \
    || fail "migration 4 to 5: a version 4 database with rules, settings and hits is made"
DB=$TMP/v4.db
expect_eq "migration 4 to 5: the fixture is a version 4 database with index hit_policy_id" \
    "SELECT user_version, (SELECT count(*) FROM sqlite_schema WHERE name = 'hit_policy_id')
     FROM pragma_user_version;" "4|1"
before=$(dump "$TMP/v4.db")
cp "$TMP/v4.db" "$TMP/v4-copy.db"
applies "migration 4 to 5" 4 "$TMP/v4.db" "$MIGRATION5"
expect_eq "migration 4 to 5: user_version is 5" "PRAGMA user_version;" "5"
expect_eq "migration 4 to 5: integrity_check" "PRAGMA integrity_check;" "ok"
rows_intact "migration 4 to 5" "$TMP/v4.db" "$before"
same_as_new "migration 4 to 5" "$TMP/v4.db" "$TMP/fresh5.db"
cookbook_plan "migrated 4 to 5: the hits of a rule in the last hour are found through index hit_ts"
# on any other version: refused, nothing changed
refused_elsewhere "migration 4 to 5" "$MIGRATION5" 4 "$TMP/v3-copy.db" "$TMP/fresh.db"
copy_untouched "migration 4 to 5" "$TMP/v4-copy.db" "$before" 4

# ---------------------------------------------------------------------
# Migration of a version 5 database (tests/schema/schema-v5.sql, the
# schema as version 5 had it) with schema/migrate-5-to-6.sql
# ---------------------------------------------------------------------

# rules written in any case and with trailing dots, the highest (9) deleted
# with its hit left, and a hit of a rule deleted long ago (12)
cp "$TMP/fresh5.db" "$TMP/v5.db"
"$SQLITE3" -batch -bail "$TMP/v5.db" "
    INSERT INTO policy(id, name, type, action, comment, created_at) VALUES
      (1, 'Spammer.COM.', 'MX', 'nullmx', 'ticket 4711', '2029-01-01 00:00:00'),
      (2, '*.Ads.Example', '*', 'nxdomain', NULL, '2029-01-02 00:00:00'),
      (4, 'ok.example', 'TXT', 'block', NULL, '2029-01-03 00:00:00'),
      (9, 'gone.example', 'TXT', 'block', NULL, '2029-01-04 00:00:00');
    INSERT INTO policy(id, name, type, trigger, scope, created_at) VALUES
      (5, '2001:DB8::/32', 'AAAA', 'answer-ip', 'mailhost', '2029-01-05 00:00:00'),
      (6, '*.Bad-MX.example.', 'MX', 'target', 'any', '2029-01-06 00:00:00');
    INSERT INTO hit(ts, client, qname, qtype, policy_id, action, stage, count) VALUES
      ('2030-01-01 10:00:00', '192.0.2.1', 'spammer.com.', 'MX', 1, 'nullmx', 'query', 3),
      ('2030-01-01 10:01:00', '192.0.2.1', 'gone.example.', 'TXT', 9, 'nodata', 'query', 1),
      ('2030-01-01 10:02:00', '192.0.2.2', 'old.example.', 'A', 12, 'nxdomain', 'query', 1);
    DELETE FROM policy WHERE id = 9;
    INSERT INTO module_status(id, revision, rules) VALUES (1, 7, 5);" \
    || fail "migration 5 to 6: a version 5 database with rules, settings and hits is made"
DB=$TMP/v5.db
expect_eq "migration 5 to 6: the fixture is a version 5 database, names as written" \
    "SELECT user_version, (SELECT name FROM policy WHERE id = 1) FROM pragma_user_version;" "5|Spammer.COM."
before=$(dump "$TMP/v5.db")
revision=$(sql "SELECT policy FROM revision;")
seq=$(sql "SELECT seq FROM sqlite_sequence WHERE name = 'policy_change';")
cp "$TMP/v5.db" "$TMP/v5-copy.db"
applies "migration 5 to 6" 5 "$TMP/v5.db" "$MIGRATION6"
expect_eq "migration 5 to 6: user_version is 6" "PRAGMA user_version;" "6"
expect_eq "migration 5 to 6: integrity_check" "PRAGMA integrity_check;" "ok"
expect_eq "migration 5 to 6: the rules keep their ids, their names are normalised" \
    "SELECT group_concat(id || ' ' || name, ', ') FROM (SELECT * FROM policy ORDER BY id);" \
    "1 spammer.com, 2 *.ads.example, 4 ok.example, 5 2001:db8::/32, 6 *.bad-mx.example"
# every row of every other table as it was (revision and sqlite_sequence
# below); policy's but for the names
if [ "$(dump_but "$TMP/v5.db" policy revision sqlite_sequence policy_change)" = \
     "$(dump_but "$TMP/v5-copy.db" policy revision sqlite_sequence policy_change)" ] &&
   [ "$("$SQLITE3" -batch "$TMP/v5.db" "SELECT seq, id, tag FROM policy_change WHERE seq <= $seq ORDER BY seq;")" = \
     "$("$SQLITE3" -batch "$TMP/v5-copy.db" "SELECT seq, id, 0 FROM policy_change ORDER BY seq;")" ] &&
   [ "$("$SQLITE3" -batch "$TMP/v5.db" "SELECT $POLICY_BUT_NAME FROM policy ORDER BY id;")" = \
     "$("$SQLITE3" -batch "$TMP/v5-copy.db" "SELECT $POLICY_BUT_NAME FROM policy ORDER BY id;")" ]; then
    pass "migration 5 to 6: every row of every table intact (but for the names)"
else
    fail "migration 5 to 6: every row of every table intact (but for the names)" \
        "$(dump "$TMP/v5.db" > "$TMP/a"; echo "$before" > "$TMP/b"; diff "$TMP/b" "$TMP/a" | head -n 20)"
fi
expect_eq "migration 5 to 6: the old hits stay with their rules (recent_hits)" \
    "SELECT group_concat(policy_id || ' ' || coalesce(rule_name, '-') || ' ' || count, ', ') FROM recent_hits;" \
    "12 - 1, 9 - 1, 1 spammer.com 3"
expect_eq "migration 5 to 6: the revision moved by one, the rules whose names were normalised are logged, with tags" \
    "SELECT (SELECT policy FROM revision),
            (SELECT group_concat(id, ' ') FROM (SELECT id FROM policy_change WHERE seq > $seq ORDER BY seq)),
            (SELECT count(DISTINCT tag) FROM policy_change WHERE seq > $seq AND tag <> 0);" \
    "$((revision + 1))|1 2 5 6|4"
same_as_new "migration 5 to 6" "$TMP/v5.db" "$TMP/fresh.db"
expect_eq "migration 5 to 6: the database draws its history number" \
    "SELECT history <> 0 AND history <> $("$SQLITE3" -batch "$TMP/fresh.db" 'SELECT history FROM revision;') FROM revision;" "1"
expect_eq "migrated 5 to 6: each change gets a tag of its own" \
    "UPDATE policy SET comment = 'a' WHERE id = 4; UPDATE policy SET comment = 'b' WHERE id = 4;
     SELECT count(DISTINCT tag) FROM (SELECT tag FROM policy_change ORDER BY seq DESC LIMIT 2) WHERE tag <> 0;" "2"
expect_eq "migration 5 to 6: policy is AUTOINCREMENT" \
    "SELECT count(*) FROM sqlite_schema WHERE name = 'policy' AND sql LIKE '%id%INTEGER PRIMARY KEY AUTOINCREMENT,%';" "1"
expect_eq "migrated 5 to 6: a new rule's id is above every id the hit log holds" \
    "INSERT INTO policy(name, type) VALUES ('New.Example.', 'MX');
     SELECT id, name FROM policy WHERE id = last_insert_rowid();" "13|new.example"
expect_eq "migrated 5 to 6: ... and recent_hits shows none of the old hits as its" \
    "SELECT count(*) FROM recent_hits WHERE rule_name = 'new.example';" "0"
expect_eq "migrated 5 to 6: the change is logged and moves the revision" \
    "SELECT (SELECT policy FROM revision), (SELECT group_concat(id, ' ') FROM policy_change WHERE seq > $((seq + 6)));" \
    "$((revision + 5))|13 13"
expect_eq "migrated 5 to 6: DELETE ... WHERE name = 'spammer.com' deletes the rule written 'Spammer.COM.'" \
    "DELETE FROM policy WHERE name = 'spammer.com'; SELECT changes();" "1"
expect_fail "migrated 5 to 6: the checks still apply" \
    "UPDATE policy SET name = 'A..B' WHERE id = 4;" "$EMPTY"
# an empty version 5 database: the first rule gets id 1
cp "$TMP/fresh5.db" "$TMP/v5-empty.db"
applies "migration 5 to 6 (empty)" 5 "$TMP/v5-empty.db" "$MIGRATION6"
DB=$TMP/v5-empty.db
expect_eq "migration 5 to 6 (empty): the first rule gets id 1" \
    "INSERT INTO policy(name) VALUES ('a.example'); SELECT id FROM policy;" "1"
same_as_new "migration 5 to 6 (empty)" "$TMP/v5-empty.db" "$TMP/fresh.db"
# a view of the operator's own on policy: refused, nothing changed
cp "$TMP/v5-copy.db" "$TMP/v5-view.db"
"$SQLITE3" -batch -bail "$TMP/v5-view.db" "CREATE VIEW my_rules AS SELECT name FROM policy;"
sum=$(dump "$TMP/v5-view.db" | cksum)
out=$(migrate "$TMP/v5-view.db" "$MIGRATION6")
rc=$?
if [ "$rc" -ne 0 ] && printf '%s\n' "$out" | grep -qF "error in view my_rules"; then
    pass "migration 5 to 6: an operator's own view on policy stops it, naming the view"
else
    fail "migration 5 to 6: an operator's own view on policy stops it, naming the view" \
        "exit status $rc, output: $out"
fi
if [ "$(dump "$TMP/v5-view.db" | cksum)" = "$sum" ] &&
   [ "$("$SQLITE3" -batch "$TMP/v5-view.db" 'PRAGMA user_version;')" = 5 ]; then
    pass "migration 5 to 6: ... and the database stays version 5, unchanged"
else
    fail "migration 5 to 6: ... and the database stays version 5, unchanged"
fi
# on any other version: refused, nothing changed
refused_elsewhere "migration 5 to 6" "$MIGRATION6" 5 "$TMP/v4-copy.db" "$TMP/fresh.db"
copy_untouched "migration 5 to 6" "$TMP/v5-copy.db" "$before" 5

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
