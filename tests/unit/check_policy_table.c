/**
 * \file check_policy_table.c
 * Unit tests of the in-memory policy table and of name parsing: the
 * precedence rules of the README, expiry, and names as operators type them.
 */
#include "dname_text.h"
#include "policy_table.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** Type codes used here. */
enum { T_A = 1, T_MX = 15, T_TXT = 16, T_AAAA = 28, T_ANY = 255 };

/** Add a rule written as an operator would ("*.example.com", type, action). */
static void
add(struct policy_table* t, const char* name, uint16_t type, int action,
	int64_t id, int64_t expires)
{
	uint8_t wire[DNAME_WIRE_MAX];
	size_t len;
	int below;
	struct policy_rule r;
	ck_assert_ptr_null(dname_from_text(name, wire, &len, 1, &below));
	memset(&r, 0, sizeof(r));
	r.id = id;
	r.type = type;
	r.action = (uint8_t)action;
	r.expires = expires;
	ck_assert_int_eq(policy_table_add(t, wire, len, below, &r), 0);
}

/** The id of the rule for (name, type) at time now, 0 if none. */
static int64_t
hit_at(struct policy_table* t, const char* name, uint16_t type, time_t now)
{
	uint8_t wire[DNAME_WIRE_MAX];
	size_t len;
	const struct policy_rule* r;
	ck_assert_ptr_null(dname_from_text(name, wire, &len, 0, NULL));
	r = policy_table_lookup(t, wire, type, now, NULL);
	return r ? r->id : 0;
}

/** The id of the rule for (name, type) now. */
static int64_t
hit(struct policy_table* t, const char* name, uint16_t type)
{
	return hit_at(t, name, type, 1000);
}

START_TEST(test_exact_type)
{
	struct policy_table* t = policy_table_create(0);
	add(t, "spammer.com", T_MX, PA_NULLMX, 1, 0);
	ck_assert_int_eq(hit(t, "spammer.com", T_MX), 1);
	ck_assert_int_eq(hit(t, "SPAMMER.com.", T_MX), 1);
	ck_assert_int_eq(hit(t, "spammer.com", T_A), 0);
	ck_assert_int_eq(hit(t, "spammer.com", T_ANY), 0);
	ck_assert_int_eq(hit(t, "www.spammer.com", T_MX), 0);
	ck_assert_int_eq(hit(t, "nxdomain.com", T_MX), 0);
	ck_assert_int_eq(hit(t, "com", T_MX), 0);
	policy_table_delete(t);
}
END_TEST

START_TEST(test_wildcard_excludes_apex)
{
	struct policy_table* t = policy_table_create(0);
	add(t, "*.example.com", T_TXT, PA_NODATA, 7, 0);
	ck_assert_int_eq(hit(t, "a.example.com", T_TXT), 7);
	ck_assert_int_eq(hit(t, "deep.sub.example.com", T_TXT), 7);
	ck_assert_int_eq(hit(t, "example.com", T_TXT), 0);
	ck_assert_int_eq(hit(t, "a.example.com", T_A), 0);
	ck_assert_int_eq(hit(t, "aexample.com", T_TXT), 0);
	policy_table_delete(t);
}
END_TEST

START_TEST(test_precedence)
{
	struct policy_table* t = policy_table_create(0);
	add(t, "*.example.com", 0, PA_NXDOMAIN, 1, 0);
	add(t, "mail.example.com", 0, PA_ALLOW, 2, 0);
	add(t, "*.sub.example.com", 0, PA_NODATA, 3, 0);
	add(t, "*.example.com", T_MX, PA_NULLMX, 4, 0);
	add(t, "x.example.com", T_A, PA_REFUSED, 5, 0);
	/* exact name beats '*.' */
	ck_assert_int_eq(hit(t, "mail.example.com", T_MX), 2);
	/* but a name below the exception is still under the '*.' rule */
	ck_assert_int_eq(hit(t, "a.mail.example.com", T_A), 1);
	/* longer '*.' beats shorter */
	ck_assert_int_eq(hit(t, "a.sub.example.com", T_A), 3);
	ck_assert_int_eq(hit(t, "a.sub.example.com", T_MX), 3);
	/* named type beats '*' at the same name */
	ck_assert_int_eq(hit(t, "a.example.com", T_MX), 4);
	ck_assert_int_eq(hit(t, "a.example.com", T_TXT), 1);
	/* exact rule of another type does not hide the '*.' rule */
	ck_assert_int_eq(hit(t, "x.example.com", T_A), 5);
	ck_assert_int_eq(hit(t, "x.example.com", T_TXT), 1);
	policy_table_delete(t);
}
END_TEST

