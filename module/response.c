/**
 * \file response.c
 * The response stage. The answer section is a chain (CNAMEs, then the data):
 * the first blocked RRset of the chain decides the answer, except for ANY
 * queries, where each blocked RRset is stripped. Blocked RRsets in the
 * additional section are stripped. The authority section is not checked:
 * it holds the zone's SOA, NS and denial proofs, not data that was asked for.
 *
 * Each RRset of the answer is checked by its owner name (qname rules), then
 * by what it contains: the target names of its records (target rules, whose
 * 'block' removes only the records that match) and its addresses (answer-ip
 * rules, whose 'block' answers SERVFAIL).
 */
#include "config.h"
#include "response.h"
#include "answer.h"
#include "content.h"
#include "dname_text.h"
#include "mailhost.h"
#include "policy_store.h"
#include "policy_table.h"
#include "rrpolicy.h"
#include "services/cache/dns.h"
#include "services/cache/rrset.h"
#include "util/data/dname.h"
#include "util/data/msgreply.h"
#include "util/data/packed_rrset.h"
#include "util/module.h"
#include "util/net_help.h"
#include "util/regional.h"
#include "sldns/rrdef.h"
#include <stddef.h>
#include <string.h>

/** A target name whose records were removed: its addresses leave the
 * additional section too. */
struct gone_name {
	/** the next one */
	struct gone_name* next;
	/** length of name */
	size_t len;
	/** lowercase wire name */
	uint8_t name[DNAME_WIRE_MAX];
};

/** Whether an RRset has the name (the same octets) and type of norule, which
 * is known to have no qname rule (NULL: none is). */
static int
known_norule(const struct query_info* norule,
	const struct ub_packed_rrset_key* rr)
{
	return norule && rr->rk.type == htons(norule->qtype) &&
		rr->rk.dname_len == norule->qname_len &&
		memcmp(rr->rk.dname, norule->qname, norule->qname_len) == 0;
}

/** The rule of the owner name of an RRset (not allow), or NULL. apex
 * receives the rule's owner inside lower. The lookup is left out for the
 * name and type of norule (NULL: none), which has no rule. */
static const struct policy_rule*
rrset_rule(const struct policy_table* t, const struct ub_packed_rrset_key* rr,
	time_t now, const struct query_info* norule, uint8_t* lower,
	const uint8_t** apex)
{
	const struct policy_rule* r;
	if(!t || known_norule(norule, rr) || !dname_lower_copy(rr->rk.dname,
		lower))
		return NULL;
	r = policy_table_lookup(t, lower, ntohs(rr->rk.type), now, apex);
	return (r && r->action != PA_ALLOW) ? r : NULL;
}

/** Whether an RRset validated as secure. A require-secure rule matched on
 * an RRset's owner asks this of the RRset it covers, not of the whole
 * answer: an unsigned CNAME into a signed zone leaves the answer insecure,
 * its signed RRset secure. */
static int
rrset_secure(const struct ub_packed_rrset_key* rr)
{
	return ((const struct packed_rrset_data*)rr->entry.data)->security ==
		sec_status_secure;
}

/** The filter of one answer: the rules, and the reply being rebuilt. */
struct rewrite {
	/** the query */
	struct module_qstate* qstate;
	/** the rules in use */
	const struct policy_snapshot* snap;
	/** names seen as MX exchanges */
	struct mailhost_set* mailhosts;
	/** called for each rule that fires */
	response_fired_func* fired;
	/** its argument */
	void* arg;
	/** the time */
	time_t now;
	/** a name and type with no qname rule, or NULL */
	const struct query_info* norule;
	/** whether the answer validated as secure */
	int secure;
	/** whether it is bogus */
	int bogus;
	/** new rrset array */
	struct ub_packed_rrset_key** rrsets;
	/** counts per section */
	size_t an, ns, ar;
	/** whether anything changed */
	int changed;
	/** the action that ends the answer (enum policy_action), or -1 */
	int end;
	/** the rule that ended it */
	int64_t end_id;
	/** the first rule that removed records or RRsets, 0 if none */
	int64_t strip_id;
	/** target names whose records were removed */
	struct gone_name* gone;
	/** the blocked RRsets to remove from the cache, later */
	struct response_uncache* uncache;
	/** out of memory for that list */
	int oom;
	/** whether strip_apex is set */
	int strip_apex_set;
	/** the owner of the SOA of a negative end, or of the null MX; last,
	 * and not zeroed: end_answer writes it before any use */
	uint8_t end_apex[DNAME_WIRE_MAX];
	/** the apex of the first qname rule that removed an RRset of an ANY
	 * answer (for a target rule, the RRset's owner), for the SOA when none
	 * is left; not zeroed either */
	uint8_t strip_apex[DNAME_WIRE_MAX];
};

