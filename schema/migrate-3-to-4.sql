/**
 * @file migrate-3-to-4.sql
 * @brief Upgrades an rrpolicy database from schema version 3 to 4, in place.
 *
 * Version 4 adds:
 *   - hit.count, the number of hits a row of the hit log stands for (1 for
 *     every existing row);
 *   - the value 2 of setting hit_log: a row per client, name, type, rule,
 *     action and minute, with a count;
 *   - the views on the hit log sum hit.count instead of counting rows, and
 *     recent_hits shows it.
 * Rules, settings, hits and everything else stay as they are.
 *
 * The module runs this file by itself, in one transaction, when it opens a
 * version 3 database (after the earlier migrations for an older one), and
 * logs "rrpolicy: migrated <path> from schema version 3 to 4".  To run it
 * by hand (as the user Unbound runs as, Unbound stopped or not):
 *   (echo 'BEGIN;'; cat schema/migrate-3-to-4.sql; echo 'COMMIT;') |
 *       sqlite3 -bail DB
 * -bail matters: it stops at the first error, before the COMMIT, so that
 * the transaction is rolled back and the database left as it was.  Like
 * schema.sql, this file must not open or close transactions (the module
 * wraps it in BEGIN IMMEDIATE ... COMMIT), must not change the journal
 * mode and must not use sqlite3 shell dot commands.
 *
 * The result is the same as a new database made by schema.sql: the new
 * column is appended at the end of table hit, where schema.sql has it too,
 * and the trigger and views below are verbatim copies of schema.sql's
 * (tests/schema/test_schema.sh compares them).
 */

/* Refuse anything but a version 3 database, with a message that says so
   (a temporary view and trigger, since RAISE() needs a trigger). */
CREATE TEMP VIEW migrate_check (version) AS SELECT NULL WHERE 0;
CREATE TEMP TRIGGER migrate_check INSTEAD OF INSERT ON migrate_check
BEGIN
    SELECT RAISE(ABORT,
        'rrpolicy: migrate-3-to-4.sql applies to a database of schema version 3 only (see PRAGMA user_version)')
    WHERE NEW.version IS NOT 3;
END;
INSERT INTO migrate_check SELECT user_version FROM pragma_user_version;
DROP VIEW migrate_check;

ALTER TABLE hit ADD COLUMN count INTEGER NOT NULL DEFAULT 1 CHECK (count >= 1);

/* hit_log accepts 2. */
DROP TRIGGER setting_validate;
CREATE TRIGGER setting_validate INSTEAD OF INSERT ON setting_validate
BEGIN
    SELECT RAISE(ABORT,
        'rrpolicy: unknown setting (known: negative_ttl, soa_mname, soa_rname, hit_log, hit_retention_days, hit_queue_size, poll_interval_ms, mailhost_max, mailhost_ttl)')
    WHERE NEW.key IS NULL
       OR NEW.key NOT IN ('negative_ttl', 'soa_mname', 'soa_rname',
                          'hit_log', 'hit_retention_days', 'hit_queue_size',
                          'poll_interval_ms', 'mailhost_max', 'mailhost_ttl');

    SELECT CASE
        WHEN NEW.key = 'negative_ttl' AND NOT (isint AND i BETWEEN 0 AND 86400)
            THEN RAISE(ABORT,
            'rrpolicy: setting ''negative_ttl'' must be an integer 0..86400')
        WHEN NEW.key = 'hit_log' AND NOT (isint AND i BETWEEN 0 AND 2)
            THEN RAISE(ABORT,
            'rrpolicy: setting ''hit_log'' must be 0 (off), 1 (a row per hit) or 2 (a row per client, name, type, rule and minute, with a count)')
        WHEN NEW.key = 'hit_retention_days'
             AND NOT (isint AND i BETWEEN 0 AND 36500)
            THEN RAISE(ABORT,
            'rrpolicy: setting ''hit_retention_days'' must be an integer 0..36500 (0 = keep forever)')
        WHEN NEW.key = 'hit_queue_size'
             AND NOT (isint AND i BETWEEN 16384 AND 1048576)
            THEN RAISE(ABORT,
            'rrpolicy: setting ''hit_queue_size'' must be an integer 16384..1048576')
        WHEN NEW.key = 'poll_interval_ms'
             AND NOT (isint AND (i = 0 OR i BETWEEN 100 AND 3600000))
            THEN RAISE(ABORT,
            'rrpolicy: setting ''poll_interval_ms'' must be 0 (off) or an integer 100..3600000')
        WHEN NEW.key = 'mailhost_max'
             AND NOT (isint AND i BETWEEN 1024 AND 16777216)
            THEN RAISE(ABORT,
            'rrpolicy: setting ''mailhost_max'' must be an integer 1024..16777216')
        WHEN NEW.key = 'mailhost_ttl'
             AND NOT (isint AND i BETWEEN 60 AND 2592000)
            THEN RAISE(ABORT,
            'rrpolicy: setting ''mailhost_ttl'' must be an integer 60..2592000 (seconds)')
        WHEN NEW.key = 'soa_mname' AND NOT dname
            THEN RAISE(ABORT,
            'rrpolicy: setting ''soa_mname'' must be a domain name such as ''localhost.''')
        WHEN NEW.key = 'soa_rname' AND NOT dname
            THEN RAISE(ABORT,
            'rrpolicy: setting ''soa_rname'' must be a domain name such as ''hostmaster.example.com.''')
    END
    FROM (SELECT isint, CASE WHEN isint THEN CAST(v AS INTEGER) END AS i,
                 coalesce(v = '.'
                     OR (v NOT GLOB '*[^A-Za-z0-9._-]*'
                         AND n <> '' AND substr(n, 1, 1) <> '.'
                         AND substr(n, -1) <> '.' AND instr(n, '..') = 0
                         AND n NOT GLOB
                             '*' || replace(hex(zeroblob(64)), '00', '[^.]') || '*'
                         AND length(n) <= 253), 0) AS dname
          FROM (SELECT v,
                       coalesce(v GLOB '[0-9]*' AND v NOT GLOB '*[^0-9]*'
                                AND (v = '0' OR v NOT GLOB '0*')
                                AND length(v) <= 9, 0) AS isint,
                       CASE WHEN substr(v, -1) = '.'
                            THEN substr(v, 1, length(v) - 1)
                            ELSE v END AS n
                FROM (SELECT CASE WHEN typeof(NEW.value) = 'text'
                                       AND instr(NEW.value, char(0)) = 0
                                  THEN NEW.value END AS v)));
