/**
 * @file schema.sql
 * @brief SQLite schema of the rrpolicy database (schema version 6).
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
 *   - policy_validate, policy_validate_address, setting_validate
 *                     helper views whose INSTEAD OF triggers hold the input
 *                     checks shared by the INSERT and UPDATE triggers;
 *   - policy_normalize helper view whose INSTEAD OF trigger stores a
 *                     rule's name in normal form.
 *
 * Usage:
 *   sqlite3 /var/lib/rrpolicy/rrpolicy.db < schema/schema.sql
 * A database of an older version is upgraded in place by the
 * schema/migrate-<from>-to-<to>.sql files, in order (the module does it
 * when it opens the database).
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
 * Schema version (PRAGMA user_version, set at the end of this file), for
 * the module and for the migrations.  Bump it on every incompatible change, and add schema/migrate-<old>-to-<new>.sql
 * that turns a database of the old version into one that is the same as
 * a new one made by this file: new columns go at the end of their table
 * (ALTER TABLE ADD COLUMN can only append), and the views and triggers
 * it recreates are copied from here verbatim.
 *
 * Version 2 added policy.trigger, policy.scope, the action
 * require-secure, hit.dnssec and the settings mailhost_max and
 * mailhost_ttl.  Version 3 added the change log policy_change.  Version 4
 * added hit.count and the value 2 of setting hit_log (hits counted per
 * minute).  Version 5 dropped the index hit_policy_id.  Version 6 made
 * policy.id AUTOINCREMENT (an id is never given twice), stores names
 * normalised (lower case, no trailing dot: triggers policy_normalize_*)
 * and added revision.history, revision.stamp and policy_change.tag.
 */

/* ======================================================================
 * rrtype: RR types a rule may name in policy.type.
 * ====================================================================== */

/*
 * Every RR type IANA has assigned (DNS Parameters registry, 'Resource
 * Record (RR) TYPEs'), meta and query types included, since a resolver may
 * see any of them in a question (the module skips at load a rule of a type
 * that no query reaches it with and no answer holds: OPT, and 128 to 254).  mnemonic is upper case; policy.type is
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
 * id          AUTOINCREMENT: an id is never given twice, not even the
 *             id of the highest rule after it was deleted, so that the
 *             hits of a deleted rule (hit.policy_id) are never taken for
 *             a new rule's.
 * name        for triggers qname and target: a domain name in
 *             presentation form, case-insensitive, trailing dot
 *             optional, STORED in lower case without the trailing dot
 *             ('Spammer.COM.' is stored as 'spammer.com', so that
 *             WHERE name = 'spammer.com' finds it; triggers
 *             policy_normalize_*).  'example.com' matches that name only;
 *             '*.example.com' matches every name strictly below
 *             example.com.  Allowed: letters, digits, '-', '_', '.', and
 *             '*' as the whole first label.  No escapes (backslash
 *             sequences).
 *             For trigger answer-ip: an IPv4 or IPv6 address or prefix,
 *             '203.0.113.7', '198.51.100.0/24', '2001:db8::/32'.  IPv4:
 *             four decimal octets 0..255 without leading zeros, prefix
 *             length 0..32.  IPv6: the text forms of RFC 4291 (groups of
 *             1 to 4 hex digits, at most one '::', optionally a dotted
 *             IPv4 address as the last 32 bits), prefix length 0..128.
 *             A prefix has no host bits set ('198.51.100.0/24', not
 *             '198.51.100.7/24').  Stored in lower case ('2001:DB8::/32'
 *             as '2001:db8::/32').
 * type        RR type mnemonic from table rrtype (any case), generic
 *             TYPEnnn (nnn 1..65535, no leading zero), or '*' for every
 *             type.  Trigger target: MX, NS, SRV, CNAME, DNAME, SVCB,
 *             HTTPS (or their TYPEnnn) or '*' (all of those).  Trigger
 *             answer-ip: A (IPv4), AAAA (IPv6), TYPE1, TYPE28 or '*'.
 * action      block | nullmx | nodata | nxdomain | refused | servfail |
 *             drop | log | allow | require-secure (lower case).  block =
 *             null MX for type MX, NODATA for other named types, NXDOMAIN
 *             for type '*'.  nullmx only with type MX, not with trigger
 *             answer-ip.  require-secure (answers that did not validate as
 *             DNSSEC-secure are SERVFAILed) only with trigger qname.
 * enabled     1 = in force, 0 = kept but ignored.
 * expires_at  NULL = never, else UTC 'YYYY-MM-DD HH:MM:SS' after which the
 *             rule is ignored.
 * comment     free text for the operator.
 * created_at  UTC time the row was inserted.
 * trigger     what name is matched (lower case):
 *               qname      the query name and the owner names of the
 *                          answer's RRsets;
 *               target     the target names in the rdata of answers of
 *                          type: MX exchange, NS host, SRV target, CNAME,
 *                          DNAME, SVCB/HTTPS TargetName;
 *               answer-ip  the addresses in A/AAAA rdata.
 * scope       any | mailhost (lower case).  mailhost, only with trigger
 *             answer-ip: the rule applies only to names this resolver
 *             recently saw as the exchange of an MX answer (settings
 *             mailhost_max and mailhost_ttl).
 *
 * trigger and scope were added by schema version 2, at the end, so that a
 * migrated version 1 database has the same columns in the same order.
 * AUTOINCREMENT came with version 6.
 */
