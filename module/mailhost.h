/**
 * \file mailhost.h
 * The mailhost set: names this resolver has recently seen as the exchange of
 * an MX answer. answer-ip rules with scope 'mailhost' apply only to them, so
 * that an address list aimed at diverted mail does not break the web.
 *
 * A bounded, lossy set shared by every worker thread without locks: each
 * entry is one 64-bit word (a tag of the name's hash and an expiry time)
 * written and read atomically. When a bucket is full the entry that expires
 * first is replaced, so the set never grows beyond its size.
 */
#ifndef RRPOLICY_MAILHOST_H
#define RRPOLICY_MAILHOST_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct mailhost_set;

/**
 * Create a set.
 * @param max: names it holds at least (setting mailhost_max).
 * @param ttl: seconds a name stays after it was last seen (mailhost_ttl).
 * @return the set, or NULL on malloc failure.
 */
struct mailhost_set* mailhost_set_create(size_t max, int ttl);

/** Free a set. NULL is fine. */
void mailhost_set_delete(struct mailhost_set* m);

/**
 * Note a name seen as the exchange of an MX answer, at time now. It stays
 * the set's ttl, or as long as the MX RRset's TTL (and its last second) if
 * that is longer: Unbound answers that MX from its cache without the module
 * until then, and its exchange must stay a mail host meanwhile. A name
 * already in the set keeps its expiry if that is later.
 * @param m: the set (NULL: nothing happens).
 * @param name: lowercase wire name.
 * @param now: current time.
 * @param mx_ttl: the MX RRset's TTL, seconds from now.
 * @return 1 if the name was not in the set (or had expired), else 0.
 */
int mailhost_set_add(struct mailhost_set* m, const uint8_t* name, time_t now,
	time_t mx_ttl);

/**
 * Whether a name is in the set at time now.
 * @param m: the set (NULL: no name is).
 * @param name: lowercase wire name.
 * @param now: current time.
 * @return 1 or 0.
 */
int mailhost_set_has(const struct mailhost_set* m, const uint8_t* name,
	time_t now);

/** Bytes of memory the set uses. */
size_t mailhost_set_mem(const struct mailhost_set* m);

#endif /* RRPOLICY_MAILHOST_H */
