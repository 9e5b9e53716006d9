/**
 * \file check_rules_lock.c
 * Unit tests of the rules lock: workers that read under it never see a
 * write half done, whether they read through their own flag or, with no
 * worker number, through the mutex; and a writer gets in while workers keep
 * coming back to read.
 */
#include "rules_lock.h"
#include <check.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

/** Values a writer sets one after the other: equal outside a write. */
#define NVALUES 64
/** Writes each test makes. */
#define NWRITES 2000

/** What the threads of a test share. */
struct shared {
	/** the lock under test */
	struct rules_lock lock;
	/** written one by one under the write lock */
	volatile int values[NVALUES];
	/** readers that made their first read */
	int started;
	/** set once the writer is done */
	int done;
	/** reads that saw values that differ */
	int torn;
};

/** A reader and its worker number (-1: none). */
struct reader_arg {
	/** the shared state */
	struct shared* sh;
	/** the worker number it reads with */
	int worker;
};

/** A reader: read all values under the lock until the writer is done. */
static void*
reader_main(void* arg)
{
	struct reader_arg* ra = (struct reader_arg*)arg;
	struct shared* sh = ra->sh;
	long reads = 0;
	int torn = 0;
	while(!__atomic_load_n(&sh->done, __ATOMIC_ACQUIRE)) {
		int token = rules_read_begin(&sh->lock, ra->worker);
		int i, first = sh->values[0];
		for(i = 1; i < NVALUES; i++)
			if(sh->values[i] != first)
				torn = 1;
		rules_read_end(&sh->lock, token);
		if(reads++ == 0)
			__atomic_add_fetch(&sh->started, 1, __ATOMIC_RELEASE);
	}
	__atomic_add_fetch(&sh->torn, torn, __ATOMIC_RELAXED);
	return NULL;
}

/** Run readers with the given worker numbers against NWRITES writes. */
static void
run(const int* workers, int nreaders, int nworkers)
{
	struct shared* sh = calloc(1, sizeof(*sh));
	struct reader_arg ra[8];
	pthread_t th[8];
	int i, w;
	ck_assert_ptr_nonnull(sh);
	ck_assert_int_le(nreaders, 8);
	ck_assert_int_eq(rules_lock_init(&sh->lock, nworkers), 0);
	for(i = 0; i < nreaders; i++) {
		ra[i].sh = sh;
		ra[i].worker = workers[i];
		ck_assert_int_eq(pthread_create(&th[i], NULL, reader_main,
			&ra[i]), 0);
	}
	/* the writes start once every reader reads, and the readers never
	 * stop coming: each write has to get in */
	while(__atomic_load_n(&sh->started, __ATOMIC_ACQUIRE) < nreaders)
		sched_yield();
	for(w = 1; w <= NWRITES; w++) {
		rules_write_begin(&sh->lock);
		for(i = 0; i < NVALUES; i++)
			sh->values[i] = w;
		rules_write_end(&sh->lock);
	}
	__atomic_store_n(&sh->done, 1, __ATOMIC_RELEASE);
	for(i = 0; i < nreaders; i++)
		pthread_join(th[i], NULL);
	ck_assert_int_eq(sh->torn, 0);
	ck_assert_int_eq(sh->values[NVALUES - 1], NWRITES);
	rules_lock_destroy(&sh->lock);
	free(sh);
}

START_TEST(test_workers_see_whole_writes)
{
	static const int workers[] = { 0, 1, 2 };
	run(workers, 3, 3);
}
END_TEST

START_TEST(test_other_threads_see_whole_writes)
{
	/* no worker number, or one the lock has no flag for: the mutex */
	static const int workers[] = { -1, 5, 0 };
	run(workers, 3, 1);
}
END_TEST

/** The test suite. */
static Suite*
rules_lock_suite(void)
{
	Suite* s = suite_create("rules_lock");
	TCase* tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_workers_see_whole_writes);
	tcase_add_test(tc, test_other_threads_see_whole_writes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner* sr = srunner_create(rules_lock_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
