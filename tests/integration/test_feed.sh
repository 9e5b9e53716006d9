#!/bin/bash
# test_feed.sh - contrib/rrpolicy-feed, the feed import/export tool:
#
#   1. an RPZ zone with good and bad lines (feeds/mixed.rpz): exact counts per reason, the line
#      numbers of the skipped lines, the rows in policy; re-import finds everything already
#      there; -a overriding the RPZ actions (dry run);
#   2. a hosts file (feeds/hosts.txt) and a plain list (feeds/list.txt), the same way; -c, -e,
#      stdin; names already there in another spelling (case, trailing dot, TYPE15); names whose
#      rules there expire sooner (or have expired) are added again;
#   3. a dry run writes nothing;
#   4. errors: usage, unknown type, missing database; a database error in the middle of an import
#      leaves nothing behind; a row the schema rejects is skipped, the rest goes in;
#   5. export in each format, then re-import: the same rules come back; the longest names an
#      RPZ can hold; input with NUL bytes, and UTF-16;
#   6. end to end: a list imported with type MX into the database of a running resolver,
#      `unbound-control reload`, and the imported name's MX is the null MX.
# The tool is $RRPOLICY_FEED (default contrib/rrpolicy-feed); step 6 needs RRPOLICY_SO.
. "$(dirname "$0")/lib.sh"

FEEDS=$HARNESS_DIR/feeds
SCHEMA=$REPO_ROOT/schema/schema.sql
RRPOLICY_FEED=${RRPOLICY_FEED:-$REPO_ROOT/contrib/rrpolicy-feed}
[ -x "$RRPOLICY_FEED" ] || die "no executable $RRPOLICY_FEED (build it, or set RRPOLICY_FEED)"
if [ -z "${RRPOLICY_SO:-}" ] && [ -f "$REPO_ROOT/module/.libs/rrpolicy.so" ]; then
    RRPOLICY_SO=$REPO_ROOT/module/.libs/rrpolicy.so
fi
[ -n "${RRPOLICY_SO:-}" ] || die "RRPOLICY_SO is not set: the end-to-end step needs the module"

# ---------------------------------------------------------------- helpers

# newdb FILE: a new database with the schema.
newdb() {
    rm -f "$1"
    sqlite3 -bail "$1" <"$SCHEMA" || die "cannot create $1 from $SCHEMA"
}

# sqlq DB SQL: run SQL with the sqlite3 CLI; a failure is a harness error.
sqlq() {
    sqlite3 -bail "$1" "$2" || die "sqlite3 $1 failed: $2"
}

# rules DB [WHERE]: the rules as sorted "name type action" lines.
rules() {
    sqlq "$1" "SELECT name || ' ' || type || ' ' || action FROM policy ${2:-} ORDER BY 1;"
}

# feed ARGS...: run the tool; its stdout and stderr go to $T/feed.out and $T/feed.err,
# its exit status to FEED_RC.
feed() {
    "$RRPOLICY_FEED" "$@" >"$T/feed.out" 2>"$T/feed.err"
    FEED_RC=$?
}

# summary: the counts of the last import's report, from "added:" to the last reason.
summary() {
    awk '/^added:/ { on = 1 } /^(skipped lines|hint:|committed:|dry run:)/ { on = 0 } on' \
        "$T/feed.out"
}

# example_lines: the line numbers of the skipped lines the last import showed.
example_lines() {
    sed -n 's/^    line \([0-9]*\): .*/\1/p' "$T/feed.out" | tr '\n' ' '
}

# has_line TEXT: the last import's stdout has a line equal to TEXT.
has_line() {
    grep -qxF -- "$1" "$T/feed.out"
}

# err_has TEXT: the last command's stderr contains TEXT.
err_has() {
    grep -qF -- "$1" "$T/feed.err"
}


# ---------------------------------------------------------------- 1. RPZ

RPZ_DB=$T/rpz.db
newdb "$RPZ_DB"
feed import -d "$RPZ_DB" -f rpz -t MX "$FEEDS/mixed.rpz"
check_eq "rpz import: exit status 0" 0 "$FEED_RC"
check_eq "rpz import: counts per action and per skip reason" \
"added: 7
    1 nodata
    3 nxdomain
    1 drop
    2 allow
