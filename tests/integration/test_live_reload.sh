#!/usr/bin/env bash
# test_live_reload.sh - committed edits apply by themselves within seconds,
# without unbound-control reload and without flushing the cache: only the
# cached data a change covers is invalidated. An open transaction is never
# half-loaded. A database that becomes unusable keeps the rules loaded
# before, and is picked up again once it is fixed.
. "$(dirname "$0")/lib.sh"
: "${RRPOLICY_SO:?RRPOLICY_SO must name rrpolicy.so}"

sqlite3 "$RRPOLICY_DB" < "$REPO_ROOT/schema/schema.sql"
sql "UPDATE setting SET value = '200' WHERE key = 'poll_interval_ms';"
start_resolver "qname-minimisation: no"

# wait_answer_ms NAME TYPE EXPECTED: wait_answer (lib.sh), and print the ms it took
wait_answer_ms() {
    local t0
    t0=$(date +%s%N)
    wait_answer "$@" || return 1
    echo $(( ($(date +%s%N) - t0) / 1000000 ))
}

# warm the cache
check_eq "spammer.com A resolves" "NOERROR spammer.com. IN A 192.0.2.10 " "$(answer spammer.com A)"
check_eq "nxdomain.com A resolves" "NOERROR nxdomain.com. IN A 192.0.2.20 " "$(answer nxdomain.com A)"
answer a.example.com TXT >/dev/null
answer deep.sub.example.com TXT >/dev/null

# an exact rule, committed with the sqlite3 CLI: no reload
auth_mark
sql "INSERT INTO policy(id, name, type, action) VALUES (10, 'spammer.com', 'A', 'nodata');"
if ms=$(wait_answer_ms spammer.com A "NOERROR "); then
    report_ok "a committed rule applies without reload, to an answer that was cached ($ms ms)"
    check "... within 2 s" test "$ms" -lt 2000
else
    report_fail "a committed rule applies without reload (waited 5 s): $(answer spammer.com A)"
fi
check_eq "the blocked answer carries EDE 15 of the rule" "15 rrpolicy: rule 10" \
    "$(out=$(q spammer.com A); echo "$(ede_of "$out") $(ede_text_of "$out")")"
check_eq "nxdomain.com A still answers" "NOERROR nxdomain.com. IN A 192.0.2.20 " "$(answer nxdomain.com A)"
check "... from the cache, which the edit left warm" not auth_saw nxdomain.com A
check "the resolver log shows the live load" log_has 'loaded 1 rules \(revision [0-9]+\)'
check "... which read only the row added" log_has 'loaded 1 rules .* only the added: 1 rows read'
check_sql "status says the rule is live" "live|1" 'SELECT state, rules FROM status;'
check_eq "status revision is the committed one" "$(sql 'SELECT policy FROM revision;')" \
    "$(sql 'SELECT loaded_revision FROM status;')"

# a '*.' rule walks the cache
sql "INSERT INTO policy(id, name, type, action) VALUES (11, '*.example.com', 'TXT', 'nxdomain');"
check "a '*.' rule applies to a cached name below it" wait_answer a.example.com TXT "NXDOMAIN "
check "... and to a cached name two labels below" wait_answer deep.sub.example.com TXT "NXDOMAIN "
check "... added in place to the rules in use" \
    log_has 'loaded 2 rules .* only the added: 1 rows read \(added in place\)'

# a deleted rule stops applying
sql "DELETE FROM policy WHERE id = 10;"
check "a deleted rule stops applying without reload" \
    wait_answer spammer.com A "NOERROR spammer.com. IN A 192.0.2.10 "
check "... after a load of only the row changed (none left)" \
    wait_count 'loaded 1 rules .* only the changed: 0 rows read \(1 ids changed\)' 1

# a row added below the highest id is not taken for an addition at the end (the change log
# names it)
sql "INSERT INTO policy(id, name, type, action) VALUES (5, 'spammer.com', 'A', 'refused');"
check "a rule added below the highest id applies" wait_answer spammer.com A "REFUSED "
check "... after a load of only the row changed" \
    wait_count 'loaded 2 rules .* only the changed: 1 rows read \(1 ids changed\)' 1
# nor a row whose id was changed to a higher one (one change, no row added)
sql "UPDATE policy SET id = 50, type = 'MX' WHERE id = 5;"
check "a rule whose id and type changed applies as changed" \
    wait_answer spammer.com A "NOERROR spammer.com. IN A 192.0.2.10 "
