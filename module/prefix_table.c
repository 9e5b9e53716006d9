/**
 * \file prefix_table.c
 * The table of address rules. Each prefix length of each family has an
 * open-addressing hash set (linear probing) of its prefixes; a slot is the
 * first rule of the prefix followed by the masked address in
 * ceil(length / 32) 32-bit words (8 bytes for an IPv4 /32), and the rules
 * live in one array, chained per prefix as in policy_table.c.
 *
 * A lookup tries the family's longest length (/32, /128: most rules) first;
 * then, longest first, only the lengths that a filter says may hold the
 * address: per family, an array indexed by the top 16 bits of the address
 * holds the lengths 1..32 that have a prefix covering part of that /16, and
 * for IPv6 an array indexed by a hash of the top 32 bits holds the lengths
 * 33..128 that have a prefix inside such a /32 (a collision only costs a
 * probe). The slots of those lengths are prefetched together, so their
 * cache misses overlap. A lookup thus costs about one probe per length
 * present near the address, however many prefixes there are; a mask of
 * lengths per family would not do, as a real feed has 25 IPv4 and up to 97
 * IPv6 lengths, each probed on every miss. A trie was not chosen: a
 * path-compressed one takes one dependent memory read per level, about 20
 * for a million prefixes.
 */
#include "prefix_table.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/** Entries of the filter of the top 16 bits. */
#define COVER_SIZE 65536

/** Reason of a text that is no address. */
#define NOT_AN_ADDRESS "not an IPv4 or IPv6 address"

/** The prefixes of one length: an open-addressing hash set. */
struct prefix_set {
	/** slots of 1 + ceil(length / 32) words: the first rule of the
	 * prefix (POLICY_NONE: empty slot), then its masked address */
	uint32_t* slots;
	/** slot count minus one (0 while slots is NULL) */
	size_t mask;
	/** prefixes in the set */
	size_t count;
};

/** The prefixes of one family. */
struct prefix_family {
	/** address bits: 32 or 128 */
	int bits;
	/** prefixes in all sets */
	size_t count;
	/** the longest length that has prefixes, -1 while none has */
	int longest;
	/** per top 16 bits of an address: bit L-1 is set when a prefix of
	 * length L (1..32) covers part of that /16. NULL while there is none */
	uint32_t* cover;
	/** IPv6, per hash of the top 32 bits: bit L-33 of [0] (L 33..96) or
	 * L-97 of [1] (L 97..128) is set when a prefix of length L lies inside
	 * a /32 of that hash. NULL while there is none */
	uint64_t (*deep)[2];
	/** entries of deep minus one */
	size_t deep_mask;
	/** prefixes longer than 32 */
	size_t deep_count;
	/** the prefixes, by length */
	struct prefix_set set[129];
};

/** The table. */
struct prefix_table {
	/** IPv4, then IPv6 */
	struct prefix_family fam[2];
	/** rules */
	struct policy_rule* rules;
	/** rules used and allocated */
	size_t nrules, rules_cap;
	/** whether a rule is flagged POLICY_FLAG_MAILHOST */
	int mailhost;
	/** the earliest expiry of an allow rule, 0 if none expires */
	int64_t allow_expiry;
};

/** Words of the key of a prefix of length plen. */
static int
key_words(int plen)
{
	return (plen + 31) / 32;
}

/** Load an address of nw words from network-order bytes. */
static void
addr_load(const uint8_t* addr, int nw, uint32_t* w)
{
	int i;
	for(i = 0; i < nw; i++)
		w[i] = (uint32_t)addr[4*i] << 24 | (uint32_t)addr[4*i+1] << 16 |
			(uint32_t)addr[4*i+2] << 8 | addr[4*i+3];
}

/** The key of the prefix of length plen that holds address w. */
static void
key_make(const uint32_t* w, int plen, uint32_t* k)
{
	int i, kw = key_words(plen);
	for(i = 0; i < kw; i++)
		k[i] = w[i];
	if(plen % 32)
		k[kw - 1] &= ~(uint32_t)0 << (32 - plen % 32);
}

/** Hash of a key of kw words. */
static uint32_t
key_hash(const uint32_t* k, int kw)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL;
	int i;
	for(i = 0; i < kw; i++) {
		h = (h ^ k[i]) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	return (uint32_t)h;
}

/** Offset in s->slots of the slot of key k: its prefix, or the empty slot
 * where it belongs, probing from slot i on. The set has slots. */
static size_t
set_probe(const struct prefix_set* s, const uint32_t* k, int kw, size_t i)
{
	size_t stride = (size_t)kw + 1;
	for(;; i = (i + 1) & s->mask) {
		const uint32_t* sl = s->slots + i * stride;
		int j;
		if(sl[0] == POLICY_NONE)
			return i * stride;
		for(j = 0; j < kw && sl[1 + j] == k[j]; j++)
			;
		if(j == kw)
			return i * stride;
	}
}

