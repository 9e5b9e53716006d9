/**
 * \file answer.h
 * Answers synthesized by rrpolicy: the null MX, NODATA and NXDOMAIN with a
 * SOA, rcode-only answers and the Extended DNS Error that names the rule.
 */
#ifndef RRPOLICY_ANSWER_H
#define RRPOLICY_ANSWER_H
#include <stddef.h>
#include <stdint.h>
struct module_qstate;
struct module_env;
struct edns_option;
struct regional;
struct dns_msg;
struct ub_packed_rrset_key;
struct policy_settings;

/** Flag on the RRsets of a blocked answer the module stored in the message
 * cache (a bit no PACKED_RRSET_* flag uses). Key flags are part of an RRset
 * cache key, so the synthesized RRsets never replace a real one of the same
 * name and type, and a cache answer carrying the flag is known as blocked. */
#define ANSWER_CACHED_FLAG 0x40000000
/** The key flags of such an RRset also hold the id of the rule that blocked
 * it, in bits Unbound does not use (4 to 29), so that logging a cache answer
 * needs no lookup; 0 there for an id beyond ANSWER_RULE_MAX. */
#define ANSWER_RULE_SHIFT 4
/** Largest rule id the key flags hold. */
#define ANSWER_RULE_MAX 0x3ffffff

/** Extended DNS Error codes of RFC 8914 that rrpolicy sends. */
#define ANSWER_EDE_BLOCKED 15
/** EDE for an answer filtered at the response stage. */
#define ANSWER_EDE_FILTERED 17

/**
 * Make a one-RR rrset in a region.
 * @param region: where to allocate.
 * @param owner: wire owner name.
 * @param ownerlen: its length.
 * @param type: RR type.
 * @param dclass: RR class.
 * @param ttl: TTL.
 * @param rdata: rdata without the length prefix.
 * @param rdlen: its length.
 * @return the rrset, or NULL on allocation failure.
 */
struct ub_packed_rrset_key* answer_rrset(struct regional* region,
	const uint8_t* owner, size_t ownerlen, uint16_t type, uint16_t dclass,
	uint32_t ttl, const uint8_t* rdata, size_t rdlen);

/** The null MX (RFC 7505, "MX 0 .") of owner, or NULL on allocation failure. */
struct ub_packed_rrset_key* answer_nullmx(struct regional* region,
	const uint8_t* owner, size_t ownerlen, uint16_t dclass,
	const struct policy_settings* s);

/** The SOA of apex for a synthesized negative answer, or NULL. */
struct ub_packed_rrset_key* answer_soa(struct regional* region,
	const uint8_t* apex, size_t apexlen, uint16_t dclass,
	const struct policy_settings* s);

/**
 * Make an empty reply for the query of qstate, in qstate->region, with room
 * for capacity rrsets; never marked secure.
 * @return the message, or NULL on allocation failure.
 */
struct dns_msg* answer_msg(struct module_qstate* qstate, size_t capacity,
	int rcode);

/**
 * Finish a query with the answer of a blocking action at the query stage.
 * @param qstate: the query; return_msg, return_rcode and is_drop are set.
 * @param action: enum policy_action (not log or allow).
 * @param apex: owner name of the matching rule (inside the qname), for the SOA.
 * @param s: settings.
 * @return 0 on success, -1 on allocation failure.
 */
int answer_block(struct module_qstate* qstate, int action,
	const uint8_t* apex, const struct policy_settings* s);

/**
 * The key flags of the RRsets a rule's stored blocked answer holds.
 * @param rule_id: the id of the rule.
 * @return ANSWER_CACHED_FLAG, with the id when it fits.
 */
uint32_t answer_cache_flags(int64_t rule_id);

/**
 * The rule id the key flags of a stored blocked answer's RRset hold. Inline:
 * every blocked answer from the cache reads it.
 * @param flags: the key flags.
 * @return the id, 0 for an id beyond ANSWER_RULE_MAX.
 */
static inline int64_t
answer_cache_rule(uint32_t flags)
{
	return (flags >> ANSWER_RULE_SHIFT) & ANSWER_RULE_MAX;
}

/**
 * Store the blocked answer of the query stage (qstate->return_msg) in the
 * message cache, its RRsets flagged ANSWER_CACHED_FLAG, so that the worker
 * answers the name's next queries itself (the cache callback logs them).
 * Only answers with an RRset are stored: the flag has nowhere else to live;
 * and no DS or DNSKEY answer, which the validator would read as the zone's;
 * and none of a QCLASS * query (RFC 1035 3.2.5), for class IN data.
 * @param qstate: the query, answered by answer_block().
 * @param rule_id: the id of the rule.
 * @param expires: expiry of the rule (seconds since the epoch), 0 for never;
 *	the answer's TTLs are cut so that it leaves the cache with the rule.
 */
void answer_cache_store(struct module_qstate* qstate, int64_t rule_id,
	int64_t expires);

/**
 * Remove what answer_cache_store stored for the query: its messages and the
 * blocked RRsets of its answer (keyed with their flags, so a name's real
 * RRsets stay).
 * @param qstate: the query state, return_msg as answer_cache_store left it.
 */
void answer_cache_unstore(struct module_qstate* qstate);

/**
 * Remove the cached messages of a query, with and without CD: Unbound keys
 * them apart for AAAA, and a CD client must not get what the rules now
 * cover.
 * @param env: the module environment.
 * @param qname: the query name, wire format.
 * @param qname_len: its length.
 * @param qtype: the query type.
 * @param qclass: the query class.
 */
void answer_uncache_msgs(struct module_env* env, uint8_t* qname,
	size_t qname_len, uint16_t qtype, uint16_t qclass);

/**
 * Add an Extended DNS Error naming the rule to an EDNS option list, if the
 * configuration has ede: yes.
 * @param list: the list (qstate->edns_opts_front_out, or the list of a reply
 *	callback).
 * @param region: where to allocate.
 * @param env: the module environment (configuration).
 * @param code: EDE code.
 * @param rule_id: the rule's policy.id.
 */
void answer_add_ede(struct edns_option** list, struct regional* region,
	struct module_env* env, int code, int64_t rule_id);

#endif /* RRPOLICY_ANSWER_H */
