/**
 * \file cache_sweep.c
 * Invalidation of cached data covered by new or changed rules. Unbound's
 * worker answers cache hits without calling any module, so a rule must never
 * meet a cached answer that it should have blocked.
 */
#include "config.h"
#include "cache_sweep.h"
#include "dname_text.h"
#include "policy_table.h"
#include "services/cache/dns.h"
#include "services/cache/rrset.h"
#include "util/data/msgreply.h"
#include "util/data/packed_rrset.h"
#include "util/module.h"
#include "util/net_help.h"
#include "util/storage/slabhash.h"
#include "sldns/rrdef.h"
#include <string.h>
#include <time.h>

/** Most exact rules removed by key before a walk of the caches is cheaper. */
#define SWEEP_BY_KEY_MAX 1024

/** What the sweep needs. */
struct sweep {
	/** the module environment */
	struct module_env* env;
	/** rules now in use */
	const struct policy_table* after;
	/** rules used until now, or NULL */
	const struct policy_table* before;
	/** the new or changed rules */
	struct policy_table* changed;
	/** whether a changed rule is a "*." or '*' rule */
	int broad;
	/** exact rules by key */
	size_t nkeys;
	/** time stamp that makes an entry expired */
	time_t expired;
	/** entries invalidated */
	size_t count;
	/** out of memory while collecting the changes */
	int oom;
};

/** Collect a rule of `after` that `before` does not have. */
static void
collect_changed(const uint8_t* name, int below, const struct policy_rule* r,
	void* arg)
{
	struct sweep* s = (struct sweep*)arg;
	if(r->action == PA_ALLOW || policy_table_has(s->before, name, below, r))
		return;
	if(policy_table_add(s->changed, name, dname_wire_len(name),
		below, r) != 0)
		s->oom = 1;
	if(below || r->type == POLICY_TYPE_ALL)
		s->broad = 1;
	else	s->nkeys++;
}

/** Whether a cached (name, type) is covered by a changed rule that the
 * table in use still applies (and not an exception). */
static int
covered(struct sweep* s, const uint8_t* name, uint16_t type)
{
	uint8_t lower[DNAME_WIRE_MAX];
	const struct policy_rule* r;
	time_t now = s->expired + 3;
	if(!dname_lower_copy(name, lower))
		return 0;
	if(!policy_table_lookup(s->changed, lower, type, now, NULL))
		return 0;
	r = policy_table_lookup(s->after, lower, type, now, NULL);
	return r && r->action != PA_ALLOW;
}

/** Walk callback for the message cache. */
static void
sweep_msg(struct lruhash_entry* e, void* arg)
{
	struct sweep* s = (struct sweep*)arg;
	struct msgreply_entry* k = (struct msgreply_entry*)e->key;
	struct reply_info* d = (struct reply_info*)e->data;
	if(d->ttl <= s->expired || !covered(s, k->key.qname, k->key.qtype))
		return;
	d->ttl = d->prefetch_ttl = d->serve_expired_ttl = s->expired;
	s->count++;
}

/** Walk callback for the RRset cache: an expired RRset also invalidates
 * every cached message that holds it. */
static void
sweep_rrset(struct lruhash_entry* e, void* arg)
{
	struct sweep* s = (struct sweep*)arg;
	struct ub_packed_rrset_key* k = (struct ub_packed_rrset_key*)e->key;
	struct packed_rrset_data* d = (struct packed_rrset_data*)e->data;
	size_t i;
	if(d->ttl <= s->expired || !covered(s, k->rk.dname, ntohs(k->rk.type)))
		return;
	d->ttl = s->expired;
	for(i = 0; i < d->count + d->rrsig_count; i++)
		d->rr_ttl[i] = s->expired;
	s->count++;
}

/** Remove one changed exact rule's (name, type) from both caches. */
static void
remove_key(const uint8_t* name, int below, const struct policy_rule* r,
	void* arg)
{
	struct sweep* s = (struct sweep*)arg;
	size_t len = dname_wire_len(name);
	const struct policy_rule* now;
	(void)below;
	/* a broader exception may still let it through: then nothing to do */
	if(!(now = policy_table_lookup(s->after, name, r->type, s->expired + 3,
		NULL)) || now->action == PA_ALLOW)
		return;
	msg_cache_remove(s->env, (uint8_t*)name, len, r->type,
		LDNS_RR_CLASS_IN, 0);
	msg_cache_remove(s->env, (uint8_t*)name, len, r->type,
		LDNS_RR_CLASS_IN, BIT_CD);
	rrset_cache_remove(s->env->rrset_cache, (uint8_t*)name, len, r->type,
		LDNS_RR_CLASS_IN, 0);
	s->count++;
}

size_t
cache_sweep(struct module_env* env, const struct policy_table* after,
	const struct policy_table* before)
{
	struct sweep s;
	if(!env->msg_cache || !env->rrset_cache || !policy_table_count(after) ||
		count_slabhash_entries(env->msg_cache) +
		count_slabhash_entries(&env->rrset_cache->table) == 0)
		return 0;
	memset(&s, 0, sizeof(s));
	s.env = env;
	s.after = after;
	s.before = before;
	s.expired = time(NULL) - 3;
	if(before && (s.changed = policy_table_create(0)))
		policy_table_walk(after, collect_changed, &s);
	if(!before || !s.changed || s.oom) {
		/* nothing to compare with: everything under a rule goes */
		policy_table_delete(s.changed);
		s.changed = (struct policy_table*)after;
		s.broad = 1;
	}
	if(s.broad || s.nkeys > SWEEP_BY_KEY_MAX) {
		slabhash_traverse(env->msg_cache, 1, sweep_msg, &s);
		slabhash_traverse(&env->rrset_cache->table, 1, sweep_rrset, &s);
	} else if(s.nkeys) {
		policy_table_walk(s.changed, remove_key, &s);
	}
	if(s.changed != after)
		policy_table_delete(s.changed);
	return s.count;
}