already there: 0
skipped: 17
    2 syntax error
    1 \$INCLUDE is not supported
    2 invalid name
    1 repeated in the input
    1 outside the RPZ origin
    2 SOA or NS of the RPZ apex
    1 RPZ rpz-ip trigger (not a QNAME trigger)
    1 RPZ rpz-nsdname trigger (not a QNAME trigger)
    1 RPZ rpz-nsip trigger (not a QNAME trigger)
    1 RPZ rpz-client-ip trigger (not a QNAME trigger)
    3 RPZ local data (-a imports such names)
    1 RPZ rpz-tcp-only action (-a imports such names)" "$(summary)"
check_eq "rpz import: the skipped lines are shown with their line numbers" \
    "5 7 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 " "$(example_lines)"
check "rpz import: a syntax error names ldns's reason and quotes the line" has_line \
    "    line 32: syntax error [Syntax error, could not parse the RR]: a..b.example.com        CNAME .                      ; syntax error: empty label"
check "rpz import: a repeated name names its first line" has_line \
    "    line 30: repeated in the input [first at line 10]: spammer.com             CNAME .                      ; repeated"
check "rpz import: the origin is the SOA's owner" has_line "RPZ origin: rpz.example."
check "rpz import: reports the commit" has_line "committed: 7 rules added"
check_eq "rpz import: the rows in policy (lowercase, no origin, RPZ actions mapped)" \
"*.spammer.com MX nxdomain
dropme.example.org MX drop
fully.example.com MX nxdomain
ok.spammer.com MX allow
old-pass.example.org MX allow
spammer.com MX nxdomain
tunnel.example.net MX nodata" "$(rules "$RPZ_DB")"
check_eq "rpz import: the default comment names the file" \
    "7|rrpolicy-feed: $FEEDS/mixed.rpz|1|" \
    "$(sqlq "$RPZ_DB" "SELECT count(*), comment, min(enabled), expires_at FROM policy GROUP BY 2, 4;")"

feed import -d "$RPZ_DB" -f rpz -t MX "$FEEDS/mixed.rpz"
check_eq "rpz re-import: exit status 0" 0 "$FEED_RC"
check_eq "rpz re-import: everything already there, nothing added" \
"added: 0
already there: 7
skipped: 17" "$(summary | sed -n '1,3p')"
check_eq "rpz re-import: no new row" 7 "$(sqlq "$RPZ_DB" "SELECT count(*) FROM policy;")"

# -a overrides every RPZ action but passthru; dry run
feed import -n -d "$RPZ_DB" -f rpz -t MX -a block "$FEEDS/mixed.rpz"
check_eq "rpz -a block: exit status 0" 0 "$FEED_RC"
check_eq "rpz -a block: local data and tcp-only become block, passthru stays allow (already there)" \
"added: 8
    8 block
already there: 2
skipped: 14
    2 syntax error
    1 \$INCLUDE is not supported
    2 invalid name
    2 repeated in the input
    1 outside the RPZ origin
    2 SOA or NS of the RPZ apex
    1 RPZ rpz-ip trigger (not a QNAME trigger)
    1 RPZ rpz-nsdname trigger (not a QNAME trigger)
    1 RPZ rpz-nsip trigger (not a QNAME trigger)
    1 RPZ rpz-client-ip trigger (not a QNAME trigger)" "$(summary)"
check "rpz -a block -n: says it wrote nothing" has_line "dry run: nothing written (rolled back)"
check_eq "rpz -a block -n: no block row written" 0 \
    "$(sqlq "$RPZ_DB" "SELECT count(*) FROM policy WHERE action = 'block';")"

# a zone without SOA or \$ORIGIN: relative names are relative to the RPZ origin; -o names it
printf 'a.example.com CNAME .\nb.example.com CNAME *.\n' >"$T/bare.rpz"
feed import -n -d "$RPZ_DB" -f rpz -t TXT "$T/bare.rpz"
check_eq "rpz without SOA: relative names are imported" "added: 2" "$(summary | head -n 1)"
printf 'a.example.com.rpz.other. CNAME .\n' >"$T/abs.rpz"
feed import -n -d "$RPZ_DB" -f rpz -t TXT "$T/abs.rpz"
check "rpz with absolute names and no origin: outside, with a hint" has_line \
    "hint: the file names no RPZ origin (no SOA first, no \$ORIGIN), and not one name was relative; give the zone's origin with -o"
