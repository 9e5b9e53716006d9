/**
 * \file cache_sweep.c
 * Invalidation of cached data covered by new, changed or removed rules.
 * Unbound's worker answers cache hits without calling any module, so a rule
 * must never meet a cached answer that it should have blocked, and a blocked
 * answer the module stored must go with its rule. Entries are removed, not
 * just expired: with serve-expired, Unbound answers from expired entries.
 */
#include "config.h"
#include "cache_sweep.h"
#include "answer.h"
#include "content.h"
#include "dname_text.h"
#include "policy_table.h"
#include "prefix_table.h"
#include "rrpolicy.h"
#include "services/cache/dns.h"
#include "services/cache/rrset.h"
#include "util/data/msgreply.h"
#include "util/data/packed_rrset.h"
#include "util/module.h"
#include "util/storage/slabhash.h"
#include "sldns/rrdef.h"
#include <string.h>
#include <time.h>

/** Most exact rules removed by key before a walk of the caches is cheaper. */
#define SWEEP_BY_KEY_MAX 1024

/** A cache entry to remove. */
struct sweep_key {
	/** owner or query name */
	uint8_t name[DNAME_WIRE_MAX];
	/** its length */
	size_t len;
	/** type and class */
	uint16_t type, dclass;
	/** RRset key flags */
	uint32_t flags;
	/** message cache (1) or RRset cache (0) */
	int is_msg;
};

/** What the sweep needs. */
struct sweep {
	/** the module environment */
	struct module_env* env;
	/** rules now in use */
	const struct policy_table* after;
	/** rules used until now, or NULL */
	const struct policy_table* before;
	/** the new, changed and removed rules */
	struct policy_table* changed;
	/** the rules in use, when they have target or answer-ip rules: every
	 * cached RRset they block goes */
	const struct policy_snapshot* content;
	/** every blocked answer the module stored goes (the settings of the
	 * answers changed, or the changes are not known) */
	int all_cached;
	/** whether a changed rule is a "*." or '*' rule */
	int broad;
	/** exact rules by key */
	size_t nkeys;
	/** whether the changed rules were removed by key already */
	int keys_done;
	/** the time now */
	time_t now;
	/** cache keys found by the walk */
	struct sweep_key* found;
	/** how many, and room for how many */
	size_t nfound, capfound;
	/** ids of the changed rules up to ANSWER_RULE_MAX, sorted before the
	 * walk: the blocked answers they stored go (their SOA is owned by the
	 * rule's apex and typed SOA, which the rule itself does not cover) */
	int64_t* ids;
	/** how many, and room for how many */
	size_t nids, capids;
	/** whether a changed rule has a larger id (its stored answers carry
	 * no id: every stored answer without one goes) */
	int big_ids;
	/** entries invalidated */
	size_t count;
	/** out of memory while collecting the changes */
	int oom;
};

/** Make room for more changed ids. 0 on success, -1 (oom set) if none. */
static int
grow_ids(struct sweep* s)
{
	size_t cap = s->capids ? s->capids * 2 : 64;
	int64_t* p = realloc(s->ids, cap * sizeof(*p));
	if(!p) {
		s->oom = 1;
		return -1;
	}
	s->ids = p;
	s->capids = cap;
	return 0;
}

/** Order of ids, for qsort and bsearch. */
static int
id_cmp(const void* a, const void* b)
{
	int64_t x = *(const int64_t*)a, y = *(const int64_t*)b;
	return x < y ? -1 : x > y;
}

/** Whether an RRset with these key flags is part of a blocked answer that a
 * changed rule stored. */
static int
stored_by_changed(const struct sweep* s, uint32_t flags)
{
	int64_t id = answer_cache_rule(flags);
	if(!(flags & ANSWER_CACHED_FLAG))
		return 0;
	if(!id)
		return s->big_ids;
	return s->nids && bsearch(&id, s->ids, s->nids, sizeof(id), id_cmp);
}

/** Note a rule whose cached answers must go: copied without expiry, so that
 * an exception that expired still matches. */
static void
note_changed(struct sweep* s, const uint8_t* name, int below,
	const struct policy_rule* r)
{
	struct policy_rule c = *r;
	c.expires = 0;
	if(policy_table_add(s->changed, name, dname_wire_len(name), below, &c) != 0)
		s->oom = 1;
	if(r->id <= 0 || r->id > ANSWER_RULE_MAX)
		s->big_ids = 1;
	else if(s->nids < s->capids || grow_ids(s) == 0)
		s->ids[s->nids++] = r->id;
	if(below || r->type == POLICY_TYPE_ALL)
		s->broad = 1;
	else	s->nkeys++;
}

