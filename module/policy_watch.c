/**
 * \file policy_watch.c
 * The policy loader and watcher. Workers never wait for a load: the new
 * table is built here, and the write lock is taken only to swap a pointer.
 */
#include "config.h"
#include "policy_watch.h"
#include "cache_sweep.h"
#include "clock_ms.h"
#include "hitlog.h"
#include "mailhost.h"
#include "policy_store.h"
#include "policy_table.h"
#include "prefix_table.h"
#include "rrpolicy.h"
#include "util/log.h"
#include "util/config_file.h"
#include "util/module.h"
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/** Retry interval while the database cannot be used and polling is off. */
#define WATCH_RETRY_MS 5000
/** How often the hit counters in module_status are refreshed. */
#define WATCH_STATUS_MS 5000
/** The watcher thread's longest wait for the write lock to write
 * module_status: the hit writer holds it for milliseconds at a time. */
#define WATCH_STATUS_WAIT_MS 200
/** Longest poll interval while a load's status is still to be written. */
#define WATCH_STATUS_RETRY_MS 1000
/** Longest wait before a failed load of an unchanged database is tried
 * again: the wait doubles from the poll interval after each failure. */
#define WATCH_BACKOFF_MAX_MS 30000

/** The watcher. */
struct policy_watch {
	/** the module's state */
	struct rrpolicy_env* pe;
	/** the module environment */
	struct module_env* env;
	/** the configuration's serve-expired, read at start: on a reload,
	 * Unbound frees the configuration before it stops the module */
	int serve_expired;
	/** the watcher's own connection, NULL while the database is unusable */
	sqlite3* db;
	/** the file that connection has open: a file moved into place at the
	 * database's path is opened anew */
	dev_t dev;
	/** its inode */
	ino_t ino;
	/** the -wal and -shm files of that file (st_ino 0 until they exist),
	 * removed when it is moved away or deleted (stale_wal_remove) */
	struct stat wal, shm;
	/** revision of the rules in use, -1 when a load is due */
	int64_t loaded;
	/** whether a load ever succeeded */
	int ever_loaded;
	/** the settings of the first load, those read at start only in use */
	struct policy_settings started;
	/** the last error reported, "" if none */
	char error[512];
	/** after a failed load, the wait before the next try while the
	 * database stays as it was (revision and file), 0 if none failed */
	int backoff_ms;
	/** the revision whose load failed */
	int64_t failed_rev;
	/** and its history and stamp (a database put in place with .restore,
	 * of the same revision, is another) */
	int64_t failed_history, failed_stamp;
	/** whether they could be read */
	int failed_marks;
	/** when to try it again (CLOCK_MONOTONIC, ms) */
	int64_t retry_at;
	/** whether a load is under way, for the error messages */
	int loading;
	/** the hit writer process, forked at start, until the first good load
	 * gives it its settings (start_hitlog) */
	struct hitlog* writer;
	/** whether the hit writer is suspended until a database is open */
	int writer_held;
	/** the last load, for the status and the next load */
	struct policy_load_stats* stats;
	/** where a load writes its stats, swapped with stats on success */
	struct policy_load_stats* next;
	/** when the status was last written */
	time_t status_at;
	/** whether the last load's status is still to be written */
	int status_load_due;
	/** whether the last status write found the write lock taken */
	int status_locked;
	/** whether a status write may wait for the write lock: only in the
	 * watcher thread, which Unbound's main thread does not wait for (but
	 * as it stops the thread: stop ends the wait) */
	int status_waits;
	/** the thread */
	pthread_t thread;
	/** whether the thread runs */
	int running;
	/** guards stop and the wakeup */
	pthread_mutex_t mu;
	/** signalled to stop */
	pthread_cond_t cv;
	/** set to stop the thread */
	int stop;
};

void
policy_snapshot_delete(struct policy_snapshot* snap)
{
	if(!snap)
		return;
	policy_table_delete(snap->table);
	policy_table_delete(snap->targets);
	prefix_table_delete(snap->addrs);
	free(snap);
}

/** The interval of the tries while the database cannot be used: the poll
 * interval, at most WATCH_RETRY_MS. */
