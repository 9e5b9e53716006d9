/**
 * \file check_hitlog.c
 * Unit tests of the hit log (module/hitlog.c) on real SQLite files in a
 * temporary directory: rows and columns, flush at stop, drops when the
 * queue is full, adds that do not block while the database is locked,
 * bounded stop on a locked database, retention.
 *
 * With HITLOG_BENCH=1 in the environment a throughput benchmark runs too
 * (it prints rates, it asserts no time).
 */
#include "hitlog.h"
#include "hit_groups.h"
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/** The schema, generated from schema/schema.sql (module/schema_sql.c). */
extern const char rrpolicy_schema_sql[];

/** Temporary directory of the current test. */
static char test_dir[256];
/** Database file of the current test. */
static char test_db[300];

/** Messages the hit log reported, for assertions: in memory shared with
 * the writer process, which reports most of them. */
struct test_log {
	/** the messages, one a line */
	char text[65536];
	/** length of text */
	size_t len;
	/** messages reported per level */
	int count[3];
	/** protects the fields, process-shared */
	pthread_mutex_t lock;
};
/** The shared log (log_init). */
static struct test_log* test_log;
/** The messages, for assertions' output. */
#define log_text (test_log->text)
/** The count of messages per level. */
#define log_count (test_log->count)

/** Map the shared log, before any writer process is forked. */
static void
log_init(void)
{
	pthread_mutexattr_t ma;
	test_log = mmap(NULL, sizeof(*test_log), PROT_READ | PROT_WRITE,
		MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if(test_log == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&test_log->lock, &ma);
	pthread_mutexattr_destroy(&ma);
}

/** Log callback: keep the message and print it. */
static void
log_cb(int level, const char* msg)
{
	size_t n = strlen(msg);
	pthread_mutex_lock(&test_log->lock);
	if(level >= 0 && level < 3)
		test_log->count[level]++;
	if(test_log->len + n + 2 < sizeof(test_log->text)) {
		memcpy(test_log->text + test_log->len, msg, n);
		test_log->len += n;
		test_log->text[test_log->len++] = '\n';
		test_log->text[test_log->len] = 0;
	}
	pthread_mutex_unlock(&test_log->lock);
	fprintf(stderr, "    [hitlog log %d] %s\n", level, msg);
}

/** Whether a reported message contains a text. */
static int
log_has(const char* text)
{
	int r;
	pthread_mutex_lock(&test_log->lock);
	r = strstr(test_log->text, text) != NULL;
	pthread_mutex_unlock(&test_log->lock);
	return r;
}

/** revision.history of the test database: the hits the tests queue are of
 * its rules. */
static int64_t test_history;

/** revision.history of a database. */
static int64_t
history_of(sqlite3* db)
{
	sqlite3_stmt* st;
	int64_t v;
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT history FROM revision",
		-1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/** Create a temporary directory and a database with the schema in it. */
static void
make_db(void)
{
	sqlite3* db;
	char* err = NULL;
	snprintf(test_dir, sizeof(test_dir), "%s/check_hitlog.XXXXXX",
		getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(test_dir));
	snprintf(test_db, sizeof(test_db), "%s/rrpolicy.db", test_dir);
	ck_assert_int_eq(sqlite3_open(test_db, &db), SQLITE_OK);
	if(sqlite3_exec(db, rrpolicy_schema_sql, NULL, NULL, &err) != SQLITE_OK)
		ck_abort_msg("schema: %s", err);
	test_history = history_of(db);
	sqlite3_close(db);
	pthread_mutex_lock(&test_log->lock);
	test_log->len = 0;
	test_log->text[0] = 0;
	memset(test_log->count, 0, sizeof(test_log->count));
	pthread_mutex_unlock(&test_log->lock);
}

/** Remove the temporary directory of the test. */
static void
remove_db(void)
{
	char p[400];
	const char* suffix[] = { "", "-wal", "-shm", "-journal" };
	size_t i;
	for(i = 0; i < sizeof(suffix)/sizeof(suffix[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", test_db, suffix[i]);
		unlink(p);
	}
	rmdir(test_dir);
}

/** Open a second connection to the test database. */
static sqlite3*
open_other(void)
{
	sqlite3* db;
	ck_assert_int_eq(sqlite3_open(test_db, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	return db;
}

/** Run SQL that must succeed on a connection. */
static void
exec_ok(sqlite3* db, const char* sql)
{
	char* err = NULL;
	if(sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		ck_abort_msg("%s: %s", sql, err);
}

/** Integer result of a query on a new connection. */
static long long
query_int(const char* sql)
{
	sqlite3* db = open_other();
	sqlite3_stmt* st;
	long long v = -1;
	if(sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		ck_abort_msg("%s: %s", sql, sqlite3_errmsg(db));
	if(sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/** Settings for the test database. */
static struct hitlog_config
test_cfg(size_t queue_size, int retention_days)
{
	struct hitlog_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.path = test_db;
	cfg.queue_size = queue_size;
	cfg.retention_days = retention_days;
	cfg.log = log_cb;
	return cfg;
}

/** Sleep some ms. */
static void
sleep_ms(long ms)
{
	struct timespec ts;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

/** Monotonic time in seconds. */
static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/** Wait up to max_ms for a query to return want; return the last value. */
static long long
wait_for(const char* sql, long long want, long max_ms)
{
	long waited = 0;
	long long v;
	while((v = query_int(sql)) != want && waited < max_ms) {
		sleep_ms(50);
		waited += 50;
	}
	return v;
}

/** Make an IPv4 socket address. */
static socklen_t
addr4(struct sockaddr_storage* ss, const char* text)
{
	struct sockaddr_in* sa = (struct sockaddr_in*)ss;
	memset(ss, 0, sizeof(*ss));
	sa->sin_family = AF_INET;
	sa->sin_port = htons(53000);
	ck_assert_int_eq(inet_pton(AF_INET, text, &sa->sin_addr), 1);
	return (socklen_t)sizeof(*sa);
}

/** Make an IPv6 socket address. */
static socklen_t
addr6(struct sockaddr_storage* ss, const char* text)
{
	struct sockaddr_in6* sa = (struct sockaddr_in6*)ss;
	memset(ss, 0, sizeof(*ss));
	sa->sin6_family = AF_INET6;
	sa->sin6_port = htons(53000);
	ck_assert_int_eq(inet_pton(AF_INET6, text, &sa->sin6_addr), 1);
	return (socklen_t)sizeof(*sa);
}

/** www.Example.COM in wire format. */
static const uint8_t wire_example[] = "\003www\007Example\003COM";

/**
 * Add one simple hit from 192.0.2.1, time now. No ck_assert here: in fork
 * mode every check writes to a pipe, which would dominate the benchmark.
 */
static void
add_simple(struct hitlog* h, int64_t policy_id)
{
	struct sockaddr_storage ss;
	struct sockaddr_in* sa = (struct sockaddr_in*)&ss;
	struct timeval tv;
	memset(&ss, 0, sizeof(ss));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(0xc0000201);
	gettimeofday(&tv, NULL);
	hitlog_add(h, &tv, &ss, (socklen_t)sizeof(*sa), wire_example, 15, "MX",
		policy_id, "nullmx", HITLOG_QUERY, HITLOG_DNSSEC_NONE,
		test_history);
}

/** What a producer thread of the multi-thread test adds. */
struct producer {
	/** the hit log */
	struct hitlog* h;
	/** thread number */
	int t;
	/** hits to add */
	int n;
};

/** Most producer threads a test starts. */
#define MAX_PRODUCERS 8

/** Run `threads` producers of `per` hits each with fn, and wait for them. */
static void
run_producers(struct hitlog* h, void* (*fn)(void*), int threads, int per)
{
	struct producer p[MAX_PRODUCERS];
	pthread_t th[MAX_PRODUCERS];
	int t;
	ck_assert_int_le(threads, MAX_PRODUCERS);
	for(t = 0; t < threads; t++) {
		p[t].h = h;
		p[t].t = t;
		p[t].n = per;
		ck_assert_int_eq(pthread_create(&th[t], NULL, fn, &p[t]), 0);
	}
	for(t = 0; t < threads; t++)
		pthread_join(th[t], NULL);
}

/** Client address text of hit i of thread t in the multi-thread test. */
static void
mt_client(int t, int i, char* buf, size_t len)
{
	if(i % 3 == 0)
		snprintf(buf, len, "192.0.2.%d", t + 1);
	else if(i % 3 == 1)
		snprintf(buf, len, "2001:db8::%d", t + 1);
	else	snprintf(buf, len, "::ffff:198.51.100.%d", t + 1);
}

/** Producer thread of the multi-thread test. */
static void*
mt_producer(void* arg)
{
	struct producer* p = (struct producer*)arg;
	int i;
	for(i = 0; i < p->n; i++) {
		struct sockaddr_storage ss;
		socklen_t len;
		char client[64];
		struct timeval tv;
		mt_client(p->t, i, client, sizeof(client));
		len = (i % 3 == 0) ? addr4(&ss, client) : addr6(&ss, client);
		gettimeofday(&tv, NULL);
		if(p->t % 2 == 0)
			hitlog_add(p->h, &tv, &ss, len, wire_example, 15, "MX",
				(int64_t)p->t * 1000000 + i, "nullmx",
				HITLOG_QUERY, HITLOG_DNSSEC_NONE, test_history);
		else	hitlog_add(p->h, &tv, &ss, len, wire_example, 65280,
				NULL, (int64_t)p->t * 1000000 + i, "log",
				HITLOG_RESPONSE, HITLOG_DNSSEC_NONE,
				test_history);
	}
	return NULL;
}

START_TEST(test_rows_from_threads)
{
	enum { THREADS = 4, PER = 5000 };
	struct hitlog_config cfg;
	struct hitlog* h;
	sqlite3* db;
	sqlite3_stmt* st;
	int rows = 0;
	make_db();
	cfg = test_cfg(65536, 0);
	h = hitlog_start(&cfg);
	ck_assert_ptr_nonnull(h);
	run_producers(h, mt_producer, THREADS, PER);
	ck_assert_uint_eq(hitlog_dropped(h), 0);
	hitlog_stop(h);

	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"), THREADS*PER);
	ck_assert_int_eq(query_int("SELECT count(DISTINCT policy_id) FROM hit"),
		THREADS*PER);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit WHERE ts GLOB "
		"'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] "
		"[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]'"),
		THREADS*PER);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit WHERE "
		"ts >= datetime('now', '-1 hour')"), THREADS*PER);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit WHERE "
		"ts <= strftime('%Y-%m-%d %H:%M:%f', 'now')"), THREADS*PER);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit_drop"), 0);

	db = open_other();
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT policy_id, client, "
		"qname, qtype, action, stage FROM hit", -1, &st, NULL),
		SQLITE_OK);
	while(sqlite3_step(st) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		int tt = (int)(id / 1000000), i = (int)(id % 1000000);
		char client[64];
		ck_assert_int_lt(tt, THREADS);
		mt_client(tt, i, client, sizeof(client));
		ck_assert_str_eq((const char*)sqlite3_column_text(st, 1),
			client);
		ck_assert_str_eq((const char*)sqlite3_column_text(st, 2),
			"www.example.com.");
		ck_assert_str_eq((const char*)sqlite3_column_text(st, 3),
			tt % 2 == 0 ? "MX" : "TYPE65280");
		ck_assert_str_eq((const char*)sqlite3_column_text(st, 4),
			tt % 2 == 0 ? "nullmx" : "log");
		ck_assert_str_eq((const char*)sqlite3_column_text(st, 5),
			tt % 2 == 0 ? "query" : "response");
		rows++;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	ck_assert_int_eq(rows, THREADS*PER);
	remove_db();
}
END_TEST

START_TEST(test_columns_exact)
{
	/* name cases: wire, text */
	static const struct { const uint8_t* wire; const char* text; } names[] = {
		{ (const uint8_t*)"", "." },
		{ (const uint8_t*)"\007SPAMMER\003com", "spammer.com." },
		{ (const uint8_t*)"\006_dmarc\007Example\003Com", "_dmarc.example.com." },
		{ (const uint8_t*)"\003a b\004test", "a\\032b.test." },
		{ (const uint8_t*)"\002\001A\004test", "\\001a.test." },
		{ (const uint8_t*)"\300\014", "?" },	/* compression pointer */
	};
	/* times: seconds, microseconds, expected ts */
	static const struct { int64_t s; long us; const char* ts; } times[] = {
		{ 1700000000, 123456, "2023-11-14 22:13:20.123" },
		{ 951782400, 999999, "2000-02-29 00:00:00.999" },
		{ 0, 0, "1970-01-01 00:00:00.000" },
		{ 4102444799, 1000, "2099-12-31 23:59:59.001" },
		{ 1709251199, 500000, "2024-02-29 23:59:59.500" },
	};
	struct hitlog_config cfg;
	struct hitlog* h;
	struct sockaddr_storage ss;
	socklen_t len;
	struct timeval tv;
	sqlite3* db;
	sqlite3_stmt* st;
	size_t i;
	char sql[256];
	make_db();
	cfg = test_cfg(1024, 0);
	h = hitlog_start(&cfg);
	ck_assert_ptr_nonnull(h);
	len = addr6(&ss, "2001:db8:0:0:0:0:0:1");
	gettimeofday(&tv, NULL);
	for(i = 0; i < sizeof(names)/sizeof(names[0]); i++)
		hitlog_add(h, &tv, &ss, len, names[i].wire, 16, "TXT",
			100 + (int64_t)i, "block", HITLOG_RESPONSE,
			HITLOG_DNSSEC_BOGUS, test_history);
	len = addr4(&ss, "203.0.113.254");
	for(i = 0; i < sizeof(times)/sizeof(times[0]); i++) {
		tv.tv_sec = (time_t)times[i].s;
		tv.tv_usec = times[i].us;
		hitlog_add(h, &tv, &ss, len, wire_example, 1, "A",
			200 + (int64_t)i, "nxdomain", HITLOG_QUERY,
			HITLOG_DNSSEC_NONE, test_history);
	}
	/* two hours ago: not in the last hour */
	gettimeofday(&tv, NULL);
	tv.tv_sec -= 7200;
	hitlog_add(h, &tv, &ss, len, wire_example, 1, "A", 300, "drop",
		HITLOG_QUERY, HITLOG_DNSSEC_NONE, test_history);
	/* unusable address, NULL action */
	hitlog_add(h, NULL, NULL, 0, wire_example, 1, "A", 301, NULL,
		HITLOG_QUERY, HITLOG_DNSSEC_NONE, test_history);
	hitlog_stop(h);

	db = open_other();
	for(i = 0; i < sizeof(names)/sizeof(names[0]); i++) {
		snprintf(sql, sizeof(sql), "SELECT qname, client, qtype, action, "
			"stage, dnssec FROM hit WHERE policy_id = %d", 100 + (int)i);
		ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
			SQLITE_OK);
		ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
		ck_assert_str_eq((const char*)sqlite3_column_text(st, 0),
			names[i].text);
		ck_assert_str_eq((const char*)sqlite3_column_text(st, 1),
			"2001:db8::1");
		ck_assert_str_eq((const char*)sqlite3_column_text(st, 2), "TXT");
		ck_assert_str_eq((const char*)sqlite3_column_text(st, 3), "block");
		ck_assert_str_eq((const char*)sqlite3_column_text(st, 4),
			"response");
		ck_assert_str_eq((const char*)sqlite3_column_text(st, 5),
			"bogus");
		sqlite3_finalize(st);
	}
	for(i = 0; i < sizeof(times)/sizeof(times[0]); i++) {
		/* also against SQLite's own conversion */
		snprintf(sql, sizeof(sql), "SELECT ts, client, ts = strftime("
			"'%%Y-%%m-%%d %%H:%%M:%%S', %lld, 'unixepoch') || '.' || "
			"printf('%%03d', %ld / 1000), dnssec IS NULL FROM hit "
			"WHERE policy_id = %d",
			(long long)times[i].s, times[i].us, 200 + (int)i);
		ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
			SQLITE_OK);
		ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
		ck_assert_str_eq((const char*)sqlite3_column_text(st, 0),
			times[i].ts);
		ck_assert_str_eq((const char*)sqlite3_column_text(st, 1),
			"203.0.113.254");
		ck_assert_int_eq(sqlite3_column_int(st, 2), 1);
		/* the query stage fetched nothing: dnssec is NULL */
		ck_assert_int_eq(sqlite3_column_int(st, 3), 1);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	/* the names, policy 301 (time now) and the one in 2099 */
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit WHERE "
		"ts >= datetime('now', '-1 hour')"),
		(long long)(sizeof(names)/sizeof(names[0])) + 2);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit WHERE "
		"policy_id = 300 AND ts < datetime('now', '-1 hour') AND "
		"ts >= datetime('now', '-3 hours')"), 1);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit WHERE "
		"policy_id = 301 AND client = 'unknown' AND action = 'unknown' "
		"AND ts >= datetime('now', '-1 hour')"), 1);
	remove_db();
}
END_TEST

