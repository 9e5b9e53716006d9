/**
 * \file hitlog.c
 * The hit log: worker threads queue hits, one writer process stores them in
 * table hit of the policy database.
 *
 * Why a process: glibc wraps every cancellable system call (recvfrom,
 * sendto, epoll_wait: three per query) in asynchronous-cancellation
 * enabling and disabling as soon as a process has a second thread, and
 * never stops. A writer thread cost each cache hit about 3.6% more
 * instructions. So hitlog_spawn forks the writer at module init, while the
 * process has one thread and no SQLite connection (SQLite's state must not
 * cross a fork with a connection open), with the ring and this structure
 * in memory shared between the two processes at the same address; it
 * waits until hitlog_begin gives it the settings of the first good load.
 * The writer checks every round that Unbound still runs, and exits
 * (after a last flush) when it does not.
 *
 * Queue: a bounded lock-free multi-producer single-consumer ring of
 * fixed-size slots (D. Vyukov's bounded queue, C11 atomics). Every slot has
 * a sequence number that says whose turn it is: a producer claims position
 * pos with one compare-and-swap on the head when the slot's sequence is pos,
 * copies the hit into the slot and publishes it by storing pos + 1. When the
 * slot of the head still holds the hit of the previous lap, the ring is full
 * and the hit is counted in an atomic drop counter instead. Producers never
 * take a lock, never wait for the writer and make no system call (but
 * clock_gettime, a vDSO call, when they pass no time). A producer that is
 * preempted between claim and publish delays only the writer, which stops
 * its batch at that slot and takes it on its next round.
 *
 * Writer: takes no lock to read the queue either. It opens a transaction
 * (BEGIN IMMEDIATE) first and only then reads the published slots, in
 * place, and inserts them with prepared multi-row INSERTs (64, 16, 4 and 1
 * rows: a statement run costs opening the table and its two indexes, and
 * a row refused by a trigger or constraint undoes its statement, whose rows
 * are then inserted one by one so that only the refused ones are skipped;
 * a trigger's RAISE(FAIL) keeps the rows before the refused one, and the
 * one by one starts after them);
 * the slots are given back to the producers (sequence pos + size) only
 * after COMMIT succeeded.
 * So when the database is locked (an operator holds a write transaction)
 * nothing has been taken and nothing can be lost: the hits stay in the ring,
 * which keeps absorbing new hits until it is full, and the writer retries on
 * its next round. If a transaction fails half way it is rolled back and the
 * same slots are written again later. A transaction holds at most half the
 * ring, so producers keep free slots while it is being written.
 *
 * With counts (setting hit_log = 2) the writer instead takes the published
 * slots into groups of hits (hit_groups.c: same client, name, type, rule,
 * action, stage, DNSSEC status and minute) and gives the slots back at once;
 * every HITLOG_COUNT_MS it inserts the rows of new groups in one
 * transaction, and adds the counts of groups that have a row to it (an
 * UPDATE each) in the same transaction as often as HITLOG_UPDATES_PER_S
 * allows (update_due_ms). When that fails the groups keep counting (a
 * repeated hit needs no memory) until they are full; then the slots stay
 * in the ring as above.
 *
 * When the database file is replaced at its path, the watcher suspends the
 * writer (hitlog_suspend: it closes its connection, the hits wait in the
 * ring) until it has opened the new file, so that no connection of the
 * process is left on the old one: SQLite finds a database's WAL by its path,
 * and a new file would take the old one's WAL for its own. Each hit carries
 * the revision.history of its rule's database, which the writer reads in
 * each transaction: the hits of another database's rules (the file replaced,
 * or another database copied into it, while they waited) are given up, since
 * their policy_id names other rules there.
 *
 * The writer wakes every HITLOG_WAIT_MS (or at once on stop), so a crash
 * loses at most that much (with counts, the time between two UPDATEs of a
 * row: HITLOG_COUNT_MS to HITLOG_UPDATE_MAX_MS). Text conversions
 * (time, address, name, type) happen in the writer. Drops are written to table hit_drop together with
 * the hits and reported through the log callback, rate limited. Old hits are
 * deleted in small batches, each its own transaction: one a second while
 * that is enough, else on every round as many as were inserted since the
 * round before plus one batch (retention_step).
 */
#ifndef _GNU_SOURCE
/** clock_gettime, pthread_sigmask, MAP_ANONYMOUS, robust mutexes also with
 * -std=c11 */
#define _GNU_SOURCE
#endif
#include "hitlog.h"
#include "clock_ms.h"
#include "hit_groups.h"
#include "hit_slot.h"
#include "dname_text.h"
#include "rrtype_table.h"
#include "sqlite_hint.h"
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/** hit.dnssec of each enum hitlog_dnssec. */
static const char* const dnssec_names[] = { NULL, "secure", "insecure",
	"bogus", "indeterminate" };

/** Largest ring: the setting hit_queue_size's upper bound. The shared
 * memory is mapped for it before the size is known (MAP_NORESERVE: only
 * the slots of the size in use are ever touched). */
#define HITLOG_QUEUE_MAX 1048576
/** Longest wait of the writer between two rounds, in ms. */
#define HITLOG_WAIT_MS 200
/** Most hits written in one transaction (also at most half the ring). */
#define HITLOG_TXN_MAX 16384
/** How long one statement of the writer waits for a lock, in ms. */
#define HITLOG_BUSY_MS 200
/** How long hitlog_stop keeps retrying a locked database, in ms: Unbound
 * answers nothing meanwhile (a stop, or unbound-control reload). */
#define HITLOG_STOP_GRACE_MS 1000
/** Pause between retries while stopping, in ms. */
#define HITLOG_STOP_RETRY_MS 50
/** At most one message of each kind per this many ms. */
#define HITLOG_REPORT_MS 10000
/** Rows deleted by one retention batch. */
#define HITLOG_RETENTION_BATCH 1000
/** At most one retention batch per this many ms, unless the last one was
 * full. */
#define HITLOG_RETENTION_MS 1000
/** Turn a macro's value into a string literal. */
#define HITLOG_STR(x) HITLOG_STR2(x)
/** Helper of HITLOG_STR. */
#define HITLOG_STR2(x) #x
/** Checkpoint the WAL when it holds this many pages (SQLite's default). */
#define HITLOG_CHECKPOINT_PAGES 1000
/** Size of a cache line, to keep producers' and writer's data apart. */
#define HITLOG_CACHE_LINE 64
/** Length of a time stamp "YYYY-MM-DD HH:MM:SS.mmm" plus NUL. */
#define HITLOG_TS_LEN 24
/** Text of a name that is not a valid wire name. */
#define HITLOG_BAD_NAME "?"
/** Columns of table hit the writer fills, parameters per row (the last,
 * count, is bound to 1 once and for all for a row per hit). */
#define HITLOG_COLS 9
/** Rows of the INSERT statements, largest first: a batch is written with
 * as few statement runs as possible (64 + 16 + 16 + 4 + 1 for 101 hits),
 * since every run costs opening and closing the table and its indexes. */
static const int ins_rows[] = { 64, 16, 4, 1 };
/** Number of INSERT statements. */
#define HITLOG_NINS ((int)(sizeof(ins_rows)/sizeof(ins_rows[0])))
/** Most rows of one INSERT statement (ins_rows[0]). */
#define HITLOG_MULTI 64
/** With counts: how often the rows of new groups are inserted, in ms. */
#define HITLOG_COUNT_MS 1000
/** With counts: most UPDATEs of rows per second, on average: the counts of
 * groups that have a row are added every HITLOG_COUNT_MS while there are
 * at most this many, less often when there are more, so that a flood of
 * many names from many clients does not cost an UPDATE of each of their
 * rows every second. */
#define HITLOG_UPDATES_PER_S 1000
/** With counts: the longest wait before counts are added to rows, in ms. */
#define HITLOG_UPDATE_MAX_MS 60000
/** How often the memory figure of the connection's schema and statements
 * is recomputed, in ms (SQLite walks every trigger and view for it). */
#define HITLOG_MEM_MS 10000

/** Result of one write attempt. */
enum hitlog_result {
	/** everything that was ready (up to the transaction limit) is written */
	HITLOG_OK = 0,
	/** the database is locked, nothing was taken from the ring */
	HITLOG_BUSY,
	/** an error, nothing was taken from the ring */
	HITLOG_ERROR
};