/** Collect a rule of `after` that `before` does not have. Every kind
 * counts: a new block meets real answers, a new exception blocked ones. */
static void
collect_changed(const uint8_t* name, int below, const struct policy_rule* r,
	void* arg)
{
	struct sweep* s = (struct sweep*)arg;
	if(!policy_table_has(s->before, name, below, r))
		note_changed(s, name, below, r);
}

/** Collect a rule of `before` that `after` no longer has: the blocked
 * answers it stored go, and what an exception let through may be blocked. */
static void
collect_removed(const uint8_t* name, int below, const struct policy_rule* r,
	void* arg)
{
	struct sweep* s = (struct sweep*)arg;
	if(!policy_table_has(s->after, name, below, r))
		note_changed(s, name, below, r);
}

/** The same, from the one-pass comparison of the two tables. */
static void
collect_diff(const uint8_t* name, int below, const struct policy_rule* r,
	int ATTR_UNUSED(added), void* arg)
{
	note_changed((struct sweep*)arg, name, below, r);
}

/** Whether a cached (name, type) is covered by a changed rule: what the
 * rules now say about it is looked up again when it is next asked. */
static int
covered(struct sweep* s, const uint8_t* name, uint16_t type)
{
	uint8_t lower[DNAME_WIRE_MAX];
	if(s->keys_done || !dname_lower_copy(name, lower))
		return 0;
	return policy_table_lookup(s->changed, lower, type, s->now, NULL) !=
		NULL;
}

/** Remember a cache key to remove once the walk is over: entries cannot be
 * removed while the walk holds the table's lock, and only expiring them is
 * not enough, since serve-expired answers from expired entries. */
static void
note_key(struct sweep* s, const uint8_t* name, size_t len, uint16_t type,
	uint16_t dclass, uint32_t flags, int is_msg)
{
	struct sweep_key* k;
	if(s->nfound == s->capfound) {
		size_t cap = s->capfound ? s->capfound * 2 : 256;
		struct sweep_key* p = realloc(s->found, cap * sizeof(*p));
		if(!p) {
			s->oom = 1;
			return;
		}
		s->found = p;
		s->capfound = cap;
	}
	k = &s->found[s->nfound++];
	memcpy(k->name, name, len);
	k->len = len;
	k->type = type;
	k->dclass = dclass;
	k->flags = flags;
	k->is_msg = is_msg;
}

/** Whether a cached message's answer section holds a CNAME whose target a
 * changed rule covers, for the message's type: the rule applies at the
 * target, in the middle of the chain or at its end (cname_target in
 * response.c). The CNAMEs' locks are taken under the message's, in the
 * order the worker takes them. */
static int
chain_covered(struct sweep* s, const struct reply_info* rep, uint16_t qtype)
{
	uint8_t target[DNAME_WIRE_MAX];
	size_t i, j, len;
	if(qtype == LDNS_RR_TYPE_CNAME || qtype == LDNS_RR_TYPE_ANY)
		return 0;
	for(i = 0; i < rep->rrset_count; i++) {
		struct ub_packed_rrset_key* k = rep->ref[i].key;
		for(j = 0; j < rep->an_numrrsets && rep->rrsets[j] != k; j++)
			;
		if(j == rep->an_numrrsets)
			continue;	/* not in the answer section */
		len = 0;
		lock_rw_rdlock(&k->entry.lock);
		if(k->id == rep->ref[i].id && k->rk.type ==
			htons(LDNS_RR_TYPE_CNAME))
			len = content_target(k, 0, target);
		lock_rw_unlock(&k->entry.lock);
		if(len && policy_table_lookup(s->changed, target, qtype,
			s->now, NULL))
			return 1;
	}
	return 0;
}

/** Walk callback for the message cache. */
static void
sweep_msg(struct lruhash_entry* e, void* arg)
{
	struct sweep* s = (struct sweep*)arg;
	struct msgreply_entry* k = (struct msgreply_entry*)e->key;
	if(covered(s, k->key.qname, k->key.qtype) ||
		chain_covered(s, (struct reply_info*)e->data, k->key.qtype))
		note_key(s, k->key.qname, k->key.qname_len, k->key.qtype,
			k->key.qclass, 0, 1);
}

/** Walk callback for the RRset cache: a removed RRset also invalidates
 * every cached message that holds it. */
