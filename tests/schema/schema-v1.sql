/**
 * @file schema.sql
 * @brief SQLite schema of the rrpolicy database (schema version 1).
 *
 * rrpolicy is an Unbound dynlib module that applies per-record-type block
 * policies.  This file creates, in an EMPTY database, everything the module
 * and the operator use:
 *
 *   - policy          the rules (one row per name/type/action);
 *   - rrtype          RR type mnemonics and their codes, used to check
 *                     policy.type;
 *   - setting         tunables of the module, prefilled with the defaults;
 *   - hit, hit_drop   log of policy hits, written by the module;
 *   - views           reports on the hit log;
 *   - policy_validate, setting_validate
 *                     helper views whose INSTEAD OF triggers hold the input
 *                     checks shared by the INSERT and UPDATE triggers.
 *
 * Usage:
 *   sqlite3 /var/lib/unbound/rrpolicy.db < schema/schema.sql
 * The module embeds this file verbatim and runs it with sqlite3_exec() on a
 * new, empty database inside a transaction of its own.  Therefore this file
 * must not open or close transactions, must not change the journal mode
 * and must not use sqlite3 shell dot commands; it uses only SQLite 3.40
 * features (Debian 12).
 *
 * Bad input is rejected when it is written (INSERT or UPDATE) with an error
 * that starts with 'rrpolicy: ' and says what is wrong.  SQLite 3.40 only
 * accepts a string literal as the message of RAISE(), so the messages
 * cannot quote the offending value: the operator has it in the statement
 * just typed.
 */

/*
 * Schema version, for the module and for future migrations.  Bump it on
 * every incompatible change.
 */
PRAGMA user_version = 1;

/* ======================================================================
 * rrtype: RR types a rule may name in policy.type.
 * ====================================================================== */

/*
 * Every RR type IANA has assigned (DNS Parameters registry, 'Resource
 * Record (RR) TYPEs'), meta and query types included, since a resolver may
 * see any of them in a question.  mnemonic is upper case; policy.type is
 * matched against it case-insensitively (upper(type) = mnemonic).  Codes
 * without a mnemonic here are written TYPEnnn (RFC 3597).  IANA's mnemonic
 * for 255 is '*'; it is 'ANY' here because '*' in policy.type means every
 * type.
 */
CREATE TABLE rrtype (
    mnemonic TEXT PRIMARY KEY,      -- upper case, e.g. 'MX', 'NSAP-PTR'
    code     INTEGER NOT NULL UNIQUE -- 1..65535
) WITHOUT ROWID;

INSERT INTO rrtype (mnemonic, code) VALUES
    ('A', 1), ('NS', 2), ('MD', 3), ('MF', 4), ('CNAME', 5), ('SOA', 6),
    ('MB', 7), ('MG', 8), ('MR', 9), ('NULL', 10), ('WKS', 11), ('PTR', 12),
    ('HINFO', 13), ('MINFO', 14), ('MX', 15), ('TXT', 16), ('RP', 17),
    ('AFSDB', 18), ('X25', 19), ('ISDN', 20), ('RT', 21), ('NSAP', 22),
    ('NSAP-PTR', 23), ('SIG', 24), ('KEY', 25), ('PX', 26), ('GPOS', 27),
    ('AAAA', 28), ('LOC', 29), ('NXT', 30), ('EID', 31), ('NIMLOC', 32),
    ('SRV', 33), ('ATMA', 34), ('NAPTR', 35), ('KX', 36), ('CERT', 37),
    ('A6', 38), ('DNAME', 39), ('SINK', 40), ('OPT', 41), ('APL', 42),
    ('DS', 43), ('SSHFP', 44), ('IPSECKEY', 45), ('RRSIG', 46), ('NSEC', 47),
    ('DNSKEY', 48), ('DHCID', 49), ('NSEC3', 50), ('NSEC3PARAM', 51),
    ('TLSA', 52), ('SMIMEA', 53), ('HIP', 55), ('NINFO', 56), ('RKEY', 57),
    ('TALINK', 58), ('CDS', 59), ('CDNSKEY', 60), ('OPENPGPKEY', 61),
    ('CSYNC', 62), ('ZONEMD', 63), ('SVCB', 64), ('HTTPS', 65),
    ('DSYNC', 66), ('HHIT', 67), ('BRID', 68),
    ('SPF', 99), ('UINFO', 100), ('UID', 101), ('GID', 102), ('UNSPEC', 103),
    ('NID', 104), ('L32', 105), ('L64', 106), ('LP', 107), ('EUI48', 108),
    ('EUI64', 109), ('NXNAME', 128),
    ('TKEY', 249), ('TSIG', 250), ('IXFR', 251), ('AXFR', 252),
    ('MAILB', 253), ('MAILA', 254), ('ANY', 255),
    ('URI', 256), ('CAA', 257), ('AVC', 258), ('DOA', 259), ('AMTRELAY', 260),
    ('RESINFO', 261), ('WALLET', 262), ('CLA', 263), ('IPN', 264),
    ('TA', 32768), ('DLV', 32769);

