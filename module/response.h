/**
 * \file response.h
 * The response stage: the rules applied to every RRset of a validated answer,
 * so that what the query name does not show (a CNAME to a blocked name, a
 * blocked RRset in an ANY answer or in the additional section) is caught.
 */
#ifndef RRPOLICY_RESPONSE_H
#define RRPOLICY_RESPONSE_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>
struct module_qstate;
struct policy_snapshot;
struct policy_rule;
struct mailhost_set;
struct reply_info;
struct query_info;

struct module_env;
struct ub_packed_rrset_key;

/** The blocked RRsets response_filter found, for response_uncache to remove
 * from the RRset cache once the caller has released the rules' lock: no
 * cache lock is taken under it, since a worker that answers from the cache
 * holds the cache's locks when it takes that lock (cache_cb). */
struct response_uncache {
	/** the RRsets, in the query's region; NULL while there are none */
	struct ub_packed_rrset_key** rrsets;
	/** how many */
	size_t n;
};

/** Called for each rule that fires on the answer (log rules included). */
typedef void response_fired_func(struct module_qstate* qstate,
	const struct policy_rule* rule, void* arg);

/**
 * Apply the rules to qstate->return_msg after validation: qname rules by the
 * owner of each RRset, target rules by the targets in its records, answer-ip
 * rules by its addresses, require-secure by the answer's DNSSEC status.
 * A bogus answer is filtered too but stays bogus (SERVFAIL for validating
 * clients; clients that set CD get it filtered); an rcode-only action on it
 * answers SERVFAIL. When a blocking rule fires, the answer is rewritten in
 * qstate->region and never marked secure, and the blocked RRsets are noted
 * in uncache. The exchanges of MX answers are noted in the mailhost set.
 * @param qstate: the query, at module_event_moddone.
 * @param snap: the rules and settings.
 * @param mailhosts: the mailhost set, or NULL.
 * @param require_secure: id of a require-secure rule the query stage found
 *	for the query, 0 if none.
 * @param norule: a name and type known to have no qname rule in snap (the
 *	query's, when the query stage found none), or NULL: the RRsets of that
 *	name (the same octets) and type are not looked up.
 * @param fired: called for every rule that fired.
 * @param arg: passed to fired.
 * @param ede_rule: set to the id of the rule the Extended DNS Error should
 *	name (the one that changed the answer section), 0 for none.
 * @param uncache: empty ({NULL, 0}); gets the blocked RRsets.
 * @return 1 if the answer was changed, 0 if not, -1 on allocation failure.
 */
int response_filter(struct module_qstate* qstate,
	const struct policy_snapshot* snap, struct mailhost_set* mailhosts,
	int64_t require_secure, const struct query_info* norule,
	response_fired_func* fired, void* arg, int64_t* ede_rule,
	struct response_uncache* uncache);

/**
 * Remove the RRsets response_filter noted from the RRset cache, which also
 * invalidates every cached message that holds them. Call it without the
 * rules' lock.
 * @param env: the module environment.
 * @param uncache: what response_filter noted.
 */
void response_uncache(struct module_env* env,
	const struct response_uncache* uncache);

/**
 * Whether a blocking rule covers an RRset of the answer or additional
 * section of a reply (an upstream response, before the iterator stores it),
 * by its owner, its targets or its addresses (mailhost rules count for every
 * owner).
 * @param snap: the rules.
 * @param rep: the reply.
 * @param now: the time.
 * @param norule: a name and type known to have no qname rule in snap, or
 *	NULL, as for response_filter.
 * @return 1 if so, else 0.
 */
int response_has_blocked(const struct policy_snapshot* snap,
	const struct reply_info* rep, time_t now,
	const struct query_info* norule);

#endif /* RRPOLICY_RESPONSE_H */
