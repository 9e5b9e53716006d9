/**
 * \file rules_lock.h
 * The lock of the rules in use: workers read them in every query, the
 * watcher changes them a few times a minute at most. A reader announces
 * itself in a flag of its own worker, on a cache line of its own, and
 * checks that no writer is there: one atomic store and one load, where a
 * read-write lock takes two atomic read-modify-writes of one counter that
 * all workers share (its cache line moving from core to core). A writer
 * raises its flag, then waits until every worker's flag is down.
 */
#ifndef RRPOLICY_RULES_LOCK_H
#define RRPOLICY_RULES_LOCK_H
#include <pthread.h>

/** A worker's flag, alone on its cache line. */
struct rules_reader {
	/** 1 while the worker reads the rules */
	int active;
	/** the rest of the line */
	char pad[64 - sizeof(int)];
};

/** The lock. */
struct rules_lock {
	/** 1 while a writer waits for the readers or writes */
	int writer;
	/** held by a writer, and by a reader without a flag or that came
	 * while a writer was there */
	pthread_mutex_t mu;
	/** one flag per worker */
	struct rules_reader* readers;
	/** how many */
	int n;
};

/** Set up a lock for n workers (numbered 0 to n-1). 0 on success, -1 when
 * out of memory. */
int rules_lock_init(struct rules_lock* l, int n);

/** Free what rules_lock_init allocated; no one may hold the lock. */
void rules_lock_destroy(struct rules_lock* l);

/**
 * Start reading the rules. Not recursive.
 * @param l: the lock.
 * @param worker: the reader's worker number (the thread_num of its
 *	alloc cache), or -1 for a thread that is no worker: such a reader
 *	takes the mutex, as one that meets a writer does.
 * @return what to give rules_read_end.
 */
static inline int
rules_read_begin(struct rules_lock* l, int worker)
{
	if(worker >= 0 && worker < l->n) {
		/* the store before the load (sequentially consistent, both):
		 * a writer that comes at the same time sees the flag, or
		 * this reader sees the writer's */
		__atomic_store_n(&l->readers[worker].active, 1,
			__ATOMIC_SEQ_CST);
		if(!__atomic_load_n(&l->writer, __ATOMIC_SEQ_CST))
			return worker;
		__atomic_store_n(&l->readers[worker].active, 0,
			__ATOMIC_RELEASE);
	}
	pthread_mutex_lock(&l->mu);
	return -1;
}

/** Stop reading the rules.
 * @param l: the lock.
 * @param token: what rules_read_begin returned. */
static inline void
rules_read_end(struct rules_lock* l, int token)
{
	if(token >= 0)
		__atomic_store_n(&l->readers[token].active, 0,
			__ATOMIC_RELEASE);
	else	pthread_mutex_unlock(&l->mu);
}

/** Take the lock for writing: wait until no worker reads. */
void rules_write_begin(struct rules_lock* l);

/** Release the lock taken for writing. */
void rules_write_end(struct rules_lock* l);

#endif /* RRPOLICY_RULES_LOCK_H */