check "... after a load of the row of both ids" \
    wait_count 'loaded 2 rules .* only the changed: 1 rows read \(2 ids changed\)' 1
sql "DELETE FROM policy WHERE id = 50;"
check "... and goes when deleted" \
    wait_count 'loaded 1 rules .* only the changed: 0 rows read \(1 ids changed\)' 2

# an open transaction is never half-loaded
sql_open sqlite3 "BEGIN; INSERT INTO policy(name, type) VALUES ('nxdomain.com', 'MX');"
sleep 1.5    # polls that must not see it
check_eq "an uncommitted rule does not apply" \
    "NOERROR nxdomain.com. IN MX 1 aspmx.l.google.com. " "$(answer nxdomain.com MX)"
sql_close "INSERT INTO policy(name, type, action) VALUES ('nxdomain.com', 'A', 'refused'); COMMIT;"
check "both rules of the transaction apply once it commits" wait_answer nxdomain.com MX "NOERROR nxdomain.com. IN MX 0 . "
check_eq "... the second one too" "REFUSED " "$(answer nxdomain.com A)"
check "... read as the two rows added" log_has 'loaded 3 rules .* only the added: 2 rows read \(added in place\)'

# more rules added than the table in use has room for: added to a copy of it
sql "BEGIN; $(for i in $(seq 39); do
    printf "INSERT INTO policy(name, type) VALUES ('filler%d.invalid', 'A'); " "$i"; done)
    INSERT INTO policy(name, type, action) VALUES ('spammer.com', 'TXT', 'refused'); COMMIT;"
check "forty rules added at once apply" wait_answer spammer.com TXT "REFUSED "
check "... read as the rows added, into a copy" \
    wait_count 'loaded 43 rules .* only the added: 40 rows read, old rules freed' 1

# a database file replaced by a corrupt one: the rules loaded before stay
sql ".backup '$T/good.db'"
head -c 65536 /dev/urandom > "$T/corrupt.db"
mv "$T/corrupt.db" "$RRPOLICY_DB"
check "the damage is logged" wait_log 'rrpolicy: .*keeping the rules loaded before' 5
check_eq "the rules loaded before still apply" "NOERROR nxdomain.com. IN MX 0 . " "$(answer nxdomain.com MX)"
check_eq "unblocked names still resolve" "NOERROR spammer.com. IN A 192.0.2.10 " "$(answer spammer.com A)"
check_eq "the cause is logged once" 1 "$(grep -c 'keeping the rules loaded before' "$T/resolver.log")"
sleep 1
check_eq "... and only once, while the retries go on" 1 "$(grep -c 'keeping the rules loaded before' "$T/resolver.log")"
sqlite3 "$T/good.db" "DELETE FROM policy WHERE name = 'nxdomain.com' AND type = 'A';"
mv "$T/good.db" "$RRPOLICY_DB"
check "a good database moved into place is picked up" wait_log 'rrpolicy: the database .* is usable again' 5
check "... with its own rules" wait_answer nxdomain.com A "NOERROR nxdomain.com. IN A 192.0.2.20 "
check_eq "... and the others it has" "NOERROR nxdomain.com. IN MX 0 . " "$(answer nxdomain.com MX)"
# the hit log writer left the replaced files too: hits go into the file now at the path, which
# took no other file's WAL for its own
mx_rule=$(sql "SELECT id FROM policy WHERE name = 'nxdomain.com' AND type = 'MX';")
# hits held while no file was usable are written first
n=$(settled hits_of "$mx_rule")
for i in 1 2 3 4 5; do answer nxdomain.com MX >/dev/null; done
check_eq "hits after the replacement are in the new file" $((n + 5)) \
    "$(settled hits_of "$mx_rule")"
