#!/usr/bin/env bash
# test_migration.sh - a database of schema version 1 (tests/schema/schema-v1.sql) is
# migrated to version 6 (through 2, 3, 4 and 5) when the module opens it: its rules apply, its
# rows and hits stay, the migration is logged. A version 2 database (tests/schema/schema-v2.sql)
# is migrated to 6, and its change log then serves live edits. A version 3 database
# (tests/schema/schema-v3.sql) is migrated to 6: its hits count once each, and hit_log = 2
# then counts new ones. A version 4 database (tests/schema/schema-v4.sql) loses the index
# hit_policy_id and keeps its hits. A version 5 database (tests/schema/schema-v5.sql) keeps
# its rules' ids and its hits' rules, gets its names normalised, and never gives a deleted
# rule's id again. When it cannot be migrated (a read-only file in a read-only
# directory, Unbound running as nobody; a lock held by an operator), Unbound runs, the
# cause is logged and the file is left byte for byte as it was; once the lock is gone it is
# migrated.
. "$(dirname "$0")/lib.sh"
: "${RRPOLICY_SO:?RRPOLICY_SO must name rrpolicy.so}"

V1_SCHEMA=$REPO_ROOT/tests/schema/schema-v1.sql
NULLMX="NOERROR spammer.com. IN MX 0 . "

# v1db FILE: a version 1 database with the MX block of spammer.com, a disabled rule and
# two hits, as the sqlite3 CLI makes it (rollback journal).
v1db() {
    sqlite3 -bail "$1" < "$V1_SCHEMA" || die "cannot create $1 from $V1_SCHEMA"
    sqlite3 -bail "$1" "
        INSERT INTO policy(id, name, type, comment) VALUES (1, 'spammer.com', 'MX', 'ticket 4711');
        INSERT INTO policy(id, name, type, action, enabled) VALUES (2, 'old.example', 'TXT', 'nodata', 0);
        UPDATE setting SET value = '200' WHERE key = 'poll_interval_ms';
        INSERT INTO hit(ts, client, qname, qtype, policy_id, action, stage) VALUES
          ('2030-01-01 10:00:00', '192.0.2.1', 'spammer.com.', 'MX', 1, 'nullmx', 'query'),
          ('2030-01-01 11:00:00', '192.0.2.2', 'spammer.com.', 'MX', 1, 'nullmx', 'response');" \
        || die "cannot fill $1"
}

# new_hits: true once the hit writer has written a hit of rule 1 after the migration.
new_hits() {
    local i
    for i in $(seq 50); do
        [ "$(sql "SELECT count(*) FROM hit WHERE policy_id = 1 AND ts NOT LIKE '2030-%'")" -gt 0 ] \
            && return 0
        sleep 0.1
    done
    return 1
}

# 1. A version 1 database is migrated at start; its rule applies.
v1db "$RRPOLICY_DB"
check_eq "the database is version 1" 1 "$(sqlite3 "$RRPOLICY_DB" 'PRAGMA user_version')"
start_resolver
check "the migration is logged" \
    wait_log "rrpolicy: migrated $RRPOLICY_DB from schema version 1 to 6" 5
check_eq "the rule of the version 1 database applies (null MX)" "$NULLMX" "$(answer spammer.com MX)"
check_eq "other names resolve" "NOERROR nxdomain.com. IN A 192.0.2.20 " "$(answer nxdomain.com A)"
check_eq "user_version is 6" 6 "$(sql 'PRAGMA user_version')"
check_eq "the old rules are intact, as qname rules of scope any" \
    "1|spammer.com|MX|block|1|ticket 4711|qname|any
2|old.example|TXT|nodata|0||qname|any" \
    "$(sql 'SELECT id, name, type, action, enabled, comment, trigger, scope FROM policy ORDER BY id')"
check_eq "the old hits are intact" \
    "1|2030-01-01 10:00:00|192.0.2.1|spammer.com.|MX|1|nullmx|query|NULL