/** The hit log. Allocated aligned to a cache line. */
struct hitlog {
	/** next position producers claim (written by producers only) */
	_Alignas(HITLOG_CACHE_LINE) _Atomic uint64_t head;
	/** the ring (in the producers' cache line: read by every add) */
	struct hitlog_slot* slots;
	/** number of slots */
	size_t size;
	/** hits dropped because the ring was full (written by producers) */
	_Alignas(HITLOG_CACHE_LINE) _Atomic uint64_t dropped;
	/** first position not yet written and given back (writer only) */
	_Alignas(HITLOG_CACHE_LINE) uint64_t tail;
	/** most slots one transaction holds */
	size_t txn_max;
	/** most slots the next transaction holds: halved after a disk full
	 * (a smaller one may fit), doubled back after each commit */
	size_t txn_limit;
	/** database file */
	char path[PATH_MAX];
	/** days hits are kept, 0 = forever */
	int retention_days;
	/** log callback, or NULL */
	hitlog_log_func* log;
	/** the writer's own connection */
	sqlite3* db;
	/** INSERT INTO hit of ins_rows[i] rows (NULL if it could not be
	 * prepared: then smaller ones are used) */
	sqlite3_stmt* ins_hit[HITLOG_NINS];
	/** INSERT INTO hit_drop */
	sqlite3_stmt* ins_drop;
	/** SELECT of revision.history */
	sqlite3_stmt* sel_history;
	/** with counts: the groups of hits being counted (writer only),
	 * else NULL */
	struct hit_groups* groups;
	/** with counts: UPDATE of the count of a row of hit */
	sqlite3_stmt* upd_count;
	/** with counts: when the counts were last written, monotonic ms
	 * (writer only) */
	int64_t count_ms;
	/** with counts: when the counts were last added to the rows of
	 * their groups, monotonic ms (writer only) */
	int64_t update_ms;
	/** memory of groups, bytes */
	_Atomic size_t groups_mem;
	/** one retention batch, NULL without retention */
	sqlite3_stmt* del_old;
	/** the writer process (Unbound's side), 0 once it was waited for */
	pid_t pid;
	/** Unbound's process (the writer's side: it exits when its parent
	 * is another) */
	pid_t parent;
	/** bytes of the shared mapping this structure heads */
	size_t map_size;
	/** set by hitlog_begin, when the settings below are given */
	int begun;
	/** the writer's answer to begin: 1 started, -1 failed (under lock) */
	int begin_rc;
	/** with counts: set by hitlog_begin, the writer creates the groups */
	int counts;
	/** protects begun, begin_rc, stop, suspend and closed;
	 * process-shared and robust (a writer killed while it holds it does
	 * not block Unbound); producers never take it */
	pthread_mutex_t lock;
	/** futex word, moved on by each change of those (wake_shared) */
	_Atomic uint32_t event;
	/** set by hitlog_stop */
	int stop;
	/** set by hitlog_suspend: the writer closes its connection and waits
	 * until hitlog_resume (under lock) */
	int suspend;
	/** whether the writer's connection is closed for a suspend (under
	 * lock) */
	int closed;
	/** whether a failure to open the database again was reported (writer
	 * only) */
	int open_fail_reported;
	/** result code of the last failed write attempt (writer only) */
	int last_fail;
	/** hits written to table hit (written by the writer, read by anyone) */
	_Atomic uint64_t written;
	/** drops written to hit_drop (writer only) */
	uint64_t drops_stored;
	/** drops reported through the log (writer only) */
	uint64_t drops_reported;
	/** when drops were last reported, monotonic ms (writer only) */
	int64_t drops_report_ms;
	/** when a busy or failing database was last reported (writer only) */
	int64_t fail_report_ms;
	/** write attempts that failed since the last success (writer only) */
	uint64_t fails;
	/** whether the current run of failures was reported (writer only) */
	int fail_reported;
	/** hits skipped because the database refused them (writer only) */
	uint64_t skipped;
	/** skipped hits reported through the log (writer only) */
	uint64_t skipped_reported;
	/** when skipped hits were last reported, monotonic ms (writer only) */
	int64_t skip_report_ms;
	/** why the last hit was skipped (writer only) */
	char skip_err[160];
	/** hits given up because their rules are of another database than
	 * the one at the path (writer only) */
	uint64_t foreign;
	/** of them, reported through the log (writer only) */
	uint64_t foreign_reported;
	/** when they were last reported, monotonic ms (writer only) */
	int64_t foreign_report_ms;
	/** revision.history of the database, as the last transaction read
	 * it (writer only) */
	int64_t history;
	/** when a failed retention batch was last reported (writer only) */
	int64_t retention_report_ms;
	/** when the last retention batch ran, monotonic ms (writer only) */
	int64_t retention_ms;
	/** whether the last retention batch was full: more expired hits wait,
	 * batches follow on every round (writer only) */
	int retention_behind;
	/** rows inserted into table hit since retention last ran (writer
	 * only) */
	uint64_t retention_rows;
	/** pages in the WAL after the last commit (writer only) */
	int wal_pages;
	/** memory SQLite uses for the writer's connection, bytes */
	_Atomic size_t db_mem;
	/** schema and statement part of db_mem (writer only) */
	size_t db_mem_fixed;
	/** when db_mem_fixed was computed, monotonic ms (writer only) */
	int64_t db_mem_ms;
	/** second of ts_date (writer only); INT64_MIN: none yet */
	int64_t ts_sec;
	/** 'YYYY-MM-DD HH:MM:SS' of ts_sec (writer only) */
	char ts_date[HITLOG_TS_LEN];
	/** scratch: time stamp of hit_drop */
	char ts_buf[HITLOG_TS_LEN];
	/** table rrtype, sorted by code, read when the connection is opened:
	 * the mnemonics of the types Unbound has none for (its mnemonics are
	 * bound SQLITE_STATIC, so they are only rewritten while no statement
	 * exists) */
	struct rrtype_table types;
	/** the static strings (or NULL) bound to the qtype, action, stage and
	 * dnssec parameters of each row of each INSERT, so that an unchanged
	 * one is not bound again (bindings survive sqlite3_reset); for qtype
	 * the name the hit was queued with, whose text or mnemonic of table
	 * rrtype is bound; unbound_text when nothing is known */
	const char* bound[HITLOG_NINS][HITLOG_MULTI][4];
	/** scratch: the texts of the rows of one INSERT, bound SQLITE_STATIC */
	struct hitlog_row_text {
		/** time stamp */
		char ts[HITLOG_TS_LEN];
		/** client address */
		char client[INET6_ADDRSTRLEN];
		/** query type for TYPEnnn */
		char qtype[16];
		/** query name, any escaped name fits */
		char qname[1024];
	} text[HITLOG_MULTI];
	/** with counts: what upd_count's qtype, action, stage and dnssec
	 * parameters hold, as bound[] for the INSERTs */
	const char* upd_bound[4];
	/** with counts: the texts of the row upd_count looks for */
	struct hitlog_row_text upd_text;
};

/** Report a problem through the log callback, printf style. */
static void
hitlog_msg(const struct hitlog* h, int level, const char* fmt, ...)
#ifdef __GNUC__
	__attribute__((format(printf, 3, 4)))
#endif
	;

/**
 * Report a problem through the log callback.
 * @param h: the hit log.
 * @param level: 0 error, 1 warning, 2 info.
 * @param fmt: printf format, then its arguments.
 */
static void
hitlog_msg(const struct hitlog* h, int level, const char* fmt, ...)
{
	char buf[512];
	va_list ap;
	if(!h->log)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	h->log(level, buf);
}

/**
 * Hits not written yet: queued in the ring, and counted in groups not yet
 * written (hit_log = 2). Writer only.
 * @param h: the hit log.
 * @return how many.
 */
static uint64_t
hits_waiting(const struct hitlog* h)
{
	return atomic_load_explicit(&h->head, memory_order_relaxed) - h->tail +
		(h->groups ? hit_groups_pending(h->groups) : 0);
}

/**
 * Length of a wire name, without reading past 255 octets.
 * @param name: wire name, or NULL.
 * @return its length including the root label, or 0 if it is not a valid
 *	uncompressed name of at most 255 octets.
 */
static size_t
wire_len(const uint8_t* name)
{
	size_t pos = 0;
	if(!name)
		return 0;
	for(;;) {
		uint8_t n = name[pos];
		if(n > 63 || pos + 1 + n > DNAME_WIRE_MAX)
			return 0;
		if(n == 0)
			return pos + 1;
		pos += 1 + (size_t)n;
	}
}

/**
 * Write n decimal digits, zero padded.
 * @param p: where to write.
 * @param v: the value, non-negative.
 * @param n: number of digits.
 */
static void
put_digits(char* p, unsigned v, int n)
{
	while(n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

/**
 * Format a time as UTC 'YYYY-MM-DD HH:MM:SS.mmm'. Computes the civil date
 * arithmetically (H. Hinnant's days-to-civil), so no time zone lock is taken
 * and no locale applies.
 * @param sec: seconds since the epoch.
 * @param usec: microseconds.
 * @param buf: output, HITLOG_TS_LEN bytes.
 */
static void
format_ts(int64_t sec, uint32_t usec, char* buf)
{
	int64_t days, sod, z, era, y;
	unsigned doe, yoe, doy, mp, d, m;
	sec += usec / 1000000;
	usec %= 1000000;
	days = sec / 86400;
	sod = sec % 86400;
	if(sod < 0) {
		sod += 86400;
		days--;
	}
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe/1460 + doe/36524 - doe/146096) / 365;
	y = (int64_t)yoe + era * 400;
	doy = doe - (365*yoe + yoe/4 - yoe/100);
	mp = (5*doy + 2) / 153;
	d = doy - (153*mp + 2)/5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	if(m <= 2)
		y++;
	if(y < 0)
		y = 0;
	else if(y > 9999)
		y = 9999;
	put_digits(buf, (unsigned)y, 4);
	buf[4] = '-';
	put_digits(buf + 5, m, 2);
	buf[7] = '-';
	put_digits(buf + 8, d, 2);
	buf[10] = ' ';
	put_digits(buf + 11, (unsigned)(sod / 3600), 2);
	buf[13] = ':';
	put_digits(buf + 14, (unsigned)(sod / 60 % 60), 2);
	buf[16] = ':';
	put_digits(buf + 17, (unsigned)(sod % 60), 2);
	buf[19] = '.';
	put_digits(buf + 20, usec / 1000, 3);
	buf[23] = 0;
}

/**
 * Time stamp of a hit, as format_ts, with the date and time of day formatted
 * once per second (the hits of a batch mostly share their second).
 * @param h: the hit log (its ts_sec and ts_date are updated).
 * @param sec: seconds since the epoch.
 * @param usec: microseconds.
 * @param buf: output, HITLOG_TS_LEN bytes.
 */
static void
format_ts_cached(struct hitlog* h, int64_t sec, uint32_t usec, char* buf)
{
	unsigned ms;
	sec += usec / 1000000;
	ms = (usec % 1000000) / 1000;
	if(sec != h->ts_sec) {
		format_ts(sec, 0, h->ts_date);
		h->ts_sec = sec;
	}
	memcpy(buf, h->ts_date, 20);
	buf[20] = (char)('0' + ms / 100);
	buf[21] = (char)('0' + ms / 10 % 10);
	buf[22] = (char)('0' + ms % 10);
	buf[23] = 0;
}

/**
 * Current UTC time as 'YYYY-MM-DD HH:MM:SS.mmm'.
 * @param buf: output, HITLOG_TS_LEN bytes.
 */
static void
format_now(char* buf)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	format_ts((int64_t)ts.tv_sec, (uint32_t)(ts.tv_nsec / 1000), buf);
}

/**
 * Query name of a slot in presentation form, lowercase, trailing dot.
 * Plain names (letters, digits, '-', '_') are copied directly; others go
 * through dname_to_text for its escapes.
 * @param s: the slot.
 * @param buf: output.
 * @param size: size of buf, at least 1024.
 * @return length of the text.
 */
