/**
 * \file answer.c
 * Synthesized answers. Everything is allocated in the query's region and
 * marked sec_status_insecure: 'unchecked' would be turned into SERVFAIL by the
 * validator's verdict check in the mesh, and 'secure' would forge the AD bit.
 */
#include "config.h"
#include "answer.h"
#include "dname_text.h"
#include "policy_store.h"
#include "policy_table.h"
#include "services/cache/dns.h"
#include "services/cache/rrset.h"
#include "util/data/msgreply.h"
#include "util/data/packed_rrset.h"
#include "util/module.h"
#include "util/regional.h"
#include "util/config_file.h"
#include "util/net_help.h"
#include "sldns/rrdef.h"
#include "sldns/sbuffer.h"
#include <string.h>

struct ub_packed_rrset_key*
answer_rrset(struct regional* region, const uint8_t* owner, size_t ownerlen,
	uint16_t type, uint16_t dclass, uint32_t ttl, const uint8_t* rdata,
	size_t rdlen)
{
	struct ub_packed_rrset_key* k = regional_alloc_zero(region, sizeof(*k));
	struct packed_rrset_data* d = regional_alloc_zero(region, sizeof(*d) +
		sizeof(size_t) + sizeof(time_t) + sizeof(uint8_t*) + 2 + rdlen);
	uint8_t* wire;
	if(!k || !d || !(k->rk.dname = regional_alloc_init(region, owner, ownerlen)))
		return NULL;
	k->rk.dname_len = ownerlen;
	k->rk.type = htons(type);
	k->rk.rrset_class = htons(dclass);
	k->entry.key = k;
	k->entry.data = d;
	d->ttl = ttl;
	d->count = 1;
	/* the least trust: dump_cache keeps no key flag, so load_cache stores
	 * this as a plain RRset of the name, which the name's real data must
	 * then replace, and which answers to ANY from the cache leave out */
	d->trust = rrset_trust_add_noAA;
	d->security = sec_status_insecure;
	/* Unbound's own layout (packed_rrset_ptr_fixup): the cache copies it */
	d->rr_len = (size_t*)(d + 1);
	d->rr_data = (uint8_t**)(d->rr_len + 1);
	d->rr_ttl = (time_t*)(d->rr_data + 1);
	wire = (uint8_t*)(d->rr_ttl + 1);
	d->rr_len[0] = 2 + rdlen;
	d->rr_ttl[0] = ttl;
	d->rr_data[0] = wire;
	sldns_write_uint16(wire, (uint16_t)rdlen);
	memcpy(wire + 2, rdata, rdlen);
	return k;
}

struct ub_packed_rrset_key*
answer_nullmx(struct regional* region, const uint8_t* owner, size_t ownerlen,
	uint16_t dclass, const struct policy_settings* s)
{
	/* preference 0, exchange the root: RFC 7505 */
	static const uint8_t rdata[3] = { 0, 0, 0 };
	return answer_rrset(region, owner, ownerlen, LDNS_RR_TYPE_MX, dclass,
		s->negative_ttl, rdata, sizeof(rdata));
}

struct ub_packed_rrset_key*
answer_soa(struct regional* region, const uint8_t* apex, size_t apexlen,
	uint16_t dclass, const struct policy_settings* s)
{
	uint8_t rdata[2*DNAME_WIRE_MAX + 20];
	uint8_t* p = rdata;
	memcpy(p, s->soa_mname, s->soa_mname_len);
	p += s->soa_mname_len;
	memcpy(p, s->soa_rname, s->soa_rname_len);
	p += s->soa_rname_len;
	sldns_write_uint32(p, 1);		/* serial */
	sldns_write_uint32(p + 4, 3600);	/* refresh */
	sldns_write_uint32(p + 8, 600);		/* retry */
	sldns_write_uint32(p + 12, 86400);	/* expire */
	sldns_write_uint32(p + 16, s->negative_ttl); /* negative TTL */
	p += 20;
	return answer_rrset(region, apex, apexlen, LDNS_RR_TYPE_SOA, dclass,
		s->negative_ttl, rdata, (size_t)(p - rdata));
}

