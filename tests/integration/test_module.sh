#!/usr/bin/env bash
# test_module.sh - the module is a real Unbound module: it exports exactly the
# six dynlib entry points, it is loaded and sits in the path of queries, and
# the demo configuration passes unbound-checkconf.
. "$(dirname "$0")/lib.sh"
: "${RRPOLICY_SO:?RRPOLICY_SO must name rrpolicy.so}"

exports=$(nm -D --defined-only "$RRPOLICY_SO" | awk '$2 ~ /^[TDB]$/ {print $3}' | sort | tr '\n' ' ')
check_eq "rrpolicy.so exports exactly the six dynlib entry points" \
    "clear deinit get_mem inform_super init operate " "$exports"

sqlite3 "$RRPOLICY_DB" < "$REPO_ROOT/schema/schema.sql"
sqlite3 "$RRPOLICY_DB" "INSERT INTO policy(id, name, type) VALUES (41, 'spammer.com', 'MX');
    INSERT INTO policy(id, name, type) VALUES (-7, 'negative.example.com', 'MX');
    INSERT INTO policy(id, name, type) VALUES (9223372036854775807, 'largest.example.com', 'MX');"
start_resolver
check "log shows rrpolicy's version line with the rule count" \
    log_has 'rrpolicy [0-9.]+: loaded 3 rules \(revision [0-9]+\) from '"$RRPOLICY_DB"
check "module 0 is the dynlib module" log_has 'init module 0: dynlib'

# In the path of queries: only the module can answer this, and it names its rule.
out=$(q spammer.com MX)
check_eq "spammer.com MX is the null MX synthesized by the module" \
    "spammer.com. IN MX 0 ." "$(answer_of "$out")"
check_eq "the answer carries EDE 15 naming rule 41" "15" "$(ede_of "$out")"
check_eq "EDE text names the rule" "rrpolicy: rule 41" "$(ede_text_of "$out")"
# The EDE text is written digit by digit: ids of every sign and length, in
# the module's answer and in the same answer served from the cache.
for id_name in -7:negative.example.com 9223372036854775807:largest.example.com; do
    for from in module cache; do
        hits0=$(uctl_stat total.num.cachehits)
        check_eq "EDE names rule ${id_name%%:*} (answer from the $from)" \
            "rrpolicy: rule ${id_name%%:*}" "$(ede_text_of "$(q "${id_name#*:}" MX)")"
        check_eq "... which answered from the $from" \
            "$([ $from = cache ] && echo 1 || echo 0)" $(($(uctl_stat total.num.cachehits) - hits0))
    done
done
check "spammer.com MX never reached the authoritative server" not auth_saw spammer.com MX
out=$(q spammer.com A)
check_eq "spammer.com A passes through the module to the zone" \
    "spammer.com. IN A 192.0.2.10" "$(answer_of "$out")"

# The demo configuration, as contrib/rrpolicy-demo.sh writes it.
sed "s|@RUN@|$T/demo|g" "$REPO_ROOT/contrib/demo/unbound.conf.in" > "$T/demo.conf"
mkdir -p "$T/demo/zones"
cp "$REPO_ROOT"/contrib/demo/*.zone "$T/demo/zones/"
cp "$RRPOLICY_SO" "$T/demo/rrpolicy.so"
# checkconf wants the configured user to exist; the demo creates it
id unbound >/dev/null 2>&1 || sed -i 's/username: "unbound"/username: ""/' "$T/demo.conf"
check "unbound-checkconf accepts the demo configuration" "$UNBOUND_CHECKCONF" "$T/demo.conf"
finish