static void
sweep_rrset(struct lruhash_entry* e, void* arg)
{
	struct sweep* s = (struct sweep*)arg;
	struct ub_packed_rrset_key* k = (struct ub_packed_rrset_key*)e->key;
	if(covered(s, k->rk.dname, ntohs(k->rk.type)) ||
		(s->all_cached && (k->rk.flags & ANSWER_CACHED_FLAG)) ||
		stored_by_changed(s, k->rk.flags) ||
		(s->content && content_rrset_blocked(s->content->targets,
		s->content->addrs, k, s->now)))
		note_key(s, k->rk.dname, k->rk.dname_len, ntohs(k->rk.type),
			ntohs(k->rk.rrset_class), k->rk.flags, 0);
}

/** Walk a cache slab by slab, and stop if Unbound replaced the cache
 * meanwhile (a reload that resized it): `current` is where Unbound keeps the
 * cache's pointer, `cache` the cache being walked. */
static void
walk(struct sweep* s, void* const volatile* current, void* cache,
	struct slabhash* sh, void (*fn)(struct lruhash_entry*, void*))
{
	size_t i;
	for(i = 0; i < sh->size && *current == cache; i++)
		lruhash_traverse(sh->array[i], 0, fn, s);
}

/** Remove what the walk found. */
static void
remove_found(struct sweep* s)
{
	size_t i;
	for(i = 0; i < s->nfound; i++) {
		struct sweep_key* k = &s->found[i];
		if(k->is_msg)
			answer_uncache_msgs(s->env, k->name, k->len, k->type,
				k->dclass);
		else	rrset_cache_remove(s->env->rrset_cache, k->name, k->len,
			k->type, k->dclass, k->flags);
	}
	s->count += s->nfound;
}

/** Whether the cache holds an RRset of name, type and key flags, expired
 * or not (with serve-expired, Unbound answers from expired ones too). */
static int
cached(struct sweep* s, const uint8_t* name, uint16_t type, uint32_t flags)
{
	struct ub_packed_rrset_key* k = rrset_cache_lookup(s->env->rrset_cache,
		(uint8_t*)name, dname_wire_len(name), type, LDNS_RR_CLASS_IN,
		flags, 0, 0);
	if(!k)
		return 0;
	lock_rw_unlock(&k->entry.lock);
	return 1;
}

/** Remove the SOA of negative answers (key flag PACKED_RRSET_SOA_NEG) owned
 * by a rule's name or a name above it, and with them every cached message
 * that holds one: a CNAME chain cached with a NODATA or NXDOMAIN at the name
 * holds only the CNAME and its zone's SOA, which the rule's keys are not,
 * and the rule applies at the chain's end (cname_target in response.c). The
 * zone's other negative answers are fetched again. The walk up stops at the
 * first name the cache knows as a zone apex (a SOA or NS RRset there): the
 * name's zone is that one or below it, and the negative answers of the zones
 * above (the root's NXDOMAINs, a TLD's) stay. */
static void
remove_negative_soas(struct sweep* s, const uint8_t* name)
{
	for(;;) {
		int apex = cached(s, name, LDNS_RR_TYPE_SOA,
			PACKED_RRSET_SOA_NEG) ||
			cached(s, name, LDNS_RR_TYPE_SOA, 0) ||
			cached(s, name, LDNS_RR_TYPE_NS, 0);
		rrset_cache_remove(s->env->rrset_cache, (uint8_t*)name,
			dname_wire_len(name), LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN,
			PACKED_RRSET_SOA_NEG);
		if(apex || !*name)
			break;
		name += *name + 1;
	}
}

/** Remove one changed exact rule's (name, type) from both caches. */
static void
remove_key(const uint8_t* name, int below, const struct policy_rule* r,
	void* arg)
{
	struct sweep* s = (struct sweep*)arg;
	size_t len = dname_wire_len(name);
	(void)below;
	answer_uncache_msgs(s->env, (uint8_t*)name, len, r->type,
		LDNS_RR_CLASS_IN);
	rrset_cache_remove(s->env->rrset_cache, (uint8_t*)name, len, r->type,
		LDNS_RR_CLASS_IN, 0);
	/* the blocked answer it stored, and with it every message holding it
	 * (a CNAME's to the name): its null MX, or its SOA at the name */
	rrset_cache_remove(s->env->rrset_cache, (uint8_t*)name, len, r->type,
		LDNS_RR_CLASS_IN, answer_cache_flags(r->id));
	rrset_cache_remove(s->env->rrset_cache, (uint8_t*)name, len,
		LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN, answer_cache_flags(r->id));
	/* the name's CNAME, and with it every message of a chain through
	 * the name, where the rule applies too (cname_target in response.c) */
	rrset_cache_remove(s->env->rrset_cache, (uint8_t*)name, len,
		LDNS_RR_TYPE_CNAME, LDNS_RR_CLASS_IN, 0);
	remove_negative_soas(s, name);
	s->count++;
}

