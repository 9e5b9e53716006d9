/**
 * \file sqlite_hint.h
 * What an operator can do about an SQLite error, for the module's messages.
 */
#ifndef RRPOLICY_SQLITE_HINT_H
#define RRPOLICY_SQLITE_HINT_H
#include <sqlite3.h>

/**
 * A hint to append to the message of an SQLite error that says the database
 * cannot be written or opened: Unbound drops privileges before the module
 * opens it, and SQLite creates the -wal and -shm files next to it.
 * @param rc: the SQLite result code (primary or extended).
 * @return the hint, starting with a space, or "" for other errors.
 */
static inline const char*
sqlite_access_hint(int rc)
{
	if((rc & 0xff) == SQLITE_READONLY || (rc & 0xff) == SQLITE_CANTOPEN)
		return " (the user Unbound runs as must be able to write the "
			"database file, its directory, and its -wal and -shm "
			"files)";
	return "";
}

#endif /* RRPOLICY_SQLITE_HINT_H */