START_TEST(test_written_while_running)
{
	struct hitlog_config cfg;
	struct hitlog* h;
	int i;
	make_db();
	cfg = test_cfg(4096, 0);
	h = hitlog_start(&cfg);
	ck_assert_ptr_nonnull(h);
	for(i = 0; i < 100; i++)
		add_simple(h, i);
	/* the writer writes within its period, without a stop */
	ck_assert_int_eq(wait_for("SELECT count(*) FROM hit", 100, 3000), 100);
	for(i = 0; i < 100; i++)
		add_simple(h, 100 + i);
	ck_assert_int_eq(wait_for("SELECT count(*) FROM hit", 200, 3000), 200);
	ck_assert_uint_gt(hitlog_mem(h), 4096 * 256);
	hitlog_stop(h);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"), 200);
	/* the writer switched the database to WAL */
	ck_assert_int_eq(query_int("SELECT journal_mode = 'wal' FROM "
		"pragma_journal_mode"), 1);
	remove_db();
}
END_TEST

START_TEST(test_stop_writes_all)
{
	enum { N = 60000 };
	struct hitlog_config cfg;
	struct hitlog* h;
	int i;
	make_db();
	cfg = test_cfg(65536, 0);
	h = hitlog_start(&cfg);
	ck_assert_ptr_nonnull(h);
	for(i = 0; i < N; i++)
		add_simple(h, i);
	ck_assert_uint_eq(hitlog_dropped(h), 0);
	hitlog_stop(h);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"), N);
	ck_assert_int_eq(query_int("SELECT count(DISTINCT policy_id) FROM hit"),
		N);
	ck_assert_int_eq(log_count[0], 0);
	remove_db();
}
END_TEST

START_TEST(test_drops_counted_locked)
{
	enum { Q = 1024, N = 5000 };
	struct hitlog_config cfg;
	struct hitlog* h;
	sqlite3* other;
	int i;
	make_db();
	cfg = test_cfg(Q, 0);
	h = hitlog_start(&cfg);
	ck_assert_ptr_nonnull(h);
	/* the writer cannot take anything: exactly Q hits fit */
	other = open_other();
	exec_ok(other, "BEGIN EXCLUSIVE");
	for(i = 0; i < N; i++)
		add_simple(h, i);
	ck_assert_uint_eq(hitlog_dropped(h), N - Q);
	exec_ok(other, "COMMIT");
	sqlite3_close(other);
	hitlog_stop(h);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"), Q);
	ck_assert_int_eq(query_int("SELECT max(policy_id) FROM hit"), Q - 1);
	ck_assert_int_eq(query_int("SELECT sum(dropped) FROM hit_drop"), N - Q);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit_drop WHERE "
		"ts >= datetime('now', '-1 hour')"),
		query_int("SELECT count(*) FROM hit_drop"));
	ck_assert(log_has("dropped"));
	remove_db();
}
END_TEST

/** Producer of the burst test: adds as fast as it can. */
static void*
burst_producer(void* arg)
{
	struct producer* p = (struct producer*)arg;
	int i;
	for(i = 0; i < p->n; i++)
		add_simple(p->h, (int64_t)p->t * 1000000 + i);
	return NULL;
}

START_TEST(test_drops_burst)
{
	enum { THREADS = 3, PER = 40000 };
	struct hitlog_config cfg;
	struct hitlog* h;
	long long rows, dropped;
	make_db();
	cfg = test_cfg(1024, 0);
	h = hitlog_start(&cfg);
	ck_assert_ptr_nonnull(h);
	run_producers(h, burst_producer, THREADS, PER);
	dropped = (long long)hitlog_dropped(h);
	hitlog_stop(h);
	rows = query_int("SELECT count(*) FROM hit");
	fprintf(stderr, "    burst into a queue of 1024: %lld rows, %lld "
		"dropped\n", rows, dropped);
	ck_assert_int_eq(rows + dropped, THREADS * PER);
	ck_assert_int_eq(query_int("SELECT coalesce(sum(dropped), 0) FROM "
		"hit_drop"), dropped);
	remove_db();
}
END_TEST

START_TEST(test_locked_db_does_not_block)
{
	enum { N = 1500 };
	struct hitlog_config cfg;
	struct hitlog* h;
	sqlite3* other;
	int i;
	make_db();
	cfg = test_cfg(65536, 0);
	h = hitlog_start(&cfg);
	ck_assert_ptr_nonnull(h);
	add_simple(h, 0);
	ck_assert_int_eq(wait_for("SELECT count(*) FROM hit", 1, 3000), 1);
	/* an operator holds a write transaction for about 1.5 s */
	other = open_other();
	exec_ok(other, "BEGIN EXCLUSIVE");
	for(i = 1; i <= N; i++) {
		add_simple(h, i);
		if(i % 10 == 0)
			sleep_ms(10);
	}
	/* every add returned while the lock is held; nothing got in */
	ck_assert_uint_eq(hitlog_dropped(h), 0);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"), 1);
	exec_ok(other, "COMMIT");
	sqlite3_close(other);
	/* the writer retries by itself: everything lands without a stop */
	ck_assert_int_eq(wait_for("SELECT count(*) FROM hit", N + 1, 5000),
		N + 1);
	hitlog_stop(h);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"), N + 1);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit_drop"), 0);
	ck_assert(log_has("retrying"));
	remove_db();
}
END_TEST

START_TEST(test_stop_gives_up_on_lock)
{
	struct hitlog_config cfg;
	struct hitlog* h;
	sqlite3* other;
	char cause[400];
	double t0;
	int i;
	make_db();
	cfg = test_cfg(1024, 0);
	h = hitlog_start(&cfg);
	ck_assert_ptr_nonnull(h);
	other = open_other();
	exec_ok(other, "BEGIN EXCLUSIVE");
	for(i = 0; i < 10; i++)
		add_simple(h, i);
	t0 = now_s();
	hitlog_stop(h);
	fprintf(stderr, "    stop on a locked database took %.1f s\n",
		now_s() - t0);
	ck_assert(log_has("gave up 10 hits"));
	/* the cause, not the status of the rollback after it */
	snprintf(cause, sizeof(cause), "could not be written to %s: database "
		"is locked", test_db);
	ck_assert_msg(log_has(cause), "no '%s' in the log", cause);
	exec_ok(other, "COMMIT");
	sqlite3_close(other);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"), 0);
	remove_db();
}
END_TEST

/* Unbound stopping while the writer is suspended (the database deleted, or
 * replaced by one not loaded): the hits queued and the drops since the last
 * commit are given up and logged, and nothing is written to the file at the
 * path (the drops were neither written nor logged). */
START_TEST(test_stop_suspended)
{
	enum { Q = 1024, N = 1500 };
	struct hitlog_config cfg;
	struct hitlog* h;
	char msg[160];
	int i;
	make_db();
	cfg = test_cfg(Q, 0);
	h = hitlog_start(&cfg);
	ck_assert_ptr_nonnull(h);
	add_simple(h, 0);
	ck_assert_int_eq(wait_for("SELECT count(*) FROM hit", 1, 3000), 1);
	hitlog_suspend(h);
	for(i = 1; i <= N; i++)
		add_simple(h, i);
	ck_assert_uint_eq(hitlog_dropped(h), N - Q);
	hitlog_stop(h);
	snprintf(msg, sizeof(msg), "gave up %d hits and %d drop counts: no "
		"database in use", Q, N - Q);
	ck_assert_msg(log_has(msg), "no '%s' in the log", msg);
	snprintf(msg, sizeof(msg), "%d hits dropped since the last report, "
		"%d since start", N - Q, N - Q);
	ck_assert_msg(log_has(msg), "no '%s' in the log", msg);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"), 1);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit_drop"), 0);
	remove_db();
}
END_TEST

