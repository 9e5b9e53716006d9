#!/usr/bin/env bash
# test_live_changes.sh - committed UPDATEs and DELETEs (and enable/disable toggles, renames of
# the id, mixed transactions) apply by themselves with a read of only the changed rows, found in
# the change log (table policy_change): the module log says so, and the answers, including
# answers cached before the change (CNAME chains to a name a new rule covers, too), are those of
# the changed rules. A name written 'Spammer.COM.' is stored 'spammer.com', and an operator's
# DELETE ... WHERE name = 'spammer.com' deletes it, live. A log that lost changes (pruned, or
# emptied by hand) makes the module read every row, and the result is the same.
. "$(dirname "$0")/lib.sh"
: "${RRPOLICY_SO:?RRPOLICY_SO must name rrpolicy.so}"

FILLERS=2000      # rules besides the ones under test, so that "all rows" cannot pass for "changed"

sqlite3 "$RRPOLICY_DB" < "$REPO_ROOT/schema/schema.sql"
sql "UPDATE setting SET value = '200' WHERE key = 'poll_interval_ms';
     INSERT INTO policy(id, name, type) VALUES (1, 'spammer.com', 'MX');
     INSERT INTO policy(id, name, type, action) VALUES (2, 'nxdomain.com', 'A', 'nodata');
     INSERT INTO policy(id, name, type, action) VALUES (3, '*.example.com', 'TXT', 'nxdomain');
     INSERT INTO policy(id, name, type, action) VALUES (4, 'unused.invalid', 'A', 'refused');
     WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $FILLERS)
     INSERT INTO policy(id, name, type) SELECT 1000 + i, 'filler' || i || '.invalid', 'A' FROM c;"
start_resolver "qname-minimisation: no"
check "the rules are loaded" wait_log "loaded $((FILLERS + 4)) rules .* all $((FILLERS + 4)) rows read" 5

# loaded_changed N ROWS IDS [COUNT]: wait until COUNT (default 1) loads put N rules in use after
# a read of only ROWS changed rows of IDS changed ids
loaded_changed() {
    wait_count "loaded $1 rules .* only the changed: $2 rows read \\($3 ids changed\\)" "${4:-1}"
}

# ede_rule NAME TYPE: "EDE-code rule-text" of the answer
ede_rule() {
    local out
    out=$(q "$1" "$2")
    echo "$(ede_of "$out") $(ede_text_of "$out")"
}

check_eq "spammer.com MX blocked (null MX)" "NOERROR spammer.com. IN MX 0 . " "$(answer spammer.com MX)"
check_eq "nxdomain.com A blocked (nodata)" "NOERROR " "$(answer nxdomain.com A)"
check_eq "a.example.com TXT blocked (nxdomain)" "NXDOMAIN " "$(answer a.example.com TXT)"
# warm the cache with an answer no rule covers yet
check_eq "spammer.com A resolves (and is cached)" "NOERROR spammer.com. IN A 192.0.2.10 " \
    "$(answer spammer.com A)"

# ---------------------------------------------------------------- UPDATE of the action
sql "UPDATE policy SET action = 'refused' WHERE id = 2;"
check "an UPDATE of a rule's action applies live" wait_answer nxdomain.com A "REFUSED "
check "... after a read of only the changed row" loaded_changed $((FILLERS + 4)) 1 1
check_eq "... and the answer names the rule" "15 rrpolicy: rule 2" "$(ede_rule nxdomain.com A)"
check_eq "... the other rules still apply" "NOERROR spammer.com. IN MX 0 . " "$(answer spammer.com MX)"
check_sql "status is live, with every rule" "live|$((FILLERS + 4))" 'SELECT state, rules FROM status;'

# ---------------------------------------------------------------- UPDATE of the name: the cache
auth_mark
sql "UPDATE policy SET name = 'spammer.com' WHERE id = 4;"
check "an UPDATE that moves a rule to a cached name applies live" wait_answer spammer.com A "REFUSED "
check "... after a read of only the changed row" loaded_changed $((FILLERS + 4)) 1 1 2
check_eq "... the cached answer was removed, not served" "15 rrpolicy: rule 4" "$(ede_rule spammer.com A)"
sql "UPDATE policy SET name = 'unused.invalid' WHERE id = 4;"
check "moved away again, the name resolves again" \
    wait_answer spammer.com A "NOERROR spammer.com. IN A 192.0.2.10 "

