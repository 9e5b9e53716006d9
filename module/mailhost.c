/**
 * \file mailhost.c
 * The mailhost set: buckets of eight 64-bit words, each the upper 32 bits of
 * a name's 64-bit hash (never 0: 0 marks an empty word) and the lower 32 bits
 * its expiry in seconds since the epoch. The bucket is chosen by the lower
 * bits of the hash. Concurrent adds may overwrite each other's word; the set
 * is a bounded cache of recent exchanges, so losing one is harmless.
 */
#include "mailhost.h"
#include "dname_text.h"
#include <stdlib.h>

/** Words per bucket: one cache line. */
#define MAILHOST_WAYS 8
/** The longest an MX RRset's TTL keeps a name: a year. */
#define MAILHOST_TTL_MAX (366u * 86400u)

/** The set. */
struct mailhost_set {
	/** bucket count minus one (a power of two minus one) */
	size_t mask;
	/** seconds a name stays */
	uint32_t ttl;
	/** the words, MAILHOST_WAYS per bucket */
	uint64_t* words;
};

struct mailhost_set*
mailhost_set_create(size_t max, int ttl)
{
	struct mailhost_set* m = calloc(1, sizeof(*m));
	size_t buckets = 1;
	if(!m)
		return NULL;
	while(buckets * MAILHOST_WAYS < max)
		buckets *= 2;
	m->mask = buckets - 1;
	m->ttl = (uint32_t)ttl;
	if(!(m->words = calloc(buckets * MAILHOST_WAYS, sizeof(*m->words)))) {
		free(m);
		return NULL;
	}
	return m;
}

void
mailhost_set_delete(struct mailhost_set* m)
{
	if(!m)
		return;
	free(m->words);
	free(m);
}

/** 64-bit FNV-1a of a wire name. */
static uint64_t
name_hash64(const uint8_t* name)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i, len = dname_wire_len(name);
	for(i = 0; i < len; i++)
		h = (h ^ name[i]) * 1099511628211ULL;
	return h;
}

/** The bucket of a name, and its tag: the upper half of its hash, never 0. */
static uint64_t*
bucket_of(const struct mailhost_set* m, const uint8_t* name, uint32_t* tag)
{
	uint64_t h = name_hash64(name);
	*tag = (uint32_t)(h >> 32);
	if(!*tag)
		*tag = 1;
	return &m->words[(h & m->mask) * MAILHOST_WAYS];
}

int
mailhost_set_add(struct mailhost_set* m, const uint8_t* name, time_t now,
	time_t mx_ttl)
{
	uint64_t *bucket, victim_word = UINT64_MAX;
	uint32_t tag, expiry, life;
	int i, victim = 0, fresh = 1;
	if(!m)
		return 0;
	bucket = bucket_of(m, name, &tag);
	/* Unbound answers a cached MX through the second its TTL ends (it
	 * expires entries whose TTL ended before now): one second more. Its
	 * cache-max-ttl (a day by default) caps the TTL; the cap here keeps
	 * the expiry within 32 bits */
	if(mx_ttl < (time_t)m->ttl)
		life = m->ttl;
	else if(mx_ttl < (time_t)MAILHOST_TTL_MAX)
		life = (uint32_t)mx_ttl + 1;
	else	life = MAILHOST_TTL_MAX;
	expiry = (uint32_t)now + life;
	for(i = 0; i < MAILHOST_WAYS; i++) {
		uint64_t w = __atomic_load_n(&bucket[i], __ATOMIC_RELAXED);
		if((uint32_t)(w >> 32) == tag) {
			fresh = (uint32_t)w <= (uint32_t)now;
			if((uint32_t)w > expiry)
				expiry = (uint32_t)w;
			victim = i;
			break;
		}
		/* otherwise replace the word that expires first (empty: 0) */
		if((uint32_t)w < (uint32_t)victim_word) {
			victim_word = w;
			victim = i;
		}
	}
	__atomic_store_n(&bucket[victim], ((uint64_t)tag << 32) | expiry,
		__ATOMIC_RELAXED);
	return fresh;
}

int
mailhost_set_has(const struct mailhost_set* m, const uint8_t* name, time_t now)
{
	const uint64_t* bucket;
	uint32_t tag;
	int i;
	if(!m)
		return 0;
	bucket = bucket_of(m, name, &tag);
	for(i = 0; i < MAILHOST_WAYS; i++) {
		uint64_t w = __atomic_load_n(&bucket[i], __ATOMIC_RELAXED);
		if((uint32_t)(w >> 32) == tag)
			return (uint32_t)w > (uint32_t)now;
	}
	return 0;
}

size_t
mailhost_set_mem(const struct mailhost_set* m)
{
	return m ? sizeof(*m) + (m->mask + 1) * MAILHOST_WAYS *
		sizeof(*m->words) : 0;
}