feed import -n -d "$RPZ_DB" -f rpz -t TXT -o rpz.other "$T/abs.rpz"
check_eq "rpz with -o: the names are under it" "added: 1" "$(summary | head -n 1)"

# ---------------------------------------------------------------- 2. hosts and list

HOSTS_DB=$T/hosts.db
newdb "$HOSTS_DB"
feed import -d "$HOSTS_DB" -f hosts -t '*' -a nxdomain "$FEEDS/hosts.txt"
check_eq "hosts import: exit status 0" 0 "$FEED_RC"
check_eq "hosts import: counts" \
"added: 6
    6 nxdomain
already there: 0
skipped: 11
    1 syntax error
    2 invalid name
    1 repeated in the input
    1 first field is not an IP address
    1 not a blocking address (only 0.0.0.0, 127.0.0.1, :: and ::1 block)
    5 hosts-file system name (localhost and the like)" "$(summary)"
check_eq "hosts import: the skipped lines and their line numbers" \
    "3 4 4 4 5 15 16 17 18 19 20 " "$(example_lines)"
check_eq "hosts import: the rows in policy" \
"ads.example.com * nxdomain
malware.example.net * nxdomain
phish.example.net * nxdomain
spammer.com * nxdomain
tracker.example.com * nxdomain
v6block.example.org * nxdomain" "$(rules "$HOSTS_DB")"

LIST_DB=$T/list.db
newdb "$LIST_DB"
# rows typed by an operator in other spellings; one of them disabled
sqlq "$LIST_DB" "INSERT INTO policy(name, type, action) VALUES ('Spammer.COM.', 'mx', 'block');
                 INSERT INTO policy(name, type, action, enabled) VALUES ('crlf.example.com', 'TYPE15', 'block', 0);
                 INSERT INTO policy(name, type, action) VALUES ('upper.example.org', 'MX', 'nodata');"
feed import -d "$LIST_DB" -f list -t MX -a block -c "feed 42" -e "2030-01-01 00:00:00" \
    "$FEEDS/list.txt"
check_eq "list import: exit status 0" 0 "$FEED_RC"
check_eq "list import: counts; other spellings of a rule are already there" \
"added: 5
    5 block
already there: 2 (1 of them disabled)
skipped: 5
    3 invalid name
    1 repeated in the input
    1 more than one field on the line" "$(summary)"
check_eq "list import: the skipped lines and their line numbers" "11 12 13 14 16 " \
    "$(example_lines)"
check_eq "list import: the rows in policy (the operator's names stored normalised)" \
"*.dga.example.net MX block
crlf.example.com TYPE15 block
indented.example.org MX block
mail.spammer.org MX block
nonewline.example.com MX block
spammer.com mx block
upper.example.org MX block
upper.example.org MX nodata" "$(rules "$LIST_DB")"
check_eq "list import: -c and -e are stored on every new row" "5|feed 42|2030-01-01 00:00:00" \
    "$(sqlq "$LIST_DB" "SELECT count(*), comment, expires_at FROM policy WHERE comment IS NOT NULL GROUP BY 2, 3;")"

# stdin, and a name from it that is there already (until the same time)
printf 'new.example.com\nMAIL.spammer.org.\n' | "$RRPOLICY_FEED" import -d "$LIST_DB" -f list \
    -t TYPE15 -a block -e '2030-01-01 00:00:00' - >"$T/feed.out" 2>"$T/feed.err"
check_eq "list from stdin: one added, one already there (TYPE15 is MX)" \
"added: 1
    1 block
already there: 1
skipped: 0" "$(summary)"
check_eq "list from stdin: stored as type MX with the comment naming stdin" \
    "new.example.com|MX|rrpolicy-feed: stdin" \
    "$(sqlq "$LIST_DB" "SELECT name, type, comment FROM policy WHERE name = 'new.example.com';")"

