/**
 * \file rules_lock.c
 * The lock of the rules in use: the writer's side (see rules_lock.h).
 */
#include "rules_lock.h"
#include <stdlib.h>
#include <time.h>

int
rules_lock_init(struct rules_lock* l, int n)
{
	l->writer = 0;
	l->n = n > 0 ? n : 0;
	l->readers = NULL;
	if(l->n && posix_memalign((void**)&l->readers, sizeof(*l->readers),
		(size_t)l->n * sizeof(*l->readers)) != 0)
		return -1;
	for(n = 0; n < l->n; n++)
		l->readers[n].active = 0;
	pthread_mutex_init(&l->mu, NULL);
	return 0;
}

void
rules_lock_destroy(struct rules_lock* l)
{
	pthread_mutex_destroy(&l->mu);
	free(l->readers);
	l->readers = NULL;
	l->n = 0;
}

void
rules_write_begin(struct rules_lock* l)
{
	/* a reader holds the rules for a lookup or one answer's RRsets:
	 * microseconds, unless its thread is not running */
	struct timespec pause = { 0, 20000 };
	int i;
	pthread_mutex_lock(&l->mu);
	__atomic_store_n(&l->writer, 1, __ATOMIC_SEQ_CST);
	for(i = 0; i < l->n; i++)
		while(__atomic_load_n(&l->readers[i].active, __ATOMIC_SEQ_CST))
			nanosleep(&pause, NULL);
}

void
rules_write_end(struct rules_lock* l)
{
	__atomic_store_n(&l->writer, 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&l->mu);
}
