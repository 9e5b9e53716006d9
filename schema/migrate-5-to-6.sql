/**
 * @file migrate-5-to-6.sql
 * @brief Upgrades an rrpolicy database from schema version 5 to 6, in place.
 *
 * Version 6:
 *   - makes policy.id AUTOINCREMENT: an id is never given twice.  Before,
 *     a rule inserted after the highest one was deleted got its id, and
 *     the deleted rule's hits (hit.policy_id) showed as the new rule's in
 *     the views recent_hits and hits_per_rule_per_day;
 *   - stores names normalised: a domain name in lower case without its
 *     trailing dot, an address of trigger answer-ip in lower case, so that
 *     an operator's WHERE name = 'spammer.com' finds a rule written
 *     'Spammer.COM.' (triggers policy_normalize_insert and
 *     policy_normalize_update);
 *   - gives the database a random history number, each revision a random
 *     stamp and each change in policy_change a random tag, so that the
 *     module tells another database, or a copy edited on its own, put in
 *     place by .restore from the database it loaded (revision.history,
 *     revision.stamp, policy_change.tag).
 * Every rule keeps its id; names are normalised, which changes no rule
 * (the module matches names without regard to case or trailing dot).
 * Settings, hits and everything else stay as they are.
 *
 * SQLite cannot make a column AUTOINCREMENT in place, so policy is built
 * anew: the new table, the rows copied with their ids, the old table
 * dropped (its index and triggers with it), the new one renamed, then the
 * index, the triggers and the views on policy made again.  ALTER TABLE
 * ... RENAME fails while any view or trigger names a table that does not
 * exist, so the two views of the schema are dropped first; a view of the
 * operator's own that names policy, or a trigger on another table whose
 * body does, makes this migration fail (nothing is changed: drop it,
 * migrate, make it again), and a trigger of the operator's own on policy
 * goes with the old table.  The next id is above every id the rules, the
 * hit log and the change log hold.
 *
 * A resolver that has the database open (a migration by hand while it
 * runs) loads it again at its next poll: the migration moves the revision
 * and logs the rules whose names it normalises as changes, so that those
 * rows are read again.  Nothing else the rebuild does is a change: the
 * ids, and what each rule matches, stay as they were, and no trigger
 * exists on the new table while its rows are copied and normalised.
 *
 * The module runs this file by itself, in one transaction, when it opens a
 * version 5 database (after the earlier migrations for an older one), and
 * logs "rrpolicy: migrated <path> from schema version 5 to 6".  To run it
 * by hand (as the user Unbound runs as, Unbound stopped or not):
 *   (echo 'BEGIN;'; cat schema/migrate-5-to-6.sql; echo 'COMMIT;') |
 *       sqlite3 -bail DB
 * -bail matters: it stops at the first error, before the COMMIT, so that
 * the transaction is rolled back and the database left as it was.  Like
 * schema.sql, this file must not open or close transactions (the module
 * wraps it in BEGIN IMMEDIATE ... COMMIT), must not change the journal
 * mode and must not use sqlite3 shell dot commands.
 *
 * The result is the same as a new database made by schema.sql: the
 * columns of policy in the same order, and the index, triggers and views
 * below verbatim copies of schema.sql's (tests/schema/test_schema.sh
 * compares them).
 */

/* Refuse anything but a version 5 database, with a message that says so
   (a temporary view and trigger, since RAISE() needs a trigger). */
CREATE TEMP VIEW migrate_check (version) AS SELECT NULL WHERE 0;
CREATE TEMP TRIGGER migrate_check INSTEAD OF INSERT ON migrate_check
BEGIN
    SELECT RAISE(ABORT,
        'rrpolicy: migrate-5-to-6.sql applies to a database of schema version 5 only (see PRAGMA user_version)')
    WHERE NEW.version IS NOT 5;
END;
INSERT INTO migrate_check SELECT user_version FROM pragma_user_version;
DROP VIEW migrate_check;

DROP VIEW hits_per_rule_per_day;
DROP VIEW recent_hits;

/* The database's random history number, a random stamp per revision and a
   random tag per change (the triggers below), appended as in schema.sql;
   the changes logged before get 0. */
ALTER TABLE revision ADD COLUMN history INTEGER NOT NULL DEFAULT 0;
ALTER TABLE revision ADD COLUMN stamp INTEGER NOT NULL DEFAULT 0;
UPDATE revision SET history = random();
/* made again below with the others, drawing the stamp */
DROP TRIGGER setting_revision_update;
ALTER TABLE policy_change ADD COLUMN tag INTEGER NOT NULL DEFAULT 0;

CREATE TABLE policy_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL,
    type       TEXT NOT NULL DEFAULT '*',
    action     TEXT NOT NULL DEFAULT 'block',
    enabled    INTEGER NOT NULL DEFAULT 1,
    expires_at TEXT,
    comment    TEXT,
    created_at TEXT NOT NULL DEFAULT (datetime('now')),
    trigger    TEXT NOT NULL DEFAULT 'qname',
    scope      TEXT NOT NULL DEFAULT 'any'
);
INSERT INTO policy_new (id, name, type, action, enabled, expires_at, comment,
                        created_at, trigger, scope)
    SELECT id, name, type, action, enabled, expires_at, comment, created_at,
           trigger, scope
    FROM policy;
DROP TABLE policy;
ALTER TABLE policy_new RENAME TO policy;

