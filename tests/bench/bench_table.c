/**
 * \file bench_table.c
 * Lookup cost of the policy table: builds N rules (a mix of exact names and
 * "*." rules, several types) and times lookups of names under rules and of
 * names under none. Prints ns per lookup, the table's memory, and the time a
 * copy takes (how a live change that only adds rules starts).
 * Then the same for the prefix table of answer-ip rules: N rules of a
 * realistic mix of IPv4 and IPv6 prefixes, the time to add them, the memory
 * (as counted by the table and as RSS), and lookups by where the address
 * falls, cycling over 4096 addresses (cached) and over 1M (mostly not),
 * in CPU time.
 * Usage: bench_table [N]   (default 1000000). Not a test: asserts nothing.
 */
#include "dname_text.h"
#include "policy_table.h"
#include "prefix_table.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

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

/** Seconds of CPU time of the thread: the machine may be shared, and time
 * spent waiting for a CPU is not the table's. */
static double
cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/** State of the xorshift64* generator: the same rules on every run. */
static uint64_t rng_state = 88172645463325252ULL;

/** A pseudo-random number. */
static uint64_t
rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

/** Resident memory of the process in bytes. */
static size_t
rss(void)
{
	FILE* f = fopen("/proc/self/statm", "r");
	long size, res = 0;
	if(f) {
		if(fscanf(f, "%ld %ld", &size, &res) != 2)
			res = 0;
		fclose(f);
	}
	return (size_t)res * (size_t)sysconf(_SC_PAGESIZE);
}

/** An address (or a prefix) of the benchmark. */
struct bench_addr {
	/** AF_INET or AF_INET6 */
	int family;
	/** prefix length */
	int plen;
	/** the address */
	uint8_t a[16];
};