/** RRsets of an answer that the new rrset array holds on the stack; larger
 * answers get it in the region at once. */
#define LOCAL_RRSETS 16

/** Note a blocked RRset for response_uncache: it goes from the cache, and with
 * it the messages using it. */
static void
uncache_rrset(struct rewrite* w, struct ub_packed_rrset_key* rr)
{
	struct response_uncache* u = w->uncache;
	/* an RRset, and the copy of it that its target rules left */
	size_t cap = 2 * w->qstate->return_msg->rep->rrset_count;
	if((!u->rrsets && !(u->rrsets = regional_alloc(w->qstate->region,
		cap * sizeof(*u->rrsets)))) || u->n >= cap) {
		w->oom = 1;
		return;
	}
	u->rrsets[u->n++] = rr;
}

void
response_uncache(struct module_env* env, const struct response_uncache* u)
{
	size_t i;
	for(i = 0; i < u->n; i++) {
		struct ub_packed_rrset_key* rr = u->rrsets[i];
		rrset_cache_remove(env->rrset_cache, rr->rk.dname,
			rr->rk.dname_len, ntohs(rr->rk.type),
			ntohs(rr->rk.rrset_class), rr->rk.flags);
	}
}

/** Whether an action ends the answer with an rcode and no message. */
static int
rcode_only(int action)
{
	return action == PA_REFUSED || action == PA_SERVFAIL ||
		action == PA_DROP || action == PA_REQUIRE_SECURE;
}

/** End the answer at this RRset with an action of rule r; apex is the owner
 * of the SOA (or null MX) of the new answer. */
static void
end_answer(struct rewrite* w, int action, const struct policy_rule* r,
	const uint8_t* apex)
{
	w->end = action;
	w->end_id = r->id;
	memcpy(w->end_apex, apex, dname_wire_len(apex));
	w->changed = 1;
}

/** Note the rule that removed records (the EDE names the first). */
static void
note_strip(struct rewrite* w, const struct policy_rule* r)
{
	if(!w->strip_id)
		w->strip_id = r->id;
	w->changed = 1;
}

/** Note the owner of the SOA of an ANY answer left with nothing, unless an
 * earlier RRset noted one. */
static void
note_strip_apex(struct rewrite* w, const uint8_t* apex)
{
	if(w->strip_apex_set)
		return;
	memcpy(w->strip_apex, apex, dname_wire_len(apex));
	w->strip_apex_set = 1;
}

/** Remember a target name whose records were removed; 0 on success. */
static int
note_gone(struct rewrite* w, const uint8_t* name)
{
	struct gone_name* g = regional_alloc(w->qstate->region, sizeof(*g));
	if(!g)
		return -1;
	g->len = dname_wire_len(name);
	memcpy(g->name, name, g->len);
	g->next = w->gone;
	w->gone = g;
	return 0;
}

/** Apply the target rules to the records of an RRset. Returns the RRset to
 * keep (rr, or a copy without the records removed), or NULL when nothing is
 * left or the answer ends here; -1 in *err on allocation failure. */