/** Offset in s->slots of the slot of key k (see set_probe). */
static size_t
set_find(const struct prefix_set* s, const uint32_t* k, int kw)
{
	return set_probe(s, k, kw, key_hash(k, kw) & s->mask);
}

/** Double the slots of a set, or give it its first ones; 0 on success. */
static int
set_grow(struct prefix_set* s, int kw)
{
	size_t stride = (size_t)kw + 1, i;
	struct prefix_set g;
	g.mask = s->slots ? s->mask * 2 + 1 : 7;
	g.count = s->count;
	if(!(g.slots = malloc((g.mask + 1) * stride * sizeof(uint32_t))))
		return -1;
	/* every word POLICY_NONE: all slots empty */
	memset(g.slots, 0xff, (g.mask + 1) * stride * sizeof(uint32_t));
	for(i = 0; s->slots && i <= s->mask; i++) {
		const uint32_t* sl = s->slots + i * stride;
		if(sl[0] != POLICY_NONE)
			memcpy(g.slots + set_find(&g, sl + 1, kw), sl,
				stride * sizeof(uint32_t));
	}
	free(s->slots);
	*s = g;
	return 0;
}

/** Mark a new prefix of length 1..32 in the filter of the top 16 bits;
 * 0 on success. */
static int
cover_add(struct prefix_family* f, const uint32_t* k, int plen)
{
	/* a prefix shorter than /16 covers 2^(16-plen) entries; the prefixes of
	 * one length are disjoint, so all of them write at most COVER_SIZE */
	size_t first = k[0] >> 16, n = plen < 16 ? (size_t)1 << (16 - plen) : 1, i;
	if(!f->cover && !(f->cover = calloc(COVER_SIZE, sizeof(*f->cover))))
		return -1;
	for(i = 0; i < n; i++)
		f->cover[first + i] |= (uint32_t)1 << (plen - 1);
	return 0;
}

/** Mark a prefix of length 33..128 in the IPv6 filter. */
static void
deep_set(struct prefix_family* f, const uint32_t* k, int plen)
{
	uint64_t* d = f->deep[key_hash(k, 1) & f->deep_mask];
	if(plen <= 96)
		d[0] |= (uint64_t)1 << (plen - 33);
	else	d[1] |= (uint64_t)1 << (plen - 97);
}

/** Make room in the IPv6 filter for one more prefix: at most one per entry,
 * doubling it and marking the sets' prefixes anew; 0 on success. */
static int
deep_reserve(struct prefix_family* f)
{
	size_t n = f->deep ? (f->deep_mask + 1) * 2 : 64, i;
	uint64_t (*d)[2];
	int plen;
	if(f->deep && f->deep_count <= f->deep_mask)
		return 0;
	if(!(d = calloc(n, sizeof(*d))))
		return -1;
	free(f->deep);
	f->deep = d;
	f->deep_mask = n - 1;
	for(plen = 33; plen <= 128; plen++) {
		const struct prefix_set* s = &f->set[plen];
		size_t stride = (size_t)key_words(plen) + 1;
		for(i = 0; s->count && i <= s->mask; i++)
			if(s->slots[i * stride] != POLICY_NONE)
				deep_set(f, s->slots + i * stride + 1, plen);
	}
	return 0;
}

/** Enter a new prefix in its family's filters; 0 on success. */
static int
filter_add(struct prefix_family* f, const uint32_t* k, int plen)
{
	if(plen == 0)
		return 0;
	if(plen <= 32)
		return cover_add(f, k, plen);
	if(deep_reserve(f) != 0)
		return -1;
	deep_set(f, k, plen);
	f->deep_count++;
	return 0;
}

struct prefix_table*
prefix_table_create(size_t expected)
{
	struct prefix_table* t = calloc(1, sizeof(*t));
	if(!t)
		return NULL;
	t->fam[0].bits = 32;
	t->fam[1].bits = 128;
	t->fam[0].longest = t->fam[1].longest = -1;
	if(expected && !(t->rules = malloc(expected * sizeof(*t->rules)))) {
		free(t);
		return NULL;
	}
	t->rules_cap = expected;
	return t;
}

void
prefix_table_delete(struct prefix_table* t)
{
	int fa, plen;
	if(!t)
		return;
	for(fa = 0; fa < 2; fa++) {
		free(t->fam[fa].cover);
		free(t->fam[fa].deep);
		for(plen = 0; plen <= t->fam[fa].bits; plen++)
			free(t->fam[fa].set[plen].slots);
	}
	free(t->rules);
	free(t);
}