struct dns_msg*
answer_msg(struct module_qstate* qstate, size_t capacity, int rcode)
{
	struct dns_msg* m = dns_msg_create(qstate->qinfo.qname,
		qstate->qinfo.qname_len, qstate->qinfo.qtype,
		qstate->qinfo.qclass, qstate->region, capacity);
	if(!m)
		return NULL;
	m->rep->flags = (uint16_t)(BIT_QR | BIT_RA | rcode);
	m->rep->security = sec_status_insecure;
	return m;
}

int
answer_block(struct module_qstate* qstate, int action, const uint8_t* apex,
	const struct policy_settings* s)
{
	struct dns_msg* m;
	struct ub_packed_rrset_key* rr;
	/* the rules are for class IN data: a QCLASS * query gets it too */
	uint16_t dclass = LDNS_RR_CLASS_IN;
	/* no other module stores it: only the query stage's answers go into
	 * the cache, flagged (answer_cache_store) */
	qstate->no_cache_store = 1;
	switch(action) {
	case PA_REFUSED:
	case PA_SERVFAIL:
	case PA_REQUIRE_SECURE:
		qstate->return_msg = NULL;
		qstate->return_rcode = action == PA_REFUSED ?
			LDNS_RCODE_REFUSED : LDNS_RCODE_SERVFAIL;
		return 0;
	case PA_DROP:
		qstate->return_msg = NULL;
		qstate->return_rcode = LDNS_RCODE_SERVFAIL;
		qstate->is_drop = 1;
		return 0;
	case PA_NULLMX:
		if(!(m = answer_msg(qstate, 1, LDNS_RCODE_NOERROR)) ||
			!(rr = answer_nullmx(qstate->region, qstate->qinfo.qname,
			qstate->qinfo.qname_len, dclass, s)))
			return -1;
		m->rep->rrsets[m->rep->rrset_count++] = rr;
		m->rep->an_numrrsets = 1;
		break;
	default: /* PA_NODATA, PA_NXDOMAIN */
		if(!(m = answer_msg(qstate, 1, action == PA_NXDOMAIN ?
			LDNS_RCODE_NXDOMAIN : LDNS_RCODE_NOERROR)) ||
			!(rr = answer_soa(qstate->region, apex, dname_wire_len(apex),
			dclass, s)))
			return -1;
		m->rep->rrsets[m->rep->rrset_count++] = rr;
		m->rep->ns_numrrsets = 1;
		break;
	}
	m->rep->ttl = s->negative_ttl;
	m->rep->prefetch_ttl = PREFETCH_TTL_CALC(m->rep->ttl);
	m->rep->serve_expired_ttl = m->rep->ttl + SERVE_EXPIRED_TTL;
	qstate->return_msg = m;
	qstate->return_rcode = LDNS_RCODE_NOERROR;
	return 0;
}

/** Cut the TTLs of a synthesized answer to at most ttl. */
static void
cut_ttls(struct reply_info* rep, time_t ttl)
{
	size_t i, j;
	for(i = 0; i < rep->rrset_count; i++) {
		struct packed_rrset_data* d = (struct packed_rrset_data*)
			rep->rrsets[i]->entry.data;
		if(d->ttl > ttl)
			d->ttl = ttl;
		for(j = 0; j < d->count; j++)
			if(d->rr_ttl[j] > ttl)
				d->rr_ttl[j] = ttl;
	}
	if(rep->ttl > ttl)
		rep->ttl = ttl;
	rep->prefetch_ttl = PREFETCH_TTL_CALC(rep->ttl);
	rep->serve_expired_ttl = rep->ttl + SERVE_EXPIRED_TTL;
}

uint32_t
answer_cache_flags(int64_t rule_id)
{
	if(rule_id > 0 && rule_id <= ANSWER_RULE_MAX)
		return ANSWER_CACHED_FLAG | (uint32_t)rule_id << ANSWER_RULE_SHIFT;
	return ANSWER_CACHED_FLAG;
}

