/**
 * \file policy_table.h
 * The in-memory policy table: every enabled rule of the database, indexed by
 * owner name for lookups by (qname, qtype) from any worker thread.
 *
 * A table is built once by one thread and is read-only afterwards, so any
 * number of workers read it at once (the module's read lock keeps it from
 * being freed under them). The one exception: policy_table_add_all adds a
 * few rules to a table in use, while its caller holds the write lock.
 */
#ifndef RRPOLICY_POLICY_TABLE_H
#define RRPOLICY_POLICY_TABLE_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/** What a rule answers. 'block' is resolved at load to the concrete action. */
enum policy_action {
	/** null MX of RFC 7505: "MX 0 ." */
	PA_NULLMX = 0,
	/** NOERROR, no data, SOA in authority */
	PA_NODATA,
	/** NXDOMAIN, SOA in authority */
	PA_NXDOMAIN,
	/** REFUSED */
	PA_REFUSED,
	/** SERVFAIL */
	PA_SERVFAIL,
	/** no answer at all */
	PA_DROP,
	/** answer normally, record the hit */
	PA_LOG,
	/** exception: answer normally, beats broader rules */
	PA_ALLOW,
	/** answer normally if the answer validated as secure, else SERVFAIL */
	PA_REQUIRE_SECURE,
	/** 'block' of a target rule: remove the records whose target matches */
	PA_STRIP,
	/** number of actions */
	PA_COUNT
};

/** The action names, as written in policy.action and hit.action. */
extern const char* const policy_action_names[PA_COUNT];

/** Flag of an answer-ip rule with scope 'mailhost': it applies only to
 * names this resolver has recently seen as the exchange of an MX answer. */
#define POLICY_FLAG_MAILHOST 0x01

/** Type code of a rule that covers every type ('*'). Never a real qtype. */
#define POLICY_TYPE_ALL 0

/** One rule, as loaded from a policy row. */
struct policy_rule {
	/** policy.id */
	int64_t id;
	/** expiry time (seconds since the epoch), 0 for never */
	int64_t expires;
	/** next rule of the same node and kind, or POLICY_NONE */
	uint32_t next;
	/** RR type, or POLICY_TYPE_ALL */
	uint16_t type;
	/** enum policy_action */
	uint8_t action;
	/** POLICY_FLAG_* */
	uint8_t flags;
};

/** No rule / no node. */
#define POLICY_NONE UINT32_MAX

struct policy_table;

/**
 * Create an empty table.
 * @param expected: number of rules expected, to size the index; 0 is fine.
 * @return new table or NULL on malloc failure.
 */
struct policy_table* policy_table_create(size_t expected);

/**
 * Copy a table, with room for more rules: the start of a table that adds
 * rules to one in use (which stays read-only).
 * @param t: table.
 * @param extra: number of rules about to be added.
 * @return new table or NULL on malloc failure.
 */
struct policy_table* policy_table_copy(const struct policy_table* t,
	size_t extra);

/**
 * Whether policy_table_add_all(t, more) fits in the room t has: no array
 * grows or moves and the index is not rebuilt, so it takes microseconds
 * (more has at most POLICY_ADD_IN_PLACE_MAX rules).
 * @param t: table.
 * @param more: the rules to add.
 * @return 1 if so, else 0.
 */
int policy_table_has_room(const struct policy_table* t,
	const struct policy_table* more);

/** Most rules policy_table_has_room accepts: the time a write lock is held. */
#define POLICY_ADD_IN_PLACE_MAX 1024

/**
 * Add every rule of more to t, in the order they were added to more.
 * @param t: table.
 * @param more: the rules to add.
 * @return 0 on success, -1 on malloc failure (t then has some of them).
 */
int policy_table_add_all(struct policy_table* t,
	const struct policy_table* more);

/**
 * A new table: the rules of t but those whose id is listed, and every rule
 * of more (rules re-read for some of those ids), without touching t
 * (workers may be reading it). When t and more are in ascending id order,
 * so is the result. policy_table_diff(t, result) then compares only the
 * rules of the listed ids. Nodes left without rules stay in the index.
 * @param t: table; one rule per id.
 * @param ids: ascending ids, each once.
 * @param nids: how many.
 * @param more: the new rules of those ids (others are added too, but the
 *	diff does not see them unless listed).
 * @return new table, or NULL on malloc failure.
 */
struct policy_table* policy_table_replace(const struct policy_table* t,
	const int64_t* ids, size_t nids, const struct policy_table* more);