END;

/* A new description is no change of policy: the revision stays (the
   trigger is dropped for the UPDATE and made again, as in schema.sql). */
DROP TRIGGER setting_revision_update;
UPDATE setting SET description =
     'Record policy hits in table hit: 1 = a row per hit; 2 = a row per client, name, type, rule, action and minute, with the number of hits in column count (for floods: far fewer rows and writes); 0 = no; applies on unbound-control reload. Default: 1'
WHERE key = 'hit_log';
CREATE TRIGGER setting_revision_update AFTER UPDATE ON setting
BEGIN UPDATE revision SET policy = policy + 1; END;

DROP VIEW hits_per_rule_per_day;
DROP VIEW top_clients;
DROP VIEW top_blocked_names;
DROP VIEW recent_hits;

CREATE VIEW hits_per_rule_per_day (day, policy_id, name, type, action, hits) AS
    SELECT date(h.ts), h.policy_id, p.name, p.type, h.action, sum(h.count)
    FROM hit AS h LEFT JOIN policy AS p ON p.id = h.policy_id
    GROUP BY date(h.ts), h.policy_id, h.action
    ORDER BY date(h.ts) DESC, sum(h.count) DESC, h.policy_id, h.action;

/* Clients by number of hits, most first, with their last hit. */
CREATE VIEW top_clients (client, hits, last_seen) AS
    SELECT client, sum(count), max(ts)
    FROM hit
    GROUP BY client
    ORDER BY sum(count) DESC, max(ts) DESC;

/*
 * Names and types most often blocked (every action but log and allow),
 * most first.  Names are compared and shown in lower case.
 */
CREATE VIEW top_blocked_names (qname, qtype, hits) AS
    SELECT lower(qname), upper(qtype), sum(count)
    FROM hit
    WHERE action NOT IN ('log', 'allow')
    GROUP BY lower(qname), upper(qtype)
    ORDER BY sum(count) DESC, lower(qname), upper(qtype);

/*
 * The last 1000 rows of the hit log, newest first, with the name, type and
 * trigger of the rule (NULL if the rule was deleted) and the number of hits
 * of the row (1 unless hit_log = 2).  Add LIMIT for fewer.
 */
CREATE VIEW recent_hits (id, ts, client, qname, qtype, action, stage,
                         policy_id, rule_name, rule_type, dnssec,
                         rule_trigger, count) AS
    SELECT h.id, h.ts, h.client, h.qname, h.qtype, h.action, h.stage,
           h.policy_id, p.name, p.type, h.dnssec, p.trigger, h.count
    FROM hit AS h LEFT JOIN policy AS p ON p.id = h.policy_id
    ORDER BY h.id DESC
    LIMIT 1000;

PRAGMA user_version = 4;