static int
retry_ms(struct policy_watch* w)
{
	int ms = w->pe->snap->settings.poll_interval_ms;
	return ms <= 0 || ms > WATCH_RETRY_MS ? WATCH_RETRY_MS : ms;
}

/** The poll interval in ms: the setting, or the retry interval. */
static int
watch_interval(struct policy_watch* w)
{
	int ms = w->error[0] ? retry_ms(w) :
		w->pe->snap->settings.poll_interval_ms;
	/* while polling, "is my rule live?" is answered soon after an
	 * operator's lock is gone */
	return ms > WATCH_STATUS_RETRY_MS && w->status_load_due &&
		w->status_locked ? WATCH_STATUS_RETRY_MS : ms;
}

/** Busy handler of the watcher thread's status write: waits up to
 * WATCH_STATUS_WAIT_MS for the write lock, and no longer once the thread
 * is told to stop (Unbound's main thread waits for it then). */
static int
status_busy_wait(void* arg, int tries)
{
	struct policy_watch* w = (struct policy_watch*)arg;
	if(tries >= WATCH_STATUS_WAIT_MS / 5 ||
		__atomic_load_n(&w->stop, __ATOMIC_RELAXED))
		return 0;
	usleep(5000);
	return 1;
}

/** Write module_status; failures only cost the status. The watcher thread
 * waits a little for the write lock; Unbound's main thread, which starts and
 * stops the module and answers nothing meanwhile, does not wait. */
static void
write_status(struct policy_watch* w, int with_load)
{
	int rc;
	if(!w->db)
		return;
	with_load |= w->status_load_due;
	rc = policy_store_status(w->db, with_load ? w->stats : NULL,
		w->error[0] ? w->error : NULL, hitlog_written(w->pe->hits),
		hitlog_dropped(w->pe->hits),
		w->status_waits ? status_busy_wait : NULL, w);
	/* a load's status not written (the database locked, say) is
	 * written by the next poll: the status view compares its revision */
	w->status_load_due = rc != 0 && with_load;
	w->status_locked = rc > 0 && ((rc & 0xff) == SQLITE_BUSY ||
		(rc & 0xff) == SQLITE_LOCKED);
	if(rc != 0 && (rc & 0xff) != SQLITE_BUSY)
		verbose(VERB_OPS, "rrpolicy: cannot write module_status: %s",
			rc > 0 ? sqlite3_errstr(rc) : "error");
	w->status_at = time(NULL);
}

/** Report that the database cannot be used: logged once per cause. */
static void
watch_error(struct policy_watch* w, const char* err)
{
	if(strcmp(err, w->error) != 0) {
		size_t n = policy_table_count(w->pe->snap->table);
		log_err("rrpolicy: %s: %s; retrying %s%d ms%s", err,
			!w->ever_loaded ? "NO POLICY IS APPLIED" : n ?
			"keeping the rules loaded before" : "no rules applied",
			w->loading ? "at the next change to the database, else "
			"in " : "every ", retry_ms(w),
			w->loading ? " and then less and less often" : "");
		snprintf(w->error, sizeof(w->error), "%s", err);
	}
	write_status(w, 0);
}

/** Hit log problems go to Unbound's log. */
static void
hitlog_to_unbound_log(int level, const char* msg)
{
	if(level == 0)
		log_err("rrpolicy: %s", msg);
	else if(level == 1)
		log_warn("rrpolicy: %s", msg);
	else	verbose(VERB_OPS, "rrpolicy: %s", msg);
}

/** Start the hit writer, as the settings of the first good load say. Not
 * before: the writer must not touch a database the module refused. */
static void
start_hitlog(struct policy_watch* w)
{
	struct hitlog_config hc;
	struct hitlog* h = w->writer;
	w->writer = NULL;
	if(!w->pe->snap->settings.hit_log || !h) {
		/* no hit log, or no writer process (reported) */
		hitlog_stop(h);
		return;
	}
	memset(&hc, 0, sizeof(hc));
	hc.path = w->pe->db_path;
	hc.queue_size = w->pe->snap->settings.hit_queue_size;
	hc.retention_days = w->pe->snap->settings.hit_retention_days;
	hc.counts = (w->pe->snap->settings.hit_log == 2);
	if(hitlog_begin(h, &hc) != 0) {
		log_err("rrpolicy: hit logging is off: cannot start the writer");
		hitlog_stop(h);
		return;
	}
	/* workers read it without the lock, in the reply callbacks */
	__atomic_store_n(&w->pe->hits, h, __ATOMIC_RELEASE);
}

