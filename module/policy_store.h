/**
 * \file policy_store.h
 * The SQLite side of the policy: open (or create) the database, read the
 * settings and build a policy table from the policy rows.
 * Runs at module init only, never in a worker's query path.
 */
#ifndef RRPOLICY_POLICY_STORE_H
#define RRPOLICY_POLICY_STORE_H
#include <stddef.h>
#include <stdint.h>
#include "dname_text.h"
struct policy_snapshot;
struct policy_table;
struct sqlite3;

/** Schema version this module reads and writes (PRAGMA user_version).
 * Older versions are migrated to it when the database is opened. */
#define POLICY_SCHEMA_VERSION 6

/** The module's settings, from table setting (defaults when absent). */
struct policy_settings {
	/** TTL of synthesized answers and SOA minimum */
	uint32_t negative_ttl;
	/** SOA MNAME of synthesized negative answers, wire format */
	uint8_t soa_mname[DNAME_WIRE_MAX];
	/** its length */
	size_t soa_mname_len;
	/** SOA RNAME, wire format */
	uint8_t soa_rname[DNAME_WIRE_MAX];
	/** its length */
	size_t soa_rname_len;
	/** hits in table hit: 0 none, 1 a row per hit, 2 counted per minute */
	int hit_log;
	/** days of hits kept, 0 = forever */
	int hit_retention_days;
	/** hits held in memory waiting for the writer */
	size_t hit_queue_size;
	/** how often the module looks for committed changes, 0 = never */
	int poll_interval_ms;
	/** most names in the set of recent MX exchanges (scope mailhost) */
	size_t mailhost_max;
	/** seconds a name stays in that set after it was last seen */
	int mailhost_ttl;
};

/** Most skipped rows remembered (and written to table skipped) per load. */
#define POLICY_SKIPPED_MAX 1000

/** A policy row a load could not use. */
struct policy_skipped {
	/** policy.id */
	int64_t id;
	/** why (static text) */
	const char* reason;
};

/** What a load found, for the log and the status. */
struct policy_load_stats {
	/** rows read */
	size_t rows;
	/** rules loaded */
	size_t rules;
	/** rows skipped (disabled, expired or malformed) */
	size_t disabled, expired, malformed;
	/** milliseconds the load took */
	double ms;
	/** revision.policy the rules are from */
	int64_t revision;
	/** revision.history of the database they are from */
	int64_t history;
	/** revision.stamp when they were read */
	int64_t stamp;
	/** highest policy.id read, INT64_MIN if none */
	int64_t max_id;
	/** rows this load read: all of them, or only those added since the
	 * load it started from */
	size_t read;
	/** whether the load read only the rows added since the last one */
	int only_added;
	/** whether the load read only the rows of the ids in the change log
	 * since the last one (struct policy_changes) */
	int only_changed;
	/** policy_change.seq of the last change the rules include */
	int64_t change_seq;
	/** the last change the log held up to change_seq (change_seq itself
	 * unless its row was deleted by hand), and its policy_change.tag, when
	 * change_tagged */
	int64_t tag_seq, change_tag;
	/** whether the log held such a change */
	int change_tagged;
	/** the first malformed rows */
	struct policy_skipped skipped[POLICY_SKIPPED_MAX];
	/** how many of them */
	size_t nskipped;
};

/** Most changes since the last load that are read one by one; more, and
 * every row is read. */
#define POLICY_CHANGES_MAX 65536

/** The ids of the rows changed since the last load, read from the change
 * log by a load that read only those rows. */
struct policy_changes {
	/** ascending, each once; malloc'ed */
	int64_t* ids;
	/** how many */
	size_t n;
};

/**
 * Open the database at path, creating it with the schema when it does not
 * exist or is empty and may_create; WAL mode. A database of an older schema
 * version is migrated to POLICY_SCHEMA_VERSION in one transaction (when
 * that fails, the open fails and the file is left as it was). Refuses a
 * schema version it does not know, and a file of no version (user_version
 * 0) with tables, which an operator's sqlite3 is still making: nothing is
 * written to either.
 * @param path: file name.
 * @param may_create: whether to create the schema in an empty file; else
 *	it is refused as one whose schema is still to come.
 * @param err: buffer for the reason of a failure.
 * @param errlen: its size.
 * @return the connection, or NULL on failure (err says why).
 */
struct sqlite3* policy_store_open(const char* path, int may_create, char* err,
	size_t errlen);

