/**
 * \file bench_hitlog.c
 * Cost of the hit log writer per hit: starts a hit log on a fresh database
 * with the schema, queues N hits like the blocked workload of run-bench.sh
 * (names eI-HEX.pol.bench of the 10k rules, a few query types, policy ids
 * spread over 10,000 rules, client 127.0.0.1, the time now) in rounds of B
 * hits, waiting after each round until the writer has written it (so every
 * transaction holds B hits: about 100 under callgrind's one-at-a-time runs,
 * thousands at saturation), then stops it. Prints the rows written and the
 * time; run it under callgrind to count the writer's instructions:
 *
 *   valgrind --tool=callgrind --callgrind-out-file=cg.%p tests/bench/bench_hitlog N B
 *
 * writes one file per process; the writer's is the forked child's. The
 * difference between two values of N divided by their difference is the
 * cost per hit, start-up cancelled out (`make bench-hitlog` does exactly
 * that).
 * Usage: bench_hitlog [N [B [DIR [counts]]]]   (defaults 20000, 100, $TMPDIR
 * or /tmp; "counts": setting hit_log = 2, the hits counted per group, which
 * with names drawn from 10,000 rules seldom repeat within a minute).
 * Not a test: asserts nothing but the row count.
 */
#include "dname_text.h"
#include "hitlog.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/** The schema, generated from schema/schema.sql (module/schema_sql.c). */
extern const char rrpolicy_schema_sql[];

/** Seconds on the monotonic clock. */
static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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

/** Log callback: print. */
static void
log_cb(int level, const char* msg)
{
	fprintf(stderr, "hitlog %d: %s\n", level, msg);
}

/**
 * Wire name of blocked rule i of run-bench.sh: eI-HEX.pol.bench.
 * @param i: rule number.
 * @param wire: output, DNAME_WIRE_MAX bytes.
 */
static void
rule_name(unsigned i, uint8_t* wire)
{
	char label[64];
	int n = snprintf(label, sizeof(label), "e%u-%x", i,
		(unsigned)(((unsigned long long)i * 2654435761ULL) % 4294967296ULL));
	wire[0] = (uint8_t)n;
	memcpy(wire + 1, label, (size_t)n);
	memcpy(wire + 1 + n, "\003pol\005bench", 11);
}

int
main(int argc, char** argv)
{
	static const char* const types[] = { "MX", "A", "AAAA", "TXT" };
	static const uint16_t codes[] = { 15, 1, 28, 16 };
	long n = argc > 1 ? atol(argv[1]) : 20000;
	long batch = argc > 2 ? atol(argv[2]) : 100;
	const char* dir = argc > 3 ? argv[3] : (getenv("TMPDIR") ?
		getenv("TMPDIR") : "/tmp");
	int counts = argc > 4 && strcmp(argv[4], "counts") == 0;
	char tdir[512], path[600], p[700];
	const char* suffix[] = { "", "-wal", "-shm" };
	struct hitlog_config cfg;
	struct hitlog* h;
	struct sockaddr_storage ss;
	struct sockaddr_in* sa = (struct sockaddr_in*)&ss;
	sqlite3* db;
	sqlite3_stmt* st;
	char* err = NULL;
	long added = 0, rows = -1;
	int64_t history;
	unsigned rnd = 12345;
	double t0, t1;
	size_t k;
	if(n <= 0 || batch <= 0) {
		fprintf(stderr, "usage: bench_hitlog [N [B [DIR [counts]]]]\n");
		return 2;
	}
	snprintf(tdir, sizeof(tdir), "%s/bench_hitlog.XXXXXX", dir);
	if(!mkdtemp(tdir)) {
		perror(tdir);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/rrpolicy.db", tdir);
	if(sqlite3_open(path, &db) != SQLITE_OK || sqlite3_exec(db,
		rrpolicy_schema_sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "schema: %s\n", err ? err : sqlite3_errmsg(db));
		return 1;
	}
	/* the hits are of the rules of this database */
	if(sqlite3_prepare_v2(db, "SELECT history FROM revision", -1, &st,
		NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		fprintf(stderr, "revision: %s\n", sqlite3_errmsg(db));
		return 1;
	}
	history = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	memset(&ss, 0, sizeof(ss));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(0x7f000001);
	memset(&cfg, 0, sizeof(cfg));
	cfg.path = path;
	cfg.queue_size = 65536;
	cfg.retention_days = 30;
	cfg.counts = counts;
	cfg.log = log_cb;
	h = hitlog_start(&cfg);
	if(!h)
		return 1;
	t0 = now_s();
	while(added < n) {
		long i, end = added + batch < n ? added + batch : n;
		for(i = added; i < end; i++) {
			uint8_t wire[DNAME_WIRE_MAX];
			struct timeval tv;
			unsigned rule;
			rnd = rnd * 1103515245u + 12345u;
			rule = (rnd >> 8) % 10000;
			rule_name(rule, wire);
			gettimeofday(&tv, NULL);
			hitlog_add(h, &tv, &ss, (socklen_t)sizeof(*sa), wire,
				codes[rule % 4], types[rule % 4], (int64_t)rule + 1,
				"nxdomain", HITLOG_QUERY, HITLOG_DNSSEC_NONE,
				history);
		}
		added = end;
		while((long)hitlog_written(h) + (long)hitlog_dropped(h) < added)
			sleep_ms(1);
	}
	t1 = now_s();
	hitlog_stop(h);
	if(sqlite3_open(path, &db) == SQLITE_OK && sqlite3_prepare_v2(db,
		"SELECT sum(count) FROM hit", -1, &st, NULL) == SQLITE_OK) {
		if(sqlite3_step(st) == SQLITE_ROW)
			rows = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	printf("hits %ld in rounds of %ld: %ld written, %.3f s\n", n, batch,
		rows, t1 - t0);
	for(k = 0; k < sizeof(suffix)/sizeof(suffix[0]); k++) {
		snprintf(p, sizeof(p), "%s%s", path, suffix[k]);
		unlink(p);
	}
	rmdir(tdir);
	return rows == n ? 0 : 1;
}