static struct ub_packed_rrset_key*
filter_targets(struct rewrite* w, struct ub_packed_rrset_key* rr,
	int strip_each, int* err)
{
	const struct packed_rrset_data* d =
		(const struct packed_rrset_data*)rr->entry.data;
	uint8_t name[DNAME_WIRE_MAX], owner[DNAME_WIRE_MAX];
	uint8_t* keep = NULL;
	size_t j, kept = d->count;
	const struct policy_rule* strip = NULL;
	for(j = 0; j < d->count; j++) {
		const struct policy_rule* r = content_target_rule(
			w->snap->targets, rr, j, w->now, name);
		if(!r)
			continue;
		w->fired(w->qstate, r, w->arg);
		if(r->action == PA_LOG)
			continue;
		if(!dname_lower_copy(rr->rk.dname, owner))
			return rr;
		if(r->action != PA_STRIP) {
			uncache_rrset(w, rr);
			end_answer(w, r->action, r, owner);
			return NULL;
		}
		if(!strip) {
			if(!(keep = regional_alloc(w->qstate->region, d->count))) {
				*err = -1;
				return NULL;
			}
			memset(keep, 1, d->count);
			strip = r;
		}
		keep[j] = 0;
		kept--;
		if(note_gone(w, name) != 0) {
			*err = -1;
			return NULL;
		}
	}
	if(!strip)
		return rr;
	uncache_rrset(w, rr);
	note_strip(w, strip);
	if(kept) {
		struct ub_packed_rrset_key* k = content_subset(
			w->qstate->region, rr, keep);
		if(!k)
			*err = -1;
		return k;
	}
	/* nothing left: a null MX stops the mail, other types get NODATA;
	 * in an ANY answer the RRset only goes, as for qname rules, and an
	 * answer left with nothing is a NODATA with the SOA of its owner */
	if(!strip_each)
		end_answer(w, rr->rk.type == htons(LDNS_RR_TYPE_MX) ?
			PA_NULLMX : PA_NODATA, strip, owner);
	else	note_strip_apex(w, owner);
	return NULL;
}

/** Whether an address RRset belongs to a target name removed earlier. */
static int
owner_gone(struct rewrite* w, const struct ub_packed_rrset_key* rr)
{
	uint8_t owner[DNAME_WIRE_MAX];
	size_t len;
	const struct gone_name* g;
	if(!w->gone || !(len = dname_lower_copy(rr->rk.dname, owner)))
		return 0;
	for(g = w->gone; g; g = g->next)
		if(g->len == len && memcmp(g->name, owner, len) == 0)
			return 1;
	return 0;
}

/** The answer-ip rule of an A or AAAA RRset, logged; NULL if none blocks. */
static const struct policy_rule*
addr_rule(struct rewrite* w, struct ub_packed_rrset_key* rr)
{
	const struct policy_rule* r;
	if(rr->rk.type != htons(LDNS_RR_TYPE_A) &&
		rr->rk.type != htons(LDNS_RR_TYPE_AAAA))
		return NULL;
	if(!(r = content_addr_rule(w->snap->addrs, rr, w->now, w->mailhosts,
		0)))
		return NULL;
	w->fired(w->qstate, r, w->arg);
	return r->action == PA_LOG ? NULL : r;
}

/** Note the exchanges of an MX RRset in the mailhost set. */
static void
note_exchanges(struct rewrite* w, const struct ub_packed_rrset_key* rr)
{
	const struct packed_rrset_data* d =
		(const struct packed_rrset_data*)rr->entry.data;
	uint8_t name[DNAME_WIRE_MAX];
	size_t j;
	for(j = 0; j < d->count; j++)
		if(content_target(rr, j, name))
			(void)mailhost_set_add(w->mailhosts, name, w->now,
				d->ttl);
}

/** The rule of a CNAME's target for the query's type applies there, as to
 * a query for the target itself: at the chain's end, which has nothing of
 * that type (NODATA or NXDOMAIN there), or a CNAME to a name without MX
 * would escape that name's null MX rule (RFC 5321 implicit MX); and in the
 * middle of a chain, where the target is a CNAME itself, or a rule on an
 * alias would not hold for the chains through it, and their answer would
 * depend on whether the iterator followed the chain into the blocked answer
 * stored for the alias. When the next RRset is the target's own of the
 * query's type, its owner's rule applies to it (filter_answer_rrset).
 * @param w: the rewrite.
 * @param rr: an RRset of the answer section, just kept.
 * @param next: the RRset after it in the answer section, or NULL.
 */
