#!/bin/bash
# test_response_owner.sh - the owner of what the response stage puts in place of a blocked
# RRset reached through a CNAME: a qname rule "*.zone" MX (block = null MX) on the target of a
# CNAME answers the null MX at the name that has the MX, never at the rule's name (the zone):
# a null MX owned by another name than the end of the chain is no answer for the client.
# Needs RRPOLICY_SO (the module).
. "$(dirname "$0")/lib.sh"
top_srcdir=${top_srcdir:-$REPO_ROOT}

[ -n "${RRPOLICY_SO:-}" ] || die "RRPOLICY_SO is not set: this test needs the rrpolicy module"

sqlite3 "$RRPOLICY_DB" <"$top_srcdir/schema/schema.sql" || die "cannot create $RRPOLICY_DB"
add_rule R_WMX "name, type" "'*.mailpath.example.net', 'MX'"                       # block = null MX
add_rule R_WSRV "name, type, action" "'*.mailpath.example.net', 'SRV', 'nodata'"
start_resolver "qname-minimisation: no" "minimal-responses: no"
check "module loaded 2 rules" log_has "rrpolicy .*: loaded 2 rules"

# relay.alias.example.net CNAME relay.mailpath.example.net, which has an MX
for i in 1 2; do
    out=$(q relay.alias.example.net MX)
    check_eq "CNAME into *.mailpath.example.net ($i): rcode" NOERROR "$(rcode_of "$out")"
    check_eq "CNAME into *.mailpath.example.net ($i): the CNAME, then the null MX of its target" \
        "relay.alias.example.net. IN CNAME relay.mailpath.example.net.
relay.mailpath.example.net. IN MX 0 ." "$(answer_of "$out")"
    check_eq "CNAME into *.mailpath.example.net ($i): EDE 17" 17 "$(ede_of "$out")"
done
# the same name asked directly: the query stage answers, with the same owner
check_eq "relay.mailpath.example.net MX direct: null MX at the name asked" \
    "relay.mailpath.example.net. IN MX 0 ." "$(answer_of "$(q relay.mailpath.example.net MX)")"
# NODATA keeps the SOA of the rule's name (the zone of the rule)
out=$(q srv.alias.example.net SRV)
check_eq "CNAME into a SRV under a nodata \"*.\" rule: NOERROR" NOERROR "$(rcode_of "$out")"
check_eq "... the CNAME only" "srv.alias.example.net. IN CNAME _smtp._tcp.srv.mailpath.example.net." \
    "$(answer_of "$out")"
check "... the SOA of the rule's name" grep -q '^mailpath.example.net. IN SOA' <<<"$(authority_of "$out")"
finish