START_TEST(test_allow_beats_block_at_equal_specificity)
{
	struct policy_table* t = policy_table_create(0);
	add(t, "spammer.com", T_MX, PA_NULLMX, 1, 0);
	add(t, "spammer.com", T_MX, PA_ALLOW, 9, 0);
	add(t, "spammer.com", T_TXT, PA_NODATA, 3, 0);
	add(t, "spammer.com", T_TXT, PA_LOG, 2, 0);
	ck_assert_int_eq(hit(t, "spammer.com", T_MX), 9);
	/* two blocks at equal specificity: the lowest id */
	ck_assert_int_eq(hit(t, "spammer.com", T_TXT), 2);
	policy_table_delete(t);
}
END_TEST

START_TEST(test_expiry)
{
	struct policy_table* t = policy_table_create(0);
	add(t, "spammer.com", T_MX, PA_NULLMX, 1, 2000);
	add(t, "*.com", T_MX, PA_NODATA, 2, 0);
	ck_assert_int_eq(hit_at(t, "spammer.com", T_MX, 1999), 1);
	/* an expired rule stops applying; the broader one takes over */
	ck_assert_int_eq(hit_at(t, "spammer.com", T_MX, 2000), 2);
	policy_table_delete(t);
}
END_TEST

START_TEST(test_many_rules)
{
	struct policy_table* t = policy_table_create(0);
	char name[64];
	int i;
	for(i = 0; i < 100000; i++) {
		snprintf(name, sizeof(name), "%sn%d.example", i % 10 ? "" : "*.", i);
		add(t, name, i % 3 ? T_MX : 0, PA_NODATA, i + 1, 0);
	}
	ck_assert_uint_eq(policy_table_count(t), 100000);
	ck_assert_int_eq(hit(t, "n1.example", T_MX), 2);
	ck_assert_int_eq(hit(t, "n1.example", T_A), 0);
	ck_assert_int_eq(hit(t, "a.b.n30.example", T_A), 31);
	ck_assert_int_eq(hit(t, "n30.example", T_A), 0);
	ck_assert_int_eq(hit(t, "a.n50.example", T_MX), 51);
	ck_assert_int_eq(hit(t, "a.n50.example", T_A), 0);
	ck_assert_int_eq(hit(t, "n99999.example", T_MX), 100000);
	ck_assert_int_eq(hit(t, "n100000.example", T_MX), 0);
	ck_assert_uint_gt(policy_table_mem(t), 100000 * sizeof(struct policy_rule));
	policy_table_delete(t);
}
END_TEST

START_TEST(test_empty_table)
{
	struct policy_table* t = policy_table_create(0);
	struct policy_table* c;
	ck_assert_int_eq(hit(t, "spammer.com", T_MX), 0);
	/* the first rule of a database that had none: added to a copy */
	ck_assert_ptr_nonnull(c = policy_table_copy(t, 1));
	add(c, "spammer.com", T_MX, PA_NULLMX, 1, 0);
	ck_assert_int_eq(hit(c, "spammer.com", T_MX), 1);
	ck_assert_int_eq(hit(t, "spammer.com", T_MX), 0);
	policy_table_delete(c);
	policy_table_delete(t);
	ck_assert_ptr_null(policy_table_lookup(NULL, (const uint8_t*)"\0", T_A, 0, NULL));
}
END_TEST

