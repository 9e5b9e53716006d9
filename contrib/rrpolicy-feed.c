/**
 * \file rrpolicy-feed.c
 * rrpolicy-feed: import feeds of domain names (RPZ zone files, hosts files,
 * plain lists) into the policy table of an rrpolicy database, and export the
 * rules of that table in the same formats.
 *
 * Import reads the whole input into memory, parses it (RPZ with libldns),
 * checks every name with the schema's rules and drops repeated names into
 * an in-memory hash set of (normalized name, action) keys, all before any
 * lock is taken.  Then, in ONE transaction (BEGIN IMMEDIATE ... COMMIT, or
 * ROLLBACK for a dry run or on a database error), it reads the rules of the
 * chosen type once to find the names already there (same normalized name,
 * type and action, applying at least as long as the import's rules would),
 * and inserts the others with one prepared statement, in
 * name order (the index on policy.name then grows at its end; rule ids
 * follow name order, not file order).  Lines that cannot become a rule are
 * counted per reason.
 *
 * Export writes the enabled, unexpired rules (optionally of one type and
 * one action) as an RPZ zone, a hosts file or a plain list.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/mman.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <ldns/ldns.h>
#include <sqlite3.h>

/** Version printed by -V. */
#ifndef RRPOLICY_VERSION
#define RRPOLICY_VERSION "0.1.0"
#endif

/** Longest name in presentation form without the trailing dot. */
#define NAME_MAX_TEXT 253
/** Size of a buffer that holds any name we print, escapes included. */
#define NAME_BUF 1100
/** Skipped lines shown per reason, unless -v. */
#define EXAMPLES_PER_REASON 5
/** Longest line text quoted in a skipped-line report. */
#define EXAMPLE_TEXT_MAX 120
/** How long to wait for a database lock held by another writer (ms). */
#define BUSY_TIMEOUT_MS 10000
/** Page cache of the import connection (KiB): index updates stay in memory. */
#define IMPORT_CACHE_KIB 262144
/** Size (and alignment) of the memory blocks of the key set: a huge page. */
#define HUGE_BLOCK ((size_t)2 << 20)
/** Default origin of an exported RPZ zone. */
#define DEFAULT_RPZ_ORIGIN "rpz.local."
/**
 * Origin used while reading an RPZ file that names none ($ORIGIN, -o):
 * relative names are then taken relative to the (unknown) RPZ origin.
 */
#define SENTINEL_ORIGIN "origin-not-given.rrpolicy-feed.invalid."

/** Formats of feeds. */
enum feed_format {
	/** RPZ zone file */
	FMT_RPZ,
	/** hosts file: address name [name...] */
	FMT_HOSTS,
	/** one name per line */
	FMT_LIST
};

/** Actions of the policy table, in the schema's order. */
enum action {
	ACT_BLOCK = 0,
	ACT_NULLMX,
	ACT_NODATA,
	ACT_NXDOMAIN,
	ACT_REFUSED,
	ACT_SERVFAIL,
	ACT_DROP,
	ACT_LOG,
	ACT_ALLOW,
	ACT_REQUIRE_SECURE,
	/** number of actions */
	ACT_COUNT,
	/** no action given (-a absent) */
	ACT_NONE = ACT_COUNT
};

/** The text of each action as stored in policy.action. */
static const char* const action_names[ACT_COUNT] = {
	"block", "nullmx", "nodata", "nxdomain", "refused", "servfail",
	"drop", "log", "allow", "require-secure"
};

/** Why an input line or record did not become a rule. */
enum reason {
	R_SYNTAX = 0,
	R_INCLUDE,
	R_BAD_NAME,
	R_REPEATED,
	R_REJECTED,
	R_OUTSIDE,
	R_APEX,
	R_APEX_OTHER,
	R_RPZ_IP,
	R_RPZ_NSDNAME,
	R_RPZ_NSIP,
	R_RPZ_CLIENT_IP,
	R_RPZ_UNKNOWN,
	R_LOCAL_DATA,
	R_TCP_ONLY,
	R_NOT_ADDRESS,
	R_NOT_BLOCK_ADDRESS,
	R_SYSTEM_NAME,
	R_FIELDS,
	R_NUL,
	/** number of reasons */
	R_COUNT
};

/** Text of each reason, as printed in the report. */
static const char* const reason_text[R_COUNT] = {
	"syntax error",
	"$INCLUDE is not supported",
	"invalid name",
	"repeated in the input",
	"rejected by the schema",
	"outside the RPZ origin",
	"SOA or NS of the RPZ apex",
	"other record at the RPZ apex",
	"RPZ rpz-ip trigger (not a QNAME trigger)",
	"RPZ rpz-nsdname trigger (not a QNAME trigger)",
	"RPZ rpz-nsip trigger (not a QNAME trigger)",
	"RPZ rpz-client-ip trigger (not a QNAME trigger)",
	"unknown RPZ trigger (a label rpz-* right under the origin)",
	"RPZ local data (-a imports such names)",
	"RPZ rpz-tcp-only action (-a imports such names)",
	"first field is not an IP address",
	"not a blocking address (only 0.0.0.0, 127.0.0.1, :: and ::1 block)",
	"hosts-file system name (localhost and the like)",
	"more than one field on the line",
	"a NUL byte in the line (the file is not text, or not UTF-8)"
};

/** Names of hosts files that describe the machine itself, never a block. */
static const char* const system_names[] = {
	"localhost", "localhost.localdomain", "local", "broadcasthost",
	"ip6-localhost", "ip6-loopback", "ip6-localnet", "ip6-mcastprefix",
	"ip6-allnodes", "ip6-allrouters", "ip6-allhosts", "0.0.0.0", NULL
};

/** One key of the hash set: a normalized name and an action. */
struct key {
	/** next key in the same bucket */
	struct key* next;
	/** hash of name and action */
	uint32_t hash;
	/** input line where it was first seen */
	uint32_t line;
	/** enum action */
	uint8_t action;
	/** 1 if some row of the policy table with this key is enabled */
	uint8_t enabled;
	/** 1 if the policy table has a row with this key that applies as
	 * long as the import's would, or is disabled */
	uint8_t in_db;
	/** 1 if its only other rows with this key expire sooner */
	uint8_t renew;
	/** the name, lowercase, no trailing dot, NUL terminated */
	char name[];
};

/** A block of memory the keys are carved from (freed all at once). */
struct arena_block {
	/** previous block */
	struct arena_block* prev;
	/** bytes used */
	size_t used;
	/** bytes available in data */
	size_t size;
	/** the memory */
	char data[];
};

/** Hash set of (name, action) keys. */
struct keyset {
	/** buckets, a power of two of them */
	struct key** bucket;
	/** number of buckets minus one */
	size_t mask;
	/** number of keys */
	size_t count;
	/** memory of the keys */
	struct arena_block* arena;
};

/** A skipped line kept for the report. */
struct example {
	/** next, in input order */
	struct example* next;
	/** the reason */
	enum reason reason;
	/** line number */
	size_t line;
	/** order in which it was found */
	size_t seq;
	/** "line N: reason[ [detail]]: text" */
	char* text;
};

/** Options from the command line. */
struct options {
	/** "import" or "export" */
	int import;
	/** -d */
	const char* db;
	/** -f */
	enum feed_format format;
	/** whether -f was given */
	int format_set;
	/** -t, as given */
	const char* type;
	/** -a, ACT_NONE if absent */
	enum action action;
	/** -c */
	const char* comment;
	/** -e */
	const char* expires;
	/** -o */
	const char* origin;
	/** -n */
	int dry_run;
	/** -v */
	int verbose;
	/** the FILE argument, NULL for none */
	const char* file;
};

/** State of one import. */
struct import {
	/** options */
	struct options* opt;
	/** the database */
	sqlite3* db;
	/** the prepared INSERT */
	sqlite3_stmt* insert;
	/** the canonical type the rules get */
	char type[32];
	/** the names of the input, with their action */
	struct keyset keys;
	/** name of the input for messages */
	const char* input_name;
	/** rules added, per action */
	size_t added[ACT_COUNT];
	/** rules added in total */
	size_t added_total;
	/** names already in the table */
	size_t already;
	/** of the rules added, those of names whose rules there expire sooner
	 * or have expired */
	size_t renewed;
	/** of those, names whose every row is disabled */
	size_t already_disabled;
	/** skipped, per reason */
	size_t skipped[R_COUNT];
	/** skipped in total */
	size_t skipped_total;
	/** every (name, action) of the input, once */
	struct key** pending;
	/** number of pending */
	size_t npending;
	/** allocated size of pending */
	size_t maxpending;
	/** number of examples kept */
	size_t nexamples;
	/** examples kept, in the order they were found */
	struct example* examples;
	/** the last example, for appending */
	struct example* examples_last;
	/** the RPZ origin as text, for the report; "" if the file has none */
	char origin_text[NAME_BUF];
	/** database error message, set when a fatal error stops the import */
	char error[512];
};

/** Program name for messages. */
static const char* progname = "rrpolicy-feed";

/**
 * Print a message to stderr, prefixed with the program name.
 * @param fmt: printf format.
 */
