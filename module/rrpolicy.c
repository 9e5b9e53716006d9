/**
 * \file rrpolicy.c
 * The Unbound glue of rrpolicy: the six dynlib entry points and the inplace
 * reply callbacks that log each client answered, by the mesh or from the
 * message cache.
 *
 * Query stage (module_event_new/pass): (qname, qtype) is looked up in the
 * in-memory table; a blocking rule answers at once, before anything goes
 * upstream. Response stage (module_event_moddone, after the validator): every
 * RRset of the answer is checked (see response.c).
 */
#include "config.h"
#include "rrpolicy.h"
#include "answer.h"
#include "dname_text.h"
#include "hitlog.h"
#include "mailhost.h"
#include "policy_table.h"
#include "policy_watch.h"
#include "prefix_table.h"
#include "response.h"
#include "dynlibmod/dynlibmod.h"
#include "services/cache/dns.h"
#include "services/mesh.h"
#include "util/alloc.h"
#include "util/config_file.h"
#include "util/data/dname.h"
#include "util/data/msgreply.h"
#include "util/module.h"
#include "util/net_help.h"
#include "util/netevent.h"
#include "util/regional.h"
#include "sldns/rrdef.h"
#include <stdlib.h>
#include <string.h>

/** The entry points Unbound's dynlib module looks up; all else is hidden. */
#define RRPOLICY_EXPORT __attribute__((visibility("default")))

RRPOLICY_EXPORT int init(struct module_env* env, int id);
RRPOLICY_EXPORT void deinit(struct module_env* env, int id);
RRPOLICY_EXPORT void operate(struct module_qstate* qstate,
	enum module_ev event, int id, struct outbound_entry* entry);
RRPOLICY_EXPORT void inform_super(struct module_qstate* qstate, int id,
	struct module_qstate* super);
RRPOLICY_EXPORT void clear(struct module_qstate* qstate, int id);
RRPOLICY_EXPORT size_t get_mem(struct module_env* env, int id);

/** The module's global state. */
static struct rrpolicy_env*
get_env(struct module_env* env, int id)
{
	struct dynlibmod_env* de = (struct dynlibmod_env*)env->modinfo[id];
	return de ? (struct rrpolicy_env*)de->dyn_env : NULL;
}

/** Record that a rule fired for the query (once per rule). Called under the
 * read lock of the rules the rule is from. */
static void
note_fired(struct module_qstate* qstate, const struct policy_rule* r,
	enum hitlog_stage stage, enum hitlog_dnssec dnssec, int id)
{
	struct rrpolicy_qstate* pq = (struct rrpolicy_qstate*)qstate->minfo[id];
	int i;
	if(!pq)
		return;
	for(i = 0; i < pq->nfired; i++)
		if(pq->fired[i].id == r->id)
			return;
	if(!pq->fired) {
		pq->fired = pq->fired_first;
		pq->fired_cap = RRPOLICY_FIRED_FIRST;
	} else if(pq->nfired == pq->fired_cap) {
		/* a chain or many records can fire many log rules: each is a
		 * hit of its own */
		struct rrpolicy_fired* more = regional_alloc(qstate->region,
			2 * (size_t)pq->fired_cap * sizeof(*more));
		if(!more) {
			log_err("rrpolicy: out of memory for the hit of rule %lld",
				(long long)r->id);
			return;
		}
		memcpy(more, pq->fired, (size_t)pq->nfired * sizeof(*more));
		pq->fired = more;
		pq->fired_cap *= 2;
	}
	pq->fired[pq->nfired].id = r->id;
	pq->fired[pq->nfired].action = r->action;
	pq->fired[pq->nfired].stage = (uint8_t)stage;
	pq->fired[pq->nfired].dnssec = (uint8_t)dnssec;
	pq->fired[pq->nfired].history = get_env(qstate->env, id)->snap->history;
	pq->nfired++;
}

/** Log the rules that fired for one client answered. */
static void
log_client(struct rrpolicy_env* pe, struct module_qstate* qstate,
	struct rrpolicy_qstate* pq, struct comm_reply* rep)
{
	const sldns_rr_descriptor* d = sldns_rr_descript(qstate->qinfo.qtype);
	struct hitlog* hits = __atomic_load_n(&pe->hits, __ATOMIC_ACQUIRE);
	int i;
	if(!hits)
		return;
	for(i = 0; i < pq->nfired; i++)
		hitlog_add(hits, qstate->env->now_tv, &rep->client_addr,
			rep->client_addrlen, qstate->qinfo.qname,
			qstate->qinfo.qtype, d ? d->_name : NULL, pq->fired[i].id,
			policy_action_names[pq->fired[i].action], pq->fired[i].stage,
			pq->fired[i].dnssec, pq->fired[i].history);
}