/** Free a table. NULL is fine. */
void policy_table_delete(struct policy_table* t);

/**
 * Add a rule.
 * @param t: table.
 * @param name: lowercase wire name (without the "*." for a subtree rule).
 * @param namelen: its length.
 * @param below: 1 for a "*." rule (names strictly below name), 0 for name itself.
 * @param rule: the rule; its next field is ignored.
 * @return 0 on success, -1 on malloc failure.
 */
int policy_table_add(struct policy_table* t, const uint8_t* name,
	size_t namelen, int below, const struct policy_rule* rule);

/**
 * Find the rule that applies to (qname, qtype) at time now.
 * Precedence: the exact name beats a "*." rule, a longer "*." rule beats a
 * shorter one, a named type beats '*', and at equal specificity allow beats
 * every other action (then the lowest id wins). Expired rules are skipped.
 * @param t: table (may be NULL: no rules).
 * @param qname: lowercase wire name.
 * @param qtype: query type.
 * @param now: current time.
 * @param apex: if not NULL, set to the owner name of the matching rule
 *	(the name itself, or the name under "*.") inside qname.
 * @return the rule, or NULL when no rule applies.
 */
const struct policy_rule* policy_table_lookup(const struct policy_table* t,
	const uint8_t* qname, uint16_t qtype, time_t now, const uint8_t** apex);

/**
 * The rule that wins among the rules of a list for an RR type: a named type
 * beats '*', allow beats every other action, then the lowest id. Expired
 * rules are skipped, and so are mailhost rules unless mailhost is set.
 * @param rules: the rule array the list lives in.
 * @param head: index of the first rule of the list, or POLICY_NONE.
 * @param type: RR type.
 * @param now: current time.
 * @param mailhost: whether rules flagged POLICY_FLAG_MAILHOST apply.
 * @return the rule, or NULL.
 */
const struct policy_rule* policy_rule_pick(const struct policy_rule* rules,
	uint32_t head, uint16_t type, time_t now, int mailhost);

/** Called for each rule of a table by policy_table_walk. */
typedef void policy_walk_func(const uint8_t* name, int below,
	const struct policy_rule* rule, void* arg);

/** Call fn for every rule of the table (NULL: none). */
void policy_table_walk(const struct policy_table* t, policy_walk_func* fn,
	void* arg);

/** Called by policy_table_diff for each rule only one table has: added is 1
 * for a rule of the new table, 0 for a rule of the old one. */
typedef void policy_diff_func(const uint8_t* name, int below,
	const struct policy_rule* rule, int added, void* arg);

/**
 * Compare two tables rule by rule, in one pass over both (or none, when after
 * is a policy_table_copy of before with rules added, or a
 * policy_table_replace of rules of before: then only those rules are
 * compared): fn is called for
 * every rule of after that before does not hold identically (same id, type,
 * action, flags, expiry, name and kind), and for every rule of before that
 * after does not hold identically. A changed rule is both.
 * @param before: old table (NULL: none).
 * @param after: new table (NULL: none).
 * @param fn: callback.
 * @param arg: its argument.
 * @return 0, or -1 (nothing called) when a table's rules were not added in
 *	ascending id order: then compare with policy_table_walk and
 *	policy_table_has.
 */
int policy_table_diff(const struct policy_table* before,
	const struct policy_table* after, policy_diff_func* fn, void* arg);

/**
 * Whether the table holds a rule identical to rule (same id, type, action
 * and expiry) for the same name and kind.
 * @param t: table (NULL: no).
 * @param name: lowercase wire name.
 * @param below: 1 for a "*." rule.
 * @param rule: the rule looked for.
 * @return 1 if it does, else 0.
 */
int policy_table_has(const struct policy_table* t, const uint8_t* name,
	int below, const struct policy_rule* rule);

/** The earliest expiry of an allow rule, 0 if none expires. */
int64_t policy_table_allow_expiry(const struct policy_table* t);

/** The earliest expiry of a rule whose answer the query stage stores in the
 * cache (null MX, NODATA, NXDOMAIN), 0 if none expires. */
int64_t policy_table_stored_expiry(const struct policy_table* t);

/** Number of rules in the table. */
size_t policy_table_count(const struct policy_table* t);

/** Bytes of memory the table uses. */
size_t policy_table_mem(const struct policy_table* t);

#endif /* RRPOLICY_POLICY_TABLE_H */