static void
msg(const char* fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/**
 * Print the usage text.
 * @param out: where to.
 */
static void
usage(FILE* out)
{
	fprintf(out,
"usage: rrpolicy-feed import -d DB -f rpz|hosts|list -t TYPE [-a ACTION]\n"
"                            [-c COMMENT] [-e EXPIRES_AT] [-o ORIGIN]\n"
"                            [-n] [-v] FILE|-\n"
"       rrpolicy-feed export -d DB -f rpz|hosts|list [-t TYPE] [-a ACTION]\n"
"                            [-o ORIGIN] [FILE|-]\n"
"       rrpolicy-feed -h | -V\n"
"\n"
"Imports a feed of domain names into the policy table of an rrpolicy\n"
"database, in one transaction, or exports the rules of that table.\n"
"\n"
"  -d DB          the rrpolicy database (it must exist; the module makes it)\n"
"  -f FORMAT      rpz    an RPZ zone file (QNAME triggers)\n"
"                 hosts  hosts-file lines: 0.0.0.0 name [name...] (also\n"
"                        127.0.0.1, :: and ::1); '#' starts a comment\n"
"                 list   one name per line; '#' starts a comment\n"
"  -t TYPE        RR type of the rules: MX, TXT, A, ..., TYPEnnn, or '*' for\n"
"                 every type (quote it); required for import\n"
"  -a ACTION      block, nullmx, nodata, nxdomain, refused, servfail, drop,\n"
"                 log, allow or require-secure; required for hosts and list\n"
"                 imports\n"
"  -c COMMENT     comment of the new rules (default: \"rrpolicy-feed: FILE\")\n"
"  -e EXPIRES_AT  UTC 'YYYY-MM-DD HH:MM:SS' when the new rules stop applying\n"
"  -o ORIGIN      RPZ origin; import: default the owner of the zone's SOA;\n"
"                 export: default " DEFAULT_RPZ_ORIGIN "\n"
"  -n             dry run: check and count everything, write nothing\n"
"  -v             list every skipped line (default: the first %d per reason)\n"
"\n"
"Names: letters, digits, '-', '_', a leading '*.' (every name below), labels\n"
"of 1..63, at most 253 characters; stored lowercase without trailing dot.\n"
"A name already there with the same type and action is not added again,\n"
"unless its rules there expire before the new ones would.\n"
"\n"
"RPZ import, without -a:  CNAME .             -> nxdomain\n"
"                         CNAME *.            -> nodata\n"
"                         CNAME rpz-passthru. -> allow (so does a CNAME to\n"
"                                                the name itself)\n"
"                         CNAME rpz-drop.     -> drop\n"
"                         CNAME rpz-tcp-only. -> skipped\n"
"                         other records       -> skipped (local data)\n"
"  with -a ACTION, every QNAME trigger gets ACTION, except rpz-passthru ones,\n"
"  which stay allow.  Skipped: SOA and NS of the apex, and the triggers\n"
"  rpz-ip, rpz-nsdname, rpz-nsip, rpz-client-ip.\n"
"\n"
"Export writes the enabled, unexpired name rules (trigger qname; of TYPE and\n"
"  ACTION if given).  hosts and list carry names only: one line per name;\n"
"  without -a they leave out allow, log and require-secure rules; hosts also\n"
"  leaves out '*.' rules.\n"
"  rpz has no per-type rules: nxdomain and block of type '*' -> CNAME .;\n"
"  nodata, and block and nullmx of a named type -> CNAME *.; allow ->\n"
"  CNAME rpz-passthru.; drop -> CNAME rpz-drop.; refused, servfail, log and\n"
"  require-secure are left out.  Re-import with -t TYPE -a ACTION to get the\n"
"  rules back.\n"
"\n"
"Exit status: 0 on success (lines may have been skipped), 1 on a usage,\n"
"input or database error (then nothing was written).\n",
		EXAMPLES_PER_REASON);
}

/* ------------------------------------------------------------------ */
/* names */

/**
 * Check a name with the rules of the schema (trigger policy_validate) and
 * normalize it: lowercase, without its trailing dot.
 * @param raw: the name as given, NUL terminated.
 * @param out: output buffer of at least NAME_MAX_TEXT + 1 bytes.
 * @return NULL if valid, else the schema's reason.
 */
static const char*
name_check(const char* raw, char* out)
{
	size_t len = strlen(raw), n, i, lab = 0;
	const char* p;
	if(len == 0)
		return "empty";
	if(strcmp(raw, ".") == 0)
		return "the root is not allowed";
	if(strcmp(raw, "*") == 0 || strcmp(raw, "*.") == 0)
		return "a bare wildcard is not allowed, write '*.example.com'";
	for(p = raw; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if(!(isalnum(c) || c == '.' || c == '_' || c == '*' || c == '-')
			|| c > 127)
			return "invalid character (allowed: letters, digits, "
				"'-', '_', '.' and a leading '*.')";
	}
	n = (raw[len-1] == '.') ? len - 1 : len;
	if(n == 0 || raw[0] == '.' || raw[n-1] == '.')
		return "empty label (leading dot or two dots in a row)";
	for(i = 0; i + 1 < n; i++)
		if(raw[i] == '.' && raw[i+1] == '.')
			return "empty label (leading dot or two dots in a row)";
	for(i = 0; i < n; i++)
		if(raw[i] == '*' && !(i == 0 && n > 1 && raw[1] == '.'))
			return "'*' is allowed only as the whole first label, "
				"as in '*.example.com'";
	for(i = 0; i < n; i++) {
		if(raw[i] == '.')
			lab = 0;
		else if(++lab > 63)
			return "label longer than 63 octets";
	}
	if(n > NAME_MAX_TEXT)
		return "longer than 253 characters without the trailing dot "
			"(255 octets in wire form)";
	for(i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)raw[i]);
	out[n] = 0;
	return NULL;
}

/**
 * Print a relative wire name (labels without the root) in presentation
 * form, escaping what is not a letter, digit, '-', '_' or '*'.
 * @param wire: the labels.
 * @param len: their length in octets.
 * @param buf: output, NAME_BUF bytes.
 */
static void
rel_to_text(const uint8_t* wire, size_t len, char* buf)
{
	size_t pos = 0, out = 0;
	while(pos < len) {
		uint8_t n = wire[pos++], i;
		if(out)
			buf[out++] = '.';
		for(i = 0; i < n && pos < len; i++, pos++) {
			int c = wire[pos];
			if(isalnum(c) || c == '-' || c == '_' || c == '*')
				buf[out++] = (char)c;
			else if(c > 32 && c < 127) {
				buf[out++] = '\\';
				buf[out++] = (char)c;
			} else	out += (size_t)snprintf(buf + out, 5, "\\%03d",
					c);
		}
	}
	buf[out] = 0;
}

/* ------------------------------------------------------------------ */
/* hash set of keys */

/**
 * Hash a name and an action (FNV-1a).
 * @param name: the name.
 * @param action: the action.
 * @return the hash.
 */
static uint32_t
key_hash(const char* name, int action)
{
	uint32_t h = 2166136261u;
	for(; *name; name++) {
		h ^= (unsigned char)*name;
		h *= 16777619u;
	}
	h ^= (uint32_t)action + 1;
	h *= 16777619u;
	return h ^ (h >> 15);
}

/**
 * Allocate memory for the key set in 2 MB huge-page-aligned blocks, and ask
 * for transparent huge pages: a million keys touch some 70 MB at random, and
 * with 4 KB pages the page faults and TLB misses cost more than the hashing.
 * @param size: bytes wanted.
 * @param zero: clear the memory.
 * @return the memory (free() it) or NULL.
 */
static void*
big_alloc(size_t size, int zero)
{
	size_t r = (size + HUGE_BLOCK - 1) & ~(size_t)(HUGE_BLOCK - 1);
	void* p = aligned_alloc(HUGE_BLOCK, r);
	if(!p)
		return NULL;
#ifdef MADV_HUGEPAGE
	(void)madvise(p, r, MADV_HUGEPAGE);
#endif
	if(zero)
		memset(p, 0, size);
	return p;
}

/**
 * Initialize an empty key set.
 * @param s: the set.
 * @param expect: number of keys expected (sizes the table).
 * @return 0 or -1 on out of memory.
 */
static int
keyset_init(struct keyset* s, size_t expect)
{
	size_t n = 1024;
	while(n < expect * 2)
		n *= 2;
	memset(s, 0, sizeof(*s));
	s->bucket = big_alloc(n * sizeof(*s->bucket), 1);
	if(!s->bucket)
		return -1;
	s->mask = n - 1;
	return 0;
}

/**
 * Free a key set.
 * @param s: the set.
 */
static void
keyset_free(struct keyset* s)
{
	while(s->arena) {
		struct arena_block* b = s->arena;
		s->arena = b->prev;
		free(b);
	}
	free(s->bucket);
	s->bucket = NULL;
}

/**
 * Double the number of buckets.
 * @param s: the set.
 * @return 0 or -1 on out of memory.
 */
static int
keyset_grow(struct keyset* s)
{
	size_t n = (s->mask + 1) * 2, i;
	struct key** b = big_alloc(n * sizeof(*b), 1);
	if(!b)
		return -1;
	for(i = 0; i <= s->mask; i++) {
		struct key* k = s->bucket[i], *next;
		for(; k; k = next) {
			next = k->next;
			k->next = b[k->hash & (n - 1)];
			b[k->hash & (n - 1)] = k;
		}
	}
	free(s->bucket);
	s->bucket = b;
	s->mask = n - 1;
	return 0;
}