# a rule there that stops applying before the import's would is no reason to skip a name: an
# expired rule (enabled, or disabled: the operator's choice, kept), a temporary rule under a
# permanent import; a rule that applies at least as long is
sqlq "$LIST_DB" "INSERT INTO policy(name, type, action, expires_at) VALUES
    ('expired.example.com', 'MX', 'block', '2001-01-01 00:00:00');
    INSERT INTO policy(name, type, action, enabled, expires_at) VALUES
    ('off.example.com', 'MX', 'block', 0, '2001-01-01 00:00:00');"
printf 'expired.example.com\noff.example.com\nnew.example.com\n' >"$T/renew.txt"
feed import -d "$LIST_DB" -f list -t MX -a block -e '2029-01-01 00:00:00' "$T/renew.txt"
check_eq "renew, -e sooner: the expired rule is renewed, the rest is there" \
"added: 1
    1 block
    (1 of them renew rules that expire sooner or have expired)
already there: 2 (1 of them disabled)
skipped: 0" "$(summary)"
feed import -d "$LIST_DB" -f list -t MX -a block "$T/renew.txt"
check_eq "renew, permanent: the temporary rules are renewed too" \
"added: 2
    2 block
    (2 of them renew rules that expire sooner or have expired)
already there: 1 (1 of them disabled)
skipped: 0" "$(summary)"
check_eq "renew: the new rows beside the old ones" \
"new.example.com|2030-01-01 00:00:00
expired.example.com|2001-01-01 00:00:00
expired.example.com|2029-01-01 00:00:00
expired.example.com|
new.example.com|" \
    "$(sqlq "$LIST_DB" "SELECT name, expires_at FROM policy WHERE name IN ('expired.example.com',
        'new.example.com') ORDER BY id;")"
sqlq "$LIST_DB" "DELETE FROM policy WHERE name IN ('expired.example.com', 'off.example.com')
    OR (name = 'new.example.com' AND expires_at IS NULL);"

# ---------------------------------------------------------------- 3. dry run

before=$(sqlite3 "$LIST_DB" .dump)
feed import -n -d "$LIST_DB" -f hosts -t TXT -a nodata "$FEEDS/hosts.txt"
check_eq "dry run: exit status 0" 0 "$FEED_RC"
check_eq "dry run: reports what it would add" "added: 6" "$(summary | head -n 1)"
check "dry run: says it wrote nothing" has_line "dry run: nothing written (rolled back)"
check "dry run: the database is unchanged" test "$before" = "$(sqlite3 "$LIST_DB" .dump)"

# ---------------------------------------------------------------- 4. errors

ERR_DB=$T/err.db
newdb "$ERR_DB"
feed import -d "$ERR_DB" -f list -t FOO -a block "$FEEDS/list.txt"
check_eq "unknown type: exit status 1" 1 "$FEED_RC"
check "unknown type: the schema's message" err_has "rrpolicy: unknown type"
feed import -d "$ERR_DB" -f list -t A -a nullmx "$FEEDS/list.txt"
check_eq "nullmx on type A: exit status 1" 1 "$FEED_RC"
check "nullmx on type A: the schema's message" err_has "rrpolicy: action 'nullmx' applies to type MX only"
feed import -d "$ERR_DB" -f list -t MX "$FEEDS/list.txt"
check_eq "list without -a: exit status 1" 1 "$FEED_RC"
check "list without -a: says what is missing" err_has "give the action of the rules with -a ACTION"
feed import -d "$T/missing.db" -f list -t MX -a block "$FEEDS/list.txt"
check_eq "missing database: exit status 1" 1 "$FEED_RC"
check "missing database: says so" err_has "cannot open database $T/missing.db"
check "missing database: not created" test ! -e "$T/missing.db"
feed import -d "$ERR_DB" -f list -t MX -a block "$T/no-such-feed"
check_eq "missing input: exit status 1" 1 "$FEED_RC"
feed frobnicate
check_eq "unknown command: exit status 1" 1 "$FEED_RC"
feed -h
check_eq "-h: exit status 0" 0 "$FEED_RC"
check "-h: prints the usage" grep -q '^usage: rrpolicy-feed import -d DB' "$T/feed.out"
check_eq "errors: nothing was written" 0 "$(sqlq "$ERR_DB" "SELECT count(*) FROM policy;")"

# a database error in the middle of the inserts (rows are inserted in name order: three come
# before it): this trigger fails at run time, with an error that is not a constraint
sqlq "$ERR_DB" "CREATE TRIGGER boom AFTER INSERT ON policy WHEN NEW.name = 'mail.spammer.org'
                BEGIN SELECT json(NEW.name); END;"