/* ======================================================================
 * policy: the rules.
 * ====================================================================== */

/*
 * One rule: what to do with queries and answers for a name and RR type.
 *
 * name        domain name in presentation form, case-insensitive, trailing
 *             dot optional.  'example.com' matches that name only;
 *             '*.example.com' matches every name strictly below
 *             example.com.  Allowed: letters, digits, '-', '_', '.', and
 *             '*' as the whole first label.  No escapes (backslash sequences).
 * type        RR type mnemonic from table rrtype (any case), generic
 *             TYPEnnn (nnn 1..65535, no leading zero), or '*' for every
 *             type.
 * action      block | nullmx | nodata | nxdomain | refused | servfail |
 *             drop | log | allow (lower case).  block = null MX for type
 *             MX, NODATA for other named types, NXDOMAIN for type '*'.
 *             nullmx only with type MX.
 * enabled     1 = in force, 0 = kept but ignored.
 * expires_at  NULL = never, else UTC 'YYYY-MM-DD HH:MM:SS' after which the
 *             rule is ignored.
 * comment     free text for the operator.
 * created_at  UTC time the row was inserted.
 */
CREATE TABLE policy (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    type       TEXT NOT NULL DEFAULT '*',
    action     TEXT NOT NULL DEFAULT 'block',
    enabled    INTEGER NOT NULL DEFAULT 1,
    expires_at TEXT,
    comment    TEXT,
    created_at TEXT NOT NULL DEFAULT (datetime('now'))
);

/* Lookups of the rules for a name. */
CREATE INDEX policy_name ON policy (name);

/*
 * Helper view: never holds rows.  Inserting into it runs the checks of
 * trigger policy_validate on the values, so that the INSERT and the UPDATE
 * triggers of policy share one copy of them.  An operator may also use it
 * to test a rule without storing it:
 *   INSERT INTO policy_validate VALUES ('a..b', 'MX', 'block', 1, NULL);
 */
CREATE VIEW policy_validate (name, type, action, enabled, expires_at) AS
    SELECT NULL, NULL, NULL, NULL, NULL WHERE 0;

/*
 * The checks on one rule.  Each SELECT raises the first error it finds;
 * the order of the name checks makes the message name the most basic
 * problem first.
 */
CREATE TRIGGER policy_validate INSTEAD OF INSERT ON policy_validate
BEGIN
    /* name; n is the name without one trailing dot. */
    SELECT CASE
        WHEN raw IS NULL THEN RAISE(ABORT,
            'rrpolicy: invalid name: NULL (give a name such as ''example.com'' or ''*.example.com'')')
        WHEN typeof(raw) <> 'text' THEN RAISE(ABORT,
            'rrpolicy: invalid name: not text')
        WHEN raw = '' THEN RAISE(ABORT,
            'rrpolicy: invalid name '''': empty')
        WHEN raw = '.' THEN RAISE(ABORT,
            'rrpolicy: invalid name ''.'': the root is not allowed')
        WHEN raw IN ('*', '*.') THEN RAISE(ABORT,
            'rrpolicy: invalid name ''*.'': a bare wildcard is not allowed, write ''*.example.com''')
        WHEN raw GLOB '*[^A-Za-z0-9._*-]*' OR instr(raw, char(0)) > 0
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
    FROM (SELECT NEW.name AS raw,
                 CASE WHEN substr(NEW.name, -1) = '.'
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
        'rrpolicy: unknown action (one of block, nullmx, nodata, nxdomain, refused, servfail, drop, log, allow; lower case)')
    /* CASE, not NOT IN (...): in a trigger, SQLite builds the IN list's
       ephemeral index anew for every row (2 us of the insert). */
    WHERE CASE NEW.action WHEN 'block' THEN 0 WHEN 'nullmx' THEN 0
              WHEN 'nodata' THEN 0 WHEN 'nxdomain' THEN 0 WHEN 'refused' THEN 0
              WHEN 'servfail' THEN 0 WHEN 'drop' THEN 0 WHEN 'log' THEN 0
              WHEN 'allow' THEN 0 ELSE 1 END;

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

