/**
 * \file idle_thread.c
 * LD_PRELOAD library for the benchmark: starts one thread that never runs,
 * so that stock Unbound with one worker becomes a multithreaded process, as
 * it is with rrpolicy's two threads. glibc then wraps every cancellable
 * system call (recvfrom, sendto, epoll_wait) in cancellation bookkeeping;
 * the configuration "stockmt" measures what that alone costs per query.
 */
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

/** The thread: sleeps, with every signal blocked (Unbound's go elsewhere). */
static void*
idle(void* arg)
{
	(void)arg;
	for(;;)
		sleep(3600);
	return NULL;
}

/** Start the thread when the library is loaded. */
__attribute__((constructor)) static void
start_idle_thread(void)
{
	pthread_t t;
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	if(pthread_create(&t, NULL, idle, NULL) == 0)
		pthread_detach(t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}
