/**
 * \file hit_groups.c
 * The groups of counted hits (setting hit_log = 2): a hash table with
 * linear probing over an array of indexes into a dense array of groups,
 * which grows by doubling up to its maximum. Groups are only ever removed
 * all together by hit_groups_prune, which rebuilds the table, so there
 * are no tombstones.
 */
#include "hit_groups.h"
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/** Marks a free bucket. */
#define HIT_GROUPS_FREE UINT32_MAX
/** Groups the array holds at first. */
#define HIT_GROUPS_INITIAL 256

/** The set of groups. */
struct hit_groups {
	/** the groups, in the order they were made */
	struct hit_group* group;
	/** groups in use */
	size_t count;
	/** groups allocated */
	size_t cap;
	/** most groups */
	size_t max;
	/** buckets: index into group, or HIT_GROUPS_FREE */
	uint32_t* bucket;
	/** number of buckets, a power of two, at least twice cap */
	size_t nbuckets;
	/** sum of the groups' pending */
	uint64_t pending;
	/** latest minute of the groups made since the last prune, INT64_MIN
	 * if none */
	int64_t minute;
};

/** 64-bit words of the longest name. */
#define NAME_WORDS ((DNAME_WIRE_MAX + 7) / 8)

/**
 * ASCII lower case of the eight octets of a word at once (names are
 * compared case-insensitively; octets from 0x80 are left as they are).
 * @param x: the octets.
 * @return them with A-Z turned into a-z.
 */
static uint64_t
lower_word(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t high = 0x8080808080808080ULL;
	uint64_t low7 = x & ~high;
	/* per octet, no carry into the next: the high bit says >= 'A',
	 * and > 'Z' */
	uint64_t ge_a = low7 + ones * (0x80 - 'A');
	uint64_t gt_z = low7 + ones * (0x80 - 'Z' - 1);
	return x | (ge_a & ~gt_z & ~x & high) >> 2;
}

/**
 * A hit's name in lower case, in whole words padded with zero octets.
 * @param s: the hit.
 * @param w: output, NAME_WORDS words.
 * @return number of words the name fills.
 */
static size_t
lower_name(const struct hitlog_slot* s, uint64_t* w)
{
	size_t n = ((size_t)s->qname_len + 7) / 8, i;
	if(n == 0)
		return 0;
	w[n - 1] = 0;
	memcpy(w, s->qname, s->qname_len);
	for(i = 0; i < n; i++)
		w[i] = lower_word(w[i]);
	return n;
}

/**
 * Minute of a hit.
 * @param s: the hit.
 * @return seconds since the epoch / 60.
 */
static int64_t
minute_of(const struct hitlog_slot* s)
{
	return (s->sec + (int64_t)(s->usec / 1000000)) / 60;
}

/** Bytes of the address of a hit that count. */
static size_t
addr_len(const struct hitlog_slot* s)
{
	return s->family == AF_INET ? 4 : s->family == AF_INET6 ? 16 : 0;
}

/** One word into a hash (a multiply and a shift: word at a time, since
 * the writer hashes every hit). */
static uint64_t
mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	return h ^ h >> 29;
}

/**
 * Hash of a hit's group key.
 * @param s: the hit.
 * @param minute: its minute.
 * @param name: its name, from lower_name.
 * @param nwords: words of name.
 * @return the hash.
 */
static uint32_t
key_hash(const struct hitlog_slot* s, int64_t minute, const uint64_t* name,
	size_t nwords)
{
	uint64_t h = 0, addr[2] = { 0, 0 };
	size_t i;
	/* only the address's own octets: the rest of the slot is stale */
	memcpy(addr, s->addr, addr_len(s));
	h = mix(h, (uint64_t)minute);
	h = mix(h, (uint64_t)s->policy_id);
	h = mix(h, (uint64_t)(uintptr_t)s->action);
	h = mix(h, (uint64_t)s->qtype | (uint64_t)s->family << 16 |
		(uint64_t)s->stage << 24 | (uint64_t)s->dnssec << 32 |
		(uint64_t)s->qname_len << 40);
	h = mix(h, (uint64_t)s->history);
	h = mix(h, addr[0]);
	h = mix(h, addr[1]);
	for(i = 0; i < nwords; i++)
		h = mix(h, name[i]);
	return (uint32_t)(h ^ h >> 32);
}

