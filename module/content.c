/**
 * \file content.c
 * Target names and addresses inside the rdata of an answer. Unbound keeps
 * rdata uncompressed, each record prefixed with its 16-bit length, so a
 * target name is read at a fixed offset and checked against that length.
 */
#include "config.h"
#include "content.h"
#include "dname_text.h"
#include "mailhost.h"
#include "policy_table.h"
#include "prefix_table.h"
#include "util/data/packed_rrset.h"
#include "util/regional.h"
#include "sldns/rrdef.h"
#include <string.h>
#include <sys/socket.h>

/** Offset of the target name in the rdata of a type, -1 for none. */
static int
target_offset(uint16_t type)
{
	switch(type) {
	case LDNS_RR_TYPE_NS:
	case LDNS_RR_TYPE_CNAME:
	case LDNS_RR_TYPE_DNAME:
		return 0;
	case LDNS_RR_TYPE_MX:
	case LDNS_RR_TYPE_SVCB:
	case LDNS_RR_TYPE_HTTPS:
		return 2;	/* preference, SvcPriority */
	case LDNS_RR_TYPE_SRV:
		return 6;	/* priority, weight, port */
	default:
		return -1;
	}
}

int
content_has_target(uint16_t type)
{
	return target_offset(type) >= 0;
}

size_t
content_target(const struct ub_packed_rrset_key* rr, size_t j, uint8_t* out)
{
	const struct packed_rrset_data* d =
		(const struct packed_rrset_data*)rr->entry.data;
	uint16_t type = ntohs(rr->rk.type);
	int off = target_offset(type);
	size_t len;
	if(off < 0 || d->rr_len[j] < 2 + (size_t)off + 1)
		return 0;
	if(!(len = dname_lower_copy_n(d->rr_data[j] + 2 + off,
		d->rr_len[j] - 2 - off, out)))
		return 0;
	if(len == 1 && (type == LDNS_RR_TYPE_SVCB || type == LDNS_RR_TYPE_HTTPS) &&
		(d->rr_data[j][2] || d->rr_data[j][3]))
		return dname_lower_copy(rr->rk.dname, out);
	return len == 1 ? 0 : len;
}

int
content_addr(const struct ub_packed_rrset_key* rr, size_t j,
	const uint8_t** addr)
{
	const struct packed_rrset_data* d =
		(const struct packed_rrset_data*)rr->entry.data;
	*addr = d->rr_data[j] + 2;
	if(rr->rk.type == htons(LDNS_RR_TYPE_A) && d->rr_len[j] == 2 + 4)
		return AF_INET;
	if(rr->rk.type == htons(LDNS_RR_TYPE_AAAA) && d->rr_len[j] == 2 + 16)
		return AF_INET6;
	return 0;
}

const struct policy_rule*
content_target_rule(const struct policy_table* t,
	const struct ub_packed_rrset_key* rr, size_t j, time_t now,
	uint8_t* name)
{
	const struct policy_rule* r;
	if(!t || !content_target(rr, j, name))
		return NULL;
	r = policy_table_lookup(t, name, ntohs(rr->rk.type), now, NULL);
	return (r && r->action != PA_ALLOW) ? r : NULL;
}

/** The first 96 bits of an IPv4-mapped IPv6 address (RFC 4291). */
static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/**
 * The rule for an IPv4-mapped AAAA (::ffff:a.b.c.d): it reaches the IPv4
 * host, so IPv4 rules apply to it as to an A record, and IPv6 rules as to
 * any AAAA. The longer prefix decides (an IPv4 prefix of length n is one of
 * n + 96 here); at equal length an allow wins.
 * @param t: the prefix table.
 * @param addr: the 16 bytes of the address.
 * @param now: current time.
 * @param mailhost: whether the owner is a mail host.
 * @param r6: the rule of the IPv6 lookup, or NULL.
 * @param plen6: the length of its prefix.
 * @return the rule that applies, or NULL.
 */
static const struct policy_rule*
mapped_rule(const struct prefix_table* t, const uint8_t* addr, time_t now,
	int mailhost, const struct policy_rule* r6, int plen6)
{
	int plen4 = -1;
	const struct policy_rule* r4 = prefix_table_lookup(t, AF_INET,
		addr + 12, LDNS_RR_TYPE_A, now, mailhost, &plen4);
	if(!r4)
		return r6;
	if(!r6 || plen4 + 96 > plen6 || (plen4 + 96 == plen6 &&
		r4->action == PA_ALLOW))
		return r4;
	return r6;
}

