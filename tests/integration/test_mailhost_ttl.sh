#!/bin/bash
# test_mailhost_ttl.sh - an MX answered from Unbound's cache, which the module does not see, keeps
# its exchange a mail host for as long as it is served: with mailhost_ttl 60 and offsite.example.com
# MX cached with its TTL of 3600, diverted.mailpath.example.net (its exchange, in another zone, so
# that the answer carries no address of it and is cached) is still a mail host 61 s later, and
# the answer-ip rule of scope 'mailhost' still blocks its address. Takes about 65 s.
# Needs RRPOLICY_SO (the module).
. "$(dirname "$0")/lib.sh"
top_srcdir=${top_srcdir:-$REPO_ROOT}

[ -n "${RRPOLICY_SO:-}" ] || die "RRPOLICY_SO is not set: this test needs the rrpolicy module"

M=mailpath.example.net
sqlite3 "$RRPOLICY_DB" <"$top_srcdir/schema/schema.sql" || die "cannot create $RRPOLICY_DB"
sql "UPDATE setting SET value = '60' WHERE key = 'mailhost_ttl';"
add_rule R_MH "name, type, trigger, scope" "'192.0.2.200', 'A', 'answer-ip', 'mailhost'"
start_resolver "qname-minimisation: no"

check_eq "diverted A answers while never seen as an MX exchange" \
    "NOERROR diverted.$M. IN A 192.0.2.200 " "$(answer diverted.$M A)"
out=$(q offsite.example.com MX)
check_eq "offsite MX names diverted as its exchange" "offsite.example.com. IN MX 10 diverted.$M." "$(answer_of "$out")"
check_eq "... with the zone's TTL, 3600" 3600 "$(ttls_of ANSWER "$out")"
check_eq "diverted A is blocked once it is an exchange" SERVFAIL "$(rcode_of "$(q diverted.$M A)")"

sleep 61    # past mailhost_ttl
auth_mark
c0=$(uctl_stat total.num.cachehits)
check_eq "61 s later offsite MX still names diverted" "offsite.example.com. IN MX 10 diverted.$M." \
    "$(answer_of "$(q offsite.example.com MX)")"
check_eq "... from the message cache: the worker answered it, the module did not see it" \
    "$((c0 + 1))|0" "$(uctl_stat total.num.cachehits)|$(auth_count offsite.example.com MX)"
out=$(q diverted.$M A)
check_eq "... so diverted is still a mail host: its A is blocked" SERVFAIL "$(rcode_of "$out")"
check_ede "... by the mailhost rule" "$out" 17 "$R_MH"
finish