# ---------------------------------------------------------------- DELETE
sql "DELETE FROM policy WHERE id = 1;"
check "a DELETE applies live: spammer.com MX resolves again" wait_answer spammer.com MX "$REAL_MX"
check "... after a read of only the deleted id (no row)" loaded_changed $((FILLERS + 3)) 0 1
check_sql "status counts the rules left" "live|$((FILLERS + 3))" 'SELECT state, rules FROM status;'

# ---------------------------------------------------------------- a name not in normal form
# stored in lower case without its trailing dot, so that an operator's DELETE ... WHERE name =
# 'spammer.com' finds it; the insert and its normalisation are two changes of one new id
n=$(grep -cE "loaded $((FILLERS + 4)) rules .* only the changed: 1 rows read \(1 ids changed\)" "$T/resolver.log")
add_rule R_NEW "name, type, action" "'Spammer.COM.', 'MX', 'nullmx'"
check "a rule written 'Spammer.COM.' applies live" wait_answer spammer.com MX "NOERROR spammer.com. IN MX 0 . "
check "... after a read of only its row" loaded_changed $((FILLERS + 4)) 1 1 $((n + 1))
check_eq "... which says 'spammer.com'" "spammer.com" "$(sql "SELECT name FROM policy WHERE id = $R_NEW;")"
sql "DELETE FROM policy WHERE name = 'spammer.com' AND type = 'MX';"
check "DELETE ... WHERE name = 'spammer.com' applies live: spammer.com MX resolves again" \
    wait_answer spammer.com MX "$REAL_MX"
check "... after a read of only the deleted id" loaded_changed $((FILLERS + 3)) 0 1 2

# ---------------------------------------------------------------- DELETE: the stored answer goes
# A nodata rule's stored answer holds a SOA of the rule's name, flagged, of type SOA whatever the
# rule's type: its deletion removes that RRset too, and with it every message that holds it
# (such as a CNAME's to the name). dump_cache shows such an RRset as a plain SOA of the name.
# stored_soa NAME: whether the cache holds a SOA of rrpolicy's at NAME (dots escaped)
stored_soa() { uctl dump_cache | grep -qE "^$1\\.[[:space:]].*SOA[[:space:]]+localhost\\. nobody\\.invalid\\."; }
sql "INSERT INTO policy(id, name, type, action) VALUES (5, 'spammer.com', 'TXT', 'nodata');"
check "a nodata rule inserted applies live" wait_answer spammer.com TXT "NOERROR "
check "... its answer is stored in the cache, with its SOA" stored_soa 'spammer\.com'
sql "DELETE FROM policy WHERE id = 5;"
check "deleted: spammer.com TXT resolves again" \
    wait_answer spammer.com TXT 'NOERROR spammer.com. IN TXT "v=spf1 include:_spf.google.com ~all" '
check "... and the cache holds its SOA no more" not stored_soa 'spammer\.com'

# ---------------------------------------------------------------- enable / disable
# a "*." rule's change is applied by a walk of the caches: its stored answer's SOA, owned by the
# rule's apex, goes too
check "*.example.com TXT's answer is stored, with its SOA at example.com" stored_soa 'example\.com'
sql "UPDATE policy SET enabled = 0 WHERE id = 3;"
check "disabling a rule applies live" \
    wait_answer a.example.com TXT 'NOERROR a.example.com. IN TXT "a.example.com" '
check "... after a read of only the changed row" loaded_changed $((FILLERS + 2)) 1 1
check "... and the cache holds its SOA no more" not stored_soa 'example\.com'
check_sql "status counts the disabled row" "$((FILLERS + 2))|1" \
    'SELECT rules, disabled FROM module_status;'
sql "UPDATE policy SET enabled = 1 WHERE id = 3;"
check "enabling it again applies live, to the name now cached" wait_answer a.example.com TXT "NXDOMAIN "
check "... after a read of only the changed row" loaded_changed $((FILLERS + 3)) 1 1
check_sql "status: no row disabled any more" "$((FILLERS + 3))|0" \
    'SELECT rules, disabled FROM module_status;'

