/**
 * \file check_mailhost.c
 * Unit tests of the mailhost set: names noted as MX exchanges are found
 * until their lifetime ends (the set's, or their MX's TTL when longer), a
 * name noted again lives on, other names are not found, and the set stays
 * within its size however many names go in.
 */
#include "dname_text.h"
#include "mailhost.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** The wire form of a name. */
static const uint8_t*
wire(const char* text)
{
	static uint8_t buf[DNAME_WIRE_MAX];
	size_t len;
	ck_assert_ptr_null(dname_from_text(text, buf, &len, 0, NULL));
	return buf;
}

START_TEST(test_add_and_find)
{
	struct mailhost_set* m = mailhost_set_create(1024, 100);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(mailhost_set_has(m, wire("mx1.example.net"), 1000), 0);
	ck_assert_int_eq(mailhost_set_add(m, wire("mx1.example.net"), 1000,
		0), 1);
	ck_assert_int_eq(mailhost_set_has(m, wire("mx1.example.net"), 1000), 1);
	ck_assert_int_eq(mailhost_set_has(m, wire("mx2.example.net"), 1000), 0);
	/* noted again: not new, and it lives on from the new time */
	ck_assert_int_eq(mailhost_set_add(m, wire("mx1.example.net"), 1050,
		0), 0);
	ck_assert_int_eq(mailhost_set_has(m, wire("mx1.example.net"), 1149), 1);
	/* the lifetime ends */
	ck_assert_int_eq(mailhost_set_has(m, wire("mx1.example.net"), 1150), 0);
	ck_assert_int_eq(mailhost_set_add(m, wire("mx1.example.net"), 1200,
		0), 1);
	ck_assert_int_eq(mailhost_set_has(m, wire("mx1.example.net"), 1200), 1);
	mailhost_set_delete(m);
}
END_TEST

/** The last second a name is in the set: in it at last, gone at last + 1. */
static void
assert_last(const struct mailhost_set* m, const char* name, time_t last)
{
	ck_assert_int_eq(mailhost_set_has(m, wire(name), last), 1);
	ck_assert_int_eq(mailhost_set_has(m, wire(name), last + 1), 0);
}

START_TEST(test_mx_ttl)
{
	struct mailhost_set* m = mailhost_set_create(1024, 100);
	ck_assert_ptr_nonnull(m);
	/* an MX whose TTL is longer than the set's ttl is answered from the
	 * cache, without the module, through the second its TTL ends: its
	 * exchange stays */
	ck_assert_int_eq(mailhost_set_add(m, wire("mx1.example.net"), 1000,
		3600), 1);
	assert_last(m, "mx1.example.net", 4600);
	/* noted again from an MX of a shorter TTL: it keeps the later end */
	ck_assert_int_eq(mailhost_set_add(m, wire("mx1.example.net"), 2000,
		10), 0);
	assert_last(m, "mx1.example.net", 4600);
	/* a TTL shorter than the set's ttl, or none left: the set's ttl */
	ck_assert_int_eq(mailhost_set_add(m, wire("mx2.example.net"), 1000,
		10), 1);
	assert_last(m, "mx2.example.net", 1099);
	ck_assert_int_eq(mailhost_set_add(m, wire("mx3.example.net"), 1000,
		-5), 1);
	assert_last(m, "mx3.example.net", 1099);
	/* a TTL beyond a year counts as a year */
	ck_assert_int_eq(mailhost_set_add(m, wire("mx4.example.net"), 1000,
		(time_t)1 << 40), 1);
	assert_last(m, "mx4.example.net", 1000 + 366 * 86400 - 1);
	mailhost_set_delete(m);
}
END_TEST

START_TEST(test_bounded)
{
	struct mailhost_set* m = mailhost_set_create(1024, 3600);
	size_t mem = mailhost_set_mem(m), i, found = 0;
	char name[64];
	/* ten times more names than the set holds */
	for(i = 0; i < 10240; i++) {
		snprintf(name, sizeof(name), "mx%zu.example.net", i);
		(void)mailhost_set_add(m, wire(name), 1000 + (time_t)i / 1000,
			0);
	}
	ck_assert_uint_eq(mailhost_set_mem(m), mem);
	ck_assert_uint_le(mem, 2 * 1024 * 8 + 64);
	/* the most recent names are the ones kept */
	for(i = 10240 - 512; i < 10240; i++) {
		snprintf(name, sizeof(name), "mx%zu.example.net", i);
		found += (size_t)mailhost_set_has(m, wire(name), 1011);
	}
	ck_assert_uint_ge(found, 400);
	/* and it still holds about as many names as it was made for */
	for(i = found = 0; i < 10240; i++) {
		snprintf(name, sizeof(name), "mx%zu.example.net", i);
		found += (size_t)mailhost_set_has(m, wire(name), 1011);
	}
	ck_assert_uint_ge(found, 900);
	ck_assert_uint_le(found, 1024);
	mailhost_set_delete(m);
}
END_TEST

START_TEST(test_null_and_case)
{
	struct mailhost_set* m = mailhost_set_create(1, 60);
	ck_assert_int_eq(mailhost_set_add(NULL, wire("a.example"), 1, 0), 0);
	ck_assert_int_eq(mailhost_set_has(NULL, wire("a.example"), 1), 0);
	ck_assert_uint_eq(mailhost_set_mem(NULL), 0);
	mailhost_set_delete(NULL);
	/* the set is given lowercase names (dname_from_text lowercases) */
	(void)mailhost_set_add(m, wire("MX.Example.NET"), 10, 0);
	ck_assert_int_eq(mailhost_set_has(m, wire("mx.example.net"), 10), 1);
	mailhost_set_delete(m);
}
END_TEST

/** The test suite. */
static Suite*
mailhost_suite(void)
{
	Suite* s = suite_create("mailhost");
	TCase* tc = tcase_create("core");
	tcase_add_test(tc, test_add_and_find);
	tcase_add_test(tc, test_mx_ttl);
	tcase_add_test(tc, test_bounded);
	tcase_add_test(tc, test_null_and_case);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner* sr = srunner_create(mailhost_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