const struct policy_rule*
content_addr_rule(const struct prefix_table* t,
	const struct ub_packed_rrset_key* rr, time_t now,
	const struct mailhost_set* mailhosts, int any_mailhost)
{
	const struct packed_rrset_data* d =
		(const struct packed_rrset_data*)rr->entry.data;
	const struct policy_rule* logged = NULL;
	uint8_t owner[DNAME_WIRE_MAX];
	int mailhost = any_mailhost;
	size_t j;
	if(!t || !prefix_table_count(t))
		return NULL;
	if(!any_mailhost && mailhosts && prefix_table_has_mailhost(t))
		mailhost = dname_lower_copy(rr->rk.dname, owner) &&
			mailhost_set_has(mailhosts, owner, now);
	for(j = 0; j < d->count; j++) {
		const uint8_t* addr;
		const struct policy_rule* r;
		int family = content_addr(rr, j, &addr), plen = -1;
		if(!family)
			continue;
		r = prefix_table_lookup(t, family, addr, ntohs(rr->rk.type),
			now, mailhost, &plen);
		if(family == AF_INET6 && memcmp(addr, v4mapped, 12) == 0)
			r = mapped_rule(t, addr, now, mailhost, r, plen);
		if(!r || r->action == PA_ALLOW)
			continue;
		if(r->action != PA_LOG)
			return r;
		if(!logged)
			logged = r;
	}
	return logged;
}

int
content_rrset_blocked(const struct policy_table* targets,
	const struct prefix_table* addrs, const struct ub_packed_rrset_key* rr,
	time_t now)
{
	const struct packed_rrset_data* d =
		(const struct packed_rrset_data*)rr->entry.data;
	const struct policy_rule* r;
	uint8_t name[DNAME_WIRE_MAX];
	size_t j;
	for(j = 0; targets && content_has_target(ntohs(rr->rk.type)) &&
		j < d->count; j++)
		if((r = content_target_rule(targets, rr, j, now, name)) &&
			r->action != PA_LOG)
			return 1;
	return addrs && (r = content_addr_rule(addrs, rr, now, NULL, 1)) &&
		r->action != PA_LOG;
}

struct ub_packed_rrset_key*
content_subset(struct regional* region, const struct ub_packed_rrset_key* rr,
	const uint8_t* keep)
{
	const struct packed_rrset_data* d =
		(const struct packed_rrset_data*)rr->entry.data;
	struct ub_packed_rrset_key* k = regional_alloc_init(region, rr,
		sizeof(*rr));
	struct packed_rrset_data* nd;
	uint8_t* rdata;
	size_t j, n = 0, len = 0, i = 0;
	for(j = 0; j < d->count; j++)
		if(keep[j]) {
			n++;
			len += d->rr_len[j];
		}
	/* Unbound's own layout (packed_rrset_ptr_fixup), the rdata after the
	 * arrays: packed_rrset_sizeof and the copies of the message (the
	 * iterator's for a QCLASS * query, the cache's) rely on it */
	nd = regional_alloc_zero(region, sizeof(*nd) + n * (sizeof(size_t) +
		sizeof(uint8_t*) + sizeof(time_t)) + len);
	if(!k || !nd || !(k->rk.dname = regional_alloc_init(region,
		rr->rk.dname, rr->rk.dname_len)))
		return NULL;
	memset(&k->entry, 0, sizeof(k->entry));
	k->entry.key = k;
	k->entry.data = nd;
	nd->ttl = d->ttl;
	nd->count = n;
	nd->trust = d->trust;
	nd->security = sec_status_insecure;
	nd->rr_len = (size_t*)(nd + 1);
	nd->rr_data = (uint8_t**)(nd->rr_len + n);
	nd->rr_ttl = (time_t*)(nd->rr_data + n);
	rdata = (uint8_t*)(nd->rr_ttl + n);
	for(j = 0; j < d->count; j++) {
		if(!keep[j])
			continue;
		nd->rr_len[i] = d->rr_len[j];
		nd->rr_data[i] = rdata;
		memcpy(rdata, d->rr_data[j], d->rr_len[j]);
		rdata += d->rr_len[j];
		nd->rr_ttl[i++] = d->rr_ttl[j];
	}
	return k;
}