START_TEST(test_retention)
{
	enum { OLD = 2500, RECENT = 7 };
	struct hitlog_config cfg;
	struct hitlog* h;
	sqlite3* other;
	int i;
	make_db();
	other = open_other();
	exec_ok(other, "BEGIN");
	for(i = 0; i < OLD; i++)
		exec_ok(other, "INSERT INTO hit (ts, client, qname, qtype, "
			"policy_id, action, stage) VALUES (strftime('%Y-%m-%d "
			"%H:%M:%f', 'now', '-40 days'), '192.0.2.9', 'old.test.', "
			"'A', 1, 'block', 'query')");
	for(i = 0; i < RECENT; i++)
		exec_ok(other, "INSERT INTO hit (ts, client, qname, qtype, "
			"policy_id, action, stage) VALUES (strftime('%Y-%m-%d "
			"%H:%M:%f', 'now', '-29 days'), '192.0.2.9', 'new.test.', "
			"'A', 2, 'block', 'query')");
	exec_ok(other, "COMMIT");
	sqlite3_close(other);
	cfg = test_cfg(1024, 30);
	h = hitlog_start(&cfg);
	ck_assert_ptr_nonnull(h);
	add_simple(h, 3);
	/* 1000 rows per batch: one a second, then, while they are full, one
	 * a round */
	ck_assert_int_eq(wait_for("SELECT count(*) FROM hit WHERE policy_id = 1",
		0, 10000), 0);
	hitlog_stop(h);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit WHERE "
		"policy_id = 2"), RECENT);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit WHERE "
		"policy_id = 3"), 1);
	remove_db();
}
END_TEST

/* More expired rows than one batch a second deletes, and hits coming faster
 * than that: once a batch was full, every round of the writer deletes as
 * many rows as it inserted and a batch more, so the expired rows are gone
 * by the time the new hits are written (one batch a second would have
 * deleted a few thousand). */
START_TEST(test_retention_keeps_up)
{
	enum { OLD = 20000, ROUNDS = 5, PER = 8000 };
	struct hitlog_config cfg;
	struct hitlog* h;
	sqlite3* other;
	char sql[400];
	int i, r;
	make_db();
	other = open_other();
	snprintf(sql, sizeof(sql), "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
		"SELECT i + 1 FROM n WHERE i < %d) INSERT INTO hit (ts, client, "
		"qname, qtype, policy_id, action, stage) SELECT strftime("
		"'%%Y-%%m-%%d %%H:%%M:%%f', 'now', '-40 days'), '192.0.2.9', "
		"'old.test.', 'A', 1, 'block', 'query' FROM n", OLD);
	exec_ok(other, sql);
	sqlite3_close(other);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"), OLD);
	cfg = test_cfg(65536, 30);
	h = hitlog_start(&cfg);
	ck_assert_ptr_nonnull(h);
	for(r = 1; r <= ROUNDS; r++) {
		for(i = 0; i < PER; i++)
			add_simple(h, 3);
		ck_assert_int_eq(wait_for("SELECT count(*) FROM hit WHERE "
			"policy_id = 3", r * PER, 10000), r * PER);
	}
	/* the round that wrote the last hits has deleted its share */
	hitlog_stop(h);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit WHERE "
		"policy_id = 1"), 0);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"), ROUNDS * PER);
	remove_db();
}
END_TEST

START_TEST(test_no_retention)
{
	struct hitlog_config cfg;
	struct hitlog* h;
	sqlite3* other;
	make_db();
	other = open_other();
	exec_ok(other, "INSERT INTO hit (ts, client, qname, qtype, policy_id, "
		"action, stage) VALUES ('2001-01-01 00:00:00.000', '192.0.2.9', "
		"'old.test.', 'A', 1, 'block', 'query')");
	sqlite3_close(other);
	cfg = test_cfg(1024, 0);
	h = hitlog_start(&cfg);
	ck_assert_ptr_nonnull(h);
	add_simple(h, 3);
	sleep_ms(1500);
	hitlog_stop(h);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"), 2);
	remove_db();
}
END_TEST

/** Make an operator's trigger refuse the hits of poison.test.
 * @param how: "ABORT" (the statement undone) or "FAIL" (the statement's
 *	rows before the refused one kept). */
static void
refuse_poison_with(const char* how)
{
	char sql[160];
	sqlite3* other = open_other();
	snprintf(sql, sizeof(sql), "CREATE TRIGGER no_poison BEFORE INSERT ON "
		"hit WHEN NEW.qname = 'poison.test.' BEGIN SELECT RAISE(%s, "
		"'no poison'); END", how);
	exec_ok(other, sql);
	sqlite3_close(other);
}

/** refuse_poison_with("ABORT"), the usual trigger. */
static void
refuse_poison(void)
{
	refuse_poison_with("ABORT");
}

/** The two ways a trigger refuses a row, for the tests that loop over
 * them. */
static const char* const refuse_modes[] = { "ABORT", "FAIL" };

START_TEST(test_refused_rows_skipped)
{
	static const uint8_t poison[] = "\006poison\004test";
	struct hitlog_config cfg;
	struct hitlog* h;
	struct sockaddr_storage ss;
	socklen_t len;
	int i;
	make_db();
	/* an operator's trigger refuses some rows: they are skipped, the
	 * others of the same transaction land */
	refuse_poison();
	cfg = test_cfg(1024, 0);
	h = hitlog_start(&cfg);
	ck_assert_ptr_nonnull(h);
	len = addr4(&ss, "192.0.2.7");
	for(i = 0; i < 100; i++) {
		if(i % 10 == 0)
			hitlog_add(h, NULL, &ss, len, poison, 1, "A", i, "block",
				HITLOG_QUERY, HITLOG_DNSSEC_NONE, test_history);
		else	add_simple(h, i);
	}
	hitlog_stop(h);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"), 90);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit WHERE "
		"policy_id % 10 = 0"), 0);
	ck_assert(log_has("no poison"));
	remove_db();
}
END_TEST

START_TEST(test_edge_cases)
{
	struct hitlog_config cfg;
	struct hitlog* h;
	struct stat sb;
	sqlite3* other;
	char missing[400];
	/* NULL hit log: nothing happens */
	hitlog_add(NULL, NULL, NULL, 0, wire_example, 1, "A", 1, "block",
		HITLOG_QUERY, HITLOG_DNSSEC_NONE, test_history);
	hitlog_stop(NULL);
	ck_assert_uint_eq(hitlog_dropped(NULL), 0);
	ck_assert_uint_eq(hitlog_mem(NULL), 0);
	make_db();
	/* a missing database is not created */
	snprintf(missing, sizeof(missing), "%s/missing.db", test_dir);
	cfg = test_cfg(1024, 0);
	cfg.path = missing;
	ck_assert_ptr_null(hitlog_start(&cfg));
	ck_assert_int_ne(stat(missing, &sb), 0);
	ck_assert(log_has("cannot open"));
	/* a database without table hit */
	other = open_other();
	exec_ok(other, "DROP TABLE hit");
	sqlite3_close(other);
	cfg = test_cfg(1024, 7);
	ck_assert_ptr_null(hitlog_start(&cfg));
	ck_assert(log_has("cannot prepare"));
	/* the tiniest queue still works */
	other = open_other();
	exec_ok(other, "CREATE TABLE hit(id INTEGER PRIMARY KEY, ts TEXT NOT "
		"NULL, client TEXT NOT NULL, qname TEXT NOT NULL, qtype TEXT NOT "
		"NULL, policy_id INTEGER, action TEXT NOT NULL, stage TEXT NOT "
		"NULL CHECK(stage IN ('query','response')), dnssec TEXT, "
		"count INTEGER NOT NULL DEFAULT 1)");
	sqlite3_close(other);
	cfg = test_cfg(0, 0);
	h = hitlog_start(&cfg);
	ck_assert_ptr_nonnull(h);
	other = open_other();
	exec_ok(other, "BEGIN EXCLUSIVE");
	add_simple(h, 1);
	add_simple(h, 2);
	add_simple(h, 3);
	ck_assert_uint_eq(hitlog_dropped(h), 1);
	exec_ok(other, "COMMIT");
	sqlite3_close(other);
	hitlog_stop(h);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"), 2);
	ck_assert_int_eq(query_int("SELECT sum(dropped) FROM hit_drop"), 1);
	remove_db();
}
END_TEST

/** Hits 0 .. n-1 of the batching tests: policy id = number, one client. */
static void
add_numbered(struct hitlog* h, int from, int n)
{
	int i;
	for(i = from; i < from + n; i++)
		add_simple(h, i);
}

/** Rows of hit whose policy_id does not follow the previous row's by one
 * (in id order): 0 when the rows are exactly the hits in the order added. */
static long long
out_of_order(void)
{
	return query_int("SELECT count(*) FROM (SELECT policy_id - lag("
		"policy_id) OVER (ORDER BY id) AS d FROM hit) WHERE d <> 1");
}

/** The one child process of this process (the writer): its pid, or -1. */
static pid_t
only_child(void)
{
	char path[64];
	long pid = -1;
	FILE* f;
	snprintf(path, sizeof(path), "/proc/self/task/%d/children",
		(int)getpid());
	if(!(f = fopen(path, "r")))
		return -1;
	if(fscanf(f, "%ld", &pid) != 1)
		pid = -1;
	fclose(f);
	return (pid_t)pid;
}

START_TEST(test_writer_ends_with_parent)
{
	/* Unbound killed, so never stopping its writer: the writer writes
	 * what was queued and exits, instead of waiting for ever */
	pid_t unbound, writer = 0;
	int st = 0, ms;
	make_db();
	/* the writer, orphaned, becomes this process's child */
	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
	unbound = fork();
	ck_assert_int_ge(unbound, 0);
	if(unbound == 0) {
		struct hitlog_config cfg = test_cfg(1024, 0);
		struct hitlog* h = hitlog_start(&cfg);
		if(!h)
			_exit(1);
		add_numbered(h, 0, 50);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(unbound, &st, 0), unbound);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	for(ms = 0; ms < 5000 && writer == 0; ms += 50) {
		writer = waitpid(-1, &st, WNOHANG);
		if(writer == 0)
			sleep_ms(50);
	}
	(void)prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
	ck_assert_msg(writer > 0, "the writer still runs 5 s after its "
		"parent ended");
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"), 50);
	ck_assert_int_eq(out_of_order(), 0);
	remove_db();
}
END_TEST

START_TEST(test_writer_killed)
{
	/* a writer killed (the OOM killer, an operator): Unbound's side does
	 * not wait for it for ever, and says what happened */
	struct hitlog_config cfg;
	struct hitlog* h;
	pid_t writer;
	make_db();
	cfg = test_cfg(1024, 0);
	h = hitlog_start(&cfg);
	ck_assert_ptr_nonnull(h);
	writer = only_child();
	ck_assert_int_gt(writer, 0);
	ck_assert_int_eq(kill(writer, SIGKILL), 0);
	/* the suspend of a replaced file waits for the writer to close */
	hitlog_suspend(h);
	ck_assert(log_has("was killed by signal 9"));
	add_numbered(h, 0, 5);
	hitlog_resume(h);
	hitlog_stop(h);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"), 0);
	remove_db();
}
END_TEST

START_TEST(test_batch_sizes)
{
	/* transactions of every size around the statements of 64, 16, 4 and
	 * 1 rows: each written whole, in order, once */
	static const int sizes[] = { 1, 3, 4, 5, 15, 16, 17, 63, 64, 65, 101,
		127, 128, 129, 333, 500 };
	struct hitlog_config cfg;
	struct hitlog* h;
	sqlite3* other;
	size_t i;
	int total = 0;
	make_db();
	/* 1000 slots: a transaction holds at most 500, no multiple of 64 */
	cfg = test_cfg(1000, 0);
	h = hitlog_start(&cfg);
	ck_assert_ptr_nonnull(h);
	for(i = 0; i < sizeof(sizes)/sizeof(sizes[0]); i++) {
		char sql[64];
		/* the lock makes the writer take all of them in one go */
		other = open_other();
		exec_ok(other, "BEGIN EXCLUSIVE");
		add_numbered(h, total, sizes[i]);
		exec_ok(other, "COMMIT");
		sqlite3_close(other);
		total += sizes[i];
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM hit");
		ck_assert_int_eq(wait_for(sql, total, 5000), total);
	}
	hitlog_stop(h);
	ck_assert_uint_eq(hitlog_written(NULL), 0);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"), total);
	ck_assert_int_eq(query_int("SELECT min(policy_id) FROM hit"), 0);
	ck_assert_int_eq(query_int("SELECT max(policy_id) FROM hit"), total - 1);
	ck_assert_int_eq(out_of_order(), 0);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit WHERE client <> "
		"'192.0.2.1' OR qname <> 'www.example.com.' OR qtype <> 'MX' OR "
		"action <> 'nullmx' OR stage <> 'query' OR dnssec IS NOT NULL"), 0);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit_drop"), 0);
	remove_db();
}
END_TEST