static void
cname_target(struct rewrite* w, const struct ub_packed_rrset_key* rr,
	const struct ub_packed_rrset_key* next)
{
	uint16_t qtype = w->qstate->qinfo.qtype;
	uint8_t target[DNAME_WIRE_MAX];
	const uint8_t* apex = NULL;
	const struct policy_rule* r;
	int rcode = FLAGS_GET_RCODE(w->qstate->return_msg->rep->flags);
	if(w->end >= 0 || rr->rk.type != htons(LDNS_RR_TYPE_CNAME) ||
		!w->snap->table || qtype == LDNS_RR_TYPE_CNAME ||
		qtype == LDNS_RR_TYPE_ANY ||
		(rcode != LDNS_RCODE_NOERROR && rcode != LDNS_RCODE_NXDOMAIN) ||
		!content_target(rr, 0, target))
		return;
	if(next && next->rk.type == htons(qtype) &&
		query_dname_compare(next->rk.dname, target) == 0)
		return;
	r = policy_table_lookup(w->snap->table, target, qtype, w->now, &apex);
	if(!r || r->action == PA_ALLOW || r->action == PA_REQUIRE_SECURE)
		return;
	w->fired(w->qstate, r, w->arg);
	if(r->action != PA_LOG)
		end_answer(w, r->action, r, r->action == PA_NULLMX ? target :
			apex);
}

/** Filter one RRset of the answer section: append what is kept to the new
 * answer, or end it; next is the RRset after it, or NULL. 0 on success, -1
 * on allocation failure. */
static int
filter_answer_rrset(struct rewrite* w, struct ub_packed_rrset_key* rr,
	const struct ub_packed_rrset_key* next, int strip_each)
{
	uint8_t lower[DNAME_WIRE_MAX];
	const uint8_t* apex = NULL;
	const struct policy_rule* r = rrset_rule(w->snap->table, rr, w->now,
		w->norule, lower, &apex);
	int err = 0;
	if(r && r->action == PA_REQUIRE_SECURE) {
		if(!rrset_secure(rr)) {
			w->fired(w->qstate, r, w->arg);
			end_answer(w, PA_REQUIRE_SECURE, r, apex);
			return 0;
		}
		r = NULL;
	}
	if(r) {
		w->fired(w->qstate, r, w->arg);
		if(r->action != PA_LOG) {
			uncache_rrset(w, rr);
			if(strip_each && (r->action == PA_NULLMX ||
				r->action == PA_NODATA)) {
				note_strip(w, r);
				if(apex)
					note_strip_apex(w, apex);
				return 0;
			}
			/* a null MX is owned by the MX RRset it replaces (the
			 * end of the chain), not by the rule's name */
			end_answer(w, r->action, r, r->action == PA_NULLMX ?
				rr->rk.dname : apex);
			return 0;
		}
	}
	if(w->snap->targets && content_has_target(ntohs(rr->rk.type)) &&
		!(rr = filter_targets(w, rr, strip_each, &err)))
		return err;
	if(w->snap->addrs && (r = addr_rule(w, rr))) {
		uncache_rrset(w, rr);
		if(!dname_lower_copy(rr->rk.dname, lower))
			return 0;
		end_answer(w, r->action, r, lower);
		return 0;
	}
	/* a bogus answer (to a client that set CD) makes no name a mail host */
	if(w->mailhosts && !w->bogus && rr->rk.type == htons(LDNS_RR_TYPE_MX))
		note_exchanges(w, rr);
	w->rrsets[w->an++] = rr;
	cname_target(w, rr, next);
	return 0;
}

/** Whether an RRset of the additional section is removed: its owner has a
 * blocking rule, it holds the addresses of a removed target, or a blocked
 * address. */