# ---------------------------------------------------------------- a new id
sql "UPDATE policy SET id = 100 WHERE id = 2;"
for _ in $(seq 50); do [ "$(ede_rule nxdomain.com A)" = "15 rrpolicy: rule 100" ] && break; sleep 0.1; done
check_eq "a rule whose id changed applies under its new id" "15 rrpolicy: rule 100" \
    "$(ede_rule nxdomain.com A)"
check "... after a read of the row of both ids" loaded_changed $((FILLERS + 3)) 1 2
check_eq "... still refused" "REFUSED " "$(answer nxdomain.com A)"

# ---------------------------------------------------------------- mixed, in one transaction
sql "BEGIN;
     INSERT INTO policy(id, name, type, action) VALUES (50, 'www.spammer.com', 'A', 'nxdomain');
     INSERT INTO policy(id, name, type, action) VALUES (5000, 'nxdomain.com', 'MX', 'nullmx');
     UPDATE policy SET action = 'nodata' WHERE id = 100;
     DELETE FROM policy WHERE id = 3;
     DELETE FROM policy WHERE id = 1001;
     COMMIT;"
check "a transaction of inserts, an update and deletes applies as a whole" \
    wait_answer www.spammer.com A "NXDOMAIN "
check "... after a read of only the changed rows" loaded_changed $((FILLERS + 3)) 3 5
check_eq "... the insert above the highest id" "NOERROR nxdomain.com. IN MX 0 . " "$(answer nxdomain.com MX)"
check_eq "... the update" "NOERROR " "$(answer nxdomain.com A)"
check_eq "... the delete" 'NOERROR a.example.com. IN TXT "a.example.com" ' "$(answer a.example.com TXT)"
check_eq "... the delete of a filler" "" "$(sql 'SELECT id FROM policy WHERE id = 1001;')"

# ---------------------------------------------------------------- a setting alone
sql "UPDATE setting SET value = '30' WHERE key = 'negative_ttl';"
check "a change of a setting alone re-reads no row" loaded_changed $((FILLERS + 3)) 0 0
check_eq "... and applies (TTL of a synthesized answer)" "30" \
    "$(q nxdomain.com A | awk '$4 == "SOA" { print $2 }')"

# ---------------------------------------------------------------- a log that lost changes
# more changes than the log keeps, in one transaction: the oldest are pruned
n_all=$(grep -c 'only the changed\|all [0-9]* rows read' "$T/resolver.log")
sql "BEGIN;
     $(for i in $(seq 35); do printf "UPDATE policy SET comment = 'pass %d' WHERE id > 1000; " "$i"; done)
     UPDATE policy SET action = 'refused' WHERE id = 5000;
     COMMIT;"
check_eq "the log holds no more than the last 65,536 changes or so" 1 \
    "$(sql 'SELECT count(*) <= 65536 + 1024 FROM policy_change;')"
check "more changes than the log keeps apply" wait_answer nxdomain.com MX "REFUSED "
check "... after a read of every row" \
    wait_count "loaded $((FILLERS + 3)) rules .* all $((FILLERS + 3)) rows read" 1
check_eq "... and no other load" $((n_all + 1)) \
    "$(grep -c 'only the changed\|all [0-9]* rows read' "$T/resolver.log")"
# a change whose log row was deleted by hand
sql "BEGIN;
     UPDATE policy SET action = 'nxdomain' WHERE id = 50;
     DELETE FROM policy_change WHERE seq = (SELECT max(seq) FROM policy_change);
     COMMIT;"
check "a change missing from the log applies" wait_answer www.spammer.com A "NXDOMAIN "
check "... after a read of every row" \
    wait_count "loaded $((FILLERS + 3)) rules .* all $((FILLERS + 3)) rows read" 2
sql "UPDATE policy SET action = 'refused' WHERE id = 50;"
check "the next change reads only its row again" wait_answer www.spammer.com A "REFUSED "
check "... as the log says" loaded_changed $((FILLERS + 3)) 1 1 2