START_TEST(test_full_ring_batches)
{
	/* a full ring of 1000 (transactions of at most 500), a lap ahead of
	 * the writer: 1000 written in order, the rest dropped and counted */
	enum { Q = 1000, N = 2345 };
	struct hitlog_config cfg;
	struct hitlog* h;
	sqlite3* other;
	make_db();
	cfg = test_cfg(Q, 0);
	h = hitlog_start(&cfg);
	ck_assert_ptr_nonnull(h);
	other = open_other();
	exec_ok(other, "BEGIN EXCLUSIVE");
	add_numbered(h, 0, N);
	ck_assert_uint_eq(hitlog_dropped(h), N - Q);
	exec_ok(other, "COMMIT");
	sqlite3_close(other);
	ck_assert_int_eq(wait_for("SELECT count(*) FROM hit", Q, 5000), Q);
	/* the ring has room again: more go in behind them */
	add_numbered(h, N, 77);
	hitlog_stop(h);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"), Q + 77);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit WHERE "
		"policy_id < " "1000"), Q);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit WHERE "
		"policy_id >= 2345"), 77);
	ck_assert_int_eq(query_int("SELECT count(DISTINCT policy_id) FROM hit"),
		Q + 77);
	ck_assert_int_eq(query_int("SELECT sum(dropped) FROM hit_drop"), N - Q);
	remove_db();
}
END_TEST

START_TEST(test_refused_in_multi_row)
{
	/* refused rows at the edges of the 64-row statements of one
	 * transaction: only they are skipped, the others land once, in order;
	 * also where the trigger's RAISE(FAIL) keeps the rows of the statement
	 * before the refused one */
	static const uint8_t poison[] = "\006poison\004test";
	static const int bad[] = { 0, 40, 63, 64, 100, 127, 128, 191, 199 };
	enum { N = 200 };
	struct hitlog_config cfg;
	struct hitlog* h;
	struct sockaddr_storage ss;
	socklen_t len;
	sqlite3* other;
	size_t b = 0;
	int i;
	make_db();
	refuse_poison_with(refuse_modes[_i]);
	cfg = test_cfg(1024, 0);
	h = hitlog_start(&cfg);
	ck_assert_ptr_nonnull(h);
	len = addr4(&ss, "192.0.2.7");
	other = open_other();
	exec_ok(other, "BEGIN EXCLUSIVE");
	for(i = 0; i < N; i++) {
		if(b < sizeof(bad)/sizeof(bad[0]) && bad[b] == i) {
			hitlog_add(h, NULL, &ss, len, poison, 1, "A", i, "block",
				HITLOG_QUERY, HITLOG_DNSSEC_NONE, test_history);
			b++;
		} else	add_simple(h, i);
	}
	exec_ok(other, "COMMIT");
	sqlite3_close(other);
	hitlog_stop(h);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"),
		N - (long long)(sizeof(bad)/sizeof(bad[0])));
	ck_assert_int_eq(query_int("SELECT count(DISTINCT policy_id) FROM hit"),
		N - (long long)(sizeof(bad)/sizeof(bad[0])));
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit WHERE policy_id "
		"IN (0, 40, 63, 64, 100, 127, 128, 191, 199)"), 0);
	ck_assert_int_eq(query_int("SELECT count(*) FROM (SELECT policy_id < "
		"lag(policy_id) OVER (ORDER BY id) AS back FROM hit) WHERE back"),
		0);
	ck_assert(log_has("no poison"));
	remove_db();
}
END_TEST

START_TEST(test_rollback_trigger)
{
	/* a trigger that rolls the whole transaction back: nothing of the
	 * batch may land outside a transaction (no duplicates later) */
	struct hitlog_config cfg;
	struct hitlog* h;
	sqlite3* other;
	make_db();
	/* forked before this process opens a connection (hitlog_spawn) */
	h = hitlog_spawn(log_cb);
	ck_assert_ptr_nonnull(h);
	other = open_other();
	exec_ok(other, "CREATE TABLE gate (open INTEGER)");
	exec_ok(other, "INSERT INTO gate VALUES (0)");
	exec_ok(other, "CREATE TRIGGER closed BEFORE INSERT ON hit "
		"WHEN (SELECT open FROM gate) = 0 AND NEW.policy_id = 70 BEGIN "
		"SELECT RAISE(ROLLBACK, 'gate closed'); END");
	cfg = test_cfg(1024, 0);
	ck_assert_int_eq(hitlog_begin(h, &cfg), 0);
	exec_ok(other, "BEGIN EXCLUSIVE");
	add_numbered(h, 0, 150);
	exec_ok(other, "COMMIT");
	/* the writer fails and retries; nothing is in the table */
	sleep_ms(700);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"), 0);
	exec_ok(other, "UPDATE gate SET open = 1");
	sqlite3_close(other);
	ck_assert_int_eq(wait_for("SELECT count(*) FROM hit", 150, 5000), 150);
	hitlog_stop(h);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"), 150);
	ck_assert_int_eq(out_of_order(), 0);
	ck_assert(log_has("cannot insert into table hit"));
	remove_db();
}
END_TEST