/** Log a setting read only at start that a load changed, unless to the
 * value in use. */
static void
note_start_setting(const char* key, long long in_use, long long was,
	long long now)
{
	if(now != was && now != in_use)
		log_warn("rrpolicy: setting %s is now %lld: the module uses %lld "
			"until the next unbound-control reload", key, now, in_use);
}

/** The hit log's and the mailhost set's settings are read at start only:
 * a load that changes one says so, since the status says live.
 * @param in_use: the settings at start.
 * @param was: those of the load before.
 * @param now: those of this load. */
static void
note_start_settings(const struct policy_settings* in_use,
	const struct policy_settings* was, const struct policy_settings* now)
{
	note_start_setting("hit_log", in_use->hit_log, was->hit_log,
		now->hit_log);
	note_start_setting("hit_retention_days", in_use->hit_retention_days,
		was->hit_retention_days, now->hit_retention_days);
	note_start_setting("hit_queue_size", (long long)in_use->hit_queue_size,
		(long long)was->hit_queue_size, (long long)now->hit_queue_size);
	note_start_setting("mailhost_max", (long long)in_use->mailhost_max,
		(long long)was->mailhost_max, (long long)now->mailhost_max);
	note_start_setting("mailhost_ttl", in_use->mailhost_ttl,
		was->mailhost_ttl, now->mailhost_ttl);
}

/** Create the mailhost set, as large as the first good load says. */
static void
start_mailhosts(struct policy_watch* w)
{
	struct mailhost_set* m = mailhost_set_create(
		w->pe->snap->settings.mailhost_max,
		w->pe->snap->settings.mailhost_ttl);
	if(!m)
		log_err("rrpolicy: out of memory for the mailhost set: mailhost "
			"rules do not apply");
	/* workers read it without the lock */
	__atomic_store_n(&w->pe->mailhosts, m, __ATOMIC_RELEASE);
}

/** Milliseconds from t0 to t1. */
static double
ms_between(const struct timespec* t0, const struct timespec* t1)
{
	return (double)(t1->tv_sec - t0->tv_sec) * 1e3 +
		(double)(t1->tv_nsec - t0->tv_nsec) / 1e6;
}

/** Log a load. The load time is the last "in N ms" of the line: the
 * benchmark reads it from there. */
static void
log_load(struct policy_watch* w, size_t swept, double sweep_ms,
	const char* how, double free_ms)
{
	log_info("rrpolicy %s: loaded %zu rules (revision %lld) from %s in %.1f "
		"ms (%zu rows: %zu disabled, %zu expired, %zu malformed); cache: "
		"%zu keys or entries removed (%.1f ms); %s %zu rows read%s, old "
		"rules freed (%.1f ms)", RRPOLICY_VERSION, w->stats->rules,
		(long long)w->stats->revision, w->pe->db_path, w->stats->ms,
		w->stats->rows, w->stats->disabled, w->stats->expired,
		w->stats->malformed, swept, sweep_ms,
		w->stats->only_added ? "only the added:" : w->stats->only_changed ?
		"only the changed:" : "all", w->stats->read, how, free_ms);
}

/** Add the rules of a load that read only the added rows to the table in
 * use, in place under the write lock when they fit in its room (no array
 * moves: microseconds), else in a copy. Returns 1 when added in place (more
 * is then deleted), 0 when snap->table is now the copy, -1 on failure. */
static int
watch_add(struct policy_watch* w, struct policy_snapshot* snap,
	struct policy_table* more)
{
	struct policy_table* in_use = w->pe->snap->table;
	struct policy_table* copy;
	int rc;
	/* the settings stay those of the snapshot in use: the same, unless a
	 * setting row was inserted (which does not move the revision) */
	if(memcmp(&snap->settings, &w->pe->snap->settings,
		sizeof(snap->settings)) == 0 &&
		policy_table_has_room(in_use, more)) {
		/* workers wait while at most a thousand rules are added to
		 * arrays that neither grow nor move: microseconds, as long as
		 * the swap of a pointer, and a transaction is seen whole */
		rules_write_begin(&w->pe->rules);
		rc = policy_table_add_all(in_use, more);
		__atomic_add_fetch(&w->pe->rules_gen, 1, __ATOMIC_RELEASE);
		rules_write_end(&w->pe->rules);
		if(rc != 0)
			return -1;
		return 1;
	}
	if(!(copy = policy_table_copy(in_use, policy_table_count(more))) ||
		policy_table_add_all(copy, more) != 0) {
		policy_table_delete(copy);
		return -1;
	}
	policy_table_delete(more);
	snap->table = copy;
	return 0;
}

