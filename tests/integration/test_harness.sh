#!/bin/bash
# test_harness.sh - the harness itself: with no policy rules (or stock Unbound when RRPOLICY_SO
# is unset) the resolver answers the test zones exactly as the auth server serves them.
. "$(dirname "$0")/lib.sh"

start_resolver

# module_checks: the resolver runs the expected module-config and got RRPOLICY_DB.
module_checks() {
    local mods i
    read -ra mods <<<"$(module_config)"
    for i in "${!mods[@]}"; do
        check "log shows init module $i: ${mods[$i]}" log_has "notice: init module $i: ${mods[$i]}\$"
    done
    check_eq "unbound-control status lists the modules" \
        "modules: ${#mods[@]} [ $(module_config) ]" "$(uctl status | grep '^modules:')"
    check "resolver environment has RRPOLICY_DB=$RRPOLICY_DB" \
        grep -qzx "RRPOLICY_DB=$RRPOLICY_DB" "/proc/$RESOLVER_PID/environ"
    if [ -n "${RRPOLICY_SO:-}" ]; then
        check "rrpolicy logged that it loaded its rules" \
            wait_log "rrpolicy .*: loaded [0-9]+ rules \(revision [0-9]+\) from $RRPOLICY_DB"
    fi
}

# plain_checks TRANSPORT [dig options]: the unblocked records, exactly, over one transport.
plain_checks() {
    local tr=$1 out
    shift
    out=$(q spammer.com MX "$@")
    check_eq "$tr spammer.com MX rcode" NOERROR "$(rcode_of "$out")"
    check_eq "$tr spammer.com MX answer" \
        "spammer.com. IN MX 10 aspmx.l.google.com.
spammer.com. IN MX 20 alt1.aspmx.l.google.com." "$(answer_of "$out")"
    check "$tr query went over $tr" grep -q "^;; SERVER: .*($tr)\$" <<<"$out"

    out=$(q spammer.com A "$@")
    check_eq "$tr spammer.com A answer" "spammer.com. IN A 192.0.2.10" "$(answer_of "$out")"

    out=$(q aspmx.l.google.com A "$@")
    check_eq "$tr aspmx.l.google.com A answer" \
        "aspmx.l.google.com. IN A 192.0.2.25" "$(answer_of "$out")"

    out=$(q nxdomain.com MX "$@")
    check_eq "$tr nxdomain.com MX rcode" NOERROR "$(rcode_of "$out")"
    check_eq "$tr nxdomain.com MX answer" \
        "nxdomain.com. IN MX 1 aspmx.l.google.com." "$(answer_of "$out")"

    out=$(q nosuch.spammer.com A "$@")
    check_eq "$tr nosuch.spammer.com A is NXDOMAIN" NXDOMAIN "$(rcode_of "$out")"
    check_eq "$tr nosuch.spammer.com A authority is the zone SOA" \
        "spammer.com. IN SOA ns1.spammer.com. hostmaster.spammer.com. 2024010101 3600 600 86400 300" \
        "$(authority_of "$out")"

    out=$(q mx.alias.example.net MX "$@")
    check_eq "$tr mx.alias.example.net MX follows the CNAME to spammer.com" \
        "mx.alias.example.net. IN CNAME spammer.com.
spammer.com. IN MX 10 aspmx.l.google.com.
spammer.com. IN MX 20 alt1.aspmx.l.google.com." "$(answer_of "$out")"
}

# dnssec_checks: the signed zone validates (AD), the tampered one is bogus (SERVFAIL, EDE 6).
dnssec_checks() {
    local out
    out=$(q signed.example.org A +dnssec)
    check_eq "signed.example.org A rcode" NOERROR "$(rcode_of "$out")"
    check "signed.example.org A has the AD flag" has_flag ad "$out"
    check "signed.example.org A answer" grep -qx "signed.example.org. IN A 192.0.2.50" \
        <<<"$(answer_of "$out")"

    out=$(q signed.example.org MX +adflag)
    check "signed.example.org MX (+adflag, no DO) has the AD flag" has_flag ad "$out"

    out=$(q bogus.example.org A +dnssec)
    check_eq "bogus.example.org A is SERVFAIL" SERVFAIL "$(rcode_of "$out")"
    check_eq "bogus.example.org A carries EDE 6 (DNSSEC Bogus)" 6 "$(ede_of "$out")"
    check "bogus.example.org A EDE text tells validation failure" \
        grep -q "^validation failure" <<<"$(ede_text_of "$out")"
    check "resolver log shows the validation failure (val-log-level 2)" \
        log_has "validation failure <bogus.example.org. A IN>"
}

# upstream_checks: auth_saw sees what reached the auth server, and only that.
upstream_checks() {
    check_eq "auth server adds the MX target's addresses as additional data" \
        "aspmx.l.google.com. IN A 192.0.2.25
aspmx.l.google.com. IN AAAA 2001:db8::25" "$(additional_of "$(q_auth google.com MX)")"
    check "auth server saw spammer.com MX" auth_saw spammer.com MX
    check "auth_saw is case-insensitive and takes names without the dot" auth_saw SPAMMER.COM. mx
    check "auth log has no www.spammer.com A (never asked)" \
        not log_has " query: 127.0.0.1 www.spammer.com. A IN\$" "$T/auth.log"
    check "auth_saw www.spammer.com A is false" not auth_saw www.spammer.com A
}

module_checks
plain_checks UDP
plain_checks TCP +tcp
dnssec_checks
upstream_checks
finish
