/**
 * \file response.c
 * The response stage. The answer section is a chain (CNAMEs, then the data):
 * the first blocked RRset of the chain decides the answer, except for ANY
 * queries, where each blocked RRset is stripped. Blocked RRsets in the
 * additional section are stripped. The authority section is not checked:
 * it holds the zone's SOA, NS and denial proofs, not data that was asked for.
 */
#include "config.h"
#include "response.h"
#include "answer.h"
#include "dname_text.h"
#include "policy_store.h"
#include "policy_table.h"
#include "services/cache/dns.h"
#include "services/cache/rrset.h"
#include "util/data/msgreply.h"
#include "util/data/packed_rrset.h"
#include "util/module.h"
#include "util/net_help.h"
#include "util/regional.h"
#include "sldns/rrdef.h"
#include <string.h>

/** The rule that applies to an RRset, or NULL. apex receives its owner. */
static const struct policy_rule*
rrset_rule(const struct policy_table* t, const struct ub_packed_rrset_key* rr,
	time_t now, uint8_t* lower, const uint8_t** apex)
{
	const struct policy_rule* r;
	if(!dname_lower_copy(rr->rk.dname, lower))
		return NULL;
	r = policy_table_lookup(t, lower, ntohs(rr->rk.type), now, apex);
	return (r && r->action != PA_ALLOW) ? r : NULL;
}

/** Remove a blocked RRset from the cache, and with it the messages using it. */
static void
uncache_rrset(struct module_env* env, struct ub_packed_rrset_key* rr)
{
	rrset_cache_remove(env->rrset_cache, rr->rk.dname, rr->rk.dname_len,
		ntohs(rr->rk.type), ntohs(rr->rk.rrset_class), rr->rk.flags);
}

/** The answer being built: the RRset list of the rewritten reply. */
struct rewrite {
	/** new rrset array */
	struct ub_packed_rrset_key** rrsets;
	/** counts per section */
	size_t an, ns, ar;
	/** the rcode of the new answer */
	int rcode;
};

/** Whether an action ends the answer with an rcode and no message. */
static int
rcode_only(int action)
{
	return action == PA_REFUSED || action == PA_SERVFAIL || action == PA_DROP;
}