int
prefix_table_add(struct prefix_table* t, int family, const uint8_t* addr,
	int plen, const struct policy_rule* rule)
{
	struct prefix_family* f;
	struct prefix_set* s;
	uint32_t w[4], k[4];
	size_t off;
	int kw = key_words(plen);
	if((family != AF_INET && family != AF_INET6) || plen < 0 ||
		plen > (family == AF_INET ? 32 : 128))
		return -1;
	f = &t->fam[family == AF_INET6];
	s = &f->set[plen];
	if(t->nrules == t->rules_cap) {
		size_t n = t->rules_cap ? t->rules_cap * 2 : 64;
		struct policy_rule* r = realloc(t->rules, n * sizeof(*r));
		if(!r)
			return -1;
		t->rules = r;
		t->rules_cap = n;
	}
	/* at most 3/4 full */
	if((s->count + 1) * 4 > (s->mask + 1) * 3 && set_grow(s, kw) != 0)
		return -1;
	addr_load(addr, f->bits / 32, w);
	key_make(w, plen, k);
	off = set_find(s, k, kw);
	if(s->slots[off] == POLICY_NONE) {
		if(filter_add(f, k, plen) != 0)
			return -1;
		memcpy(s->slots + off + 1, k, (size_t)kw * sizeof(uint32_t));
		s->count++;
		f->count++;
		if(plen > f->longest)
			f->longest = plen;
	}
	if(rule->flags & POLICY_FLAG_MAILHOST)
		t->mailhost = 1;
	if(rule->action == PA_ALLOW && rule->expires && (!t->allow_expiry ||
		rule->expires < t->allow_expiry))
		t->allow_expiry = rule->expires;
	t->rules[t->nrules] = *rule;
	t->rules[t->nrules].next = s->slots[off];
	s->slots[off] = (uint32_t)t->nrules++;
	return 0;
}

/** What one lookup looks for. */
struct prefix_query {
	/** table */
	const struct prefix_table* t;
	/** family of the address */
	const struct prefix_family* f;
	/** the address, in host-order words */
	uint32_t w[4];
	/** type of the RRset */
	uint16_t rrtype;
	/** current time */
	time_t now;
	/** whether the owner name is a mailhost */
	int mailhost;
};

/** First slot to probe for the prefix of length plen that holds the
 * address (the set has slots). */
static size_t
probe_start(const struct prefix_query* q, int plen)
{
	const struct prefix_set* s = &q->f->set[plen];
	uint32_t k[4];
	key_make(q->w, plen, k);
	return key_hash(k, key_words(plen)) & s->mask;
}

/** The rule of the prefix of length plen that holds the address, if the
 * set has that prefix and one of its rules applies; probes from start. */
static const struct policy_rule*
probe(const struct prefix_query* q, int plen, size_t start)
{
	const struct prefix_set* s = &q->f->set[plen];
	uint32_t k[4];
	key_make(q->w, plen, k);
	return policy_rule_pick(q->t->rules, s->slots[set_probe(s, k,
		key_words(plen), start)], q->rrtype, q->now, q->mailhost);
}

/** Append to lens the lengths base + i for the bits i set in m, longest
 * first, skipping the lengths without prefixes (the IPv6 filter may name
 * them) and skip; return the new count. */
static int
add_lengths(const struct prefix_family* f, uint64_t m, int base, int skip,
	int* lens, int n)
{
	while(m) {
		int b = 63 - __builtin_clzll(m);
		if(f->set[base + b].count && base + b != skip)
			lens[n++] = base + b;
		m &= ~((uint64_t)1 << b);
	}
	return n;
}

const struct policy_rule*
prefix_table_lookup(const struct prefix_table* t, int family,
	const uint8_t* addr, uint16_t rrtype, time_t now, int mailhost,
	int* plen_out)
{
	struct prefix_query q;
	const struct policy_rule* r;
	const uint32_t* cover = NULL;
	const uint64_t* deep = NULL;
	size_t start[129];
	int lens[129], n = 0, i, longest;
	if(!t || (family != AF_INET && family != AF_INET6))
		return NULL;
	q.f = &t->fam[family == AF_INET6];
	if(q.f->count == 0)
		return NULL;
	q.t = t;
	q.rrtype = rrtype;
	q.now = now;
	q.mailhost = mailhost;
	addr_load(addr, q.f->bits / 32, q.w);
	if(q.f->cover)
		__builtin_prefetch(cover = &q.f->cover[q.w[0] >> 16]);
	if(q.f->deep)
		__builtin_prefetch(deep = q.f->deep[key_hash(q.w, 1) &
			q.f->deep_mask]);
	/* most rules are on /32s (IPv4) and /128s (IPv6): the longest length
	 * is tried alone first, while the filters of the others are fetched */
	longest = q.f->longest;
	if((r = probe(&q, longest, probe_start(&q, longest))) != NULL) {
		if(plen_out)
			*plen_out = longest;
		return r;
	}
	if(deep) {
		n = add_lengths(q.f, deep[1], 97, longest, lens, n);
		n = add_lengths(q.f, deep[0], 33, longest, lens, n);
	}
	if(cover)
		n = add_lengths(q.f, *cover, 1, longest, lens, n);
	n = add_lengths(q.f, q.f->set[0].count != 0, 0, longest, lens, n);
	/* fetch the first slot of every length at once: the cache misses of
	 * the probes overlap instead of adding up */
	for(i = 0; i < n; i++) {
		start[i] = probe_start(&q, lens[i]);
		__builtin_prefetch(q.f->set[lens[i]].slots + start[i] *
			((size_t)key_words(lens[i]) + 1));
	}
	for(i = 0; i < n; i++)
		if((r = probe(&q, lens[i], start[i])) != NULL) {
			if(plen_out)
				*plen_out = lens[i];
			return r;
		}
	return NULL;
}