START_TEST(test_apex)
{
	struct policy_table* t = policy_table_create(0);
	uint8_t wire[DNAME_WIRE_MAX];
	size_t len;
	const uint8_t* apex = NULL;
	add(t, "*.example.com", T_TXT, PA_NODATA, 1, 0);
	ck_assert_ptr_null(dname_from_text("a.b.example.com", wire, &len, 0, NULL));
	ck_assert_ptr_nonnull(policy_table_lookup(t, wire, T_TXT, 0, &apex));
	ck_assert_int_eq(apex - wire, 4);	/* "example.com" inside it */
	policy_table_delete(t);
}
END_TEST

START_TEST(test_depths)
{
	/* lookups probe only the numbers of labels the table has names of:
	 * names of every other count, added later in place, in a copy or in
	 * a replace, must be found all the same */
	struct policy_table* t = policy_table_create(0);
	struct policy_table* more = policy_table_create(0);
	struct policy_table* c;
	struct policy_table* r;
	const int64_t none[] = { 99 };
	char deep[300];
	int i;
	add(t, "a.b.c.example", T_A, PA_NODATA, 1, 0);
	ck_assert_int_eq(hit(t, "a.b.c.example", T_A), 1);
	ck_assert_int_eq(hit(t, "x.b.c.example", T_A), 0);
	add(more, "*.c.example", T_A, PA_NODATA, 2, 0);
	ck_assert_int_eq(policy_table_add_all(t, more), 0);
	ck_assert_int_eq(hit(t, "x.b.c.example", T_A), 2);
	ck_assert_int_eq(hit(t, "a.b.c.example", T_A), 1);
	ck_assert_ptr_nonnull(c = policy_table_copy(t, 1));
	policy_table_delete(more);
	more = policy_table_create(0);
	add(more, "*.", T_MX, PA_NULLMX, 3, 0);
	ck_assert_int_eq(policy_table_add_all(c, more), 0);
	ck_assert_int_eq(hit(c, "x.b.c.example", T_A), 2);
	ck_assert_int_eq(hit(c, "x.b.c.example", T_MX), 3);
	ck_assert_int_eq(hit(c, "com", T_MX), 3);
	ck_assert_int_eq(hit(t, "com", T_MX), 0);
	ck_assert_ptr_nonnull(r = policy_table_replace(c, none, 1, more));
	ck_assert_int_eq(hit(r, "x.b.c.example", T_A), 2);
	ck_assert_int_eq(hit(r, "a.b.c.example", T_A), 1);
	ck_assert_int_eq(hit(r, "org", T_MX), 3);
	/* 70 labels: counts from 63 on share one bit */
	deep[0] = 0;
	for(i = 0; i < 69; i++)
		strcat(deep, "a.");
	strcat(deep, "deep");
	policy_table_delete(more);
	more = policy_table_create(0);
	add(more, deep, T_TXT, PA_NODATA, 4, 0);
	ck_assert_int_eq(policy_table_add_all(r, more), 0);
	ck_assert_int_eq(hit(r, deep, T_TXT), 4);
	ck_assert_int_eq(hit(r, deep + 2, T_TXT), 0);
	policy_table_delete(more);
	policy_table_delete(r);
	policy_table_delete(c);
	policy_table_delete(t);
}
END_TEST