static int
format_qname(const struct hitlog_slot* s, char* buf, size_t size)
{
	uint8_t lower[DNAME_WIRE_MAX];
	size_t pos = 0, out = 0;
	if(s->qname_len == 0) {
		snprintf(buf, size, "%s", HITLOG_BAD_NAME);
		return (int)strlen(buf);
	}
	if(s->qname[0] == 0) {
		snprintf(buf, size, ".");
		return 1;
	}
	while(s->qname[pos]) {
		uint8_t n = s->qname[pos], i;
		for(i = 1; i <= n; i++) {
			uint8_t c = s->qname[pos + i];
			if(c >= 'A' && c <= 'Z')
				c = (uint8_t)(c - 'A' + 'a');
			if(!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
				c == '-' || c == '_')) {
				/* needs escapes: the general printer */
				if(dname_lower_copy(s->qname, lower) == 0)
					snprintf(buf, size, "%s", HITLOG_BAD_NAME);
				else	dname_to_text(lower, buf, size);
				return (int)strlen(buf);
			}
			buf[out++] = (char)c;
		}
		buf[out++] = '.';
		pos += 1 + (size_t)n;
	}
	buf[out] = 0;
	return (int)out;
}

/**
 * An IPv4 address in dotted decimal.
 * @param a: 4 bytes.
 * @param p: output, at least 16 bytes.
 * @return end of the text (not terminated).
 */
static char*
put_ipv4(const uint8_t* a, char* p)
{
	int i;
	for(i = 0; i < 4; i++) {
		unsigned v = a[i];
		if(i)
			*p++ = '.';
		if(v >= 100) {
			*p++ = (char)('0' + v / 100);
			v %= 100;
			*p++ = (char)('0' + v / 10);
		} else if(v >= 10)
			*p++ = (char)('0' + v / 10);
		*p++ = (char)('0' + v % 10);
	}
	return p;
}

/**
 * An IPv6 address the way glibc's inet_ntop writes it (RFC 5952: the
 * longest run of two or more zero groups, the first of equal ones, as
 * "::", lowercase hex without leading zeros; "::a.b.c.d" and
 * "::ffff:a.b.c.d" for IPv4-compatible and -mapped addresses), without
 * its sprintf per group. test_client_text compares the two.
 * @param a: 16 bytes.
 * @param p: output, at least INET6_ADDRSTRLEN bytes.
 * @return end of the text (not terminated).
 */
static char*
put_ipv6(const uint8_t* a, char* p)
{
	static const char hex[] = "0123456789abcdef";
	unsigned w[8];
	int i, best = -1, best_len = 0, cur = -1, cur_len = 0;
	for(i = 0; i < 8; i++) {
		w[i] = (unsigned)a[2*i] << 8 | a[2*i + 1];
		if(w[i] == 0) {
			if(cur == -1) {
				cur = i;
				cur_len = 0;
			}
			cur_len++;
			if(cur_len > best_len) {
				best = cur;
				best_len = cur_len;
			}
		} else	cur = -1;
	}
	if(best_len < 2)
		best = -1;
	for(i = 0; i < 8; i++) {
		unsigned v = w[i];
		if(best != -1 && i >= best && i < best + best_len) {
			if(i == best)
				*p++ = ':';
			continue;
		}
		if(i != 0)
			*p++ = ':';
		if(i == 6 && best == 0 && (best_len == 6 ||
			(best_len == 5 && w[5] == 0xffff)))
			return put_ipv4(a + 12, p);
		if(v >= 0x1000)
			*p++ = hex[v >> 12];
		if(v >= 0x100)
			*p++ = hex[(v >> 8) & 0xf];
		if(v >= 0x10)
			*p++ = hex[(v >> 4) & 0xf];
		*p++ = hex[v & 0xf];
	}
	if(best != -1 && best + best_len == 8)
		*p++ = ':';
	return p;
}

/**
 * Client address of a slot as text.
 * @param s: the slot.
 * @param buf: output, INET6_ADDRSTRLEN bytes.
 * @return length of the text.
 */
static int
format_client(const struct hitlog_slot* s, char* buf)
{
	char* end;
	if(s->family == AF_INET)
		end = put_ipv4(s->addr, buf);
	else if(s->family == AF_INET6)
		end = put_ipv6(s->addr, buf);
	else {
		memcpy(buf, "unknown", 8);
		return 7;
	}
	*end = 0;
	return (int)(end - buf);
}

/**
 * Whether the slot at a position holds a published hit (writer only).
 * @param h: the hit log.
 * @param pos: the position.
 * @return the slot, or NULL if nothing is published there yet.
 */
static struct hitlog_slot*
ready_slot(struct hitlog* h, uint64_t pos)
{
	struct hitlog_slot* s = &h->slots[pos % h->size];
	if(atomic_load_explicit(&s->seq, memory_order_acquire) != pos + 1)
		return NULL;
	return s;
}

/**
 * Give the slots of positions tail .. end-1 back to the producers.
 * @param h: the hit log.
 * @param end: first position not given back.
 */
static void
release_slots(struct hitlog* h, uint64_t end)
{
	uint64_t pos;
	for(pos = h->tail; pos != end; pos++)
		atomic_store_explicit(&h->slots[pos % h->size].seq,
			pos + h->size, memory_order_release);
	h->tail = end;
}

/**
 * Whether an sqlite result code means "locked by someone else".
 * @param rc: result code.
 * @return nonzero if busy or locked.
 */
static int
is_busy(int rc)
{
	rc &= 0xff;
	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
}

/**
 * Whether an sqlite result code of an INSERT concerns that row only (so
 * skipping the row is better than retrying it forever).
 * @param rc: result code.
 * @return nonzero for row errors.
 */
static int
is_row_error(int rc)
{
	rc &= 0xff;
	return rc == SQLITE_CONSTRAINT || rc == SQLITE_MISMATCH ||
		rc == SQLITE_TOOBIG || rc == SQLITE_RANGE;
}

/**
 * Roll back the writer's transaction, if one is open.
 * @param h: the hit log.
 */
static void
rollback(struct hitlog* h)
{
	if(!sqlite3_get_autocommit(h->db))
		(void)sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
}

/* defined with open_db, below the writer that uses them */
static void close_db(struct hitlog* h);
static int reopen_db(struct hitlog* h);

/** Marks a parameter of hitlog.bound whose binding is not known. */
static const char unbound_text[] = "";

/**
 * Bind a static string (or NULL) to a parameter unless it is bound already.
 * @param st: the statement.
 * @param p: the parameter.
 * @param v: the string, static storage, or NULL for SQL NULL.
 * @param bound: what the parameter holds, updated.
 */
static void
bind_static(sqlite3_stmt* st, int p, const char* v, const char** bound)
{
	if(*bound == v)
		return;
	if(v)
		sqlite3_bind_text(st, p, v, -1, SQLITE_STATIC);
	else	sqlite3_bind_null(st, p);
	*bound = v;
}

/**
 * Bind the query type of a hit: the name it was queued with, but when that
 * is none or TYPEnnn (a type Unbound has no mnemonic for), the mnemonic of
 * table rrtype, so that hit.qtype matches policy.type; else TYPEnnn.
 * @param h: the hit log.
 * @param st: the statement.
 * @param p: the parameter.
 * @param bound: what it holds, updated: the name queued, which stands for
 *	one type; unbound_text for none, whose text changes with the code.
 * @param t: the scratch buffers of the row, its qtype for TYPEnnn.
 * @param s: the hit.
 */
static void
bind_qtype(struct hitlog* h, sqlite3_stmt* st, int p, const char** bound,
	struct hitlog_row_text* t, const struct hitlog_slot* s)
{
	const char* v = s->qtype_name;
	if(!v || (strncmp(v, "TYPE", 4) == 0 && v[4] >= '0' && v[4] <= '9')) {
		const char* name = rrtype_table_name(&h->types, s->qtype);
		if(name)
			v = name;
		else if(!v) {
			snprintf(t->qtype, sizeof(t->qtype), "TYPE%u",
				(unsigned)s->qtype);
			v = t->qtype;
		}
	}
	sqlite3_bind_text(st, p, v, -1, SQLITE_STATIC);
	*bound = s->qtype_name ? s->qtype_name : unbound_text;
}

/**
 * Format a hit and bind it to the parameters of one row of an INSERT.
 * @param h: the hit log.
 * @param st: the INSERT statement.
 * @param p: the row's first parameter, less one.
 * @param bound: what its qtype, action, stage and dnssec parameters hold,
 *	updated.
 * @param t: the scratch buffers for the row's texts, which stay bound until
 *	the statement is reset.
 * @param s: the hit.
 */
static void
bind_hit(struct hitlog* h, sqlite3_stmt* st, int p, const char** bound,
	struct hitlog_row_text* t, const struct hitlog_slot* s)
{
	int qlen;
	format_ts_cached(h, s->sec, s->usec, t->ts);
	sqlite3_bind_text(st, p + 1, t->ts, HITLOG_TS_LEN - 1, SQLITE_STATIC);
	sqlite3_bind_text(st, p + 2, t->client, format_client(s, t->client),
		SQLITE_STATIC);
	qlen = format_qname(s, t->qname, sizeof(t->qname));
	sqlite3_bind_text(st, p + 3, t->qname, qlen, SQLITE_STATIC);
	/* bound[0] is never NULL: a hit without a name is bound every time */
	if(s->qtype_name != bound[0])
		bind_qtype(h, st, p + 4, &bound[0], t, s);
	sqlite3_bind_int64(st, p + 5, (sqlite3_int64)s->policy_id);
	bind_static(st, p + 6, s->action ? s->action : "unknown", &bound[1]);
	bind_static(st, p + 7, s->stage == HITLOG_RESPONSE ? "response" :
		"query", &bound[2]);
	bind_static(st, p + 8, s->dnssec && s->dnssec <=
		HITLOG_DNSSEC_INDETERMINATE ? dnssec_names[s->dnssec] : NULL,
		&bound[3]);
}

/**
 * Format the hit of one slot and bind it to the parameters of one row.
 * @param h: the hit log.
 * @param k: the INSERT statement, index in ins_hit.
 * @param row: row of the statement, 0 .. its rows - 1 (also the scratch
 *	buffers used).
 * @param s: the slot.
 */
static void
bind_row(struct hitlog* h, int k, int row, const struct hitlog_slot* s)
{
	bind_hit(h, h->ins_hit[k], row * HITLOG_COLS, h->bound[k][row],
		&h->text[row], s);
}

