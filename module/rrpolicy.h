/**
 * \file rrpolicy.h
 * rrpolicy: per-record-type block policies from SQLite, as an Unbound dynlib
 * module. The module's global state and its per-query state.
 */
#ifndef RRPOLICY_RRPOLICY_H
#define RRPOLICY_RRPOLICY_H
#include <stdint.h>
#include "policy_store.h"
#include "rules_lock.h"
struct policy_table;
struct prefix_table;
struct policy_watch;
struct hitlog;
struct mailhost_set;
struct module_env;

/** One load of the database: the rules and the settings that came with
 * them. Never changed once published; replaced whole. */
struct policy_snapshot {
	/** the qname rules, by owner name (NULL: none) */
	struct policy_table* table;
	/** the target rules, by target name (NULL: none) */
	struct policy_table* targets;
	/** the answer-ip rules (NULL: none) */
	struct prefix_table* addrs;
	/** the settings */
	struct policy_settings settings;
	/** revision.history of the database the rules are from */
	int64_t history;
};

/** Global state, in ((struct dynlibmod_env*)env->modinfo[id])->dyn_env. */
struct rrpolicy_env {
	/** Workers hold it for reading while they use snap; the watcher holds
	 * it for writing only to swap the pointer, never while it loads. */
	struct rules_lock rules;
	/** the policy in use */
	struct policy_snapshot* snap;
	/** the thread that applies committed changes */
	struct policy_watch* watch;
	/** the hit log writer, NULL when hit logging is off or unavailable */
	struct hitlog* hits;
	/** names seen as MX exchanges, NULL until the first load */
	struct mailhost_set* mailhosts;
	/** the database file */
	char* db_path;
	/** the environment of init (configuration, caches) */
	struct module_env* env;
	/** bumped under the write lock each time the rules in use change (a
	 * new snapshot, rules added in place): two lookups under the same
	 * value see the same rules; read without the lock after the store of
	 * a blocked answer, whose rules may have changed meanwhile */
	uint64_t rules_gen;
	/** snap->history, set once the cache sweep after a new snapshot is
	 * done, read without the lock by the cache callback for the hits of
	 * the blocked answers it serves */
	int64_t history;
};

/** Free a snapshot (NULL is fine). */
void policy_snapshot_delete(struct policy_snapshot* snap);

/** Rules recorded as fired for one query in its state itself; more go to
 * an array in the query's region. */
#define RRPOLICY_FIRED_FIRST 4

/** A rule that fired for a query, logged once per client answered. */
struct rrpolicy_fired {
	/** policy.id */
	int64_t id;
	/** enum policy_action */
	uint8_t action;
	/** enum hitlog_stage */
	uint8_t stage;
	/** enum hitlog_dnssec of the answer the rule acted on */
	uint8_t dnssec;
	/** revision.history of the database the rule is from */
	int64_t history;
};

/** Per-query state, in qstate->minfo[id]. */
struct rrpolicy_qstate {
	/** the rules that fired: fired_first, or an array in the query's
	 * region once more fired (NULL until one fires) */
	struct rrpolicy_fired* fired;
	/** how many */
	int nfired;
	/** room in fired */
	int fired_cap;
	/** the first ones */
	struct rrpolicy_fired fired_first[RRPOLICY_FIRED_FIRST];
	/** EDE code of a SERVFAIL the module answered, 0 if none: Unbound
	 * drops the module's EDNS options from SERVFAIL replies, so the reply
	 * callback adds it again */
	uint8_t servfail_ede;
	/** the rule that SERVFAIL names */
	int64_t servfail_rule;
	/** a require-secure rule for the query (0: none), from the query
	 * stage: the answer must validate as secure */
	int64_t require_secure;
	/** whether the query stage found no qname rule for the query's name
	 * and type, in the rules of rules_gen norule_gen at time norule_now.
	 * While those are the rules in use and the time has not gone back,
	 * no RRset of that name and type has one (rules only expire), so the
	 * later stages do not look it up again. */
	int norule;
	/** the rules_gen of that lookup */
	uint64_t norule_gen;
	/** its time */
	time_t norule_now;
};

#endif /* RRPOLICY_RRPOLICY_H */
