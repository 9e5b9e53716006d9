/**
 * \file dname_text.h
 * Domain names in presentation form (as operators type them in the policy
 * table) turned into lowercase wire format, and wire names walked label by label.
 * No Unbound dependency, so the unit tests link it alone.
 */
#ifndef RRPOLICY_DNAME_TEXT_H
#define RRPOLICY_DNAME_TEXT_H
#include <stddef.h>
#include <stdint.h>

/** Longest domain name in wire format (RFC 1035). */
#define DNAME_WIRE_MAX 255

/**
 * Parse a presentation-form name into lowercase wire format.
 * Accepts a trailing dot or none, \X and \DDD escapes. With allow_wildcard,
 * a leading "*." label is removed and reported in *wildcard.
 * @param text: the name, NUL terminated.
 * @param wire: output buffer of DNAME_WIRE_MAX bytes.
 * @param len: output, length of the wire name (including the root label).
 * @param allow_wildcard: whether a leading "*." is accepted.
 * @param wildcard: output, 1 if the name began with "*.", else 0. May be NULL.
 * @return NULL on success, else a static text saying what is wrong.
 */
const char* dname_from_text(const char* text, uint8_t* wire, size_t* len,
	int allow_wildcard, int* wildcard);

/**
 * Copy a wire name, lowercasing it, and return its length.
 * @param src: a valid wire name (as in a parsed query).
 * @param dst: output buffer of DNAME_WIRE_MAX bytes.
 * @return the length of the name, or 0 if src is malformed or too long.
 */
size_t dname_lower_copy(const uint8_t* src, uint8_t* dst);

/**
 * Copy a wire name that must end within avail bytes (as in rdata),
 * lowercasing it, and return its length.
 * @param src: the name.
 * @param avail: bytes readable at src.
 * @param dst: output buffer of DNAME_WIRE_MAX bytes.
 * @return the length of the name, or 0 if it is malformed, too long or does
 *	not end within avail bytes.
 */
size_t dname_lower_copy_n(const uint8_t* src, size_t avail, uint8_t* dst);

/** Length of a valid wire name, including the root label. */
size_t dname_wire_len(const uint8_t* wire);

/**
 * Print a wire name in presentation form, with a trailing dot.
 * @param wire: a valid wire name.
 * @param buf: output buffer.
 * @param size: size of buf; at least 1024 holds any name with escapes.
 */
void dname_to_text(const uint8_t* wire, char* buf, size_t size);

#endif /* RRPOLICY_DNAME_TEXT_H */