/** Parse a dotted-quad IPv4 address; NULL on success, else the reason. */
static const char*
parse_ipv4(const char* p, uint8_t* addr)
{
	int i;
	for(i = 0; i < 4; i++) {
		const char* d;
		int v = 0;
		if(i > 0 && *p++ != '.')
			return NOT_AN_ADDRESS;
		for(d = p; isdigit((unsigned char)*p) && p - d < 3; p++)
			v = v * 10 + (*p - '0');
		if(p == d || isdigit((unsigned char)*p))
			return NOT_AN_ADDRESS;
		if(v > 255)
			return "IPv4 octet over 255";
		/* inet_aton would read 010 as octal 8 */
		if(*d == '0' && p - d > 1)
			return "leading zero in an IPv4 octet";
		addr[i] = (uint8_t)v;
	}
	return *p ? NOT_AN_ADDRESS : NULL;
}

/** Parse the decimal prefix length after the '/'; NULL on success. */
static const char*
parse_plen(const char* p, int bits, int* plen)
{
	const char* d = p;
	int v = 0;
	for(; isdigit((unsigned char)*p); p++)
		if(v <= bits)
			v = v * 10 + (*p - '0');
	if(p == d || *p || (*d == '0' && p - d > 1))
		return "malformed prefix length";
	if(v > bits)
		return "prefix length out of range";
	*plen = v;
	return NULL;
}

const char*
prefix_parse(const char* text, int* family, uint8_t addr[16], int* plen)
{
	char buf[INET6_ADDRSTRLEN];
	const char* slash = strchr(text, '/');
	size_t n = slash ? (size_t)(slash - text) : strlen(text);
	const char* err;
	int bits, i;
	if(n == 0 || n >= sizeof(buf))
		return NOT_AN_ADDRESS;
	memcpy(buf, text, n);
	buf[n] = 0;
	if(strchr(buf, ':')) {
		/* takes "::" once and a trailing dotted quad (::ffff:192.0.2.1) */
		if(inet_pton(AF_INET6, buf, addr) != 1)
			return NOT_AN_ADDRESS;
		*family = AF_INET6;
		bits = 128;
	} else {
		if((err = parse_ipv4(buf, addr)) != NULL)
			return err;
		*family = AF_INET;
		bits = 32;
	}
	*plen = bits;
	if(slash && (err = parse_plen(slash + 1, bits, plen)) != NULL)
		return err;
	for(i = *plen; i < bits; i++)
		if(addr[i / 8] & (0x80 >> (i % 8)))
			return "host bits set: write the network address";
	return NULL;
}

int
prefix_table_has_mailhost(const struct prefix_table* t)
{
	return t ? t->mailhost : 0;
}

size_t
prefix_table_count(const struct prefix_table* t)
{
	return t ? t->nrules : 0;
}

int64_t
prefix_table_allow_expiry(const struct prefix_table* t)
{
	return t ? t->allow_expiry : 0;
}

size_t
prefix_table_mem(const struct prefix_table* t)
{
	size_t m;
	int fa, plen;
	if(!t)
		return 0;
	m = sizeof(*t) + t->rules_cap * sizeof(*t->rules);
	for(fa = 0; fa < 2; fa++) {
		const struct prefix_family* f = &t->fam[fa];
		if(f->cover)
			m += COVER_SIZE * sizeof(*f->cover);
		if(f->deep)
			m += (f->deep_mask + 1) * sizeof(*f->deep);
		for(plen = 0; plen <= f->bits; plen++)
			if(f->set[plen].slots)
				m += (f->set[plen].mask + 1) *
					((size_t)key_words(plen) + 1) * sizeof(uint32_t);
	}
	return m;
}