/** One table of a load that read only the changed rows: the rules of in_use
 * but those of the changed ids, plus the rules read (*read, replaced by the
 * result; NULL when none were read). An empty result is kept when
 * keep_empty, else freed (NULL: no rules of that kind, as a full load
 * leaves it). 0 on success, -1 on malloc failure (*read is as it was). */
static int
replace_table(const struct policy_table* in_use, struct policy_table** read,
	const struct policy_changes* ch, int keep_empty)
{
	struct policy_table* none = NULL;
	struct policy_table* t;
	if(!in_use)
		return 0;	/* the rules read are all there is */
	if(!*read && !(none = policy_table_create(0)))
		return -1;
	t = policy_table_replace(in_use, ch->ids, ch->n, *read ? *read : none);
	policy_table_delete(none);
	if(!t)
		return -1;
	policy_table_delete(*read);
	*read = t;
	if(!keep_empty && !policy_table_count(t)) {
		policy_table_delete(t);
		*read = NULL;
	}
	return 0;
}

/** Make the qname and target rules of a load that read only the changed
 * rows into the rules in use but those of the changed ids, plus the rules
 * read: built aside, the workers keep the tables in use until the swap. 0
 * on success, -1 on malloc failure. */
static int
watch_replace(struct policy_watch* w, struct policy_snapshot* snap,
	const struct policy_changes* ch)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if(replace_table(w->pe->snap->table, &snap->table, ch, 1) != 0 ||
		replace_table(w->pe->snap->targets, &snap->targets, ch, 0) != 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	policy_store_count_rules(w->next, policy_table_count(snap->table) +
		policy_table_count(snap->targets));
	/* the load time is until the rules are ready */
	w->next->ms += ms_between(&t0, &t1);
	return 0;
}

/** Read the database into an empty snapshot, only the rows added or changed
 * since the last load when the database can tell which (into w->next;
 * w->stats stays that of the rules in use; ch gets the changed ids). Rows
 * added that way go into the qname table in use only; changed rows can be
 * qname or target rules. With answer-ip rules in use or read (the prefix
 * table has no removal), or target rules with rows added, every row is
 * read. 0 on success, else -1 with err set. */
static int
load_snapshot(struct policy_watch* w, struct policy_snapshot* snap,
	struct policy_changes* ch, char* err, size_t errlen)
{
	const struct policy_snapshot* in_use = w->pe->snap;
	const struct policy_table* base = w->loaded < 0 || !w->ever_loaded ||
		in_use->addrs ? NULL : in_use->table;
	memcpy(w->next, w->stats, sizeof(*w->next));
	if(policy_store_load(w->db, base, snap, w->next, ch, err, errlen) != 0)
		return -1;
	if((!w->next->only_added && !w->next->only_changed) || (!snap->addrs &&
		(w->next->only_changed || (!snap->targets && !in_use->targets))))
		return 0;
	policy_table_delete(snap->table);
	policy_table_delete(snap->targets);
	prefix_table_delete(snap->addrs);
	memset(snap, 0, sizeof(*snap));
	free(ch->ids);
	memcpy(w->next, w->stats, sizeof(*w->next));
	return policy_store_load(w->db, NULL, snap, w->next, ch, err, errlen);
}