CREATE TABLE policy (
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

/* Lookups of the rules for a name. */
CREATE INDEX policy_name ON policy (name);

/*
 * Helper view: never holds rows.  Inserting into it runs the checks of
 * the triggers policy_validate, policy_validate_target and
 * policy_validate_answer_ip on the values, so that the INSERT and the
 * UPDATE triggers of policy share one copy of them.  An operator may also
 * use it to test a rule without storing it:
 *   INSERT INTO policy_validate
 *   VALUES ('a..b', 'MX', 'block', 1, NULL, 'qname', 'any');
 */
CREATE VIEW policy_validate (name, type, action, enabled, expires_at,
                             trigger, scope) AS
    SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL WHERE 0;

/*
 * The checks on one rule, whatever its trigger.  Each SELECT raises the
 * first error it finds; the order of the name checks makes the message
 * name the most basic problem first.  The checks that only concern the
 * triggers target and answer-ip are in triggers policy_validate_target
 * and policy_validate_answer_ip below, which SQLite runs before this one.
 */
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

/*
 * Helper view of the address check of trigger answer-ip, so that its
 * program runs only for answer-ip rows.  Also usable to test an address:
 *   INSERT INTO policy_validate_address VALUES ('198.51.100.0/24', 'A');
 */
CREATE VIEW policy_validate_address (address, type) AS
    SELECT NULL, NULL WHERE 0;

/*
 * The address (or prefix) of an answer-ip rule, and its type: one
 * statement for IPv4 (and what is no address at all), one for IPv6; the
 * WHERE of each lets the other family's rows through without a check.
 *
 * This runs once per row of an import of a feed, so it is written for
 * speed: no recursive CTE, no IN list and no INSERT ... SELECT (in a
 * trigger, each of them builds an ephemeral table, a malloc'ed b-tree,
 * anew for every row: up to 7 ms a row, mostly in the kernel), only
 * string functions, and each subquery passes on only the columns the
 * next one uses (each use of a subquery column copies its text).  The
 * subqueries, innermost first:
 *   s   the address, if it is text without NUL
 *   a   the address without '/...', p the prefix length text or NULL
 * IPv6 only:
 *   h   a without a trailing dotted IPv4 part, d that part or NULL
 *   dok d is NULL or four decimal octets 0..255 without leading zeros
 *       after a ':'
 *   x   a with the dotted part written as two hex groups: the n-th
 *       octet is CAST(o AS INTEGER), o being d with n - 1 times 'the
 *       digits and the dot' taken off its start (substr(ltrim(o,
 *       '0123456789'), 2))
 *   xl, xr       the groups left and right of the '::' (xl = x without)
 *   gl, gr       how many groups xl and xr hold
 *   x6  x is a valid RFC 4291 text form
 *   f   x with '::' expanded: 8 groups of 1 to 4 hex digits
 *   r   f without its trailing zero digits and ':' (rtrim): '' for ::,
 *       else it ends in the last non-zero hex digit of the address
 * A prefix has no host bits set when the address ends in at least
 * 128 - length zero bits: 16 for each group after the one r ends in
 * (7 - the number of ':' in r), 4 for each '0' of f that rtrim took off
 * that group, and the trailing zero bits of r's last digit.  An IPv4
 * address is turned into an integer the same way as the dotted part of
 * an IPv6 one.
 * Each subquery ends in 'LIMIT -1 OFFSET 0' so that SQLite does not
 * flatten it into the next one: flattened, every use of a column copies
 * its whole expression.
 */
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

/*
 * The checks of the rules on what an answer contains, one trigger for
 * each of target and answer-ip.  Their WHEN clauses spare the other rows
 * (a qname rule, the bulk of an import, costs two comparisons); SQLite
 * runs them before policy_validate above.  They use CASE rather than
 * IN (...) and INSERT ... VALUES rather than INSERT ... SELECT: in a
 * trigger, either of those builds an ephemeral table anew for every row.
 *
 * Trigger target: the name, a domain name checked above, is matched
 * against the target names in the rdata of answers of the rule's type, so
 * the type must be one whose rdata holds one.
 */
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

/*
 * Trigger answer-ip: the name is an IPv4 or IPv6 address or prefix,
 * matched against A/AAAA rdata, checked by policy_validate_address.
 */
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

/* Check every new rule. */
CREATE TRIGGER policy_check_insert BEFORE INSERT ON policy
BEGIN
    INSERT INTO policy_validate (name, type, action, enabled, expires_at,
                                 trigger, scope)
    VALUES (NEW.name, NEW.type, NEW.action, NEW.enabled, NEW.expires_at,
            NEW.trigger, NEW.scope);
END;

/* Check every changed rule. */
CREATE TRIGGER policy_check_update BEFORE UPDATE ON policy
BEGIN
    INSERT INTO policy_validate (name, type, action, enabled, expires_at,
                                 trigger, scope)
    VALUES (NEW.name, NEW.type, NEW.action, NEW.enabled, NEW.expires_at,
            NEW.trigger, NEW.scope);
END;

/*
 * Names are stored normalised: in lower case, a domain name without its
 * trailing dot (schema version 6; an address has none).  A BEFORE trigger
 * cannot change NEW, so the AFTER triggers below update the row just
 * written, only when its name is not in normal form: an import of normal
 * names pays their WHEN clause, and nothing else.  GLOB '*[A-Z]*' would
 * cost it almost three times what lower() does (a '*' before a '[...]'
 * is a recursive search).  The name was checked: text, at most one
 * trailing dot, never the root.  The UPDATE is a change like any other:
 * checked again, counted in revision and logged in policy_change (an
 * INSERT of 'Spammer.COM.' moves the revision by two and logs its id
 * twice).
 *
 * Helper view: never holds rows.  Inserting a rule's id into it
 * normalises the rule's name.  The triggers call it rather than run the
 * UPDATE themselves: SQLite allocates a trigger's registers each time it
 * fires, WHEN clause false or not, and the UPDATE's are many (3,500 CPU
 * instructions a row for an import of one statement per row, as
 * rrpolicy-feed does).
 */
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
     'Record policy hits in table hit: 1 = a row per hit; 2 = a row per client, name, type, rule, action and minute, with the number of hits in column count (for floods: far fewer rows and writes); 0 = no; applies on unbound-control reload. Default: 1'),
    ('hit_retention_days', '30',
     'Days hits are kept in table hit before the module deletes them; 0 = keep forever; integer 0..36500; applies on unbound-control reload. Default: 30'),
    ('hit_queue_size', '65536',
     'Hits held in memory (320 bytes each) waiting to be written to table hit, which happens every 200 ms: make it hold at least 200 ms of the peak hit rate; when full, hits are dropped and counted in table hit_drop; integer 16384..1048576; applies on unbound-control reload. Default: 65536'),
    /* Live reload. */
    ('poll_interval_ms', '1000',
     'How often, in milliseconds, the module checks for committed changes of policy and setting and applies them without a reload (the hit_* settings apply on unbound-control reload only); 0 = only on unbound-control reload; integer 100..3600000. Default: 1000');