/**
 * Whether a hit belongs to a group.
 * @param gr: the group.
 * @param s: the hit.
 * @param minute: the hit's minute.
 * @param name: the hit's name, from lower_name.
 * @return nonzero if it does.
 */
static int
key_equal(const struct hit_group* gr, const struct hitlog_slot* s,
	int64_t minute, const uint64_t* name)
{
	const struct hitlog_slot* f = &gr->first;
	/* first holds the name in lower case */
	return gr->minute == minute && f->policy_id == s->policy_id &&
		f->history == s->history && f->action == s->action &&
		f->qtype == s->qtype && f->family == s->family &&
		f->stage == s->stage && f->dnssec == s->dnssec &&
		f->qname_len == s->qname_len &&
		memcmp(f->addr, s->addr, addr_len(s)) == 0 &&
		memcmp(f->qname, name, s->qname_len) == 0;
}

/**
 * Empty the buckets and put every group into them again.
 * @param g: the set, with more buckets than groups.
 */
static void
fill_buckets(struct hit_groups* g)
{
	size_t i;
	memset(g->bucket, 0xff, g->nbuckets * sizeof(*g->bucket));
	for(i = 0; i < g->count; i++) {
		size_t j = g->group[i].hash & (g->nbuckets - 1);
		while(g->bucket[j] != HIT_GROUPS_FREE)
			j = (j + 1) & (g->nbuckets - 1);
		g->bucket[j] = (uint32_t)i;
	}
}

/**
 * Replace the buckets by a given number of them.
 * @param g: the set.
 * @param nbuckets: a power of two, more than the groups.
 * @return 0, or -1 on malloc failure (the set is unchanged).
 */
static int
rebuild(struct hit_groups* g, size_t nbuckets)
{
	uint32_t* b = malloc(nbuckets * sizeof(*b));
	if(!b)
		return -1;
	free(g->bucket);
	g->bucket = b;
	g->nbuckets = nbuckets;
	fill_buckets(g);
	return 0;
}

/**
 * Make room for one more group.
 * @param g: the set, not full.
 * @return 0, or -1 on malloc failure.
 */
static int
grow(struct hit_groups* g)
{
	size_t cap = g->cap * 2 < g->max ? g->cap * 2 : g->max;
	struct hit_group* n = realloc(g->group, cap * sizeof(*n));
	if(!n)
		return -1;
	g->group = n;
	if(g->nbuckets < 2 * cap) {
		size_t nb = g->nbuckets;
		while(nb < 2 * cap)
			nb *= 2;
		/* without the buckets the larger array is not used */
		if(rebuild(g, nb) != 0)
			return -1;
	}
	g->cap = cap;
	return 0;
}

struct hit_groups*
hit_groups_create(size_t max)
{
	struct hit_groups* g = calloc(1, sizeof(*g));
	size_t nb = 1;
	if(!g)
		return NULL;
	g->max = max < 1 ? 1 : max > UINT32_MAX - 1 ? UINT32_MAX - 1 : max;
	g->cap = g->max < HIT_GROUPS_INITIAL ? g->max : HIT_GROUPS_INITIAL;
	while(nb < 2 * g->cap)
		nb *= 2;
	g->minute = INT64_MIN;
	g->group = malloc(g->cap * sizeof(*g->group));
	if(!g->group || rebuild(g, nb) != 0) {
		hit_groups_delete(g);
		return NULL;
	}
	return g;
}

void
hit_groups_delete(struct hit_groups* g)
{
	if(!g)
		return;
	free(g->group);
	free(g->bucket);
	free(g);
}

