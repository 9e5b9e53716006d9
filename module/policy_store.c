/**
 * \file policy_store.c
 * Open or create the policy database and load settings and rules from it.
 */
#include "config.h"
#include "policy_store.h"
#include "policy_table.h"
#include "prefix_table.h"
#include "content.h"
#include "rrpolicy.h"
#include "rrtype_table.h"
#include "sqlite_hint.h"
#include "util/log.h"
#include "sldns/rrdef.h"
#include "sldns/sbuffer.h"
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/** How long init waits for a lock held by an operator, in ms. */
#define STORE_BUSY_MS 2000

/** Run a statement that returns one integer; -1 on error. */
static long long
query_int(sqlite3* db, const char* sql)
{
	sqlite3_stmt* st;
	long long v = -1;
	if(sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if(sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/** One step of the schema's history: SQL that turns a database of one
 * version into one of the next (schema/migrate-<from>-to-<from+1>.sql),
 * without transaction statements. */
struct schema_migration {
	/** the version it upgrades */
	int from;
	/** its SQL */
	const char* sql;
};

/** Every migration, oldest first; the last one ends at
 * POLICY_SCHEMA_VERSION. */
static const struct schema_migration schema_migrations[] = {
	{ 1, rrpolicy_migrate_1_to_2_sql },
	{ 2, rrpolicy_migrate_2_to_3_sql },
	{ 3, rrpolicy_migrate_3_to_4_sql },
	{ 4, rrpolicy_migrate_4_to_5_sql },
	{ 5, rrpolicy_migrate_5_to_6_sql }
};

/** Run a statement with one integer parameter that returns one integer;
 * -1 on error. */
static long long
query_int_arg(sqlite3* db, const char* sql, int64_t arg)
{
	sqlite3_stmt* st;
	long long v = -1;
	if(sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if(sqlite3_bind_int64(st, 1, arg) == SQLITE_OK &&
		sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/** Put the schema into an empty database, in one transaction. */
static int
create_schema(sqlite3* db, char* err, size_t errlen)
{
	char* msg = NULL;
	if(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
		sqlite3_exec(db, rrpolicy_schema_sql, NULL, NULL, &msg) != SQLITE_OK ||
		sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "cannot create the schema: %s",
			msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

/** What an operator can do about a failed migration, from its error code. */
static const char*
migrate_hint(int code)
{
	switch(code & 0xff) {
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return "; the file or its directory is not writable by the user "
			"Unbound runs as";
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return "; another connection holds a lock on it";
	case SQLITE_FULL:
		return "; the disk is full";
	default:
		return "";
	}
}

/**
 * Whether a file is being made by an operator's sqlite3, told from its
 * header alone: shorter than a header, or a database in rollback-journal
 * mode (as sqlite3 makes one) of user_version 0 (schema.sql sets it last).
 * Read without SQLite, whose read lock on such a file would make the
 * operator's next statement fail ("database is locked": in that mode no
 * write commits while anyone reads), or wait for the operator's lock.
 * @param path: the file.
 * @return nonzero if so; 0 otherwise, or when it cannot be read (SQLite
 *	then tells why).
 */
static int
file_being_made(const char* path)
{
	uint8_t h[100];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if(fd < 0)
		return 0;
	n = pread(fd, h, sizeof(h), 0);
	close(fd);
	if(n >= 0 && n < (ssize_t)sizeof(h))
		return 1;
	/* the magic string, file format versions 1 (legacy, not WAL) */
	return n == (ssize_t)sizeof(h) && memcmp(h, "SQLite format 3", 16) == 0 &&
		h[18] == 1 && h[19] == 1 && sldns_read_uint32(h + 60) == 0;
}

/**
 * Migrate a database of an older schema version to POLICY_SCHEMA_VERSION:
 * every step in one transaction, so that all of them apply or none does
 * and the file stays as it was.
 * @param db: the connection.
 * @param path: its file, for messages.
 * @param version: its schema version, as read before.
 * @param err: buffer for the reason of a failure.
 * @param errlen: its size.
 * @return 0 on success, -1 on failure (err says why).
 */
static int
migrate_schema(sqlite3* db, const char* path, long long version, char* err,
	size_t errlen)
{
	char* msg = NULL;
	long long v;
	size_t i;
	int code;
	if(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK)
		goto fail;
	/* another process may have migrated it since it was read */
	if((v = query_int(db, "PRAGMA user_version")) < 0)
		goto fail;
	for(i = 0; i < sizeof(schema_migrations) / sizeof(schema_migrations[0]);
		i++) {
		if(schema_migrations[i].from != v)
			continue;
		if(sqlite3_exec(db, schema_migrations[i].sql, NULL, NULL, &msg)
			!= SQLITE_OK)
			goto fail;
		v = schema_migrations[i].from + 1;
	}
	if(v != POLICY_SCHEMA_VERSION) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		snprintf(err, errlen, "%s has schema version %lld, this rrpolicy "
			"knows version %d", path, v, POLICY_SCHEMA_VERSION);
		return -1;
	}
	if(sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK)
		goto fail;
	verbose(VERB_OPS, "rrpolicy: migrated %s from schema version %lld to %d",
		path, version, POLICY_SCHEMA_VERSION);
	return 0;
fail:
	code = sqlite3_extended_errcode(db);
	snprintf(err, errlen, "cannot migrate %s from schema version %lld to "
		"%d (the file is left as it was): %s%s", path, version,
		POLICY_SCHEMA_VERSION, msg ? msg : sqlite3_errmsg(db),
		migrate_hint(code));
	sqlite3_free(msg);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/** The error of a file with no schema version yet. */
static void
no_version_yet(const char* path, char* err, size_t errlen)
{
	snprintf(err, errlen, "%s has no schema version yet (PRAGMA "
		"user_version 0): its schema is still being created, or it is "
		"no rrpolicy database", path);
}

struct sqlite3*
policy_store_open(const char* path, int may_create, char* err, size_t errlen)
{
	sqlite3* db = NULL;
	long long version, tables;
	if(!may_create && file_being_made(path)) {
		no_version_yet(path, err, errlen);
		return NULL;
	}
	/* a file that vanished since the caller looked is not made anew */
	if(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | (may_create ?
		SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s%s", path,
			db ? sqlite3_errmsg(db) : "out of memory",
			db ? sqlite_access_hint(sqlite3_errcode(db)) : "");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, STORE_BUSY_MS);
	version = query_int(db, "PRAGMA user_version");
	tables = query_int(db, "SELECT count(*) FROM sqlite_schema");
	if(version < 0 || tables < 0) {
		snprintf(err, errlen, "cannot read %s: %s%s", path,
			sqlite3_errmsg(db), sqlite_access_hint(sqlite3_errcode(db)));
		sqlite3_close(db);
		return NULL;
	}
	/* schema.sql sets the version last: a file with tables and no version
	 * is being made by an operator's sqlite3, and writing to it (WAL mode,
	 * the schema) would make the statements still to come fail */
	if(version == 0 && (tables > 0 || !may_create)) {
		no_version_yet(path, err, errlen);
		sqlite3_close(db);
		return NULL;
	}
	if(version == 0) {
		verbose(VERB_OPS, "rrpolicy: creating the schema in %s", path);
		if(create_schema(db, err, errlen) != 0) {
			sqlite3_close(db);
			return NULL;
		}
		version = POLICY_SCHEMA_VERSION;
	}
	if(version >= schema_migrations[0].from &&
		version < POLICY_SCHEMA_VERSION) {
		if(migrate_schema(db, path, version, err, errlen) != 0) {
			sqlite3_close(db);
			return NULL;
		}
		version = POLICY_SCHEMA_VERSION;
	}
	if(version != POLICY_SCHEMA_VERSION) {
		snprintf(err, errlen, "%s has schema version %lld, this rrpolicy "
			"knows version %d", path, version, POLICY_SCHEMA_VERSION);
		sqlite3_close(db);
		return NULL;
	}
	/* WAL lets operators read while the hit writer writes. */
	if(sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK)
		log_warn("rrpolicy: cannot set WAL mode on %s: %s", path,
			sqlite3_errmsg(db));
	return db;
}

void
policy_store_defaults(struct policy_settings* s)
{
	memset(s, 0, sizeof(*s));
	s->negative_ttl = 60;
	(void)dname_from_text("localhost.", s->soa_mname, &s->soa_mname_len, 0, NULL);
	(void)dname_from_text("nobody.invalid.", s->soa_rname, &s->soa_rname_len, 0, NULL);
	s->hit_log = 1;
	s->hit_retention_days = 30;
	s->hit_queue_size = 65536;
	s->poll_interval_ms = 1000;
	s->mailhost_max = 65536;
	s->mailhost_ttl = 86400;
}

/** Parse an integer setting within [lo, hi]; 0 on success. */
static int
parse_int(const char* v, long long lo, long long hi, long long* out)
{
	char* end;
	long long x;
	if(!v || !*v)
		return -1;
	x = strtoll(v, &end, 10);
	if(*end || x < lo || x > hi)
		return -1;
	*out = x;
	return 0;
}

/** Parse a domain-name setting into dst/dstlen; 0 on success. */
static int
parse_name(const char* v, uint8_t* dst, size_t* dstlen)
{
	uint8_t wire[DNAME_WIRE_MAX];
	size_t len;
	if(!v || dname_from_text(v, wire, &len, 0, NULL) != NULL)
		return -1;
	memcpy(dst, wire, len);
	*dstlen = len;
	return 0;
}

/** Apply one setting row; unknown keys and bad values are logged and ignored. */
static void
settings_apply(struct policy_settings* s, const char* key, const char* val)
{
	long long x = 0;
	const char* bad = NULL;
	if(strcmp(key, "negative_ttl") == 0) {
		if(parse_int(val, 0, 86400, &x) == 0) s->negative_ttl = (uint32_t)x;
		else bad = "an integer 0..86400";
	} else if(strcmp(key, "soa_mname") == 0) {
		if(parse_name(val, s->soa_mname, &s->soa_mname_len) != 0)
			bad = "a domain name";
	} else if(strcmp(key, "soa_rname") == 0) {
		if(parse_name(val, s->soa_rname, &s->soa_rname_len) != 0)
			bad = "a domain name";
	} else if(strcmp(key, "hit_log") == 0) {
		if(parse_int(val, 0, 2, &x) == 0) s->hit_log = (int)x;
		else bad = "0, 1 or 2";
	} else if(strcmp(key, "hit_retention_days") == 0) {
		if(parse_int(val, 0, 36500, &x) == 0) s->hit_retention_days = (int)x;
		else bad = "an integer 0..36500";
	} else if(strcmp(key, "hit_queue_size") == 0) {
		if(parse_int(val, 16384, 1048576, &x) == 0) s->hit_queue_size = (size_t)x;
		else bad = "an integer 16384..1048576";
	} else if(strcmp(key, "poll_interval_ms") == 0) {
		if(parse_int(val, 0, 3600000, &x) == 0 && (x == 0 || x >= 100))
			s->poll_interval_ms = (int)x;
		else bad = "0 or an integer 100..3600000";
	} else if(strcmp(key, "mailhost_max") == 0) {
		if(parse_int(val, 1024, 16777216, &x) == 0) s->mailhost_max = (size_t)x;
		else bad = "an integer 1024..16777216";
	} else if(strcmp(key, "mailhost_ttl") == 0) {
		if(parse_int(val, 60, 2592000, &x) == 0) s->mailhost_ttl = (int)x;
		else bad = "an integer 60..2592000";
	} else {
		log_warn("rrpolicy: ignoring unknown setting '%s'", key);
		return;
	}
	if(bad)
		log_warn("rrpolicy: setting '%s' = '%s' is not %s; using the default",
			key, val ? val : "NULL", bad);
}

/** Read table setting over the defaults; -1 on a database error. */
static int
settings_read(sqlite3* db, struct policy_settings* s)
{
	sqlite3_stmt* st;
	int rc;
	policy_store_defaults(s);
	if(sqlite3_prepare_v2(db, "SELECT key, value FROM setting", -1, &st,
		NULL) != SQLITE_OK)
		return -1;
	while((rc = sqlite3_step(st)) == SQLITE_ROW)
		settings_apply(s, (const char*)sqlite3_column_text(st, 0),
			(const char*)sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/** The triggers of policy.trigger. */
enum rule_trigger { TRIGGER_QNAME, TRIGGER_TARGET, TRIGGER_ANSWER_IP };

/** The concrete action of an action name for a rule of type t and a
 * trigger, or -1 if the name is unknown or not for this rule. */
static int
parse_action(const char* a, uint16_t t, enum rule_trigger trigger)
{
	int i;
	if(!a)
		return -1;
	if(strcasecmp(a, "block") == 0) {
		if(trigger == TRIGGER_TARGET)
			return PA_STRIP;
		if(trigger == TRIGGER_ANSWER_IP)
			return PA_SERVFAIL;
		return t == LDNS_RR_TYPE_MX ? PA_NULLMX :
			t == POLICY_TYPE_ALL ? PA_NXDOMAIN : PA_NODATA;
	}
	for(i = 0; i < PA_STRIP; i++)
		if(strcasecmp(a, policy_action_names[i]) == 0)
			break;
	if(i == PA_STRIP || (i == PA_NULLMX && t != LDNS_RR_TYPE_MX) ||
		(i == PA_REQUIRE_SECURE && trigger != TRIGGER_QNAME) ||
		(i == PA_NULLMX && trigger == TRIGGER_ANSWER_IP))
		return -1;
	/* a target rule's null MX is its 'block': records go, an MX RRset
	 * left empty becomes the null MX */
	return i == PA_NULLMX && trigger == TRIGGER_TARGET ? PA_STRIP : i;
}

/** Slots of the cache of type texts already looked up. */
#define TYPE_CACHE 64

/** Table rrtype in memory, and a cache of the type texts seen: rows repeat
 * a handful of types, so most rows cost one hash and one string compare. */
struct type_map {
	/** table rrtype */
	struct rrtype_table table;
	/** type texts seen, as written in the rows */
	char seen[TYPE_CACHE][16];
	/** their codes */
	uint16_t seen_code[TYPE_CACHE];
};

/** Read table rrtype; 0 on success. */
static int
type_map_read(sqlite3* db, struct type_map* m)
{
	memset(m, 0, sizeof(*m));
	return rrtype_table_read(db, &m->table) == SQLITE_OK ? 0 : -1;
}

/** The type of a row: '*', a mnemonic of table rrtype, or a TYPEnnn or
 * mnemonic Unbound knows. 0 on success. */
static int
parse_type(struct type_map* m, const char* text, uint16_t* type)
{
	unsigned h = 0;
	size_t len;
	const char* p;
	if(!text || !*text || (len = strlen(text)) >= sizeof(m->seen[0]))
		return -1;
	for(p = text; *p; p++)
		h = h * 31 + (unsigned char)*p;
	h %= TYPE_CACHE;
	if(strcmp(text, m->seen[h]) == 0) {
		*type = m->seen_code[h];
		return 0;
	}
	if(strcmp(text, "*") == 0)
		*type = POLICY_TYPE_ALL;
	else if(!(*type = rrtype_table_code(&m->table, text)) &&
		!(*type = sldns_get_rr_type_by_name(text)))
		return -1;
	memcpy(m->seen[h], text, len + 1);
	m->seen_code[h] = *type;
	return 0;
}

/** Whether a rule of the type would never match: OPT and the QTYPEs and
 * meta types of 128 to 254 (RFC 6895) are no data, so no answer holds them,
 * and Unbound answers queries of them itself, before any module (AXFR and
 * IXFR REFUSED, the others FORMERR). ANY (255) reaches the module. */
static int
type_never_matches(uint16_t type)
{
	return type == LDNS_RR_TYPE_OPT || (type >= 128 && type <= 254);
}

/** The trigger of a row, -1 if unknown. */
static int
parse_trigger(const char* t)
{
	if(!t || strcmp(t, "qname") == 0)
		return TRIGGER_QNAME;
	if(strcmp(t, "target") == 0)
		return TRIGGER_TARGET;
	if(strcmp(t, "answer-ip") == 0)
		return TRIGGER_ANSWER_IP;
	return -1;
}

/** Add an answer-ip rule for the address or prefix text; NULL on success,
 * else the reason. */
static const char*
add_addr_rule(struct policy_snapshot* snap, const char* text,
	struct policy_rule* r)
{
	uint8_t addr[16];
	int family, plen;
	const char* why;
	if(!text)
		return "name is not text";
	if((why = prefix_parse(text, &family, addr, &plen)) != NULL)
		return why;
	if(r->type != POLICY_TYPE_ALL && r->type != (family == AF_INET ?
		LDNS_RR_TYPE_A : LDNS_RR_TYPE_AAAA))
		return "an IPv4 rule has type A or '*', an IPv6 rule AAAA or '*'";
	if(!snap->addrs && !(snap->addrs = prefix_table_create(0)))
		return "out of memory";
	return prefix_table_add(snap->addrs, family, addr, plen, r) != 0 ?
		"out of memory" : NULL;
}

/** Make one policy row into a rule; NULL on success, else the reason. */
static const char*
row_to_rule(sqlite3_stmt* st, struct policy_snapshot* snap,
	struct type_map* types, time_t now, struct policy_load_stats* stats)
{
	uint8_t wire[DNAME_WIRE_MAX];
	size_t len;
	int below, action, trigger;
	const char* why;
	const char* scope = (const char*)sqlite3_column_text(st, 8);
	struct policy_table** table;
	struct policy_rule r;
	memset(&r, 0, sizeof(r));
	r.id = sqlite3_column_int64(st, 0);
	if(sqlite3_column_type(st, 4) != SQLITE_INTEGER ||
		sqlite3_column_int64(st, 4) < 0 || sqlite3_column_int64(st, 4) > 1)
		return "enabled is not 0 or 1";
	if(sqlite3_column_int64(st, 4) == 0) {
		stats->disabled++;
		return NULL;
	}
	if(sqlite3_column_type(st, 1) != SQLITE_TEXT)
		return "name is not text";
	if((trigger = parse_trigger((const char*)sqlite3_column_text(st, 7))) < 0)
		return "unknown trigger";
	if(scope && strcmp(scope, "any") != 0) {
		if(strcmp(scope, "mailhost") != 0 || trigger != TRIGGER_ANSWER_IP)
			return "scope is not 'any', or 'mailhost' on an answer-ip rule";
		r.flags |= POLICY_FLAG_MAILHOST;
	}
	if(parse_type(types, (const char*)sqlite3_column_text(st, 2), &r.type) != 0)
		return "unknown type";
	if(type_never_matches(r.type))
		return "a type no query reaches the module with and no answer "
			"holds (OPT, AXFR, IXFR, TSIG, TKEY, MAILA, MAILB, "
			"TYPE128 to TYPE254): the rule would never match";
	if(trigger == TRIGGER_TARGET && r.type != POLICY_TYPE_ALL &&
		!content_has_target(r.type))
		return "a target rule has type MX, NS, SRV, CNAME, DNAME, SVCB, "
			"HTTPS or '*'";
	if((action = parse_action((const char*)sqlite3_column_text(st, 3),
		r.type, (enum rule_trigger)trigger)) < 0)
		return "unknown action, or not one for this type and trigger";
	r.action = (uint8_t)action;
	if(sqlite3_column_type(st, 5) != SQLITE_NULL) {
		if(sqlite3_column_type(st, 6) == SQLITE_NULL)
			return "expires_at is not a 'YYYY-MM-DD HH:MM:SS' time";
		r.expires = sqlite3_column_int64(st, 6);
		if(r.expires <= (int64_t)now) {
			stats->expired++;
			return NULL;
		}
	}
	if(trigger == TRIGGER_ANSWER_IP) {
		if((why = add_addr_rule(snap, (const char*)sqlite3_column_text(st,
			1), &r)) != NULL)
			return why;
		stats->rules++;
		return NULL;
	}
	if((why = dname_from_text((const char*)sqlite3_column_text(st, 1),
		wire, &len, 1, &below)) != NULL)
		return why;
	if(len == 1)
		return "the root name cannot have a rule";
	table = trigger == TRIGGER_TARGET ? &snap->targets : &snap->table;
	if(!*table && !(*table = policy_table_create(0)))
		return "out of memory";
	if(policy_table_add(*table, wire, len, below, &r) != 0)
		return "out of memory";
	stats->rules++;
	return NULL;
}

/** Milliseconds since an earlier timespec. */
static double
ms_since(const struct timespec* t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
		(double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/** Whether only the rows added since the load of base need reading: every
 * change since was an insert of a row with an id above the highest before.
 * Each insert, update and delete of a row (and update of a setting) moves
 * the revision by one; only inserts move the row count, and a row with a
 * higher id is an insert or an update. So when the revision, the row count
 * and the rows with a higher id all moved by the same number, the changes
 * were that many inserts, and those rows are they. The table in use is not
 * looked at, only whether there is one. */
static int
only_added(sqlite3* db, const struct policy_table* base,
	const struct policy_load_stats* stats, int64_t revision,
	long long count)
{
	int64_t delta = revision - stats->revision;
	if(!base || delta <= 0 || stats->max_id == INT64_MAX ||
		count - (long long)stats->rows != delta)
		return 0;
	return query_int_arg(db, "SELECT count(*) FROM policy WHERE id >= ?",
		stats->max_id + 1) == delta;
}

/** The int64 column of the first row of sql, with arg bound to its ? (any
 * value: a random tag may be negative), in *v: 1 if there is a row, 0 if
 * not, -1 on a database error. */
static int
query_i64(sqlite3* db, const char* sql, int64_t arg, int64_t* v)
{
	sqlite3_stmt* st;
	int rc;
	if(sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if(sqlite3_bind_int64(st, 1, arg) != SQLITE_OK)
		rc = SQLITE_ERROR;
	else	rc = sqlite3_step(st);
	if(rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
policy_store_marks(sqlite3* db, int64_t* history, int64_t* stamp)
{
	sqlite3_stmt* st;
	int rc;
	if(sqlite3_prepare_v2(db, "SELECT history, stamp FROM revision WHERE "
		"id = 1", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*history = sqlite3_column_int64(st, 0);
		*stamp = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/** The tag of the change seq in *tag: 1 if the log holds it, 0 if not, -1
 * on a database error. */
static int
change_tag(sqlite3* db, int64_t seq, int64_t* tag)
{
	return query_i64(db, "SELECT tag FROM policy_change WHERE seq = ?",
		seq, tag);
}

/** Note in stats the last change the log holds up to seq, and its tag (the
 * change seq itself may have been deleted by hand). 0 on success, -1 on a
 * database error. */
static int
note_last_tag(sqlite3* db, int64_t seq, struct policy_load_stats* stats)
{
	int rc = query_i64(db, "SELECT max(seq) FROM policy_change WHERE "
		"seq <= ?", seq, &stats->tag_seq);
	stats->change_tagged = 0;
	if(rc < 0)
		return -1;
	/* max() of no row is NULL, read as 0: no seq is 0 */
	if(rc == 0 || stats->tag_seq == 0)
		return 0;
	if((rc = change_tag(db, stats->tag_seq, &stats->change_tag)) < 0)
		return -1;
	stats->change_tagged = rc;
	return 0;
}

/** Whether a database of history history still holds the history the
 * rules of the load of stats were made of: it is the same database
 * (revision.history, drawn when it was made) and the last change that load
 * saw is in the change log with the same tag. A database put in place with
 * sqlite3's .restore, in the same file, may be another one, or a copy edited
 * on its own that logged other changes under the same seqs and revisions:
 * only every row tells what it holds. unknown is returned when the log no
 * longer holds that change (pruned). 1 if it does, 0 if not, -1 on a
 * database error. */
static int
same_history(sqlite3* db, const struct policy_load_stats* stats,
	int64_t history, int unknown)
{
	int64_t tag = 0;
	int rc;
	if(history != stats->history)
		return 0;
	if(stats->change_seq == 0)
		return 1;	/* nothing was logged before that load */
	if(!stats->change_tagged)
		return unknown;
	if((rc = change_tag(db, stats->tag_seq, &tag)) < 0)
		return -1;
	return rc && tag == stats->change_tag;
}

/** Whether id is one of the changed ids. */
static int
changed_id(const struct policy_changes* ch, int64_t id)
{
	size_t lo = 0, hi = ch->n;
	while(lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if(ch->ids[mid] < id)
			lo = mid + 1;
		else	hi = mid;
	}
	return lo < ch->n && ch->ids[lo] == id;
}

/** Read the ids of the changes after seq since into ch; 0 on success. */
static int
read_change_ids(sqlite3* db, int64_t since, size_t n, struct policy_changes* ch)
{
	sqlite3_stmt* st;
	int rc;
	if(!(ch->ids = malloc((n ? n : 1) * sizeof(*ch->ids))))
		return -1;
	if(sqlite3_prepare_v2(db, "SELECT DISTINCT id FROM policy_change "
		"WHERE seq > ? ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if(sqlite3_bind_int64(st, 1, since) != SQLITE_OK) {
		sqlite3_finalize(st);
		return -1;
	}
	while((rc = sqlite3_step(st)) == SQLITE_ROW && ch->n < n)
		ch->ids[ch->n++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/** Whether only the rows of the ids in the change log since the load of
 * base need reading: the log still holds every change after the last one
 * that load saw (seq is the last seq given, from sqlite_sequence; seqs
 * are never given twice, so none is missing when as many are there as the
 * seq moved), and there are at most POLICY_CHANGES_MAX, and something was
 * committed since, and every malformed row of the load is remembered
 * (forget_skipped counts out those read again). Then their ids are read
 * into ch. 1 if so, 0 if not, -1 on a database error. */
static int
only_changed(sqlite3* db, const struct policy_table* base,
	const struct policy_load_stats* stats, int64_t revision, int64_t seq,
	struct policy_changes* ch)
{
	int64_t n = seq - stats->change_seq;
	long long logged;
	/* nothing committed: the load is for an exception that expired,
	 * which only a read of every row drops */
	if(!base || revision == stats->revision || n < 0 ||
		n > POLICY_CHANGES_MAX || stats->malformed > stats->nskipped)
		return 0;
	if((logged = query_int_arg(db, "SELECT count(*) FROM policy_change "
		"WHERE seq > ?", stats->change_seq)) < 0)
		return -1;
	if(logged != n)
		return 0;
	if(read_change_ids(db, stats->change_seq, (size_t)n, ch) != 0) {
		free(ch->ids);
		ch->ids = NULL;
		ch->n = 0;
		return -1;
	}
	return 1;
}

/** Forget the malformed rows of the changed ids: they are read again. */
static void
forget_skipped(struct policy_load_stats* stats,
	const struct policy_changes* ch)
{
	size_t i, n = 0;
	for(i = 0; i < stats->nskipped; i++) {
		if(changed_id(ch, stats->skipped[i].id)) {
			stats->malformed--;
			continue;
		}
		stats->skipped[n++] = stats->skipped[i];
	}
	stats->nskipped = n;
}

/** Make the row st is on into a rule of snap, counting it in stats; a
 * malformed row is logged and remembered. */
static void
load_row(sqlite3_stmt* st, struct policy_snapshot* snap,
	struct type_map* types, time_t now, struct policy_load_stats* stats)
{
	const char* why = row_to_rule(st, snap, types, now, stats);
	if(sqlite3_column_int64(st, 0) > stats->max_id)
		stats->max_id = sqlite3_column_int64(st, 0);
	stats->read++;
	if(!why)
		return;
	if(stats->nskipped < POLICY_SKIPPED_MAX) {
		stats->skipped[stats->nskipped].id = sqlite3_column_int64(st, 0);
		stats->skipped[stats->nskipped++].reason = why;
	}
	stats->malformed++;
	log_err("rrpolicy: skipping policy row id %lld (name '%s', type '%s', "
		"action '%s'): %s", (long long)sqlite3_column_int64(st, 0),
		(const char*)sqlite3_column_text(st, 1),
		(const char*)sqlite3_column_text(st, 2),
		(const char*)sqlite3_column_text(st, 3), why);
}

/** The columns of a policy row that row_to_rule reads. */
#define POLICY_ROW_SELECT "SELECT id, name, type, action, enabled, " \
	"expires_at, CAST(strftime('%s', expires_at) AS INTEGER), trigger, " \
	"scope FROM policy "

/** Read the rows with an id from since on; 0 on success. */
static int
load_rows_from(sqlite3* db, int64_t since, struct policy_snapshot* snap,
	struct type_map* types, time_t now, struct policy_load_stats* stats)
{
	sqlite3_stmt* st;
	int rc;
	if(sqlite3_prepare_v2(db, POLICY_ROW_SELECT "WHERE id >= ?", -1, &st,
		NULL) != SQLITE_OK)
		return -1;
	if(sqlite3_bind_int64(st, 1, since) == SQLITE_OK)
		while((rc = sqlite3_step(st)) == SQLITE_ROW)
			load_row(st, snap, types, now, stats);
	else	rc = SQLITE_ERROR;
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/** Read the rows of the changed ids (a deleted one has none); 0 on
 * success. */
static int
load_rows_of(sqlite3* db, const struct policy_changes* ch,
	struct policy_snapshot* snap, struct type_map* types, time_t now,
	struct policy_load_stats* stats)
{
	sqlite3_stmt* st;
	size_t i;
	int rc = SQLITE_DONE;
	if(sqlite3_prepare_v2(db, POLICY_ROW_SELECT "WHERE id = ?", -1, &st,
		NULL) != SQLITE_OK)
		return -1;
	for(i = 0; i < ch->n && rc == SQLITE_DONE; i++) {
		if(sqlite3_bind_int64(st, 1, ch->ids[i]) != SQLITE_OK) {
			rc = SQLITE_ERROR;
			break;
		}
		while((rc = sqlite3_step(st)) == SQLITE_ROW)
			load_row(st, snap, types, now, stats);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/** Set stats->max_id to the highest policy.id (INT64_MIN if none); 0 on
 * success. */
static int
read_max_id(sqlite3* db, struct policy_load_stats* stats)
{
	sqlite3_stmt* st;
	int rc;
	if(sqlite3_prepare_v2(db, "SELECT max(id) FROM policy", -1, &st, NULL)
		!= SQLITE_OK)
		return -1;
	if((rc = sqlite3_step(st)) == SQLITE_ROW)
		stats->max_id = sqlite3_column_type(st, 0) == SQLITE_NULL ?
			INT64_MIN : sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/** Set up stats and the table of snap for a load of the kind stats says:
 * only the added rows, only the changed ones, or all. NULL on success, else
 * what failed. */
static const char*
load_start(struct policy_snapshot* snap,
	struct policy_load_stats* stats, const struct policy_changes* ch,
	int64_t revision, long long count)
{
	if(stats->only_added) {
		snap->table = policy_table_create((size_t)(revision -
			stats->revision));
	} else if(stats->only_changed) {
		forget_skipped(stats, ch);
		stats->rules = 0;
		snap->table = policy_table_create(ch->n);
	} else {
		/* read, not mapped: a mapped file's pages count in the
		 * resolver's RSS while it reads them (227 MB peak for 1M rules
		 * instead of 128 MB), and the load is no faster */
		stats->rules = stats->disabled = 0;
		stats->expired = stats->malformed = stats->nskipped = 0;
		stats->max_id = INT64_MIN;
		snap->table = policy_table_create((size_t)count);
	}
	return snap->table ? NULL : "out of memory for the rules";
}

int
policy_store_load(sqlite3* db, const struct policy_table* base,
	struct policy_snapshot* snap, struct policy_load_stats* stats,
	struct policy_changes* changes, char* err, size_t errlen)
{
	struct type_map* types = NULL;
	struct timespec t0;
	time_t now = time(NULL);
	int64_t revision, seq, history, stamp;
	long long count;
	const char* why;
	int rc;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	changes->ids = NULL;
	changes->n = 0;
	stats->read = 0;
	stats->only_added = stats->only_changed = 0;
	/* One read transaction: a consistent snapshot of settings, change
	 * log and rules, never half of an edit still being committed. */
	if(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	if(!(types = malloc(sizeof(*types)))) {
		snprintf(err, errlen, "out of memory");
		goto fail_msg;
	}
	if((revision = policy_store_revision(db)) < 0 ||
		settings_read(db, &snap->settings) != 0 || type_map_read(db, types) != 0 ||
		(count = query_int(db, "SELECT count(*) FROM policy")) < 0 ||
		(seq = query_int(db, "SELECT coalesce((SELECT seq FROM "
		"sqlite_sequence WHERE name = 'policy_change'), 0)")) < 0 ||
		policy_store_marks(db, &history, &stamp) != 0)
		goto fail;
	/* rules of another history are read whole */
	if(base && (rc = same_history(db, stats, history, 0)) <= 0) {
		if(rc < 0)
			goto fail;
		base = NULL;
	}
	if(only_added(db, base, stats, revision, count))
		stats->only_added = 1;
	else if((rc = only_changed(db, base, stats, revision, seq, changes)) < 0)
		goto fail;
	else	stats->only_changed = rc;
	/* the highest id may have been deleted: the next insert of rows above
	 * the highest is then still told apart */
	if(stats->only_changed && read_max_id(db, stats) != 0)
		goto fail;
	if((why = load_start(snap, stats, changes, revision, count))) {
		snprintf(err, errlen, "%s", why);
		goto fail_msg;
	}
	if(stats->only_changed)
		rc = load_rows_of(db, changes, snap, types, now, stats);
	else	rc = load_rows_from(db, stats->only_added ? stats->max_id + 1 :
		INT64_MIN, snap, types, now, stats);
	if(rc != 0)
		goto fail;
	if(note_last_tag(db, seq, stats) != 0)
		goto fail;
	stats->history = history;
	stats->stamp = stamp;
	stats->revision = revision;
	stats->change_seq = seq;
	stats->rows = (size_t)count;
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	free(types);
	stats->ms = ms_since(&t0);
	return 0;
fail:
	snprintf(err, errlen, "cannot read the policy: %s", sqlite3_errmsg(db));
fail_msg:
	free(types);
	free(changes->ids);
	changes->ids = NULL;
	changes->n = 0;
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	policy_table_delete(snap->table);
	policy_table_delete(snap->targets);
	prefix_table_delete(snap->addrs);
	snap->table = snap->targets = NULL;
	snap->addrs = NULL;
	return -1;
}

void
policy_store_count_rules(struct policy_load_stats* stats, size_t rules)
{
	size_t other = stats->rows > rules + stats->malformed ?
		stats->rows - rules - stats->malformed : 0;
	stats->rules = rules;
	if(stats->expired > other)
		stats->expired = other;
	stats->disabled = other - stats->expired;
}

long long
policy_store_version(sqlite3* db)
{
	return query_int(db, "PRAGMA user_version");
}

int64_t
policy_store_revision(sqlite3* db)
{
	return query_int(db, "SELECT policy FROM revision WHERE id = 1");
}

int
policy_store_same_state(sqlite3* db, const struct policy_load_stats* stats)
{
	int64_t history, stamp;
	if(policy_store_marks(db, &history, &stamp) != 0)
		return -1;
	if(stamp != stats->stamp)
		return 0;
	/* a pruned log cannot tell, and need not: the changes that pruned
	 * it moved the stamp */
	return same_history(db, stats, history, 1);
}

/** Write table skipped from a load; -1 on a database error. */
static int
write_skipped(sqlite3* db, const struct policy_load_stats* st)
{
	sqlite3_stmt* ins;
	size_t i;
	if(sqlite3_exec(db, "DELETE FROM skipped", NULL, NULL, NULL) != SQLITE_OK ||
		sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO skipped(policy_id, "
		"reason) VALUES (?, ?)", -1, &ins, NULL) != SQLITE_OK)
		return -1;
	for(i = 0; i < st->nskipped; i++) {
		sqlite3_bind_int64(ins, 1, st->skipped[i].id);
		sqlite3_bind_text(ins, 2, st->skipped[i].reason, -1, SQLITE_STATIC);
		if(sqlite3_step(ins) != SQLITE_DONE) {
			sqlite3_finalize(ins);
			return -1;
		}
		sqlite3_reset(ins);
	}
	sqlite3_finalize(ins);
	return 0;
}

int
policy_store_status(sqlite3* db, const struct policy_load_stats* st,
	const char* error, uint64_t hits_written, uint64_t hits_dropped,
	int (*busy)(void*, int), void* busy_arg)
{
	sqlite3_stmt* up = NULL;
	int ok, rc;
	sqlite3_busy_handler(db, busy, busy_arg);
	rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	sqlite3_busy_timeout(db, STORE_BUSY_MS);
	if(rc != SQLITE_OK)
		return sqlite3_extended_errcode(db) ? sqlite3_extended_errcode(db) :
			-1;
	ok = sqlite3_exec(db, "INSERT OR IGNORE INTO module_status(id) VALUES (1)",
		NULL, NULL, NULL) == SQLITE_OK;
	if(ok && st)
		ok = sqlite3_prepare_v2(db, "UPDATE module_status SET revision = ?, "
			"loaded_at = datetime('now'), rules = ?, rows_read = ?, "
			"disabled = ?, expired = ?, malformed = ?, load_ms = ? "
			"WHERE id = 1", -1, &up, NULL) == SQLITE_OK &&
			sqlite3_bind_int64(up, 1, st->revision) == SQLITE_OK &&
			sqlite3_bind_int64(up, 2, (sqlite3_int64)st->rules) == SQLITE_OK &&
			sqlite3_bind_int64(up, 3, (sqlite3_int64)st->rows) == SQLITE_OK &&
			sqlite3_bind_int64(up, 4, (sqlite3_int64)st->disabled) == SQLITE_OK &&
			sqlite3_bind_int64(up, 5, (sqlite3_int64)st->expired) == SQLITE_OK &&
			sqlite3_bind_int64(up, 6, (sqlite3_int64)st->malformed) == SQLITE_OK &&
			sqlite3_bind_double(up, 7, st->ms) == SQLITE_OK &&
			sqlite3_step(up) == SQLITE_DONE && write_skipped(db, st) == 0;
	sqlite3_finalize(up);
	up = NULL;
	if(ok)
		ok = sqlite3_prepare_v2(db, "UPDATE module_status SET error = ?, "
			"hits_written = ?, hits_dropped = ?, updated_at = "
			"datetime('now') WHERE id = 1", -1, &up, NULL) == SQLITE_OK &&
			sqlite3_bind_text(up, 1, error, -1, SQLITE_STATIC) == SQLITE_OK &&
			sqlite3_bind_int64(up, 2, (sqlite3_int64)hits_written) == SQLITE_OK &&
			sqlite3_bind_int64(up, 3, (sqlite3_int64)hits_dropped) == SQLITE_OK &&
			sqlite3_step(up) == SQLITE_DONE;
	sqlite3_finalize(up);
	if(!ok || sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		rc = sqlite3_extended_errcode(db);
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return rc ? rc : -1;
	}
	return 0;
}