/* Check every new rule. */
CREATE TRIGGER policy_check_insert BEFORE INSERT ON policy
BEGIN
    INSERT INTO policy_validate (name, type, action, enabled, expires_at)
    VALUES (NEW.name, NEW.type, NEW.action, NEW.enabled, NEW.expires_at);
END;

/* Check every changed rule. */
CREATE TRIGGER policy_check_update BEFORE UPDATE ON policy
BEGIN
    INSERT INTO policy_validate (name, type, action, enabled, expires_at)
    VALUES (NEW.name, NEW.type, NEW.action, NEW.enabled, NEW.expires_at);
END;

/* ======================================================================
 * setting: tunables of the module.
 * ====================================================================== */

/*
 * One row per setting; all of them exist from the start with their
 * default.  Change one with
 *   UPDATE setting SET value = '300' WHERE key = 'negative_ttl';
 * Rows cannot be added (unknown keys) or deleted (set the default again
 * instead; it is given in the description).  value is text; numeric
 * settings hold a decimal integer without sign or leading zero.
 */
CREATE TABLE setting (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    description TEXT NOT NULL
);

/*
 * Helper view: never holds rows.  Inserting into it runs the checks of
 * trigger setting_validate, shared by the INSERT and UPDATE triggers of
 * setting.
 */
CREATE VIEW setting_validate (key, value) AS
    SELECT NULL, NULL WHERE 0;

/*
 * The checks on one setting.  isint: value is a decimal integer without
 * sign or leading zero and of at most 9 digits; i: its value.  dname:
 * value is a domain name without wildcard or escapes ('.' allowed).  A
 * value that is not text or holds a NUL character is neither.
 */
CREATE TRIGGER setting_validate INSTEAD OF INSERT ON setting_validate
BEGIN
    SELECT RAISE(ABORT,
        'rrpolicy: unknown setting (known: negative_ttl, soa_mname, soa_rname, hit_log, hit_retention_days, hit_queue_size, poll_interval_ms)')
    WHERE NEW.key IS NULL
       OR NEW.key NOT IN ('negative_ttl', 'soa_mname', 'soa_rname',
                          'hit_log', 'hit_retention_days', 'hit_queue_size',
                          'poll_interval_ms');

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

/* New rows: only known keys (used below for the defaults), never twice. */
CREATE TRIGGER setting_check_insert BEFORE INSERT ON setting
BEGIN
    INSERT INTO setting_validate (key, value) VALUES (NEW.key, NEW.value);
    SELECT RAISE(ABORT,
        'rrpolicy: setting exists already, change it with UPDATE setting SET value = ... WHERE key = ...')
    WHERE EXISTS (SELECT 1 FROM setting WHERE key = NEW.key);
END;

/* Changed rows: same key, valid value. */
CREATE TRIGGER setting_check_update BEFORE UPDATE ON setting
BEGIN
    SELECT RAISE(ABORT,
        'rrpolicy: a setting cannot be renamed, UPDATE its value only')
    WHERE NEW.key IS NOT OLD.key;
    INSERT INTO setting_validate (key, value) VALUES (NEW.key, NEW.value);
END;

/* Settings are never deleted: the module needs every one of them. */
CREATE TRIGGER setting_check_delete BEFORE DELETE ON setting
BEGIN
    SELECT RAISE(ABORT,
        'rrpolicy: settings cannot be deleted, UPDATE the value back to its default instead (see its description)');
