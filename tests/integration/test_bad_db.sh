#!/usr/bin/env bash
# test_bad_db.sh - a bad database at start never takes the resolver down:
# a database locked by an operator at start is loaded once the lock is gone;
# a database of an unknown schema version is refused without damage; a
# directory the module cannot create the database in; a load that keeps
# failing is tried again less and less often. Unbound answers throughout,
# and each cause is logged.
. "$(dirname "$0")/lib.sh"
: "${RRPOLICY_SO:?RRPOLICY_SO must name rrpolicy.so}"


# 1. Locked at start. A database still in rollback-journal mode (as the
# sqlite3 CLI makes it) with an exclusive lock held: readers wait too.
sqlite3 "$RRPOLICY_DB" < "$REPO_ROOT/schema/schema.sql"
sqlite3 "$RRPOLICY_DB" "INSERT INTO policy(name, type) VALUES ('spammer.com', 'MX');
    UPDATE setting SET value = '200' WHERE key = 'poll_interval_ms';"
sql_open lock "BEGIN EXCLUSIVE; UPDATE policy SET comment = 'held';"
check "the operator holds the lock" sql_opened lock
start_resolver
check "the lock is logged at start" log_has 'rrpolicy: .*database is locked.*NO POLICY IS APPLIED'
check_eq "Unbound answers while the database is locked" \
    "NOERROR nxdomain.com. IN A 192.0.2.20 " "$(answer nxdomain.com A)"
check_eq "... with no rules yet" "$REAL_MX" \
    "$(answer spammer.com MX)"
sql_close
check "once the lock is gone the rules are loaded" wait_log 'rrpolicy: the database .* is usable again' 10
check_eq "... and apply" "NOERROR spammer.com. IN MX 0 . " "$(answer spammer.com MX)"
stop_resolver

# 1b. Write-locked at start, the database now in WAL mode: the rules load (readers do not wait),
# the status cannot be written (the module does not wait at start); it is written within a
# second of the lock's release, though polls are 60 s apart.
stop_named lock    # the first session, which may still read its fifo
sqlite3 "$RRPOLICY_DB" "UPDATE setting SET value = '60000' WHERE key = 'poll_interval_ms';"
sleep 1    # loaded_at has whole seconds
since=$(date -u '+%Y-%m-%d %H:%M:%S')
sql_open lock2 "BEGIN IMMEDIATE; UPDATE policy SET comment = 'held';"
check "the operator holds the write lock" sql_opened lock2
start_resolver
check_eq "the rules apply under the write lock" "NOERROR spammer.com. IN MX 0 . " "$(answer spammer.com MX)"
check_eq "... the status is not written meanwhile" 0 "$(sql "SELECT loaded_at >= '$since' FROM module_status;")"
sql_close
check_sql "... and is written once the lock is gone, though polls are 60 s apart" "1|live" \
    "SELECT m.loaded_at >= '$since', s.state FROM module_status AS m, status AS s;"
stop_resolver

# 2. A schema version this rrpolicy does not know: refused, file untouched.
rm -f "$RRPOLICY_DB"*
sqlite3 "$RRPOLICY_DB" < "$REPO_ROOT/schema/schema.sql"
sqlite3 "$RRPOLICY_DB" "INSERT INTO policy(name, type) VALUES ('spammer.com', 'MX'); PRAGMA user_version = 99;"
before=$(sha256sum < "$RRPOLICY_DB")
start_resolver
check "the unknown version is logged" log_has 'rrpolicy: .*has schema version 99, this rrpolicy knows version 6'
check_eq "Unbound answers" "NOERROR nxdomain.com. IN A 192.0.2.20 " "$(answer nxdomain.com A)"
check_eq "no rules apply" "NOERROR" "$(rcode_of "$(q spammer.com MX)")"
check "... not even the one in the refused database" not grep -q 'MX 0 \.' <(q spammer.com MX)
stop_resolver
check_eq "the refused database is left as it was" "$before" "$(sha256sum < "$RRPOLICY_DB")"
check_eq "... still version 99" 99 "$(sqlite3 "$RRPOLICY_DB" 'PRAGMA user_version;')"