/* Names in normal form, as triggers policy_normalize_* keep them (a name
   that is not text, written with the triggers dropped, stays as it is);
   each rule whose name changes is logged as a change first, so that a
   resolver that has the database open reads it again. */
INSERT INTO policy_change (id, tag)
    SELECT id, random() FROM policy
    WHERE typeof(name) = 'text' AND (name GLOB '*.' OR name <> lower(name));
UPDATE policy
SET name = lower(CASE WHEN name GLOB '*.'
                      THEN substr(name, 1, length(name) - 1) ELSE name END)
WHERE typeof(name) = 'text' AND (name GLOB '*.' OR name <> lower(name));

/* The next id goes above every id the rules, the hit log and the change
   log hold, so that no rule gets the id of a deleted one whose hits are
   still there (the copy set it above the rules' only). */
DELETE FROM sqlite_sequence WHERE name = 'policy';
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'policy', max(coalesce((SELECT max(id) FROM policy), 0),
                         coalesce((SELECT max(policy_id) FROM hit), 0),
                         coalesce((SELECT max(id) FROM policy_change), 0));

/* ----------------------------------------------------------------------
 * From here to the revision: verbatim from schema.sql (version 6).
 * ---------------------------------------------------------------------- */

CREATE INDEX policy_name ON policy (name);

CREATE TRIGGER policy_check_insert BEFORE INSERT ON policy
BEGIN
    INSERT INTO policy_validate (name, type, action, enabled, expires_at,
                                 trigger, scope)
    VALUES (NEW.name, NEW.type, NEW.action, NEW.enabled, NEW.expires_at,
            NEW.trigger, NEW.scope);
END;

CREATE TRIGGER policy_check_update BEFORE UPDATE ON policy
BEGIN
    INSERT INTO policy_validate (name, type, action, enabled, expires_at,
                                 trigger, scope)
    VALUES (NEW.name, NEW.type, NEW.action, NEW.enabled, NEW.expires_at,
            NEW.trigger, NEW.scope);
END;

CREATE VIEW policy_normalize (id) AS SELECT NULL WHERE 0;
CREATE TRIGGER policy_normalize INSTEAD OF INSERT ON policy_normalize
BEGIN
    UPDATE policy
    SET name = lower(CASE WHEN name GLOB '*.'
                          THEN substr(name, 1, length(name) - 1)
                          ELSE name END)
    WHERE id = NEW.id;
END;
CREATE TRIGGER policy_normalize_insert AFTER INSERT ON policy
WHEN NEW.name GLOB '*.' OR NEW.name <> lower(NEW.name)
BEGIN INSERT INTO policy_normalize (id) VALUES (NEW.id); END;
CREATE TRIGGER policy_normalize_update AFTER UPDATE OF name ON policy
WHEN NEW.name GLOB '*.' OR NEW.name <> lower(NEW.name)
BEGIN INSERT INTO policy_normalize (id) VALUES (NEW.id); END;

CREATE VIEW hits_per_rule_per_day (day, policy_id, name, type, action, hits) AS
    SELECT date(h.ts), h.policy_id, p.name, p.type, h.action, sum(h.count)
    FROM hit AS h LEFT JOIN policy AS p ON p.id = h.policy_id
    GROUP BY date(h.ts), h.policy_id, h.action
    ORDER BY date(h.ts) DESC, sum(h.count) DESC, h.policy_id, h.action;

CREATE VIEW recent_hits (id, ts, client, qname, qtype, action, stage,
                         policy_id, rule_name, rule_type, dnssec,
                         rule_trigger, count) AS
    SELECT h.id, h.ts, h.client, h.qname, h.qtype, h.action, h.stage,
           h.policy_id, p.name, p.type, h.dnssec, p.trigger, h.count
    FROM hit AS h LEFT JOIN policy AS p ON p.id = h.policy_id
    ORDER BY h.id DESC
    LIMIT 1000;

CREATE TRIGGER policy_revision_insert AFTER INSERT ON policy
BEGIN UPDATE revision SET policy = policy + 1, stamp = random(); END;
CREATE TRIGGER policy_revision_update AFTER UPDATE ON policy
BEGIN UPDATE revision SET policy = policy + 1, stamp = random(); END;
CREATE TRIGGER policy_revision_delete AFTER DELETE ON policy
BEGIN UPDATE revision SET policy = policy + 1, stamp = random(); END;
CREATE TRIGGER setting_revision_update AFTER UPDATE ON setting
BEGIN UPDATE revision SET policy = policy + 1, stamp = random(); END;

CREATE TRIGGER policy_change_insert AFTER INSERT ON policy
BEGIN INSERT INTO policy_change (id, tag) VALUES (NEW.id, random()); END;
CREATE TRIGGER policy_change_update AFTER UPDATE ON policy
BEGIN
    INSERT INTO policy_change (id, tag) VALUES (NEW.id, random());
    INSERT INTO policy_change (id, tag) SELECT OLD.id, random()
    WHERE OLD.id <> NEW.id;
END;
CREATE TRIGGER policy_change_delete AFTER DELETE ON policy
BEGIN INSERT INTO policy_change (id, tag) VALUES (OLD.id, random()); END;

/* ---------------------------------------------------------------------- */

/* A resolver that has the database open loads it again (above): the
   revision moves. */
UPDATE revision SET policy = policy + 1, stamp = random();

PRAGMA user_version = 6;