END;

INSERT INTO setting (key, value, description) VALUES
    /* TTL of every synthesized record, and minimum field of the SOA. */
    ('negative_ttl', '60',
     'TTL in seconds of synthesized answers, also the SOA minimum of synthesized negative answers; integer 0..86400. Default: 60'),
    /* SOA of NODATA/NXDOMAIN answers the module synthesizes. */
    ('soa_mname', 'localhost.',
     'MNAME (primary server) of the SOA in synthesized negative answers; a domain name. Default: localhost.'),
    ('soa_rname', 'nobody.invalid.',
     'RNAME (mailbox) of the SOA in synthesized negative answers; a domain name. Default: nobody.invalid.'),
    /* Hit log. */
    ('hit_log', '1',
     'Record policy hits in table hit: 1 = yes, 0 = no; applies on unbound-control reload. Default: 1'),
    ('hit_retention_days', '30',
     'Days hits are kept in table hit before the module deletes them; 0 = keep forever; integer 0..36500; applies on unbound-control reload. Default: 30'),
    ('hit_queue_size', '65536',
     'Hits held in memory (320 bytes each) waiting to be written to table hit, which happens every 200 ms: make it hold at least 200 ms of the peak hit rate; when full, hits are dropped and counted in table hit_drop; integer 16384..1048576; applies on unbound-control reload. Default: 65536'),
    /* Live reload. */
    ('poll_interval_ms', '1000',
     'How often, in milliseconds, the module checks for committed changes of policy and setting and applies them without a reload (the hit_* settings apply on unbound-control reload only); 0 = only on unbound-control reload; integer 100..3600000. Default: 1000');

/* ======================================================================
 * hit, hit_drop: the hit log, written by the module's writer thread.
 * ====================================================================== */

/*
 * One row per query or answer a rule applied to (when hit_log = 1).
 *
 * ts         UTC 'YYYY-MM-DD HH:MM:SS', optionally with '.SSS', so that
 *            comparisons with datetime() work.
 * client     client address, e.g. '192.0.2.1' or '2001:db8::1'.
 * qname      query name in presentation form.
 * qtype      query type mnemonic (or TYPEnnn).
 * policy_id  policy.id of the rule; no foreign key: rules may be deleted
 *            while their hits stay.
 * action     action applied (policy.action at the time of the hit).
 * stage      'query' (matched the question) or 'response' (matched a
 *            record in the answer).
 */
CREATE TABLE hit (
    id        INTEGER PRIMARY KEY,
    ts        TEXT NOT NULL,
    client    TEXT NOT NULL,
    qname     TEXT NOT NULL,
    qtype     TEXT NOT NULL,
    policy_id INTEGER,
    action    TEXT NOT NULL,
    stage     TEXT NOT NULL CHECK (stage IN ('query', 'response'))
);

/* Time range queries and deletion of expired hits. */
CREATE INDEX hit_ts ON hit (ts);
/* Hits of one rule. */
CREATE INDEX hit_policy_id ON hit (policy_id);

/*
 * Hits lost because the in-memory queue (setting hit_queue_size) was full:
 * one row per batch of drops, ts UTC as in hit.
 */
CREATE TABLE hit_drop (
    ts      TEXT NOT NULL,
    dropped INTEGER NOT NULL
);

/* ======================================================================
 * Reports on the hit log.
 * ====================================================================== */

/*
 * Hits per day (UTC) and rule, newest day first.  name and type are the
 * rule's current ones, NULL if the rule was deleted; action is the one
 * applied at the time of the hit.
 */
CREATE VIEW hits_per_rule_per_day (day, policy_id, name, type, action, hits) AS
    SELECT date(h.ts), h.policy_id, p.name, p.type, h.action, count(*)
    FROM hit AS h LEFT JOIN policy AS p ON p.id = h.policy_id
    GROUP BY date(h.ts), h.policy_id, h.action
    ORDER BY date(h.ts) DESC, count(*) DESC, h.policy_id, h.action;

/* Clients by number of hits, most first, with their last hit. */
CREATE VIEW top_clients (client, hits, last_seen) AS
    SELECT client, count(*), max(ts)
    FROM hit
    GROUP BY client
    ORDER BY count(*) DESC, max(ts) DESC;