/** Random bytes from byte from of a on, then host bits beyond plen zeroed. */
static void
rnd_addr(struct bench_addr* x, int family, int plen, int from)
{
	int i, bits = family == AF_INET ? 32 : 128;
	x->family = family;
	x->plen = plen;
	for(i = from; i < bits / 8; i++)
		x->a[i] = (uint8_t)rnd();
	for(i = plen; i < bits; i++)
		x->a[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
}

/** Number of IPv6 /32s (providers) that the IPv6 rules fall in. */
#define PROVIDERS 16384

/**
 * The rules of the prefix benchmark: 80% IPv4 /32, 10% IPv4 /8../31 (half
 * of them /24), 10% IPv6 /32../128 inside PROVIDERS /32s (mostly /48, /64,
 * /128, /56); one rule in 16 is a second rule (type A or AAAA, log) on the
 * prefix before it, and one in 100 an allow of a /32 inside the last
 * shorter IPv4 prefix.
 */
static void
make_prefixes(struct bench_addr* p, struct policy_rule* r, int n,
	uint8_t providers[PROVIDERS][4])
{
	struct bench_addr last_short;
	int i;
	memset(&last_short, 0, sizeof(last_short));
	for(i = 0; i < PROVIDERS; i++) {
		uint32_t x = (uint32_t)rnd() & 0x1fffffff;
		providers[i][0] = (uint8_t)(0x20 | x >> 24);
		providers[i][1] = (uint8_t)(x >> 16);
		providers[i][2] = (uint8_t)(x >> 8);
		providers[i][3] = (uint8_t)x;
	}
	for(i = 0; i < n; i++) {
		int cls = (int)(rnd() % 10), x = (int)(rnd() % 1000);
		memset(&r[i], 0, sizeof(r[i]));
		r[i].id = i + 1;
		r[i].type = POLICY_TYPE_ALL;
		r[i].action = PA_NXDOMAIN;
		if(i > 0 && rnd() % 16 == 0) {
			p[i] = p[i - 1];
			r[i].type = p[i].family == AF_INET ? 1 : 28;
			r[i].action = PA_LOG;
		} else if(cls == 0 && rnd() % 10 == 0 && last_short.plen) {
			p[i] = last_short;
			rnd_addr(&p[i], AF_INET, 32, 0);
			memcpy(p[i].a, last_short.a, 4);
			p[i].a[3] |= (uint8_t)(rnd() & ~(~0u << (32 - last_short.plen)));
			r[i].action = PA_ALLOW;
		} else if(cls < 8) {
			rnd_addr(&p[i], AF_INET, 32, 0);
		} else if(cls == 8) {
			rnd_addr(&p[i], AF_INET, x < 500 ? 24 : x < 700 ? 16 + x % 8 :
				x < 999 ? 25 + x % 7 : 8 + x % 8, 0);
			last_short = p[i];
		} else {
			memcpy(p[i].a, providers[rnd() % PROVIDERS], 4);
			rnd_addr(&p[i], AF_INET6, x < 250 ? 48 : x < 450 ? 64 :
				x < 600 ? 128 : x < 700 ? 56 : x < 750 ? 32 :
				33 + x % 95, 4);
		}
	}
}

/** Time rounds lookups cycling over as[0..n-1] (n a power of two);
 * return ns per lookup. */
static double
time_prefixes(const struct prefix_table* t, const struct bench_addr* as,
	size_t n, long rounds, long* found)
{
	double t0;
	long i;
	*found = 0;
	t0 = cpu_s();
	for(i = 0; i < rounds; i++) {
		const struct bench_addr* x = &as[(size_t)i & (n - 1)];
		if(prefix_table_lookup(t, x->family, x->a, x->family == AF_INET ?
			1 : 28, 1000, 0, NULL))
			(*found)++;
	}
	return (cpu_s() - t0) * 1e9 / (double)rounds;
}

/**
 * Fill as[0..n-1] with addresses of a kind: inside prefixes p[] of family
 * and length from_plen (host bits random; for IPv6 and 32, inside a
 * provider /32; -1: anywhere), that match a rule of length want_plen (-1:
 * that match none). Repeats addresses if too few are found.
 * @return the number of distinct addresses found, 0 if none.
 */
static size_t
pick_addrs(const struct prefix_table* t, const struct bench_addr* p, int np,
	int family, int from_plen, int want_plen, uint8_t providers[PROVIDERS][4],
	struct bench_addr* as, size_t n)
{
	size_t k = 0, found;
	long tries = 0;
	while(k < n && tries++ < 100000000L) {
		struct bench_addr x;
		int plen = -1;
		if(from_plen < 0) {
			rnd_addr(&x, family, family == AF_INET ? 32 : 128, 0);
		} else if(family == AF_INET6 && from_plen == 32) {
			memcpy(x.a, providers[rnd() % PROVIDERS], 4);
			rnd_addr(&x, family, 128, 4);
		} else {
			const struct bench_addr* b = &p[rnd() % (uint64_t)np];
			int i, bits = family == AF_INET ? 32 : 128;
			if(b->family != family || b->plen != from_plen)
				continue;
			x = *b;
			x.plen = bits;
			for(i = from_plen; i < bits; i++)
				if(rnd() & 1)
					x.a[i / 8] |= (uint8_t)(0x80 >> (i % 8));
		}
		(void)prefix_table_lookup(t, family, x.a, family == AF_INET ? 1 : 28,
			1000, 0, &plen);
		if(plen == want_plen)
			as[k++] = x;
	}
	for(found = k; k < n && found; k++)
		as[k] = as[k % found];
	return found;
}

/** The prefix table benchmark with n rules. */
static void
bench_prefixes(int n)
{
	static uint8_t providers[PROVIDERS][4];
	/* what is looked up: family, where it comes from, what it matches */
	static const struct {
		const char* what; int family, from_plen, want_plen;
	} kinds[] = {
		{ "IPv4 under a /32 rule", AF_INET, 32, 32 },
		{ "IPv4 under a /24 rule", AF_INET, 24, 24 },
		{ "IPv4 under no rule", AF_INET, -1, -1 },
		{ "IPv6 under a /128 rule", AF_INET6, 128, 128 },
		{ "IPv6 under a /48 rule", AF_INET6, 48, 48 },
		{ "IPv6 under no rule", AF_INET6, -1, -1 },
		{ "IPv6 under no rule, in a /32 with rules", AF_INET6, 32, -1 }
	};
	struct bench_addr* p = malloc((size_t)n * sizeof(*p));
	struct policy_rule* r = malloc((size_t)n * sizeof(*r));
	struct bench_addr* as = malloc(((size_t)1 << 20) * sizeof(*as));
	struct prefix_table* t;
	size_t rss0, k;
	double t0, warm, cold;
	long found, found2;
	int i, count[2] = { 0, 0 };
	if(!p || !r || !as || n <= 0) {
		free(p);
		free(r);
		free(as);
		return;
	}
	make_prefixes(p, r, n, providers);
	for(i = 0; i < n; i++)
		count[p[i].family == AF_INET6]++;
	rss0 = rss();
	t0 = cpu_s();
	t = prefix_table_create((size_t)n);
	for(i = 0; t && i < n; i++)
		if(prefix_table_add(t, p[i].family, p[i].a, p[i].plen, &r[i]) != 0)
			break;
	if(!t || i < n) {
		printf("prefix table: out of memory\n");
		exit(1);
	}
	printf("\nprefix rules %d (IPv4 %d, IPv6 %d), added in %.0f ms (CPU)\n", n,
		count[0], count[1], (cpu_s() - t0) * 1e3);
	printf("prefix table %.1f MB (%.1f bytes/rule), RSS grew %.1f MB\n",
		(double)prefix_table_mem(t) / 1e6,
		(double)prefix_table_mem(t) / n, (double)(rss() - rss0) / 1e6);
	printf("lookup ns (CPU) by address kind: 4096 addresses (cached), 1M\n");
	for(k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		if(!pick_addrs(t, p, n, kinds[k].family, kinds[k].from_plen,
			kinds[k].want_plen, providers, as, (size_t)1 << 20)) {
			printf("  %-40s (no such address)\n", kinds[k].what);
			continue;
		}
		warm = time_prefixes(t, as, 4096, 4000000, &found);
		cold = time_prefixes(t, as, (size_t)1 << 20, 4000000, &found2);
		printf("  %-40s %6.1f %6.1f  (%ld, %ld matched)\n", kinds[k].what,
			warm, cold, found, found2);
	}
	prefix_table_delete(t);
	/* a table of IPv6 rules only, looked up for IPv4; a table of none */
	t = prefix_table_create(0);
	for(i = 0; t && i < n && i < 10000; i++)
		if(p[i].family == AF_INET6)
			(void)prefix_table_add(t, p[i].family, p[i].a, p[i].plen, &r[i]);
	(void)pick_addrs(t, p, n, AF_INET, -1, -1, providers, as, 4096);
	printf("  %-40s %6.1f\n", "IPv4, table of IPv6 rules only",
		time_prefixes(t, as, 4096, 4000000, &found));
	prefix_table_delete(t);
	t = prefix_table_create(0);
	printf("  %-40s %6.1f\n", "IPv4, table of no rules",
		time_prefixes(t, as, 4096, 4000000, &found));
	prefix_table_delete(t);
	free(p);
	free(r);
	free(as);
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
	bench_prefixes(n);
	return 0;
}
