/**
 * \file hit_groups.h
 * The hits of setting hit_log = 2, counted per group before they are
 * written: one group per client, name (lower case), type, rule, action,
 * stage, DNSSEC status and minute (and database, revision.history of the
 * rules), each the count of one row of table hit.
 * Used by the hit log's writer process only, so it takes no lock.
 */
#ifndef RRPOLICY_HIT_GROUPS_H
#define RRPOLICY_HIT_GROUPS_H
#include "hit_slot.h"
#include <stddef.h>
#include <stdint.h>

/** One group of hits: one row of table hit. */
struct hit_group {
	/** the group's first hit, its name in lower case (seq unused) */
	struct hitlog_slot first;
	/** minute of the group's hits, seconds since the epoch / 60 */
	int64_t minute;
	/** hit.id of the group's row, 0 if it has none yet */
	int64_t rowid;
	/** row the open transaction inserted for the group, 0 if none */
	int64_t new_rowid;
	/** hits of the group not yet in its row */
	uint64_t pending;
	/** hash of the group's key */
	uint32_t hash;
};

struct hit_groups;

/**
 * Create an empty set of groups.
 * @param max: most groups it holds, at least 1.
 * @return the set, or NULL on malloc failure.
 */
struct hit_groups* hit_groups_create(size_t max);

/** Free a set. NULL is fine. */
void hit_groups_delete(struct hit_groups* g);

/**
 * Count a hit in its group, which is made when it is the first.
 * @param g: the set.
 * @param s: the hit.
 * @return 0, or -1 if the hit needs a new group and the set is full (the
 *	hit is not counted).
 */
int hit_groups_add(struct hit_groups* g, const struct hitlog_slot* s);

/** Number of groups in the set. */
size_t hit_groups_count(const struct hit_groups* g);

/**
 * A group of the set, by index (in the order they were made).
 * @param g: the set.
 * @param i: 0 .. hit_groups_count - 1.
 * @return the group.
 */
struct hit_group* hit_groups_at(struct hit_groups* g, size_t i);

/**
 * Whether a group gets a row in a write of the rows of new groups (one that
 * adds no counts to rows): it has none yet, and it counts hits of the rules
 * of the database written.
 * @param gr: the group.
 * @param history: revision.history of the database written.
 * @return nonzero if it does.
 */
int hit_group_needs_row(const struct hit_group* gr, int64_t history);

/** Hits counted and not yet written: the sum of every group's pending. */
uint64_t hit_groups_pending(const struct hit_groups* g);

/**
 * Count the groups with hits pending.
 * @param g: the set.
 * @param with_row: output, those of them that have a row.
 * @param without_row: output, those that have none.
 */
void hit_groups_unwritten(const struct hit_groups* g, size_t* with_row,
	size_t* without_row);

/**
 * After a commit: the pending hits of the groups the transaction wrote are
 * written, and a row a group got in it is its row from now on.
 * @param g: the set.
 * @param skipped: hits of pending not written (refused by the database, or
 *	given up).
 * @param with_rows: nonzero if the transaction wrote every group (added
 *	the counts of those with a row, gave up those of another database);
 *	zero if only the groups without a row, of the rules of database
 *	history (inserted, or refused), and the others keep their hits
 *	pending.
 * @param history: revision.history of the database written.
 * @return hits written.
 */
uint64_t hit_groups_committed(struct hit_groups* g, uint64_t skipped,
	int with_rows, int64_t history);

/** After a rollback: forget the rows the transaction inserted. */
void hit_groups_rolled_back(struct hit_groups* g);

/**
 * The database was opened anew (a file replaced at its path): no group has
 * a row in it, their next hits go into new rows.
 * @param g: the set.
 */
void hit_groups_forget_rows(struct hit_groups* g);

/**
 * Forget the groups that have nothing pending and either are of a minute
 * before the one before the latest minute of the groups made since the last
 * prune (so that a hit queued at the end of a minute still joins its row
 * when it arrives after the next minute's first) or after the one after it
 * (the clock stepped back: their minute is not counting any more), or, when
 * the set is over three quarters full or a group could not be added, of any
 * minute; later hits of theirs start new rows. When no group was made since
 * the last prune, only the latter go.
 * @param g: the set.
 * @param full: nonzero if a group could not be added (the set is full, or
 *	out of memory).
 */
void hit_groups_prune(struct hit_groups* g, int full);

/** Bytes of memory the set uses. */
size_t hit_groups_mem(const struct hit_groups* g);

#endif /* RRPOLICY_HIT_GROUPS_H */