/*
 * Names and types most often blocked (every action but log and allow),
 * most first.  Names are compared and shown in lower case.
 */
CREATE VIEW top_blocked_names (qname, qtype, hits) AS
    SELECT lower(qname), upper(qtype), count(*)
    FROM hit
    WHERE action NOT IN ('log', 'allow')
    GROUP BY lower(qname), upper(qtype)
    ORDER BY count(*) DESC, lower(qname), upper(qtype);

/*
 * The last 1000 hits, newest first, with the name and type of the rule
 * (NULL if the rule was deleted).  Add LIMIT for fewer.
 */
CREATE VIEW recent_hits (id, ts, client, qname, qtype, action, stage,
                         policy_id, rule_name, rule_type) AS
    SELECT h.id, h.ts, h.client, h.qname, h.qtype, h.action, h.stage,
           h.policy_id, p.name, p.type
    FROM hit AS h LEFT JOIN policy AS p ON p.id = h.policy_id
    ORDER BY h.id DESC
    LIMIT 1000;

/* ======================================================================
 * Live reload and status.
 * ====================================================================== */

/*
 * revision: a counter bumped by every change of policy or setting, in the
 * same transaction.  The module polls it (setting poll_interval_ms) and
 * loads the rules again when it moved: a committed edit applies within
 * about a second, an edit still in an open transaction is not seen at all.
 */
CREATE TABLE revision (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    policy  INTEGER NOT NULL
);
INSERT INTO revision (id, policy) VALUES (1, 1);

CREATE TRIGGER policy_revision_insert AFTER INSERT ON policy
BEGIN UPDATE revision SET policy = policy + 1; END;
CREATE TRIGGER policy_revision_update AFTER UPDATE ON policy
BEGIN UPDATE revision SET policy = policy + 1; END;
CREATE TRIGGER policy_revision_delete AFTER DELETE ON policy
BEGIN UPDATE revision SET policy = policy + 1; END;
CREATE TRIGGER setting_revision_update AFTER UPDATE ON setting
BEGIN UPDATE revision SET policy = policy + 1; END;

/*
 * module_status: written by the module after every load and every few
 * seconds: what it loaded, when, how long it took, and its hit counters.
 * skipped: the policy rows the last load could not use, and why.
 * Read view status, not these.
 */
CREATE TABLE module_status (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    revision      INTEGER,   -- revision.policy of the rules in memory
    loaded_at     TEXT,      -- UTC time of that load
    rules         INTEGER,   -- rules in memory
    rows_read     INTEGER,   -- policy rows read
    disabled      INTEGER,   -- rows with enabled = 0
    expired       INTEGER,   -- rows already expired when loaded
    malformed     INTEGER,   -- rows skipped as unusable (see skipped)
    load_ms       REAL,      -- milliseconds the load took
    hits_written  INTEGER,   -- hits written since Unbound loaded the module
    hits_dropped  INTEGER,   -- hits dropped (queue full) since then
    error         TEXT,      -- why the database could not be used, or NULL
    updated_at    TEXT       -- UTC time of this row
);
CREATE TABLE skipped (
    policy_id  INTEGER PRIMARY KEY,
    reason     TEXT NOT NULL
);

/*
 * status: "is my rule live?".  state is 'live' when the rules in memory
 * are the committed ones, 'pending' when a committed change has not been
 * loaded yet, 'error' when the module could not use the database (error
 * says why; it keeps the rules it had), 'not loaded' before the module
 * ever ran on this database.
 */
CREATE VIEW status (state, revision, loaded_revision, loaded_at, rules,
                    skipped, load_ms, hits_written, hits_dropped, error,
                    updated_at) AS
    SELECT CASE WHEN m.id IS NULL THEN 'not loaded'
                WHEN m.error IS NOT NULL THEN 'error'
                WHEN m.revision = r.policy THEN 'live'
                ELSE 'pending' END,
           r.policy, m.revision, m.loaded_at, m.rules, m.malformed,
           m.load_ms, m.hits_written, m.hits_dropped, m.error, m.updated_at
    FROM revision AS r LEFT JOIN module_status AS m ON m.id = 1;