/* The mailhost set of scope 'mailhost' (schema version 2). */
INSERT INTO setting (key, value, description) VALUES
    ('mailhost_max', '65536',
     'How many names the mailhost set holds (the names this resolver recently saw as the exchange of an MX answer; answer-ip rules of scope mailhost apply only to them); integer 1024..16777216; applies on unbound-control reload. Default: 65536'),
    ('mailhost_ttl', '86400',
     'Seconds a name stays in the mailhost set after it was last seen as the exchange of an MX answer; integer 60..2592000; applies on unbound-control reload. Default: 86400');

/* ======================================================================
 * hit, hit_drop: the hit log, written by the module's writer process.
 * ====================================================================== */

/*
 * One row per query or answer a rule applied to (when hit_log = 1), or per
 * client, name, type, rule, action, stage and minute (when hit_log = 2).
 *
 * ts         UTC 'YYYY-MM-DD HH:MM:SS', optionally with '.SSS', so that
 *            comparisons with datetime() work.
 * client     client address, e.g. '192.0.2.1' or '2001:db8::1'.
 * qname      query name in presentation form, lower case, trailing dot.
 * qtype      query type mnemonic (or TYPEnnn).
 * policy_id  policy.id of the rule; no foreign key: rules may be deleted
 *            while their hits stay (a deleted rule's id is never given to
 *            another rule).
 * action     what was answered: policy.action at the time of the hit,
 *            'block' resolved to the answer it gave ('nullmx', 'nodata'
 *            or 'nxdomain').
 * stage      'query' (matched the question) or 'response' (matched a
 *            record in the answer).
 * dnssec     the DNSSEC status of the answer the rule applied to:
 *            'secure', 'insecure', 'bogus' or 'indeterminate', or NULL
 *            when there was none (a query-stage hit).  Added by schema
 *            version 2, at the end.
 * count      the number of hits the row stands for: 1 with hit_log = 1;
 *            with hit_log = 2 the hits of the same client, name (lower
 *            case), type, rule, action, stage and dnssec within one
 *            minute (UTC, by the clock), ts being the first one's time.
 *            Count hits with sum(count), not count(*).  Added by schema
 *            version 4, at the end.
 */
