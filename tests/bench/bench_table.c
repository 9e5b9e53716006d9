/**
 * \file bench_table.c
 * Lookup cost of the policy table: builds N rules (a mix of exact names and
 * "*." rules, several types) and times lookups of names under rules and of
 * names under none. Prints ns per lookup, the table's memory, and the time a
 * copy takes (how a live change that only adds rules starts).
 * Usage: bench_table [N]   (default 1000000). Not a test: asserts nothing.
 */
#include "dname_text.h"
#include "policy_table.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/** Seconds on the monotonic clock. */
static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/** Time `rounds` lookups of names made by fmt from i; return ns/lookup. */
static double
time_lookups(struct policy_table* t, const char* fmt, int n, int rounds,
	int* found)
{
	static uint8_t wire[4096][DNAME_WIRE_MAX];
	char name[128];
	size_t len;
	double t0;
	int i;
	for(i = 0; i < 4096; i++) {
		snprintf(name, sizeof(name), fmt, (i * 7919) % n, ((i * 7919) % n) % 1000);
		(void)dname_from_text(name, wire[i], &len, 0, NULL);
	}
	*found = 0;
	t0 = now_s();
	for(i = 0; i < rounds; i++)
		if(policy_table_lookup(t, wire[i & 4095], 15, 1000, NULL))
			(*found)++;
	return (now_s() - t0) * 1e9 / rounds;
}

int
main(int argc, char** argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000000, i, found;
	struct policy_table* t = policy_table_create((size_t)n);
	struct policy_table* c;
	char name[128];
	uint8_t wire[DNAME_WIRE_MAX];
	size_t len;
	int below;
	double t0 = now_s(), ns;
	for(i = 0; i < n; i++) {
		struct policy_rule r = { i + 1, 0, 0, (uint16_t)(i % 4 == 0 ? 15 :
			i % 4 == 1 ? 16 : i % 4 == 2 ? 0 : 1), 1, 0 };
		snprintf(name, sizeof(name), "%shost%d.bad%d.example",
			i % 5 == 0 ? "*." : "", i, i % 1000);
		(void)dname_from_text(name, wire, &len, 1, &below);
		if(policy_table_add(t, wire, len, below, &r) != 0)
			return 1;
	}
	printf("rules %d, built in %.0f ms, table %.1f MB\n", n,
		(now_s() - t0) * 1e3, (double)policy_table_mem(t) / 1e6);
	for(i = 0; i < 3; i++) {
		t0 = now_s();
		if(!(c = policy_table_copy(t, 1)))
			return 1;
		printf("copied in %.1f ms\n", (now_s() - t0) * 1e3);
		policy_table_delete(c);
	}
	ns = time_lookups(t, "host%d.bad%d.example", n, 10000000, &found);
	printf("lookup of names with rules:          %.1f ns (%d matched)\n", ns, found);
	ns = time_lookups(t, "www.host%d.bad%d.example", n, 10000000, &found);
	printf("lookup one label below (\"*.\" walk): %.1f ns (%d matched)\n", ns, found);
	ns = time_lookups(t, "mail%d.clean%d.example.org", n, 10000000, &found);
	printf("lookup of names under no rule:       %.1f ns (%d matched)\n", ns, found);
	policy_table_delete(t);
	return 0;
}