/** Load the database into a new snapshot and put it in use. */
static void
watch_load(struct policy_watch* w)
{
	char err[512], how[64] = "";
	struct policy_snapshot* snap = calloc(1, sizeof(*snap));
	struct policy_snapshot* old;
	struct policy_load_stats* stats;
	struct policy_changes changes;
	struct timespec t0, t1, t2;
	size_t swept;
	int added;
	if(!snap) {
		watch_error(w, "out of memory for a new policy");
		return;
	}
	if(load_snapshot(w, snap, &changes, err, sizeof(err)) != 0) {
		free(snap);
		watch_error(w, err);
		return;
	}
	snap->history = w->next->history;
	if(w->next->only_changed) {
		int rc = watch_replace(w, snap, &changes);
		snprintf(how, sizeof(how), " (%zu ids changed)", changes.n);
		free(changes.ids);
		if(rc != 0) {
			/* the next poll reads every row */
			policy_snapshot_delete(snap);
			w->loaded = -1;
			watch_error(w, "out of memory for the changed rules");
			return;
		}
	}
	if(w->next->only_added &&
		(added = watch_add(w, snap, snap->table)) != 0) {
		if(added < 0) {
			/* the table in use may hold some of the rules: the
			 * next poll reads every row */
			policy_table_delete(snap->table);
			free(snap);
			w->loaded = -1;
			watch_error(w, "out of memory for the rules added");
			return;
		}
		stats = w->stats;
		w->stats = w->next;
		w->next = stats;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		swept = cache_sweep_added(w->env, w->pe->snap->table,
			snap->table);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		policy_table_delete(snap->table);
		free(snap);
		log_load(w, swept, ms_between(&t0, &t1), " (added in place)", 0);
	} else {
		stats = w->stats;
		w->stats = w->next;
		w->next = stats;
		/* the only moment a worker can wait: the swap of one pointer */
		rules_write_begin(&w->pe->rules);
		old = w->pe->snap;
		w->pe->snap = snap;
		__atomic_add_fetch(&w->pe->rules_gen, 1, __ATOMIC_RELEASE);
		rules_write_end(&w->pe->rules);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		swept = cache_sweep(w->env, snap, !w->ever_loaded ? NULL : old);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		/* the history the cache callback gives the hits of blocked
		 * answers from the cache, only once the sweep removed those
		 * of rules gone: after another database was put at the path,
		 * one served meanwhile is of the other database's rules, whose
		 * ids may name other rules in this one (its hit is given up) */
		__atomic_store_n(&w->pe->history, snap->history,
			__ATOMIC_RELAXED);
		if(w->ever_loaded)
			note_start_settings(&w->started, &old->settings,
				&snap->settings);
		policy_snapshot_delete(old);
		clock_gettime(CLOCK_MONOTONIC, &t2);
		log_load(w, swept, ms_between(&t0, &t1), how,
			ms_between(&t1, &t2));
	}
	if(w->error[0])
		log_info("rrpolicy: the database %s is usable again", w->pe->db_path);
	w->error[0] = 0;
	w->loaded = w->stats->revision;
	if(!w->ever_loaded) {
		start_mailhosts(w);
		w->started = w->pe->snap->settings;
	}
	/* the hit writer's first write (expired hits deleted) takes the write
	 * lock: at start, in Unbound's main thread, which does not wait for
	 * it, the status is written first (no query comes before); in the
	 * watcher thread, which waits, the writer starts first, since queries
	 * come meanwhile */
	if(!w->ever_loaded && w->status_waits)
		start_hitlog(w);
	write_status(w, 1);
	if(!w->ever_loaded && !w->status_waits)
		start_hitlog(w);
	w->ever_loaded = 1;
}

/** Whether a rule expired whose answers must go from the cache: an
 * exception's, of a qname, target or answer-ip rule (what it let through is
 * blocked now), or, with serve-expired,
 * a stored blocked answer's (its TTL ends with the rule, but serve-expired
 * answers from expired entries). A load of every row drops them, and the
 * sweep removes what they cover. */
static int
expiry_due(struct policy_watch* w)
{
	const struct policy_snapshot* snap = w->pe->snap;
	int64_t now = (int64_t)time(NULL), stored;
	int64_t allow[3];
	int i;
	/* the exceptions of qname, target and answer-ip rules */
	allow[0] = policy_table_allow_expiry(snap->table);
	allow[1] = policy_table_allow_expiry(snap->targets);
	allow[2] = prefix_table_allow_expiry(snap->addrs);
	for(i = 0; i < 3; i++)
		if(allow[i] && allow[i] <= now)
			return 1;
	stored = policy_table_stored_expiry(snap->table);
	return stored && stored <= now && w->serve_expired;
}

