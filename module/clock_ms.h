/**
 * \file clock_ms.h
 * The monotonic clock in milliseconds, for the module's threads' waits.
 */
#ifndef RRPOLICY_CLOCK_MS_H
#define RRPOLICY_CLOCK_MS_H
#include <stdint.h>
#include <time.h>

/** CLOCK_MONOTONIC in ms since an arbitrary point: a clock step (NTP)
 * changes no wait. */
static inline int64_t
clock_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif /* RRPOLICY_CLOCK_MS_H */