static int
additional_blocked(struct rewrite* w, struct ub_packed_rrset_key* rr)
{
	uint8_t lower[DNAME_WIRE_MAX];
	const struct policy_rule* r = rrset_rule(w->snap->table, rr, w->now,
		w->norule, lower, NULL);
	if(r && r->action == PA_REQUIRE_SECURE)
		r = rrset_secure(rr) ? NULL : r;
	if(r)
		w->fired(w->qstate, r, w->arg);
	if(!(r && r->action != PA_LOG) && !owner_gone(w, rr) &&
		!(w->snap->addrs && (r = addr_rule(w, rr))))
		return 0;
	uncache_rrset(w, rr);
	w->changed = 1;
	return 1;
}

/** Put the end of the answer in place: an rcode only, or the null MX, or
 * the SOA of a negative answer. 1 when the answer is an rcode only. */
static int
finish_end(struct rewrite* w, int* rcode, int bogus)
{
	struct module_qstate* qstate = w->qstate;
	const struct policy_settings* s = &w->snap->settings;
	size_t apexlen = dname_wire_len(w->end_apex);
	if(rcode_only(w->end)) {
		if(bogus && w->end != PA_DROP) {
			qstate->return_msg = NULL;
			qstate->return_rcode = LDNS_RCODE_SERVFAIL;
		} else	(void)answer_block(qstate, w->end, w->end_apex, s);
		return 1;
	}
	if(w->end == PA_NULLMX) {
		/* the owner of the MX RRset that ended the answer */
		if(!(w->rrsets[w->an] = answer_nullmx(qstate->region,
			w->end_apex, apexlen, LDNS_RR_CLASS_IN, s)))
			return -1;
		w->an++;
		/* at a chain's end it may replace NXDOMAIN */
		*rcode = LDNS_RCODE_NOERROR;
		return 0;
	}
	/* NODATA or NXDOMAIN: the SOA of the rule, nothing else */
	if(!(w->rrsets[w->an] = answer_soa(qstate->region, w->end_apex, apexlen,
		LDNS_RR_CLASS_IN, s)))
		return -1;
	w->ns = 1;
	*rcode = w->end == PA_NXDOMAIN ? LDNS_RCODE_NXDOMAIN : LDNS_RCODE_NOERROR;
	return 0;
}