# ---------------------------------------------------------------- target rules
# Inserts of target rules are read with every row; their updates and deletes, and those of
# qname rules while target rules are in use, read only the changed rows.
M=mailpath.example.net
BOTH="NOERROR mixed.$M. IN MX 10 mx1.bulletproof.example. mixed.$M. IN MX 20 mx.good.$M. "
GOOD_ONLY="NOERROR mixed.$M. IN MX 20 mx.good.$M. "
check_eq "mixed MX has both exchanges (and is cached)" "$BOTH" "$(answer mixed.$M MX)"
# changed_lines N ROWS: how many loads so far put N rules in use after a read of ROWS rows of one
# changed id
changed_lines() {
    grep -cE "loaded $1 rules .* only the changed: $2 rows read \(1 ids changed\)" "$T/resolver.log"
}
sql "INSERT INTO policy(id, name, type, trigger) VALUES (90, '*.bulletproof.example', 'MX', 'target');"
check "a target rule inserted: the bad exchange goes from the cached answer" \
    wait_answer mixed.$M MX "$GOOD_ONLY"
check "... after a read of every row" \
    wait_count "loaded $((FILLERS + 4)) rules .* all $((FILLERS + 4)) rows read" 1
n=$(changed_lines $((FILLERS + 3)) 1)
sql "UPDATE policy SET enabled = 0 WHERE id = 90;"
check "target rule disabled: both exchanges again" wait_answer mixed.$M MX "$BOTH"
check "... after a read of only its row" loaded_changed $((FILLERS + 3)) 1 1 $((n + 1))
n=$(changed_lines $((FILLERS + 4)) 1)
sql "UPDATE policy SET enabled = 1 WHERE id = 90;"
check "target rule enabled: the cached answer loses the bad exchange again" \
    wait_answer mixed.$M MX "$GOOD_ONLY"
check "... after a read of only its row" loaded_changed $((FILLERS + 4)) 1 1 $((n + 1))
sql "UPDATE policy SET action = 'nodata' WHERE id = 50;"
check "a qname rule updated while target rules are in use" wait_answer www.spammer.com A "NOERROR "
check "... after a read of only its row" loaded_changed $((FILLERS + 4)) 1 1 $((n + 2))
check_eq "... the target rule still applies" "$GOOD_ONLY" "$(answer mixed.$M MX)"
n=$(changed_lines $((FILLERS + 3)) 0)
sql "DELETE FROM policy WHERE id = 90;"
check "target rule deleted: both exchanges" wait_answer mixed.$M MX "$BOTH"
check "... after a read of the log alone" loaded_changed $((FILLERS + 3)) 0 1 $((n + 1))

# ---------------------------------------------------------------- a new rule at a cached chain's end
# CNAMEs to names without MX, cached before a null MX rule on their targets: the rule's keys are
# not in their answers (the CNAME and the zone's SOA); the sweep removes the negative answers'
# SOAs at and above the name of an exact rule up to its zone's apex, and a cache walk (a "*."
# rule) finds the chains by their CNAME's target; the response stage then puts the null MX at the
# chain's end. The negative answers of the zone above (example.net) stay cached.
A=alias.example.net
check_eq "before the rules: CNAME to a name without MX, NODATA (cached)" \
    "NOERROR nomx.$A. IN CNAME www.spammer.com. " "$(answer nomx.$A MX)"
check_eq "before the rules: CNAME to a name that does not exist, NXDOMAIN (cached)" \
    "NXDOMAIN gone.$A. IN CNAME nothere.$A. " "$(answer gone.$A MX)"
check_eq "before the rules: a name of the zone above that does not exist, NXDOMAIN (cached)" \
    "NXDOMAIN " "$(answer nothere.example.net A)"
sql "INSERT INTO policy(id, name, type) VALUES (60, 'nothere.$A', 'MX');"
check "an exact null MX rule on a chain's target applies live" \
    wait_answer nothere.$A MX "NOERROR nothere.$A. IN MX 0 . "
auth_mark
check_eq "... the zone above keeps its cached negative answer" "NXDOMAIN " \
    "$(answer nothere.example.net A)"
check_eq "... which the auth server is not asked again" 0 "$(auth_count nothere.example.net A)"
check_eq "... at the end of the cached chain to it" \
    "NOERROR gone.$A. IN CNAME nothere.$A. nothere.$A. IN MX 0 . " "$(answer gone.$A MX)"
check_eq "... with the EDE of the rule" "17 rrpolicy: rule 60" "$(ede_rule gone.$A MX)"
check_eq "... the chain's other types are untouched" "NXDOMAIN gone.$A. IN CNAME nothere.$A. " \
    "$(answer gone.$A TXT)"
