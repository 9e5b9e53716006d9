/**
 * \file hitlog.h
 * The hit log: every policy hit, queued by worker threads without waiting and
 * written by one writer process, in batched transactions, to table hit of the
 * policy database. No Unbound dependency (problems go to a log callback).
 */
#ifndef RRPOLICY_HITLOG_H
#define RRPOLICY_HITLOG_H
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/time.h>

struct hitlog;

/** Stage at which a rule fired. */
enum hitlog_stage { HITLOG_QUERY = 0, HITLOG_RESPONSE = 1 };

/** DNSSEC status of the answer a rule acted on, as in hit.dnssec. */
enum hitlog_dnssec {
	/** NULL: the query stage, nothing was fetched */
	HITLOG_DNSSEC_NONE = 0,
	/** 'secure' */
	HITLOG_DNSSEC_SECURE,
	/** 'insecure' */
	HITLOG_DNSSEC_INSECURE,
	/** 'bogus' */
	HITLOG_DNSSEC_BOGUS,
	/** 'indeterminate' */
	HITLOG_DNSSEC_INDETERMINATE
};

/** Log callback: level 0 error, 1 warning, 2 info; msg without newline. */
typedef void hitlog_log_func(int level, const char* msg);

/** Settings of the hit log. */
struct hitlog_config {
	/** database file (the policy database) */
	const char* path;
	/** capacity of the in-memory queue, in hits */
	size_t queue_size;
	/** days of hits kept, 0 = forever */
	int retention_days;
	/** nonzero: a row per client, name, type, rule, action, stage,
	 * DNSSEC status and minute, with a count (setting hit_log = 2);
	 * 0: a row per hit */
	int counts;
	/** where problems are reported */
	hitlog_log_func* log;
};

/**
 * Fork the writer process, which waits for hitlog_begin. Call it while the
 * process has one thread and no SQLite connection open: the writer is a
 * copy of the process, and SQLite's state of a connection open at the fork
 * would be shared with the copy's own.
 * @param log: where problems are reported, in either process.
 * @return the hit log, or NULL on failure (reported through log).
 */
struct hitlog* hitlog_spawn(hitlog_log_func* log);

/**
 * Give the writer its settings (cfg->log is not used: hitlog_spawn's is);
 * it opens its own connection. Once only.
 * @return 0 when the writer runs, -1 on failure (reported): then only
 * hitlog_stop is left to call.
 */
int hitlog_begin(struct hitlog* h, const struct hitlog_config* cfg);

/**
 * hitlog_spawn and hitlog_begin in one, for a program that has no SQLite
 * connection open.
 * @return the hit log, or NULL on failure (reported through cfg->log).
 */
struct hitlog* hitlog_start(const struct hitlog_config* cfg);

/**
 * Write everything queued, stop the writer process and wait for it to end;
 * hitlog_written and hitlog_dropped then give the final counts. NULL is
 * fine, and so is a second call.
 */
void hitlog_join(struct hitlog* h);

/**
 * Write everything queued, stop the writer process (if hitlog_join did
 * not), free all. NULL is fine.
 */
void hitlog_stop(struct hitlog* h);

/**
 * Make the writer close its connection, and wait until it has: the database
 * file is being replaced, and no connection may stay on the old one when
 * the new one is opened (SQLite finds the WAL by the path). Hits wait in the
 * queue meanwhile. NULL is fine.
 */
void hitlog_suspend(struct hitlog* h);

/**
 * Let the writer open the database again (the file now at its path) and go
 * on. NULL is fine.
 */
void hitlog_resume(struct hitlog* h);

/**
 * Queue one hit. Never blocks on the writer, SQLite or the disk; when the
 * queue is full the hit is counted as dropped.
 * @param h: hit log (NULL: nothing is done).
 * @param when: time of the answer.
 * @param addr: client address (AF_INET or AF_INET6).
 * @param addrlen: its length.
 * @param qname: query name, wire format.
 * @param qtype: query type code.
 * @param qtype_name: its mnemonic (static storage), or NULL for TYPEnnn.
 * @param policy_id: policy.id of the rule.
 * @param action: what was answered (static storage: "nullmx", "log", ...).
 * @param stage: HITLOG_QUERY or HITLOG_RESPONSE.
 * @param dnssec: validation status of the answer the rule acted on.
 * @param history: revision.history of the database the rule is from. The
 *	writer writes the hit only into that database: when the file at the
 *	path is another one by then (of another revision.history), the hit is
 *	given up with a log line, since its policy_id names no rule there.
 */
void hitlog_add(struct hitlog* h, const struct timeval* when,
	const struct sockaddr_storage* addr, socklen_t addrlen,
	const uint8_t* qname, uint16_t qtype, const char* qtype_name,
	int64_t policy_id, const char* action, enum hitlog_stage stage,
	enum hitlog_dnssec dnssec, int64_t history);

/** Hits dropped since start because the queue was full (0 for NULL). */
uint64_t hitlog_dropped(const struct hitlog* h);

/** Hits written to the database since start (0 for NULL); with counts,
 * the sum of the counts written. */
uint64_t hitlog_written(const struct hitlog* h);

/** Bytes of memory the hit log uses. */
size_t hitlog_mem(const struct hitlog* h);

#endif /* RRPOLICY_HITLOG_H */