check_eq "... which is sound" ok "$(sql 'PRAGMA integrity_check;')"
# a file moved into place while the old file's WAL holds frames (hits just written): SQLite
# neither checkpoints nor removes the -wal and -shm of a moved file when it is closed, and the
# new file would take their pages for its own (its rule lost, or a corrupt file); the module
# removes them before it opens the new file
for i in 1 2 3 4 5; do answer nxdomain.com MX >/dev/null; done
wait_hits_of "$mx_rule" $((n + 10)) >/dev/null
sql "VACUUM INTO '$T/new.db'"
sqlite3 "$T/new.db" "INSERT INTO policy(name, type, action) VALUES ('spammer.com', 'A', 'nodata');"
for i in 1 2 3 4 5; do answer nxdomain.com MX >/dev/null; done
wait_hits_of "$mx_rule" $((n + 15)) >/dev/null
check "the old file's WAL holds frames" test -s "$RRPOLICY_DB-wal"
mv "$T/new.db" "$RRPOLICY_DB"
check "a file moved in over a WAL with frames: its new rule applies" \
    wait_answer spammer.com A "NOERROR "
check "... the old file's WAL was removed first" \
    wait_log "removed $RRPOLICY_DB-wal, left by the file moved away or deleted" 5
check_eq "... the file keeps the rule" 1 \
    "$(sql "SELECT count(*) FROM policy WHERE name = 'spammer.com' AND type = 'A';")"
check_eq "... and is sound" ok "$(sql 'PRAGMA integrity_check;')"
# the file deleted while in use (hits in its WAL), then created anew at the path with sqlite3:
# the module closes its connections to the deleted file and removes its -wal and -shm, which the
# new file would take for its own as above
for i in 1 2 3 4 5; do answer nxdomain.com MX >/dev/null; done
sleep 0.5    # the hits written
removed=$(grep -c "removed $RRPOLICY_DB-wal, left by" "$T/resolver.log")
mx_before=$(answer nxdomain.com MX)
rm "$RRPOLICY_DB"
check "a deleted database is logged" wait_log "rrpolicy: cannot find $RRPOLICY_DB" 5
check "... and its -wal is removed" \
    wait_count "removed $RRPOLICY_DB-wal, left by the file moved away or deleted" $((removed + 1))
check "... as is its -shm" not test -e "$RRPOLICY_DB-shm"
# created anew with sqlite3, statement by statement: while its schema is being made (here all
# of schema.sql but its last statement, which sets the version) the module neither loads the
# file nor writes to it (WAL mode, or a schema of its own, would make the statements still to
# come fail)
: > "$RRPOLICY_DB"    # sqlite3 opened it, before its first statement
check "an empty file at the path is left alone" \
    wait_log "rrpolicy: $RRPOLICY_DB has no schema version yet \\(PRAGMA user_version 0\\): its schema is still being created" 5
sleep 0.5
check_eq "... no schema of the module's own in it" 0 "$(stat -c %s "$RRPOLICY_DB")"
# the operator's sqlite3 holds the file's lock for 3 s, longer than the module's 2 s busy timeout:
# the module reads the header of such a file itself, so it neither waits for that lock nor takes
# a read lock (one at the moment of a commit made the operator's statement fail with "database is
# locked", since in rollback-journal mode no write commits while anyone reads: seen under ASan,
# where the module's reads are slower, with tables of the schema left out)
unread=$(grep -c "cannot read $RRPOLICY_DB" "$T/resolver.log")
printf '%s\n' 'BEGIN EXCLUSIVE;' 'CREATE TABLE making (a);' '.shell sleep 3' 'COMMIT;' \
    'DROP TABLE making;' | sqlite3 "$RRPOLICY_DB" >"$T/making.out" 2>&1
check_eq "... the operator's statements under a lock held meanwhile all succeed" "" "$(cat "$T/making.out")"
check_eq "... and the module did not wait for that lock" "$unread" \
    "$(grep -c "cannot read $RRPOLICY_DB" "$T/resolver.log")"
grep -v '^PRAGMA user_version' "$REPO_ROOT/schema/schema.sql" | sqlite3 "$RRPOLICY_DB"
sum=$(sha256sum < "$RRPOLICY_DB")
sleep 0.5
check_eq "a file at the path whose schema is being made is left alone" "$sum" "$(sha256sum < "$RRPOLICY_DB")"
check_eq "... and the rules loaded before still apply" "$mx_before" "$(answer nxdomain.com MX)"
check "... whose hits the writer keeps: the file stays in rollback-journal mode, no -wal" \
    not test -e "$RRPOLICY_DB-wal"