/** Note the -wal or -shm file at the database's path (zeroes if none). */
static void
wal_note(const char* db_path, const char* suffix, struct stat* st)
{
	char path[PATH_MAX];
	memset(st, 0, sizeof(*st));
	if(snprintf(path, sizeof(path), "%s%s", db_path, suffix) <
		(int)sizeof(path))
		(void)stat(path, st);
}

/** Remove the -wal or -shm file noted at the database's path if it is still
 * the same file: it belongs to the file moved away or deleted, which SQLite
 * neither checkpoints nor cleans up when it is closed, and a new file at
 * the path would take its pages for its own (a lost or corrupt database).
 * Called once every connection of the process to the old file is closed. */
static void
stale_wal_remove(const char* db_path, const char* suffix,
	const struct stat* noted)
{
	char path[PATH_MAX];
	struct stat st;
	if(!noted->st_ino || snprintf(path, sizeof(path), "%s%s", db_path,
		suffix) >= (int)sizeof(path) || stat(path, &st) != 0 ||
		st.st_dev != noted->st_dev || st.st_ino != noted->st_ino)
		return;
	if(unlink(path) == 0)
		verbose(VERB_OPS, "rrpolicy: removed %s, left by the file moved "
			"away or deleted", path);
	else	log_err("rrpolicy: cannot remove %s, left by the file moved "
		"away or deleted: %s", path, strerror(errno));
}

/** Close the watcher's connection to the file last opened, which was moved
 * away or deleted, and remove that file's -wal and -shm from the path
 * (stale_wal_remove). The caller has the hit log writer suspended or
 * stopped, so that no connection of the process stays on the old file. */
static void
leave_old_file(struct policy_watch* w)
{
	sqlite3_close(w->db);
	w->db = NULL;
	stale_wal_remove(w->pe->db_path, "-wal", &w->wal);
	stale_wal_remove(w->pe->db_path, "-shm", &w->shm);
	memset(&w->wal, 0, sizeof(w->wal));
	memset(&w->shm, 0, sizeof(w->shm));
}

/** After a load of revision rev: when it failed, the next try of the same
 * revision of the same file waits twice as long as the last one (a load of
 * millions of rows that fails, for memory say, would otherwise take a good
 * part of a core at every poll); a change to the database is tried at once. */
static void
note_load_result(struct policy_watch* w, int64_t rev)
{
	int ms = retry_ms(w);
	if(!w->error[0]) {
		w->backoff_ms = 0;
		return;
	}
	w->backoff_ms = !w->backoff_ms || rev != w->failed_rev ? ms :
		w->backoff_ms < WATCH_BACKOFF_MAX_MS / 2 ? 2 * w->backoff_ms :
		WATCH_BACKOFF_MAX_MS;
	w->failed_rev = rev;
	w->failed_marks = w->db && policy_store_marks(w->db,
		&w->failed_history, &w->failed_stamp) == 0;
	w->retry_at = clock_ms() + w->backoff_ms;
	verbose(VERB_DETAIL, "rrpolicy: the load of revision %lld failed; "
		"next try in %d ms, or at the next change to the database",
		(long long)rev, w->backoff_ms);
}

/** Whether the database holds the history and stamp of the failed load (or
 * they cannot be read, then or now). */
static int
same_marks(struct policy_watch* w)
{
	int64_t history, stamp;
	if(!w->failed_marks || policy_store_marks(w->db, &history, &stamp) != 0)
		return 1;
	return history == w->failed_history && stamp == w->failed_stamp;
}

/** Suspend the hit writer (its connection closed, hits kept in memory) until
 * the watcher has a database open again, unless it is already. */
static void
hold_writer(struct policy_watch* w, struct hitlog* hits)
{
	if(!hits || w->writer_held)
		return;
	hitlog_suspend(hits);
	w->writer_held = 1;
}

/** Whether the file at the path after an open is the one before it, st (a
 * file put there while the open waited for an operator's lock, say, is
 * another): then st is that file, which is the one open. A file that was
 * not there before (created by the open) counts as kept. */