/**
 * Read the settings and the policy rows, in one read transaction, into the
 * tables of a new snapshot: qname rules, target rules and answer-ip rules
 * (the last two stay NULL when there are none). Malformed rows are skipped
 * with a log line naming their id.
 * When every change since the load of base was an insert of a row with a
 * higher id than any before (the revision moved by as much as the row count
 * did, and as many rows have such an id), only those rows are read, and the
 * snapshot holds only their rules (stats->only_added is set): the caller
 * adds them to base. A rule added to a large policy applies in milliseconds.
 * Else, when something was committed since the load of base, the change log
 * (table policy_change) still holds every change since and there are at
 * most POLICY_CHANGES_MAX of them,
 * only the rows of the changed ids are read (stats->only_changed is set):
 * the snapshot holds their rules, changes the ids (an id without a rule
 * was deleted, disabled, expired or is malformed), and the caller replaces
 * the rules of those ids in base with them. stats->rules then counts only
 * the rules read: policy_store_count_rules sets it once they are in place.
 * @param db: connection from policy_store_open.
 * @param base: the qname rules in use, or NULL to read every row.
 * @param snap: an empty snapshot, filled in.
 * @param stats: filled in; on entry, the stats of the load of base.
 * @param changes: filled in when stats->only_changed is set (free ids),
 *	else emptied.
 * @param err: buffer for the reason of a failure.
 * @param errlen: its size.
 * @return 0 on success, -1 on failure (the snapshot is left empty).
 */
int policy_store_load(struct sqlite3* db, const struct policy_table* base,
	struct policy_snapshot* snap, struct policy_load_stats* stats,
	struct policy_changes* changes, char* err, size_t errlen);

/**
 * Set the rule counts of a load that read only the changed rows, once its
 * rules replaced those of the changed ids: rules from the table, and the
 * rows that are no rule split between expired (at most as many as before
 * plus those read) and disabled (the rest), since what a changed row was
 * before is not known.
 * @param stats: of that load.
 * @param rules: the rules now in use.
 */
void policy_store_count_rules(struct policy_load_stats* stats, size_t rules);

/** Set every setting to its default. */
void policy_store_defaults(struct policy_settings* s);

/**
 * The schema version of the database (PRAGMA user_version), cheap to poll.
 * @return it, or -1 on a database error.
 */
long long policy_store_version(struct sqlite3* db);

/**
 * The revision of the committed policy (revision.policy), cheap to poll.
 * @return it, or -1 on a database error.
 */
int64_t policy_store_revision(struct sqlite3* db);

/**
 * Whether the database still holds what the load of stats read: the same
 * database (revision.history, drawn when it was made), the last change that
 * load saw in the change log with the same tag (a pruned log counts as the
 * same), and the same revision.stamp, a random number drawn at every
 * change. A database put in place with sqlite3's .restore, in the same file,
 * may be another one, or a copy edited on its own that logged other changes
 * under the same seqs and revisions, or reached the revision in use by
 * other changes (a change of a setting logs no tag).
 * @param db: connection from policy_store_open.
 * @param stats: of that load.
 * @return 1 if it does, 0 if not, -1 on a database error.
 */
int policy_store_same_state(struct sqlite3* db,
	const struct policy_load_stats* stats);

/**
 * Read the random numbers of the revision row, which tell a database from
 * another of the same revision: revision.history, drawn when the database
 * was made, and revision.stamp, drawn at every change.
 * @param db: connection.
 * @param history: output.
 * @param stamp: output.
 * @return 0 on success, -1 on a database error.
 */
int policy_store_marks(struct sqlite3* db, int64_t* history, int64_t* stamp);

/**
 * Record in table module_status (and skipped) what the module loaded, or the
 * error that keeps it from loading, and its hit counters. Waits for the
 * write lock as long as busy says: an operator may hold it (SQLITE_BUSY
 * then; write it later).
 * @param db: connection.
 * @param stats: the last successful load, or NULL to update only the error
 *	and counters.
 * @param error: why the database cannot be used, or NULL.
 * @param hits_written: hits written so far.
 * @param hits_dropped: hits dropped so far.
 * @param busy: SQLite busy handler while the write lock is taken, NULL to
 *	wait not at all.
 * @param busy_arg: its argument.
 * @return 0 on success, else the SQLite error code (or -1).
 */
int policy_store_status(struct sqlite3* db, const struct policy_load_stats* stats,
	const char* error, uint64_t hits_written, uint64_t hits_dropped,
	int (*busy)(void*, int), void* busy_arg);

/** The SQL text of schema/schema.sql (generated file schema_sql.c). */
extern const char rrpolicy_schema_sql[];

/** The SQL text of schema/migrate-1-to-2.sql (generated file
 * migrate_1_to_2_sql.c). */
extern const char rrpolicy_migrate_1_to_2_sql[];

/** The SQL text of schema/migrate-2-to-3.sql (generated file
 * migrate_2_to_3_sql.c). */
extern const char rrpolicy_migrate_2_to_3_sql[];

/** The SQL text of schema/migrate-3-to-4.sql (generated file
 * migrate_3_to_4_sql.c). */
extern const char rrpolicy_migrate_3_to_4_sql[];

/** The SQL text of schema/migrate-4-to-5.sql (generated file
 * migrate_4_to_5_sql.c). */
extern const char rrpolicy_migrate_4_to_5_sql[];

/** The SQL text of schema/migrate-5-to-6.sql (generated file
 * migrate_5_to_6_sql.c). */
extern const char rrpolicy_migrate_5_to_6_sql[];

#endif /* RRPOLICY_POLICY_STORE_H */