/** Name the rule that changed the answer in an Extended DNS Error. */
static void
name_rule(struct module_qstate* qstate, int id, int code, int64_t rule_id)
{
	struct rrpolicy_qstate* pq = (struct rrpolicy_qstate*)qstate->minfo[id];
	answer_add_ede(&qstate->edns_opts_front_out, qstate->region, qstate->env,
		code, rule_id);
	if(!qstate->return_msg && qstate->return_rcode == LDNS_RCODE_SERVFAIL) {
		pq->servfail_ede = (uint8_t)code;
		pq->servfail_rule = rule_id;
	}
}

/** Whether the rules apply to a query of a class: they are for class IN
 * data, which a QCLASS * query asks for too (RFC 1035 3.2.5). */
static int
rules_apply(uint16_t qclass)
{
	return qclass == LDNS_RR_CLASS_IN || qclass == LDNS_RR_CLASS_ANY;
}

/** Inplace callback for every reply the mesh sends (NOERROR, NXDOMAIN,
 * REFUSED and SERVFAIL alike): one hit per client answered, for each rule
 * that fired, and the EDE of a SERVFAIL the module answered. Internal
 * queries and prefetches have no client and no reply. */
static int
reply_cb(struct query_info* ATTR_UNUSED(qinfo), struct module_qstate* qstate,
	struct reply_info* ATTR_UNUSED(rep), int rcode,
	struct edns_data* ATTR_UNUSED(edns), struct edns_option** opt_list_out,
	struct comm_reply* repinfo, struct regional* region,
	struct timeval* ATTR_UNUSED(start_time), int id, void* arg)
{
	struct rrpolicy_env* pe = (struct rrpolicy_env*)arg;
	struct rrpolicy_qstate* pq;
	if(!qstate || !(pq = (struct rrpolicy_qstate*)qstate->minfo[id]) ||
		!pq->nfired)
		return 1;
	if(rcode == LDNS_RCODE_SERVFAIL && pq->servfail_ede)
		answer_add_ede(opt_list_out, region, qstate->env,
			pq->servfail_ede, pq->servfail_rule);
	if(repinfo)
		log_client(pe, qstate, pq, repinfo);
	return 1;
}

/** The number of the worker that runs with env, -1 for another thread. */
static int
worker_num(const struct module_env* env)
{
	/* the daemon's own cache has number 0 too, and no super */
	return env->alloc && env->alloc->super ? env->alloc->thread_num : -1;
}

/** The worker number of this thread, as operate() last found it, -1 until
 * then: the cache callback is not told which worker calls it, and a reader
 * without a number takes the rules' mutex, which serialises the workers.
 * A worker thread stays the same worker (worker 0 is the main thread, over
 * reloads too), and a number beyond the workers of now takes the mutex. */
static __thread int thread_worker = -1;

/** The rule that blocked an answer the query stage stored in the cache: from
 * the key flags of its first RRset, or looked up for an id too large for
 * them. Returns 0 if the name has no blocking rule now (one deleted or
 * changed since is being swept from the cache). */
static int64_t
cached_rule(struct rrpolicy_env* pe, struct query_info* qinfo, uint32_t flags,
	time_t now)
{
	uint8_t qname[DNAME_WIRE_MAX];
	const struct policy_rule* r;
	int64_t id = answer_cache_rule(flags);
	int token;
	if(id || !dname_lower_copy(qinfo->qname, qname))
		return id;
	token = rules_read_begin(&pe->rules, thread_worker);
	r = pe->snap->table ? policy_table_lookup(pe->snap->table, qname,
		qinfo->qtype, now, NULL) : NULL;
	if(r && (r->action == PA_NULLMX || r->action == PA_NODATA ||
		r->action == PA_NXDOMAIN))
		id = r->id;
	rules_read_end(&pe->rules, token);
	return id;
}

/** A blocked answer served from the cache: the EDE and one hit per client,
 * with the action its answer shows. Out of line, so that the marker test in
 * cache_cb, which every cache hit pays, needs no stack frame. */