static int
file_kept(struct policy_watch* w, struct stat* st)
{
	struct stat now;
	if(stat(w->pe->db_path, &now) != 0)
		return 0;
	if(st->st_ino && (now.st_dev != st->st_dev || now.st_ino != st->st_ino))
		return 0;
	*st = now;
	return 1;
}

/** One look at the database: open it if needed, load it if it changed. */
static void
watch_poll(struct policy_watch* w)
{
	struct hitlog* hits = __atomic_load_n(&w->pe->hits, __ATOMIC_ACQUIRE);
	char err[512];
	struct stat st;
	long long version;
	int64_t rev;
	int moved = 0;
	if(stat(w->pe->db_path, &st) != 0) {
		int e = errno;
		memset(&st, 0, sizeof(st));	/* no file before the open */
		if(e == ENOENT && w->db) {
			/* deleted: its -wal and -shm stay at the path as for a
			 * file moved away; the writer waits for the next file
			 * the watcher takes */
			hold_writer(w, hits);
			leave_old_file(w);
		}
		/* a missing database is created by the open below; one that
		 * vanished after it was opened is not silently replaced by an
		 * empty one */
		if(w->ino || e != ENOENT) {
			snprintf(err, sizeof(err), "cannot find %s: %s",
				w->pe->db_path, strerror(e));
			watch_error(w, err);
			return;
		}
	} else if(w->ino && (st.st_dev != w->dev || st.st_ino != w->ino)) {
		/* another file at the path than the one last opened */
		moved = 1;
		if(w->db)
			verbose(VERB_OPS, "rrpolicy: %s was replaced, opening "
				"it again", w->pe->db_path);
	}
	/* another database put in place with .restore, of an older schema
	 * version: opened anew, which migrates it */
	if(w->db && !moved && (version = policy_store_version(w->db)) >= 0 &&
		version != POLICY_SCHEMA_VERSION) {
		verbose(VERB_OPS, "rrpolicy: %s is no longer of schema version "
			"%d, opening it again", w->pe->db_path,
			POLICY_SCHEMA_VERSION);
		hold_writer(w, hits);
		sqlite3_close(w->db);
		w->db = NULL;
	}
	if(!w->db || moved) {
		/* no connection of the process may stay on the old file while
		 * the new one is opened, and the old file's -wal and -shm
		 * files must go from the path first */
		hold_writer(w, hits);
		if(moved)
			leave_old_file(w);
		/* the schema goes only into a file that was not there, or
		 * empty, at start: a file put at the path since is the
		 * operator's, maybe still being made */
		w->db = policy_store_open(w->pe->db_path, !w->ino, err,
			sizeof(err));
		if(!w->db) {
			/* nor does the writer write to a file refused */
			watch_error(w, err);
			return;
		}
		if(!file_kept(w, &st)) {
			/* which of the two files is open is not known: the
			 * next poll opens the one at the path */
			verbose(VERB_OPS, "rrpolicy: %s was replaced while it "
				"was being opened, opening it again",
				w->pe->db_path);
			sqlite3_close(w->db);
			w->db = NULL;
			return;
		}
		if(w->writer_held)
			hitlog_resume(hits);
		w->writer_held = 0;
		/* the -wal and -shm of this connection are noted below: after
		 * a reopen of the same file (a migration, a failed read), the
		 * old ones went with the last connection, and SQLite made new
		 * ones, which are those to remove when a file is moved in */
		memset(&w->wal, 0, sizeof(w->wal));
		memset(&w->shm, 0, sizeof(w->shm));
		w->dev = st.st_dev;
		w->ino = st.st_ino;
		/* another file: whatever its revision, load it, at once */
		w->loaded = -1;
		w->backoff_ms = 0;
	}
	if((rev = policy_store_revision(w->db)) < 0) {
		snprintf(err, sizeof(err), "cannot read %s: %s", w->pe->db_path,
			sqlite3_errmsg(w->db));
		sqlite3_close(w->db);
		w->db = NULL;
		watch_error(w, err);
		return;
	}
	/* the file at the path is the one open: its -wal and -shm are at
	 * the path once a connection read it in WAL mode (a file made in
	 * rollback mode, as by VACUUM INTO, is switched at the open, and has
	 * them only after the first read) */
	if(!w->wal.st_ino)
		wal_note(w->pe->db_path, "-wal", &w->wal);
	if(!w->shm.st_ino)
		wal_note(w->pe->db_path, "-shm", &w->shm);
	/* the same revision may hold other rules and settings: a database
	 * put in place with .restore */
	if(rev != w->loaded || w->error[0] || expiry_due(w) ||
		policy_store_same_state(w->db, w->stats) != 1) {
		if(w->backoff_ms && rev == w->failed_rev &&
			clock_ms() < w->retry_at && same_marks(w))
			return;	/* nothing changed since the load failed */
		w->loading = 1;
		watch_load(w);
		w->loading = 0;
		note_load_result(w, rev);
	} else if(w->status_load_due ||
		time(NULL) - w->status_at >= WATCH_STATUS_MS / 1000)
		write_status(w, 0);
}