void
answer_cache_store(struct module_qstate* qstate, int64_t rule_id,
	int64_t expires)
{
	struct dns_msg* m = qstate->return_msg;
	time_t now = *qstate->env->now;
	uint32_t flags = answer_cache_flags(rule_id);
	size_t i;
	/* not a DS or DNSKEY answer: the validator looks those up in the
	 * cache before it asks, and the rules do not apply to its lookups;
	 * not under a QCLASS * key, which holds data of every class */
	if(!m || !m->rep->rrset_count || !qstate->env->msg_cache ||
		qstate->qinfo.qclass != LDNS_RR_CLASS_IN ||
		qstate->qinfo.qtype == LDNS_RR_TYPE_DS ||
		qstate->qinfo.qtype == LDNS_RR_TYPE_DNSKEY)
		return;
	if(expires) {
		/* Unbound serves an entry in the second its TTL ends, and the
		 * rule stops applying at the second of its expiry: one before */
		if(expires <= (int64_t)now)
			return;
		if(expires - (int64_t)now - 1 < (int64_t)m->rep->ttl)
			cut_ttls(m->rep, (time_t)(expires - (int64_t)now - 1));
	}
	for(i = 0; i < m->rep->rrset_count; i++) {
		struct ub_packed_rrset_key* k = m->rep->rrsets[i];
		k->rk.flags |= flags;
		/* the RRset cache files a key under the hash it carries */
		k->entry.hash = rrset_key_hash(&k->rk);
	}
	/* the key as Unbound makes it: apart for a CD query of type AAAA */
	if(!dns_cache_store(qstate->env, &qstate->qinfo, m->rep, 0, 0, 0, NULL,
		qstate->query_flags & BIT_CD, qstate->qstarttime))
		log_err("rrpolicy: out of memory to cache a blocked answer");
}

void
answer_cache_unstore(struct module_qstate* qstate)
{
	struct reply_info* rep = qstate->return_msg ?
		qstate->return_msg->rep : NULL;
	size_t i;
	if(!rep || !qstate->env->msg_cache)
		return;
	answer_uncache_msgs(qstate->env, qstate->qinfo.qname,
		qstate->qinfo.qname_len, qstate->qinfo.qtype,
		qstate->qinfo.qclass);
	/* the flags are in the key: the real RRsets of the names stay */
	for(i = 0; i < rep->rrset_count; i++)
		rrset_cache_remove(qstate->env->rrset_cache,
			rep->rrsets[i]->rk.dname, rep->rrsets[i]->rk.dname_len,
			ntohs(rep->rrsets[i]->rk.type),
			ntohs(rep->rrsets[i]->rk.rrset_class),
			rep->rrsets[i]->rk.flags);
}

void
answer_uncache_msgs(struct module_env* env, uint8_t* qname, size_t qname_len,
	uint16_t qtype, uint16_t qclass)
{
	msg_cache_remove(env, qname, qname_len, qtype, qclass, 0);
	msg_cache_remove(env, qname, qname_len, qtype, qclass, BIT_CD);
}

void
answer_add_ede(struct edns_option** list, struct regional* region,
	struct module_env* env, int code, int64_t rule_id)
{
	static const char prefix[] = "rrpolicy: rule ";
	const size_t plen = sizeof(prefix) - 1;
	char digits[24];
	size_t n = sizeof(digits), dlen;
	uint64_t v = rule_id < 0 ? 0 - (uint64_t)rule_id : (uint64_t)rule_id;
	struct edns_option* opt;
	if(!env->cfg->ede)
		return;
	/* by hand, in one allocation: snprintf, then Unbound's
	 * edns_opt_list_append_ede (strlen, two allocations, a verbose call)
	 * were most of the module's work for a blocked answer from the cache */
	do {
		digits[--n] = (char)('0' + v % 10);
		v /= 10;
	} while(v);
	if(rule_id < 0)
		digits[--n] = '-';
	dlen = sizeof(digits) - n;
	if(!(opt = (struct edns_option*)regional_alloc(region,
		sizeof(*opt) + 2 + plen + dlen))) {
		log_err("rrpolicy: out of memory for the EDE option");
		return;
	}
	opt->next = NULL;
	opt->opt_code = LDNS_EDNS_EDE;
	opt->opt_len = 2 + plen + dlen;
	opt->opt_data = (uint8_t*)(opt + 1);
	sldns_write_uint16(opt->opt_data, (uint16_t)code);
	memcpy(opt->opt_data + 2, prefix, plen);
	memcpy(opt->opt_data + 2 + plen, digits + n, dlen);
	while(*list)
		list = &(*list)->next;
	*list = opt;
}
