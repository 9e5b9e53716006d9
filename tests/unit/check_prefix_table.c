/**
 * \file check_prefix_table.c
 * Unit tests of the table of address rules and of address parsing: longest
 * prefix first, the per-prefix precedence of policy_rule_pick, expiry, the
 * mailhost flag, the two families kept apart, and growth.
 */
#include "prefix_table.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/** Type codes used here. */
enum { T_A = 1, T_MX = 15, T_AAAA = 28 };

/** Add a rule on a prefix written as an operator would. */
static void
add_flags(struct prefix_table* t, const char* prefix, uint16_t type,
	int action, int64_t id, int64_t expires, uint8_t flags)
{
	uint8_t addr[16];
	int family, plen;
	struct policy_rule r;
	ck_assert_ptr_null(prefix_parse(prefix, &family, addr, &plen));
	memset(&r, 0, sizeof(r));
	r.id = id;
	r.type = type;
	r.action = (uint8_t)action;
	r.expires = expires;
	r.flags = flags;
	ck_assert_int_eq(prefix_table_add(t, family, addr, plen, &r), 0);
}

/** Add an unflagged rule that never expires. */
static void
add(struct prefix_table* t, const char* prefix, uint16_t type, int action,
	int64_t id)
{
	add_flags(t, prefix, type, action, id, 0, 0);
}

/** The id of the rule for an address at time now, 0 if none; *plen gets
 * the length of its prefix (-1 if none). */
static int64_t
hit_full(const struct prefix_table* t, const char* address, uint16_t rrtype,
	time_t now, int mailhost, int* plen)
{
	uint8_t addr[16];
	int family, len;
	const struct policy_rule* r;
	ck_assert_ptr_null(prefix_parse(address, &family, addr, &len));
	*plen = -1;
	r = prefix_table_lookup(t, family, addr, rrtype, now, mailhost, plen);
	return r ? r->id : 0;
}

/** The id of the rule for an address now, not a mailhost. */
static int64_t
hit(const struct prefix_table* t, const char* address, uint16_t rrtype)
{
	int plen;
	return hit_full(t, address, rrtype, 1000, 0, &plen);
}

/** The length of the prefix that matches an address, -1 if none. */
static int
hit_plen(const struct prefix_table* t, const char* address, uint16_t rrtype)
{
	int plen;
	(void)hit_full(t, address, rrtype, 1000, 0, &plen);
	return plen;
}

START_TEST(test_parse_good)
{
	uint8_t addr[16];
	int family, plen;
	static const uint8_t mapped[16] = { 0,0,0,0, 0,0,0,0, 0,0,0xff,0xff,
		192,0,2,1 };
	ck_assert_ptr_null(prefix_parse("192.0.2.1", &family, addr, &plen));
	ck_assert_int_eq(family, AF_INET);
	ck_assert_int_eq(plen, 32);
	ck_assert_int_eq(memcmp(addr, "\300\0\2\1", 4), 0);
	ck_assert_ptr_null(prefix_parse("198.51.100.0/24", &family, addr, &plen));
	ck_assert_int_eq(plen, 24);
	ck_assert_int_eq(memcmp(addr, "\306\63\144\0", 4), 0);
	ck_assert_ptr_null(prefix_parse("0.0.0.0/0", &family, addr, &plen));
	ck_assert_int_eq(plen, 0);
	ck_assert_ptr_null(prefix_parse("255.255.255.255/32", &family, addr, &plen));
	ck_assert_ptr_null(prefix_parse("10.0.0.0/8", &family, addr, &plen));
	ck_assert_int_eq(plen, 8);
	ck_assert_ptr_null(prefix_parse("2001:db8::/32", &family, addr, &plen));
	ck_assert_int_eq(family, AF_INET6);
	ck_assert_int_eq(plen, 32);
	ck_assert_int_eq(memcmp(addr, "\40\1\15\270\0\0\0\0\0\0\0\0\0\0\0\0", 16), 0);
	ck_assert_ptr_null(prefix_parse("2001:DB8:0:1::/64", &family, addr, &plen));
	ck_assert_int_eq(plen, 64);
	ck_assert_ptr_null(prefix_parse("::/0", &family, addr, &plen));
	ck_assert_int_eq(plen, 0);
	ck_assert_ptr_null(prefix_parse("::1", &family, addr, &plen));
	ck_assert_int_eq(plen, 128);
	ck_assert_int_eq(addr[15], 1);
	/* a mapped IPv4 address is IPv6 */
	ck_assert_ptr_null(prefix_parse("::ffff:192.0.2.1", &family, addr, &plen));
	ck_assert_int_eq(family, AF_INET6);
	ck_assert_int_eq(plen, 128);
	ck_assert_int_eq(memcmp(addr, mapped, 16), 0);
	ck_assert_ptr_null(prefix_parse("::ffff:192.0.2.0/120", &family, addr, &plen));
	ck_assert_int_eq(plen, 120);
}
END_TEST