# 3. A read-only directory: Unbound runs as 'nobody' (it drops privileges
# before the module opens the database), the database and its directory
# belong to root. The rules can be read and apply; what needs writing (WAL
# mode, the hit log) fails loudly, at start and after a reload.
chmod 711 "$T"
mkdir "$T/ro"
RRPOLICY_DB=$T/ro/policy.db
sqlite3 "$RRPOLICY_DB" < "$REPO_ROOT/schema/schema.sql"
sqlite3 "$RRPOLICY_DB" "INSERT INTO policy(name, type) VALUES ('spammer.com', 'MX');"
chmod 755 "$T/ro"; chmod 644 "$RRPOLICY_DB"
before=$(sha256sum < "$RRPOLICY_DB")
start_resolver 'username: "nobody"'
check "Unbound runs as nobody" test "$(stat -c %U /proc/"$RESOLVER_PID")" = nobody
check_eq "the rules of a read-only database apply" "NOERROR spammer.com. IN MX 0 . " "$(answer spammer.com MX)"
check_eq "other names resolve" "NOERROR nxdomain.com. IN A 192.0.2.20 " "$(answer nxdomain.com A)"
# Unbound cannot write its logfile as nobody either: it logs to stderr
check "what cannot be written is logged" \
    wait_log 'rrpolicy: .*(cannot set WAL|readonly database)' 5 "$T/resolver.out"
check "... with what to fix" \
    wait_log 'readonly database.*\(the user Unbound runs as must be able to write the database file, its directory, and its -wal and -shm files\)' 5 "$T/resolver.out"
reload
check_eq "after a reload the rules still apply" "NOERROR spammer.com. IN MX 0 . " "$(answer spammer.com MX)"
stop_resolver
check_eq "the read-only database is left as it was" "$before" "$(sha256sum < "$RRPOLICY_DB")"

# 4. A database path whose directory does not exist: nothing can be created.
RRPOLICY_DB=$T/no/such/dir/policy.db
start_resolver
check "the cause is logged" log_has "rrpolicy: cannot open $RRPOLICY_DB"
check_eq "Unbound answers" "NOERROR nxdomain.com. IN A 192.0.2.20 " "$(answer nxdomain.com A)"
stop_resolver

# 5. A load that fails while the database stays as it is (a corrupt page of
# table policy here; memory running out for millions of rules does the same)
# is tried again less and less often, not at every poll; a change to the
# database (here a good copy moved into place) is tried at once.
RRPOLICY_DB=$T/pages.db
# bulk_db FILE ACTION: 20,000 rules, and spammer.com MX with ACTION
bulk_db() {
    sqlite3 "$1" < "$REPO_ROOT/schema/schema.sql"
    sqlite3 "$1" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
        INSERT INTO policy(name, type) SELECT 'n' || i || '.bulk.example', 'MX' FROM n;
        INSERT INTO policy(name, type, action) VALUES ('spammer.com', 'MX', '$2');"
}
bulk_db "$RRPOLICY_DB" nullmx
cp "$RRPOLICY_DB" "$T/good.db"
# made the same way, so of the same revision, but another database (history and stamp)
bulk_db "$T/other.db" nodata
page=$(sqlite3 "$RRPOLICY_DB" "SELECT pageno FROM dbstat WHERE name = 'policy'
    AND pagetype = 'leaf' ORDER BY pageno DESC LIMIT 1 OFFSET 5;")
psize=$(sqlite3 "$RRPOLICY_DB" 'PRAGMA page_size;')
head -c "$psize" /dev/urandom |
    dd of="$RRPOLICY_DB" bs="$psize" seek=$((page - 1)) conv=notrunc status=none
check "a page of table policy is corrupt" not sqlite3 "$RRPOLICY_DB" 'SELECT count(created_at) FROM policy;'
RESOLVER_VERBOSITY=2 start_resolver
check "the failed load is logged, with when it is tried again" \
    log_has 'rrpolicy: .*malformed.*NO POLICY IS APPLIED; retrying at the next change to the database, else in 1000 ms and then less and less often'
# the poll interval is the default, 1000 ms: the settings come with a load
sleep 8
tries=$(grep -c 'rrpolicy: the load of revision [0-9]* failed; next try in' "$T/resolver.log")
check "tried again less and less often: $tries tries in about 8 s, polling every second" \
    test "$tries" -ge 3 -a "$tries" -le 5
check "... each wait twice the one before" \
    log_has 'failed; next try in 4000 ms, or at the next change to the database'
check_eq "Unbound answers meanwhile" "NOERROR nxdomain.com. IN A 192.0.2.20 " "$(answer nxdomain.com A)"
check "the next try is 8 s away" wait_log 'failed; next try in 8000 ms' 10
sqlite3 -cmd '.timeout 5000' "$RRPOLICY_DB" ".restore $T/other.db"
check "another database of the same revision put in place with .restore is loaded at the next poll" \
    wait_log 'rrpolicy [^:]*: loaded 20001 rules' 3
check_eq "... and applies" "NOERROR " "$(answer spammer.com MX)"
mv "$T/good.db" "$RRPOLICY_DB"
check "a good copy moved into place is loaded at the next poll" \
    wait_count 'rrpolicy [^:]*: loaded 20001 rules' 2
check_eq "... and applies" "NOERROR spammer.com. IN MX 0 . " "$(answer spammer.com MX)"
stop_resolver
finish
