/**
 * @file migrate-4-to-5.sql
 * @brief Upgrades an rrpolicy database from schema version 4 to 5, in place.
 *
 * Version 5 drops the index hit_policy_id (see schema.sql, table hit: the
 * hit log writer spent most of its time keeping it, and the query it was
 * made for is served better by hit_ts).  Rules, settings, hits and
 * everything else stay as they are.
 *
 * The module runs this file by itself, in one transaction, when it opens a
 * version 4 database (after the earlier migrations for an older one), and
 * logs "rrpolicy: migrated <path> from schema version 4 to 5".  To run it
 * by hand (as the user Unbound runs as, Unbound stopped or not):
 *   (echo 'BEGIN;'; cat schema/migrate-4-to-5.sql; echo 'COMMIT;') |
 *       sqlite3 -bail DB
 * -bail matters: it stops at the first error, before the COMMIT, so that
 * the transaction is rolled back and the database left as it was.  Like
 * schema.sql, this file must not open or close transactions (the module
 * wraps it in BEGIN IMMEDIATE ... COMMIT), must not change the journal
 * mode and must not use sqlite3 shell dot commands.
 */

/* Refuse anything but a version 4 database, with a message that says so
   (a temporary view and trigger, since RAISE() needs a trigger). */
CREATE TEMP VIEW migrate_check (version) AS SELECT NULL WHERE 0;
CREATE TEMP TRIGGER migrate_check INSTEAD OF INSERT ON migrate_check
BEGIN
    SELECT RAISE(ABORT,
        'rrpolicy: migrate-4-to-5.sql applies to a database of schema version 4 only (see PRAGMA user_version)')
    WHERE NEW.version IS NOT 4;
END;
INSERT INTO migrate_check SELECT user_version FROM pragma_user_version;
DROP VIEW migrate_check;

DROP INDEX hit_policy_id;

PRAGMA user_version = 5;
