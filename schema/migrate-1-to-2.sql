/**
 * @file migrate-1-to-2.sql
 * @brief Upgrades an rrpolicy database from schema version 1 to 2, in place.
 *
 * Version 2 adds:
 *   - policy.trigger ('qname', 'target' or 'answer-ip'; default 'qname')
 *     and policy.scope ('any' or 'mailhost'; default 'any'): every
 *     existing rule keeps working unchanged as a qname rule of scope any;
 *   - the action require-secure;
 *   - hit.dnssec (NULL, 'secure', 'insecure', 'bogus' or 'indeterminate');
 *   - the settings mailhost_max and mailhost_ttl, with their defaults;
 *   - the checks of all that, and the columns dnssec and rule_trigger of
 *     view recent_hits.
 * Rules, settings, hits and everything else stay as they are.
 *
 * The module runs this file by itself, in one transaction, when it opens a
 * version 1 database (at start and on unbound-control reload), and logs
 * "rrpolicy: migrated <path> from schema version 1 to 2".  To run it by
 * hand (as the user Unbound runs as, Unbound stopped or not):
 *   (echo 'BEGIN;'; cat schema/migrate-1-to-2.sql; echo 'COMMIT;') |
 *       sqlite3 -bail DB
 * -bail matters: it stops at the first error, before the COMMIT, so that
 * the transaction is rolled back and the database left as it was.  Like
 * schema.sql, this file must not open or close transactions (the module
 * wraps it in BEGIN IMMEDIATE ... COMMIT), must not change the journal
 * mode and must not use sqlite3 shell dot commands.
 *
 * The result is the same as a new database made by schema.sql: the new
 * columns are appended at the end of their tables, where schema.sql has
 * them too, and the views and triggers below are verbatim copies of
 * schema.sql's (tests/schema/test_schema.sh compares them).
 */

/* Refuse anything but a version 1 database, with a message that says so
   (a temporary view and trigger, since RAISE() needs a trigger). */
CREATE TEMP VIEW migrate_check (version) AS SELECT NULL WHERE 0;
CREATE TEMP TRIGGER migrate_check INSTEAD OF INSERT ON migrate_check
BEGIN
    SELECT RAISE(ABORT,
        'rrpolicy: migrate-1-to-2.sql applies to a database of schema version 1 only (see PRAGMA user_version)')
    WHERE NEW.version IS NOT 1;
END;
INSERT INTO migrate_check SELECT user_version FROM pragma_user_version;
DROP VIEW migrate_check;

/* What uses the old columns of policy_validate and recent_hits, and the
   setting checks that do not know the new keys.  Dropping the view
   policy_validate drops its trigger policy_validate too. */
DROP TRIGGER policy_check_insert;
DROP TRIGGER policy_check_update;
DROP VIEW policy_validate;
DROP TRIGGER setting_validate;
DROP VIEW recent_hits;

/* The new columns, at the end as in schema.sql. */
ALTER TABLE policy ADD COLUMN trigger TEXT NOT NULL DEFAULT 'qname';
ALTER TABLE policy ADD COLUMN scope TEXT NOT NULL DEFAULT 'any';
ALTER TABLE hit ADD COLUMN dnssec TEXT CHECK (dnssec IN ('secure', 'insecure', 'bogus', 'indeterminate'));

/* ----------------------------------------------------------------------
 * From here to the settings: verbatim from schema.sql (version 2).
 * ---------------------------------------------------------------------- */

CREATE VIEW policy_validate (name, type, action, enabled, expires_at,
                             trigger, scope) AS
    SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL WHERE 0;