START_TEST(test_name_parsing)
{
	uint8_t wire[DNAME_WIRE_MAX];
	size_t len;
	int wc;
	char text[1024], label[70], longname[300];
	ck_assert_ptr_null(dname_from_text("Spammer.COM.", wire, &len, 0, NULL));
	ck_assert_uint_eq(len, 13);
	ck_assert_int_eq(memcmp(wire, "\7spammer\3com", 13), 0);
	ck_assert_ptr_null(dname_from_text("*.example.com", wire, &len, 1, &wc));
	ck_assert_int_eq(wc, 1);
	ck_assert_int_eq(memcmp(wire, "\7example\3com", 13), 0);
	ck_assert_ptr_nonnull(dname_from_text("*.example.com", wire, &len, 0, &wc));
	ck_assert_ptr_nonnull(dname_from_text("", wire, &len, 1, &wc));
	ck_assert_ptr_nonnull(dname_from_text("a..b", wire, &len, 1, &wc));
	ck_assert_ptr_nonnull(dname_from_text(".a", wire, &len, 1, &wc));
	ck_assert_ptr_nonnull(dname_from_text("a.*.b", wire, &len, 1, &wc));
	ck_assert_ptr_nonnull(dname_from_text("a*.b", wire, &len, 1, &wc));
	memset(label, 'a', 64);
	label[64] = 0;
	ck_assert_ptr_nonnull(dname_from_text(label, wire, &len, 1, &wc));
	label[63] = 0;
	ck_assert_ptr_null(dname_from_text(label, wire, &len, 1, &wc));
	snprintf(longname, sizeof(longname), "%s.%s.%s.%s", label, label, label, label);
	ck_assert_ptr_nonnull(dname_from_text(longname, wire, &len, 1, &wc));
	ck_assert_ptr_null(dname_from_text("a\\046b.c", wire, &len, 0, NULL));
	dname_to_text(wire, text, sizeof(text));
	ck_assert_str_eq(text, "a\\.b.c.");
	ck_assert_uint_eq(dname_lower_copy((const uint8_t*)"\3WwW\0", wire), 5);
	ck_assert_int_eq(memcmp(wire, "\3www", 5), 0);
}
END_TEST

/** What policy_table_diff reported: "+id" for an added rule, "-id" for a
 * removed one, in the order of the calls. */
struct diff_log {
	/** the text */
	char text[256];
};

/** policy_table_diff callback: append to the log. */
static void
diff_cb(const uint8_t* name, int below, const struct policy_rule* r,
	int added, void* arg)
{
	struct diff_log* d = (struct diff_log*)arg;
	size_t n = strlen(d->text);
	(void)name;
	snprintf(d->text + n, sizeof(d->text) - n, "%s%c%lld", n ? " " : "",
		added ? '+' : '-', (long long)r->id + (below ? 1000 : 0));
}

START_TEST(test_copy_and_diff)
{
	struct policy_table* a = policy_table_create(100);
	struct policy_table* b;
	struct policy_table* c;
	struct diff_log d;
	int i;
	add(a, "one.example", T_MX, PA_NULLMX, 1, 0);
	add(a, "*.two.example", T_TXT, PA_NODATA, 2, 0);
	add(a, "three.example", T_A, PA_ALLOW, 3, 0);
	add(a, "four.example", T_A, PA_NODATA, 4, 5000);
	/* a copy adds to its own arrays: the original stays as it was */
	ck_assert_ptr_nonnull(b = policy_table_copy(a, 200));
	for(i = 0; i < 200; i++) {
		char name[64];
		snprintf(name, sizeof(name), "n%d.example", i);
		add(b, name, T_A, PA_NODATA, 10 + i, 0);
	}
	ck_assert_int_eq(policy_table_count(a), 4);
	ck_assert_int_eq(policy_table_count(b), 204);
	ck_assert_int_eq(hit(b, "one.example", T_MX), 1);
	ck_assert_int_eq(hit(b, "x.two.example", T_TXT), 2);
	ck_assert_int_eq(hit(b, "n199.example", T_A), 209);
	ck_assert_int_eq(hit(a, "n199.example", T_A), 0);
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(policy_table_diff(a, a, diff_cb, &d), 0);
	ck_assert_str_eq(d.text, "");
	/* the copy's difference is what was added to it */
	ck_assert_int_eq(policy_table_diff(a, b, diff_cb, &d), 0);
	ck_assert_int_eq(strncmp(d.text, "+10 +11 +12 ", 12), 0);
	ck_assert_int_eq(strlen(d.text), sizeof(d.text) - 1);
	/* changed: name of 1, kind of 2, expiry of 4; 3 removed; 5 added */
	c = policy_table_create(0);
	add(c, "uno.example", T_MX, PA_NULLMX, 1, 0);
	add(c, "two.example", T_TXT, PA_NODATA, 2, 0);
	add(c, "four.example", T_A, PA_NODATA, 4, 6000);
	add(c, "five.example", T_A, PA_NODATA, 5, 0);
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(policy_table_diff(a, c, diff_cb, &d), 0);
	ck_assert_str_eq(d.text, "-1 +1 -1002 +2 -3 -4 +4 +5");
	/* added in place, where there is room */
	ck_assert_int_eq(policy_table_has_room(a, c), 1);
	ck_assert_int_eq(policy_table_has_room(c, b), 0);
	ck_assert_int_eq(policy_table_add_all(a, c), 0);
	ck_assert_int_eq(policy_table_count(a), 8);
	ck_assert_int_eq(hit(a, "uno.example", T_MX), 1);
	ck_assert_int_eq(hit(a, "one.example", T_MX), 1);
	ck_assert_int_eq(hit(a, "five.example", T_A), 5);
	/* not in id order: the caller must compare another way */
	add(c, "six.example", T_A, PA_NODATA, 3, 0);
	ck_assert_int_eq(policy_table_diff(a, c, diff_cb, &d), -1);
	policy_table_delete(a);
	policy_table_delete(b);
	policy_table_delete(c);
}
END_TEST