/** The watcher thread: poll until told to stop. */
static void*
watch_main(void* arg)
{
	struct policy_watch* w = (struct policy_watch*)arg;
	w->status_waits = 1;
	pthread_mutex_lock(&w->mu);
	while(!w->stop) {
		struct timespec until;
		int ms = watch_interval(w);
		if(ms <= 0) {
			/* polling turned off: only a reload applies changes */
			while(!w->stop)
				pthread_cond_wait(&w->cv, &w->mu);
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += ms / 1000;
		until.tv_nsec += (long)(ms % 1000) * 1000000L;
		if(until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while(!w->stop && pthread_cond_timedwait(&w->cv, &w->mu,
			&until) != ETIMEDOUT)
			;
		if(w->stop)
			break;
		pthread_mutex_unlock(&w->mu);
		watch_poll(w);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct policy_watch*
policy_watch_start(struct rrpolicy_env* pe, struct module_env* env)
{
	struct policy_watch* w = calloc(1, sizeof(*w));
	pthread_condattr_t ca;
	if(!w || !(w->stats = calloc(1, sizeof(*w->stats))) ||
		!(w->next = calloc(1, sizeof(*w->next))) ||
		!(pe->snap = calloc(1, sizeof(*pe->snap)))) {
		if(w) {
			free(w->stats);
			free(w->next);
		}
		free(w);
		return NULL;
	}
	w->pe = pe;
	w->env = env;
	w->serve_expired = env->cfg && env->cfg->serve_expired;
	w->loaded = -1;
	/* the settings' defaults until a load succeeds */
	policy_store_defaults(&pe->snap->settings);
	/* before the first connection is opened and any thread started */
	w->writer = hitlog_spawn(hitlog_to_unbound_log);
	pthread_mutex_init(&w->mu, NULL);
	/* a clock step (NTP) must not stall the polling */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
	watch_poll(w);
	return w;
}

void
policy_watch_run(struct policy_watch* w)
{
	if(!w || watch_interval(w) <= 0)
		return;
	if(pthread_create(&w->thread, NULL, watch_main, w) == 0)
		w->running = 1;
	else	log_err("rrpolicy: cannot start the watcher thread: committed "
		"changes apply on unbound-control reload only");
}

void
policy_watch_stop(struct policy_watch* w)
{
	struct hitlog* hits;
	struct stat st;
	if(!w)
		return;
	if(w->running) {
		pthread_mutex_lock(&w->mu);
		/* atomic: the status write's busy handler reads it unlocked */
		__atomic_store_n(&w->stop, 1, __ATOMIC_RELAXED);
		pthread_cond_signal(&w->cv);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->thread, NULL);
		w->status_waits = 0;
	}
	/* the status counts the hits the writer writes as it stops */
	hits = __atomic_load_n(&w->pe->hits, __ATOMIC_ACQUIRE);
	hitlog_join(hits);
	write_status(w, 0);
	__atomic_store_n(&w->pe->hits, NULL, __ATOMIC_RELEASE);
	hitlog_stop(hits);
	hitlog_stop(w->writer);
	/* a file moved in or deleted since the last poll: the old file's -wal
	 * and -shm would be taken by the next open for the new file's */
	if(w->ino && (stat(w->pe->db_path, &st) != 0 || st.st_dev != w->dev ||
		st.st_ino != w->ino))
		leave_old_file(w);
	else	sqlite3_close(w->db);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w->stats);
	free(w->next);
	free(w);
}