2|2030-01-01 11:00:00|192.0.2.2|spammer.com.|MX|1|nullmx|response|NULL" \
    "$(sql "SELECT id, ts, client, qname, qtype, policy_id, action, stage, quote(dnssec)
            FROM hit WHERE ts LIKE '2030-%' ORDER BY id")"
check_eq "the settings are intact, the new ones added" "200|65536|86400" \
    "$(sql "SELECT (SELECT value FROM setting WHERE key = 'poll_interval_ms'),
                   (SELECT value FROM setting WHERE key = 'mailhost_max'),
                   (SELECT value FROM setting WHERE key = 'mailhost_ttl')")"
check "the hit of the null MX is written into the migrated table" new_hits
stop_resolver
start_resolver
check_eq "a second start does not migrate again" 1 \
    "$(grep -c "rrpolicy: migrated $RRPOLICY_DB" "$T/resolver.log")"
check_eq "... and the rule still applies" "$NULLMX" "$(answer spammer.com MX)"
stop_resolver

# 2. A read-only version 1 database: Unbound runs as 'nobody', the database and its
# directory belong to root. The migration cannot be written: logged, no rules, file untouched.
chmod 711 "$T"
mkdir "$T/ro"
RRPOLICY_DB=$T/ro/policy.db
v1db "$RRPOLICY_DB"
chmod 755 "$T/ro"; chmod 644 "$RRPOLICY_DB"
before=$(sha256sum < "$RRPOLICY_DB")
start_resolver 'username: "nobody"'
check "Unbound runs as nobody" test "$(stat -c %U /proc/"$RESOLVER_PID")" = nobody
# Unbound cannot write its logfile as nobody either: it logs to stderr
check "the failed migration is logged with its cause" \
    wait_log "rrpolicy: .*cannot migrate $RRPOLICY_DB from schema version 1 to 6 \(the file is left as it was\): .*readonly.*not writable by the user Unbound runs as" 5 "$T/resolver.out"
check "... and that no policy applies" \
    log_has "rrpolicy: .*NO POLICY IS APPLIED" "$T/resolver.out"
check_eq "Unbound answers" "NOERROR nxdomain.com. IN A 192.0.2.20 " "$(answer nxdomain.com A)"
check_eq "no rules apply" "$REAL_MX" "$(answer spammer.com MX)"
reload
check_eq "after a reload Unbound still answers" "NOERROR nxdomain.com. IN A 192.0.2.20 " \
    "$(answer nxdomain.com A)"
stop_resolver
cp "$T/resolver.out" "$T/resolver-ro.out"
check_eq "the read-only database is left byte for byte as it was" "$before" "$(sha256sum < "$RRPOLICY_DB")"
check_eq "... still version 1" 1 "$(sqlite3 -readonly "$RRPOLICY_DB" 'PRAGMA user_version')"
check "... with no journal left beside it" test ! -e "$RRPOLICY_DB-journal" -a ! -e "$RRPOLICY_DB-wal"

# 3. An operator's write transaction open at start (a RESERVED lock: the database can be
# read, not written): the migration waits 2 s for it and gives up (logged, file
# untouched), and is done once the lock is gone; then the rule applies.
RRPOLICY_DB=$T/locked.db
v1db "$RRPOLICY_DB"
before=$(sha256sum < "$RRPOLICY_DB")
sql_open lock "BEGIN IMMEDIATE; UPDATE policy SET comment = 'held';"
check "the operator holds the lock" sql_opened lock
mv "$T/resolver.log" "$T/resolver-2.log"
start_resolver
check "the lock is logged as the cause of the failed migration" \
    log_has "rrpolicy: cannot migrate $RRPOLICY_DB from schema version 1 to 6 \(the file is left as it was\): database is locked; another connection holds a lock on it"
check_eq "Unbound answers, without rules" "$REAL_MX" "$(answer spammer.com MX)"
check_eq "the locked database is untouched" "$before" "$(sha256sum < "$RRPOLICY_DB")"
sql_close
check "once the lock is gone, the database is migrated" \
    wait_log "rrpolicy: migrated $RRPOLICY_DB from schema version 1 to 6" 10
check "... and loaded" wait_log "rrpolicy: the database .* is usable again" 10
check_eq "... and its rule applies" "$NULLMX" "$(answer spammer.com MX)"
check_eq "... and it is version 6" 6 "$(sql 'PRAGMA user_version')"
stop_resolver

# 4. A version 2 database is migrated to 6 at start; then an UPDATE applies live by a read
# of only the changed row, from the change log the migration made.
RRPOLICY_DB=$T/v2.db
sqlite3 -bail "$RRPOLICY_DB" < "$REPO_ROOT/tests/schema/schema-v2.sql" || die "cannot create $RRPOLICY_DB"
sqlite3 -bail "$RRPOLICY_DB" "
    INSERT INTO policy(id, name, type, comment) VALUES (1, 'spammer.com', 'MX', 'ticket 4711');
    INSERT INTO policy(id, name, type, action) VALUES (2, 'nxdomain.com', 'A', 'refused');
    UPDATE setting SET value = '200' WHERE key = 'poll_interval_ms';" || die "cannot fill $RRPOLICY_DB"
mv "$T/resolver.log" "$T/resolver-3.log"
start_resolver
check "the migration of the version 2 database is logged" \
    wait_log "rrpolicy: migrated $RRPOLICY_DB from schema version 2 to 6" 5
check_eq "... it is version 6" 6 "$(sql 'PRAGMA user_version')"
check_eq "... its rules apply" "$NULLMX" "$(answer spammer.com MX)"
check_eq "... both of them" "REFUSED " "$(answer nxdomain.com A)"
sql "UPDATE policy SET enabled = 0 WHERE id = 2;"
check "a rule disabled after the migration stops applying" \
    wait_log "loaded 1 rules .* only the changed: 1 rows read \(1 ids changed\)" 5
check_eq "... nxdomain.com A resolves again" "NOERROR nxdomain.com. IN A 192.0.2.20 " \
    "$(answer nxdomain.com A)"
check_eq "... and the other rule still applies" "$NULLMX" "$(answer spammer.com MX)"
stop_resolver

# 5. A version 3 database with hits is migrated to 6 at start: every old hit counts once;
# then hit_log = 2 counts the new hits of a client and minute in one row.
RRPOLICY_DB=$T/v3.db
sqlite3 -bail "$RRPOLICY_DB" < "$REPO_ROOT/tests/schema/schema-v3.sql" || die "cannot create $RRPOLICY_DB"
sqlite3 -bail "$RRPOLICY_DB" "
    INSERT INTO policy(id, name, type) VALUES (1, 'spammer.com', 'MX');
    INSERT INTO hit(ts, client, qname, qtype, policy_id, action, stage) VALUES
      ('2030-01-01 10:00:00', '192.0.2.1', 'spammer.com.', 'MX', 1, 'nullmx', 'query'),
      ('2030-01-01 10:00:01', '192.0.2.1', 'spammer.com.', 'MX', 1, 'nullmx', 'query');
    UPDATE setting SET value = '0' WHERE key = 'hit_retention_days';" || die "cannot fill $RRPOLICY_DB"
mv "$T/resolver.log" "$T/resolver-4.log"
start_resolver
check "the migration of the version 3 database is logged" \
    wait_log "rrpolicy: migrated $RRPOLICY_DB from schema version 3 to 6" 5
check_eq "... it is version 6" 6 "$(sql 'PRAGMA user_version')"
check_eq "... its old hits count once each" "1 1" "$(sql "SELECT group_concat(count, ' ') FROM hit")"
check_eq "... its rule applies" "$NULLMX" "$(answer spammer.com MX)"
sql "UPDATE setting SET value = '2' WHERE key = 'hit_log';"
check "hit_log = 2 is taken by unbound-control reload" uctl reload
wait_answering resolver "$RESOLVER_PID" "$RESOLVER_PORT"
for i in 1 2 3 4 5; do answer spammer.com MX >/dev/null; done
for i in $(seq 50); do     # counts are written once a second
    [ "$(sql "SELECT sum(count) FROM hit")" -ge 8 ] && break
    sleep 0.1
done
check_eq "... five more hits are counted (2 old, 1 before the reload)" 8 "$(sql "SELECT sum(count) FROM hit")"
check "... in at most two new rows (one per minute)" \
    test "$(sql "SELECT count(*) FROM hit")" -le 5
stop_resolver

# 6. A version 4 database with hits is migrated to 6 at start: the index hit_policy_id is
# gone, the hits stay, and new hits are written a row each.
RRPOLICY_DB=$T/v4.db
sqlite3 -bail "$RRPOLICY_DB" < "$REPO_ROOT/tests/schema/schema-v4.sql" || die "cannot create $RRPOLICY_DB"
sqlite3 -bail "$RRPOLICY_DB" "
    INSERT INTO policy(id, name, type) VALUES (1, 'spammer.com', 'MX');
    INSERT INTO hit(ts, client, qname, qtype, policy_id, action, stage, count) VALUES
      ('2030-01-01 10:00:00', '192.0.2.1', 'spammer.com.', 'MX', 1, 'nullmx', 'query', 3);
    UPDATE setting SET value = '0' WHERE key = 'hit_retention_days';" || die "cannot fill $RRPOLICY_DB"
mv "$T/resolver.log" "$T/resolver-5.log"
start_resolver
check "the migration of the version 4 database is logged" \
    wait_log "rrpolicy: migrated $RRPOLICY_DB from schema version 4 to 6" 5
check_eq "... it is version 6, without index hit_policy_id" "6|0" \
    "$(sql "SELECT user_version, (SELECT count(*) FROM sqlite_schema WHERE name = 'hit_policy_id')
            FROM pragma_user_version")"
check_eq "... its rule applies" "$NULLMX" "$(answer spammer.com MX)"
wait_hits_of 1 2 >/dev/null
check_eq "... its old hit row stays" "3|2030-01-01 10:00:00" "$(sql "SELECT count, ts FROM hit WHERE id = 1")"
check_eq "... the new hit is a row of its own" "1|spammer.com." "$(sql "SELECT count, qname FROM hit WHERE id > 1")"
stop_resolver

# 7. A version 5 database with hits is migrated to 6 at start: its rules keep their ids and
# their hits, their names are stored in lower case without the trailing dot (an operator's
# WHERE name = ... finds them), and a rule inserted after the highest one was deleted gets a
# new id, not the deleted rule's, whose hit stays its own.
RRPOLICY_DB=$T/v5.db
sqlite3 -bail "$RRPOLICY_DB" < "$REPO_ROOT/tests/schema/schema-v5.sql" || die "cannot create $RRPOLICY_DB"
sqlite3 -bail "$RRPOLICY_DB" "
    INSERT INTO policy(id, name, type) VALUES (1, 'Spammer.COM.', 'MX');
    INSERT INTO policy(id, name, type, action) VALUES (2, 'NXDomain.com.', 'A', 'refused');
    INSERT INTO policy(id, name, type, action) VALUES (3, 'www.spammer.com', 'A', 'nxdomain');
    INSERT INTO hit(ts, client, qname, qtype, policy_id, action, stage) VALUES
      ('2030-01-01 10:00:00', '192.0.2.1', 'spammer.com.', 'MX', 1, 'nullmx', 'query'),
      ('2030-01-01 10:00:01', '192.0.2.1', 'www.spammer.com.', 'A', 3, 'nxdomain', 'query');
    DELETE FROM policy WHERE id = 3;
    UPDATE setting SET value = '200' WHERE key = 'poll_interval_ms';
    UPDATE setting SET value = '0' WHERE key = 'hit_retention_days';" || die "cannot fill $RRPOLICY_DB"
mv "$T/resolver.log" "$T/resolver-6.log"
start_resolver
check "the migration of the version 5 database is logged" \
    wait_log "rrpolicy: migrated $RRPOLICY_DB from schema version 5 to 6" 5
check_eq "... it is version 6" 6 "$(sql 'PRAGMA user_version')"
check_eq "... its rules keep their ids, their names in lower case without the trailing dot" \
    "1|spammer.com|MX
2|nxdomain.com|A" "$(sql 'SELECT id, name, type FROM policy ORDER BY id')"
check_eq "... they apply" "$NULLMX" "$(answer spammer.com MX)"
check_eq "... both of them" "REFUSED " "$(answer nxdomain.com A)"
check_eq "... the old hits are shown with their rules (none for the deleted rule 3)" "3|-
1|spammer.com" "$(sql "SELECT policy_id, coalesce(rule_name, '-') FROM recent_hits WHERE ts LIKE '2030-%'")"
add_rule R_NEW "name, type, action" "'WWW.Spammer.com.', 'A', 'refused'"
check_eq "a rule inserted after the migration gets a new id, not the deleted rule's" 4 "$R_NEW"
check "... it applies live" wait_answer www.spammer.com A "REFUSED "
check_eq "... its name is stored normalised" "www.spammer.com" "$(sql "SELECT name FROM policy WHERE id = 4")"
check_eq "... its hit is written under its id" 1 "$(wait_hits_of 4 1)"
check_eq "... and the deleted rule's hit is not shown as its" "3|-" \
    "$(sql "SELECT policy_id, coalesce(rule_name, '-') FROM recent_hits WHERE policy_id = 3")"
sql "DELETE FROM policy WHERE name = 'nxdomain.com';"
check "DELETE ... WHERE name = 'nxdomain.com' deletes the rule written 'NXDomain.com.', live" \
    wait_answer nxdomain.com A "NOERROR nxdomain.com. IN A 192.0.2.20 "
finish