/**
 * Find a key.
 * @param s: the set.
 * @param name: normalized name.
 * @param action: the action.
 * @param hash: key_hash(name, action).
 * @return the key or NULL.
 */
static struct key*
keyset_find(struct keyset* s, const char* name, int action, uint32_t hash)
{
	struct key* k = s->bucket[hash & s->mask];
	for(; k; k = k->next)
		if(k->hash == hash && k->action == action
			&& strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

/**
 * Add a key (that is not in the set yet).
 * @param s: the set.
 * @param name: normalized name.
 * @param action: the action.
 * @param hash: key_hash(name, action).
 * @return the new key or NULL on out of memory.
 */
static struct key*
keyset_add(struct keyset* s, const char* name, int action, uint32_t hash)
{
	size_t len = strlen(name);
	size_t need = (sizeof(struct key) + len + 1 + 7) & ~(size_t)7;
	struct key* k;
	if(s->count >= s->mask && keyset_grow(s) != 0)
		return NULL;
	if(!s->arena || s->arena->size - s->arena->used < need) {
		struct arena_block* b = big_alloc(HUGE_BLOCK, 0);
		if(!b)
			return NULL;
		b->prev = s->arena;
		b->used = 0;
		b->size = HUGE_BLOCK - sizeof(*b);
		s->arena = b;
	}
	k = (struct key*)(s->arena->data + s->arena->used);
	s->arena->used += need;
	k->hash = hash;
	k->line = 0;
	k->action = (uint8_t)action;
	k->enabled = 0;
	k->in_db = 0;
	k->renew = 0;
	memcpy(k->name, name, len + 1);
	k->next = s->bucket[hash & s->mask];
	s->bucket[hash & s->mask] = k;
	s->count++;
	return k;
}

/* ------------------------------------------------------------------ */
/* small helpers */

/**
 * Parse an action name.
 * @param s: the text.
 * @return the action or ACT_NONE if unknown.
 */
static enum action
action_parse(const char* s)
{
	int i;
	for(i = 0; i < ACT_COUNT; i++)
		if(strcmp(s, action_names[i]) == 0)
			return (enum action)i;
	return ACT_NONE;
}

/**
 * Read a whole stream into memory.
 * @param f: the stream.
 * @param len: output, number of bytes read.
 * @return malloced buffer (NUL terminated) or NULL on error (errno set).
 */
static char*
read_all(FILE* f, size_t* len)
{
	size_t size = 1 << 16, used = 0, r;
	char* buf = malloc(size + 1), *nb;
	if(!buf)
		return NULL;
	while((r = fread(buf + used, 1, size - used, f)) > 0) {
		used += r;
		if(used == size) {
			size *= 2;
			if(!(nb = realloc(buf, size + 1))) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
	}
	if(ferror(f)) {
		int e = errno;
		free(buf);
		errno = e ? e : EIO;
		return NULL;
	}
	buf[used] = 0;
	*len = used;
	return buf;
}

/**
 * Open the database.
 * @param path: its file.
 * @param readonly: open read-only.
 * @return the connection or NULL (message printed).
 */
static sqlite3*
db_open(const char* path, int readonly)
{
	sqlite3* db = NULL;
	sqlite3_stmt* st = NULL;
	int rc, has_policy = 0;
	rc = sqlite3_open_v2(path, &db, readonly ? SQLITE_OPEN_READONLY
		: SQLITE_OPEN_READWRITE, NULL);
	if(rc != SQLITE_OK) {
		msg("cannot open database %s: %s (it must exist: the module "
			"creates it, or: sqlite3 %s < schema/schema.sql)", path,
			db ? sqlite3_errmsg(db) : sqlite3_errstr(rc), path);
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
	rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master "
		"WHERE type = 'table' AND name = 'policy'", -1, &st, NULL);
	if(rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
		has_policy = sqlite3_column_int(st, 0);
	if(rc != SQLITE_ROW) {
		msg("cannot read database %s: %s", path, sqlite3_errmsg(db));
		sqlite3_finalize(st);
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_finalize(st);
	if(!has_policy) {
		msg("%s has no table policy: not an rrpolicy database", path);
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

/**
 * Whether table policy has a column.
 * @param db: the database.
 * @param col: column name.
 * @return 1 if it has, 0 if not.
 */
static int
policy_has_column(sqlite3* db, const char* col)
{
	sqlite3_stmt* st = NULL;
	int has = 0;
	if(sqlite3_prepare_v2(db, "SELECT count(*) FROM "
		"pragma_table_info('policy') WHERE name = ?1", -1, &st, NULL)
		== SQLITE_OK) {
		sqlite3_bind_text(st, 1, col, -1, SQLITE_STATIC);
		if(sqlite3_step(st) == SQLITE_ROW)
			has = sqlite3_column_int(st, 0) > 0;
	}
	sqlite3_finalize(st);
	return has;
}

/**
 * Whether a canonical type is one a rule may have: '*', a mnemonic of
 * table rrtype, or TYPEnnn with nnn 1..65535 without leading zero.
 * @param db: the database.
 * @param canon: the canonical type.
 * @return 1 if it is.
 */
static int
type_known(sqlite3* db, const char* canon)
{
	sqlite3_stmt* st = NULL;
	const char* p;
	int known = 0;
	if(strcmp(canon, "*") == 0)
		return 1;
	if(strncmp(canon, "TYPE", 4) == 0 && canon[4] >= '1' && canon[4] <= '9'
		&& strlen(canon) <= 9) {
		for(p = canon + 4; *p && isdigit((unsigned char)*p); p++)
			;
		if(!*p && atol(canon + 4) <= 65535)
			return 1;
	}
	if(sqlite3_prepare_v2(db, "SELECT count(*) FROM rrtype WHERE "
		"mnemonic = ?1", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, canon, -1, SQLITE_STATIC);
		if(sqlite3_step(st) == SQLITE_ROW)
			known = sqlite3_column_int(st, 0) > 0;
	}
	sqlite3_finalize(st);
	return known;
}

/**
 * SQL expression of a type in canonical form: '*', or the upper-case
 * mnemonic, TYPEnnn written as the mnemonic when rrtype has one.
 */
#define CANON_TYPE_SQL(x) \
	"(CASE WHEN " x " = '*' THEN '*' " \
	"WHEN upper(" x ") GLOB 'TYPE[1-9]*' THEN coalesce((SELECT mnemonic " \
	"FROM rrtype WHERE 'TYPE' || code = upper(" x ")), upper(" x ")) " \
	"ELSE upper(" x ") END)"

/** SQL expression of policy.name normalized: lowercase, no trailing dot. */
#define NORM_NAME_SQL \
	"lower(CASE WHEN substr(name, -1) = '.' " \
	"THEN substr(name, 1, length(name) - 1) ELSE name END)"

/** SQL expression: the row applies at least as long as the import's rules
 * (expires_at ?2, NULL for never), or is disabled. */
#define COVERS_SQL \
	"(enabled = 0 OR expires_at IS NULL OR (?2 IS NOT NULL AND " \
	"julianday(expires_at) >= julianday(?2)))"

/**
 * Check the type, action and expiry with the schema's own checks (view
 * policy_validate), and get the canonical type.
 * @param db: the database.
 * @param type: the type as given.
 * @param action: action name, or NULL to check with any valid one.
 * @param expires: expires_at or NULL.
 * @param readonly: the connection is read-only: check the type only,
 *	without the view.
 * @param canon: output, canonical type.
 * @param canonlen: size of canon.
 * @return 0 or -1 (message printed).
 */
static int
check_rule_args(sqlite3* db, const char* type, const char* action,
	const char* expires, int readonly, char* canon, size_t canonlen)
{
	sqlite3_stmt* st = NULL;
	int rc;
	/* schema version 2 checks a rule's trigger and scope too: the feed's
	 * rules are name rules */
	if(!readonly && sqlite3_prepare_v2(db, policy_has_column(db, "trigger")
		? "INSERT INTO policy_validate (name, type, action, enabled, "
		  "expires_at, trigger, scope) VALUES ('example.com', ?1, ?2, 1, "
		  "?3, 'qname', 'any')"
		: "INSERT INTO policy_validate (name, type, action, enabled, "
		  "expires_at) VALUES ('example.com', ?1, ?2, 1, ?3)", -1, &st,
		NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, action ? action : "nxdomain", -1,
			SQLITE_STATIC);
		if(expires)
			sqlite3_bind_text(st, 3, expires, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if(rc != SQLITE_DONE) {
			msg("%s (-t '%s'%s%s%s%s)", sqlite3_errmsg(db), type,
				action ? ", -a " : "", action ? action : "",
				expires ? ", -e " : "", expires ? expires : "");
			sqlite3_finalize(st);
			return -1;
		}
	}
	/* no view policy_validate (another schema): the triggers check rows */
	sqlite3_finalize(st);
	st = NULL;
	if(sqlite3_prepare_v2(db, "SELECT " CANON_TYPE_SQL("?1"), -1, &st,
		NULL) != SQLITE_OK) {
		msg("cannot read table rrtype: %s", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
	if(sqlite3_step(st) != SQLITE_ROW || !sqlite3_column_text(st, 0)) {
		msg("cannot read table rrtype: %s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	snprintf(canon, canonlen, "%s",
		(const char*)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if(readonly && !type_known(db, canon)) {
		msg("-t '%s': unknown type (give a mnemonic such as MX, TXT "
			"or AAAA, TYPEnnn with nnn 1..65535, or '*' for every "
			"type)", type);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* import */

/**
 * Count a skipped line, and keep it as an example if it is among the first
 * of its reason (or always with -v).
 * @param im: the import.
 * @param r: the reason.
 * @param line: its line number.
 * @param detail: more about the reason, or NULL.
 * @param text: the offending text (name or line), or NULL.
 * @return 0 or -1 on out of memory.
 */
static int
skip(struct import* im, enum reason r, size_t line, const char* detail,
	const char* text)
{
	struct example* e;
	char buf[EXAMPLE_TEXT_MAX + 4];
	size_t n;
	int len;
	im->skipped[r]++;
	im->skipped_total++;
	if(!im->opt->verbose && im->skipped[r] > EXAMPLES_PER_REASON)
		return 0;
	buf[0] = 0;
	if(text) {
		/* one line, at most EXAMPLE_TEXT_MAX characters */
		n = strcspn(text, "\r\n");
		if(n > EXAMPLE_TEXT_MAX) {
			memcpy(buf, text, EXAMPLE_TEXT_MAX);
			memcpy(buf + EXAMPLE_TEXT_MAX, "...", 4);
		} else {
			memcpy(buf, text, n);
			buf[n] = 0;
		}
	}
	if(!(e = calloc(1, sizeof(*e)))) {
		snprintf(im->error, sizeof(im->error), "out of memory");
		return -1;
	}
	len = snprintf(NULL, 0, "line %zu: %s%s%s%s%s", line, reason_text[r],
		detail ? " [" : "", detail ? detail : "", detail ? "]" : "",
		text ? ": " : "");
	if(!(e->text = malloc((size_t)len + strlen(buf) + 1))) {
		snprintf(im->error, sizeof(im->error), "out of memory");
		free(e);
		return -1;
	}
	snprintf(e->text, (size_t)len + strlen(buf) + 1,
		"line %zu: %s%s%s%s%s%s", line, reason_text[r],
		detail ? " [" : "", detail ? detail : "", detail ? "]" : "",
		text ? ": " : "", buf);
	e->reason = r;
	e->line = line;
	e->seq = im->nexamples++;
	if(im->examples_last)
		im->examples_last->next = e;
	else	im->examples = e;
	im->examples_last = e;
	return 0;
}

/**
 * Find the names of the input that are in the table already: the rules
 * of the import's type with the same normalized name and the same action
 * that apply at least as long as the import's would (no expiry, or not
 * before its -e), or are disabled (the operator's choice, kept). Marks their
 * keys in_db (and enabled if one such row is enabled). A key whose only
 * such rules expire sooner, or have expired, is marked renew: it is added
 * again, else the name would stop being blocked when they expire.
 * @param im: the import.
 * @return 0 or -1 (im->error set).
 */
static int
mark_existing(struct import* im)
{
	sqlite3_stmt* st = NULL;
	int rc;
	const char* sql = policy_has_column(im->db, "trigger")
		? "SELECT " NORM_NAME_SQL ", action, enabled, " COVERS_SQL
		  " FROM policy WHERE trigger = 'qname' AND "
		  CANON_TYPE_SQL("type") " = ?1"
		: "SELECT " NORM_NAME_SQL ", action, enabled, " COVERS_SQL
		  " FROM policy WHERE " CANON_TYPE_SQL("type") " = ?1";
	if(sqlite3_prepare_v2(im->db, sql, -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_text(st, 1, im->type, -1, SQLITE_STATIC);
	if(im->opt->expires)
		sqlite3_bind_text(st, 2, im->opt->expires, -1, SQLITE_STATIC);
	while((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char* name = (const char*)sqlite3_column_text(st, 0);
		const char* act = (const char*)sqlite3_column_text(st, 1);
		enum action a;
		struct key* k;
		if(!name || !act || (a = action_parse(act)) == ACT_NONE)
			continue;
		k = keyset_find(&im->keys, name, (int)a,
			key_hash(name, (int)a));
		if(!k)
			continue;
		if(!sqlite3_column_int(st, 3)) {
			k->renew = 1;
			continue;
		}
		k->in_db = 1;
		if(sqlite3_column_int(st, 2) != 0)
			k->enabled = 1;
	}
	if(rc != SQLITE_DONE)
		goto dberr;
	sqlite3_finalize(st);
	return 0;
dberr:
	snprintf(im->error, sizeof(im->error), "cannot read the policy "
		"table: %s", sqlite3_errmsg(im->db));
	sqlite3_finalize(st);
	return -1;
}

/**
 * Take one name of the input: validate it, skip it if it is repeated, else
 * keep it for insertion.
 * @param im: the import.
 * @param raw: the name as found in the input.
 * @param action: the rule's action.
 * @param line: line number in the input.
 * @param text: text to show if it is skipped (NULL: the name).
 * @param system_check: skip hosts-file system names.
 * @return 0, or -1 on a fatal error (im->error set).
 */
static int
take_name(struct import* im, const char* raw, enum action action,
	size_t line, const char* text, int system_check)
{
	char name[NAME_MAX_TEXT + 1];
	const char* err;
	struct key* k;
	uint32_t h;
	int i;
	if(!text)
		text = raw;
	if((err = name_check(raw, name)) != NULL)
		return skip(im, R_BAD_NAME, line, err, text) ? -1 : 0;
	if(system_check) {
		for(i = 0; system_names[i]; i++)
			if(strcmp(name, system_names[i]) == 0)
				return skip(im, R_SYSTEM_NAME, line, NULL, text)
					? -1 : 0;
	}
	h = key_hash(name, (int)action);
	if((k = keyset_find(&im->keys, name, (int)action, h)) != NULL) {
		char first[64];
		snprintf(first, sizeof(first), "first at line %u", k->line);
		return skip(im, R_REPEATED, line, first, text) ? -1 : 0;
	}
	if(!(k = keyset_add(&im->keys, name, (int)action, h))) {
		snprintf(im->error, sizeof(im->error), "out of memory");
		return -1;
	}
	k->line = (uint32_t)line;
	if(im->npending == im->maxpending) {
		size_t n = im->maxpending ? im->maxpending * 2 : 4096;
		struct key** p = realloc(im->pending, n * sizeof(*p));
		if(!p) {
			snprintf(im->error, sizeof(im->error), "out of memory");
			return -1;
		}
		im->pending = p;
		im->maxpending = n;
	}
	im->pending[im->npending++] = k;
	return 0;
}

/**
 * Order keys by name, then action (qsort).
 * @param a: pointer to a key pointer.
 * @param b: pointer to a key pointer.
 * @return <0, 0, >0.
 */
static int
key_cmp(const void* a, const void* b)
{
	const struct key* x = *(struct key* const*)a;
	const struct key* y = *(struct key* const*)b;
	int c = strcmp(x->name, y->name);
	if(c)
		return c;
	return (int)x->action - (int)y->action;
}

/**
 * Insert the names of the input that are not in the table yet, in the
 * order of their names: the index on policy.name then grows at its end,
 * which takes half the time of inserting in input order.
 * @param im: the import.
 * @return 0 or -1 on a database error (im->error set).
 */
static int
insert_pending(struct import* im)
{
	size_t i;
	int rc;
	if(im->npending > 1)
		qsort(im->pending, im->npending, sizeof(*im->pending),
			key_cmp);
	for(i = 0; i < im->npending; i++) {
		struct key* k = im->pending[i];
		if(k->in_db) {
			im->already++;
			if(!k->enabled)
				im->already_disabled++;
			continue;
		}
		sqlite3_bind_text(im->insert, 1, k->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(im->insert, 3, action_names[k->action], -1,
			SQLITE_STATIC);
		rc = sqlite3_step(im->insert);
		sqlite3_reset(im->insert);
		if(rc == SQLITE_CONSTRAINT) {
			/* a check of the schema this tool does not know of */
			char detail[300];
			snprintf(detail, sizeof(detail), "%s",
				sqlite3_errmsg(im->db));
			if(skip(im, R_REJECTED, k->line, detail, k->name))
				return -1;
			continue;
		}
		if(rc != SQLITE_DONE) {
			snprintf(im->error, sizeof(im->error), "cannot insert "
				"'%s' (line %u): %s", k->name, k->line,
				sqlite3_errmsg(im->db));
			return -1;
		}
		im->added[k->action]++;
		im->added_total++;
		if(k->renew)
			im->renewed++;
	}
	return 0;
}

/**
 * Split the next line off a buffer.
 * @param p: in/out, the position in the buffer.
 * @param end: the end of the buffer's input (a NUL byte there).
 * @param line: output, the line, NUL terminated (the newline and a
 *	carriage return before it are overwritten).
 * @param nul: output, 1 if the line holds a NUL byte of the input (which
 *	would cut it short as a string).
 * @return 1 if a line was returned, 0 at the end.
 */
static int
next_line(char** p, char* end, char** line, int* nul)
{
	char* s = *p, *e;
	if(s >= end)
		return 0;
	e = memchr(s, '\n', (size_t)(end - s));
	if(e) {
		*p = e + 1;
	} else {
		e = end;
		*p = e;
	}
	if(e > s && e[-1] == '\r')
		e--;
	*nul = memchr(s, 0, (size_t)(e - s)) != NULL;
	*e = 0;
	*line = s;
	return 1;
}

/**
 * Import a hosts file or a plain list.
 * @param im: the import.
 * @param buf: the input, NUL terminated; modified.
 * @param len: its length, without that NUL.
 * @return 0 or -1 on a fatal error.
 */
static int
import_lines(struct import* im, char* buf, size_t len)
{
	char* p = buf, *line, *tok, *save, *hash, *end,
		orig[EXAMPLE_TEXT_MAX + 4];
	size_t nr = 0;
	int hosts = (im->opt->format == FMT_HOSTS), nul;
	while(next_line(&p, buf + len, &line, &nul)) {
		nr++;
		if(nul) {
			/* as a string the line ends at the NUL: another name */
			if(skip(im, R_NUL, nr, NULL, line))
				return -1;
			continue;
		}
		if((hash = strchr(line, '#')) != NULL)
			*hash = 0;
		line += strspn(line, " \t");
		for(end = line + strlen(line); end > line && (end[-1] == ' '
			|| end[-1] == '\t'); end--)
			end[-1] = 0;
		if(!*line)
			continue;
		snprintf(orig, sizeof(orig), "%s", line);
		tok = strtok_r(line, " \t", &save);
		if(hosts) {
			unsigned char addr[16];
			static const unsigned char any6[16] = { 0 };
			static const unsigned char lo6[16] = { 0,0,0,0, 0,0,0,0,
				0,0,0,0, 0,0,0,1 };
			int blocking;
			char* a = tok;
			char* pct = strchr(a, '%');
			if(pct)
				*pct = 0;
			if(inet_pton(AF_INET, a, addr) == 1) {
				blocking = memcmp(addr, "\0\0\0\0", 4) == 0
					|| memcmp(addr, "\177\0\0\1", 4) == 0;
			} else if(inet_pton(AF_INET6, a, addr) == 1) {
				blocking = memcmp(addr, any6, 16) == 0
					|| memcmp(addr, lo6, 16) == 0;
			} else {
				if(skip(im, R_NOT_ADDRESS, nr, NULL, orig))
					return -1;
				continue;
			}
			if(!blocking) {
				if(skip(im, R_NOT_BLOCK_ADDRESS, nr, NULL,
					orig))
					return -1;
				continue;
			}
			if(!(tok = strtok_r(NULL, " \t", &save))) {
				if(skip(im, R_SYNTAX, nr, "an address "
					"without a name", orig))
					return -1;
				continue;
			}
			for(; tok; tok = strtok_r(NULL, " \t", &save))
				if(take_name(im, tok, im->opt->action, nr, NULL,
					1))
					return -1;
		} else {
			if(strtok_r(NULL, " \t", &save)) {
				if(skip(im, R_FIELDS, nr, "for hosts files "
					"use -f hosts", orig))
					return -1;
				continue;
			}
			if(take_name(im, tok, im->opt->action, nr, NULL, 0))
				return -1;
		}
	}
	return 0;
}

/**
 * Compare two wire names, or parts of them, case-insensitively.
 * @param a: first.
 * @param b: second.
 * @param len: length of both.
 * @return 1 if equal.
 */
static int
wire_eq(const uint8_t* a, const uint8_t* b, size_t len)
{
	size_t i;
	for(i = 0; i < len; i++)
		if(tolower(a[i]) != tolower(b[i]))
			return 0;
	return 1;
}

/**
 * Where a name sits relative to the RPZ apex.
 * @param owner: wire name (absolute).
 * @param olen: its length.
 * @param apex: wire name of the apex.
 * @param alen: its length.
 * @param rel: output, length of the labels above the apex.
 * @param last: output, offset of the last of those labels.
 * @return 0 at the apex, 1 below it, -1 outside.
 */
static int
rpz_position(const uint8_t* owner, size_t olen, const uint8_t* apex,
	size_t alen, size_t* rel, size_t* last)
{
	size_t pos = 0;
	*rel = 0;
	*last = 0;
	while(olen - pos > alen) {
		if(owner[pos] == 0)
			return -1;
		*last = pos;
		pos += 1 + (size_t)owner[pos];
		if(pos > olen)
			return -1;
	}
	if(olen - pos != alen || !wire_eq(owner + pos, apex, alen))
		return -1;
	*rel = pos;
	return pos == 0 ? 0 : 1;
}

/**
 * Whether a wire name is one label followed by the root.
 * @param w: wire name.
 * @param len: its length.
 * @param label: the label text.
 * @return 1 if w is "label.".
 */
static int
wire_is(const uint8_t* w, size_t len, const char* label)
{
	size_t n = strlen(label);
	if(n == 0)
		return len == 1 && w[0] == 0;
	return len == n + 2 && w[0] == n && w[n+1] == 0
		&& wire_eq(w + 1, (const uint8_t*)label, n);
}

/** RPZ policy actions found in the data of a QNAME trigger. */
enum rpz_action {
	/** CNAME . */
	RPZ_NXDOMAIN,
	/** CNAME *. */
	RPZ_NODATA,
	/** CNAME rpz-passthru. (or to the name itself) */
	RPZ_PASSTHRU,
	/** CNAME rpz-drop. */
	RPZ_DROP,
	/** CNAME rpz-tcp-only. */
	RPZ_TCP_ONLY,
	/** any other data */
	RPZ_LOCAL_DATA
};

/**
 * Handle one record of an RPZ zone.
 * @param im: the import.
 * @param rr: the record.
 * @param apex: the RPZ apex.
 * @param line: line number.
 * @param text: the line, for the report.
 * @return 0 or -1 on a fatal error.
 */
static int
rpz_record(struct import* im, ldns_rr* rr, ldns_rdf* apex, size_t line,
	const char* text)
{
	const uint8_t* ow = ldns_rdf_data(ldns_rr_owner(rr));
	size_t olen = ldns_rdf_size(ldns_rr_owner(rr)), rel, last;
	ldns_rr_type t = ldns_rr_get_type(rr);
	char name[NAME_BUF], trig[NAME_BUF];
	enum rpz_action ra = RPZ_LOCAL_DATA;
	enum action a;
	int pos = rpz_position(ow, olen, ldns_rdf_data(apex),
		ldns_rdf_size(apex), &rel, &last);
	if(pos == 0)
		return skip(im, (t == LDNS_RR_TYPE_SOA || t == LDNS_RR_TYPE_NS)
			? R_APEX : R_APEX_OTHER, line, NULL, text) ? -1 : 0;
	if(pos < 0)
		return skip(im, R_OUTSIDE, line, im->origin_text[0]
			? im->origin_text : "the file names no origin", text)
			? -1 : 0;
	rel_to_text(ow + last, ow[last] + 1, trig);
	if(strncasecmp(trig, "rpz-", 4) == 0) {
		enum reason r = R_RPZ_UNKNOWN;
		if(strcasecmp(trig, "rpz-ip") == 0)
			r = R_RPZ_IP;
		else if(strcasecmp(trig, "rpz-nsdname") == 0)
			r = R_RPZ_NSDNAME;
		else if(strcasecmp(trig, "rpz-nsip") == 0)
			r = R_RPZ_NSIP;
		else if(strcasecmp(trig, "rpz-client-ip") == 0)
			r = R_RPZ_CLIENT_IP;
		return skip(im, r, line, NULL, text) ? -1 : 0;
	}
	rel_to_text(ow, rel, name);
	if(t == LDNS_RR_TYPE_CNAME && ldns_rr_rd_count(rr) == 1) {
		const uint8_t* tw = ldns_rdf_data(ldns_rr_rdf(rr, 0));
		size_t tlen = ldns_rdf_size(ldns_rr_rdf(rr, 0));
		if(wire_is(tw, tlen, ""))
			ra = RPZ_NXDOMAIN;
		else if(wire_is(tw, tlen, "*"))
			ra = RPZ_NODATA;
		else if(wire_is(tw, tlen, "rpz-passthru"))
			ra = RPZ_PASSTHRU;
		else if(wire_is(tw, tlen, "rpz-drop"))
			ra = RPZ_DROP;
		else if(wire_is(tw, tlen, "rpz-tcp-only"))
			ra = RPZ_TCP_ONLY;
		else if(tlen == rel + 1 && tw[rel] == 0 && wire_eq(tw, ow, rel))
			ra = RPZ_PASSTHRU;	/* the old form of passthru */
	}
	switch(ra) {
	case RPZ_NXDOMAIN: a = ACT_NXDOMAIN; break;
	case RPZ_NODATA: a = ACT_NODATA; break;
	case RPZ_PASSTHRU: a = ACT_ALLOW; break;
	case RPZ_DROP: a = ACT_DROP; break;
	default: a = ACT_NONE; break;
	}
	if(im->opt->action != ACT_NONE && ra != RPZ_PASSTHRU)
		a = im->opt->action;
	if(a == ACT_NONE) {
		char detail[64];
		if(ra == RPZ_TCP_ONLY)
			return skip(im, R_TCP_ONLY, line, NULL, text) ? -1 : 0;
		if(t == LDNS_RR_TYPE_CNAME)
			snprintf(detail, sizeof(detail), "CNAME to another "
				"name");
		else {
			char* ts = ldns_rr_type2str(t);
			snprintf(detail, sizeof(detail), "%s record",
				ts ? ts : "a");
			free(ts);
		}
		return skip(im, R_LOCAL_DATA, line, detail, text) ? -1 : 0;
	}
	return take_name(im, name, a, line, text, 0);
}

/**
 * The first line of text of a record that starts at some offset, skipping
 * blank and comment lines before it.
 * @param buf: the input.
 * @param from: offset where ldns started reading.
 * @param to: offset where it stopped.
 * @param line: in: line number at from; out: the record's line.
 * @return pointer into buf.
 */
static const char*
record_start(const char* buf, size_t from, size_t to, size_t* line)
{
	size_t pos = from;
	while(pos < to) {
		const char* s = buf + pos;
		const char* nl = memchr(s, '\n', to - pos);
		size_t i = strspn(s, " \t\r\f\v");
		if(s[i] != '\n' && s[i] != ';' && s[i] != 0)
			return s;
		if(!nl)
			break;
		(*line)++;
		pos = (size_t)(nl - buf) + 1;
	}
	return buf + pos;
}

/**
 * Count newlines in a part of the buffer.
 * @param buf: the input.
 * @param from: start offset.
 * @param to: end offset.
 * @return the number of newlines.
 */
static size_t
count_lines(const char* buf, size_t from, size_t to)
{
	size_t n = 0;
	const char* p = buf + from, *e = buf + to;
	while(p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

/**
 * Keep the RPZ origin as text for the report ("" for none).
 * @param im: the import, origin_text is set.
 * @param apex: the apex of the RPZ.
 * @param sentinel: the origin used when the file names none.
 */
static void
origin_text(struct import* im, ldns_rdf* apex, ldns_rdf* sentinel)
{
	char* at;
	if(ldns_dname_compare(apex, sentinel) == 0) {
		im->origin_text[0] = 0;
		return;
	}
	at = ldns_rdf2str(apex);
	snprintf(im->origin_text, sizeof(im->origin_text), "%s",
		at ? at : "?");
	free(at);
}

/**
 * Import an RPZ zone file.
 * @param im: the import.
 * @param buf: the input, NUL terminated.
 * @param len: its length.
 * @return 0 or -1 on a fatal error.
 */
static int
import_rpz(struct import* im, char* buf, size_t len)
{
	FILE* fp;
	ldns_rdf* origin = NULL, *prev = NULL, *apex = NULL, *sentinel;
	uint32_t ttl = 3600;
	int dummy = 0, ret = -1, origin_directive = 0, first = 1;
	size_t off = 0, line = 1;	/* offset and line of the next read */
	if(len == 0)
		return 0;
	if(!(sentinel = ldns_dname_new_frm_str(SENTINEL_ORIGIN))) {
		snprintf(im->error, sizeof(im->error), "out of memory");
		return -1;
	}
	if(!(fp = fmemopen(buf, len, "r"))) {
		ldns_rdf_deep_free(sentinel);
		snprintf(im->error, sizeof(im->error), "fmemopen: %s",
			strerror(errno));
		return -1;
	}
	if(im->opt->origin) {
		/* the origin is absolute, with or without its trailing dot */
		char o[NAME_BUF];
		snprintf(o, sizeof(o), "%s%s", im->opt->origin,
			ldns_dname_str_absolute(im->opt->origin) ? "" : ".");
		if(!(origin = ldns_dname_new_frm_str(o))) {
			snprintf(im->error, sizeof(im->error), "-o %s: not a "
				"domain name", im->opt->origin);
			goto done;
		}
		apex = ldns_rdf_clone(origin);
	} else	origin = ldns_rdf_clone(sentinel);
	for(;;) {
		ldns_rr* rr = NULL;
		ldns_status s;
		size_t end, rline = line;
		const char* text;
		long e;
		int r = 0;
		s = ldns_rr_new_frm_fp_l(&rr, fp, &ttl, &origin, &prev, &dummy);
		e = ftell(fp);
		end = e < 0 ? len : (size_t)e;
		if(end <= off && !feof(fp) && s != LDNS_STATUS_OK) {
			snprintf(im->error, sizeof(im->error), "the zone "
				"parser is stuck at line %zu", line);
			goto done;
		}
		text = record_start(buf, off, end, &rline);
		line += count_lines(buf, off, end);
		off = end;
		if(!origin) {
			/* a bad $ORIGIN: ldns dropped the old one */
			origin = ldns_rdf_clone(apex ? apex : sentinel);
		}
		if(s == LDNS_STATUS_SYNTAX_EMPTY) {
			if(feof(fp) || off >= len)
				break;
			continue;
		}
		if(s == LDNS_STATUS_SYNTAX_TTL)
			continue;
		if(s == LDNS_STATUS_SYNTAX_ORIGIN) {
			origin_directive = 1;
			continue;
		}
		if(s == LDNS_STATUS_SYNTAX_INCLUDE)
			r = skip(im, R_INCLUDE, rline, NULL, text);
		else if(s != LDNS_STATUS_OK)
			r = skip(im, R_SYNTAX, rline,
				ldns_get_errorstr_by_id(s), text);
		else {
			if(first && !apex) {
				/* the apex: the SOA's owner, else the origin */
				if(ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
					apex = ldns_rdf_clone(
						ldns_rr_owner(rr));
					if(!origin_directive) {
						ldns_rdf_deep_free(origin);
						origin = ldns_rdf_clone(apex);
					}
				} else	apex = ldns_rdf_clone(origin);
			}
			if(first) {
				origin_text(im, apex, sentinel);
				first = 0;
			}
			r = rpz_record(im, rr, apex, rline, text);
			ldns_rr_free(rr);
		}
		if(r) {
			if(!im->error[0])
				snprintf(im->error, sizeof(im->error),
					"out of memory");
			goto done;
		}
		if(off >= len && feof(fp))
			break;
	}
	ret = 0;
done:
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	ldns_rdf_deep_free(apex);
	ldns_rdf_deep_free(sentinel);
	fclose(fp);
	return ret;
}

/**
 * Order examples by line, then by the order they were found (qsort).
 * @param a: pointer to an example pointer.
 * @param b: pointer to an example pointer.
 * @return <0, 0, >0.
 */
static int
example_cmp(const void* a, const void* b)
{
	const struct example* x = *(struct example* const*)a;
	const struct example* y = *(struct example* const*)b;
	if(x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

/**
 * Print the report of an import.
 * @param im: the import.
 * @param committed: whether the rules were committed.
 */
static void
import_report(struct import* im, int committed)
{
	struct example* e;
	int i;
	printf("added: %zu\n", im->added_total);
	for(i = 0; i < ACT_COUNT; i++)
		if(im->added[i])
			printf("    %zu %s\n", im->added[i], action_names[i]);
	if(im->renewed)
		printf("    (%zu of them renew rules that expire sooner or "
			"have expired)\n", im->renewed);
	printf("already there: %zu", im->already);
	if(im->already_disabled)
		printf(" (%zu of them disabled)", im->already_disabled);
	printf("\nskipped: %zu\n", im->skipped_total);
	for(i = 0; i < R_COUNT; i++)
		if(im->skipped[i])
			printf("    %zu %s\n", im->skipped[i], reason_text[i]);
	if(im->nexamples) {
		/* in line order (rejected rows are found after the others) */
		struct example** sorted = malloc(im->nexamples *
			sizeof(*sorted));
		size_t n = 0, j;
		printf(im->opt->verbose ? "skipped lines:\n"
			: "skipped lines (the first %d of each reason, "
			"-v for all):\n", EXAMPLES_PER_REASON);
		if(sorted) {
			for(e = im->examples; e; e = e->next)
				sorted[n++] = e;
			qsort(sorted, n, sizeof(*sorted), example_cmp);
			for(j = 0; j < n; j++)
				printf("    %s\n", sorted[j]->text);
			free(sorted);
		} else {
			for(e = im->examples; e; e = e->next)
				printf("    %s\n", e->text);
		}
	}
	if(im->opt->format == FMT_RPZ && im->added_total == 0
		&& im->already == 0 && im->skipped[R_OUTSIDE] > 0)
		printf("hint: %s%s; give the zone's origin with -o\n",
			im->origin_text[0] ? "no name was under the RPZ origin "
			: "the file names no RPZ origin (no SOA first, no "
			"$ORIGIN), and not one name was relative",
			im->origin_text);
	if(committed)
		printf("committed: %zu rules added\n", im->added_total);
	else	printf("dry run: nothing written (rolled back)\n");
}

/**
 * Free what an import holds.
 * @param im: the import.
 */
static void
import_free(struct import* im)
{
	while(im->examples) {
		struct example* e = im->examples;
		im->examples = e->next;
		free(e->text);
		free(e);
	}
	free(im->pending);
	keyset_free(&im->keys);
	sqlite3_finalize(im->insert);
	sqlite3_close(im->db);
}

/**
 * Run an import: read and check the input, then, in one transaction, find
 * what is there already and insert the rest.
 * @param opt: the options.
 * @return exit status.
 */
static int
do_import(struct options* opt)
{
	struct import im;
	char comment[1024], pragma[64];
	char* buf;
	size_t len;
	FILE* in;
	int stdin_input = strcmp(opt->file, "-") == 0, rc;
	memset(&im, 0, sizeof(im));
	im.opt = opt;
	im.input_name = stdin_input ? "stdin" : opt->file;

	if(!(im.db = db_open(opt->db, 0)))
		return 1;
	if(check_rule_args(im.db, opt->type, opt->action == ACT_NONE ? NULL
		: action_names[opt->action], opt->expires, 0, im.type,
		sizeof(im.type))) {
		sqlite3_close(im.db);
		return 1;
	}
	in = stdin_input ? stdin : fopen(opt->file, "rb");
	if(!in) {
		msg("cannot open %s: %s", opt->file, strerror(errno));
		sqlite3_close(im.db);
		return 1;
	}
	buf = read_all(in, &len);
	if(!buf)
		msg("cannot read %s: %s", im.input_name, strerror(errno));
	if(!stdin_input)
		fclose(in);
	if(!buf || keyset_init(&im.keys, len / 32 + 1024) != 0) {
		if(buf)
			msg("out of memory");
		free(buf);
		sqlite3_close(im.db);
		return 1;
	}
	if(!opt->comment) {
		snprintf(comment, sizeof(comment), "rrpolicy-feed: %s",
			im.input_name);
		opt->comment = comment;
	}
	printf("%s: import of %s (%s) into %s as type %s, action %s%s\n",
		progname, im.input_name, opt->format == FMT_RPZ ? "rpz"
		: opt->format == FMT_HOSTS ? "hosts" : "list", opt->db, im.type,
		opt->action == ACT_NONE ? "from the RPZ records"
		: action_names[opt->action], opt->dry_run ? " (dry run)" : "");

	/* parse, check and deduplicate the input, before any lock is taken;
	 * UTF-16 (Windows hosts files, say) would be a NUL in every line */
	if(len >= 2 && (((unsigned char)buf[0] == 0xff &&
		(unsigned char)buf[1] == 0xfe) || ((unsigned char)buf[0] == 0xfe
		&& (unsigned char)buf[1] == 0xff))) {
		snprintf(im.error, sizeof(im.error), "%s is UTF-16 (it starts "
			"with a byte order mark): convert it to UTF-8 first, "
			"e.g. with iconv -f UTF-16 -t UTF-8", im.input_name);
		rc = -1;
	} else	rc = opt->format == FMT_RPZ ? import_rpz(&im, buf, len)
		: import_lines(&im, buf, len);
	free(buf);
	if(rc != 0) {
		fflush(stdout);
		msg("%s; nothing imported", im.error);
		import_free(&im);
		return 1;
	}

	/* one write transaction: what is there already, then the rest */
	snprintf(pragma, sizeof(pragma), "PRAGMA cache_size = -%d",
		IMPORT_CACHE_KIB);
	(void)sqlite3_exec(im.db, pragma, NULL, NULL, NULL);
	if(sqlite3_exec(im.db, "BEGIN IMMEDIATE", NULL, NULL, NULL)
		!= SQLITE_OK) {
		fflush(stdout);
		msg("cannot start a write transaction on %s: %s; nothing "
			"imported", opt->db, sqlite3_errmsg(im.db));
		import_free(&im);
		return 1;
	}
	if(sqlite3_prepare_v2(im.db, "INSERT INTO policy (name, type, action, "
		"expires_at, comment) VALUES (?1, ?2, ?3, ?4, ?5)", -1,
		&im.insert, NULL) != SQLITE_OK) {
		snprintf(im.error, sizeof(im.error), "cannot prepare the "
			"insert: %s", sqlite3_errmsg(im.db));
		rc = -1;
	} else {
		sqlite3_bind_text(im.insert, 2, im.type, -1, SQLITE_STATIC);
		if(opt->expires)
			sqlite3_bind_text(im.insert, 4, opt->expires, -1,
				SQLITE_STATIC);
		sqlite3_bind_text(im.insert, 5, opt->comment, -1,
			SQLITE_STATIC);
		rc = mark_existing(&im);
	}
	if(rc == 0)
		rc = insert_pending(&im);
	sqlite3_finalize(im.insert);
	im.insert = NULL;
	if(rc == 0 && !opt->dry_run && sqlite3_exec(im.db, "COMMIT", NULL,
		NULL, NULL) != SQLITE_OK) {
		snprintf(im.error, sizeof(im.error), "cannot commit: %s",
			sqlite3_errmsg(im.db));
		rc = -1;
	}
	if(rc != 0 || opt->dry_run)
		(void)sqlite3_exec(im.db, "ROLLBACK", NULL, NULL, NULL);
	if(rc != 0) {
		fflush(stdout);
		msg("%s; nothing imported (rolled back)", im.error);
		import_free(&im);
		return 1;
	}
	if(opt->format == FMT_RPZ)
		printf("RPZ origin: %s\n", im.origin_text[0] ? im.origin_text
			: "none named in the file (names are relative to it)");
	import_report(&im, !opt->dry_run);
	import_free(&im);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* ------------------------------------------------------------------ */
/* export */

/**
 * Read a setting of the database, with a default.
 * @param db: the database.
 * @param key: the setting.
 * @param def: default if it is not there.
 * @param out: output buffer.
 * @param outlen: its size.
 */
static void
setting_get(sqlite3* db, const char* key, const char* def, char* out,
	size_t outlen)
{
	sqlite3_stmt* st = NULL;
	snprintf(out, outlen, "%s", def);
	if(sqlite3_prepare_v2(db, "SELECT value FROM setting WHERE key = ?1",
		-1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		if(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			snprintf(out, outlen, "%s",
				(const char*)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
}

/**
 * The RPZ data that expresses an action on a whole name.
 * @param action: the action.
 * @param type: the rule's canonical type.
 * @return the CNAME target, or NULL if RPZ has no equivalent.
 */
static const char*
rpz_target(enum action action, const char* type)
{
	switch(action) {
	case ACT_NXDOMAIN: return ".";
	case ACT_BLOCK: return strcmp(type, "*") == 0 ? "." : "*.";
	case ACT_NULLMX:
	case ACT_NODATA: return "*.";
	case ACT_ALLOW: return "rpz-passthru.";
	case ACT_DROP: return "rpz-drop.";
	default: return NULL;
	}
}

/**
 * Run an export.
 * @param opt: the options.
 * @return exit status.
 */
static int
do_export(struct options* opt)
{
	sqlite3* db;
	sqlite3_stmt* st = NULL;
	struct keyset seen;
	char type[32] = "", sql[2048], origin[NAME_BUF], ttl[32], mname[300],
		rname[300];
	const char* out_name = (!opt->file || strcmp(opt->file, "-") == 0)
		? NULL : opt->file;
	FILE* out = stdout;
	char valid[NAME_MAX_TEXT + 1];
	size_t written = 0, left_action = 0, left_wild = 0, left_rpz = 0,
		left_conflict = 0, left_long = 0, left_bad = 0, widened = 0;
	int rc, ret = 1;
	if(!(db = db_open(opt->db, 1)))
		return 1;
	if(opt->type && check_rule_args(db, opt->type, NULL, NULL, 1, type,
		sizeof(type)) != 0) {
		sqlite3_close(db);
		return 1;
	}
	/* the origin, with exactly one trailing dot */
	if(opt->format == FMT_RPZ) {
		char tmp[NAME_MAX_TEXT + 1];
		const char* o = opt->origin ? opt->origin : DEFAULT_RPZ_ORIGIN;
		const char* err = name_check(o, tmp);
		if(!err && tmp[0] == '*')
			err = "'*' is not allowed in an origin";
		if(err) {
			msg("-o %s: invalid origin: %s", o, err);
			sqlite3_close(db);
			return 1;
		}
		snprintf(origin, sizeof(origin), "%s.", tmp);
	}
	snprintf(sql, sizeof(sql), "SELECT id, " NORM_NAME_SQL ", "
		CANON_TYPE_SQL("type") ", action FROM policy WHERE enabled = 1 "
		"AND (expires_at IS NULL OR expires_at > datetime('now'))"
		"%s%s%s ORDER BY id",
		policy_has_column(db, "trigger") ? " AND trigger = 'qname'"
		: "",
		opt->type ? " AND " CANON_TYPE_SQL("type") " = ?1" : "",
		opt->action != ACT_NONE ? " AND action = ?2" : "");
	if(sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		msg("cannot read the policy table: %s", sqlite3_errmsg(db));
		sqlite3_close(db);
		return 1;
	}
	if(opt->type)
		sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
	if(opt->action != ACT_NONE)
		sqlite3_bind_text(st, 2, action_names[opt->action], -1,
			SQLITE_STATIC);
	if(keyset_init(&seen, 1024) != 0) {
		msg("out of memory");
		goto done_db;
	}
	if(out_name && !(out = fopen(out_name, "w"))) {
		msg("cannot write %s: %s", out_name, strerror(errno));
		goto done_set;
	}
	if(opt->format == FMT_RPZ) {
		time_t now = time(NULL);
		char stamp[64];
		setting_get(db, "negative_ttl", "60", ttl, sizeof(ttl));
		setting_get(db, "soa_mname", "localhost.", mname,
			sizeof(mname));
		setting_get(db, "soa_rname", "nobody.invalid.", rname,
			sizeof(rname));
		strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S UTC",
			gmtime(&now));
		fprintf(out, "; RPZ exported by rrpolicy-feed from %s at %s\n"
			"; type %s, action %s\n"
			"$TTL %s\n"
			"%s %s IN SOA %s %s %lu 3600 600 86400 %s\n"
			"%s %s IN NS localhost.\n",
			opt->db, stamp, opt->type ? type : "any",
			opt->action != ACT_NONE ? action_names[opt->action]
			: "any", ttl, origin, ttl, mname, rname,
			(unsigned long)now, ttl, origin, ttl);
	}
	while((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(st, 0);
		const char* name = (const char*)sqlite3_column_text(st, 1);
		const char* rtype = (const char*)sqlite3_column_text(st, 2);
		const char* act = (const char*)sqlite3_column_text(st, 3);
		enum action a;
		const char* target = NULL;
		uint32_t h;
		if(!name || !rtype || !act
			|| (a = action_parse(act)) == ACT_NONE
			|| name_check(name, valid) != NULL) {
			/* a row that bypassed the schema's checks */
			left_bad++;
			continue;
		}
		if(opt->format == FMT_RPZ) {
			if(!(target = rpz_target(a, rtype))) {
				left_rpz++;
				continue;
			}
			/* name "." origin, origin with its final dot: at
			 * most 254 characters, 255 octets in wire format */
			if(strlen(name) + 1 + strlen(origin) > 254) {
				left_long++;
				continue;
			}
		} else {
			if(opt->action == ACT_NONE && (a == ACT_ALLOW
				|| a == ACT_LOG || a == ACT_REQUIRE_SECURE)) {
				left_action++;
				continue;
			}
			if(opt->format == FMT_HOSTS && name[0] == '*') {
				left_wild++;
				continue;
			}
		}
		h = key_hash(name, 0);
		if(keyset_find(&seen, name, 0, h)) {
			/* another rule of the same name: one line per name */
			if(opt->format == FMT_RPZ)
				left_conflict++;
			continue;
		}
		if(!keyset_add(&seen, name, 0, h)) {
			msg("out of memory");
			goto done_out;
		}
		if(opt->format == FMT_RPZ)
			fprintf(out, "%s.%s CNAME %s ; rule %lld: %s %s\n",
				name, origin, target, id, rtype, act);
		else if(opt->format == FMT_HOSTS)
			fprintf(out, "0.0.0.0 %s\n", name);
		else	fprintf(out, "%s\n", name);
		/* a hosts file or list blocks a name, not one type of it */
		if(opt->format != FMT_RPZ && strcmp(rtype, "A") != 0 &&
			strcmp(rtype, "AAAA") != 0 && strcmp(rtype, "*") != 0)
			widened++;
		written++;
	}
	if(rc != SQLITE_DONE) {
		msg("cannot read the policy table: %s", sqlite3_errmsg(db));
		goto done_out;
	}
	if(fflush(out) != 0 || ferror(out)) {
		msg("cannot write %s: %s", out_name ? out_name : "stdout",
			strerror(errno));
		goto done_out;
	}
	msg("exported %zu names to %s", written,
		out_name ? out_name : "stdout");
	if(widened && !opt->type)
		msg("note: %zu of the names come from rules of other types than "
			"A, AAAA and '*' (such as MX): a %s file blocks every "
			"type of the names in it, so whoever uses it blocks more "
			"than those rules do (give -t to export one type)",
			widened, opt->format == FMT_HOSTS ? "hosts" : "list");
	if(left_action)
		msg("left out %zu allow, log and require-secure rules (a %s "
			"file blocks every name in it; give -a to export them)",
			left_action,
			opt->format == FMT_HOSTS ? "hosts" : "list");
	if(left_wild)
		msg("left out %zu '*.' rules (hosts files have no wildcards; "
			"use -f list or -f rpz)", left_wild);
	if(left_rpz)
		msg("left out %zu refused, servfail, log and require-secure "
			"rules (RPZ has no such action)", left_rpz);
	if(left_conflict)
		msg("left out %zu more rules of names already written (RPZ "
			"has one action per name; the lowest id was written)",
			left_conflict);
	if(left_bad)
		msg("left out %zu malformed rules (invalid name or action, "
			"written past the schema's checks)", left_bad);
	if(left_long)
		msg("left out %zu names too long under origin %s", left_long,
			origin);
	ret = 0;
done_out:
	if(out != stdout && fclose(out) != 0 && ret == 0) {
		msg("cannot write %s: %s", out_name, strerror(errno));
		ret = 1;
	}
done_set:
	keyset_free(&seen);
done_db:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ret;
}

/* ------------------------------------------------------------------ */
/* main */

/**
 * Parse the command line.
 * @param argc: argument count.
 * @param argv: arguments.
 * @param opt: output.
 * @return 0 to go on, 1 on a usage error (printed), 2 when done (-h, -V).
 */
static int
parse_args(int argc, char** argv, struct options* opt)
{
	int c;
	memset(opt, 0, sizeof(*opt));
	opt->action = ACT_NONE;
	if(argc >= 2 && (strcmp(argv[1], "-h") == 0
		|| strcmp(argv[1], "--help") == 0)) {
		usage(stdout);
		return 2;
	}
	if(argc >= 2 && strcmp(argv[1], "-V") == 0) {
		printf("rrpolicy-feed %s (ldns %s, SQLite %s)\n",
			RRPOLICY_VERSION, ldns_version(), sqlite3_libversion());
		return 2;
	}
	if(argc < 2 || (strcmp(argv[1], "import") != 0
		&& strcmp(argv[1], "export") != 0)) {
		msg("give a command, import or export (-h for help)");
		return 1;
	}
	opt->import = strcmp(argv[1], "import") == 0;
	optind = 2;
	while((c = getopt(argc, argv, "d:f:t:a:c:e:o:nvh")) != -1) {
		switch(c) {
		case 'd': opt->db = optarg; break;
		case 't': opt->type = optarg; break;
		case 'c': opt->comment = optarg; break;
		case 'e': opt->expires = optarg; break;
		case 'o': opt->origin = optarg; break;
		case 'n': opt->dry_run = 1; break;
		case 'v': opt->verbose = 1; break;
		case 'h': usage(stdout); return 2;
		case 'f':
			opt->format_set = 1;
			if(strcmp(optarg, "rpz") == 0)
				opt->format = FMT_RPZ;
			else if(strcmp(optarg, "hosts") == 0)
				opt->format = FMT_HOSTS;
			else if(strcmp(optarg, "list") == 0)
				opt->format = FMT_LIST;
			else {
				msg("-f %s: unknown format (rpz, hosts or "
					"list)", optarg);
				return 1;
			}
			break;
		case 'a':
			if((opt->action = action_parse(optarg)) == ACT_NONE) {
				msg("-a %s: unknown action (one of block, "
					"nullmx, nodata, nxdomain, refused, "
					"servfail, drop, log, allow, "
					"require-secure; lower case)", optarg);
				return 1;
			}
			break;
		default:
			msg("-h for help");
			return 1;
		}
	}
	if(!opt->db) {
		msg("%s: give the database with -d DB", argv[1]);
		return 1;
	}
	if(!opt->format_set) {
		msg("%s: give the format with -f rpz|hosts|list", argv[1]);
		return 1;
	}
	if(optind < argc)
		opt->file = argv[optind++];
	if(optind < argc) {
		msg("%s: one FILE only, not '%s' too", argv[1], argv[optind]);
		return 1;
	}
	if(opt->import) {
		if(!opt->type) {
			msg("import: give the type of the rules with -t TYPE "
				"(MX, TXT, ..., or '*' for every type)");
			return 1;
		}
		if(opt->action == ACT_NONE && opt->format != FMT_RPZ) {
			msg("import: give the action of the rules with -a "
				"ACTION (block, nullmx, nodata, nxdomain, "
				"refused, servfail, drop, log, allow, "
				"require-secure)");
			return 1;
		}
		if(!opt->file) {
			msg("import: give the FILE to import, or - for stdin");
			return 1;
		}
		if(opt->origin && opt->format != FMT_RPZ) {
			msg("import: -o applies to -f rpz only");
			return 1;
		}
	} else {
		if(opt->comment || opt->expires || opt->dry_run
			|| opt->verbose) {
			msg("export: -c, -e, -n and -v apply to import only");
			return 1;
		}
		if(opt->origin && opt->format != FMT_RPZ) {
			msg("export: -o applies to -f rpz only");
			return 1;
		}
	}
	return 0;
}

/**
 * rrpolicy-feed: import and export feeds of the policy table.
 * @param argc: argument count.
 * @param argv: arguments.
 * @return exit status.
 */
int
main(int argc, char** argv)
{
	struct options opt;
	int r;
#ifdef M_TRIM_THRESHOLD
	/*
	 * libldns mallocs and frees some 200 KB per record it parses; with
	 * glibc's default trim threshold the heap is shrunk and grown again
	 * for every record, and an RPZ of 1M names then spends a minute in
	 * brk() and page faults instead of a second parsing.
	 */
	(void)mallopt(M_TRIM_THRESHOLD, 128 << 20);
	(void)mallopt(M_TOP_PAD, 4 << 20);
#endif
	r = parse_args(argc, argv, &opt);
	if(r == 2)
		return 0;
	if(r != 0)
		return 1;
	return opt.import ? do_import(&opt) : do_export(&opt);
}