sqlite3 "$RRPOLICY_DB" "PRAGMA user_version = $(sed -n 's/^PRAGMA user_version = \([0-9]*\);$/\1/p' "$REPO_ROOT/schema/schema.sql");"
sql "INSERT INTO policy(name, type, action) VALUES ('nxdomain.com', 'MX', 'nxdomain');"
check "once its schema is whole, the database created anew at the path is loaded" wait_answer nxdomain.com MX "NXDOMAIN "
check_eq "... and is sound" ok "$(sql 'PRAGMA integrity_check;')"
# the hits queued while no database was open are of the rules of the deleted one: their
# policy_id would name another rule in the new database, so they are given up
check "... the hits queued meanwhile, of the deleted database's rules, are given up" \
    wait_log "hit log: gave up [0-9]+ hits \([0-9]+ since start\) of the rules of another database than $RRPOLICY_DB" 5
answer nxdomain.com MX >/dev/null
wait_hits_of "$(sql "SELECT id FROM policy WHERE name = 'nxdomain.com' AND type = 'MX';")" 1 >/dev/null
check_eq "... and are not in the new database, whose hits are of its own rule" "0|1" \
    "$(sql "SELECT count(*) FILTER (WHERE action <> 'nxdomain'), count(*) > 0 FROM hit;")"

# a copy edited on its own, put in place with sqlite3's .restore (the same file, no new inode):
# its changes were logged under the same seqs as the live database's since the copy, so the
# module reads every row, not only those of the changes it has not seen
sql "VACUUM INTO '$T/copy.db';"
sql "INSERT INTO policy(name, type, action) VALUES ('spammer.com', 'MX', 'nullmx');"
check "a rule added to the live database applies" wait_answer spammer.com MX "NOERROR spammer.com. IN MX 0 . "
sqlite3 "$T/copy.db" "INSERT INTO policy(name, type, action) VALUES ('example.com', 'TXT', 'nodata');
    INSERT INTO policy(name, type, action) VALUES ('spammer.com', 'A', 'nodata');"
check_eq "the copy has logged as many changes and more" 1 \
    "$(sqlite3 "$T/copy.db" "SELECT (SELECT seq FROM sqlite_sequence WHERE name = 'policy_change') >
                             $(sql "SELECT seq FROM sqlite_sequence WHERE name = 'policy_change';");")"
sql ".restore '$T/copy.db'"
check "the restored copy's rules apply" wait_answer spammer.com A "NOERROR "
check_eq "... all of them" "NOERROR " "$(answer example.com TXT)"
check "... and only they: the live database's rule the copy lacks is gone" \
    wait_answer spammer.com MX "$REAL_MX"
check "... read whole" log_has 'loaded 3 rules .* all 3 rows read'
# a copy with as many changes as the live database since it was made, of other rules: the
# same revision and seq, put in place the same way
sql "VACUUM INTO '$T/twin.db';"
sql "UPDATE policy SET action = 'refused' WHERE name = 'example.com';"
sqlite3 "$T/twin.db" "UPDATE policy SET action = 'nxdomain' WHERE name = 'spammer.com';"
check "... a change to the live database applies" wait_answer example.com TXT "REFUSED "
check_eq "the twin has the same revision" "$(rev)" "$(sqlite3 "$T/twin.db" 'SELECT policy FROM revision;')"
sql ".restore '$T/twin.db'"
check "a copy of the same revision put in place with .restore: its rules apply" \
    wait_answer spammer.com A "NXDOMAIN "
check_eq "... and only they" "NOERROR " "$(answer example.com TXT)"
# a copy that reached the revision in use by other changes: the live database changed a setting
# only, which logs no change, the copy a rule
r=$(rev)
sql "VACUUM INTO '$T/twin2.db';"
sql "UPDATE setting SET value = '100' WHERE key = 'negative_ttl';"
sqlite3 "$T/twin2.db" "INSERT INTO policy(name, type, action) VALUES ('spammer.com', 'MX', 'nullmx');"
check "... a change of a setting is loaded" wait_applied "$r"
check_eq "the copy has the same revision" "$(rev)" "$(sqlite3 "$T/twin2.db" 'SELECT policy FROM revision;')"
sql ".restore '$T/twin2.db'"
check "a copy at the same revision through a rule, put in place with .restore: its rule applies" \
    wait_answer spammer.com MX "NOERROR spammer.com. IN MX 0 . "