static __attribute__((noinline)) void
cache_blocked(struct rrpolicy_env* pe, struct query_info* qinfo,
	struct reply_info* rep, struct edns_option** opt_list_out,
	struct comm_reply* repinfo, struct regional* region,
	struct timeval* start_time)
{
	const sldns_rr_descriptor* d;
	struct hitlog* hits;
	enum policy_action action;
	int64_t rule_id;
	if(!(rule_id = cached_rule(pe, qinfo, rep->rrsets[0]->rk.flags,
		start_time->tv_sec)))
		return;
	answer_add_ede(opt_list_out, region, pe->env, ANSWER_EDE_BLOCKED,
		rule_id);
	hits = __atomic_load_n(&pe->hits, __ATOMIC_ACQUIRE);
	if(!hits || !repinfo)
		return;
	action = FLAGS_GET_RCODE(rep->flags) == LDNS_RCODE_NXDOMAIN ?
		PA_NXDOMAIN : rep->an_numrrsets ? PA_NULLMX : PA_NODATA;
	d = sldns_rr_descript(qinfo->qtype);
	hitlog_add(hits, start_time, &repinfo->client_addr,
		repinfo->client_addrlen, qinfo->qname, qinfo->qtype,
		d ? d->_name : NULL, rule_id, policy_action_names[action],
		HITLOG_QUERY, HITLOG_DNSSEC_NONE,
		__atomic_load_n(&pe->history, __ATOMIC_RELAXED));
}

/** Inplace callback for every answer the worker sends from the message cache
 * (no module runs for those): a blocked answer the query stage stored is
 * known by the flag on its first RRset. */
static int
cache_cb(struct query_info* qinfo, struct module_qstate* ATTR_UNUSED(qstate),
	struct reply_info* rep, int ATTR_UNUSED(rcode),
	struct edns_data* ATTR_UNUSED(edns), struct edns_option** opt_list_out,
	struct comm_reply* repinfo, struct regional* region,
	struct timeval* start_time, int ATTR_UNUSED(id), void* arg)
{
	if(rep && rep->rrset_count &&
		(rep->rrsets[0]->rk.flags & ANSWER_CACHED_FLAG))
		cache_blocked((struct rrpolicy_env*)arg, qinfo, rep,
			opt_list_out, repinfo, region, start_time);
	return 1;
}

/** The query's name and type when the query stage found no qname rule for
 * them in the rules in use now, else NULL. Called under the read lock. */
static const struct query_info*
norule_qinfo(struct module_qstate* qstate, const struct rrpolicy_env* pe,
	int id)
{
	const struct rrpolicy_qstate* pq =
		(const struct rrpolicy_qstate*)qstate->minfo[id];
	if(!pq || !pq->norule || pq->norule_gen != pe->rules_gen ||
		*qstate->env->now < pq->norule_now)
		return NULL;
	return &qstate->qinfo;
}

/** Inplace callback for every upstream response, before the iterator stores
 * it: a response that holds a blocked RRset is not cached at all, so no
 * client (one that sets CD, say) can get it from the cache before the
 * response stage has filtered it. */
static int
upstream_cb(struct module_qstate* qstate, struct dns_msg* response,
	int id, void* arg)
{
	struct rrpolicy_env* pe = (struct rrpolicy_env*)arg;
	int token;
	if(!response || !response->rep || qstate->no_cache_store)
		return 1;
	token = rules_read_begin(&pe->rules, worker_num(qstate->env));
	if(response_has_blocked(pe->snap, response->rep, *qstate->env->now,
		norule_qinfo(qstate, pe, id)))
		qstate->no_cache_store = 1;
	rules_read_end(&pe->rules, token);
	return 1;
}

/** The validator's own DNSKEY and DS lookups start at this module too. The
 * rules are not applied to them (a rule for a name must not break the
 * validation of the names below it), but what a rule covers is not cached
 * from them either, or clients would get it from the cache. */
static void
guard_valrec(struct module_qstate* qstate, const struct policy_snapshot* snap)
{
	uint8_t qname[DNAME_WIRE_MAX];
	const struct policy_rule* r;
	if(!snap->table || !dname_lower_copy(qstate->qinfo.qname, qname))
		return;
	r = policy_table_lookup(snap->table, qname, qstate->qinfo.qtype,
		*qstate->env->now, NULL);
	if(r && r->action != PA_ALLOW)
		qstate->no_cache_store = 1;
}

