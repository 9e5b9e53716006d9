/**
 * \file prefix_table.h
 * The in-memory table of address rules (trigger 'answer-ip'): rules on IPv4
 * and IPv6 addresses and prefixes, matched against the addresses of A and
 * AAAA answers by longest prefix.
 *
 * The two families are apart: an IPv4 address never matches an IPv6 rule.
 * An IPv4-mapped IPv6 address (::ffff:192.0.2.1, as an AAAA record may hold)
 * is IPv6 and matches only IPv6 rules (::ffff:192.0.2.0/120), never the
 * IPv4 rule 192.0.2.0/24.
 *
 * Like the policy table, a table is built once by one thread and is
 * read-only afterwards: any number of threads look it up at once, without
 * locks.
 */
#ifndef RRPOLICY_PREFIX_TABLE_H
#define RRPOLICY_PREFIX_TABLE_H
#include "policy_table.h"
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct prefix_table;

/**
 * Create an empty table.
 * @param expected: number of rules expected, to size the rule array; 0 is fine.
 * @return new table or NULL on malloc failure.
 */
struct prefix_table* prefix_table_create(size_t expected);

/** Free a table. NULL is fine. */
void prefix_table_delete(struct prefix_table* t);

/**
 * Add a rule on a prefix.
 * @param t: table.
 * @param family: AF_INET or AF_INET6.
 * @param addr: the network address, 4 or 16 bytes; its host bits are zero
 *	(prefix_parse checks that).
 * @param plen: prefix length, 0..32 or 0..128.
 * @param rule: the rule; its next field is ignored.
 * @return 0 on success, -1 on malloc failure or a bad family or length.
 */
int prefix_table_add(struct prefix_table* t, int family, const uint8_t* addr,
	int plen, const struct policy_rule* rule);

/**
 * Find the rule that applies to an address of an RRset of type rrtype.
 * The longest prefix that has an applicable rule wins; among the rules of
 * one prefix, policy_rule_pick decides (a named type beats '*', allow beats
 * every other action, then the lowest id; expired rules, and mailhost rules
 * unless mailhost is set, do not apply). When the rules of the longest
 * matching prefix do not apply, shorter prefixes are tried.
 * @param t: table (may be NULL: no rules).
 * @param family: AF_INET or AF_INET6.
 * @param addr: the address, 4 or 16 bytes.
 * @param rrtype: type of the RRset (A or AAAA).
 * @param now: current time.
 * @param mailhost: whether the owner name is a mailhost.
 * @param plen_out: if not NULL, set to the length of the prefix of the rule
 *	returned; untouched when none is.
 * @return the rule, or NULL when no rule applies.
 */
const struct policy_rule* prefix_table_lookup(const struct prefix_table* t,
	int family, const uint8_t* addr, uint16_t rrtype, time_t now,
	int mailhost, int* plen_out);

/**
 * Parse an address or prefix as operators write it: "192.0.2.1",
 * "198.51.100.0/24", "2001:db8::/32", "::ffff:192.0.2.1". IPv4 is four
 * decimal octets without leading zeros; an address without a length is a
 * /32 or /128; the host bits must be zero.
 * @param text: the text, NUL terminated.
 * @param family: output, AF_INET or AF_INET6.
 * @param addr: output, the address (4 bytes used for IPv4).
 * @param plen: output, the prefix length.
 * @return NULL on success, else a static text saying what is wrong (the
 *	outputs are then undefined).
 */
const char* prefix_parse(const char* text, int* family, uint8_t addr[16],
	int* plen);

/** Whether the table has a rule flagged POLICY_FLAG_MAILHOST (NULL: no). */
int prefix_table_has_mailhost(const struct prefix_table* t);

/** Number of rules in the table. */
size_t prefix_table_count(const struct prefix_table* t);

/** The earliest expiry of an allow rule, 0 if none expires (NULL is fine). */
int64_t prefix_table_allow_expiry(const struct prefix_table* t);

/** Bytes of memory the table uses. */
size_t prefix_table_mem(const struct prefix_table* t);

#endif /* RRPOLICY_PREFIX_TABLE_H */