START_TEST(test_busy_commit)
{
	/* no WAL (a reader held the database when the writer started), so a
	 * reader makes COMMIT fail busy after the rows were inserted: the
	 * transaction is rolled back, the slots kept, everything written
	 * once when the reader is gone */
	enum { N = 300 };
	struct hitlog_config cfg;
	struct hitlog* h;
	sqlite3* reader;
	sqlite3_stmt* st;
	make_db();
	/* forked before this process opens a connection (hitlog_spawn): a
	 * connection of the parent's open at the fork would share its lock
	 * state with the writer's, in the writer's copy of SQLite */
	h = hitlog_spawn(log_cb);
	ck_assert_ptr_nonnull(h);
	reader = open_other();
	sqlite3_busy_timeout(reader, 0);
	exec_ok(reader, "BEGIN");
	ck_assert_int_eq(sqlite3_prepare_v2(reader, "SELECT count(*) FROM hit",
		-1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	cfg = test_cfg(1024, 0);
	ck_assert_int_eq(hitlog_begin(h, &cfg), 0);
	ck_assert(log_has("cannot set journal_mode WAL"));
	add_numbered(h, 0, N);
	sleep_ms(900);
	ck_assert_uint_eq(hitlog_written(h), 0);
	ck_assert(log_has("cannot commit"));
	sqlite3_finalize(st);
	exec_ok(reader, "COMMIT");
	sqlite3_close(reader);
	ck_assert_int_eq(wait_for("SELECT count(*) FROM hit", N, 5000), N);
	hitlog_stop(h);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"), N);
	ck_assert_int_eq(out_of_order(), 0);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit_drop"), 0);
	remove_db();
}
END_TEST

START_TEST(test_client_text)
{
	/* the writer formats addresses itself: exactly as inet_ntop does */
	static const char* const fixed[] = { "::", "::1", "::2", "1::",
		"::ffff:0.0.0.0", "::ffff:198.51.100.255", "::1.2.3.4",
		"::0.0.1.1", "::ffff:0:1.2.3.4", "0:0:0:0:0:ffff:0:0",
		"1:0:0:1:0:0:0:1", "1:0:0:0:1:0:0:1", "1:0:1:0:1:0:1:0",
		"fe80::1:2", "2001:db8::", "1:2:3:4:5:6:7:8",
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "0:1:0:0:0:0:0:0",
		"::ffff:1:2", "::fffe:1.2.3.4", "1::ffff:1.2.3.4" };
	enum { RANDOM = 3000 };
	struct hitlog_config cfg;
	struct hitlog* h;
	sqlite3* db;
	sqlite3_stmt* st;
	unsigned rnd = 4711;
	int i, n = 0, rows = 0;
	static char want[RANDOM + 64][INET6_ADDRSTRLEN];
	make_db();
	cfg = test_cfg(8192, 0);
	h = hitlog_start(&cfg);
	ck_assert_ptr_nonnull(h);
	for(i = 0; i < (int)(sizeof(fixed)/sizeof(fixed[0])) + RANDOM; i++) {
		struct sockaddr_storage ss;
		socklen_t len;
		if(i < (int)(sizeof(fixed)/sizeof(fixed[0]))) {
			len = addr6(&ss, fixed[i]);
		} else if(i % 4 == 0) {
			/* IPv4, octets of 1, 2 and 3 digits */
			struct sockaddr_in* sa = (struct sockaddr_in*)&ss;
			int k;
			memset(&ss, 0, sizeof(ss));
			sa->sin_family = AF_INET;
			for(k = 0; k < 4; k++) {
				rnd = rnd * 1103515245u + 12345u;
				((uint8_t*)&sa->sin_addr)[k] = (uint8_t)(
					(rnd >> 16) % 3 == 0 ? (rnd >> 8) % 10 :
					(rnd >> 8));
			}
			len = (socklen_t)sizeof(*sa);
		} else {
			/* IPv6 of random groups, most of them zero */
			struct sockaddr_in6* sa = (struct sockaddr_in6*)&ss;
			int k;
			memset(&ss, 0, sizeof(ss));
			sa->sin6_family = AF_INET6;
			for(k = 0; k < 8; k++) {
				unsigned v;
				rnd = rnd * 1103515245u + 12345u;
				v = (rnd >> 16) % 5 < 3 ? 0 : (rnd >> 4) %
					((rnd >> 20) % 2 ? 0x10000 : 0x20);
				if(k == 5 && (rnd >> 12) % 4 == 0)
					v = 0xffff;
				sa->sin6_addr.s6_addr[2*k] = (uint8_t)(v >> 8);
				sa->sin6_addr.s6_addr[2*k + 1] = (uint8_t)v;
			}
			len = (socklen_t)sizeof(*sa);
		}
		ck_assert_ptr_nonnull(inet_ntop(ss.ss_family, ss.ss_family ==
			AF_INET ? (void*)&((struct sockaddr_in*)&ss)->sin_addr :
			(void*)&((struct sockaddr_in6*)&ss)->sin6_addr, want[n],
			INET6_ADDRSTRLEN));
		hitlog_add(h, NULL, &ss, len, wire_example, 1, "A", n, "block",
			HITLOG_QUERY, HITLOG_DNSSEC_NONE, test_history);
		n++;
	}
	hitlog_stop(h);
	db = open_other();
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT policy_id, client "
		"FROM hit ORDER BY id", -1, &st, NULL), SQLITE_OK);
	while(sqlite3_step(st) == SQLITE_ROW) {
		int id = sqlite3_column_int(st, 0);
		ck_assert_int_lt(id, n);
		ck_assert_str_eq((const char*)sqlite3_column_text(st, 1),
			want[id]);
		rows++;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	ck_assert_int_eq(rows, n);
	remove_db();
}
END_TEST

START_TEST(test_checks_hold)
{
	/* the writer's connection skips the CHECKs of table hit: every value
	 * it writes must pass them (integrity_check evaluates them) */
	static const enum hitlog_dnssec sec[] = { HITLOG_DNSSEC_NONE,
		HITLOG_DNSSEC_SECURE, HITLOG_DNSSEC_INSECURE, HITLOG_DNSSEC_BOGUS,
		HITLOG_DNSSEC_INDETERMINATE, (enum hitlog_dnssec)77 };
	struct hitlog_config cfg;
	struct hitlog* h;
	struct sockaddr_storage ss;
	socklen_t len;
	sqlite3* db;
	sqlite3_stmt* st;
	size_t i;
	int stage;
	make_db();
	cfg = test_cfg(1024, 0);
	h = hitlog_start(&cfg);
	ck_assert_ptr_nonnull(h);
	len = addr4(&ss, "192.0.2.3");
	for(stage = 0; stage < 3; stage++)
		for(i = 0; i < sizeof(sec)/sizeof(sec[0]); i++)
			hitlog_add(h, NULL, &ss, len, wire_example, 1, "A",
				(int64_t)i, "block", (enum hitlog_stage)stage,
				sec[i], test_history);
	hitlog_stop(h);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"),
		3 * (long long)(sizeof(sec)/sizeof(sec[0])));
	db = open_other();
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check",
		-1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char*)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	sqlite3_close(db);
	/* and the CHECKs still apply to everyone else */
	db = open_other();
	ck_assert_int_ne(sqlite3_exec(db, "INSERT INTO hit (ts, client, qname, "
		"qtype, policy_id, action, stage, dnssec) VALUES ('2001-01-01 "
		"00:00:00', 'x', 'x.', 'A', 1, 'block', 'query', 'maybe')", NULL,
		NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	remove_db();
}
END_TEST

/** CPU seconds (user + system) the process used so far. */
static double
cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		(double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/** Paced producer of the benchmark. */
struct pacer {
	/** the hit log */
	struct hitlog* h;
	/** hits per second of this thread */
	double rate;
	/** seconds */
	double secs;
	/** hits added */
	long added;
};

/** Benchmark producer: adds at a fixed rate, in 1 ms steps. */
static void*
paced_producer(void* arg)
{
	struct pacer* p = (struct pacer*)arg;
	double t0 = now_s(), t;
	p->added = 0;
	while((t = now_s() - t0) < p->secs) {
		long want = (long)(t * p->rate);
		while(p->added < want)
			add_simple(p->h, p->added++);
		sleep_ms(1);
	}
	return NULL;
}

START_TEST(test_bench)
{
	static const double rates[] = { 50000, 100000, 200000, 300000 };
	size_t r;
	if(!getenv("HITLOG_BENCH"))
		return;
	/* sustained: two producers at a fixed total rate for 10 s */
	for(r = 0; r < sizeof(rates)/sizeof(rates[0]); r++) {
		struct hitlog_config cfg;
		struct hitlog* h;
		struct pacer p[2];
		pthread_t th[2];
		double t0, tstop, c0;
		long total;
		int t;
		make_db();
		cfg = test_cfg(65536, 30);
		h = hitlog_start(&cfg);
		ck_assert_ptr_nonnull(h);
		t0 = now_s();
		c0 = cpu_s();
		for(t = 0; t < 2; t++) {
			p[t].h = h;
			p[t].rate = rates[r] / 2;
			p[t].secs = 10;
			pthread_create(&th[t], NULL, paced_producer, &p[t]);
		}
		for(t = 0; t < 2; t++)
			pthread_join(th[t], NULL);
		total = p[0].added + p[1].added;
		tstop = now_s();
		fprintf(stderr, "BENCH paced %.0f/s for 10 s: added %ld in "
			"%.2f s, dropped %llu, CPU %.0f%% of one core, ",
			rates[r], total, tstop - t0,
			(unsigned long long)hitlog_dropped(h),
			100 * (cpu_s() - c0) / (tstop - t0));
		hitlog_stop(h);
		fprintf(stderr, "stop took %.3f s, rows %lld\n",
			now_s() - tstop, query_int("SELECT count(*) FROM hit"));
		remove_db();
	}
	/* raw writer throughput: fill a big queue while the database is
	 * locked, release it, time until everything is written */
	{
		enum { BIG = 1000000 };
		struct hitlog_config cfg;
		struct hitlog* h;
		sqlite3* other;
		double t0, t1;
		int i;
		make_db();
		cfg = test_cfg(BIG, 0);
		h = hitlog_start(&cfg);
		ck_assert_ptr_nonnull(h);
		other = open_other();
		exec_ok(other, "BEGIN EXCLUSIVE");
		t0 = now_s();
		for(i = 0; i < BIG; i++)
			add_simple(h, i);
		t1 = now_s();
		fprintf(stderr, "BENCH one producer, no contention: %.0f adds/s "
			"(%.0f ns per add)\n", BIG / (t1 - t0),
			(t1 - t0) * 1e9 / BIG);
		exec_ok(other, "COMMIT");
		sqlite3_close(other);
		t0 = now_s();
		wait_for("SELECT max(id) FROM hit", BIG, 60000);
		t1 = now_s();
		fprintf(stderr, "BENCH writer: %d rows in %.2f s = %.0f rows/s "
			"(polled every 50 ms)\n", BIG, t1 - t0, BIG / (t1 - t0));
		hitlog_stop(h);
		remove_db();
	}
}
END_TEST

/* ------------------------------------------------------------------
 * hit_log = 2: hits counted per client, name, type, rule, action,
 * stage, DNSSEC status and minute.
 * ------------------------------------------------------------------ */

/** A time at the start of a minute (2023-11-14 22:14:00 UTC). */
#define MINUTE0 ((time_t)1700000040)

/** Settings with counts. */
static struct hitlog_config
counts_cfg(size_t queue_size)
{
	struct hitlog_config cfg = test_cfg(queue_size, 0);
	cfg.counts = 1;
	return cfg;
}

/**
 * Add a hit with every field given.
 * @param h: the hit log.
 * @param sec: time, seconds since the epoch.
 * @param usec: microseconds.
 * @param client: IPv4 or IPv6 address text.
 * @param qname: wire name.
 * @param policy_id: the rule.
 * @param action: the action.
 * @param stage: the stage.
 */
static void
add_key(struct hitlog* h, time_t sec, long usec, const char* client,
	const uint8_t* qname, int64_t policy_id, const char* action,
	enum hitlog_stage stage)
{
	struct sockaddr_storage ss;
	struct timeval tv;
	socklen_t len = strchr(client, ':') ? addr6(&ss, client) :
		addr4(&ss, client);
	tv.tv_sec = sec;
	tv.tv_usec = (suseconds_t)usec;
	hitlog_add(h, &tv, &ss, len, qname, 15, "MX", policy_id, action,
		stage, stage == HITLOG_RESPONSE ? HITLOG_DNSSEC_SECURE :
		HITLOG_DNSSEC_NONE, test_history);
}

/** Text result of a query on a new connection, "" for none or NULL. */
static void
query_text(const char* sql, char* out, size_t len)
{
	sqlite3* db = open_other();
	sqlite3_stmt* st;
	out[0] = 0;
	if(sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		ck_abort_msg("%s: %s", sql, sqlite3_errmsg(db));
	if(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, len, "%s", (const char*)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

START_TEST(test_counts_groups)
{
	static const uint8_t upper[] = "\003WWW\007example\003com";
	static const uint8_t other[] = "\005other\004test";
	struct hitlog_config cfg = counts_cfg(4096);
	struct hitlog* h;
	char ts[64];
	int i;
	make_db();
	h = hitlog_start(&cfg);
	ck_assert_ptr_nonnull(h);
	/* one group, whatever the case of the name: 100 hits */
	for(i = 0; i < 50; i++) {
		add_key(h, MINUTE0 + 5, 250000 + i, "192.0.2.1", wire_example,
			7, "nullmx", HITLOG_QUERY);
		add_key(h, MINUTE0 + 6, i, "192.0.2.1", upper, 7, "nullmx",
			HITLOG_QUERY);
	}
	/* each differs from that group in one part of the key: 3 hits each */
	for(i = 0; i < 3; i++) {
		add_key(h, MINUTE0 + 7, 0, "192.0.2.2", wire_example, 7,
			"nullmx", HITLOG_QUERY);
		add_key(h, MINUTE0 + 7, 0, "2001:db8::1", wire_example, 7,
			"nullmx", HITLOG_QUERY);
		add_key(h, MINUTE0 + 7, 0, "192.0.2.1", other, 7, "nullmx",
			HITLOG_QUERY);
		add_key(h, MINUTE0 + 7, 0, "192.0.2.1", wire_example, 8,
			"nullmx", HITLOG_QUERY);
		add_key(h, MINUTE0 + 7, 0, "192.0.2.1", wire_example, 7,
			"log", HITLOG_QUERY);
		add_key(h, MINUTE0 + 7, 0, "192.0.2.1", wire_example, 7,
			"nullmx", HITLOG_RESPONSE);
		/* the minute's last second, in microseconds past the
		 * second, still belongs to it */
		add_key(h, MINUTE0 + 59, 999999, "192.0.2.1", wire_example, 7,
			"nullmx", HITLOG_QUERY);
	}
	/* the next minute, after every hit of the first: a write between
	 * two hits may forget the first minute's groups once it has counted
	 * a later minute, and its next hits would start new rows */
	for(i = 0; i < 3; i++)
		add_key(h, MINUTE0 + 60, 0, "192.0.2.1", wire_example, 7,
			"nullmx", HITLOG_QUERY);
	hitlog_stop(h);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"), 8);
	ck_assert_int_eq(query_int("SELECT sum(count) FROM hit"), 100 + 8 * 3);
	ck_assert_int_eq(query_int("SELECT count FROM hit WHERE client = "
		"'192.0.2.1' AND qname = 'www.example.com.' AND policy_id = 7 "
		"AND action = 'nullmx' AND stage = 'query' AND ts < "
		"'2023-11-14 22:15'"), 103);
	query_text("SELECT ts FROM hit WHERE count = 103", ts, sizeof(ts));
	ck_assert_str_eq(ts, "2023-11-14 22:14:05.250");
	ck_assert_int_eq(query_int("SELECT count FROM hit WHERE ts >= "
		"'2023-11-14 22:15'"), 3);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit WHERE count = 3 "
		"AND qtype = 'MX'"), 7);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit WHERE stage = "
		"'response' AND dnssec = 'secure'"), 1);
	ck_assert_int_eq(query_int("SELECT hits FROM top_clients WHERE "
		"client = '192.0.2.1'"), 100 + 6 * 3);
	ck_assert_int_eq(query_int("SELECT sum(hits) FROM "
		"hits_per_rule_per_day"), 100 + 8 * 3);
	ck_assert_int_eq(log_count[0], 0);
	remove_db();
}
END_TEST

START_TEST(test_counts_added_to_row)
{
	struct hitlog_config cfg = counts_cfg(4096);
	struct hitlog* h;
	sqlite3* other;
	int i;
	make_db();
	h = hitlog_start(&cfg);
	ck_assert_ptr_nonnull(h);
	for(i = 0; i < 10; i++)
		add_key(h, MINUTE0, i, "192.0.2.1", wire_example, 7, "nullmx",
			HITLOG_QUERY);
	ck_assert_int_eq(wait_for("SELECT sum(count) FROM hit", 10, 5000), 10);
	/* later hits of the same minute: added to the row */
	for(i = 0; i < 20; i++)
		add_key(h, MINUTE0 + 30, i, "192.0.2.1", wire_example, 7,
			"nullmx", HITLOG_QUERY);
	ck_assert_int_eq(wait_for("SELECT sum(count) FROM hit", 30, 5000), 30);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"), 1);
	ck_assert_uint_eq(hitlog_written(h), 30);
	/* the row deleted by hand: the next hits get a new one */
	other = open_other();
	exec_ok(other, "DELETE FROM hit");
	sqlite3_close(other);
	for(i = 0; i < 5; i++)
		add_key(h, MINUTE0 + 40, i, "192.0.2.1", wire_example, 7,
			"nullmx", HITLOG_QUERY);
	ck_assert_int_eq(wait_for("SELECT sum(count) FROM hit", 5, 5000), 5);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"), 1);
	/* 101 new groups: rows inserted 64, 16, 16, 4 and 1 at a time; the
	 * next hits of each group go to its own row */
	for(i = 0; i < 101; i++)
		add_key(h, MINUTE0 + 41, 0, "192.0.2.1", wire_example, 100 + i,
			"nullmx", HITLOG_QUERY);
	ck_assert_int_eq(wait_for("SELECT sum(count) FROM hit", 106, 5000),
		106);
	for(i = 0; i < 101 * 3; i++)
		add_key(h, MINUTE0 + 42, 0, "192.0.2.1", wire_example,
			100 + i % 101, "nullmx", HITLOG_QUERY);
	hitlog_stop(h);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"), 102);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit WHERE "
		"policy_id >= 100 AND count = 4"), 101);
	ck_assert_int_eq(query_int("SELECT count FROM hit WHERE policy_id = 7"),
		5);
	remove_db();
}
END_TEST