CREATE TRIGGER policy_validate INSTEAD OF INSERT ON policy_validate
BEGIN
    /*
     * trigger and scope (of trigger answer-ip: policy_validate_answer_ip),
     * then the name, a domain name but for trigger answer-ip; n is the
     * name without one trailing dot.  One statement, and two comparisons
     * for the common case (qname, any): they add to every insert of an
     * import.  CASE, not IN (see action below).  NEW.name rather than a
     * column of the subquery: each use of such a column copies the text
     * (a malloc), 8% of the insert of a qname rule for 7 uses.
     */
    SELECT CASE
        WHEN (NEW.trigger IS NOT 'qname' OR NEW.scope IS NOT 'any')
             AND CASE
                 WHEN CASE NEW.trigger WHEN 'qname' THEN 0 WHEN 'target' THEN 0
                          WHEN 'answer-ip' THEN 0 ELSE 1 END THEN RAISE(ABORT,
                     'rrpolicy: unknown trigger (one of qname, target, answer-ip; lower case)')
                 WHEN NEW.trigger = 'answer-ip' THEN 1
                 WHEN NEW.scope IS 'mailhost' THEN RAISE(ABORT,
                     'rrpolicy: scope ''mailhost'' applies to trigger ''answer-ip'' only')
                 WHEN NEW.scope IS NOT 'any' THEN RAISE(ABORT,
                     'rrpolicy: unknown scope (any or mailhost; lower case)')
                 ELSE 0 END
             THEN NULL
        WHEN NEW.name IS NULL THEN RAISE(ABORT,
            'rrpolicy: invalid name: NULL (give a name such as ''example.com'' or ''*.example.com'')')
        WHEN typeof(NEW.name) <> 'text' THEN RAISE(ABORT,
            'rrpolicy: invalid name: not text')
        WHEN NEW.name = '' THEN RAISE(ABORT,
            'rrpolicy: invalid name '''': empty')
        WHEN NEW.name = '.' THEN RAISE(ABORT,
            'rrpolicy: invalid name ''.'': the root is not allowed')
        WHEN NEW.name IN ('*', '*.') THEN RAISE(ABORT,
            'rrpolicy: invalid name ''*.'': a bare wildcard is not allowed, write ''*.example.com''')
        WHEN NEW.name GLOB '*[^A-Za-z0-9._*-]*' OR instr(NEW.name, char(0)) > 0
             THEN RAISE(ABORT,
            'rrpolicy: invalid name: invalid character (allowed: letters, digits, ''-'', ''_'', ''.'' and a leading ''*.'')')
        WHEN n = '' OR substr(n, 1, 1) = '.' OR substr(n, -1) = '.'
             OR instr(n, '..') > 0 THEN RAISE(ABORT,
            'rrpolicy: invalid name: empty label (leading dot or two dots in a row)')
        WHEN instr(n, '*') > 0
             AND NOT (substr(n, 1, 2) = '*.' AND instr(substr(n, 2), '*') = 0)
             THEN RAISE(ABORT,
            'rrpolicy: invalid name: ''*'' is allowed only as the whole first label, as in ''*.example.com''')
        /* 64 characters other than '.' in a row (impossible in a
           shorter name: the length test spares most names the GLOB) */
        WHEN length(n) > 63
             AND n GLOB '*' || replace(hex(zeroblob(64)), '00', '[^.]') || '*'
             THEN RAISE(ABORT,
            'rrpolicy: invalid name: label longer than 63 octets')
        WHEN length(n) > 253 THEN RAISE(ABORT,
            'rrpolicy: invalid name: longer than 253 characters without the trailing dot (255 octets in wire form)')
    END
    FROM (SELECT CASE WHEN substr(NEW.name, -1) = '.'
                      THEN substr(NEW.name, 1, length(NEW.name) - 1)
                      ELSE NEW.name END AS n);

    /* type */
    SELECT CASE
        WHEN NEW.type = '*' THEN NULL
        WHEN typeof(NEW.type) = 'text'
             AND EXISTS (SELECT 1 FROM rrtype
                         WHERE mnemonic = upper(NEW.type)) THEN NULL
        WHEN typeof(NEW.type) = 'text' AND instr(NEW.type, char(0)) = 0
             AND upper(NEW.type) GLOB 'TYPE[1-9]*'
             AND substr(NEW.type, 5) NOT GLOB '*[^0-9]*'
             AND length(NEW.type) <= 9
             AND CAST(substr(NEW.type, 5) AS INTEGER) <= 65535 THEN NULL
        ELSE RAISE(ABORT,
            'rrpolicy: unknown type (give a mnemonic such as MX, TXT or AAAA, TYPEnnn with nnn 1..65535, or ''*'' for every type)')
    END;

    /* action */
    SELECT RAISE(ABORT,
        'rrpolicy: unknown action (one of block, nullmx, nodata, nxdomain, refused, servfail, drop, log, allow, require-secure; lower case)')
    /* CASE, not NOT IN (...): in a trigger, SQLite builds the IN list's
       ephemeral index anew for every row (2 us of the insert). */
    WHERE CASE NEW.action WHEN 'block' THEN 0 WHEN 'nullmx' THEN 0
              WHEN 'nodata' THEN 0 WHEN 'nxdomain' THEN 0 WHEN 'refused' THEN 0
              WHEN 'servfail' THEN 0 WHEN 'drop' THEN 0 WHEN 'log' THEN 0
              WHEN 'allow' THEN 0 WHEN 'require-secure' THEN 0 ELSE 1 END;

    /* nullmx synthesizes an MX record: only meaningful for type MX. */
    SELECT RAISE(ABORT,
        'rrpolicy: action ''nullmx'' applies to type MX only')
    WHERE NEW.action = 'nullmx'
      AND upper(NEW.type) NOT IN ('MX', 'TYPE15');

    /* enabled */
    SELECT RAISE(ABORT, 'rrpolicy: enabled must be 0 or 1')
    WHERE typeof(NEW.enabled) <> 'integer' OR NEW.enabled NOT IN (0, 1);

    /*
     * expires_at: datetime() must give back exactly the same text.  Going
     * through julianday() also rejects out-of-range fields that SQLite
     * 3.40's datetime() alone copies unchanged ('2030-02-30 00:00:00',
     * '2030-01-01 24:00:00').
     */
    SELECT RAISE(ABORT,
        'rrpolicy: expires_at must be NULL or a valid UTC time ''YYYY-MM-DD HH:MM:SS''')
    WHERE NEW.expires_at IS NOT NULL
      AND (typeof(NEW.expires_at) <> 'text'
           OR datetime(NEW.expires_at) IS NOT NEW.expires_at
           OR datetime(julianday(NEW.expires_at)) IS NOT NEW.expires_at);
