/**
 * \file cache_sweep.h
 * Invalidation of exactly the cached data that a change of policy affects,
 * so that an edit applies at once while the rest of the cache stays warm.
 */
#ifndef RRPOLICY_CACHE_SWEEP_H
#define RRPOLICY_CACHE_SWEEP_H
#include <stddef.h>
struct module_env;
struct policy_snapshot;
struct policy_table;

/**
 * Remove the cached messages and RRsets that a new, changed or removed rule
 * covers: real answers a block now covers or an exception no longer lets
 * through, blocked answers the module stored (answer_cache_store) for a rule
 * that went or under a new exception. A rule is new (removed) when `before`
 * (`after`) has no identical rule (same id, name, type, action, expiry);
 * `before` NULL means every rule of `after` is new (first load, or a reload
 * that kept Unbound's cache). When the settings changed, every stored
 * blocked answer goes (they hold its TTL and SOA). Rules of one
 * exact name and type are removed by key, with the negative answers' SOAs
 * at and above the name (a CNAME chain's NODATA or NXDOMAIN at the name
 * holds one); "*." rules and type '*' rules walk the caches, like
 * `unbound-control flush_zone`, and find those chains by their CNAME's
 * target. When there are target
 * or answer-ip rules, the RRset cache is walked for every RRset they block.
 * Safe to call from any thread: it takes the caches' own locks.
 * @param env: the module environment (for the caches).
 * @param after: the rules now in use.
 * @param before: the rules used until now, or NULL.
 * @return the number of keys removed (rules of one name and type, whether
 *	cached or not) or of entries the walk found.
 */
size_t cache_sweep(struct module_env* env, const struct policy_snapshot* after,
	const struct policy_snapshot* before);

/**
 * The same for rules just added to the table in use: they are the new ones.
 * @param env: the module environment (for the caches).
 * @param after: the table now in use, the rules of added among its own.
 * @param added: the rules added.
 * @return as cache_sweep.
 */
size_t cache_sweep_added(struct module_env* env,
	const struct policy_table* after, const struct policy_table* added);

#endif /* RRPOLICY_CACHE_SWEEP_H */