/* The rows deleted by hand, and a new group's row given the id of an old
 * group's (INTEGER PRIMARY KEY hands out the ids of deleted rows again):
 * the old group's next hits do not go into the new group's row. */
START_TEST(test_counts_row_id_reused)
{
	struct hitlog_config cfg = counts_cfg(4096);
	struct hitlog* h;
	sqlite3* other;
	make_db();
	h = hitlog_start(&cfg);
	ck_assert_ptr_nonnull(h);
	add_key(h, MINUTE0, 0, "192.0.2.1", wire_example, 1, "nullmx",
		HITLOG_QUERY);
	add_key(h, MINUTE0, 0, "192.0.2.1", wire_example, 2, "nullmx",
		HITLOG_QUERY);
	ck_assert_int_eq(wait_for("SELECT sum(count) FROM hit", 2, 5000), 2);
	other = open_other();
	exec_ok(other, "DELETE FROM hit");
	sqlite3_close(other);
	/* a new group: its row gets id 1, the row rule 1's group had */
	add_key(h, MINUTE0 + 1, 0, "192.0.2.1", wire_example, 4, "nullmx",
		HITLOG_QUERY);
	ck_assert_int_eq(wait_for("SELECT sum(count) FROM hit", 1, 5000), 1);
	ck_assert_int_eq(query_int("SELECT id FROM hit WHERE policy_id = 4"), 1);
	add_key(h, MINUTE0 + 2, 0, "192.0.2.1", wire_example, 1, "nullmx",
		HITLOG_QUERY);
	hitlog_stop(h);
	ck_assert_int_eq(query_int("SELECT count FROM hit WHERE policy_id = 4"),
		1);
	ck_assert_int_eq(query_int("SELECT count FROM hit WHERE policy_id = 1"),
		1);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"), 2);
	remove_db();
}
END_TEST

/**
 * Replace the database file at its path with a new one of the schema, as an
 * operator's mv does, between hitlog_suspend and hitlog_resume. The new
 * file has a hit of rule 99 in row 1, the row of the first group in the old
 * file: the writer must not count into it.
 * @param history: its revision.history: test_history for a copy of the
 *	same database (a backup put back), another for another database.
 */
static void
replace_db(int64_t history)
{
	char path[sizeof(test_db) + 8], sql[96];
	sqlite3* db;
	char* err = NULL;
	snprintf(path, sizeof(path), "%s.new", test_db);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	if(sqlite3_exec(db, rrpolicy_schema_sql, NULL, NULL, &err) != SQLITE_OK)
		ck_abort_msg("schema: %s", err);
	exec_ok(db, "INSERT INTO hit (id, ts, client, qname, qtype, policy_id, "
		"action, stage) VALUES (1, '2023-11-14 22:00:00', '192.0.2.9', "
		"'other.example.', 'A', 99, 'nodata', 'query')");
	snprintf(sql, sizeof(sql), "UPDATE revision SET history = %lld",
		(long long)history);
	exec_ok(db, sql);
	sqlite3_close(db);
	ck_assert_int_eq(rename(path, test_db), 0);
}

/**
 * Add a hit of a type, at MINUTE0.
 * @param h: the hit log.
 * @param qtype: the type.
 * @param name: its name, as Unbound gives it, or NULL.
 * @param policy_id: the rule.
 */
static void
add_type(struct hitlog* h, uint16_t qtype, const char* name,
	int64_t policy_id)
{
	struct sockaddr_storage ss;
	struct timeval tv;
	socklen_t len = addr4(&ss, "192.0.2.1");
	tv.tv_sec = MINUTE0;
	tv.tv_usec = 0;
	hitlog_add(h, &tv, &ss, len, wire_example, qtype, name, policy_id,
		"nodata", HITLOG_QUERY, HITLOG_DNSSEC_NONE, test_history);
}

/* Types Unbound 1.17 has no mnemonic for, queued without a name or with
 * its TYPEnnn (as sldns names 66): hit.qtype is the mnemonic of table
 * rrtype, so that WHERE qtype = policy.type finds their hits; TYPEnnn for
 * a code the table has not; a row added to the table counts once the
 * writer opened the database again. A row per hit and with counts. */
START_TEST(test_qtype_names)
{
	static const char* const want[2] = {
		"1 DSYNC 3, 2 DSYNC 3, 3 TA 3, 4 TYPE65280 3, 5 MX 3, "
		"6 TYPE65280 3",
		"11 DSYNC 3, 12 DSYNC 3, 13 TA 3, 14 PRIV 3, 15 MX 3, 16 PRIV 3" };
	struct hitlog_config cfgs[2];
	char got[256], sql[256];
	int c, i, r;
	cfgs[0] = test_cfg(4096, 0);
	cfgs[1] = counts_cfg(4096);
	for(c = 0; c < 2; c++) {
		struct hitlog* h;
		sqlite3* other;
		make_db();
		h = hitlog_start(&cfgs[c]);
		ck_assert_ptr_nonnull(h);
		for(r = 0; r < 2; r++) {
			if(r == 1) {
				hitlog_suspend(h);
				other = open_other();
				exec_ok(other, "INSERT INTO rrtype (mnemonic, code) "
					"VALUES ('PRIV', 65280)");
				sqlite3_close(other);
				hitlog_resume(h);
			}
			/* rows of one statement after each other: what a row
			 * of it has bound is bound again when it changes */
			for(i = 0; i < 3; i++) {
				add_type(h, 66, NULL, r * 10 + 1);
				add_type(h, 66, "TYPE66", r * 10 + 2);
				add_type(h, 32768, NULL, r * 10 + 3);
				add_type(h, 65280, NULL, r * 10 + 4);
				add_type(h, 15, "MX", r * 10 + 5);
				add_type(h, 65280, "TYPE65280", r * 10 + 6);
			}
			ck_assert_int_eq(wait_for("SELECT sum(count) FROM hit",
				18 * (r + 1), 5000), 18 * (r + 1));
			snprintf(sql, sizeof(sql), "SELECT group_concat(policy_id "
				"|| ' ' || qtype || ' ' || n, ', ') FROM (SELECT "
				"policy_id, qtype, sum(count) AS n FROM hit WHERE "
				"policy_id / 10 = %d GROUP BY policy_id, qtype "
				"ORDER BY policy_id)", r);
			query_text(sql, got, sizeof(got));
			ck_assert_str_eq(got, want[r]);
		}
		hitlog_stop(h);
		remove_db();
	}
}
END_TEST

/* A file of the same database replaced at the path while the writer is
 * suspended: the hits of the suspension and after go into the new file,
 * those of a group whose row was in the old file into a new row. */
START_TEST(test_replaced_file)
{
	struct hitlog_config cfgs[2];
	char ok[16];
	int c, i;
	cfgs[0] = test_cfg(4096, 0);
	cfgs[1] = counts_cfg(4096);
	for(c = 0; c < 2; c++) {
		struct hitlog* h;
		make_db();
		h = hitlog_start(&cfgs[c]);
		ck_assert_ptr_nonnull(h);
		for(i = 0; i < 10; i++)
			add_key(h, MINUTE0, i, "192.0.2.1", wire_example, 7,
				"nullmx", HITLOG_QUERY);
		ck_assert_int_eq(wait_for("SELECT sum(count) FROM hit", 10,
			5000), 10);
		hitlog_suspend(h);
		for(i = 0; i < 3; i++)
			add_key(h, MINUTE0 + 1, i, "192.0.2.1", wire_example, 7,
				"nullmx", HITLOG_QUERY);
		replace_db(test_history);
		hitlog_resume(h);
		for(i = 0; i < 2; i++)
			add_key(h, MINUTE0 + 2, i, "192.0.2.1", wire_example, 7,
				"nullmx", HITLOG_QUERY);
		ck_assert_int_eq(wait_for("SELECT sum(count) FROM hit WHERE "
			"policy_id = 7", 5, 5000), 5);
		hitlog_stop(h);
		ck_assert_int_eq(query_int("SELECT sum(count) FROM hit WHERE "
			"policy_id = 7"), 5);
		ck_assert_int_eq(query_int("SELECT count FROM hit WHERE "
			"id = 1"), 1);
		query_text("PRAGMA quick_check", ok, sizeof(ok));
		ck_assert_str_eq(ok, "ok");
		remove_db();
	}
}
END_TEST

/* Another database at the path (replaced while the writer was suspended,
 * or put in the same file, as sqlite3's .restore does, while it ran): the
 * hits queued of the rules of the database before are given up with a log
 * line, since their policy_id names other rules there; the hits of the new
 * database's rules are written. */
START_TEST(test_other_database)
{
	struct hitlog_config cfgs[2];
	char sql[96];
	int c, i;
	cfgs[0] = test_cfg(4096, 0);
	cfgs[1] = counts_cfg(4096);
	for(c = 0; c < 2; c++) {
		struct hitlog* h;
		int64_t old;
		sqlite3* db;
		make_db();
		h = hitlog_start(&cfgs[c]);
		ck_assert_ptr_nonnull(h);
		hitlog_suspend(h);
		for(i = 0; i < 3; i++)
			add_key(h, MINUTE0, i, "192.0.2.1", wire_example, 7,
				"nullmx", HITLOG_QUERY);
		old = test_history;
		replace_db(test_history = old + 1);
		hitlog_resume(h);
		for(i = 0; i < 2; i++)
			add_key(h, MINUTE0, i, "192.0.2.1", wire_example, 8,
				"nullmx", HITLOG_QUERY);
		ck_assert_int_eq(wait_for("SELECT sum(count) FROM hit WHERE "
			"policy_id = 8", 2, 5000), 2);
		ck_assert_int_eq(query_int("SELECT count(*) FROM hit WHERE "
			"policy_id = 7"), 0);
		/* the same file, another database */
		hitlog_suspend(h);
		for(i = 0; i < 4; i++)
			add_key(h, MINUTE0 + 1, i, "192.0.2.1", wire_example, 9,
				"nullmx", HITLOG_QUERY);
		hitlog_resume(h);
		ck_assert_int_eq(wait_for("SELECT sum(count) FROM hit WHERE "
			"policy_id = 9", 4, 5000), 4);
		db = open_other();
		snprintf(sql, sizeof(sql), "UPDATE revision SET history = %lld",
			(long long)(old + 2));
		exec_ok(db, sql);
		sqlite3_close(db);
		for(i = 0; i < 5; i++)
			add_key(h, MINUTE0 + 1, i, "192.0.2.1", wire_example, 9,
				"nullmx", HITLOG_QUERY);
		test_history = old + 2;
		add_key(h, MINUTE0 + 1, 0, "192.0.2.1", wire_example, 10,
			"nullmx", HITLOG_QUERY);
		ck_assert_int_eq(wait_for("SELECT count(*) FROM hit WHERE "
			"policy_id = 10", 1, 5000), 1);
		hitlog_join(h);
		ck_assert_int_eq(query_int("SELECT sum(count) FROM hit WHERE "
			"policy_id = 9"), 4);
		ck_assert_int_eq(query_int("SELECT count(*) FROM hit WHERE "
			"policy_id = 7"), 0);
		ck_assert_uint_eq(hitlog_written(h), 2 + 4 + 1);
		ck_assert_msg(log_has("gave up 3 hits (3 since start) of the "
			"rules of another database"), "log: %s", log_text);
		ck_assert_msg(log_has("gave up 5 hits (8 since start)"),
			"log: %s", log_text);
		hitlog_stop(h);
		remove_db();
	}
}
END_TEST

/** The part of test_readonly_reopened that runs as the owner of the files
 * (nobody, when the test runs as root, for whom a file's mode does not
 * count): 0 when the hits were written once the mode was fixed. */