END;

CREATE VIEW policy_validate_address (address, type) AS
    SELECT NULL, NULL WHERE 0;

CREATE TRIGGER policy_validate_address INSTEAD OF INSERT ON policy_validate_address
BEGIN
    SELECT CASE
        WHEN s IS NULL OR a = '' OR a GLOB '*[^0-9.]*' THEN RAISE(ABORT,
            'rrpolicy: invalid address (trigger ''answer-ip'' needs an IPv4 or IPv6 address or prefix, such as ''203.0.113.7'', ''198.51.100.0/24'' or ''2001:db8::/32'')')
        WHEN NOT (a GLOB '[0-9]*.[0-9]*.[0-9]*.[0-9]*'
                  AND length(a) - length(replace(a, '.', '')) = 3
                  AND '.' || a NOT GLOB '*.0[0-9]*'
                  AND a NOT GLOB '*[0-9][0-9][0-9][0-9]*'
                  AND '.' || a || '.' NOT GLOB '*.[3-9][0-9][0-9].*'
                  AND '.' || a || '.' NOT GLOB '*.2[6-9][0-9].*'
                  AND '.' || a || '.' NOT GLOB '*.25[6-9].*')
             THEN RAISE(ABORT,
            'rrpolicy: invalid IPv4 address (four decimal octets 0..255 without leading zeros, such as ''203.0.113.7'')')
        WHEN p IS NOT NULL
             AND NOT (p GLOB '[0-9]*' AND p NOT GLOB '*[^0-9]*'
                      AND (p = '0' OR p NOT GLOB '0*') AND length(p) <= 3
                      AND CAST(p AS INTEGER) <= 32)
             THEN RAISE(ABORT,
            'rrpolicy: invalid IPv4 prefix length (0..32 without leading zeros, such as ''198.51.100.0/24'')')
        WHEN p IS NOT NULL
             AND ((CAST(a AS INTEGER) << 24)
                  + (CAST(substr(ltrim(a, '0123456789'), 2) AS INTEGER) << 16)
                  + (CAST(substr(ltrim(substr(ltrim(a, '0123456789'), 2),
                                       '0123456789'), 2) AS INTEGER) << 8)
                  + CAST(substr(ltrim(substr(ltrim(substr(ltrim(a,
                         '0123456789'), 2), '0123456789'), 2),
                         '0123456789'), 2) AS INTEGER))
                 % (1 << (32 - CAST(p AS INTEGER))) <> 0
             THEN RAISE(ABORT,
            'rrpolicy: invalid prefix: host bits are set, write the network address (such as ''198.51.100.0/24'', not ''198.51.100.7/24'')')
        WHEN CASE upper(NEW.type) WHEN '*' THEN 0 WHEN 'A' THEN 0
                 WHEN 'TYPE1' THEN 0 ELSE NEW.type IS NOT NULL END
             THEN RAISE(ABORT,
            'rrpolicy: an IPv4 address needs type A, TYPE1 or ''*''')
    END
    FROM (SELECT s,
                 CASE WHEN instr(s, '/') > 0
                      THEN substr(s, 1, instr(s, '/') - 1) ELSE s END AS a,
                 CASE WHEN instr(s, '/') > 0
                      THEN substr(s, instr(s, '/') + 1) END AS p
    FROM (SELECT CASE WHEN typeof(NEW.address) = 'text'
                           AND instr(NEW.address, char(0)) = 0
                      THEN NEW.address END AS s LIMIT -1 OFFSET 0) LIMIT -1 OFFSET 0)
    WHERE s IS NULL OR instr(a, ':') = 0;

    SELECT CASE
        WHEN NOT x6 THEN RAISE(ABORT,
            'rrpolicy: invalid IPv6 address (RFC 4291: 8 groups of 1 to 4 hex digits, at most one ''::'' for a run of zero groups, optionally the last 32 bits as a dotted IPv4 address, such as ''2001:db8::1'' or ''::ffff:192.0.2.1'')')
        WHEN p IS NOT NULL
             AND NOT (p GLOB '[0-9]*' AND p NOT GLOB '*[^0-9]*'
                      AND (p = '0' OR p NOT GLOB '0*') AND length(p) <= 3
                      AND CAST(p AS INTEGER) <= 128)
             THEN RAISE(ABORT,
            'rrpolicy: invalid IPv6 prefix length (0..128 without leading zeros, such as ''2001:db8::/32'')')
        WHEN p IS NOT NULL AND r <> ''
             AND 16 * (7 - length(r) + length(replace(r, ':', '')))
                 + 4 * (instr(substr(f, length(r) + 1) || ':', ':') - 1)
                 + substr('010201030102010',
                          instr('123456789abcdef', lower(substr(r, -1))), 1)
                 < 128 - CAST(p AS INTEGER)
             THEN RAISE(ABORT,
            'rrpolicy: invalid prefix: host bits are set, write the network address (such as ''198.51.100.0/24'', not ''198.51.100.7/24'')')
        WHEN CASE upper(NEW.type) WHEN '*' THEN 0 WHEN 'AAAA' THEN 0
                 WHEN 'TYPE28' THEN 0 ELSE NEW.type IS NOT NULL END
             THEN RAISE(ABORT,
            'rrpolicy: an IPv6 address needs type AAAA, TYPE28 or ''*''')
    END
    FROM (SELECT p, x6, f, rtrim(f, '0:') AS r
    FROM (SELECT p,
                 coalesce(dok AND x NOT GLOB '*[^0-9A-Fa-f:]*'
                     AND instr(x, ':::') = 0
                     AND x NOT GLOB '*[0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f]*'
                     AND CASE (length(x) - length(replace(x, '::', ''))) / 2
                         WHEN 0 THEN x NOT GLOB ':*' AND x NOT GLOB '*:'
                                     AND gl = 8
                         WHEN 1 THEN xl NOT GLOB ':*' AND xr NOT GLOB '*:'
                                     AND gl + gr <= 7
                         ELSE 0 END, 0) AS x6,
                 CASE WHEN instr(x, '::') = 0 THEN x
                      ELSE xl || CASE WHEN xl <> '' THEN ':' ELSE '' END
                           || substr(replace(hex(zeroblob(8 - gl - gr)),
                                             '00', ':0'), 2)
                           || CASE WHEN xr <> '' THEN ':' ELSE '' END || xr
                 END AS f
    FROM (SELECT p, dok, x, xl, xr,
                 CASE WHEN xl = '' THEN 0
                      ELSE length(xl) - length(replace(xl, ':', '')) + 1
                 END AS gl,
                 CASE WHEN xr = '' THEN 0
                      ELSE length(xr) - length(replace(xr, ':', '')) + 1
                 END AS gr
    FROM (SELECT p, dok, x,
                 CASE WHEN instr(x, '::') > 0
                      THEN substr(x, 1, instr(x, '::') - 1) ELSE x END AS xl,
                 CASE WHEN instr(x, '::') > 0
                      THEN substr(x, instr(x, '::') + 2) ELSE '' END AS xr
    FROM (SELECT p,
                 d IS NULL
                 OR (substr(h, -1) = ':'
                     AND d GLOB '[0-9]*.[0-9]*.[0-9]*.[0-9]*'
                     AND d NOT GLOB '*[^0-9.]*'
                     AND length(d) - length(replace(d, '.', '')) = 3
                     AND '.' || d NOT GLOB '*.0[0-9]*'
                     AND d NOT GLOB '*[0-9][0-9][0-9][0-9]*'
                     AND '.' || d || '.' NOT GLOB '*.[3-9][0-9][0-9].*'
                     AND '.' || d || '.' NOT GLOB '*.2[6-9][0-9].*'
                     AND '.' || d || '.' NOT GLOB '*.25[6-9].*') AS dok,
                 CASE WHEN d IS NULL THEN a
                      ELSE h || printf('%x:%x',
                          CAST(d AS INTEGER) * 256
                          + CAST(substr(ltrim(d, '0123456789'), 2) AS INTEGER),
                          CAST(substr(ltrim(substr(ltrim(d, '0123456789'), 2),
                                            '0123456789'), 2) AS INTEGER) * 256
                          + CAST(substr(ltrim(substr(ltrim(substr(ltrim(d,
                                 '0123456789'), 2), '0123456789'), 2),
                                 '0123456789'), 2) AS INTEGER))
                 END AS x
    FROM (SELECT a, p, h,
                 CASE WHEN instr(a, '.') > 0
                      THEN substr(a, length(h) + 1) END AS d
    FROM (SELECT a, p, rtrim(a, '0123456789.') AS h
    FROM (SELECT CASE WHEN instr(s, '/') > 0
                      THEN substr(s, 1, instr(s, '/') - 1) ELSE s END AS a,
                 CASE WHEN instr(s, '/') > 0
                      THEN substr(s, instr(s, '/') + 1) END AS p
    FROM (SELECT NEW.address AS s
          WHERE typeof(NEW.address) = 'text'
            AND instr(NEW.address, char(0)) = 0
            AND instr(NEW.address, ':') > 0
            AND (instr(NEW.address, '/') = 0
                 OR instr(NEW.address, ':') < instr(NEW.address, '/'))
          LIMIT -1 OFFSET 0) LIMIT -1 OFFSET 0) LIMIT -1 OFFSET 0) LIMIT -1 OFFSET 0)
          LIMIT -1 OFFSET 0) LIMIT -1 OFFSET 0) LIMIT -1 OFFSET 0) LIMIT -1 OFFSET 0)
          LIMIT -1 OFFSET 0);