int
response_filter(struct module_qstate* qstate, const struct policy_table* t,
	const struct policy_settings* s, response_fired_func* fired, void* arg,
	int64_t* ede_rule)
{
	struct reply_info* rep;
	struct rewrite w;
	const struct policy_rule* ends = NULL;
	const struct policy_rule* stripped = NULL;
	const uint8_t* ends_apex = NULL;
	uint8_t lower[DNAME_WIRE_MAX], apex_copy[DNAME_WIRE_MAX];
	time_t now = *qstate->env->now;
	int changed = 0, strip_each = qstate->qinfo.qtype == LDNS_RR_TYPE_ANY;
	int bogus;
	size_t i;
	*ede_rule = 0;
	if(!qstate->return_msg || !(rep = qstate->return_msg->rep) ||
		qstate->return_rcode != LDNS_RCODE_NOERROR)
		return 0;
	/* A bogus answer is filtered like any other, but stays bogus: the
	 * mesh turns it into SERVFAIL for validating clients, and clients
	 * that set CD get it without what the rules block. */
	bogus = rep->security == sec_status_bogus ||
		rep->security == sec_status_secure_sentinel_fail;
	memset(&w, 0, sizeof(w));
	w.rcode = FLAGS_GET_RCODE(rep->flags);
	if(!(w.rrsets = regional_alloc(qstate->region,
		(rep->rrset_count + 1) * sizeof(*w.rrsets))))
		return -1;
	for(i = 0; i < rep->an_numrrsets; i++) {
		struct ub_packed_rrset_key* rr = rep->rrsets[i];
		const uint8_t* apex = NULL;
		const struct policy_rule* r = ends ? NULL :
			rrset_rule(t, rr, now, lower, &apex);
		if(ends) {
			changed = 1;	/* the chain was cut before this RRset */
			continue;
		}
		if(!r || r->action == PA_LOG) {
			if(r)
				fired(qstate, r, arg);
			w.rrsets[w.an++] = rr;
			continue;
		}
		fired(qstate, r, arg);
		uncache_rrset(qstate->env, rr);
		changed = 1;
		if(strip_each && (r->action == PA_NULLMX || r->action == PA_NODATA)) {
			if(!stripped)
				stripped = r;
			continue;
		}
		ends = r;
		/* the apex points into lower, which the next lookups reuse */
		memcpy(apex_copy, apex, dname_wire_len(apex));
		ends_apex = apex_copy;
		if(r->action == PA_NULLMX) {
			if(!(w.rrsets[w.an++] = answer_nullmx(qstate->region,
				rr->rk.dname, rr->rk.dname_len,
				ntohs(rr->rk.rrset_class), s)))
				return -1;
		}
	}
	if(ends && rcode_only(ends->action)) {
		if(bogus && ends->action != PA_DROP) {
			qstate->return_msg = NULL;
			qstate->return_rcode = LDNS_RCODE_SERVFAIL;
		} else	(void)answer_block(qstate, ends->action, ends_apex, s);
		*ede_rule = ends->id;
		return 1;
	}
	if(ends && ends->action != PA_NULLMX) {
		/* NODATA or NXDOMAIN: the SOA of the rule, nothing else */
		if(!(w.rrsets[w.an] = answer_soa(qstate->region, ends_apex,
			dname_wire_len(ends_apex), qstate->qinfo.qclass, s)))
			return -1;
		w.ns = 1;
		w.rcode = ends->action == PA_NXDOMAIN ? LDNS_RCODE_NXDOMAIN :
			LDNS_RCODE_NOERROR;
	} else {
		for(i = rep->an_numrrsets; i < rep->an_numrrsets +
			rep->ns_numrrsets; i++)
			w.rrsets[w.an + w.ns++] = rep->rrsets[i];
		/* after a null MX, the old exchanges' addresses go too */
		for(; !ends && i < rep->rrset_count; i++) {
			struct ub_packed_rrset_key* rr = rep->rrsets[i];
			const struct policy_rule* r = rrset_rule(t, rr, now, lower, NULL);
			if(r)
				fired(qstate, r, arg);
			if(r && r->action != PA_LOG) {
				uncache_rrset(qstate->env, rr);
				changed = 1;
				continue;
			}
			w.rrsets[w.an + w.ns + w.ar++] = rr;
		}
	}
	if(!changed)
		return 0;
	rep->rrsets = w.rrsets;
	rep->an_numrrsets = w.an;
	rep->ns_numrrsets = w.ns;
	rep->ar_numrrsets = w.ar;
	rep->rrset_count = w.an + w.ns + w.ar;
	rep->flags = (uint16_t)((rep->flags & ~0xf) | w.rcode);
	/* what rrpolicy changed is never vouched for by DNSSEC */
	if(!bogus)
		rep->security = sec_status_insecure;
	if(ends && ends->action != PA_NULLMX &&
		rep->ttl > (time_t)s->negative_ttl)
		rep->ttl = s->negative_ttl;
	/* the EDE names the rule that changed the answer section */
	if(ends)
		*ede_rule = ends->id;
	else if(stripped)
		*ede_rule = stripped->id;
	return 1;
}

int
response_has_blocked(const struct policy_table* t, const struct reply_info* rep,
	time_t now)
{
	uint8_t lower[DNAME_WIRE_MAX];
	size_t i;
	for(i = 0; i < rep->rrset_count; i++) {
		const struct policy_rule* r;
		if(i >= rep->an_numrrsets && i < rep->an_numrrsets +
			rep->ns_numrrsets)
			continue;	/* authority: not checked, as above */
		r = rrset_rule(t, rep->rrsets[i], now, lower, NULL);
		if(r && r->action != PA_LOG)
			return 1;
	}
	return 0;
}