# another database altogether, whose change log was emptied (as for the module's first load
# of a database that never logged a change), replaced by yet another one, of the same revision
sqlite3 "$T/first.db" < "$REPO_ROOT/schema/schema.sql"
sqlite3 "$T/first.db" "INSERT INTO policy(name, type, action) VALUES ('nxdomain.com', 'A', 'refused');
    DELETE FROM policy_change; DELETE FROM sqlite_sequence WHERE name = 'policy_change';"
mv "$T/first.db" "$RRPOLICY_DB"
check "a database that logged no change is loaded" wait_answer nxdomain.com A "REFUSED "
sqlite3 "$T/other.db" < "$REPO_ROOT/schema/schema.sql"
sqlite3 "$T/other.db" "INSERT INTO policy(name, type, action) VALUES ('nxdomain.com', 'TXT', 'refused');"
check_eq "the other database has the same revision" "$(rev)" "$(sqlite3 "$T/other.db" 'SELECT policy FROM revision;')"
sql ".restore '$T/other.db'"
check "another database put in place with .restore: its rules apply" wait_answer nxdomain.com TXT "REFUSED "
check_eq "... and only they" "NOERROR nxdomain.com. IN A 192.0.2.20 " "$(answer nxdomain.com A)"
# a backup of an older schema version put in place with .restore: migrated, then loaded
sqlite3 "$T/v5.db" < "$REPO_ROOT/tests/schema/schema-v5.sql"
sqlite3 "$T/v5.db" "INSERT INTO policy(name, type, action) VALUES ('nxdomain.com', 'MX', 'nxdomain');"
# (a link keeps the -wal's inode from being given to the next -wal, as tmpfs and btrfs do not
# give a freed inode number out again at once)
ln "$RRPOLICY_DB-wal" "$T/wal-before-v5"
sql ".restore '$T/v5.db'"
check "a version 5 database put in place with .restore is migrated" \
    wait_log "rrpolicy: migrated $RRPOLICY_DB from schema version 5 to 6" 5
check "... and its rules apply" wait_answer nxdomain.com MX "NXDOMAIN "
check_eq "... and only they" "NOERROR" "$(rcode_of "$(q nxdomain.com TXT)")"
# the reopen for the migration closed the last connections to the file: SQLite removed its -wal
# and -shm and made new ones, which are those to remove when a file is moved in (the new file
# would take the old one's WAL frames for its own)
for i in 1 2 3 4 5; do answer nxdomain.com MX >/dev/null; done
sleep 0.5    # the hits written
removed=$(grep -c "removed $RRPOLICY_DB-wal, left by" "$T/resolver.log")
sql "VACUUM INTO '$T/after-v5.db'"
sqlite3 "$T/after-v5.db" "INSERT INTO policy(name, type, action) VALUES ('nxdomain.com', 'TXT', 'refused');"
for i in 1 2 3 4 5; do answer nxdomain.com MX >/dev/null; done
sleep 0.5
check "after the migration, the file's WAL holds frames" test -s "$RRPOLICY_DB-wal"
mv "$T/after-v5.db" "$RRPOLICY_DB"
check "a file moved in after a reopen for a migration: its new rule applies" \
    wait_answer nxdomain.com TXT "REFUSED "
check "... the WAL the reopen made was removed first" \
    wait_count "removed $RRPOLICY_DB-wal, left by the file moved away or deleted" $((removed + 1))
check_eq "... and the file is sound" ok "$(sql 'PRAGMA integrity_check;')"
# a file moved in while the module opens the one moved in just before, whose open waits for an
# operator's lock: the module keeps the file at the path, not the one it was opening
sql "UPDATE setting SET value = '200' WHERE key = 'poll_interval_ms';"
check_sql "polls every 200 ms" live 'SELECT state FROM status;'
for f in race1 race2; do
    sqlite3 "$T/$f.db" < "$REPO_ROOT/schema/schema.sql"
    sqlite3 "$T/$f.db" "UPDATE setting SET value = '200' WHERE key = 'poll_interval_ms';
        INSERT INTO policy(name, type, action) VALUES ('nxdomain.com', 'MX', 'nxdomain');"