feed import -d "$ERR_DB" -f list -t MX -a block "$FEEDS/list.txt"
check_eq "database error: exit status 1" 1 "$FEED_RC"
check "database error: names the row and the error, nothing imported" err_has \
    "cannot insert 'mail.spammer.org' (line 5): malformed JSON; nothing imported (rolled back)"
check_eq "database error: all or nothing, no row" 0 "$(sqlq "$ERR_DB" "SELECT count(*) FROM policy;")"
sqlq "$ERR_DB" "DROP TRIGGER boom;"

# a check of the schema the tool does not know: that row is skipped, the others go in
sqlq "$ERR_DB" "CREATE TRIGGER local_check BEFORE INSERT ON policy WHEN NEW.name = 'mail.spammer.org'
                BEGIN SELECT RAISE(ABORT, 'rrpolicy: not that one'); END;"
feed import -d "$ERR_DB" -f list -t MX -a block "$FEEDS/list.txt"
check_eq "row rejected by the schema: exit status 0" 0 "$FEED_RC"
check_eq "row rejected by the schema: counted with the others" \
"added: 6
    6 block
already there: 0
skipped: 6
    3 invalid name
    1 repeated in the input
    1 rejected by the schema
    1 more than one field on the line" "$(summary)"
check "row rejected by the schema: the line and the schema's message" has_line \
    "    line 5: rejected by the schema [rrpolicy: not that one]: mail.spammer.org"
check_eq "row rejected by the schema: the others are in" 6 \
    "$(sqlq "$ERR_DB" "SELECT count(*) FROM policy;")"

# ---------------------------------------------------------------- 5. export and re-import

# rpz: the zone parses (ldns-read-zone), has the SOA and NS, and gives the same rules back
feed export -d "$RPZ_DB" -f rpz -o rpz.example "$T/export.rpz"
check_eq "rpz export: exit status 0" 0 "$FEED_RC"
check "rpz export: reports the count" err_has "exported 7 names to $T/export.rpz"
check "rpz export: ldns-read-zone accepts the zone" ldns-read-zone "$T/export.rpz"
check_eq "rpz export: SOA and NS of the origin, one CNAME per rule" \
"rpz.example. 60 IN SOA localhost. nobody.invalid. SERIAL 3600 600 86400 60
rpz.example. 60 IN NS localhost.
*.spammer.com.rpz.example. CNAME . ; rule 1: MX nxdomain
dropme.example.org.rpz.example. CNAME rpz-drop. ; rule 2: MX drop
fully.example.com.rpz.example. CNAME . ; rule 3: MX nxdomain
ok.spammer.com.rpz.example. CNAME rpz-passthru. ; rule 4: MX allow
old-pass.example.org.rpz.example. CNAME rpz-passthru. ; rule 5: MX allow
spammer.com.rpz.example. CNAME . ; rule 6: MX nxdomain
tunnel.example.net.rpz.example. CNAME *. ; rule 7: MX nodata" \
    "$(grep -v '^[;$]' "$T/export.rpz" | sed 's/ SOA \([^ ]*\) \([^ ]*\) [0-9]* / SOA \1 \2 SERIAL /')"
feed import -d "$RPZ_DB" -f rpz -t MX "$T/export.rpz"
check_eq "rpz export re-imported into the same database: all already there" \
"added: 0
already there: 7
skipped: 2
    2 SOA or NS of the RPZ apex" "$(summary)"
RT_DB=$T/roundtrip-rpz.db
newdb "$RT_DB"
feed import -d "$RT_DB" -f rpz -t MX "$T/export.rpz"
check_eq "rpz export re-imported into a new database: the same rules" \
    "$(rules "$RPZ_DB")" "$(rules "$RT_DB")"