START_TEST(test_parse_bad)
{
	static const char* const bad[] = { "", "/24", "1.2.3", "1.2.3.4.5",
		"1..2.3", "1.2.3.", ".1.2.3", "a.b.c.d", "example.com",
		" 1.2.3.4", "1.2.3.4 ", "1.2.3.-4", "1.2.3.+4", "1.2.3.4/",
		"1.2.3.4/x", "1.2.3.4/24x", "1.2.3.4/-1", "1.2.3.4/+8",
		"1.2.3.4/024", "1.2.3.4/32/32", "1::2::3", ":::", "1:2:3:4:5:6:7:8:9",
		"12345::", "fe80::1%eth0", "2001:db8::/", "::ffff:1.2.3",
		"::ffff:01.2.3.4", "1000.1.1.1",
		"1234:1234:1234:1234:1234:1234:255.255.255.255.255" };
	uint8_t addr[16];
	int family, plen;
	size_t i;
	for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(prefix_parse(bad[i], &family, addr, &plen) != NULL,
			"accepted \"%s\"", bad[i]);
	ck_assert_str_eq(prefix_parse("1.2.3", &family, addr, &plen),
		"not an IPv4 or IPv6 address");
	ck_assert_str_eq(prefix_parse("1::2::3", &family, addr, &plen),
		"not an IPv4 or IPv6 address");
	ck_assert_str_eq(prefix_parse("256.1.1.1", &family, addr, &plen),
		"IPv4 octet over 255");
	ck_assert_str_eq(prefix_parse("1.2.3.999", &family, addr, &plen),
		"IPv4 octet over 255");
	ck_assert_str_eq(prefix_parse("010.0.0.1", &family, addr, &plen),
		"leading zero in an IPv4 octet");
	ck_assert_str_eq(prefix_parse("10.0.0.00", &family, addr, &plen),
		"leading zero in an IPv4 octet");
	ck_assert_str_eq(prefix_parse("1.2.3.4/33", &family, addr, &plen),
		"prefix length out of range");
	ck_assert_str_eq(prefix_parse("1.2.3.4/4294967328", &family, addr, &plen),
		"prefix length out of range");
	ck_assert_str_eq(prefix_parse("2001:db8::/129", &family, addr, &plen),
		"prefix length out of range");
	ck_assert_str_eq(prefix_parse("1.2.3.4/024", &family, addr, &plen),
		"malformed prefix length");
	ck_assert_str_eq(prefix_parse("192.0.2.1/24", &family, addr, &plen),
		"host bits set: write the network address");
	ck_assert_str_eq(prefix_parse("10.0.0.0/0", &family, addr, &plen),
		"host bits set: write the network address");
	ck_assert_str_eq(prefix_parse("2001:db8::1/32", &family, addr, &plen),
		"host bits set: write the network address");
	ck_assert_str_eq(prefix_parse("2001:db8:4000::/33", &family, addr, &plen),
		"host bits set: write the network address");
	ck_assert_ptr_null(prefix_parse("2001:db8:8000::/33", &family, addr, &plen));
}
END_TEST