/** Collect a rule just added. */
static void
collect_added(const uint8_t* name, int below, const struct policy_rule* r,
	void* arg)
{
	collect_diff(name, below, r, 1, arg);
}

/** Whether there is anything to sweep: rules (rules in use or until now,
 * or target and answer-ip rules), and a cache with entries. */
static int
sweep_needed(struct module_env* env, int rules)
{
	return env->msg_cache && env->rrset_cache && rules &&
		count_slabhash_entries(env->msg_cache) +
		count_slabhash_entries(&env->rrset_cache->table) != 0;
}

/** Remove what the changed rules of s cover, by key or by walking. */
static void
sweep_changed(struct sweep* s)
{
	struct module_env* env = s->env;
	int walk_rules;
	if(s->oom) {
		/* rules went missing: everything under a rule goes, and every
		 * blocked answer (its rule may be gone) */
		policy_table_delete(s->changed);
		s->changed = (struct policy_table*)s->after;
		s->broad = 1;
		s->all_cached = 1;
	}
	walk_rules = s->broad || s->nkeys > SWEEP_BY_KEY_MAX;
	if(s->nids > 1)
		qsort(s->ids, s->nids, sizeof(*s->ids), id_cmp);
	if(walk_rules) {
		struct slabhash* mc = env->msg_cache;
		walk(s, (void* const volatile*)&env->msg_cache, mc, mc, sweep_msg);
	} else if(s->nkeys) {
		policy_table_walk(s->changed, remove_key, s);
	}
	/* the RRset walk also finds what target and answer-ip rules block:
	 * which cached RRsets hold a target or an address is not indexed */
	if(walk_rules || s->content || s->all_cached) {
		struct rrset_cache* rc = env->rrset_cache;
		/* exact rules were removed by key above */
		s->keys_done = !walk_rules;
		walk(s, (void* const volatile*)&env->rrset_cache, rc, &rc->table,
			sweep_rrset);
		remove_found(s);
		free(s->found);
	}
	if(s->changed != s->after)
		policy_table_delete(s->changed);
	free(s->ids);
}

size_t
cache_sweep(struct module_env* env, const struct policy_snapshot* after_snap,
	const struct policy_snapshot* before_snap)
{
	const struct policy_table* after = after_snap->table;
	const struct policy_table* before = before_snap ? before_snap->table :
		NULL;
	int content = policy_table_count(after_snap->targets) ||
		prefix_table_count(after_snap->addrs);
	struct sweep s;
	if(!sweep_needed(env, policy_table_count(after) ||
		policy_table_count(before) || content))
		return 0;
	memset(&s, 0, sizeof(s));
	s.env = env;
	s.after = after;
	s.before = before;
	s.now = time(NULL);
	if(content)
		s.content = after_snap;
	/* stored answers hold the TTL and SOA of the settings */
	s.all_cached = !before_snap || memcmp(&before_snap->settings,
		&after_snap->settings, sizeof(after_snap->settings)) != 0;
	if(before && (s.changed = policy_table_create(0)) &&
		policy_table_diff(before, after, collect_diff, &s) != 0) {
		/* not in id order: look each rule up in the other table */
		policy_table_walk(after, collect_changed, &s);
		policy_table_walk(before, collect_removed, &s);
	}
	if(!before || !s.changed)
		s.oom = 1;	/* nothing to compare with */
	sweep_changed(&s);
	return s.count;
}

size_t
cache_sweep_added(struct module_env* env, const struct policy_table* after,
	const struct policy_table* added)
{
	struct sweep s;
	if(!sweep_needed(env, policy_table_count(added) != 0))
		return 0;
	memset(&s, 0, sizeof(s));
	s.env = env;
	s.after = after;
	s.now = time(NULL);
	if((s.changed = policy_table_create(0)))
		policy_table_walk(added, collect_added, &s);
	else	s.oom = 1;
	sweep_changed(&s);
	return s.count;
}