done
sqlite3 "$T/race1.db" "INSERT INTO policy(name, type, action) VALUES ('spammer.com', 'TXT', 'refused');"
sqlite3 "$T/race2.db" "INSERT INTO policy(name, type, action) VALUES ('nxdomain.com', 'TXT', 'refused');"
printf '%s\n' 'BEGIN EXCLUSIVE;' "UPDATE setting SET description = description;" '.shell sleep 1.5' \
    'ROLLBACK;' | sqlite3 "$T/race1.db" >"$T/race-lock.out" 2>&1 &
lock_pid=$!
sleep 0.3    # the operator holds the lock
mv "$T/race1.db" "$RRPOLICY_DB"
sleep 0.6    # a poll began to open it, and waits for the lock
mv "$T/race2.db" "$RRPOLICY_DB"
wait "$lock_pid"
check "a file moved in while the one before was being opened: its rules apply" \
    wait_answer nxdomain.com TXT "REFUSED "
check_eq "... not those of the file opened meanwhile" "NOERROR" "$(rcode_of "$(q spammer.com TXT)")"

# a file moved in, then unbound-control reload before the module's next poll: the module that
# stops removes the old file's -wal and -shm, which the next module's open would otherwise take
# for the new file's (a corrupt file, and no rule applied)
sql "UPDATE setting SET value = '60000' WHERE key = 'poll_interval_ms';"
check_sql "polls every 60 s" live 'SELECT state FROM status;'
for i in 1 2 3 4 5; do answer nxdomain.com MX >/dev/null; done
sleep 0.5    # the hits written
sql "VACUUM INTO '$T/moved.db'"
sqlite3 "$T/moved.db" "INSERT INTO policy(name, type, action) VALUES ('spammer.com', 'TXT', 'refused');"
check "the old file's WAL holds frames" test -s "$RRPOLICY_DB-wal"
removed=$(grep -c "removed $RRPOLICY_DB-wal, left by" "$T/resolver.log")
mv "$T/moved.db" "$RRPOLICY_DB"
reload
check "a file moved in, then unbound-control reload before the next poll: its new rule applies" \
    wait_answer spammer.com TXT "REFUSED "
check "... the old file's WAL was removed by the module that stopped" \
    wait_count "removed $RRPOLICY_DB-wal, left by the file moved away or deleted" $((removed + 1))
check_eq "... and the file is sound" ok "$(sql 'PRAGMA integrity_check;')"

# at a stop, the status counts every hit written, those the writer writes as it stops too
reload    # a new module: hits_written counts from 0
base=$(sql "SELECT count(*) FROM hit;")
pids=()
for i in $(seq 20); do q nxdomain.com MX >/dev/null & pids+=($!); done
wait "${pids[@]}"
stop_resolver
check_eq "the stop wrote every hit" 20 "$(( $(sql "SELECT count(*) FROM hit;") - base ))"
check_eq "... and the status written at the stop counts them" 20 \
    "$(sql "SELECT hits_written FROM module_status;")"

# a database made as the README says, in rollback-journal mode (the module switches it to WAL at
# its open), deleted before the module's second poll: its -wal and -shm exist only once the
# module has read it, and are noted then, or they would stay at the path for the next file
rm -f "$RRPOLICY_DB" "$RRPOLICY_DB-wal" "$RRPOLICY_DB-shm"
sqlite3 "$RRPOLICY_DB" < "$REPO_ROOT/schema/schema.sql"
sql "UPDATE setting SET value = '2000' WHERE key = 'poll_interval_ms';
     INSERT INTO policy(name, type, action) VALUES ('nxdomain.com', 'TXT', 'refused');"
start_resolver "qname-minimisation: no"
check "a database in rollback-journal mode: its rule applies" wait_answer nxdomain.com TXT "REFUSED "
sql "VACUUM INTO '$T/good.db'"
sqlite3 "$T/good.db" "INSERT INTO policy(name, type, action) VALUES ('spammer.com', 'TXT', 'refused');"
removed=$(grep -c "removed $RRPOLICY_DB-wal, left by" "$T/resolver.log")
rm "$RRPOLICY_DB"
check "deleted before the second poll: its -wal is removed" \
    wait_count "removed $RRPOLICY_DB-wal, left by the file moved away or deleted" $((removed + 1))
mv "$T/good.db" "$RRPOLICY_DB"
check "... and the file moved in then: its rule applies" wait_answer spammer.com TXT "REFUSED "
check_eq "... and the file is sound" ok "$(sql 'PRAGMA integrity_check;')"
finish