START_TEST(test_longest_prefix)
{
	struct prefix_table* t = prefix_table_create(0);
	add(t, "10.0.0.0/8", 0, PA_NXDOMAIN, 1);
	add(t, "10.1.0.0/16", 0, PA_NXDOMAIN, 2);
	add(t, "10.1.2.0/24", 0, PA_NXDOMAIN, 3);
	add(t, "10.1.2.3", 0, PA_NXDOMAIN, 4);
	add(t, "10.1.2.128/25", 0, PA_NXDOMAIN, 5);
	add(t, "10.1.2.130/31", 0, PA_NXDOMAIN, 6);
	ck_assert_int_eq(hit(t, "10.1.2.3", T_A), 4);
	ck_assert_int_eq(hit_plen(t, "10.1.2.3", T_A), 32);
	ck_assert_int_eq(hit(t, "10.1.2.4", T_A), 3);
	ck_assert_int_eq(hit_plen(t, "10.1.2.4", T_A), 24);
	ck_assert_int_eq(hit(t, "10.1.2.129", T_A), 5);
	ck_assert_int_eq(hit(t, "10.1.2.131", T_A), 6);
	ck_assert_int_eq(hit_plen(t, "10.1.2.131", T_A), 31);
	ck_assert_int_eq(hit(t, "10.1.3.3", T_A), 2);
	ck_assert_int_eq(hit(t, "10.2.2.3", T_A), 1);
	ck_assert_int_eq(hit_plen(t, "10.2.2.3", T_A), 8);
	ck_assert_int_eq(hit(t, "11.1.2.3", T_A), 0);
	ck_assert_int_eq(hit_plen(t, "11.1.2.3", T_A), -1);
	ck_assert_int_eq(hit(t, "9.255.255.255", T_A), 0);
	ck_assert_uint_eq(prefix_table_count(t), 6);
	prefix_table_delete(t);
}
END_TEST

START_TEST(test_allow_inside_block)
{
	struct prefix_table* t = prefix_table_create(0);
	add(t, "198.51.100.0/24", 0, PA_NXDOMAIN, 1);
	add(t, "198.51.100.25", 0, PA_ALLOW, 2);
	add(t, "2001:db8::/32", 0, PA_NODATA, 3);
	add(t, "2001:db8:1::/48", 0, PA_ALLOW, 4);
	ck_assert_int_eq(hit(t, "198.51.100.25", T_A), 2);
	ck_assert_int_eq(hit(t, "198.51.100.24", T_A), 1);
	ck_assert_int_eq(hit(t, "2001:db8:1:2::3", T_AAAA), 4);
	ck_assert_int_eq(hit(t, "2001:db8:2::3", T_AAAA), 3);
	/* on the same prefix, allow beats a block with a lower id */
	add(t, "198.51.100.0/24", 0, PA_ALLOW, 9);
	ck_assert_int_eq(hit(t, "198.51.100.24", T_A), 9);
	prefix_table_delete(t);
}
END_TEST

START_TEST(test_types)
{
	struct prefix_table* t = prefix_table_create(0);
	add(t, "192.0.2.0/24", 0, PA_NXDOMAIN, 1);
	add(t, "192.0.2.0/24", T_A, PA_REFUSED, 2);
	add(t, "192.0.2.7", T_AAAA, PA_REFUSED, 3);
	add(t, "2001:db8::/32", T_AAAA, PA_NODATA, 4);
	add(t, "2001:db8::/32", T_A, PA_NODATA, 5);
	add(t, "2001:db8::/64", T_MX, PA_NODATA, 6);
	/* a named type beats '*' on one prefix */
	ck_assert_int_eq(hit(t, "192.0.2.1", T_A), 2);
	ck_assert_int_eq(hit(t, "192.0.2.1", T_MX), 1);
	/* a /32 rule of another type gives way to the /24 */
	ck_assert_int_eq(hit(t, "192.0.2.7", T_A), 2);
	ck_assert_int_eq(hit(t, "192.0.2.7", T_AAAA), 3);
	ck_assert_int_eq(hit(t, "2001:db8::1", T_AAAA), 4);
	ck_assert_int_eq(hit_plen(t, "2001:db8::1", T_AAAA), 32);
	ck_assert_int_eq(hit(t, "2001:db8::1", T_A), 5);
	ck_assert_int_eq(hit(t, "2001:db8::1", T_MX), 6);
	ck_assert_int_eq(hit(t, "2001:db8:0:1::1", T_MX), 0);
	prefix_table_delete(t);
}
END_TEST

