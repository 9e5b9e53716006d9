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
rc=$?
if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
    pass "schema applies to an empty database with sqlite3 -bail"
else
    fail "schema applies to an empty database with sqlite3 -bail" \
        "exit status $rc, output: $out"
    echo "$passed passed, $failed failed"
    exit 1
fi

# The module runs the file inside a transaction it opens itself.
out=$({ echo 'BEGIN;'; cat "$SCHEMA"; echo 'COMMIT;'; } |
      "$SQLITE3" -batch -bail "$TMP/intx.db" 2>&1)
rc=$?
if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
    pass "schema applies inside a transaction (no BEGIN/COMMIT in it)"
else
    fail "schema applies inside a transaction (no BEGIN/COMMIT in it)" \
        "exit status $rc, output: $out"
fi

if grep -qi 'journal_mode' "$SCHEMA"; then
    fail "schema does not set PRAGMA journal_mode"
else
    pass "schema does not set PRAGMA journal_mode"
fi

newdb main
expect_eq "user_version is 1" "PRAGMA user_version;" "1"
expect_eq "tables, views and indexes exist" \
    "SELECT group_concat(type || ' ' || name, ', ') FROM
       (SELECT type, name FROM sqlite_schema
        WHERE name IN ('policy', 'rrtype', 'setting', 'hit', 'hit_drop',
                       'hits_per_rule_per_day', 'top_clients',
                       'top_blocked_names', 'recent_hits',
                       'policy_name', 'hit_ts', 'hit_policy_id')
        ORDER BY type, name);" \
    "index hit_policy_id, index hit_ts, index policy_name, table hit, table hit_drop, table policy, table rrtype, table setting, view hits_per_rule_per_day, view recent_hits, view top_blocked_names, view top_clients"
expect_eq "index policy_name is on policy(name)" \
    "SELECT group_concat(name) FROM pragma_index_info('policy_name');" "name"
expect_eq "policy has the agreed columns and defaults" \
    "SELECT group_concat(name || ':' || type || ':' || \"notnull\" || ':' ||
                         coalesce(dflt_value, '-') || ':' || pk, ' ')
     FROM pragma_table_info('policy');" \
    "id:INTEGER:0:-:1 name:TEXT:1:-:0 type:TEXT:1:'*':0 action:TEXT:1:'block':0 enabled:INTEGER:1:1:0 expires_at:TEXT:0:-:0 comment:TEXT:0:-:0 created_at:TEXT:1:datetime('now'):0"
expect_eq "hit has the agreed columns" \
    "SELECT group_concat(name || ':' || type || ':' || \"notnull\", ' ')
     FROM pragma_table_info('hit');" \
    "id:INTEGER:0 ts:TEXT:1 client:TEXT:1 qname:TEXT:1 qtype:TEXT:1 policy_id:INTEGER:0 action:TEXT:1 stage:TEXT:1"

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
    expect_eq "policy: valid name '$(printf %.40s "$name")' (length ${#name})" \
        "INSERT INTO policy(name, type) VALUES ('$name', 'TXT');
         SELECT name FROM policy WHERE id = last_insert_rowid();" "$name"
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
    "INSERT INTO policy_validate VALUES ('a..b', 'MX', 'block', 1, NULL);" \
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
                      name = 'spammer.com.', type = 'mx' WHERE id = 1;
     SELECT name, type, enabled, expires_at FROM policy WHERE id = 1;" \
    "spammer.com.|mx|0|2031-01-01 00:00:00"
expect_ok "policy: DELETE of a rule succeeds" \
    "DELETE FROM policy WHERE id = 2;"

# ---------------------------------------------------------------------
# setting
# ---------------------------------------------------------------------

newdb setting
expect_eq "setting: defaults" \
    "SELECT group_concat(key || '=' || value, ' ') FROM
       (SELECT * FROM setting ORDER BY key);" \
    "hit_log=1 hit_queue_size=65536 hit_retention_days=30 negative_ttl=60 poll_interval_ms=1000 soa_mname=localhost. soa_rname=nobody.invalid."
expect_eq "setting: every description gives the default" \
    "SELECT count(*) FROM setting
     WHERE description LIKE '%Default: ' || value || '%';" "7"
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
expect_eq "setting: still 7 settings with their defaults" \
    "SELECT count(*) FROM setting WHERE description LIKE '%Default: ' || value || '%';" \
    "7"

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
check_int hit_log "rrpolicy: setting 'hit_log' must be 0 or 1" \
    "'0'" "'1'" -- "'2'" "'-1'" "'yes'" "'01'" "''"
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

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
