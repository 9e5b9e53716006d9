/**
 * \file rrtype_table.c
 * Table rrtype of the database in memory.
 */
#include "rrtype_table.h"
#include <string.h>
#include <strings.h>

int
rrtype_table_read(sqlite3* db, struct rrtype_table* t)
{
	sqlite3_stmt* st;
	int rc = sqlite3_prepare_v2(db, "SELECT code, mnemonic FROM rrtype "
		"WHERE code BETWEEN 1 AND 65535 ORDER BY code", -1, &st, NULL);
	t->n = 0;
	if(rc != SQLITE_OK)
		return rc;
	while((rc = sqlite3_step(st)) == SQLITE_ROW && t->n < RRTYPE_TABLE_MAX) {
		const char* name = (const char*)sqlite3_column_text(st, 1);
		size_t len = name ? strlen(name) : RRTYPE_NAME_LEN;
		if(len >= RRTYPE_NAME_LEN)
			continue;
		t->row[t->n].code = (uint16_t)sqlite3_column_int(st, 0);
		memcpy(t->row[t->n].name, name, len + 1);
		t->n++;
	}
	sqlite3_finalize(st);
	if(rc == SQLITE_DONE || rc == SQLITE_ROW)
		return SQLITE_OK;
	t->n = 0;
	return rc;
}

const char*
rrtype_table_name(const struct rrtype_table* t, uint16_t code)
{
	int lo = 0, hi = t->n;
	while(lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if(t->row[mid].code == code)
			return t->row[mid].name;
		if(t->row[mid].code < code)
			lo = mid + 1;
		else	hi = mid;
	}
	return NULL;
}

uint16_t
rrtype_table_code(const struct rrtype_table* t, const char* name)
{
	int i;
	for(i = 0; i < t->n; i++)
		if(strcasecmp(name, t->row[i].name) == 0)
			return t->row[i].code;
	return 0;
}