/** Whether a query is only the class IN part of QCLASS * queries: the
 * iterator asks that part in a sub-query, which starts at this module too
 * but has no client. Its answer is filtered in the QCLASS * query instead,
 * whose clients get the EDE and are logged. */
static int
class_part_only(struct module_qstate* qstate)
{
	struct mesh_state* m = qstate->mesh_info;
	struct mesh_state_ref* ref;
	if(!m || m->reply_list || m->cb_list || m->super_set.count == 0)
		return 0;
	RBTREE_FOR(ref, struct mesh_state_ref*, &m->super_set) {
		const struct query_info* q = &ref->s->s.qinfo;
		if(q->qclass != LDNS_RR_CLASS_ANY ||
			q->qtype != qstate->qinfo.qtype ||
			query_dname_compare(q->qname, qstate->qinfo.qname) != 0)
			return 0;
	}
	return 1;
}

/** Dropped queries get no reply and so no reply callback: log them here. */
static void
log_dropped(struct rrpolicy_env* pe, struct module_qstate* qstate, int id)
{
	struct mesh_reply* r;
	if(!qstate->mesh_info)
		return;
	for(r = qstate->mesh_info->reply_list; r; r = r->next)
		log_client(pe, qstate, (struct rrpolicy_qstate*)qstate->minfo[id],
			&r->query_reply);
}

RRPOLICY_EXPORT int
init(struct module_env* env, int id)
{
	struct dynlibmod_env* de = (struct dynlibmod_env*)env->modinfo[id];
	struct rrpolicy_env* pe = calloc(1, sizeof(*pe));
	const char* path = getenv("RRPOLICY_DB");
	if(!pe || !(pe->db_path = strdup(path && *path ? path : RRPOLICY_DB_PATH)) ||
		rules_lock_init(&pe->rules, env->cfg->num_threads) != 0) {
		log_err("rrpolicy: out of memory");
		if(pe)
			free(pe->db_path);
		free(pe);
		return 0;
	}
	pe->env = env;
	de->dyn_env = pe;
	if(!(pe->watch = policy_watch_start(pe, env))) {
		log_err("rrpolicy: out of memory");
		return 0;
	}
	policy_watch_run(pe->watch);
	if(!de->inplace_cb_register_wrapped((void*)reply_cb, inplace_cb_reply,
		pe, env, id) ||
		!de->inplace_cb_register_wrapped((void*)reply_cb,
		inplace_cb_reply_servfail, pe, env, id) ||
		!de->inplace_cb_register_wrapped((void*)cache_cb,
		inplace_cb_reply_cache, pe, env, id) ||
		!de->inplace_cb_register_wrapped((void*)upstream_cb,
		inplace_cb_query_response, pe, env, id)) {
		log_err("rrpolicy: cannot register the inplace callbacks");
		return 0;
	}
	return 1;
}

RRPOLICY_EXPORT void
deinit(struct module_env* env, int id)
{
	struct dynlibmod_env* de = (struct dynlibmod_env*)env->modinfo[id];
	struct rrpolicy_env* pe = get_env(env, id);
	/* Unbound does not delete them on reload, and this library is about
	 * to be unloaded: a stale callback would jump into freed code */
	de->inplace_cb_delete_wrapped(env, inplace_cb_reply, id);
	de->inplace_cb_delete_wrapped(env, inplace_cb_reply_servfail, id);
	de->inplace_cb_delete_wrapped(env, inplace_cb_reply_cache, id);
	de->inplace_cb_delete_wrapped(env, inplace_cb_query_response, id);
	if(!pe)
		return;
	/* every thread of ours is joined before the library goes */
	policy_watch_stop(pe->watch);
	mailhost_set_delete(pe->mailhosts);
	policy_snapshot_delete(pe->snap);
	rules_lock_destroy(&pe->rules);
	free(pe->db_path);
	free(pe);
	de->dyn_env = NULL;
}

/** A blocked answer of the query stage to store in the message cache once
 * the rules' lock is released: no cache lock is taken under it, since a
 * worker that answers from the cache holds the cache's locks when it takes
 * that lock (cache_cb), and a waiting watcher stops new readers. */
struct cache_store {
	/** whether there is one */
	int due;
	/** the rule that blocked it */
	int64_t rule_id;
	/** the rule's expiry, 0 for never */
	int64_t expires;
	/** rules_gen of the rules that blocked it */
	uint64_t gen;
};