START_TEST(test_expiry)
{
	struct prefix_table* t = prefix_table_create(0);
	int plen;
	add_flags(t, "203.0.113.7", 0, PA_NXDOMAIN, 1, 2000, 0);
	add(t, "203.0.113.0/24", 0, PA_NODATA, 2);
	add_flags(t, "203.0.113.0/24", 0, PA_ALLOW, 3, 1500, 0);
	ck_assert_int_eq(hit_full(t, "203.0.113.7", T_A, 1999, 0, &plen), 1);
	/* an expired rule stops applying; the shorter prefix takes over */
	ck_assert_int_eq(hit_full(t, "203.0.113.7", T_A, 2000, 0, &plen), 2);
	ck_assert_int_eq(plen, 24);
	ck_assert_int_eq(hit_full(t, "203.0.113.8", T_A, 1499, 0, &plen), 3);
	ck_assert_int_eq(hit_full(t, "203.0.113.8", T_A, 1500, 0, &plen), 2);
	prefix_table_delete(t);
}
END_TEST

START_TEST(test_mailhost)
{
	struct prefix_table* t = prefix_table_create(0);
	int plen;
	add(t, "192.0.2.0/24", 0, PA_NODATA, 1);
	ck_assert_int_eq(prefix_table_has_mailhost(t), 0);
	add_flags(t, "192.0.2.7", 0, PA_NXDOMAIN, 2, 0, POLICY_FLAG_MAILHOST);
	add_flags(t, "2001:db8::/48", 0, PA_NXDOMAIN, 3, 0, POLICY_FLAG_MAILHOST);
	ck_assert_int_eq(prefix_table_has_mailhost(t), 1);
	ck_assert_int_eq(hit_full(t, "192.0.2.7", T_A, 1000, 1, &plen), 2);
	ck_assert_int_eq(plen, 32);
	/* not a mailhost: the flagged /32 is skipped, the /24 applies */
	ck_assert_int_eq(hit_full(t, "192.0.2.7", T_A, 1000, 0, &plen), 1);
	ck_assert_int_eq(plen, 24);
	ck_assert_int_eq(hit_full(t, "2001:db8::1", T_AAAA, 1000, 1, &plen), 3);
	ck_assert_int_eq(hit_full(t, "2001:db8::1", T_AAAA, 1000, 0, &plen), 0);
	ck_assert_int_eq(plen, -1);
	prefix_table_delete(t);
}
END_TEST

START_TEST(test_zero_length)
{
	struct prefix_table* t = prefix_table_create(0);
	add(t, "0.0.0.0/0", 0, PA_NODATA, 1);
	ck_assert_int_eq(hit(t, "192.0.2.1", T_A), 1);
	ck_assert_int_eq(hit_plen(t, "0.0.0.0", T_A), 0);
	ck_assert_int_eq(hit(t, "255.255.255.255", T_A), 1);
	ck_assert_int_eq(hit(t, "::", T_AAAA), 0);
	add(t, "192.0.2.0/24", T_MX, PA_NODATA, 2);
	ck_assert_int_eq(hit(t, "192.0.2.1", T_MX), 2);
	ck_assert_int_eq(hit(t, "192.0.2.1", T_A), 1);
	add(t, "::/0", T_AAAA, PA_NXDOMAIN, 3);
	ck_assert_int_eq(hit(t, "2001:db8::1", T_AAAA), 3);
	ck_assert_int_eq(hit_plen(t, "ffff::1", T_AAAA), 0);
	ck_assert_int_eq(hit(t, "2001:db8::1", T_A), 0);
	prefix_table_delete(t);
}
END_TEST

START_TEST(test_many_rules_one_prefix)
{
	struct prefix_table* t = prefix_table_create(0);
	int i;
	for(i = 1000; i > 0; i--)
		add(t, "198.51.100.0/24", i % 2 ? 0 : T_AAAA, PA_NODATA, i);
	ck_assert_uint_eq(prefix_table_count(t), 1000);
	ck_assert_int_eq(hit(t, "198.51.100.1", T_A), 1);
	ck_assert_int_eq(hit(t, "198.51.100.1", T_AAAA), 2);
	add(t, "198.51.100.0/24", 0, PA_ALLOW, 5000);
	ck_assert_int_eq(hit(t, "198.51.100.1", T_A), 5000);
	ck_assert_int_eq(hit(t, "198.51.100.1", T_AAAA), 2);
	prefix_table_delete(t);
}
END_TEST

