/**
 * \file hit_slot.h
 * One hit as the workers queue it: a slot of the hit log's ring (hitlog.c),
 * also the first hit of a group of counted hits (hit_groups.c).
 */
#ifndef RRPOLICY_HIT_SLOT_H
#define RRPOLICY_HIT_SLOT_H
#include "dname_text.h"
#include <stdatomic.h>
#include <stdint.h>

/** One queued hit (336 bytes on LP64). */
struct hitlog_slot {
	/** turn: pos = free for position pos, pos + 1 = holds position pos */
	_Atomic uint64_t seq;
	/** policy.id of the rule */
	int64_t policy_id;
	/** revision.history of the database the rule is from */
	int64_t history;
	/** time of the answer, seconds since the epoch */
	int64_t sec;
	/** mnemonic of the query type (static storage) or NULL */
	const char* qtype_name;
	/** action applied (static storage) or NULL */
	const char* action;
	/** microseconds of the time */
	uint32_t usec;
	/** query type code */
	uint16_t qtype;
	/** AF_INET, AF_INET6, or 0 when the address was not usable */
	uint8_t family;
	/** enum hitlog_stage */
	uint8_t stage;
	/** enum hitlog_dnssec */
	uint8_t dnssec;
	/** client address, 4 or 16 bytes */
	uint8_t addr[16];
	/** length of qname, 0 if it was not a valid wire name */
	uint8_t qname_len;
	/** query name in wire format, as received */
	uint8_t qname[DNAME_WIRE_MAX];
};

#endif /* RRPOLICY_HIT_SLOT_H */