END;

CREATE TRIGGER policy_validate_target INSTEAD OF INSERT ON policy_validate
WHEN NEW.trigger = 'target'
BEGIN
    SELECT CASE
        WHEN NEW.action = 'require-secure' THEN RAISE(ABORT,
            'rrpolicy: action ''require-secure'' applies to trigger ''qname'' only')
        WHEN typeof(NEW.type) <> 'text'
             OR CASE upper(NEW.type) WHEN '*' THEN 0 WHEN 'MX' THEN 0
                    WHEN 'NS' THEN 0 WHEN 'SRV' THEN 0 WHEN 'CNAME' THEN 0
                    WHEN 'DNAME' THEN 0 WHEN 'SVCB' THEN 0 WHEN 'HTTPS' THEN 0
                    WHEN 'TYPE15' THEN 0 WHEN 'TYPE2' THEN 0
                    WHEN 'TYPE33' THEN 0 WHEN 'TYPE5' THEN 0
                    WHEN 'TYPE39' THEN 0 WHEN 'TYPE64' THEN 0
                    WHEN 'TYPE65' THEN 0 ELSE 1 END THEN RAISE(ABORT,
            'rrpolicy: trigger ''target'' needs a type whose rdata names a target: MX, NS, SRV, CNAME, DNAME, SVCB or HTTPS (or TYPE15, TYPE2, TYPE33, TYPE5, TYPE39, TYPE64, TYPE65), or ''*'' for all of them')
    END;