/** A table built from scratch equal to the expected result of a replace
 * in test_replace: compared with policy_table_diff. */
static struct policy_table*
replace_expected(void)
{
	struct policy_table* e = policy_table_create(0);
	add(e, "one.example", T_MX, PA_NULLMX, 1, 0);
	add(e, "two.example", T_TXT, PA_NXDOMAIN, 2, 0);
	add(e, "same.example", T_A, PA_NODATA, 3, 0);
	add(e, "same.example", T_TXT, PA_NODATA, 6, 0);
	add(e, "*.seven.example", POLICY_TYPE_ALL, PA_REFUSED, 7, 0);
	add(e, "same.example", T_MX, PA_NULLMX, 8, 0);
	return e;
}

START_TEST(test_replace)
{
	struct policy_table* t = policy_table_create(0);
	struct policy_table* more = policy_table_create(0);
	struct policy_table* r;
	struct policy_table* e;
	struct policy_table* c;
	/* 2 changes action and kind, 4 and 5 go (5 in the middle of the list
	 * of same.example, 4 an allow that expires), 7 is new, 9 was never
	 * there */
	const int64_t ids[] = { 2, 4, 5, 7, 9 };
	struct diff_log d;
	add(t, "one.example", T_MX, PA_NULLMX, 1, 0);
	add(t, "*.two.example", T_TXT, PA_NODATA, 2, 0);
	add(t, "same.example", T_A, PA_NODATA, 3, 0);
	add(t, "four.example", T_A, PA_ALLOW, 4, 5000);
	add(t, "same.example", T_AAAA, PA_NODATA, 5, 0);
	add(t, "same.example", T_TXT, PA_NODATA, 6, 0);
	add(t, "same.example", T_MX, PA_NULLMX, 8, 0);
	add(more, "two.example", T_TXT, PA_NXDOMAIN, 2, 0);
	add(more, "*.seven.example", POLICY_TYPE_ALL, PA_REFUSED, 7, 0);
	ck_assert_int_eq(policy_table_allow_expiry(t), 5000);
	ck_assert_ptr_nonnull(r = policy_table_replace(t, ids, 5, more));
	/* the table in use is untouched */
	ck_assert_int_eq(policy_table_count(t), 7);
	ck_assert_int_eq(hit(t, "x.two.example", T_TXT), 2);
	ck_assert_int_eq(hit(t, "same.example", T_AAAA), 5);
	ck_assert_int_eq(hit(t, "four.example", T_A), 4);
	/* the new one has the changes */
	ck_assert_int_eq(policy_table_count(r), 6);
	ck_assert_int_eq(hit(r, "x.two.example", T_TXT), 0);
	ck_assert_int_eq(hit(r, "two.example", T_TXT), 2);
	ck_assert_int_eq(hit(r, "four.example", T_A), 0);
	ck_assert_int_eq(hit(r, "same.example", T_AAAA), 0);
	ck_assert_int_eq(hit(r, "same.example", T_A), 3);
	ck_assert_int_eq(hit(r, "same.example", T_TXT), 6);
	ck_assert_int_eq(hit(r, "same.example", T_MX), 8);
	ck_assert_int_eq(hit(r, "a.seven.example", T_A), 7);
	ck_assert_int_eq(hit(r, "one.example", T_MX), 1);
	ck_assert_int_eq(policy_table_allow_expiry(r), 0);
	/* the diff sees only the listed ids */
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(policy_table_diff(t, r, diff_cb, &d), 0);
	ck_assert_str_eq(d.text, "-1002 +2 -4 -5 +1007");
	/* in id order, and the same as the table built from scratch */
	e = replace_expected();
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(policy_table_diff(e, r, diff_cb, &d), 0);
	ck_assert_str_eq(d.text, "");
	/* a replaced table takes rules in place, and copies, like any */
	policy_table_delete(more);
	more = policy_table_create(0);
	add(more, "ten.example", T_A, PA_NODATA, 10, 0);
	ck_assert_int_eq(policy_table_has_room(r, more), 1);
	ck_assert_int_eq(policy_table_add_all(r, more), 0);
	ck_assert_int_eq(hit(r, "ten.example", T_A), 10);
	ck_assert_ptr_nonnull(c = policy_table_copy(r, 1));
	ck_assert_int_eq(hit(c, "ten.example", T_A), 10);
	ck_assert_int_eq(policy_table_count(c), 7);
	policy_table_delete(c);
	policy_table_delete(r);
	policy_table_delete(e);
	policy_table_delete(more);
	policy_table_delete(t);
}
END_TEST

