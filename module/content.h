/**
 * \file content.h
 * What an answer contains, for the rules that look inside it: the target
 * names in the rdata of MX, NS, SRV, CNAME, DNAME, SVCB and HTTPS records
 * (trigger 'target') and the addresses of A and AAAA records (trigger
 * 'answer-ip').
 */
#ifndef RRPOLICY_CONTENT_H
#define RRPOLICY_CONTENT_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>
struct ub_packed_rrset_key;
struct policy_table;
struct policy_rule;
struct prefix_table;
struct mailhost_set;
struct regional;

/** Whether records of an RR type carry a target name. */
int content_has_target(uint16_t type);

/**
 * The target name of record j of an RRset, lowercased. For SVCB and HTTPS
 * in service mode, a target of "." is the owner name (RFC 9460).
 * @param rr: the RRset.
 * @param j: the record (below the RRset's count).
 * @param out: buffer of DNAME_WIRE_MAX bytes.
 * @return the length of the name, or 0 if the record has none (a null MX,
 *	an alias-mode "."), or its rdata is malformed.
 */
size_t content_target(const struct ub_packed_rrset_key* rr, size_t j,
	uint8_t* out);

/**
 * The address of record j of an A or AAAA RRset.
 * @param rr: the RRset.
 * @param j: the record.
 * @param addr: set to the address bytes.
 * @return AF_INET or AF_INET6, or 0 if the rdata has the wrong length.
 */
int content_addr(const struct ub_packed_rrset_key* rr, size_t j,
	const uint8_t** addr);

/**
 * The rule of the target rules that applies to record j (not allow).
 * @param t: the target rules (NULL: none).
 * @param rr: the RRset (of a type with targets).
 * @param j: the record.
 * @param now: the time.
 * @param name: buffer of DNAME_WIRE_MAX bytes, receives the target.
 * @return the rule, or NULL.
 */
const struct policy_rule* content_target_rule(const struct policy_table* t,
	const struct ub_packed_rrset_key* rr, size_t j, time_t now,
	uint8_t* name);

/**
 * The answer-ip rule that applies to the addresses of an A or AAAA RRset:
 * the first blocking rule of its records in order, else the first log rule.
 * An IPv4-mapped AAAA address (::ffff:a.b.c.d) is looked up both as the
 * IPv4 address of an A record and as itself; the longer prefix decides.
 * @param t: the address rules (NULL: none).
 * @param rr: the RRset.
 * @param now: the time.
 * @param mailhosts: the mailhost set: mailhost rules apply when the owner
 *	is in it (NULL: no name is, the set could not be made).
 * @param any_mailhost: mailhost rules apply to every name, whatever the
 *	set holds (to decide what may be cached).
 * @return the rule, or NULL.
 */
const struct policy_rule* content_addr_rule(const struct prefix_table* t,
	const struct ub_packed_rrset_key* rr, time_t now,
	const struct mailhost_set* mailhosts, int any_mailhost);

/**
 * Whether a target or answer-ip rule other than log blocks a record of an
 * RRset, mailhost rules counting for every owner: what may be cached.
 * @param targets: the target rules (NULL: none).
 * @param addrs: the answer-ip rules (NULL: none).
 * @param rr: the RRset.
 * @param now: the time.
 * @return 1 if so, else 0.
 */
int content_rrset_blocked(const struct policy_table* targets,
	const struct prefix_table* addrs, const struct ub_packed_rrset_key* rr,
	time_t now);

/**
 * A copy of an RRset in a region with only the records keep[] marks, without
 * signatures (they no longer cover it), never marked secure.
 * @param region: where to allocate.
 * @param rr: the RRset.
 * @param keep: one flag per record.
 * @return the copy, or NULL on allocation failure.
 */
struct ub_packed_rrset_key* content_subset(struct regional* region,
	const struct ub_packed_rrset_key* rr, const uint8_t* keep);

#endif /* RRPOLICY_CONTENT_H */