/** The query stage: a blocking rule answers the query here. Called under the
 * read lock. */
static void
query_stage(struct module_qstate* qstate, struct rrpolicy_env* pe,
	const struct policy_snapshot* snap, int id, struct cache_store* store)
{
	struct rrpolicy_qstate* pq = (struct rrpolicy_qstate*)qstate->minfo[id];
	uint8_t qname[DNAME_WIRE_MAX];
	const uint8_t* apex = NULL;
	const struct policy_rule* r;
	pq->norule = 0;
	if(!snap->table || !dname_lower_copy(qstate->qinfo.qname, qname))
		return;
	r = policy_table_lookup(snap->table, qname, qstate->qinfo.qtype,
		*qstate->env->now, &apex);
	if(!r) {
		/* the later stages need not look up this name and type */
		pq->norule = 1;
		pq->norule_gen = pe->rules_gen;
		pq->norule_now = *qstate->env->now;
		return;
	}
	if(r->action == PA_ALLOW)
		return;
	if(r->action == PA_REQUIRE_SECURE) {
		/* decided on the answer, at the response stage */
		pq->require_secure = r->id;
		return;
	}
	note_fired(qstate, r, HITLOG_QUERY, HITLOG_DNSSEC_NONE, id);
	if(r->action == PA_LOG)
		return;
	if(verbosity >= VERB_QUERY)
		log_nametypeclass(VERB_QUERY, "rrpolicy: blocked at the query stage",
			qstate->qinfo.qname, qstate->qinfo.qtype, qstate->qinfo.qclass);
	/* apex points into the lowercase copy, which has the qname's shape */
	if(answer_block(qstate, r->action, qstate->qinfo.qname + (apex - qname),
		&snap->settings) != 0) {
		log_err("rrpolicy: out of memory for an answer");
		qstate->ext_state[id] = module_error;
		return;
	}
	name_rule(qstate, id, ANSWER_EDE_BLOCKED, r->id);
	if(r->action == PA_DROP)
		log_dropped(pe, qstate, id);
	/* the name's next queries are answered by the worker from the cache,
	 * without a mesh state; cache_cb logs them */
	store->due = 1;
	store->rule_id = r->id;
	store->expires = r->expires;
	store->gen = pe->rules_gen;
	qstate->ext_state[id] = module_finished;
}

/** hit.dnssec of a validation status. */
static enum hitlog_dnssec
dnssec_of(enum sec_status s)
{
	switch(s) {
	case sec_status_secure:
		return HITLOG_DNSSEC_SECURE;
	case sec_status_insecure:
		return HITLOG_DNSSEC_INSECURE;
	case sec_status_bogus:
	case sec_status_secure_sentinel_fail:
		return HITLOG_DNSSEC_BOGUS;
	case sec_status_indeterminate:
		return HITLOG_DNSSEC_INDETERMINATE;
	default:
		return HITLOG_DNSSEC_NONE;	/* unchecked: no validator */
	}
}

/** What response-stage rules need to note what fired. */
struct fired_arg {
	/** module id */
	int id;
	/** status of the answer before the rules changed it */
	enum hitlog_dnssec dnssec;
};

/** Response-stage callback: note each rule that fires. */
static void
response_fired(struct module_qstate* qstate, const struct policy_rule* r,
	void* arg)
{
	struct fired_arg* fa = (struct fired_arg*)arg;
	note_fired(qstate, r, HITLOG_RESPONSE, fa->dnssec, fa->id);
}

/** The response stage, after the validator. The rules are read under the
 * read lock, the cache changed after it (see struct cache_store). */