/**
 * Insert the hits of n consecutive published slots with one statement, in
 * the open transaction. If one row fails, the statement is undone as a
 * whole (the transaction stays open) and no row of it is in the table;
 * but a trigger's RAISE(FAIL) keeps the rows before the refused one.
 * @param h: the hit log.
 * @param k: index of the statement in ins_hit, of ins_rows[k] rows.
 * @param pos: position of the first slot.
 * @param kept: output, how many of the first rows are in the table.
 * @return sqlite result code of the step, SQLITE_DONE on success.
 */
static int
insert_hits(struct hitlog* h, int k, uint64_t pos, int* kept)
{
	sqlite3_stmt* st = h->ins_hit[k];
	int i, rc;
	for(i = 0; i < ins_rows[k]; i++)
		bind_row(h, k, i, &h->slots[(pos + (uint64_t)i) % h->size]);
	rc = sqlite3_step(st);
	/* the changes of a statement that failed: 0 when it was undone */
	*kept = rc == SQLITE_DONE ? ins_rows[k] : sqlite3_changes(h->db);
	sqlite3_reset(st);
	return rc;
}

/**
 * How many consecutive slots from a position are published and hold hits of
 * the rules of one database, or of others.
 * @param h: the hit log.
 * @param pos: the first position.
 * @param max: count at most this many.
 * @param history: revision.history of the database.
 * @param same: 1 to count hits of that database, 0 hits of others.
 * @return the number, 0 .. max.
 */
static size_t
ready_run(struct hitlog* h, uint64_t pos, size_t max, int64_t history,
	int same)
{
	const struct hitlog_slot* s;
	size_t n = 0;
	while(n < max && (s = ready_slot(h, pos + n)) &&
		(s->history == history) == same)
		n++;
	return n;
}

/**
 * Insert a row into hit_drop, in the open transaction.
 * @param h: the hit log.
 * @param n: hits dropped since the last row.
 * @return sqlite result code of the step, SQLITE_DONE on success.
 */
static int
insert_drop(struct hitlog* h, uint64_t n)
{
	int rc;
	format_now(h->ts_buf);
	sqlite3_bind_text(h->ins_drop, 1, h->ts_buf, -1, SQLITE_STATIC);
	sqlite3_bind_int64(h->ins_drop, 2, (sqlite3_int64)n);
	rc = sqlite3_step(h->ins_drop);
	sqlite3_reset(h->ins_drop);
	return rc;
}

/**
 * Report a failed write attempt, at most once per HITLOG_REPORT_MS.
 * @param h: the hit log.
 * @param what: what failed.
 * @param rc: sqlite result code.
 */
static void
report_fail(struct hitlog* h, const char* what, int rc)
{
	int64_t now = clock_ms();
	uint64_t waiting = hits_waiting(h);
	h->fails++;
	h->last_fail = rc;
	if(h->fail_report_ms != 0 && now - h->fail_report_ms < HITLOG_REPORT_MS)
		return;
	h->fail_report_ms = now;
	h->fail_reported = 1;
	hitlog_msg(h, is_busy(rc) ? 1 : 0, "hit log: %s %s: %s%s; "
		"%llu hits waiting in memory, retrying", what, h->path,
		sqlite3_errstr(rc), sqlite_access_hint(rc),
		(unsigned long long)waiting);
}

/**
 * Whether a count reported through the log, rate limited, is due for a
 * report: it moved since the last one, and that was HITLOG_REPORT_MS ago
 * or more (or the report is forced). When it is, the time is noted.
 * @param total: the count now.
 * @param reported: the count at the last report.
 * @param last_ms: when that was, monotonic ms, 0 if never.
 * @param force: report regardless of the last report.
 * @return nonzero if due.
 */
static int
report_due(uint64_t total, uint64_t reported, int64_t* last_ms, int force)
{
	int64_t now = clock_ms();
	if(total == reported || (!force && *last_ms != 0 &&
		now - *last_ms < HITLOG_REPORT_MS))
		return 0;
	*last_ms = now;
	return 1;
}

/**
 * Report hits the database refused (a constraint or trigger on table hit),
 * at most once per HITLOG_REPORT_MS. They are skipped, not retried. Only
 * committed transactions count: one rolled back is written again, and may
 * refuse fewer.
 * @param h: the hit log.
 * @param force: report regardless of the last report.
 */
static void
report_skip(struct hitlog* h, int force)
{
	uint64_t total = h->skipped;
	if(!report_due(total, h->skipped_reported, &h->skip_report_ms, force))
		return;
	hitlog_msg(h, 0, "hit log: table hit of %s refused %llu "
		"hits, skipped (%llu since start): %s", h->path,
		(unsigned long long)(total - h->skipped_reported),
		(unsigned long long)total, h->skip_err);
	h->skipped_reported = total;
}

/**
 * Report hits given up because their rules are of another database than the
 * one at the path (replaced, or made anew, while they were queued), at most
 * once per HITLOG_REPORT_MS.
 * @param h: the hit log.
 * @param force: report regardless of the last report.
 */
static void
report_foreign(struct hitlog* h, int force)
{
	if(!report_due(h->foreign, h->foreign_reported, &h->foreign_report_ms,
		force))
		return;
	hitlog_msg(h, 1, "hit log: gave up %llu hits (%llu since start) of "
		"the rules of another database than %s (its revision.history "
		"is %lld): their policy_id would name other rules there",
		(unsigned long long)(h->foreign - h->foreign_reported),
		(unsigned long long)h->foreign, h->path, (long long)h->history);
	h->foreign_reported = h->foreign;
}

/**
 * Read revision.history of the database into h->history, in the open
 * transaction: a file put in place with sqlite3's .restore is another
 * database under the same connection.
 * @param h: the hit log.
 * @return sqlite result code, SQLITE_DONE on success (0 is read when the
 *	row is missing: no hit matches it).
 */
static int
read_history(struct hitlog* h)
{
	int rc = sqlite3_step(h->sel_history);
	h->history = rc == SQLITE_ROW ?
		sqlite3_column_int64(h->sel_history, 0) : 0;
	sqlite3_reset(h->sel_history);
	return rc == SQLITE_ROW ? SQLITE_DONE : rc;
}

/**
 * After a write failed because the database was read-only: close the
 * connection, which SQLite opened read-only and keeps so, and which the next
 * write then opens again (the file's mode may have been fixed since).
 * @param h: the hit log.
 * @param rc: sqlite result code of the failure.
 */
static void
close_if_readonly(struct hitlog* h, int rc)
{
	if((rc & 0xff) == SQLITE_READONLY)
		close_db(h);
}

/**
 * Give up the writer's transaction after a failure: report it, roll back;
 * a read-only connection is closed, a full disk or a write error halves the
 * next transaction.
 * @param h: the hit log.
 * @param what: what failed.
 * @param rc: sqlite result code.
 * @return HITLOG_BUSY or HITLOG_ERROR.
 */
static enum hitlog_result
fail_batch(struct hitlog* h, const char* what, int rc)
{
	report_fail(h, what, rc);
	rollback(h);
	close_if_readonly(h, rc);
	/* no room for the transaction's WAL: a full disk (SQLITE_FULL), or a
	 * write error such as a file size limit's (SQLITE_IOERR) */
	if(((rc & 0xff) == SQLITE_FULL || (rc & 0xff) == SQLITE_IOERR) &&
		h->txn_limit > 1)
		h->txn_limit /= 2;
	return is_busy(rc) ? HITLOG_BUSY : HITLOG_ERROR;
}

/**
 * Whether a failed INSERT or UPDATE of one row leaves the transaction
 * usable, so that the row is skipped and the rest written.
 * @param h: the hit log.
 * @param rc: sqlite result code of the statement.
 * @return nonzero if the row is to be skipped.
 */
static int
skip_row(struct hitlog* h, int rc)
{
	/* a row error that took the transaction with it (a trigger's
	 * RAISE(ROLLBACK)) is no row error: what follows would not be
	 * atomic */
	if(!is_row_error(rc) || sqlite3_get_autocommit(h->db))
		return 0;
	snprintf(h->skip_err, sizeof(h->skip_err), "%s", sqlite3_errmsg(h->db));
	return 1;
}

/**
 * End the writer's transaction: a row of hit_drop for the drops since the
 * last one, then COMMIT. On failure it is rolled back.
 * @param h: the hit log, in a transaction.
 * @param drops: the drop counter, read before the transaction began.
 * @param skipped: hits of the transaction the database refused.
 * @return HITLOG_OK, HITLOG_BUSY or HITLOG_ERROR.
 */
static enum hitlog_result
commit_batch(struct hitlog* h, uint64_t drops, uint64_t skipped)
{
	int rc;
	if(drops != h->drops_stored) {
		rc = insert_drop(h, drops - h->drops_stored);
		if(rc != SQLITE_DONE)
			return fail_batch(h, "cannot insert into table hit_drop "
				"of", rc);
	}
	rc = sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL);
	if(rc != SQLITE_OK)
		return fail_batch(h, "cannot commit to", rc);
	h->drops_stored = drops;
	h->skipped += skipped;
	report_skip(h, 0);
	if(h->fail_reported)
		hitlog_msg(h, 2, "hit log: writing to %s again after "
			"%llu failed attempts", h->path,
			(unsigned long long)h->fails);
	h->fail_reported = 0;
	h->fails = 0;
	return HITLOG_OK;
}

/**
 * Open the writer's transaction.
 * @param h: the hit log.
 * @return HITLOG_OK, HITLOG_BUSY or HITLOG_ERROR.
 */