# hosts, to stdout
"$RRPOLICY_FEED" export -d "$HOSTS_DB" -f hosts - >"$T/export.hosts" 2>"$T/feed.err"
check_eq "hosts export: one 0.0.0.0 line per name, in rule id order" \
"0.0.0.0 ads.example.com
0.0.0.0 malware.example.net
0.0.0.0 phish.example.net
0.0.0.0 spammer.com
0.0.0.0 tracker.example.com
0.0.0.0 v6block.example.org" "$(cat "$T/export.hosts")"
RT_DB=$T/roundtrip-hosts.db
newdb "$RT_DB"
feed import -d "$RT_DB" -f hosts -t '*' -a nxdomain "$T/export.hosts"
check_eq "hosts export re-imported: nothing skipped" "skipped: 0" "$(summary | grep '^skipped')"
check_eq "hosts export re-imported: the same rules" "$(rules "$HOSTS_DB")" "$(rules "$RT_DB")"

# a hosts file blocks whole names: exporting rules of other types says so
feed export -d "$LIST_DB" -f hosts "$T/export-mx.hosts"
check_eq "hosts export of MX rules: exit status 0" 0 "$FEED_RC"
check "hosts export of MX rules: a note says the file blocks more than the rules" \
    grep -qE '^rrpolicy-feed: note: [0-9]+ of the names come from rules of other types than A, AAAA and' \
    "$T/feed.err"
"$RRPOLICY_FEED" export -d "$HOSTS_DB" -f hosts - >/dev/null 2>"$T/feed.err"
check "hosts export of address rules: no such note" not err_has "note:"

# list: only the rules of one type and action; disabled and expired rules are left out
sqlq "$LIST_DB" "INSERT INTO policy(name, type, action, expires_at) VALUES ('gone.example.com', 'MX', 'block', '2001-01-01 00:00:00');"
feed export -d "$LIST_DB" -f list -t MX -a block "$T/export.list"
check_eq "list export: exit status 0" 0 "$FEED_RC"
check_eq "list export: the enabled, unexpired MX block rules, normalized, in rule id order" \
"spammer.com
*.dga.example.net
indented.example.org
mail.spammer.org
nonewline.example.com
upper.example.org
new.example.com" "$(cat "$T/export.list")"
RT_DB=$T/roundtrip-list.db
newdb "$RT_DB"
feed import -d "$RT_DB" -f list -t MX -a block "$T/export.list"
check_eq "list export re-imported: the same rules" \
    "$(sqlq "$LIST_DB" "SELECT lower(rtrim(name, '.')) || ' MX block' FROM policy
                        WHERE upper(type) IN ('MX', 'TYPE15') AND action = 'block' AND enabled = 1
                          AND (expires_at IS NULL OR expires_at > datetime('now')) ORDER BY 1;")" \
    "$(rules "$RT_DB")"

# only name rules (trigger qname) are exported: a target or answer-ip rule's name is not a
# name to block; require-secure is left out like allow and log
TR_DB=$T/triggers.db
newdb "$TR_DB"
sqlq "$TR_DB" "INSERT INTO policy(name, type, action, trigger) VALUES
    ('spammer.com', 'MX', 'block', 'qname'),
    ('*.bad-mx.example', 'MX', 'block', 'target'),
    ('ns.bad.example', 'NS', 'nxdomain', 'target'),
    ('192.0.2.0/24', 'A', 'block', 'answer-ip'),
    ('2001:db8::/32', '*', 'nxdomain', 'answer-ip'),
    ('*.bank.example', '*', 'require-secure', 'qname');"
feed export -d "$TR_DB" -f list "$T/export-trig.list"
check_eq "list export of a database with target and answer-ip rules: the qname rule only" \
    "0 spammer.com" "$FEED_RC $(cat "$T/export-trig.list")"
check "... and require-secure is left out like allow and log" \
    grep -q "left out 1 allow, log and require-secure rules" "$T/feed.err"
feed export -d "$TR_DB" -f rpz -o rpz.example "$T/export-trig.rpz"
check_eq "rpz export of that database: the qname rule only" \
    "0 spammer.com.rpz.example. CNAME *. ; rule 1: MX block" \
    "$FEED_RC $(grep -v '^[;$]' "$T/export-trig.rpz" | grep -v ' SOA \| NS ')"
feed export -d "$TR_DB" -f list -t MX -a block "$T/export-trig2.list"
check_eq "list export -t MX -a block: not the target rule of type MX" \
    "0 spammer.com" "$FEED_RC $(cat "$T/export-trig2.list")"