/* The earliest expiries the watcher looks at: of an exception, and of a rule
 * whose answer is stored in the cache (not of an rcode-only one). */
START_TEST(test_expiries)
{
	struct policy_table* t = policy_table_create(0);
	struct policy_table* none = policy_table_create(0);
	struct policy_table* r;
	const int64_t gone[] = { 2 };
	add(t, "a.example", T_MX, PA_NULLMX, 1, 7000);
	add(t, "b.example", T_A, PA_NODATA, 2, 6000);
	add(t, "c.example", T_A, PA_REFUSED, 3, 5000);
	add(t, "d.example", T_A, PA_ALLOW, 4, 4000);
	add(t, "*.e.example", POLICY_TYPE_ALL, PA_NXDOMAIN, 5, 0);
	ck_assert_int_eq(policy_table_allow_expiry(t), 4000);
	ck_assert_int_eq(policy_table_stored_expiry(t), 6000);
	ck_assert_ptr_nonnull(r = policy_table_replace(t, gone, 1, none));
	ck_assert_int_eq(policy_table_stored_expiry(r), 7000);
	ck_assert_int_eq(policy_table_stored_expiry(none), 0);
	policy_table_delete(r);
	policy_table_delete(none);
	policy_table_delete(t);
}
END_TEST

START_TEST(test_replace_unsorted)
{
	struct policy_table* t = policy_table_create(0);
	struct policy_table* more = policy_table_create(0);
	struct policy_table* r;
	const int64_t ids[] = { 3, 20 };
	struct diff_log d;
	/* rules not added in id order, as after an insert below the highest */
	add(t, "a.example", T_A, PA_NODATA, 20, 0);
	add(t, "b.example", T_A, PA_NODATA, 3, 0);
	add(t, "c.example", T_A, PA_NODATA, 10, 0);
	add(more, "b.example", T_A, PA_REFUSED, 3, 0);
	ck_assert_ptr_nonnull(r = policy_table_replace(t, ids, 2, more));
	ck_assert_int_eq(policy_table_count(r), 2);
	ck_assert_int_eq(hit(r, "a.example", T_A), 0);
	ck_assert_int_eq(hit(r, "b.example", T_A), 3);
	ck_assert_int_eq(hit(r, "c.example", T_A), 10);
	/* the changes are still paired by id */
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(policy_table_diff(t, r, diff_cb, &d), 0);
	ck_assert_str_eq(d.text, "-3 +3 -20");
	/* nothing listed, nothing read: an equal table, no difference */
	policy_table_delete(more);
	more = policy_table_create(0);
	policy_table_delete(t);
	ck_assert_ptr_nonnull(t = policy_table_replace(r, ids, 0, more));
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(policy_table_diff(r, t, diff_cb, &d), 0);
	ck_assert_str_eq(d.text, "");
	ck_assert_int_eq(hit(t, "b.example", T_A), 3);
	policy_table_delete(more);
	policy_table_delete(r);
	policy_table_delete(t);
}
END_TEST

