/**
 * \file rrpolicy.h
 * rrpolicy: per-record-type block policies from SQLite, as an Unbound dynlib
 * module. The module's global state and its per-query state.
 */
#ifndef RRPOLICY_RRPOLICY_H
#define RRPOLICY_RRPOLICY_H
#include <stdint.h>
#include "policy_store.h"
struct policy_table;
struct hitlog;

/** Global state, in ((struct dynlibmod_env*)env->modinfo[id])->dyn_env. */
struct rrpolicy_env {
	/** the rules; read-only while workers run */
	struct policy_table* table;
	/** settings from the database */
	struct policy_settings settings;
	/** the hit log writer, NULL when hit logging is off or unavailable */
	struct hitlog* hits;
	/** the database file */
	char* db_path;
};

/** Most rules recorded as fired for one query. */
#define RRPOLICY_MAX_FIRED 4

/** A rule that fired for a query, logged once per client answered. */
struct rrpolicy_fired {
	/** policy.id */
	int64_t id;
	/** enum policy_action */
	uint8_t action;
	/** enum hitlog_stage */
	uint8_t stage;
};

/** Per-query state, in qstate->minfo[id]. */
struct rrpolicy_qstate {
	/** the rules that fired */
	struct rrpolicy_fired fired[RRPOLICY_MAX_FIRED];
	/** how many */
	int nfired;
};

#endif /* RRPOLICY_RRPOLICY_H */