END;

CREATE TRIGGER policy_validate_answer_ip INSTEAD OF INSERT ON policy_validate
WHEN NEW.trigger = 'answer-ip'
BEGIN
    SELECT CASE
        WHEN NEW.scope IS NOT 'any' AND NEW.scope IS NOT 'mailhost'
             THEN RAISE(ABORT,
            'rrpolicy: unknown scope (any or mailhost; lower case)')
        WHEN NEW.action = 'nullmx' THEN RAISE(ABORT,
            'rrpolicy: action ''nullmx'' does not apply to trigger ''answer-ip''')
        WHEN NEW.action = 'require-secure' THEN RAISE(ABORT,
            'rrpolicy: action ''require-secure'' applies to trigger ''qname'' only')
        WHEN typeof(NEW.type) <> 'text'
             OR CASE upper(NEW.type) WHEN '*' THEN 0 WHEN 'A' THEN 0
                    WHEN 'AAAA' THEN 0 WHEN 'TYPE1' THEN 0 WHEN 'TYPE28' THEN 0
                    ELSE 1 END
             THEN RAISE(ABORT,
            'rrpolicy: trigger ''answer-ip'' needs type A (IPv4), AAAA (IPv6), TYPE1, TYPE28 or ''*''')
    END;

    INSERT INTO policy_validate_address (address, type)
    VALUES (NEW.name, NEW.type);