static int
readonly_as_owner(void)
{
	const char* suffix[] = { "", "-wal", "-shm" };
	struct hitlog_config cfg;
	struct hitlog* h;
	char p[400];
	size_t k;
	int i, n;
	if(geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
		return 1;
	cfg = test_cfg(1024, 0);
	if(!(h = hitlog_start(&cfg)))
		return 2;
	for(i = 0; i < 10; i++)
		add_simple(h, i);
	for(i = 0; i < 50 && !log_has("readonly database"); i++)
		usleep(100000);
	if(!log_has("readonly database"))
		return 3;
	/* SQLite made the -wal and -shm files with the database's mode */
	for(k = 0; k < sizeof(suffix)/sizeof(suffix[0]); k++) {
		snprintf(p, sizeof(p), "%s%s", test_db, suffix[k]);
		(void)chmod(p, 0644);
	}
	n = (int)wait_for("SELECT count(*) FROM hit", 10, 5000);
	hitlog_stop(h);
	return n == 10 ? 0 : 4;
}

/** Files larger than this fail to grow in full_disk_writer (1 MiB). */
#define FULL_DISK_BYTES (1 << 20)

/** The part of test_disk_full_smaller_batches with files limited in size
 * (RLIMIT_FSIZE: a write past the limit fails with EFBIG, which SQLite
 * reports as a disk I/O error; a full disk's ENOSPC, as SQLITE_FULL, takes
 * the same path in the writer): 0 when smaller transactions wrote hits
 * after a first one of 16384 hits (about 2 MB of WAL) did not fit. */
static int
full_disk_writer(void)
{
	struct rlimit lim = { FULL_DISK_BYTES, FULL_DISK_BYTES };
	struct hitlog_config cfg;
	struct hitlog* h;
	long long n = 0;
	int i;
	signal(SIGXFSZ, SIG_IGN);
	if(setrlimit(RLIMIT_FSIZE, &lim) != 0)
		return 1;
	cfg = test_cfg(65536, 0);	/* transactions of up to 16384 hits */
	if(!(h = hitlog_start(&cfg)))
		return 2;
	/* every hit queued before the writer looks: one transaction */
	hitlog_suspend(h);
	for(i = 0; i < 16384; i++)
		add_simple(h, 1);
	hitlog_resume(h);
	for(i = 0; i < 100 && n < 4096; i++) {
		usleep(100000);
		n = query_int("SELECT count(*) FROM hit");
	}
	hitlog_stop(h);
	if(!log_has("disk I/O error"))
		return 3;	/* the limit was not reached: no test */
	return n >= 4096 ? 0 : 4;
}

/* No room for a transaction of every hit queued: the writer halves the next
 * one until one fits, instead of retrying the same size forever. */
START_TEST(test_disk_full_smaller_batches)
{
	int status = -1;
	pid_t pid;
	make_db();
	ck_assert_int_ge(pid = fork(), 0);
	if(pid == 0)
		_exit(full_disk_writer());
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		"with files of at most %d bytes: status %d", FULL_DISK_BYTES,
		status);
	remove_db();
}
END_TEST

/* A database that is read-only when the writer opens it: SQLite keeps that
 * connection read-only, so after a read-only failure the writer opens it
 * again, and once the mode is fixed the hits waiting are written. */
START_TEST(test_readonly_reopened)
{
	int status = -1;
	pid_t pid;
	make_db();
	ck_assert_int_eq(chmod(test_db, 0444), 0);
	if(geteuid() == 0) {
		ck_assert_int_eq(chown(test_dir, 65534, 65534), 0);
		ck_assert_int_eq(chown(test_db, 65534, 65534), 0);
	}
	/* a child changes its user; this process removes the files */
	ck_assert_int_ge(pid = fork(), 0);
	if(pid == 0)
		_exit(readonly_as_owner());
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		"as the owner of the files: status %d", status);
	remove_db();
}
END_TEST

START_TEST(test_counts_late_hit)
{
	struct hitlog_config cfg = counts_cfg(4096);
	struct hitlog* h;
	make_db();
	h = hitlog_start(&cfg);
	ck_assert_ptr_nonnull(h);
	add_key(h, MINUTE0 + 59, 0, "192.0.2.1", wire_example, 7, "nullmx",
		HITLOG_QUERY);
	add_key(h, MINUTE0 + 59, 1, "192.0.2.1", wire_example, 7, "nullmx",
		HITLOG_QUERY);
	ck_assert_int_eq(wait_for("SELECT sum(count) FROM hit", 2, 5000), 2);
	/* the next minute is written first, then a hit queued at the end of
	 * the one before: it joins that minute's row */
	add_key(h, MINUTE0 + 60, 0, "192.0.2.1", wire_example, 7, "nullmx",
		HITLOG_QUERY);
	ck_assert_int_eq(wait_for("SELECT sum(count) FROM hit", 3, 5000), 3);
	add_key(h, MINUTE0 + 59, 999999, "192.0.2.1", wire_example, 7,
		"nullmx", HITLOG_QUERY);
	ck_assert_int_eq(wait_for("SELECT sum(count) FROM hit", 4, 5000), 4);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"), 2);
	ck_assert_int_eq(query_int("SELECT count FROM hit WHERE ts < "
		"'2023-11-14 22:15'"), 3);
	/* two minutes later the first minute is forgotten: a hit of it
	 * that late starts a row of its own, and the sum stays right */
	add_key(h, MINUTE0 + 120, 0, "192.0.2.1", wire_example, 7, "nullmx",
		HITLOG_QUERY);
	ck_assert_int_eq(wait_for("SELECT sum(count) FROM hit", 5, 5000), 5);
	add_key(h, MINUTE0 + 59, 999999, "192.0.2.1", wire_example, 7,
		"nullmx", HITLOG_QUERY);
	hitlog_stop(h);
	ck_assert_int_eq(query_int("SELECT sum(count) FROM hit"), 6);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit WHERE ts < "
		"'2023-11-14 22:15'"), 2);
	ck_assert_int_eq(log_count[0], 0);
	remove_db();
}
END_TEST

/* The groups driven as the writer drives them, a write and a prune a
 * second, with one hit a second of one key: after a hit stamped an hour
 * ahead (the clock stepped back after it), the groups of the minute
 * counting stay, so that the key's hits of that minute have one row (every
 * prune forgot its group, which gave it a row a second), and the group
 * stamped ahead goes. */
START_TEST(test_groups_clock_back)
{
	struct hit_groups* g = hit_groups_create(1024);
	struct hitlog_slot s;
	int64_t rows = 0;
	size_t i;
	int sec;
	ck_assert_ptr_nonnull(g);
	memset(&s, 0, sizeof(s));
	s.family = AF_INET;
	memcpy(s.addr, "\300\000\002\001", 4);
	s.qname_len = (uint8_t)sizeof(wire_example);
	memcpy(s.qname, wire_example, sizeof(wire_example));
	s.qtype = 15;
	s.qtype_name = "MX";
	s.policy_id = 7;
	s.action = "nullmx";
	for(sec = -1; sec < 60; sec++) {
		s.sec = (int64_t)MINUTE0 + (sec < 0 ? 3600 : sec);
		ck_assert_int_eq(hit_groups_add(g, &s), 0);
		/* the write: a row for each group without one */
		for(i = 0; i < hit_groups_count(g); i++) {
			struct hit_group* gr = hit_groups_at(g, i);
			if(gr->pending && !gr->rowid)
				gr->new_rowid = ++rows;
		}
		ck_assert_uint_eq(hit_groups_committed(g, 0, 1, 0), 1);
		hit_groups_prune(g, 0);
	}
	ck_assert_int_eq(rows, 2);
	ck_assert_uint_eq(hit_groups_count(g), 1);
	ck_assert_int_eq(hit_groups_at(g, 0)->minute, MINUTE0 / 60);
	hit_groups_delete(g);
}
END_TEST

START_TEST(test_counts_trigger_writes)
{
	struct hitlog_config cfg = counts_cfg(4096);
	struct hitlog* h;
	sqlite3* other;
	int i;
	make_db();
	/* an operator's trigger that adds a row to hit after each: the ids
	 * of the rows the writer inserts are then not consecutive, so they
	 * are not taken as known; each group gets a new row when it is
	 * written again, and no count lands in another row */
	other = open_other();
	exec_ok(other, "CREATE TRIGGER hit_audit AFTER INSERT ON hit "
		"WHEN NEW.action = 'nullmx' BEGIN "
		"INSERT INTO hit (ts, client, qname, qtype, policy_id, action, "
		"stage) VALUES (NEW.ts, NEW.client, NEW.qname, NEW.qtype, "
		"NEW.policy_id, 'audit', NEW.stage); END");
	sqlite3_close(other);
	h = hitlog_start(&cfg);
	ck_assert_ptr_nonnull(h);
	for(i = 0; i < 20; i++)
		add_key(h, MINUTE0, 0, "192.0.2.1", wire_example, i % 10,
			"nullmx", HITLOG_QUERY);
	ck_assert_int_eq(wait_for("SELECT sum(count) FROM hit WHERE action = "
		"'nullmx'", 20, 5000), 20);
	for(i = 0; i < 30; i++)
		add_key(h, MINUTE0 + 1, 0, "192.0.2.1", wire_example, i % 10,
			"nullmx", HITLOG_QUERY);
	hitlog_stop(h);
	ck_assert_int_eq(query_int("SELECT sum(count) FROM hit WHERE action = "
		"'nullmx'"), 50);
	ck_assert_int_eq(query_int("SELECT count(*) FROM (SELECT policy_id, "
		"sum(count) AS c FROM hit WHERE action = 'nullmx' GROUP BY "
		"policy_id) WHERE c = 5"), 10);
	/* each write of a group inserted its row and the trigger's; the
	 * writer may have taken a loop's hits in more than one write */
	ck_assert_int_ge(query_int("SELECT count(*) FROM hit WHERE action = "
		"'nullmx'"), 20);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit WHERE action = "
		"'audit'"), query_int("SELECT count(*) FROM hit WHERE action = "
		"'nullmx'"));
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit WHERE action = "
		"'audit' AND count <> 1"), 0);
	remove_db();
}
END_TEST

START_TEST(test_counts_locked)
{
	enum { Q = 16384, N = 30000 };
	struct hitlog_config cfg = counts_cfg(Q);
	struct hitlog* h;
	sqlite3* other;
	int i;
	make_db();
	h = hitlog_start(&cfg);
	ck_assert_ptr_nonnull(h);
	other = open_other();
	exec_ok(other, "BEGIN EXCLUSIVE");
	/* 100 groups: counted in memory while the database is locked, so
	 * that nothing is dropped, even when more hits come than the ring
	 * holds */
	for(i = 0; i < N; i++) {
		add_key(h, MINUTE0, i, "192.0.2.1", wire_example, i % 100,
			"nullmx", HITLOG_QUERY);
		if(i % 3000 == 2999)
			sleep_ms(400);
	}
	ck_assert_uint_eq(hitlog_dropped(h), 0);
	ck_assert_uint_eq(hitlog_written(h), 0);
	exec_ok(other, "COMMIT");
	sqlite3_close(other);
	ck_assert_int_eq(wait_for("SELECT sum(count) FROM hit", N, 5000), N);
	hitlog_stop(h);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"), 100);
	ck_assert_int_eq(query_int("SELECT min(count) FROM hit"), N / 100);
	remove_db();
}
END_TEST

START_TEST(test_counts_full_groups)
{
	enum { Q = 1024, N = 3000 };
	struct hitlog_config cfg = counts_cfg(Q);
	struct hitlog* h;
	sqlite3* other;
	long long rows;
	int i, round;
	make_db();
	h = hitlog_start(&cfg);
	ck_assert_ptr_nonnull(h);
	/* more distinct hits than groups (Q / 2) while locked: the ring
	 * fills, the writer takes half of it into the groups, which are
	 * then full, the ring fills again, the rest is dropped and counted */
	other = open_other();
	exec_ok(other, "BEGIN EXCLUSIVE");
	for(i = 0; i < N; i++) {
		add_key(h, MINUTE0, 0, "192.0.2.1", wire_example, i, "nullmx",
			HITLOG_QUERY);
		if(i == Q - 1)
			sleep_ms(800);
	}
	ck_assert_uint_eq(hitlog_dropped(h), N - Q - Q / 2);
	exec_ok(other, "COMMIT");
	sqlite3_close(other);
	ck_assert_int_eq(wait_for("SELECT count(*) FROM hit", Q + Q / 2, 5000),
		Q + Q / 2);
	/* then, unlocked, each of N keys twice: the full set is written and
	 * emptied as often as needed; every hit lands, in at most one row per
	 * hit */
	for(round = 0; round < 2; round++)
		for(i = 0; i < N; i++) {
			add_key(h, MINUTE0, 0, "192.0.2.1", wire_example, i,
				"nullmx", HITLOG_QUERY);
			if(i % 100 == 99)
				sleep_ms(50);
		}
	hitlog_stop(h);
	ck_assert_int_eq(query_int("SELECT sum(count) FROM hit"),
		Q + Q / 2 + 2 * N);
	ck_assert_int_eq(query_int("SELECT sum(dropped) FROM hit_drop"),
		N - Q - Q / 2);
	rows = query_int("SELECT count(*) FROM hit");
	ck_assert_int_le(rows, Q + Q / 2 + 2 * N);
	ck_assert_int_eq(query_int("SELECT count(*) FROM (SELECT policy_id, "
		"sum(count) AS c FROM hit GROUP BY policy_id) WHERE c <> "
		"CASE WHEN policy_id < 1536 THEN 3 ELSE 2 END"), 0);
	remove_db();
}
END_TEST