int
response_filter(struct module_qstate* qstate,
	const struct policy_snapshot* snap, struct mailhost_set* mailhosts,
	int64_t require_secure, const struct query_info* norule,
	response_fired_func* fired, void* arg, int64_t* ede_rule,
	struct response_uncache* uncache)
{
	struct reply_info* rep;
	/* on the stack: most answers are not changed, and only the rrset
	 * array of a changed one must outlive this call */
	struct rewrite wr;
	struct rewrite* w = &wr;
	struct ub_packed_rrset_key* local[LOCAL_RRSETS];
	int strip_each = qstate->qinfo.qtype == LDNS_RR_TYPE_ANY;
	int bogus, rcode, rc;
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
	memset(w, 0, offsetof(struct rewrite, end_apex));
	if(rep->rrset_count + 1 <= LOCAL_RRSETS)
		w->rrsets = local;
	else if(!(w->rrsets = regional_alloc(qstate->region,
		(rep->rrset_count + 1) * sizeof(*w->rrsets))))
		return -1;
	w->qstate = qstate;
	w->snap = snap;
	w->mailhosts = mailhosts;
	w->fired = fired;
	w->arg = arg;
	w->now = *qstate->env->now;
	w->norule = norule;
	w->secure = rep->security == sec_status_secure;
	w->bogus = bogus;
	w->uncache = uncache;
	w->end = -1;
	rcode = FLAGS_GET_RCODE(rep->flags);
	if(require_secure && !w->secure) {
		/* the rule the query stage found for the query */
		struct policy_rule r;
		memset(&r, 0, sizeof(r));
		r.id = require_secure;
		r.action = PA_REQUIRE_SECURE;
		fired(qstate, &r, arg);
		end_answer(w, PA_REQUIRE_SECURE, &r, qstate->qinfo.qname);
	}
	for(i = 0; i < rep->an_numrrsets; i++) {
		if(w->end >= 0) {
			w->changed = 1;	/* the chain was cut before this RRset */
			continue;
		}
		if(filter_answer_rrset(w, rep->rrsets[i], i + 1 <
			rep->an_numrrsets ? rep->rrsets[i + 1] : NULL,
			strip_each) != 0)
			return -1;
	}
	if(w->end < 0 && !w->an && w->strip_apex_set) {
		/* an ANY answer left empty: a NODATA, with the SOA that the
		 * query stage's NODATA has (RFC 2308) */
		struct policy_rule r;
		memset(&r, 0, sizeof(r));
		r.id = w->strip_id;
		end_answer(w, PA_NODATA, &r, w->strip_apex);
	}
	if(w->oom)
		return -1;
	if(w->end >= 0 && (rc = finish_end(w, &rcode, bogus)) != 0) {
		if(rc < 0)
			return -1;
		*ede_rule = w->end_id;
		return 1;
	}
	/* a null MX has no authority section, as the query stage's: at a
	 * chain's end, the SOA and NSEC records of the denial it replaces
	 * would deny the null MX (RFC 4035 3.1.3); and no additional section:
	 * the old exchanges' addresses go too */
	if(w->end < 0) {
		for(i = rep->an_numrrsets; i < rep->an_numrrsets +
			rep->ns_numrrsets; i++)
			w->rrsets[w->an + w->ns++] = rep->rrsets[i];
		for(; i < rep->rrset_count; i++)
			if(!additional_blocked(w, rep->rrsets[i]))
				w->rrsets[w->an + w->ns + w->ar++] = rep->rrsets[i];
	}
	if(w->oom)
		return -1;
	if(!w->changed && w->end < 0)
		return 0;
	if(w->rrsets == local && !(w->rrsets = regional_alloc_init(
		qstate->region, local, (w->an + w->ns + w->ar) *
		sizeof(*w->rrsets))))
		return -1;
	rep->rrsets = w->rrsets;
	rep->an_numrrsets = w->an;
	rep->ns_numrrsets = w->ns;
	rep->ar_numrrsets = w->ar;
	rep->rrset_count = w->an + w->ns + w->ar;
	rep->flags = (uint16_t)((rep->flags & ~0xf) | rcode);
	/* what rrpolicy changed is never vouched for by DNSSEC */
	if(!bogus)
		rep->security = sec_status_insecure;
	if(w->end >= 0 && w->end != PA_NULLMX &&
		rep->ttl > (time_t)snap->settings.negative_ttl)
		rep->ttl = snap->settings.negative_ttl;
	/* the EDE names the rule that changed the answer section */
	*ede_rule = w->end >= 0 ? w->end_id : w->strip_id;
	return 1;
}

int
response_has_blocked(const struct policy_snapshot* snap,
	const struct reply_info* rep, time_t now,
	const struct query_info* norule)
{
	uint8_t lower[DNAME_WIRE_MAX];
	size_t i;
	for(i = 0; i < rep->rrset_count; i++) {
		struct ub_packed_rrset_key* rr = rep->rrsets[i];
		const struct policy_rule* r;
		if(i >= rep->an_numrrsets && i < rep->an_numrrsets +
			rep->ns_numrrsets)
			continue;	/* authority: not checked, as above */
		r = rrset_rule(snap->table, rr, now, norule, lower, NULL);
		if(r && r->action != PA_LOG && (r->action != PA_REQUIRE_SECURE ||
			((struct packed_rrset_data*)rr->entry.data)->rrsig_count == 0))
			return 1;	/* unsigned: require-secure will refuse it */
		/* target rules are applied to the answer section only */
		if((snap->targets || snap->addrs) && content_rrset_blocked(
			i < rep->an_numrrsets ? snap->targets : NULL,
			snap->addrs, rr, now))
			return 1;
	}
	return 0;
}