START_TEST(test_families_apart)
{
	struct prefix_table* t = prefix_table_create(0);
	add(t, "192.0.2.0/24", 0, PA_NODATA, 1);
	/* an IPv4 rule does not match IPv6 addresses, mapped ones included */
	ck_assert_int_eq(hit(t, "::ffff:192.0.2.1", T_AAAA), 0);
	ck_assert_int_eq(hit(t, "::c000:201", T_AAAA), 0);
	ck_assert_int_eq(hit(t, "c000:201::", T_AAAA), 0);
	add(t, "::ffff:192.0.2.0/120", 0, PA_NXDOMAIN, 2);
	add(t, "c000:200::/24", 0, PA_NXDOMAIN, 3);
	ck_assert_int_eq(hit(t, "::ffff:192.0.2.1", T_AAAA), 2);
	ck_assert_int_eq(hit(t, "c000:201::", T_AAAA), 3);
	ck_assert_int_eq(hit(t, "192.0.2.1", T_A), 1);
	ck_assert_int_eq(hit(t, "192.0.3.1", T_A), 0);
	prefix_table_delete(t);
}
END_TEST

START_TEST(test_ipv6_lengths)
{
	struct prefix_table* t = prefix_table_create(0);
	static const char* const rules[] = { "2001:db8::/32", "2001:db8::/33",
		"2001:db8::/48", "2001:db8::/64", "2001:db8::/96",
		"2001:db8::/97", "2001:db8::/127", "2001:db8::/128" };
	int i;
	for(i = 0; i < 8; i++)
		add(t, rules[i], 0, PA_NODATA, i + 1);
	add(t, "2000::/3", 0, PA_NODATA, 9);
	add(t, "2001::/17", 0, PA_NODATA, 10);
	ck_assert_int_eq(hit_plen(t, "2001:db8::", T_AAAA), 128);
	ck_assert_int_eq(hit_plen(t, "2001:db8::1", T_AAAA), 127);
	ck_assert_int_eq(hit_plen(t, "2001:db8::2", T_AAAA), 97);
	ck_assert_int_eq(hit_plen(t, "2001:db8::8000:0", T_AAAA), 96);
	ck_assert_int_eq(hit_plen(t, "2001:db8::1:0:0", T_AAAA), 64);
	ck_assert_int_eq(hit_plen(t, "2001:db8:0:1::", T_AAAA), 48);
	ck_assert_int_eq(hit_plen(t, "2001:db8:1::", T_AAAA), 33);
	ck_assert_int_eq(hit(t, "2001:db8:1::", T_AAAA), 2);
	ck_assert_int_eq(hit_plen(t, "2001:db8:8000::", T_AAAA), 32);
	ck_assert_int_eq(hit_plen(t, "2001:db9::", T_AAAA), 17);
	ck_assert_int_eq(hit_plen(t, "2001:8000::", T_AAAA), 3);
	ck_assert_int_eq(hit(t, "4001:db8::", T_AAAA), 0);
	prefix_table_delete(t);
}
END_TEST

/** The i-th address of test_growth, of bits bits, host bits beyond plen
 * zero (as prefix_parse makes sure). */
static void
nth_addr(int i, uint8_t* a, int bits, int plen)
{
	uint64_t x = (uint64_t)(i + 1) * 0x9e3779b97f4a7c15ULL;
	int j;
	for(j = 0; j < bits / 8; j++)
		a[j] = (uint8_t)(x >> (j % 8 * 8)) ^ (uint8_t)(j * 37);
	for(j = plen; j < bits; j++)
		a[j / 8] &= (uint8_t)~(0x80 >> (j % 8));
}

