#!/usr/bin/env bash
# test_cache_consistency.sh - what a rule covers is never served from the
# cache, whatever the path: an exception that is deleted or expires, rules
# that meet answers cached before them with serve-expired on (expired entries
# would still be served), the validator's own DNSKEY/DS lookups (which must not
# be blocked: a rule on a signed name must not break the names below it), and
# a watcher that stays idle when polling is turned off.
. "$(dirname "$0")/lib.sh"
: "${RRPOLICY_SO:?RRPOLICY_SO must name rrpolicy.so}"

sqlite3 "$RRPOLICY_DB" < "$REPO_ROOT/schema/schema.sql"
sql "UPDATE setting SET value = '200' WHERE key = 'poll_interval_ms';"

# 1. Exceptions: deleted, and expired without anyone touching the database.
sql "INSERT INTO policy(id, name, type, action) VALUES (1, '*.example.com', '*', 'nxdomain');
     INSERT INTO policy(id, name, type, action) VALUES (2, 'mail.example.com', 'A', 'allow');"
start_resolver "qname-minimisation: no" "serve-expired: yes"
check_eq "the exception lets mail.example.com A through" \
    "NOERROR mail.example.com. IN A 192.0.2.32 " "$(answer mail.example.com A)"
# inserted once the resolver runs, so that its 8 seconds do not depend on how long a start takes;
# with exceptions of a target rule (an exchange under a blocked provider) and of an answer-ip
# rule (an address in a blocked /24), which expire 4 s later (on their own)
M=mailpath.example.net
sql "INSERT INTO policy(id, name, type, action, expires_at)
         VALUES (3, 'mail.example.com', 'TXT', 'allow', datetime('now', '+8 seconds'));
     INSERT INTO policy(id, name, type, trigger) VALUES (4, '*.bulletproof.example', 'MX', 'target');
     INSERT INTO policy(id, name, type, action, trigger, expires_at)
         VALUES (5, 'mx1.bulletproof.example', 'MX', 'allow', 'target', datetime('now', '+12 seconds'));
     INSERT INTO policy(id, name, type, trigger) VALUES (6, '198.51.100.0/24', '*', 'answer-ip');
     INSERT INTO policy(id, name, type, action, trigger, expires_at)
         VALUES (7, '198.51.100.7', 'A', 'allow', 'answer-ip', datetime('now', '+12 seconds'));"
expiry=$(( $(date +%s) + 8 ))
check "a TXT exception inserted with an expiry 8 s ahead applies" wait_log "loaded 7 rules" 5
check_eq "... and TXT until it expires" "NOERROR" "$(rcode_of "$(q mail.example.com TXT)")"
check_eq "... as does the target exception: both exchanges" "mixed.$M. IN MX 10 mx1.bulletproof.example.
mixed.$M. IN MX 20 mx.good.$M." "$(answer_of "$(q mixed.$M MX)")"
check_eq "... and the answer-ip exception: the address" "NOERROR in24.$M. IN A 198.51.100.7 " \
    "$(answer in24.$M A)"
live sql "DELETE FROM policy WHERE id = 2;"
check_eq "a deleted exception: what it let into the cache is blocked" "NXDOMAIN " "$(answer mail.example.com A)"
while [ "$(date +%s)" -le $((expiry + 1)) ]; do sleep 0.2; done
check_eq "an expired exception: the same, with no edit at all" "NXDOMAIN " "$(answer mail.example.com TXT)"
check_eq "... the target exception still applies" "mixed.$M. IN MX 10 mx1.bulletproof.example.
mixed.$M. IN MX 20 mx.good.$M." "$(answer_of "$(q mixed.$M MX)")"
while [ "$(date +%s)" -le $((expiry + 5)) ]; do sleep 0.2; done
check_eq "... an expired target exception: its exchange goes from the cached answer" \
    "mixed.$M. IN MX 20 mx.good.$M." "$(answer_of "$(q mixed.$M MX)")"
check_eq "... an expired answer-ip exception: its address is blocked in the cache too" "SERVFAIL" \
    "$(rcode_of "$(q in24.$M A)")"

# 2. serve-expired: entries covered by a new rule are removed, not just expired.
check_eq "spammer.com A resolves (and is cached)" "NOERROR spammer.com. IN A 192.0.2.10 " "$(answer spammer.com A)"
answer a.sub.example.net TXT >/dev/null
live sql "INSERT INTO policy(id, name, type, action) VALUES (12, 'spammer.com', '*', 'nodata');"
for i in 1 2 3; do
    check_eq "serve-expired never serves what a new rule covers (try $i)" "NOERROR " "$(answer spammer.com A)"
    sleep 0.3
done
stop_resolver

# 3. A rule on a signed name applies to that name only: the validator's own
# DNSKEY lookup for it is not blocked, so the names below still validate.
sql "DELETE FROM policy; INSERT INTO policy(id, name, type, action) VALUES (20, 'signed.example.org', '*', 'nxdomain');"
start_resolver "qname-minimisation: no"
out=$(q mail.signed.example.org A +dnssec)
check_eq "a name below the rule's name resolves" "NOERROR" "$(rcode_of "$out")"
check "... and validates (AD)" has_flag ad "$out"
check_eq "the rule's name itself is blocked" "NXDOMAIN" "$(rcode_of "$(q signed.example.org A)")"
check_eq "... including its DNSKEY asked by a client" "NXDOMAIN" "$(rcode_of "$(q signed.example.org DNSKEY)")"
# a client's blocked DNSKEY query first: its answer is not stored, where the validator would find
# it when it looks the name's DNSKEY up for the names below
stop_resolver
start_resolver "qname-minimisation: no"
check_eq "fresh cache: a client's DNSKEY query is blocked" "NXDOMAIN" \
    "$(rcode_of "$(q signed.example.org DNSKEY)")"
out=$(q mail.signed.example.org A +dnssec)
check "... then a name below validates (AD)" has_flag ad "$out"
check "... with the zone's own DNSKEY, not the blocked answer" \
    not grep -q 'could not fetch DNSKEY rrset' "$T/resolver.log"

# 4. poll_interval_ms = 0: the watcher waits for a reload, it does not spin.
cpu() { awk '{print $14 + $15}' "/proc/$RESOLVER_PID/stat"; }
loads=$(grep -cE 'loaded [0-9]+ rules' "$T/resolver.log")
sql "UPDATE setting SET value = '0' WHERE key = 'poll_interval_ms';"
wait_count 'loaded [0-9]+ rules' $((loads + 1)) || die "the setting was not loaded"
sleep 0.5
c0=$(cpu); sleep 3; c1=$(cpu)
check "with polling off the module uses no CPU while idle ($((c1 - c0)) ticks in 3 s)" test $((c1 - c0)) -lt 30
sql "INSERT INTO policy(name, type) VALUES ('nxdomain.com', 'MX');"
sleep 1
check_eq "with polling off an edit waits for the reload" \
    "NOERROR nxdomain.com. IN MX 1 aspmx.l.google.com. " "$(answer nxdomain.com MX)"
reload
check_eq "... which applies it" "NOERROR nxdomain.com. IN MX 0 . " "$(answer nxdomain.com MX)"
finish