CREATE TABLE hit (
    id        INTEGER PRIMARY KEY,
    ts        TEXT NOT NULL,
    client    TEXT NOT NULL,
    qname     TEXT NOT NULL,
    qtype     TEXT NOT NULL,
    policy_id INTEGER,
    action    TEXT NOT NULL,
    stage     TEXT NOT NULL CHECK (stage IN ('query', 'response')),
    dnssec    TEXT CHECK (dnssec IN ('secure', 'insecure', 'bogus', 'indeterminate')),
    count     INTEGER NOT NULL DEFAULT 1 CHECK (count >= 1)
);

/*
 * Time range queries and deletion of expired hits.  The only index: rows
 * come in time order, so its entries are appended at its end.  An index
 * on policy_id (versions 1 to 4) took an entry in a random place for
 * every row: the hit log writer then wrote about 4 times the CPU time per
 * hit, most of it in WAL pages, and SQLite preferred it to hit_ts for
 * "rule N in the last hour", reading all of the rule's hits.  Hits of a
 * rule over a time range use hit_ts; over all the table they scan it.
 */
CREATE INDEX hit_ts ON hit (ts);

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

/* ======================================================================
 * Live reload and status.
 * ====================================================================== */

/*
 * revision: a counter bumped by every change of policy or setting, in the
 * same transaction.  The module polls it (setting poll_interval_ms) and
 * loads the rules again when it moved: a committed edit applies within
 * about a second, an edit still in an open transaction is not seen at all.
 * history: a random number drawn when the database is made (or migrated to
 * version 6), and stamp, one drawn at every change, so that the module
 * tells another database, or a copy edited on its own, put in place with
 * sqlite3's .restore (in the same file, maybe at the same revision) from
 * the one it loaded (see also policy_change.tag).  Added by schema
 * version 6.
 */
CREATE TABLE revision (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    policy  INTEGER NOT NULL,
    history INTEGER NOT NULL DEFAULT 0,
    stamp   INTEGER NOT NULL DEFAULT 0
);
INSERT INTO revision (id, policy, history) VALUES (1, 1, random());

CREATE TRIGGER policy_revision_insert AFTER INSERT ON policy
BEGIN UPDATE revision SET policy = policy + 1, stamp = random(); END;
CREATE TRIGGER policy_revision_update AFTER UPDATE ON policy
BEGIN UPDATE revision SET policy = policy + 1, stamp = random(); END;
CREATE TRIGGER policy_revision_delete AFTER DELETE ON policy
BEGIN UPDATE revision SET policy = policy + 1, stamp = random(); END;
CREATE TRIGGER setting_revision_update AFTER UPDATE ON setting
BEGIN UPDATE revision SET policy = policy + 1, stamp = random(); END;

/*
 * policy_change: the ids of the policy rows changed lately, one row per
 * row inserted, updated or deleted (an UPDATE that changes the id logs the
 * new id and the old one), in the order of the changes (seq).  The module
 * re-reads only the rows of the ids logged since its last load, instead
 * of every row.  Only the last 65,536 changes or so are kept: every
 * 1,024th change deletes those 65,536 and more before it, one range of
 * the primary key (a load that finds changes it has not seen pruned reads
 * every row).  AUTOINCREMENT: a seq is never given twice, even after the
 * log was emptied by hand, so that missing changes are always noticed
 * (it costs 0.2% of an insert into policy; the log as a whole 5.5%).
 * tag: a random number per change.  The module notes the tag of the last
 * change it loaded and reads every row when that change has another tag:
 * a copy of the database edited on its own and put in place with
 * sqlite3's .restore (the same file, no new inode) has changes of its own
 * under the same seqs, which the seqs alone do not tell apart.
 * Written by these triggers only; an operator never needs to touch it.
 * Added by schema version 3, tag by version 6 (0 in the changes logged
 * before).
 */
CREATE TABLE policy_change (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id  INTEGER NOT NULL,
    tag INTEGER NOT NULL DEFAULT 0
);

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
CREATE TRIGGER policy_change_prune AFTER INSERT ON policy_change
WHEN NEW.seq % 1024 = 0
BEGIN DELETE FROM policy_change WHERE seq <= NEW.seq - 65536; END;

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

/*
 * The schema version, set last: a database whose schema sqlite3 is still
 * creating, statement by statement, has no version yet, and the module
 * neither loads it nor writes to it until the whole file has run.
 */
PRAGMA user_version = 6;