int
hit_groups_add(struct hit_groups* g, const struct hitlog_slot* s)
{
	uint64_t name[NAME_WORDS];
	size_t nwords = lower_name(s, name);
	int64_t minute = minute_of(s);
	uint32_t hash = key_hash(s, minute, name, nwords);
	size_t j = hash & (g->nbuckets - 1);
	struct hit_group* gr;
	for(; g->bucket[j] != HIT_GROUPS_FREE; j = (j + 1) & (g->nbuckets - 1)) {
		gr = &g->group[g->bucket[j]];
		if(gr->hash == hash && key_equal(gr, s, minute, name)) {
			gr->pending++;
			g->pending++;
			return 0;
		}
	}
	if(g->count == g->max)
		return -1;
	if(g->count == g->cap) {
		if(grow(g) != 0)
			return -1;
		/* the buckets may have been rebuilt: find the free one again */
		for(j = hash & (g->nbuckets - 1); g->bucket[j] !=
			HIT_GROUPS_FREE; j = (j + 1) & (g->nbuckets - 1))
			;
	}
	gr = &g->group[g->count];
	memcpy(&gr->first, s, sizeof(*s));
	memcpy(gr->first.qname, name, s->qname_len);
	gr->minute = minute;
	gr->rowid = 0;
	gr->new_rowid = 0;
	gr->pending = 1;
	gr->hash = hash;
	g->bucket[j] = (uint32_t)g->count++;
	g->pending++;
	if(minute > g->minute)
		g->minute = minute;
	return 0;
}

size_t
hit_groups_count(const struct hit_groups* g)
{
	return g->count;
}

struct hit_group*
hit_groups_at(struct hit_groups* g, size_t i)
{
	return &g->group[i];
}

uint64_t
hit_groups_pending(const struct hit_groups* g)
{
	return g->pending;
}

int
hit_group_needs_row(const struct hit_group* gr, int64_t history)
{
	return !gr->rowid && gr->first.history == history;
}

void
hit_groups_unwritten(const struct hit_groups* g, size_t* with_row,
	size_t* without_row)
{
	size_t i;
	*with_row = *without_row = 0;
	for(i = 0; i < g->count; i++) {
		if(g->group[i].pending == 0)
			continue;
		if(g->group[i].rowid)
			(*with_row)++;
		else	(*without_row)++;
	}
}

uint64_t
hit_groups_committed(struct hit_groups* g, uint64_t skipped, int with_rows,
	int64_t history)
{
	uint64_t written = 0;
	size_t i;
	for(i = 0; i < g->count; i++) {
		struct hit_group* gr = &g->group[i];
		if(gr->new_rowid) {
			gr->rowid = gr->new_rowid;
			gr->new_rowid = 0;
		} else if(!with_rows && !hit_group_needs_row(gr, history))
			continue;
		written += gr->pending;
		g->pending -= gr->pending;
		gr->pending = 0;
	}
	return written - skipped;
}

void
hit_groups_rolled_back(struct hit_groups* g)
{
	size_t i;
	for(i = 0; i < g->count; i++)
		g->group[i].new_rowid = 0;
}

void
hit_groups_forget_rows(struct hit_groups* g)
{
	size_t i;
	for(i = 0; i < g->count; i++)
		g->group[i].rowid = g->group[i].new_rowid = 0;
}

void
hit_groups_prune(struct hit_groups* g, int full)
{
	int all = full || g->count > g->max / 4 * 3;
	int64_t latest = g->minute;
	size_t i, kept = 0;
	/* the latest minute of the groups made since the last prune, not
	 * ever: after the clock stepped back, a minute counted before would
	 * make every prune forget the groups of the minute counting now */
	g->minute = INT64_MIN;
	for(i = 0; i < g->count; i++) {
		struct hit_group* gr = &g->group[i];
		/* the minute before the latest stays: hits queued at its
		 * end reach the writer after the next minute's first; the
		 * minutes ahead of the one after it only come back if the
		 * clock steps forward again */
		if(gr->pending == 0 && (all || (latest != INT64_MIN &&
			(gr->minute + 1 < latest || gr->minute > latest + 1))))
			continue;
		if(kept != i)
			memcpy(&g->group[kept], gr, sizeof(*gr));
		kept++;
	}
	if(kept == g->count)
		return;
	g->count = kept;
	fill_buckets(g);
}

size_t
hit_groups_mem(const struct hit_groups* g)
{
	if(!g)
		return 0;
	return sizeof(*g) + g->cap * sizeof(*g->group) +
		g->nbuckets * sizeof(*g->bucket);
}