static void
response_stage(struct module_qstate* qstate, struct rrpolicy_env* pe, int id)
{
	struct rrpolicy_qstate* pq = (struct rrpolicy_qstate*)qstate->minfo[id];
	struct response_uncache uncache = { NULL, 0 };
	struct fired_arg fa;
	int64_t ede_rule = 0;
	int rc, token;
	fa.id = id;
	fa.dnssec = qstate->return_msg && qstate->return_msg->rep ?
		dnssec_of(qstate->return_msg->rep->security) : HITLOG_DNSSEC_NONE;
	token = rules_read_begin(&pe->rules, worker_num(qstate->env));
	rc = response_filter(qstate, pe->snap, __atomic_load_n(&pe->mailhosts,
		__ATOMIC_ACQUIRE), pq ? pq->require_secure : 0,
		norule_qinfo(qstate, pe, id), response_fired, &fa, &ede_rule,
		&uncache);
	rules_read_end(&pe->rules, token);
	response_uncache(qstate->env, &uncache);
	if(rc > 0 && ede_rule)
		name_rule(qstate, id, ANSWER_EDE_FILTERED, ede_rule);
	if(rc < 0) {
		log_err("rrpolicy: out of memory for a filtered answer");
		qstate->return_msg = NULL;
		qstate->return_rcode = LDNS_RCODE_SERVFAIL;
	}
	if(pq && pq->nfired) {
		/* later queries must come through the module again: to be
		 * logged, and to be blocked if a rule covers them */
		answer_uncache_msgs(qstate->env, qstate->qinfo.qname,
			qstate->qinfo.qname_len, qstate->qinfo.qtype,
			LDNS_RR_CLASS_IN);
		/* a QCLASS * query's class IN part was cached by the iterator
		 * under class IN (its sub-query, see class_part_only) */
		if(qstate->qinfo.qclass != LDNS_RR_CLASS_IN)
			answer_uncache_msgs(qstate->env, qstate->qinfo.qname,
				qstate->qinfo.qname_len, qstate->qinfo.qtype,
				qstate->qinfo.qclass);
		if(qstate->is_drop)
			log_dropped(pe, qstate, id);
	}
}

RRPOLICY_EXPORT void
operate(struct module_qstate* qstate, enum module_ev event, int id,
	struct outbound_entry* ATTR_UNUSED(entry))
{
	struct rrpolicy_env* pe = get_env(qstate->env, id);
	if(event == module_event_new || event == module_event_pass) {
		if(!qstate->minfo[id] && !(qstate->minfo[id] = regional_alloc_zero(
			qstate->region, sizeof(struct rrpolicy_qstate)))) {
			qstate->ext_state[id] = module_error;
			return;
		}
		qstate->ext_state[id] = module_wait_module;
		thread_worker = worker_num(qstate->env);
		if(rules_apply(qstate->qinfo.qclass)) {
			struct cache_store store = { 0, 0, 0, 0 };
			int token = rules_read_begin(&pe->rules, thread_worker);
			if(qstate->is_valrec)
				guard_valrec(qstate, pe->snap);
			else	query_stage(qstate, pe, pe->snap, id, &store);
			rules_read_end(&pe->rules, token);
			if(store.due) {
				answer_cache_store(qstate, store.rule_id,
					store.expires);
				/* the rules changed since the lookup, and their
				 * sweep may have been done before the store */
				if(__atomic_load_n(&pe->rules_gen,
					__ATOMIC_ACQUIRE) != store.gen)
					answer_cache_unstore(qstate);
			}
		}
		return;
	}
	if(event == module_event_moddone) {
		if(rules_apply(qstate->qinfo.qclass) && !qstate->is_valrec &&
			!class_part_only(qstate))
			response_stage(qstate, pe, id);
		qstate->ext_state[id] = module_finished;
		return;
	}
	qstate->ext_state[id] = module_error;
}

RRPOLICY_EXPORT void
inform_super(struct module_qstate* ATTR_UNUSED(qstate), int ATTR_UNUSED(id),
	struct module_qstate* ATTR_UNUSED(super))
{
	/* rrpolicy starts no subqueries */
}

RRPOLICY_EXPORT void
clear(struct module_qstate* qstate, int id)
{
	/* the per-query state lives in the query's region */
	if(qstate)
		qstate->minfo[id] = NULL;
}

RRPOLICY_EXPORT size_t
get_mem(struct module_env* env, int id)
{
	struct rrpolicy_env* pe = get_env(env, id);
	size_t mem;
	int token;
	if(!pe)
		return 0;
	token = rules_read_begin(&pe->rules, worker_num(env));
	mem = sizeof(*pe) + sizeof(*pe->snap) + policy_table_mem(pe->snap->table) +
		policy_table_mem(pe->snap->targets) +
		prefix_table_mem(pe->snap->addrs);
	rules_read_end(&pe->rules, token);
	return mem + hitlog_mem(__atomic_load_n(&pe->hits, __ATOMIC_ACQUIRE)) +
		mailhost_set_mem(__atomic_load_n(&pe->mailhosts, __ATOMIC_ACQUIRE));
}
