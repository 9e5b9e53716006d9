/**
 * \file rrtype_table.h
 * Table rrtype of the database in memory: the mnemonics of the types
 * Unbound has none for (DSYNC, TA, ...). The policy store reads it to parse
 * the type of a rule, the hit log's writer to write the type of a hit.
 */
#ifndef RRPOLICY_RRTYPE_TABLE_H
#define RRPOLICY_RRTYPE_TABLE_H
#include <sqlite3.h>
#include <stdint.h>

/** Most rows of table rrtype that are read. */
#define RRTYPE_TABLE_MAX 512
/** Size of a mnemonic that is read, with its NUL (a longer one is skipped:
 * no rule could name it either). */
#define RRTYPE_NAME_LEN 16

/** Table rrtype, sorted by code. */
struct rrtype_table {
	/** the rows */
	struct rrtype_row {
		/** type code, 1 to 65535 */
		uint16_t code;
		/** its mnemonic */
		char name[RRTYPE_NAME_LEN];
	} row[RRTYPE_TABLE_MAX];
	/** rows in use */
	int n;
};

/**
 * Read table rrtype; on failure the table is left empty.
 * @param db: the connection.
 * @param t: output.
 * @return sqlite result code, SQLITE_OK on success.
 */
int rrtype_table_read(sqlite3* db, struct rrtype_table* t);

/**
 * Mnemonic of a type.
 * @param t: the table.
 * @param code: the type.
 * @return the mnemonic, in t, or NULL if the table has none.
 */
const char* rrtype_table_name(const struct rrtype_table* t, uint16_t code);

/**
 * Code of a mnemonic, compared without regard to case.
 * @param t: the table.
 * @param name: the mnemonic.
 * @return the code, or 0 if the table has none.
 */
uint16_t rrtype_table_code(const struct rrtype_table* t, const char* name);

#endif /* RRPOLICY_RRTYPE_TABLE_H */