END;

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
        WHEN NEW.key = 'hit_log' AND NOT (isint AND i BETWEEN 0 AND 1)
            THEN RAISE(ABORT,
            'rrpolicy: setting ''hit_log'' must be 0 or 1')
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

CREATE VIEW recent_hits (id, ts, client, qname, qtype, action, stage,
                         policy_id, rule_name, rule_type, dnssec,
                         rule_trigger) AS
    SELECT h.id, h.ts, h.client, h.qname, h.qtype, h.action, h.stage,
           h.policy_id, p.name, p.type, h.dnssec, p.trigger
    FROM hit AS h LEFT JOIN policy AS p ON p.id = h.policy_id
    ORDER BY h.id DESC
    LIMIT 1000;

/* The mailhost set of scope 'mailhost' (schema version 2). */
INSERT INTO setting (key, value, description) VALUES
    ('mailhost_max', '65536',
     'How many names the mailhost set holds (the names this resolver recently saw as the exchange of an MX answer; answer-ip rules of scope mailhost apply only to them); integer 1024..16777216; applies on unbound-control reload. Default: 65536'),
    ('mailhost_ttl', '86400',
     'Seconds a name stays in the mailhost set after it was last seen as the exchange of an MX answer; integer 60..2592000; applies on unbound-control reload. Default: 86400');

PRAGMA user_version = 2;