sql "INSERT INTO policy(id, name, type) VALUES (61, '*.spammer.com', 'MX');"
check "a \"*.\" null MX rule above a chain's target applies live" \
    wait_answer www.spammer.com MX "NOERROR www.spammer.com. IN MX 0 . "
check_eq "... at the end of the cached chain to a name below it" \
    "NOERROR nomx.$A. IN CNAME www.spammer.com. www.spammer.com. IN MX 0 . " "$(answer nomx.$A MX)"
check_eq "... with the EDE of the rule" "17 rrpolicy: rule 61" "$(ede_rule nomx.$A MX)"

# a rule on a name in the middle of a cached chain (hop2 -> hop -> shared, which has an MX): the
# chain's cached answer goes with the name's CNAME (an exact rule, removed by key) or is found by
# the walk of the message cache (with a "*." rule in the same change), and the null MX is put at
# the name
HOP_REAL="NOERROR hop.$A. IN CNAME shared.$A. hop2.$A. IN CNAME hop.$A. shared.$A. IN MX 10 aspmx.l.google.com. "
HOP_BLOCKED="NOERROR hop.$A. IN MX 0 . hop2.$A. IN CNAME hop.$A. "
check_eq "before the rule: a chain through a name (cached)" "$HOP_REAL" "$(answer hop2.$A MX)"
sql "INSERT INTO policy(id, name, type) VALUES (62, 'hop.$A', 'MX');"
check "an exact null MX rule on a name in the middle of a chain applies live" \
    wait_answer hop.$A MX "NOERROR hop.$A. IN MX 0 . "
check_eq "... to the cached chain through it" "$HOP_BLOCKED" "$(answer hop2.$A MX)"
sql "DELETE FROM policy WHERE id = 62;"
check "... deleted: the chain is answered in full again" wait_answer hop2.$A MX "$HOP_REAL"
check_eq "... and cached" "$HOP_REAL" "$(answer hop2.$A MX)"
sql "BEGIN; INSERT INTO policy(id, name, type) VALUES (62, 'hop.$A', 'MX');
     INSERT INTO policy(id, name, type) VALUES (63, '*.walk.invalid', 'A'); COMMIT;"
check "inserted again with a \"*.\" rule (a walk of the caches)" \
    wait_answer hop.$A MX "NOERROR hop.$A. IN MX 0 . "
check_eq "... to the cached chain through it" "$HOP_BLOCKED" "$(answer hop2.$A MX)"

# more malformed rows than the module remembers (1,000): a change to one it does not remember is
# loaded with a read of every row, so that the status does not count that row twice
m0=$(sql 'SELECT malformed FROM module_status;')
sql "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 1001)
     INSERT INTO policy(id, name, type) SELECT 5000000 + i, 'meta' || i || '.invalid', 'AXFR' FROM c;"
check_sql "1,001 rows of a type that never matches: skipped" $((m0 + 1001)) \
    'SELECT malformed FROM module_status;'
rev0=$(sql 'SELECT revision FROM module_status;')
sql "UPDATE policy SET name = 'meta-last.invalid' WHERE id = 5001001;"
for i in $(seq 50); do [ "$(sql 'SELECT revision FROM module_status;')" != "$rev0" ] && break; sleep 0.1; done
check "... the change was loaded (the module's revision moved)" \
    test "$(sql 'SELECT revision FROM module_status;')" != "$rev0"
check_eq "... one of them changed: still 1,001" $((m0 + 1001)) "$(sql 'SELECT malformed FROM module_status;')"
sql "DELETE FROM policy WHERE id > 5000000;"

# ---------------------------------------------------------------- the same as a full load
before=$(for n in "spammer.com MX" "spammer.com A" "nxdomain.com A" "nxdomain.com MX" \
    "www.spammer.com A" "a.example.com TXT" "nomx.$A MX"; do answer $n; done)
rules=$(sql 'SELECT rules FROM module_status;')
reload
check_eq "after unbound-control reload (every row read): the same rule count" "$rules" \
    "$(sql 'SELECT rules FROM module_status;')"
check_eq "... and the same answers" "$before" \
    "$(for n in "spammer.com MX" "spammer.com A" "nxdomain.com A" "nxdomain.com MX" \
        "www.spammer.com A" "a.example.com TXT" "nomx.$A MX"; do answer $n; done)"
finish
