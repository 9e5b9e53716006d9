/**
 * @file migrate-2-to-3.sql
 * @brief Upgrades an rrpolicy database from schema version 2 to 3, in place.
 *
 * Version 3 adds the change log policy_change and its triggers: the ids
 * of the policy rows changed lately, so that the module re-reads only
 * those rows when a rule is updated or deleted.  The log starts empty;
 * rules, settings, hits and everything else stay as they are.
 *
 * The module runs this file by itself, in one transaction, when it opens a
 * version 2 database (after migrate-1-to-2.sql for a version 1 one), and
 * logs "rrpolicy: migrated <path> from schema version 2 to 3".  To run it
 * by hand (as the user Unbound runs as, Unbound stopped or not):
 *   (echo 'BEGIN;'; cat schema/migrate-2-to-3.sql; echo 'COMMIT;') |
 *       sqlite3 -bail DB
 * -bail matters: it stops at the first error, before the COMMIT, so that
 * the transaction is rolled back and the database left as it was.  Like
 * schema.sql, this file must not open or close transactions (the module
 * wraps it in BEGIN IMMEDIATE ... COMMIT), must not change the journal
 * mode and must not use sqlite3 shell dot commands.
 *
 * The result is the same as a new database made by schema.sql: the table
 * and triggers below are verbatim copies of schema.sql's
 * (tests/schema/test_schema.sh compares them).
 */

/* Refuse anything but a version 2 database, with a message that says so
   (a temporary view and trigger, since RAISE() needs a trigger). */
CREATE TEMP VIEW migrate_check (version) AS SELECT NULL WHERE 0;
CREATE TEMP TRIGGER migrate_check INSTEAD OF INSERT ON migrate_check
BEGIN
    SELECT RAISE(ABORT,
        'rrpolicy: migrate-2-to-3.sql applies to a database of schema version 2 only (see PRAGMA user_version)')
    WHERE NEW.version IS NOT 2;
END;
INSERT INTO migrate_check SELECT user_version FROM pragma_user_version;
DROP VIEW migrate_check;

CREATE TABLE policy_change (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id  INTEGER NOT NULL
);

CREATE TRIGGER policy_change_insert AFTER INSERT ON policy
BEGIN INSERT INTO policy_change (id) VALUES (NEW.id); END;
CREATE TRIGGER policy_change_update AFTER UPDATE ON policy
BEGIN
    INSERT INTO policy_change (id) VALUES (NEW.id);
    INSERT INTO policy_change (id) SELECT OLD.id WHERE OLD.id <> NEW.id;
END;
CREATE TRIGGER policy_change_delete AFTER DELETE ON policy
BEGIN INSERT INTO policy_change (id) VALUES (OLD.id); END;
CREATE TRIGGER policy_change_prune AFTER INSERT ON policy_change
WHEN NEW.seq % 1024 = 0
BEGIN DELETE FROM policy_change WHERE seq <= NEW.seq - 65536; END;

PRAGMA user_version = 3;