static enum hitlog_result
begin_batch(struct hitlog* h)
{
	int rc = sqlite3_exec(h->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if(rc == SQLITE_OK)
		return HITLOG_OK;
	report_fail(h, "cannot begin a transaction on", rc);
	close_if_readonly(h, rc);
	return is_busy(rc) ? HITLOG_BUSY : HITLOG_ERROR;
}

/**
 * Setting hit_log = 1: one transaction with a row per hit, for everything
 * published (at most txn_limit hits), and the drops since the last one.
 * Slots are given back only after COMMIT.
 * @param h: the hit log.
 * @param more: output, nonzero if the transaction was full (more may be
 *	waiting).
 * @return HITLOG_OK, HITLOG_BUSY or HITLOG_ERROR.
 */
static enum hitlog_result
write_batch(struct hitlog* h, int* more)
{
	uint64_t drops = atomic_load_explicit(&h->dropped,
		memory_order_relaxed);
	uint64_t pos = h->tail, skipped = 0, foreign = 0;
	enum hitlog_result r;
	int rc;
	*more = 0;
	if(!ready_slot(h, pos) && drops == h->drops_stored)
		return HITLOG_OK;
	if((r = begin_batch(h)) != HITLOG_OK)
		return r;
	if((rc = read_history(h)) != SQLITE_DONE)
		return fail_batch(h, "cannot read table revision of", rc);
	for(;;) {
		size_t left = h->txn_limit - (size_t)(pos - h->tail), n;
		int k = 0, kept;
		n = ready_run(h, pos, left, h->history, 0);
		pos += n;
		foreign += n;
		left -= n;
		n = ready_run(h, pos, left < HITLOG_MULTI ? left : HITLOG_MULTI,
			h->history, 1);
		if(n == 0)
			break;
		/* the largest statement that n fills (the last, of one row,
		 * always exists) */
		while((size_t)ins_rows[k] > n || !h->ins_hit[k])
			k++;
		rc = insert_hits(h, k, pos, &kept);
		pos += (uint64_t)kept;
		if(rc == SQLITE_DONE)
			continue;
		if(!skip_row(h, rc))
			return fail_batch(h, "cannot insert into table hit of",
				rc);
		/* a row was refused and the statement undone (after the rows it
		 * kept): the rest one by one, so that only the refused ones are
		 * skipped */
		for(; kept < ins_rows[k]; kept++) {
			int one;
			if(ins_rows[k] > 1)
				rc = insert_hits(h, HITLOG_NINS - 1, pos, &one);
			if(rc != SQLITE_DONE) {
				if(!skip_row(h, rc))
					return fail_batch(h, "cannot insert "
						"into table hit of", rc);
				skipped++;
			}
			pos++;
		}
	}
	if((r = commit_batch(h, drops, skipped)) != HITLOG_OK)
		return r;
	h->foreign += foreign;
	report_foreign(h, 0);
	h->retention_rows += pos - h->tail - skipped - foreign;
	atomic_fetch_add_explicit(&h->written, pos - h->tail - skipped -
		foreign, memory_order_relaxed);
	*more = (pos - h->tail >= h->txn_limit);
	if(h->txn_limit < h->txn_max)
		h->txn_limit = h->txn_limit * 2 < h->txn_max ?
			h->txn_limit * 2 : h->txn_max;
	release_slots(h, pos);
	return HITLOG_OK;
}

/**
 * Add the pending count of a group to its row, in the open transaction.
 * The row is looked up by its id and must still hold the group's first hit:
 * ids of deleted rows are given out again (INTEGER PRIMARY KEY), so after a
 * DELETE FROM hit, or a backup put back, the id may be another group's row.
 * When the row is gone (deleted by retention or by hand) the group is
 * left without one, to be inserted.
 * @param h: the hit log.
 * @param gr: the group, with a row and hits pending.
 * @return sqlite result code of the step, SQLITE_DONE on success.
 */
static int
update_group(struct hitlog* h, struct hit_group* gr)
{
	int rc;
	sqlite3_bind_int64(h->upd_count, 1, (sqlite3_int64)gr->pending);
	sqlite3_bind_int64(h->upd_count, 2, (sqlite3_int64)gr->rowid);
	bind_hit(h, h->upd_count, 2, h->upd_bound, &h->upd_text, &gr->first);
	rc = sqlite3_step(h->upd_count);
	sqlite3_reset(h->upd_count);
	if(rc == SQLITE_DONE && sqlite3_changes(h->db) == 0)
		gr->rowid = 0;
	return rc;
}

/**
 * Insert the rows of groups with one INSERT statement, in the open
 * transaction, and note the row of each. If one row fails, the statement
 * is undone as a whole and no row of it is in the table; but a trigger's
 * RAISE(FAIL) keeps the rows before the refused one.
 * @param h: the hit log.
 * @param k: index of the statement in ins_hit, of ins_rows[k] rows.
 * @param grs: the groups, ins_rows[k] of them, with hits pending.
 * @param kept: output, how many of the first groups have their row.
 * @return sqlite result code of the step, SQLITE_DONE on success.
 */
static int
insert_groups(struct hitlog* h, int k, struct hit_group** grs, int* kept)
{
	sqlite3_stmt* st = h->ins_hit[k];
	sqlite3_int64 before = sqlite3_total_changes64(h->db), last;
	int i, rc, n = ins_rows[k];
	for(i = 0; i < n; i++) {
		bind_row(h, k, i, &grs[i]->first);
		sqlite3_bind_int64(st, i * HITLOG_COLS + HITLOG_COLS,
			(sqlite3_int64)grs[i]->pending);
	}
	rc = sqlite3_step(st);
	*kept = rc == SQLITE_DONE ? n : sqlite3_changes(h->db);
	sqlite3_reset(st);
	/* the rows got consecutive ids, the last one's known, unless a
	 * trigger changed rows too: then the groups get new rows next time */
	if(*kept == 0 || sqlite3_total_changes64(h->db) - before != *kept)
		return rc;
	last = sqlite3_last_insert_rowid(h->db);
	for(i = 0; i < *kept; i++)
		grs[i]->new_rowid = (int64_t)(last - *kept + 1 + i);
	return rc;
}

/**
 * Insert the rows of up to HITLOG_MULTI groups, with as few statement
 * runs as possible; a statement with a refused row is done again row by
 * row, so that only the refused groups are skipped.
 * @param h: the hit log.
 * @param grs: the groups, with hits pending and no row.
 * @param n: their number.
 * @param skipped: hits of refused groups are added to it.
 * @return SQLITE_DONE, or the result code of a failure that is not one
 *	row's (the transaction must be rolled back).
 */
static int
insert_group_rows(struct hitlog* h, struct hit_group** grs, int n,
	uint64_t* skipped)
{
	while(n > 0) {
		int k = 0, i, rc, one;
		while(ins_rows[k] > n || !h->ins_hit[k])
			k++;
		rc = insert_groups(h, k, grs, &i);
		if(rc != SQLITE_DONE && !skip_row(h, rc))
			return rc;
		/* after the rows the statement kept */
		for(; rc != SQLITE_DONE && i < ins_rows[k]; i++) {
			int rc1 = ins_rows[k] > 1 ? insert_groups(h,
				HITLOG_NINS - 1, grs + i, &one) : rc;
			if(rc1 == SQLITE_DONE)
				continue;
			if(!skip_row(h, rc1))
				return rc1;
			*skipped += grs[i]->pending;
		}
		grs += ins_rows[k];
		n -= ins_rows[k];
	}
	return SQLITE_DONE;
}

/**
 * How long after the last UPDATEs of rows the counts of groups with a row
 * are added to their rows again: HITLOG_COUNT_MS for up to
 * HITLOG_UPDATES_PER_S of them, longer for more, at most
 * HITLOG_UPDATE_MAX_MS.
 * @param with_row: groups that have a row and hits pending.
 * @return ms.
 */
static int64_t
update_due_ms(size_t with_row)
{
	int64_t ms = (int64_t)with_row * 1000 / HITLOG_UPDATES_PER_S;
	return ms < HITLOG_COUNT_MS ? HITLOG_COUNT_MS :
		ms > HITLOG_UPDATE_MAX_MS ? HITLOG_UPDATE_MAX_MS : ms;
}

/**
 * Setting hit_log = 2: count the published hits into their groups and give
 * their slots back at once; every HITLOG_COUNT_MS, when the groups are
 * full, or when forced, write the rows of new groups and the drops in one
 * transaction, and the counts of groups with a row too when they are due
 * (update_due_ms), full or forced. When it fails the counts stay pending,
 * and the groups keep counting until they are full; then the slots stay in
 * the ring.
 * @param h: the hit log.
 * @param force: write now, whatever the time.
 * @param more: output, nonzero if the groups were full (more may be
 *	waiting).
 * @return HITLOG_OK, HITLOG_BUSY or HITLOG_ERROR.
 */
static enum hitlog_result
write_counts(struct hitlog* h, int force, int* more)
{
	uint64_t drops = atomic_load_explicit(&h->dropped,
		memory_order_relaxed);
	uint64_t pos = h->tail, skipped = 0, foreign = 0, rows = 0;
	int64_t now = clock_ms();
	struct hit_group* batch[HITLOG_MULTI];
	enum hitlog_result r;
	size_t i, with_row, without_row;
	int full = 0, n = 0, rc = SQLITE_DONE, updates;
	*more = 0;
	while(ready_slot(h, pos)) {
		if(hit_groups_add(h->groups, &h->slots[pos % h->size]) != 0) {
			full = 1;
			break;
		}
		pos++;
	}
	release_slots(h, pos);
	if(hit_groups_pending(h->groups) == 0 && drops == h->drops_stored)
		return HITLOG_OK;
	if(!force && !full && now - h->count_ms < HITLOG_COUNT_MS)
		return HITLOG_OK;
	h->count_ms = now;
	hit_groups_unwritten(h->groups, &with_row, &without_row);
	updates = force || full || now - h->update_ms >=
		update_due_ms(with_row);
	if(!updates && without_row == 0 && drops == h->drops_stored)
		return HITLOG_OK;
	if((r = begin_batch(h)) != HITLOG_OK)
		return r;
	if((rc = read_history(h)) != SQLITE_DONE)
		return fail_batch(h, "cannot read table revision of", rc);
	/* the counts of groups with a row, then the rows of the others; the
	 * groups of another database's rules are given up */
	for(i = 0; updates && i < hit_groups_count(h->groups) &&
		rc == SQLITE_DONE; i++) {
		struct hit_group* gr = hit_groups_at(h->groups, i);
		if(gr->first.history != h->history) {
			foreign += gr->pending;
			continue;
		}
		if(gr->pending == 0 || !gr->rowid ||
			(rc = update_group(h, gr)) == SQLITE_DONE)
			continue;
		if(skip_row(h, rc)) {
			skipped += gr->pending;
			rc = SQLITE_DONE;
		}
	}
	for(i = 0; i < hit_groups_count(h->groups) && rc == SQLITE_DONE; i++) {
		struct hit_group* gr = hit_groups_at(h->groups, i);
		if(gr->pending == 0 || !hit_group_needs_row(gr, h->history))
			continue;
		batch[n++] = gr;
		rows++;
		if(n == HITLOG_MULTI) {
			rc = insert_group_rows(h, batch, n, &skipped);
			n = 0;
		}
	}
	if(rc == SQLITE_DONE && n > 0)
		rc = insert_group_rows(h, batch, n, &skipped);
	if(rc != SQLITE_DONE) {
		hit_groups_rolled_back(h->groups);
		return fail_batch(h, "cannot write counts to table hit of", rc);
	}
	if((r = commit_batch(h, drops, skipped)) != HITLOG_OK) {
		hit_groups_rolled_back(h->groups);
		return r;
	}
	if(updates)
		h->update_ms = now;
	h->foreign += foreign;
	report_foreign(h, 0);
	h->retention_rows += rows;
	atomic_fetch_add_explicit(&h->written, hit_groups_committed(h->groups,
		skipped + foreign, updates, h->history), memory_order_relaxed);
	hit_groups_prune(h->groups, full);
	*more = full;
	return HITLOG_OK;
}

/**
 * One write attempt, of the kind the setting hit_log asks for.
 * @param h: the hit log.
 * @param force: with counts, write them now.
 * @param more: output, nonzero if more may be waiting.
 * @return HITLOG_OK, HITLOG_BUSY or HITLOG_ERROR.
 */
static enum hitlog_result
write_some(struct hitlog* h, int force, int* more)
{
	*more = 0;
	if(!h->db && reopen_db(h) != 0)
		return HITLOG_ERROR;
	if(h->groups)
		return write_counts(h, force, more);
	return write_batch(h, more);
}

/**
 * Report new drops, at most once per HITLOG_REPORT_MS (or now if forced).
 * @param h: the hit log.
 * @param force: report regardless of the last report.
 */
static void
report_drops(struct hitlog* h, int force)
{
	uint64_t drops = atomic_load_explicit(&h->dropped,
		memory_order_relaxed);
	if(!report_due(drops, h->drops_reported, &h->drops_report_ms, force))
		return;
	hitlog_msg(h, 1, "hit log: queue full (%zu hits), %llu hits "
		"dropped since the last report, %llu since start (see table "
		"hit_drop; raise setting hit_queue_size?)", h->size,
		(unsigned long long)(drops - h->drops_reported),
		(unsigned long long)drops);
	h->drops_reported = drops;
}

/**
 * Delete expired hits in batches of HITLOG_RETENTION_BATCH rows, each its
 * own transaction. While a batch finds fewer, one runs every
 * HITLOG_RETENTION_MS. After a full one, batches run on every round of the
 * writer, in a round at most as many rows as were inserted since the round
 * before plus one batch: deletion keeps up with any rate of inserts and
 * works off a backlog, while a round's deletes cost about what its inserts
 * did, so that the queue still drains.
 * @param h: the hit log.
 */
static void
retention_step(struct hitlog* h)
{
	uint64_t budget = HITLOG_RETENTION_BATCH;
	int64_t now = clock_ms();
	int rc;
	if(!h->db || !h->del_old)
		return;
	if(h->retention_behind)
		budget += h->retention_rows;
	else if(now - h->retention_ms < HITLOG_RETENTION_MS)
		return;
	h->retention_ms = now;
	h->retention_rows = 0;
	h->retention_behind = 0;
	while(budget >= HITLOG_RETENTION_BATCH) {
		budget -= HITLOG_RETENTION_BATCH;
		rc = sqlite3_step(h->del_old);
		sqlite3_reset(h->del_old);
		if(rc != SQLITE_DONE) {
			if(!is_busy(rc) && (h->retention_report_ms == 0 ||
				now - h->retention_report_ms >=
				HITLOG_REPORT_MS)) {
				h->retention_report_ms = now;
				hitlog_msg(h, 1, "hit log: cannot delete old "
					"hits from %s: %s", h->path,
					sqlite3_errstr(rc));
			}
			return;
		}
		if(sqlite3_changes(h->db) < HITLOG_RETENTION_BATCH)
			return;
	}
	h->retention_behind = 1;
}

/**
 * WAL hook: remember the size of the WAL after a commit. Replaces SQLite's
 * automatic checkpoint, which would run inside COMMIT while the slots of
 * the batch are still held.
 * @param arg: the hit log.
 * @param db: the connection.
 * @param name: the database name.
 * @param pages: pages in the WAL.
 * @return SQLITE_OK.
 */
static int
wal_hook(void* arg, sqlite3* db, const char* name, int pages)
{
	(void)db;
	(void)name;
	((struct hitlog*)arg)->wal_pages = pages;
	return SQLITE_OK;
}

/**
 * Checkpoint the WAL when it has grown, after the batch was given back,
 * so that the fsyncs of the checkpoint never hold queue slots.
 * @param h: the hit log.
 */
static void
checkpoint_step(struct hitlog* h)
{
	int rc;
	if(!h->db || h->wal_pages < HITLOG_CHECKPOINT_PAGES)
		return;
	h->wal_pages = 0;
	rc = sqlite3_wal_checkpoint_v2(h->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
		NULL, NULL);
	if(rc != SQLITE_OK && !is_busy(rc))
		hitlog_msg(h, 1, "hit log: cannot checkpoint %s: %s",
			h->path, sqlite3_errmsg(h->db));
}

/**
 * One memory figure of the writer's connection.
 * @param h: the hit log.
 * @param op: SQLITE_DBSTATUS_...
 * @return bytes.
 */
static size_t
db_status(struct hitlog* h, int op)
{
	int cur = 0, hi = 0;
	if(sqlite3_db_status(h->db, op, &cur, &hi, 0) == SQLITE_OK && cur > 0)
		return (size_t)cur;
	return 0;
}

/**
 * Update the memory figure of the writer's connection: the page cache every
 * time, the schema and statements (which SQLite measures by walking every
 * trigger and view, some 100,000 instructions) every HITLOG_MEM_MS.
 * @param h: the hit log.
 */
static void
update_db_mem(struct hitlog* h)
{
	int64_t now = clock_ms();
	if(!h->db)
		return;
	if(h->db_mem_ms == 0 || now - h->db_mem_ms >= HITLOG_MEM_MS) {
		h->db_mem_ms = now;
		h->db_mem_fixed = db_status(h, SQLITE_DBSTATUS_SCHEMA_USED) +
			db_status(h, SQLITE_DBSTATUS_STMT_USED);
	}
	atomic_store_explicit(&h->db_mem, h->db_mem_fixed +
		db_status(h, SQLITE_DBSTATUS_CACHE_USED), memory_order_relaxed);
	atomic_store_explicit(&h->groups_mem, hit_groups_mem(h->groups),
		memory_order_relaxed);
}

/**
 * At stop: write everything still queued, retrying a locked database for
 * HITLOG_STOP_GRACE_MS, then report what had to be given up.
 * @param h: the hit log.
 */
static void
final_flush(struct hitlog* h)
{
	int64_t deadline = clock_ms() + HITLOG_STOP_GRACE_MS;
	for(;;) {
		int more;
		enum hitlog_result r = write_some(h, 1, &more);
		checkpoint_step(h);
		if(r == HITLOG_OK) {
			if(!ready_slot(h, h->tail) && atomic_load_explicit(
				&h->dropped, memory_order_relaxed) ==
				h->drops_stored && (!h->groups ||
				hit_groups_pending(h->groups) == 0))
				break;
			continue;
		}
		if(clock_ms() >= deadline) {
			uint64_t left = hits_waiting(h);
			hitlog_msg(h, 0, "hit log: stopping: gave up "
				"%llu hits and %llu drop counts that could not "
				"be written to %s: %s", (unsigned long long)left,
				(unsigned long long)(atomic_load_explicit(
				&h->dropped, memory_order_relaxed) -
				h->drops_stored), h->path, h->db ?
				sqlite3_errstr(h->last_fail) : "cannot open it");
			break;
		} else {
			struct timespec ts = { 0, HITLOG_STOP_RETRY_MS * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
}

/**
 * At a stop while suspended: the file at the path is not the one in use
 * (deleted, or replaced by one the watcher refused or has not opened yet),
 * so neither the hits still queued nor the drops since the last commit are
 * written to it.
 * @param h: the hit log.
 */
static void
give_up_suspended(struct hitlog* h)
{
	uint64_t left = hits_waiting(h);
	uint64_t drops = atomic_load_explicit(&h->dropped,
		memory_order_relaxed) - h->drops_stored;
	if(left || drops)
		hitlog_msg(h, 0, "hit log: stopping: gave up %llu hits and %llu "
			"drop counts: no database in use at %s (deleted, or "
			"replaced by one not loaded)", (unsigned long long)left,
			(unsigned long long)drops, h->path);
}

/**
 * Take the shared lock. A writer killed while it held it leaves it to
 * Unbound in a consistent state: the fields it guards are plain flags.
 * @param h: the hit log.
 */
static void
lock_shared(struct hitlog* h)
{
	if(pthread_mutex_lock(&h->lock) == EOWNERDEAD)
		pthread_mutex_consistent(&h->lock);
}

/**
 * Wait for wake_shared, under the shared lock (released meanwhile), at most
 * ms. A futex word, not a condition variable: a process-shared condition
 * variable's broadcast can wait for ever on a waiter that was killed.
 * @param h: the hit log.
 * @param ms: longest wait, in ms.
 */
static void
wait_shared(struct hitlog* h, int ms)
{
	struct timespec rel;
	uint32_t seen = atomic_load_explicit(&h->event, memory_order_acquire);
	rel.tv_sec = ms / 1000;
	rel.tv_nsec = (long)(ms % 1000) * 1000000L;
	pthread_mutex_unlock(&h->lock);
	/* returns at once if the word moved on since it was read */
	(void)syscall(SYS_futex, &h->event, FUTEX_WAIT, seen, &rel, NULL, 0);
	lock_shared(h);
}

/**
 * Wake the other process's wait_shared. Called under the shared lock,
 * after the change it is woken for.
 * @param h: the hit log.
 */
static void
wake_shared(struct hitlog* h)
{
	atomic_fetch_add_explicit(&h->event, 1, memory_order_release);
	(void)syscall(SYS_futex, &h->event, FUTEX_WAKE, INT_MAX, NULL, NULL,
		0);
}

/**
 * Whether Unbound's process is gone (the writer's parent is another): then
 * the writer stops as if told to. Writer only, under the lock.
 * @param h: the hit log.
 * @return whether to stop.
 */
static int
told_to_stop(struct hitlog* h)
{
	if(!h->stop && getppid() != h->parent)
		h->stop = 1;
	return h->stop;
}

/**
 * The writer's loop, until told to stop.
 * @param h: the hit log, begun.
 */
static void
writer_main(struct hitlog* h)
{
	int suspended;
	for(;;) {
		int more = 0, stop;
		if(write_some(h, 0, &more) != HITLOG_OK)
			more = 0;
		checkpoint_step(h);
		report_drops(h, 0);
		retention_step(h);
		update_db_mem(h);
		lock_shared(h);
		if(!told_to_stop(h) && !more && !h->suspend)
			wait_shared(h, HITLOG_WAIT_MS);
		if(h->suspend && !told_to_stop(h)) {
			/* the hits wait in the ring, for the file opened next */
			close_db(h);
			h->closed = 1;
			wake_shared(h);
			while(h->suspend && !told_to_stop(h))
				wait_shared(h, HITLOG_WAIT_MS);
			h->closed = 0;
		}
		stop = told_to_stop(h);
		suspended = h->suspend;
		pthread_mutex_unlock(&h->lock);
		if(stop)
			break;
	}
	if(suspended)
		give_up_suspended(h);
	else	final_flush(h);
	/* the drops since the last report, also those hit_drop has not */
	report_drops(h, 1);
	report_skip(h, 1);
	report_foreign(h, 1);
}

/**
 * Run a PRAGMA and return its text result.
 * @param db: connection.
 * @param sql: the PRAGMA.
 * @param out: output buffer for the first column of the first row.
 * @param outlen: its size.
 * @return sqlite result code.
 */
static int
pragma_text(sqlite3* db, const char* sql, char* out, size_t outlen)
{
	sqlite3_stmt* st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	out[0] = 0;
	if(rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if(rc == SQLITE_ROW) {
		const unsigned char* t = sqlite3_column_text(st, 0);
		snprintf(out, outlen, "%s", t ? (const char*)t : "");
		rc = SQLITE_OK;
	} else if(rc == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(st);
	return rc;
}

/**
 * Prepare the INSERT statements of table hit, of ins_rows[i] rows each.
 * @param h: the hit log, with its connection open.
 * @return sqlite result code of the one-row statement (the others are
 *	left NULL if they cannot be prepared; the one-row one replaces them).
 */
static int
prepare_inserts(struct hitlog* h)
{
	static const char head[] = "INSERT INTO hit (ts, client, qname, qtype, "
		"policy_id, action, stage, dnssec, count) VALUES ";
	static const char row[] = "(?,?,?,?,?,?,?,?,?)";
	char sql[sizeof(head) + HITLOG_MULTI * sizeof(row)];
	int k, i, rc = SQLITE_OK;
	for(k = HITLOG_NINS - 1; k >= 0; k--) {
		size_t len = sizeof(head) - 1;
		memcpy(sql, head, len);
		for(i = 0; i < ins_rows[k]; i++) {
			if(i)
				sql[len++] = ',';
			memcpy(sql + len, row, sizeof(row) - 1);
			len += sizeof(row) - 1;
		}
		sql[len] = 0;
		for(i = 0; i < HITLOG_MULTI; i++) {
			int c;
			for(c = 0; c < 4; c++)
				h->bound[k][i][c] = unbound_text;
		}
		rc = sqlite3_prepare_v2(h->db, sql, (int)len, &h->ins_hit[k],
			NULL);
		if(rc != SQLITE_OK) {
			h->ins_hit[k] = NULL;
			if(k == HITLOG_NINS - 1)
				return rc;
			continue;
		}
		/* a row per hit: count 1, bound for good (bindings survive
		 * sqlite3_reset); counted hits bind theirs every time */
		for(i = 0; i < ins_rows[k]; i++)
			sqlite3_bind_int(h->ins_hit[k], i * HITLOG_COLS +
				HITLOG_COLS, 1);
	}
	return SQLITE_OK;
}

/**
 * Open the writer's connection, set it up and prepare its statements.
 * @param h: the hit log, with path, retention_days and log set.
 * @return 0 on success, -1 on failure (reported).
 */
static int
open_db(struct hitlog* h)
{
	char mode[32], mod[32];
	int i, rc = sqlite3_open_v2(h->path, &h->db, SQLITE_OPEN_READWRITE |
		SQLITE_OPEN_NOMUTEX, NULL);
	if(rc != SQLITE_OK) {
		if(!h->open_fail_reported)
			hitlog_msg(h, 0, "hit log: cannot open %s: %s",
			h->path, h->db ? sqlite3_errmsg(h->db) :
			sqlite3_errstr(rc));
		return -1;
	}
	sqlite3_busy_timeout(h->db, HITLOG_BUSY_MS);
	rc = pragma_text(h->db, "PRAGMA journal_mode=WAL", mode, sizeof(mode));
	if((rc != SQLITE_OK || strcmp(mode, "wal") != 0) &&
		!h->open_fail_reported)
		hitlog_msg(h, 1, "hit log: cannot set journal_mode WAL "
			"on %s (%s)%s, hits may wait for readers", h->path,
			rc != SQLITE_OK ? sqlite3_errmsg(h->db) : mode,
			rc != SQLITE_OK ? sqlite_access_hint(rc) : "");
	(void)sqlite3_exec(h->db, "PRAGMA synchronous=NORMAL", NULL, NULL,
		NULL);
	/* The CHECKs of table hit guard rows written by hand: the writer's
	 * stage is 'query' or 'response' and its dnssec NULL or one of
	 * dnssec_names by construction (test_checks_hold). SQLite (3.40)
	 * evaluates the IN list of the dnssec CHECK by building a temporary
	 * b-tree for every row, which was half of the writer's cost per hit;
	 * this connection skips them. Other connections still check. */
	(void)sqlite3_exec(h->db, "PRAGMA ignore_check_constraints=ON", NULL,
		NULL, NULL);
	/* checkpoints are run by the writer after it gave the slots back */
	sqlite3_wal_hook(h->db, wal_hook, h);
	rc = rrtype_table_read(h->db, &h->types);
	if(rc != SQLITE_OK && !h->open_fail_reported)
		hitlog_msg(h, 1, "hit log: cannot read table rrtype of %s: %s; "
			"types Unbound has no mnemonic for are written TYPEnnn",
			h->path, sqlite3_errmsg(h->db));
	rc = prepare_inserts(h);
	if(rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(h->db, "INSERT INTO hit_drop (ts, "
			"dropped) VALUES (?, ?)", -1, &h->ins_drop, NULL);
	if(rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(h->db, "SELECT history FROM revision "
			"WHERE id = 1", -1, &h->sel_history, NULL);
	if(rc == SQLITE_OK && h->groups) {
		/* ?3 to ?10: the columns bind_hit binds, as in the INSERT */
		rc = sqlite3_prepare_v2(h->db, "UPDATE hit SET count = count "
			"+ ?1 WHERE id = ?2 AND ts = ?3 AND client = ?4 AND "
			"qname = ?5 AND qtype = ?6 AND policy_id = ?7 AND "
			"action = ?8 AND stage = ?9 AND dnssec IS ?10", -1,
			&h->upd_count, NULL);
		for(i = 0; i < 4; i++)
			h->upd_bound[i] = unbound_text;
	}
	/* ORDER BY ts: walks index hit_ts and stops after the batch;
	 * ORDER BY id would scan the whole table every time */
	if(rc == SQLITE_OK && h->retention_days > 0)
		rc = sqlite3_prepare_v2(h->db, "DELETE FROM hit WHERE id IN "
			"(SELECT id FROM hit WHERE ts < datetime('now', ?) "
			"ORDER BY ts LIMIT " HITLOG_STR(HITLOG_RETENTION_BATCH) ")",
			-1, &h->del_old, NULL);
	if(rc != SQLITE_OK) {
		if(!h->open_fail_reported)
			hitlog_msg(h, 0, "hit log: cannot prepare statements "
				"on %s: %s", h->path, sqlite3_errmsg(h->db));
		return -1;
	}
	if(h->del_old) {
		snprintf(mod, sizeof(mod), "-%d days", h->retention_days);
		sqlite3_bind_text(h->del_old, 1, mod, -1, SQLITE_TRANSIENT);
	}
	return 0;
}

/**
 * Close the writer's connection and its statements (none open is fine).
 * @param h: the hit log.
 */
static void
close_db(struct hitlog* h)
{
	int k;
	for(k = 0; k < HITLOG_NINS; k++) {
		sqlite3_finalize(h->ins_hit[k]);
		h->ins_hit[k] = NULL;
	}
	sqlite3_finalize(h->ins_drop);
	sqlite3_finalize(h->sel_history);
	sqlite3_finalize(h->upd_count);
	sqlite3_finalize(h->del_old);
	h->ins_drop = h->sel_history = h->upd_count = h->del_old = NULL;
	sqlite3_close(h->db);
	h->db = NULL;
	h->wal_pages = 0;
}

/**
 * Open the connection again after a suspend, or after that failed: the
 * first failure of a run is reported, the run's end too.
 * @param h: the hit log.
 * @return 0 on success, -1 on failure (connection closed).
 */
static int
reopen_db(struct hitlog* h)
{
	if(open_db(h) != 0) {
		close_db(h);
		h->open_fail_reported = 1;
		return -1;
	}
	if(h->open_fail_reported)
		hitlog_msg(h, 2, "hit log: %s is usable again", h->path);
	h->open_fail_reported = 0;
	/* the rows of the groups were in the file opened before */
	if(h->groups)
		hit_groups_forget_rows(h->groups);
	return 0;
}

/**
 * The writer process: wait for the settings, open the database, write
 * until told to stop, and exit. Never returns.
 * @param h: the hit log, in shared memory.
 */
static void
writer_process(struct hitlog* h)
{
	int ok = 0;
	sigset_t none;
	/* its own name in ps and top, beside Unbound's */
	(void)prctl(PR_SET_NAME, "rrpolicy-hits", 0, 0, 0);
	/* Unbound's signals (a stop, a reload: SIGTERM, SIGINT, SIGHUP) are
	 * for Unbound, which tells the writer; a writer ended by them would
	 * lose the hits still queued */
	sigemptyset(&none);
	(void)signal(SIGTERM, SIG_IGN);
	(void)signal(SIGINT, SIG_IGN);
	(void)signal(SIGHUP, SIG_IGN);
	(void)signal(SIGQUIT, SIG_IGN);
	(void)signal(SIGUSR1, SIG_IGN);
	(void)signal(SIGUSR2, SIG_IGN);
	(void)signal(SIGPIPE, SIG_IGN);
	pthread_sigmask(SIG_SETMASK, &none, NULL);
	/* the heap's free pages (after a reload: the caches Unbound emptied)
	 * go from this copy, which would otherwise keep them as Unbound
	 * writes its own */
	(void)malloc_trim(0);
	lock_shared(h);
	while(!h->begun && !told_to_stop(h))
		wait_shared(h, HITLOG_WAIT_MS);
	pthread_mutex_unlock(&h->lock);
	if(h->begun) {
		/* the groups of one minute: half the ring, so that they take
		 * what a full ring's worth of distinct hits brings */
		if(h->counts && !(h->groups = hit_groups_create(h->size / 2)))
			hitlog_msg(h, 0, "hit log: out of memory for counting "
				"hits");
		else if(open_db(h) == 0) {
			update_db_mem(h);
			ok = 1;
		}
		lock_shared(h);
		h->begin_rc = ok ? 1 : -1;
		wake_shared(h);
		pthread_mutex_unlock(&h->lock);
	}
	if(ok)
		writer_main(h);
	close_db(h);
	hit_groups_delete(h->groups);
	/* not exit(): Unbound's atexit handlers and stdio buffers are
	 * Unbound's */
	_exit(0);
}

/**
 * Whether the writer process still runs; reaps it (and reports how it
 * ended, unless it exited as told) when it does not.
 * @param h: the hit log.
 * @param block: wait for it to end.
 * @return 1 if it runs, 0 if not.
 */
static int
writer_runs(struct hitlog* h, int block)
{
	int st = 0;
	pid_t r;
	if(h->pid <= 0)
		return 0;
	while((r = waitpid(h->pid, &st, block ? 0 : WNOHANG)) < 0 &&
		errno == EINTR)
		;
	if(r == 0)
		return 1;
	if(r < 0)
		hitlog_msg(h, 0, "hit log: cannot wait for the writer process "
			"%d: %s", (int)h->pid, strerror(errno));
	else if(WIFSIGNALED(st))
		hitlog_msg(h, 0, "hit log: the writer process %d was killed "
			"by signal %d: hits are no longer written",
			(int)h->pid, WTERMSIG(st));
	else if(WEXITSTATUS(st) != 0)
		hitlog_msg(h, 0, "hit log: the writer process %d exited with "
			"status %d", (int)h->pid, WEXITSTATUS(st));
	h->pid = 0;
	return 0;
}

/**
 * Unmap a hit log whose writer has ended.
 * @param h: the hit log.
 */
static void
hitlog_free(struct hitlog* h)
{
	pthread_mutex_destroy(&h->lock);
	munmap(h, h->map_size);
}

struct hitlog*
hitlog_spawn(hitlog_log_func* log)
{
	struct hitlog* h;
	pthread_mutexattr_t ma;
	sigset_t all, old;
	pid_t pid;
	size_t head = (sizeof(*h) + HITLOG_CACHE_LINE - 1) /
		HITLOG_CACHE_LINE * HITLOG_CACHE_LINE;
	size_t map_size = head + HITLOG_QUEUE_MAX * sizeof(struct hitlog_slot);
	void* mem = mmap(NULL, map_size, PROT_READ | PROT_WRITE, MAP_SHARED |
		MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if(mem == MAP_FAILED) {
		if(log)
			log(0, "hit log: cannot map the queue's shared memory");
		return NULL;
	}
	/* fresh anonymous pages are zero: only the non-zero fields are set */
	h = (struct hitlog*)mem;
	h->map_size = map_size;
	h->slots = (struct hitlog_slot*)((char*)mem + head);
	h->ts_sec = INT64_MIN;
	h->log = log;
	h->parent = getpid();
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&h->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	/* no signal handler of Unbound's runs in the writer before it set
	 * its own dispositions */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	/* the pid into the shared memory by the parent only: the child's
	 * fork() returns 0 */
	pid = fork();
	if(pid == 0)
		writer_process(h);
	h->pid = pid;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if(pid < 0) {
		hitlog_msg(h, 0, "hit log: cannot start the writer process: "
			"%s", strerror(errno));
		hitlog_free(h);
		return NULL;
	}
	return h;
}

int
hitlog_begin(struct hitlog* h, const struct hitlog_config* cfg)
{
	size_t i, size;
	int rc;
	if(!cfg->path || strlen(cfg->path) >= sizeof(h->path)) {
		hitlog_msg(h, 0, "hit log: %s database path",
			cfg->path ? "too long a" : "no");
		return -1;
	}
	/* the ring needs two slots to tell full from empty */
	size = cfg->queue_size < 2 ? 2 : cfg->queue_size;
	if(size > HITLOG_QUEUE_MAX) {
		hitlog_msg(h, 0, "hit log: a queue of %zu hits is larger than "
			"%d", size, HITLOG_QUEUE_MAX);
		return -1;
	}
	h->size = size;
	h->txn_max = size / 2 < HITLOG_TXN_MAX ? size / 2 : HITLOG_TXN_MAX;
	h->txn_limit = h->txn_max;
	h->retention_days = cfg->retention_days;
	h->counts = cfg->counts;
	memcpy(h->path, cfg->path, strlen(cfg->path) + 1);
	for(i = 0; i < size; i++)
		atomic_init(&h->slots[i].seq, (uint64_t)i);
	lock_shared(h);
	h->begun = 1;
	wake_shared(h);
	while(h->begin_rc == 0 && writer_runs(h, 0))
		wait_shared(h, HITLOG_WAIT_MS);
	rc = h->begin_rc;
	pthread_mutex_unlock(&h->lock);
	return rc == 1 ? 0 : -1;
}

struct hitlog*
hitlog_start(const struct hitlog_config* cfg)
{
	struct hitlog* h = hitlog_spawn(cfg->log);
	if(h && hitlog_begin(h, cfg) != 0) {
		hitlog_stop(h);
		return NULL;
	}
	return h;
}

void
hitlog_join(struct hitlog* h)
{
	if(!h)
		return;
	lock_shared(h);
	h->stop = 1;
	wake_shared(h);
	pthread_mutex_unlock(&h->lock);
	(void)writer_runs(h, 1);
}

void
hitlog_stop(struct hitlog* h)
{
	if(!h)
		return;
	hitlog_join(h);
	hitlog_free(h);
}

void
hitlog_suspend(struct hitlog* h)
{
	if(!h)
		return;
	lock_shared(h);
	h->suspend = 1;
	wake_shared(h);
	while(!h->closed && !h->stop && writer_runs(h, 0))
		wait_shared(h, HITLOG_WAIT_MS);
	pthread_mutex_unlock(&h->lock);
}

void
hitlog_resume(struct hitlog* h)
{
	if(!h)
		return;
	lock_shared(h);
	h->suspend = 0;
	wake_shared(h);
	pthread_mutex_unlock(&h->lock);
}

void
hitlog_add(struct hitlog* h, const struct timeval* when,
	const struct sockaddr_storage* addr, socklen_t addrlen,
	const uint8_t* qname, uint16_t qtype, const char* qtype_name,
	int64_t policy_id, const char* action, enum hitlog_stage stage,
	enum hitlog_dnssec dnssec, int64_t history)
{
	struct hitlog_slot* s;
	uint64_t pos;
	size_t len;
	if(!h)
		return;
	pos = atomic_load_explicit(&h->head, memory_order_relaxed);
	for(;;) {
		uint64_t seq;
		int64_t diff;
		s = &h->slots[pos % h->size];
		seq = atomic_load_explicit(&s->seq, memory_order_acquire);
		diff = (int64_t)(seq - pos);
		if(diff == 0) {
			/* free for pos: claim it; on failure pos is reloaded */
			if(atomic_compare_exchange_weak_explicit(&h->head, &pos,
				pos + 1, memory_order_relaxed,
				memory_order_relaxed))
				break;
		} else if(diff < 0) {
			/* still holds the hit of the previous lap: full */
			atomic_fetch_add_explicit(&h->dropped, 1,
				memory_order_relaxed);
			return;
		} else {
			/* another producer took pos */
			pos = atomic_load_explicit(&h->head,
				memory_order_relaxed);
		}
	}
	if(when) {
		s->sec = (int64_t)when->tv_sec;
		s->usec = (uint32_t)when->tv_usec;
	} else {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		s->sec = (int64_t)ts.tv_sec;
		s->usec = (uint32_t)(ts.tv_nsec / 1000);
	}
	s->family = 0;
	if(addr && addr->ss_family == AF_INET &&
		addrlen >= (socklen_t)sizeof(struct sockaddr_in)) {
		s->family = AF_INET;
		memcpy(s->addr, &((const struct sockaddr_in*)addr)->sin_addr, 4);
	} else if(addr && addr->ss_family == AF_INET6 &&
		addrlen >= (socklen_t)sizeof(struct sockaddr_in6)) {
		s->family = AF_INET6;
		memcpy(s->addr, &((const struct sockaddr_in6*)addr)->sin6_addr,
			16);
	}
	len = wire_len(qname);
	s->qname_len = (uint8_t)len;
	if(len)
		memcpy(s->qname, qname, len);
	s->qtype = qtype;
	s->qtype_name = qtype_name;
	s->policy_id = policy_id;
	s->history = history;
	s->action = action;
	s->stage = (uint8_t)stage;
	s->dnssec = (uint8_t)dnssec;
	/* publish */
	atomic_store_explicit(&s->seq, pos + 1, memory_order_release);
}

uint64_t
hitlog_dropped(const struct hitlog* h)
{
	if(!h)
		return 0;
	return atomic_load_explicit(&h->dropped, memory_order_relaxed);
}

uint64_t
hitlog_written(const struct hitlog* h)
{
	if(!h)
		return 0;
	return atomic_load_explicit(&h->written, memory_order_relaxed);
}

size_t
hitlog_mem(const struct hitlog* h)
{
	if(!h)
		return 0;
	return sizeof(*h) + h->size * sizeof(struct hitlog_slot) +
		atomic_load_explicit(&h->db_mem, memory_order_relaxed) +
		atomic_load_explicit(&h->groups_mem, memory_order_relaxed);
}