START_TEST(test_counts_refused)
{
	/* the groups, in the order of their rows' INSERT: example.com of
	 * rules 0, 1, 2, then poison.test of rules 2, 0, 1; the first
	 * statement (4 rows) is refused at its last row, after three rows a
	 * RAISE(FAIL) keeps */
	static const uint8_t poison[] = "\006poison\004test";
	struct hitlog_config cfg = counts_cfg(1024);
	struct hitlog* h;
	int i;
	make_db();
	refuse_poison_with(refuse_modes[_i]);
	h = hitlog_start(&cfg);
	ck_assert_ptr_nonnull(h);
	for(i = 0; i < 100; i++)
		add_key(h, MINUTE0, 0, "192.0.2.1", i % 10 == 5 ? poison :
			wire_example, i % 3, "nullmx", HITLOG_QUERY);
	hitlog_stop(h);
	ck_assert_int_eq(query_int("SELECT sum(count) FROM hit"), 90);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"), 3);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit WHERE qname = "
		"'poison.test.'"), 0);
	ck_assert(log_has("(10 since start): no poison"));
	remove_db();
}
END_TEST

START_TEST(test_counts_from_threads)
{
	enum { THREADS = 4, PER = 5000 };
	struct hitlog_config cfg = counts_cfg(65536);
	struct hitlog* h;
	make_db();
	h = hitlog_start(&cfg);
	ck_assert_ptr_nonnull(h);
	run_producers(h, burst_producer, THREADS, PER);
	ck_assert_uint_eq(hitlog_dropped(h), 0);
	hitlog_stop(h);
	/* burst_producer gives every hit a rule of its own */
	ck_assert_int_eq(query_int("SELECT sum(count) FROM hit"), THREADS * PER);
	ck_assert_int_eq(query_int("SELECT count(DISTINCT policy_id) FROM hit"),
		THREADS * PER);
	remove_db();
}
END_TEST

/* Names join a group whatever the case of their ASCII letters, at every
 * place in a word (the name is lowered eight octets at a time), and only
 * those: every octet value in every place of a label of nine. */
START_TEST(test_groups_name_case)
{
	int place, c;
	for(place = 1; place <= 9; place++) {
		struct hit_groups* g = hit_groups_create(512);
		struct hitlog_slot s;
		size_t i;
		ck_assert_ptr_nonnull(g);
		memset(&s, 0, sizeof(s));
		s.qname_len = 11;
		memcpy(s.qname, "\011xxxxxxxxx", 11);
		for(c = 0; c < 256; c++) {
			s.qname[place] = (uint8_t)c;
			ck_assert_int_eq(hit_groups_add(g, &s), 0);
		}
		/* the 26 upper-case letters joined their lower case */
		ck_assert_uint_eq(hit_groups_count(g), 256 - 26);
		for(i = 0; i < hit_groups_count(g); i++) {
			uint8_t o = hit_groups_at(g, i)->first.qname[place];
			ck_assert(o < 'A' || o > 'Z');
			ck_assert_uint_eq(hit_groups_at(g, i)->pending,
				o >= 'a' && o <= 'z' ? 2 : 1);
		}
		hit_groups_delete(g);
	}
}
END_TEST

/* A write that inserts the rows of new groups only: the groups with a row
 * keep their hits pending, and so do the groups of another database's
 * rules; a write of every group takes them all. */
START_TEST(test_groups_partial_commit)
{
	struct hit_groups* g = hit_groups_create(16);
	struct hitlog_slot s;
	size_t with_row, without_row;
	ck_assert_ptr_nonnull(g);
	memset(&s, 0, sizeof(s));
	s.qname_len = (uint8_t)sizeof(wire_example);
	memcpy(s.qname, wire_example, sizeof(wire_example));
	s.sec = (int64_t)MINUTE0;
	s.history = 5;
	s.policy_id = 1;
	ck_assert_int_eq(hit_groups_add(g, &s), 0);
	hit_groups_at(g, 0)->new_rowid = 11;
	ck_assert_uint_eq(hit_groups_committed(g, 0, 0, 5), 1);
	/* rule 1 has its row now: 3 more hits; rule 2 is new; rule 3 is of
	 * another database */
	ck_assert_int_eq(hit_groups_add(g, &s), 0);
	ck_assert_int_eq(hit_groups_add(g, &s), 0);
	ck_assert_int_eq(hit_groups_add(g, &s), 0);
	s.policy_id = 2;
	ck_assert_int_eq(hit_groups_add(g, &s), 0);
	ck_assert_int_eq(hit_groups_add(g, &s), 0);
	s.policy_id = 3;
	s.history = 6;
	ck_assert_int_eq(hit_groups_add(g, &s), 0);
	hit_groups_unwritten(g, &with_row, &without_row);
	ck_assert_uint_eq(with_row, 1);
	ck_assert_uint_eq(without_row, 2);
	hit_groups_at(g, 1)->new_rowid = 12;
	ck_assert_uint_eq(hit_groups_committed(g, 0, 0, 5), 2);
	ck_assert_uint_eq(hit_groups_pending(g), 4);
	ck_assert_uint_eq(hit_groups_at(g, 0)->pending, 3);
	ck_assert_int_eq(hit_groups_at(g, 1)->rowid, 12);
	ck_assert_uint_eq(hit_groups_at(g, 2)->pending, 1);
	/* every group: rule 1's count added, rule 3's hit given up */
	ck_assert_uint_eq(hit_groups_committed(g, 1, 1, 5), 3);
	ck_assert_uint_eq(hit_groups_pending(g), 0);
	hit_groups_unwritten(g, &with_row, &without_row);
	ck_assert_uint_eq(with_row + without_row, 0);
	hit_groups_delete(g);
}
END_TEST

/* Many groups with a row, each hit again and again: their counts are
 * added to the rows as often as HITLOG_UPDATES_PER_S (1000) allows, every
 * 5 s for 5000 groups, not every second; the new groups' rows still come
 * within about a second, and no hit is lost or counted twice. A trigger
 * counts the UPDATEs; the bound follows the time the test took. */
START_TEST(test_counts_updates_limited)
{
	enum { G = 5000, ROUNDS = 50 };
	/* a ring that holds every hit of the test: a writer slowed down
	 * (valgrind on a busy machine) must not drop any */
	struct hitlog_config cfg = counts_cfg(262144);
	struct hitlog* h;
	sqlite3* other;
	double t0, elapsed;
	long long updates;
	int i, r;
	make_db();
	other = open_other();
	exec_ok(other, "CREATE TABLE tally(n INTEGER); INSERT INTO tally "
		"VALUES(0); CREATE TRIGGER tally_updates AFTER UPDATE OF count "
		"ON hit BEGIN UPDATE tally SET n = n + 1; END;");
	sqlite3_close(other);
	h = hitlog_start(&cfg);
	ck_assert_ptr_nonnull(h);
	for(i = 0; i < G; i++)
		add_key(h, MINUTE0 + 1, 0, "192.0.2.1", wire_example, 1000 + i,
			"nullmx", HITLOG_QUERY);
	ck_assert_int_eq(wait_for("SELECT count(*) FROM hit", G, 10000), G);
	t0 = now_s();
	for(r = 0; r < ROUNDS; r++) {
		for(i = 0; i < G; i++)
			add_key(h, MINUTE0 + 2, 0, "192.0.2.1", wire_example,
				1000 + i, "nullmx", HITLOG_QUERY);
		sleep_ms(100);
	}
	/* a new group meanwhile: its row is inserted without waiting for
	 * the UPDATEs */
	add_key(h, MINUTE0 + 2, 0, "192.0.2.1", wire_example, 999, "nullmx",
		HITLOG_QUERY);
	ck_assert_int_eq(wait_for("SELECT count(*) FROM hit", G + 1, 3000),
		G + 1);
	ck_assert_uint_eq(hitlog_dropped(h), 0);
	hitlog_join(h);
	elapsed = now_s() - t0;
	ck_assert_uint_eq(hitlog_written(h), G * (ROUNDS + 1) + 1);
	hitlog_stop(h);
	updates = query_int("SELECT n FROM tally");
	/* one pass of G UPDATEs every G / 1000 s, one at the start and one
	 * at the stop (a pass a second would be about 8 * G) */
	ck_assert_msg(updates <= (long long)((elapsed / (G / 1000) + 3) * G),
		"%lld UPDATEs in %.1f s", updates, elapsed);
	ck_assert_int_eq(query_int("SELECT count(*) FROM hit"), G + 1);
	ck_assert_int_eq(query_int("SELECT sum(count) FROM hit"),
		G * (ROUNDS + 1) + 1);
	remove_db();
}
END_TEST

/** The test suite. */
static Suite*
hitlog_suite(void)
{
	Suite* s = suite_create("hitlog");
	TCase* tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_rows_from_threads);
	tcase_add_test(tc, test_columns_exact);
	tcase_add_test(tc, test_written_while_running);
	tcase_add_test(tc, test_stop_writes_all);
	tcase_add_test(tc, test_drops_counted_locked);
	tcase_add_test(tc, test_drops_burst);
	tcase_add_test(tc, test_locked_db_does_not_block);
	tcase_add_test(tc, test_stop_gives_up_on_lock);
	tcase_add_test(tc, test_stop_suspended);
	tcase_add_test(tc, test_retention);
	tcase_add_test(tc, test_retention_keeps_up);
	tcase_add_test(tc, test_no_retention);
	tcase_add_test(tc, test_refused_rows_skipped);
	tcase_add_test(tc, test_edge_cases);
	tcase_add_test(tc, test_batch_sizes);
	tcase_add_test(tc, test_full_ring_batches);
	tcase_add_loop_test(tc, test_refused_in_multi_row, 0, 2);
	tcase_add_test(tc, test_rollback_trigger);
	tcase_add_test(tc, test_busy_commit);
	tcase_add_test(tc, test_client_text);
	tcase_add_test(tc, test_checks_hold);
	tcase_add_test(tc, test_counts_groups);
	tcase_add_test(tc, test_counts_added_to_row);
	tcase_add_test(tc, test_counts_row_id_reused);
	tcase_add_test(tc, test_replaced_file);
	tcase_add_test(tc, test_qtype_names);
	tcase_add_test(tc, test_other_database);
	tcase_add_test(tc, test_readonly_reopened);
	tcase_add_test(tc, test_disk_full_smaller_batches);
	tcase_add_test(tc, test_counts_late_hit);
	tcase_add_test(tc, test_groups_clock_back);
	tcase_add_test(tc, test_counts_trigger_writes);
	tcase_add_test(tc, test_counts_locked);
	tcase_add_test(tc, test_counts_full_groups);
	tcase_add_loop_test(tc, test_counts_refused, 0, 2);
	tcase_add_test(tc, test_counts_from_threads);
	tcase_add_test(tc, test_groups_name_case);
	tcase_add_test(tc, test_groups_partial_commit);
	tcase_add_test(tc, test_counts_updates_limited);
	tcase_add_test(tc, test_writer_ends_with_parent);
	tcase_add_test(tc, test_writer_killed);
	suite_add_tcase(s, tc);
	tc = tcase_create("bench");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_bench);
	suite_add_tcase(s, tc);
	return s;
}

/** Run the suite. */
int
main(void)
{
	SRunner* sr = srunner_create(hitlog_suite());
	int failed;
	log_init();
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