/** Add rule i of the large tables of test_replace_large, in version v. */
static void
add_large(struct policy_table* t, int i, int v)
{
	char name[64];
	snprintf(name, sizeof(name), "%sn%d.v%d.example", i % 3 ? "" : "*.",
		i % 500, i % 7 == 0 ? v : 0);
	add(t, name, (uint16_t)(i % 2 ? T_A : T_MX), v ? PA_REFUSED : PA_NODATA,
		i, 0);
}

START_TEST(test_replace_large)
{
	/* 20,000 rules on 1,500 names; 2,000 ids changed: every 10th rule
	 * changes (half of them with a new name, so the index grows), every
	 * 20th from 5 on goes, and rules above 20,000 come */
	struct policy_table* t = policy_table_create(0);
	struct policy_table* more = policy_table_create(0);
	struct policy_table* want = policy_table_create(0);
	struct policy_table* r;
	int64_t ids[4000];
	size_t n = 0;
	struct diff_log d;
	int i;
	for(i = 1; i <= 20000; i++)
		add_large(t, i, 0);
	for(i = 1; i <= 21000; i++) {
		int changed = i % 10 == 0 || i > 20000, gone = i % 20 == 5;
		if(changed || gone)
			ids[n++] = i;
		if(changed) {
			add_large(more, i, i / 10);
			add_large(want, i, i / 10);
		} else if(!gone)
			add_large(want, i, 0);
	}
	ck_assert_ptr_nonnull(r = policy_table_replace(t, ids, n, more));
	ck_assert_int_eq(policy_table_count(r), policy_table_count(want));
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(policy_table_diff(want, r, diff_cb, &d), 0);
	ck_assert_str_eq(d.text, "");
	/* every rule of n5 up to 20,000 went: the lowest id left wins */
	ck_assert_int_eq(hit(t, "n5.v0.example", T_A), 5);
	ck_assert_int_eq(hit(r, "n5.v0.example", T_A), 20005);
	/* rule 70 moved to a new name */
	ck_assert_int_eq(hit(t, "n70.v7.example", T_MX), 0);
	ck_assert_int_eq(hit(r, "n70.v7.example", T_MX), 70);
	ck_assert_int_eq(hit(r, "x.n69.v0.example", T_A), 69);
	policy_table_delete(r);
	policy_table_delete(want);
	policy_table_delete(more);
	policy_table_delete(t);
}
END_TEST

/** The test suite. */
static Suite*
table_suite(void)
{
	Suite* s = suite_create("policy_table");
	TCase* tc = tcase_create("core");
	tcase_add_test(tc, test_exact_type);
	tcase_add_test(tc, test_wildcard_excludes_apex);
	tcase_add_test(tc, test_precedence);
	tcase_add_test(tc, test_allow_beats_block_at_equal_specificity);
	tcase_add_test(tc, test_expiry);
	tcase_add_test(tc, test_many_rules);
	tcase_add_test(tc, test_empty_table);
	tcase_add_test(tc, test_apex);
	tcase_add_test(tc, test_depths);
	tcase_add_test(tc, test_name_parsing);
	tcase_add_test(tc, test_copy_and_diff);
	tcase_add_test(tc, test_replace);
	tcase_add_test(tc, test_expiries);
	tcase_add_test(tc, test_replace_unsorted);
	tcase_add_test(tc, test_replace_large);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner* sr = srunner_create(table_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