START_TEST(test_growth)
{
	struct prefix_table* t = prefix_table_create(0);
	uint8_t a[16];
	struct policy_rule r;
	const struct policy_rule* got;
	int i, plen;
	memset(&r, 0, sizeof(r));
	/* plain ifs in the loops: each ck_assert costs a write of Check's */
	for(i = 0; i < 200000; i++) {
		r.id = i + 1;
		nth_addr(i, a, 32, i % 4 ? 32 : 8 + i % 24);
		if(prefix_table_add(t, AF_INET, a, i % 4 ? 32 : 8 + i % 24, &r) != 0)
			ck_abort_msg("add of IPv4 prefix %d failed", i);
		nth_addr(i, a, 128, 1 + i % 128);
		if(prefix_table_add(t, AF_INET6, a, 1 + i % 128, &r) != 0)
			ck_abort_msg("add of IPv6 prefix %d failed", i);
	}
	ck_assert_uint_eq(prefix_table_count(t), 400000);
	ck_assert_uint_gt(prefix_table_mem(t), 400000 * sizeof(struct policy_rule));
	/* after every rehash, each prefix is still found (or a longer one) */
	for(i = 0; i < 200000; i++) {
		nth_addr(i, a, 32, i % 4 ? 32 : 8 + i % 24);
		got = prefix_table_lookup(t, AF_INET, a, T_A, 1000, 0, &plen);
		if(!got || plen < (i % 4 ? 32 : 8 + i % 24) ||
			(i % 4 && got->id != i + 1))
			ck_abort_msg("IPv4 prefix %d not found", i);
		nth_addr(i, a, 128, 1 + i % 128);
		got = prefix_table_lookup(t, AF_INET6, a, T_AAAA, 1000, 0, &plen);
		if(!got || plen < 1 + i % 128)
			ck_abort_msg("IPv6 prefix %d not found", i);
	}
	prefix_table_delete(t);
}
END_TEST

START_TEST(test_empty_and_null)
{
	struct prefix_table* t = prefix_table_create(0);
	struct policy_rule r;
	uint8_t a[16];
	int plen = 7;
	memset(a, 0, sizeof(a));
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(hit(t, "192.0.2.1", T_A), 0);
	ck_assert_int_eq(hit(t, "2001:db8::1", T_AAAA), 0);
	ck_assert_uint_eq(prefix_table_count(t), 0);
	ck_assert_int_eq(prefix_table_has_mailhost(t), 0);
	ck_assert_uint_gt(prefix_table_mem(t), 0);
	/* bad family or length */
	ck_assert_ptr_null(prefix_table_lookup(t, AF_UNIX, a, T_A, 0, 0, NULL));
	ck_assert_int_eq(prefix_table_add(t, AF_INET, a, 33, &r), -1);
	ck_assert_int_eq(prefix_table_add(t, AF_INET6, a, -1, &r), -1);
	ck_assert_int_eq(prefix_table_add(t, AF_UNIX, a, 0, &r), -1);
	/* only IPv4 rules: IPv6 finds nothing */
	add(t, "0.0.0.0/0", 0, PA_NODATA, 1);
	ck_assert_int_eq(hit(t, "::", T_AAAA), 0);
	prefix_table_delete(t);
	ck_assert_ptr_null(prefix_table_lookup(NULL, AF_INET, a, T_A, 0, 0, &plen));
	ck_assert_int_eq(plen, 7);
	ck_assert_uint_eq(prefix_table_count(NULL), 0);
	ck_assert_uint_eq(prefix_table_mem(NULL), 0);
	ck_assert_int_eq(prefix_table_has_mailhost(NULL), 0);
	prefix_table_delete(NULL);
	/* with an expected size */
	t = prefix_table_create(1000);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(hit(t, "192.0.2.1", T_A), 0);
	prefix_table_delete(t);
}
END_TEST

/** The test suite. */
static Suite*
prefix_suite(void)
{
	Suite* s = suite_create("prefix_table");
	TCase* tc = tcase_create("core");
	tcase_add_test(tc, test_parse_good);
	tcase_add_test(tc, test_parse_bad);
	tcase_add_test(tc, test_longest_prefix);
	tcase_add_test(tc, test_allow_inside_block);
	tcase_add_test(tc, test_types);
	tcase_add_test(tc, test_expiry);
	tcase_add_test(tc, test_mailhost);
	tcase_add_test(tc, test_zero_length);
	tcase_add_test(tc, test_many_rules_one_prefix);
	tcase_add_test(tc, test_families_apart);
	tcase_add_test(tc, test_ipv6_lengths);
	tcase_add_test(tc, test_growth);
	tcase_add_test(tc, test_empty_and_null);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner* sr = srunner_create(prefix_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
