# shellcheck shell=bash
# lib.sh - integration-test harness for rrpolicy; source it from tests/integration/test_*.sh.
#
# A test gets a temporary directory $T, an authoritative server (stock Unbound serving
# tests/integration/zones with auth-zone:) and the resolver under test (Unbound with the
# rrpolicy dynlib module when RRPOLICY_SO is set, stock "validator iterator" otherwise), both
# on free loopback ports. Every process is stopped by its PID when the test exits.
# See README.md for the environment variables.

HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$HARNESS_DIR/../.." && pwd)
ZONES_DIR=$HARNESS_DIR/zones
TRUST_ANCHORS=$ZONES_DIR/trust-anchors.ds
# Zones served by the auth server; each is a stub-zone of the resolver. File: zones/<zone>.zone
TEST_ZONES=(spammer.com nxdomain.com google.com example.com example.net alias.example.net
            signed.example.org bogus.example.org mailpath.example.net bulletproof.example)
# Listening ports are picked in this range, below Linux's ephemeral range (32768-60999);
# the resolver is told never to use it for outgoing queries, so nothing else takes them.
PORT_MIN=20000
PORT_MAX=29999

PASSED=0
FAILED=0
HARNESS_PIDS=()     # every process the test started, stopped on exit
HARNESS_NAMES=()    # a name for each of them, for messages
USED_PORTS=" "      # ports already handed out in this test
AUTH_PORT=""
RESOLVER_PORT=""
CONTROL_PORT=""
AUTH_MARK=0         # auth_saw only looks at auth log lines after this line number

# die MESSAGE: report a harness error (not a test failure) and exit 1, keeping $T.
die() {
    echo "not ok - harness: $*" >&2
    FAILED=$((FAILED + 1))
    exit 1
}

# note MESSAGE: print a diagnostic line (TAP-style comment).
note() {
    echo "# $*"
}

# find_unbound: set UNBOUND, UNBOUND_CONTROL, UNBOUND_CHECKCONF from UNBOUND_PREFIX or unbound.env.
find_unbound() {
    local envfile=$REPO_ROOT/build/unbound/unbound.env
    if [ -z "${UNBOUND_PREFIX:-}" ] && [ -f "$envfile" ]; then
        # shellcheck disable=SC1090
        . "$envfile"
    fi
    [ -n "${UNBOUND_PREFIX:-}" ] \
        || die "Unbound not found: run contrib/provision-unbound.sh (writes $envfile) or set UNBOUND_PREFIX"
    UNBOUND=$UNBOUND_PREFIX/sbin/unbound
    UNBOUND_CONTROL=$UNBOUND_PREFIX/sbin/unbound-control
    UNBOUND_CHECKCONF=$UNBOUND_PREFIX/sbin/unbound-checkconf
    [ -x "$UNBOUND" ] || die "no executable $UNBOUND (UNBOUND_PREFIX=$UNBOUND_PREFIX)"
}

# make_tmpdir: create the per-test directory $T (removed on success, kept on failure).
make_tmpdir() {
    T=$(mktemp -d "${TMPDIR:-/tmp}/rrpolicy-it.XXXXXX") || die "mktemp failed"
    export T
}

# ---------------------------------------------------------------- processes

# register_pid NAME PID: remember a started process so the exit trap stops it.
register_pid() {
    HARNESS_NAMES+=("$1")
    HARNESS_PIDS+=("$2")
}

# pid_running PID: true while PID exists and is not a zombie.
pid_running() {
    local state
    kill -0 "$1" 2>/dev/null || return 1
    state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)
    [ "$state" != Z ]
}

# stop_pid PID: SIGTERM, wait up to $STOP_SECONDS (default 5) s, then SIGKILL; reap it if it is our
# child.
stop_pid() {
    local pid=$1 i
    [ -n "$pid" ] || return 0
    if pid_running "$pid"; then
        kill -TERM "$pid" 2>/dev/null
        for i in $(seq $((${STOP_SECONDS:-5} * 10))); do
            pid_running "$pid" || break
            sleep 0.1
        done
        if pid_running "$pid"; then
            note "pid $pid ignored SIGTERM for ${STOP_SECONDS:-5} s, sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null
        fi
    fi
    wait "$pid" 2>/dev/null
    return 0
}