# the longest names: an owner name of the RPZ is the rule's name, a dot and the origin (with its
# final dot), at most 254 characters (255 octets); one character more is left out, not written
LONG_DB=$T/long.db
newdb "$LONG_DB"
l63=$(printf 'a%.0s' $(seq 63))
fits=$l63.$l63.$l63.$(printf 'b%.0s' $(seq 51))
sqlq "$LONG_DB" "INSERT INTO policy(name, type, action) VALUES ('$fits', '*', 'nxdomain'),
    ('${fits}b', '*', 'nxdomain'), ('ok.example', '*', 'nxdomain');"
feed export -d "$LONG_DB" -f rpz "$T/export-long.rpz"
check_eq "rpz export of a name of 243 characters and one of 244 under rpz.local.: exit status 0" \
    0 "$FEED_RC"
check "... the one of 244 is left out" err_has "left out 1 names too long under origin rpz.local."
check_eq "... the one of 243 is written, 254 characters" "254 21" \
    "$(awk '/ CNAME /{ printf "%s ", length($1) }' "$T/export-long.rpz" | sed 's/ $//')"
check "... and ldns-read-zone accepts the zone" ldns-read-zone "$T/export-long.rpz"

# input that is not UTF-8 text: a NUL byte would cut a line short as a string (another name)
# and hide the lines after it; a UTF-16 file (Windows hosts files) has one in every line
NUL_DB=$T/nul.db
newdb "$NUL_DB"
printf 'a.example\nb.exa\0mple\nc.example\nd.example\n' >"$T/nul.list"
feed import -d "$NUL_DB" -f list -t '*' -a nxdomain "$T/nul.list"
check_eq "a list with a NUL byte in a line: that line skipped, the others imported" \
"added: 3
    3 nxdomain
already there: 0
skipped: 1
    1 a NUL byte in the line (the file is not text, or not UTF-8)" "$(summary)"
check_eq "... its line number shown" "2 " "$(example_lines)"
check_eq "... the rows in policy" "a.example * nxdomain
c.example * nxdomain
d.example * nxdomain" "$(rules "$NUL_DB")"
printf '0.0.0.0 e.example\n0.0.0.0 f.example\n' | iconv -f UTF-8 -t UTF-16 >"$T/utf16.hosts"
feed import -d "$NUL_DB" -f hosts -t '*' -a nxdomain "$T/utf16.hosts"
check_eq "a UTF-16 hosts file: exit status 1" 1 "$FEED_RC"
check "... with what to do about it" \
    err_has "is UTF-16 (it starts with a byte order mark): convert it to UTF-8 first"
check_eq "... and nothing imported" 3 "$(sqlq "$NUL_DB" "SELECT count(*) FROM policy;")"

# ---------------------------------------------------------------- 6. end to end

newdb "$RRPOLICY_DB"
start_resolver
check_eq "before the import, spammer.com MX is the zone's" \
"spammer.com. IN MX 10 aspmx.l.google.com.
spammer.com. IN MX 20 alt1.aspmx.l.google.com." "$(answer_of "$(q spammer.com MX)")"
feed import -d "$RRPOLICY_DB" -f list -t MX -a block "$FEEDS/list.txt"
check_eq "import into the running resolver's database: exit status 0" 0 "$FEED_RC"
check_eq "import into the running resolver's database: 7 rules" "added: 7" "$(summary | head -n 1)"
reload
check "after reload, the module loaded the 7 imported rules" \
    log_has "rrpolicy [0-9.]+: loaded 7 rules (\\(revision [0-9]+\\) )?from $RRPOLICY_DB"
out=$(q spammer.com MX)
check_eq "after reload, spammer.com MX is the null MX" "spammer.com. IN MX 0 ." "$(answer_of "$out")"
check_eq "the null MX names the imported rule" \
    "rrpolicy: rule $(sqlq "$RRPOLICY_DB" "SELECT id FROM policy WHERE name = 'spammer.com';")" \
    "$(ede_text_of "$out")"
check_eq "spammer.com A is not blocked (the rules are type MX)" "spammer.com. IN A 192.0.2.10" \
    "$(answer_of "$(q spammer.com A)")"
check_eq "a name below a '*.' rule gets the null MX too" "x.dga.example.net. IN MX 0 ." \
    "$(answer_of "$(q x.dga.example.net MX)")"
finish