# stop_named NAME: stop every registered process called NAME and forget it.
stop_named() {
    local i
    for i in "${!HARNESS_PIDS[@]}"; do
        if [ "${HARNESS_NAMES[$i]}" = "$1" ]; then
            stop_pid "${HARNESS_PIDS[$i]}"
            unset 'HARNESS_PIDS[i]' 'HARNESS_NAMES[i]'
        fi
    done
}

# stop_all: stop every registered process, newest first.
stop_all() {
    local i idx=("${!HARNESS_PIDS[@]}")
    for ((i = ${#idx[@]} - 1; i >= 0; i--)); do
        stop_pid "${HARNESS_PIDS[${idx[$i]}]}"
    done
    HARNESS_PIDS=()
    HARNESS_NAMES=()
}

# on_exit: EXIT trap; stop processes, remove $T on success, keep (and print) it on failure.
on_exit() {
    local rc=$?
    trap - EXIT
    stop_all
    if [ -n "${T:-}" ] && [ -d "$T" ]; then
        if [ "$rc" -eq 0 ] && [ "$FAILED" -eq 0 ] && [ "${KEEP_TMP:-0}" != 1 ]; then
            rm -rf "$T"
        else
            echo "# logs kept in $T" >&2
        fi
    fi
    exit "$rc"
}

# on_signal SIG: INT/TERM trap; count a failure and exit (the EXIT trap cleans up).
on_signal() {
    echo "not ok - interrupted by SIG$1" >&2
    FAILED=$((FAILED + 1))
    [ "$1" = INT ] && exit 130
    exit 143
}

# ---------------------------------------------------------------- ports

# port_free PORT: true if PORT can be bound on 127.0.0.1 for both TCP and UDP.
port_free() {
    if command -v python3 >/dev/null 2>&1; then
        python3 - "$1" <<'EOF' 2>/dev/null
import socket, sys
port = int(sys.argv[1])
for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
    s = socket.socket(socket.AF_INET, kind)
    try:
        s.bind(("127.0.0.1", port))
    finally:
        s.close()
EOF
    else
        [ -z "$(ss -Htuan "( sport = :$1 )" 2>/dev/null)" ]
    fi
}

# pick_port: print a free port in PORT_MIN..PORT_MAX not yet handed out in this test.
pick_port() {
    local i port
    for i in $(seq 200); do
        port=$((PORT_MIN + RANDOM % (PORT_MAX - PORT_MIN + 1)))
        case "$USED_PORTS" in *" $port "*) continue ;; esac
        if port_free "$port"; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

# claim_port VAR: pick a free port, record it as used and store it in variable VAR.
claim_port() {
    local port
    port=$(pick_port) || die "no free port in $PORT_MIN-$PORT_MAX"
    USED_PORTS="$USED_PORTS$port "
    printf -v "$1" '%s' "$port"
}

# ---------------------------------------------------------------- config pieces

# no_upstream_conf: server: lines that forbid queries to any address outside 127.0.0.0/8.
no_upstream_conf() {
    local net
    for net in 0.0.0.0/2 64.0.0.0/3 96.0.0.0/4 112.0.0.0/5 120.0.0.0/6 124.0.0.0/7 \
               126.0.0.0/8 128.0.0.0/1 ::/0; do
        echo "    do-not-query-address: $net"
    done
}

# checkconf CONF: run unbound-checkconf on CONF, die with its output if it rejects it.
checkconf() {
    local out
    out=$("$UNBOUND_CHECKCONF" "$1" 2>&1) \
        || die "unbound-checkconf rejected $1:
$out"
}

# start_unbound NAME CONF: start Unbound (do-daemonize: no) in the background, register its PID.
# The resolver runs under $RESOLVER_WRAPPER when set (e.g. "valgrind --leak-check=full").
start_unbound() {
    local name=$1 conf=$2 wrapper=""
    [ "$name" = resolver ] && wrapper=${RESOLVER_WRAPPER:-}
    # shellcheck disable=SC2086
    RRPOLICY_DB="$RRPOLICY_DB" $wrapper "$UNBOUND" -c "$conf" >"$T/$name.out" 2>&1 &
    register_pid "$name" $!
    eval "${name^^}_PID=$!"
}

# gdb_hold FUNCTION COMMAND: print a gdb script, for RESOLVER_WRAPPER="gdb -q -batch -x FILE
# --args", that runs the resolver in non-stop mode (its other threads run on) and, each time a
# thread reaches FUNCTION, runs the shell COMMAND while that thread waits. Stop such a resolver
# with stop_held_resolver.
gdb_hold() {
    cat <<GDB
set pagination off
set confirm off
set non-stop on
set breakpoint pending on
handle SIGPIPE SIGHUP SIGUSR1 SIGTERM SIGINT nostop noprint pass
break $1
commands
silent
shell $2
continue
end
run
GDB
}

# stop_held_resolver: stop a resolver started under gdb_hold: Unbound first, by the PID in its
# pidfile (gdb does not pass its own SIGTERM on), then gdb, which ends with it.
stop_held_resolver() {
    kill -TERM "$(cat "$T/resolver.pid")" 2>/dev/null
    stop_resolver
}

# wait_answering NAME PID PORT: poll PORT (CH TXT version.server) for up to
# $START_SECONDS (default 10) s, die if not up.
wait_answering() {
    local name=$1 pid=$2 port=$3 i
    for i in $(seq $((${START_SECONDS:-10} * 10))); do
        pid_running "$pid" \
            || die "$name (pid $pid) exited during startup; see $T/$name.log and $T/$name.out:
$(tail -n 20 "$T/$name.log" "$T/$name.out" 2>/dev/null)"
        if dig @127.0.0.1 -p "$port" +tries=1 +time=1 -c CH -t TXT -q version.server 2>/dev/null \
                | grep -q 'status: NOERROR'; then
            return 0
        fi
        sleep 0.1
    done
    die "$name (pid $pid) did not answer on 127.0.0.1:$port within ${START_SECONDS:-10} s; see $T/$name.log"
}

# ---------------------------------------------------------------- auth server

# write_auth_conf: write $T/auth.conf, a stock Unbound serving TEST_ZONES from auth-zone:.
write_auth_conf() {
    local zone
    {
        cat <<EOF
# Authoritative server for the rrpolicy integration tests (stock Unbound, no module).
server:
    verbosity: 1
    interface: 127.0.0.1
    port: $AUTH_PORT
    do-ip4: yes
    do-ip6: no
    do-udp: yes
    do-tcp: yes
    num-threads: 1
    directory: "$T"
    chroot: ""
    username: ""
    pidfile: "$T/auth.pid"
    logfile: "$T/auth.log"
    use-syslog: no
    do-daemonize: no
    module-config: "iterator"
    # log every incoming query as "query: <ip> <name>. <TYPE> <CLASS>" (auth_saw reads it)
    log-queries: yes
    log-tag-queryreply: yes
    access-control: 127.0.0.0/8 allow
    # answer like a real authoritative server: glue and MX/SRV/NS targets in the additional section
    minimal-responses: no
    # answer only from the auth-zones: never send a query anywhere
    do-not-query-localhost: yes
EOF
        no_upstream_conf
        for zone in "${TEST_ZONES[@]}"; do
            cat <<EOF
auth-zone:
    name: "$zone"
    zonefile: "$ZONES_DIR/$zone.zone"
    for-downstream: yes
    for-upstream: no
    fallback-enabled: no
EOF
        done
    } >"$T/auth.conf"
}

# check_auth_zones: every test zone's SOA must come back authoritative (aa) from the auth server.
check_auth_zones() {
    local zone out
    for zone in "${TEST_ZONES[@]}"; do
        out=$(q_auth "$zone" SOA)
        if [ "$(rcode_of "$out")" != NOERROR ] || ! has_flag aa "$out"; then
            die "auth server does not serve $zone:
$out"
        fi
    done
}

# start_auth: start the authoritative server on a free port (AUTH_PORT, AUTH_PID, AUTH_CONF).
start_auth() {
    claim_port AUTH_PORT
    AUTH_CONF=$T/auth.conf
    write_auth_conf
    checkconf "$AUTH_CONF"
    start_unbound auth "$AUTH_CONF"
    wait_answering auth "$AUTH_PID" "$AUTH_PORT"
    check_auth_zones
    auth_mark
}

# restart_auth: stop the authoritative server and start it again on the same port, serving the
# zone files in ZONES_DIR as they are now (a test may point ZONES_DIR at its own copies and
# swap one).
restart_auth() {
    stop_named auth
    write_auth_conf
    start_unbound auth "$AUTH_CONF"
    wait_answering auth "$AUTH_PID" "$AUTH_PORT"
    check_auth_zones
    auth_mark
}

# stop_auth: stop the authoritative server.
stop_auth() {
    stop_named auth
    AUTH_PID=""
}

# q_auth NAME TYPE [dig options]: query the auth server directly (no recursion).
q_auth() {
    local name=$1 type=$2
    shift 2
    dig @127.0.0.1 -p "$AUTH_PORT" +norec +tries=1 +time=2 "$@" "$name" "$type"
}

# auth_mark: make auth_saw/auth_count ignore the queries the auth server has logged so far.
auth_mark() {
    AUTH_MARK=$(wc -l <"$T/auth.log")
}

# auth_count NAME TYPE: print how often the auth server logged query NAME TYPE since auth_mark.
auth_count() {
    local name=${1,,} type=${2^^}
    name=${name%.}.
    tail -n "+$((AUTH_MARK + 1))" "$T/auth.log" \
        | awk -v n="$name" -v t="$type" '$3 == "query:" && tolower($5) == n && $6 == t { c++ }
                                         END { print c + 0 }'
}

# auth_saw NAME TYPE: true if the auth server logged query NAME TYPE (class IN) since auth_mark.
auth_saw() {
    [ "$(auth_count "$1" "$2")" -gt 0 ]
}

# ---------------------------------------------------------------- resolver

# module_config: print the module-config the resolver uses (with the module if RRPOLICY_SO is set).
module_config() {
    if [ -n "${RRPOLICY_SO:-}" ]; then
        echo "dynlib validator iterator"
    else
        echo "validator iterator"
    fi
}

# write_resolver_conf [LINES...]: write $T/resolver.conf; LINES go at the end of server:.
write_resolver_conf() {
    local zone line
    {
        cat <<EOF
# Resolver under test: module-config "$(module_config)".
server:
    verbosity: ${RESOLVER_VERBOSITY:-1}
    interface: 127.0.0.1
    port: $RESOLVER_PORT
    do-ip4: yes
    do-ip6: no
    do-udp: yes
    do-tcp: yes
    num-threads: 1
    directory: "$T"
    chroot: ""
    username: ""
    pidfile: "$T/resolver.pid"
    logfile: "$T/resolver.log"
    use-syslog: no
    do-daemonize: no
    module-config: "$(module_config)"
    ede: yes
    val-log-level: 2
    trust-anchor-file: "$TRUST_ANCHORS"
    access-control: 127.0.0.0/8 allow
    # the auth server is on 127.0.0.1; nothing outside 127.0.0.0/8 may ever be queried
    do-not-query-localhost: no
EOF
        no_upstream_conf
        echo "    # the harness listens on these ports: never use them for outgoing queries"
        echo "    outgoing-port-avoid: $PORT_MIN-$PORT_MAX"
        for line in "$@"; do
            echo "    $line"
        done
        cat <<EOF
remote-control:
    control-enable: yes
    control-interface: 127.0.0.1
    control-port: $CONTROL_PORT
    control-use-cert: no
EOF
        if [ -n "${RRPOLICY_SO:-}" ]; then
            printf 'dynlib:\n    dynlib-file: "%s"\n' "$RRPOLICY_SO"
        fi
        for zone in "${TEST_ZONES[@]}"; do
            printf 'stub-zone:\n    name: "%s"\n    stub-addr: 127.0.0.1@%s\n' "$zone" "$AUTH_PORT"
        done
    } >"$T/resolver.conf"
}

# start_resolver [LINES...]: start the resolver under test (starts the auth server if needed).
# LINES are extra server: options, e.g. start_resolver "qname-minimisation: no".
# Sets RESOLVER_PORT, CONTROL_PORT, RESOLVER_PID, RESOLVER_CONF; RRPOLICY_DB is exported.
start_resolver() {
    [ -n "${AUTH_PID:-}" ] || start_auth
    if [ -n "${RRPOLICY_SO:-}" ]; then
        RRPOLICY_SO=$(realpath "$RRPOLICY_SO")
        [ -f "$RRPOLICY_SO" ] || die "RRPOLICY_SO=$RRPOLICY_SO does not exist"
    fi
    export RRPOLICY_DB
    claim_port RESOLVER_PORT
    claim_port CONTROL_PORT
    RESOLVER_CONF=$T/resolver.conf
    write_resolver_conf "$@"
    checkconf "$RESOLVER_CONF"
    start_unbound resolver "$RESOLVER_CONF"
    wait_answering resolver "$RESOLVER_PID" "$RESOLVER_PORT"
}

# stop_resolver: stop the resolver under test (start_resolver may be called again after it).
stop_resolver() {
    stop_named resolver
    RESOLVER_PID=""
}

# uctl ARGS...: unbound-control for the resolver under test.
uctl() {
    "$UNBOUND_CONTROL" -c "$RESOLVER_CONF" "$@"
}

# uctl_stat NAME: one counter of unbound-control stats_noreset, e.g. total.num.cachehits.
uctl_stat() {
    uctl stats_noreset | sed -n "s/^$1=//p"
}

# log_has REGEX [LOG]: true if the resolver log (or LOG, e.g. "$T/auth.log") matches REGEX (grep -E).
log_has() {
    grep -qE -- "$1" "${2:-$T/resolver.log}"
}

# wait_log REGEX [SECONDS] [LOG]: wait up to SECONDS (default 5) for the log to match REGEX.
wait_log() {
    local i
    for i in $(seq $((${2:-5} * 10))); do
        log_has "$1" "${3:-}" && return 0
        sleep 0.1
    done
    return 1
}

# ---------------------------------------------------------------- policy helpers

# sql SQL...: run SQL with the sqlite3 CLI on the policy database, as an operator would;
# a failure here is a harness error (the statement was meant to succeed).
sql() {
    sqlite3 -bail -cmd '.timeout 5000' "$RRPOLICY_DB" "$@" || die "sqlite3 $RRPOLICY_DB failed: $*"
}

# add_rule VAR COLUMNS VALUES: INSERT INTO policy(COLUMNS) VALUES (VALUES); store the new id in VAR.
add_rule() {
    local id
    id=$(sql "INSERT INTO policy($2) VALUES ($3); SELECT last_insert_rowid();")
    [[ "$id" =~ ^[0-9]+$ ]] || die "INSERT INTO policy($2) VALUES ($3) gave no id: $id"
    printf -v "$1" '%s' "$id"
}

# wait_answer NAME TYPE EXPECTED: poll for up to 5 s until `answer NAME TYPE` is EXPECTED.
wait_answer() {
    local i
    for i in $(seq 50); do
        [ "$(answer "$1" "$2")" = "$3" ] && return 0
        sleep 0.1
    done
    return 1
}

# wait_count PATTERN N: wait up to 3 s until N lines of the resolver log match PATTERN (grep -E).
wait_count() {
    local i
    for i in $(seq 30); do
        [ "$(grep -cE "$1" "$T/resolver.log")" = "$2" ] && return 0
        sleep 0.1
    done
    return 1
}

# hits_of RULE_ID: rows of table hit for a rule.
hits_of() { sql "SELECT count(*) FROM hit WHERE policy_id = $1;"; }

# wait_hits_of RULE_ID N: wait up to 5 s for N rows of a rule, print the count.
wait_hits_of() {
    local i
    for i in $(seq 50); do
        [ "$(hits_of "$1")" -ge "$2" ] && break
        sleep 0.1
    done
    hits_of "$1"
}

# settled CMD...: CMD's output (hits_of RULE, sql QUERY) once two runs 0.5 s apart agree (at most
# 10 s): a count of hits that the writer, which writes every 200 ms, no longer moves.
settled() {
    local i a b
    b=$("$@")
    for i in $(seq 20); do
        sleep 0.5
        a=$b
        b=$("$@")
        [ "$a" = "$b" ] && break
    done
    echo "$b"
}

# rev: the revision of the rules in the database (view status).
rev() { sql 'SELECT revision FROM status;'; }

# wait_applied REVISION: wait up to 5 s until the module loaded a revision after REVISION.
wait_applied() {
    local i
    for i in $(seq 50); do
        [ "$(sql 'SELECT coalesce(loaded_revision, -1) FROM status;')" -gt "$1" ] && return 0
        sleep 0.1
    done
    return 1
}

# sql_open NAME SQL: an operator's sqlite3 session on $RRPOLICY_DB, registered as NAME and fed
# through fd 7 of this shell, that runs SQL (which may leave a transaction open, such as "BEGIN
# IMMEDIATE; ...") and waits up to 5 s until it has (sql_opened NAME tells); sql_close ends it.
# Its output is in $T/NAME.out.
sql_open() {
    local i
    mkfifo "$T/$1.in"
    sqlite3 "$RRPOLICY_DB" < "$T/$1.in" > "$T/$1.out" 2>&1 &
    register_pid "$1" $!
    exec 7>"$T/$1.in"
    echo "$2 SELECT 'sql_open done';" >&7
    for i in $(seq 50); do sql_opened "$1" && break; sleep 0.1; done
}

# sql_opened NAME: true once sql_open's session NAME has run its SQL.
sql_opened() {
    grep -qx 'sql_open done' "$T/$1.out"
}

# sql_close [SQL]: send SQL (by default ROLLBACK) to sql_open's session and close its input. The
# session may read on (a process started meanwhile holds fd 7 too): stop it with stop_named.
sql_close() {
    echo "${1:-ROLLBACK;}" >&7
    exec 7>&-
}

# live CMD...: run CMD (sql or add_rule: a change to the rules or settings), then wait up to 5 s
# until the module has loaded it (its status names a later revision, written after the load's
# cache sweep); die if it did not.
live() {
    local r
    r=$(rev)
    "$@"
    wait_applied "$r" || die "the module did not load this change within 5 s: $*"
}

# reload: unbound-control reload, then wait until the resolver has started again and answers.
reload() {
    local n out
    # a resolver that cannot write its logfile (another user) logs to resolver.out
    n=$(cat "$T/resolver.log" "$T/resolver.out" 2>/dev/null | grep -c 'start of service')
    out=$(uctl reload 2>&1)
    [ "$out" = ok ] || die "unbound-control reload said: $out"
    for _ in $(seq 100); do
        [ "$(cat "$T/resolver.log" "$T/resolver.out" 2>/dev/null | grep -c 'start of service')" -gt "$n" ] && break
        sleep 0.1
    done
    [ "$(cat "$T/resolver.log" "$T/resolver.out" 2>/dev/null | grep -c 'start of service')" -gt "$n" ] \
        || die "resolver did not restart within 10 s after reload"
    wait_answering resolver "$RESOLVER_PID" "$RESOLVER_PORT"
}

# The real answer to spammer.com MX from the test zones, as answer prints it.
REAL_MX="NOERROR spammer.com. IN MX 10 aspmx.l.google.com. spammer.com. IN MX 20 alt1.aspmx.l.google.com. "

# soa APEX [TTL]: the SOA of a synthesized negative answer, as answer_of/authority_of print it.
soa() {
    echo "$1 IN SOA localhost. nobody.invalid. 1 3600 600 86400 ${2:-60}"
}

# answer NAME TYPE: rcode and answer section of a query, on one line.
answer() {
    local out
    out=$(q "$1" "$2")
    echo "$(rcode_of "$out") $(answer_of "$out" | tr '\n' ' ')"
}

# ---------------------------------------------------------------- queries and parsing

# q NAME TYPE [dig options]: query the resolver under test (+tries=1 +time=2), print dig's output.
q() {
    local name=$1 type=$2
    shift 2
    dig @127.0.0.1 -p "$RESOLVER_PORT" +tries=1 +time=2 "$@" "$name" "$type"
}

# rcode_of OUT: print the rcode (NOERROR, NXDOMAIN, SERVFAIL, ...) of dig output, NOREPLY if none.
rcode_of() {
    local rc
    rc=$(sed -n 's/^;; ->>HEADER<<-.* status: \([A-Z0-9]*\),.*/\1/p' <<<"$1" | head -n 1)
    echo "${rc:-NOREPLY}"
}

# flags_of OUT: print the header flags of dig output, e.g. "qr rd ra ad".
flags_of() {
    sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p' <<<"$1" | head -n 1
}

# has_flag FLAG OUT: true if the header flags of dig output include FLAG (aa, ad, tc, ...).
has_flag() {
    [[ " $(flags_of "$2") " == *" $1 "* ]]
}

# section_raw NAME OUT: print the lines of dig's NAME section (ANSWER, AUTHORITY, ADDITIONAL).
section_raw() {
    awk -v s=";; $1 SECTION:" '$0 == s { on = 1; next } on && /^$/ { exit } on { print }' <<<"$2"
}

# section_of NAME OUT: the NAME section as sorted "owner class type rdata" lines (no TTL).
section_of() {
    section_raw "$1" "$2" | awk '{ $2 = ""; sub(/  /, " "); print }' | LC_ALL=C sort
}

# answer_of OUT: the answer section, sorted, TTL removed, e.g. "spammer.com. IN A 192.0.2.10".
answer_of() {
    section_of ANSWER "$1"
}

# authority_of OUT: the authority section, sorted, TTL removed.
authority_of() {
    section_of AUTHORITY "$1"
}

# additional_of OUT: the additional section, sorted, TTL removed (OPT pseudo-RR not included).
additional_of() {
    section_of ADDITIONAL "$1"
}

# ttls_of NAME OUT: print the TTLs of the records in dig's NAME section, one per line.
ttls_of() {
    section_raw "$1" "$2" | awk '{ print $2 }'
}

# ede_of OUT: print the EDE info-code of dig output ("; EDE: 15 (Blocked): (text)" -> 15).
ede_of() {
    sed -n 's/^; EDE: \([0-9]*\).*/\1/p' <<<"$1" | head -n 1
}

# ede_text_of OUT: print the EDE extra text of dig output ("...: (text)" -> text).
ede_text_of() {
    sed -n 's/^; EDE: [0-9]* ([^)]*): (\(.*\))$/\1/p' <<<"$1" | head -n 1
}

# ---------------------------------------------------------------- assertions

# check_ede DESC OUT CODE RULE_ID: EDE CODE with the text "rrpolicy: rule RULE_ID".
check_ede() {
    check_eq "$1: EDE code" "$3" "$(ede_of "$2")"
    check_eq "$1: EDE text names the rule" "rrpolicy: rule $4" "$(ede_text_of "$2")"
}

# check_ttls DESC MAX TTLS: every TTL in TTLS (one per line, at least one) is at most MAX and at
# least MAX - 30: a blocked answer leaves the module with MAX, and counts down in the cache.
check_ttls() {
    check "$1" awk -v max="$2" 'NF { n++; if ($1 > max || $1 < max - 30) bad = 1 }
        END { exit (bad || !n) }' <<<"$3"
}

# report_ok DESC / report_fail DESC: count and print one result.
report_ok() {
    PASSED=$((PASSED + 1))
    echo "ok - $1"
}
report_fail() {
    FAILED=$((FAILED + 1))
    echo "not ok - $1"
}

# indent TEXT: print TEXT with every line prefixed by "#     ".
indent() {
    sed 's/^/#     /' <<<"$1"
}

# check DESC COMMAND...: pass if COMMAND exits 0; on failure show its exit code and output.
check() {
    local desc=$1 out rc
    shift
    out=$("$@" 2>&1)
    rc=$?
    if [ "$rc" -eq 0 ]; then
        report_ok "$desc"
    else
        report_fail "$desc"
        echo "#   command: $* (exit $rc)"
        [ -z "$out" ] || indent "$out"
    fi
}

# check_eq DESC EXPECTED ACTUAL: pass if the two strings are equal; on failure show both.
check_eq() {
    if [ "$2" = "$3" ]; then
        report_ok "$1"
    else
        report_fail "$1"
        echo "#   expected:"
        indent "$2"
        echo "#   actual:"
        indent "$3"
    fi
}

# check_sql DESCRIPTION EXPECTED QUERY: QUERY prints EXPECTED within 5 s. For what the module writes
# to module_status: it writes it after a load's log line and answers, or at the next poll when the
# hit writer held the database's write lock.
check_sql() {
    local i out
    for i in $(seq 50); do
        out=$(sql "$3")
        [ "$out" = "$2" ] && break
        sleep 0.1
    done
    check_eq "$1" "$2" "$out"
}

# not COMMAND...: negate COMMAND, for check: check "no upstream query" not auth_saw x.com MX.
not() {
    ! "$@"
}

# finish: print "N passed, M failed" and exit 1 if anything failed (or nothing was checked).
finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ] || exit 1
    exit 0
}

# ---------------------------------------------------------------- setup on source

find_unbound
make_tmpdir
RRPOLICY_DB=$T/policy.db    # tests may change it before start_resolver
trap on_exit EXIT
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM
