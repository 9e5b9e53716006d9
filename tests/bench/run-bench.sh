#!/usr/bin/env bash
# run-bench.sh - rrpolicy side by side with stock Unbound and Unbound's RPZ.
#
# One run, on loopback, with one Unbound binary throughout: the configurations
# (stock, rrpolicy with 0 / 10k / big rules, RPZ with big names) are run
# interleaved round-robin over rounds, each round in a fresh resolver
# process, against an NSD serving a generated zone. Then each configuration
# runs once more under callgrind for instructions per query. The figures,
# each a ratio to stock (median over the rounds), go to a Markdown file.
# See README.md in this directory. Benchmarks are not tests: nothing in
# `make check` runs this, and it asserts nothing.
#
# usage: tests/bench/run-bench.sh [--quick|--full] [--rounds N] [--out FILE]
#                                 [--configs LIST] [--keep] [--no-pin] [--so FILE]

set -u -o pipefail
if [ "${BENCH_TRACE:-}" ]; then   # BENCH_TRACE=FILE: a timed shell trace, to find slow steps
    exec 9>>"$BENCH_TRACE"
    BASH_XTRACEFD=9
    PS4='+ ${EPOCHREALTIME} '
    set -x
fi

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/../.." && pwd)
COMMAND_LINE="tests/bench/run-bench.sh${*:+ $*}"

usage() {
    cat <<'EOF'
usage: tests/bench/run-bench.sh [options]
  --quick          short runs, 100k rules/names instead of 1M, 1 round, 3 pairs, callgrind
                   only for stock, stockmt, rrpbig, rrpnothr (default; < 2 min)
  --full           the results-file run: 1M rules/names, 5 rounds, 15 pairs, longer runs (~45 min)
  --rounds N       number of rounds (default: 1 quick, 5 full)
  --out FILE       Markdown output (default: tests/bench/RESULTS.md)
  --configs LIST   comma-separated subset of stock,rrp0,rrp10k,rrpbig,rrpcnt,rpzbig (stock
                   first); rrpcnt is rrpbig with setting hit_log = 2 (hits counted per minute)
  --no-callgrind   skip the callgrind phase
  --callgrind-only only the callgrind phase: no rounds, no throughput or latency run; prints
                   the instructions per query of each configuration and workload (to stdout,
                   or to --out FILE)
  --cg-workloads LIST  comma-separated callgrind workloads among hit,blocked,miss
                   (default: hit,blocked quick, hit,blocked,miss full)
  --apply, --no-apply  measure (or not) applying a change under load (default: full yes, quick no)
  --apply-full     make the insert one that reads every row again (an INSERT with id 0, below
                   the highest, with the change log emptied in the same transaction, as after
                   more changes than it keeps) instead of a plain INSERT
  --apply-only     only that measurement (and the cache-hit run that sets its rate): no other
                   workload, no callgrind; prints a short table of the per-round figures
                   (to stdout, or to --out FILE)
  --pairs N        paired runs after the rounds (default 3 quick, 15 full; 0: none): stock and
                   the big rrpolicy configs (rrpbig, rrpcnt) run side by side, one long-lived
                   process each, and take turns with short saturation runs of hits, blocked
                   names and misses; the goals on capacity are decided on the ratios of those
                   pairs, with a confidence interval for their median
  --pairs-only     only the paired runs: no rounds, no callgrind, no apply; prints a short table
                   (to stdout, or to --out FILE)
  --apply-changes LIST  the changes measured, in order, each under its own load: insert (block
                   h1.hit.bench A), update (that rule's action to nxdomain), delete (that rule);
                   default insert, with --apply-only insert,update,delete (rrpolicy only: RPZ
                   and stock get insert's load for each); reload: `unbound-control reload` under
                   the same load, for every configuration (what an operator who applies edits
                   that way costs the clients: the queries left unanswered)
  --keep           keep the work directory (configs, logs, raw data, callgrind files)
  --no-pin         do not pin the resolver to CPU 1 and the load generator/NSD to CPU 0
  --so FILE        rrpolicy.so to load (default: module/.libs/rrpolicy.so, copied at start)
Environment: UNBOUND_PREFIX (default from build/unbound/unbound.env), TMPDIR,
  BENCH_DURATION / BENCH_LAT_DURATION (seconds per saturation / latency run),
  CG_CACHE (callgrind's cache model, default a Zen 4 core: --I1=32768,8,64 --D1=49152,12,64
  --LL=33554432,16,64).
EOF
}

MODE=quick
ROUNDS=""
OUT=$BENCH_DIR/RESULTS.md
CONFIGS_ARG=""
KEEP=0
PIN=1
CALLGRIND=1
APPLY=""
APPLY_ONLY=0
APPLY_ID=""
APPLY_CHANGES=""
CG_ONLY=0
CG_WORKLOADS_ARG=""
PAIRS=""
PAIRS_ONLY=0
OUT_GIVEN=0
SO_SRC=$REPO_ROOT/module/.libs/rrpolicy.so
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) MODE=quick ;;
        --full) MODE=full ;;
        --rounds) ROUNDS=${2:?--rounds needs a number}; shift ;;
        --out) OUT=${2:?--out needs a file}; OUT_GIVEN=1; shift ;;
        --configs) CONFIGS_ARG=${2:?--configs needs a list}; shift ;;
        --keep) KEEP=1 ;;
        --no-pin) PIN=0 ;;
        --no-callgrind) CALLGRIND=0 ;;
        --callgrind-only) CG_ONLY=1 CALLGRIND=1 APPLY=0 ;;
        --cg-workloads) CG_WORKLOADS_ARG=${2:?--cg-workloads needs a list}; shift ;;
        --apply) APPLY=1 ;;
        --no-apply) APPLY=0 ;;
        --apply-only) APPLY_ONLY=1 APPLY=1 CALLGRIND=0 ;;
        --apply-full) APPLY_ID=0 ;;
        --apply-changes) APPLY_CHANGES=${2:?--apply-changes needs a list}; shift ;;
        --pairs) PAIRS=${2:?--pairs needs a number}; shift ;;
        --pairs-only) PAIRS_ONLY=1 CALLGRIND=0 APPLY=0 ;;
        --so) SO_SRC=${2:?--so needs a file}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "run-bench: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

# ---------------------------------------------------------------- parameters
if [ "$MODE" = full ]; then
    : "${ROUNDS:=5}"
    BIG=1000000            # rules of the big rrpolicy config, names of the RPZ config
    BIG_LABEL=1M
    DURATION=${BENCH_DURATION:-3}          # seconds of each saturation run
    LAT_DURATION=${BENCH_LAT_DURATION:-2}  # seconds of each fixed-rate latency run
    LAT_TIMEOUT=1          # dnsperf -t: a query lost in a latency run counts as this
    HIT_NAMES=20000        # warm names of the cache-hit workload
    BLOCKED_NAMES=100000   # at most this many blocked queries (the 10k database has 8,500)
    MISS_NAMES=400000      # names of the miss zone (each resolver process starts cold)
    CG_N1=2000             # callgrind: the two run lengths
    CG_N2=12000
    CG_MISS_N1=1000
    CG_MISS_N2=6000
    CG_IDLE=2              # seconds of idle time measured
    CG_JOBS=${CG_JOBS:-3}  # configurations under callgrind at once
    CG_GAP_MS=${CG_GAP_MS:-2}  # pause after each answer: the resolver waits before the next
    CG_WORKLOADS="hit blocked miss"
    CG_LEAVE_OUT=""        # configurations not run under callgrind
    START_TIMEOUT=120      # seconds a resolver may take to answer after start
    CG_START_TIMEOUT=900   # the same under valgrind (RPZ with 1M names is slow)
    : "${APPLY:=1}"        # measure applying a change under load
    APPLY_DURATION=6       # seconds of load around the change (made after 1 s)
    : "${PAIRS:=15}"       # paired runs (15: the median's 96% interval is ranks 4 to 12)
else
    : "${ROUNDS:=1}"       # the paired runs compare the capacities
    BIG=100000
    BIG_LABEL=100k
    DURATION=${BENCH_DURATION:-0.3}
    LAT_DURATION=${BENCH_LAT_DURATION:-0.25}
    LAT_TIMEOUT=0.5
    HIT_NAMES=2000
    BLOCKED_NAMES=1000
    MISS_NAMES=60000
    CG_N1=100
    CG_N2=600
    CG_MISS_N1=50
    CG_MISS_N2=250
    CG_IDLE=0.5
    CG_JOBS=${CG_JOBS:-5}
    CG_GAP_MS=${CG_GAP_MS:-2}
    CG_WORKLOADS="hit blocked"
    CG_LEAVE_OUT="rrp0 rrp10k rrpcnt rpzbig stockw2 rrpw2"
    START_TIMEOUT=60
    CG_START_TIMEOUT=300
    : "${APPLY:=0}"
    APPLY_DURATION=3
    : "${PAIRS:=3}"
fi
MID=10000
# callgrind's cache model: the caches stated rather than detected (this VM reports a 512 MB
# 2-way last level), a Zen 4 core's L1s and its 32 MB L3 as the last level
CG_CACHE=${CG_CACHE:---I1=32768,8,64 --D1=49152,12,64 --LL=33554432,16,64}
if [ -n "$CG_WORKLOADS_ARG" ]; then
    CG_WORKLOADS=${CG_WORKLOADS_ARG//,/ }
    for w in $CG_WORKLOADS; do
        case $w in hit|blocked|miss) ;; *) echo "run-bench: unknown callgrind workload $w" >&2; exit 2 ;; esac
    done
fi
if [ -z "$APPLY_CHANGES" ]; then
    if [ "$APPLY_ONLY" = 1 ]; then APPLY_CHANGES=insert,update,delete; else APPLY_CHANGES=insert; fi
fi
case ",$APPLY_CHANGES," in
    *,insert,*) ;;
    *) echo "run-bench: --apply-changes must include insert (update and delete change its rule)" >&2; exit 2 ;;
esac
APPLY_CHANGES=${APPLY_CHANGES//,/ }
for change in $APPLY_CHANGES; do
    case $change in insert|update|delete|reload) ;;
        *) echo "run-bench: unknown change $change (insert, update, delete, reload)" >&2; exit 2 ;;
    esac
done
SAT_OUTSTANDING=100        # dnsperf -q of saturation runs of cache workloads
MISS_OUTSTANDING=200       # ... and of cache-miss runs
CACHE_WORKLOADS="hit blocked mix1 mix10"
ALL_CONFIGS="stock rrp0 rrp10k rrpbig rrpcnt rpzbig"
CONFIGS=${CONFIGS_ARG:-$ALL_CONFIGS}
CONFIGS=${CONFIGS//,/ }
case "$ROUNDS" in ''|*[!0-9]*|0) echo "run-bench: --rounds needs a positive number" >&2; exit 2 ;; esac
case "$PAIRS" in ''|*[!0-9]*) echo "run-bench: --pairs needs a number" >&2; exit 2 ;; esac
if [ "$PAIRS_ONLY" = 1 ] && [ "$PAIRS" = 0 ]; then
    echo "run-bench: --pairs-only needs --pairs above 0" >&2; exit 2
fi
for c in $CONFIGS; do
    case " $ALL_CONFIGS " in *" $c "*) ;; *) echo "run-bench: unknown config $c" >&2; exit 2 ;; esac
done
[ "${CONFIGS%% *}" = stock ] || { echo "run-bench: the config list must start with stock" >&2; exit 2; }
# Ports: below Linux's ephemeral range and apart from the integration tests' 20000-29999.
PORT_MIN=10000
PORT_MAX=19999

# ---------------------------------------------------------------- helpers
BENCH_T0=$(date +%s.%N)
log() {
    printf '[%6.1fs] %s\n' "$(echo "$(date +%s.%N) - $BENCH_T0" | bc)" "$*" >&2
}
die() {
    echo "run-bench: error: $*" >&2
    FAILED=1
    exit 1
}
FAILED=0
PIDS=()          # every process started, stopped at exit by its PID
PID_NAMES=()

register_pid() { PID_NAMES+=("$1"); PIDS+=("$2"); }
unregister_pid() {
    local i
    for i in "${!PIDS[@]}"; do
        [ "${PIDS[$i]}" = "$1" ] && unset 'PIDS[i]' 'PID_NAMES[i]'
    done
}
pid_running() {
    local state
    kill -0 "$1" 2>/dev/null || return 1
    state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)
    [ -n "$state" ] && [ "$state" != Z ]
}
# stop_pid PID [SECONDS]: SIGTERM, wait (default 20 s: valgrind writes its files), SIGKILL.
stop_pid() {
    local pid=$1 limit=${2:-20} i t0
    [ -n "$pid" ] || return 0
    t0=$(now_ms)
    if pid_running "$pid"; then
        kill -TERM "$pid" 2>/dev/null
        for ((i = 0; i < limit * 10; i++)); do
            pid_running "$pid" || break
            sleep 0.1
        done
        if pid_running "$pid"; then
            echo "run-bench: pid $pid ignored SIGTERM, sending SIGKILL" >&2
            kill -KILL "$pid" 2>/dev/null
        fi
    fi
    wait "$pid" 2>/dev/null
    unregister_pid "$pid"
    [ -z "${W:-}" ] || echo "$(( $(now_ms) - t0 )) ms: stop $pid" >>"$W/steps.log"
    return 0
}
stop_all() {
    local i idx=("${!PIDS[@]}")
    for ((i = ${#idx[@]} - 1; i >= 0; i--)); do
        stop_pid "${PIDS[${idx[$i]}]}"
    done
    PIDS=()
    PID_NAMES=()
}
on_exit() {
    local rc=$?
    trap - EXIT INT TERM
    stop_all
    if [ -n "${W:-}" ] && [ -d "$W" ]; then
        if [ "$rc" -eq 0 ] && [ "$FAILED" -eq 0 ] && [ "$KEEP" != 1 ]; then
            rm -rf "$W"
        else
            echo "run-bench: work directory kept: $W" >&2
        fi
    fi
    exit "$rc"
}
on_signal() {
    echo "run-bench: interrupted by SIG$1" >&2
    FAILED=1
    [ "$1" = INT ] && exit 130
    exit 143
}
trap on_exit EXIT
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM

# run_wait NAME CMD...: run CMD in the background, registered, and wait for it
# (so that a signal interrupts the wait and the trap stops it by its PID).
# Each is timed in $W/steps.log.
run_wait() {
    local name=$1 pid rc t0
    shift
    t0=$(now_ms)
    "$@" &
    pid=$!
    register_pid "$name" "$pid"
    wait "$pid"
    rc=$?
    unregister_pid "$pid"
    echo "$(( $(now_ms) - t0 )) ms rc $rc: $*" >>"$W/steps.log"
    return "$rc"
}

LOADGEN_CPU=()
RESOLVER_CPU=()
if [ "$PIN" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
    LOADGEN_CPU=(taskset -c 0)
    RESOLVER_CPU=(taskset -c 1)
fi

USED_PORTS=" "
# port_free PORT: nothing listens on or uses PORT (TCP or UDP).
port_free() {
    [ -z "$(ss -Htuan "( sport = :$1 )" 2>/dev/null)" ]
}
# claim_port VAR: a free port in PORT_MIN..PORT_MAX, not handed out before.
claim_port() {
    local i port
    for i in $(seq 200); do
        port=$((PORT_MIN + RANDOM % (PORT_MAX - PORT_MIN + 1)))
        case "$USED_PORTS" in *" $port "*) continue ;; esac
        if port_free "$port"; then
            USED_PORTS="$USED_PORTS$port "
            printf -v "$1" '%s' "$port"
            return 0
        fi
    done
    die "no free port in $PORT_MIN-$PORT_MAX"
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# record ROUND CONFIG METRIC VALUE: one raw measurement.
record() {
    printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$RAW"
}

# child_pids PID: the child processes of PID (rrpolicy's hit log writer).
child_pids() {
    cat /proc/"$1"/task/*/children 2>/dev/null
}

# cpu_ns PID: CPU time used so far by every thread of PID and of its child processes (the hit
# log writer), in ns (schedstat).
cpu_ns() {
    local p
    for p in "$1" $(child_pids "$1"); do
        cat /proc/"$p"/task/*/schedstat 2>/dev/null
    done | awk '{ s += $1 } END { printf "%.0f\n", s }'
}

# worker_ns PID: CPU time of Unbound's worker, the main thread (num-threads: 1), in ns.
worker_ns() {
    awk '{ printf "%.0f\n", $1 }' /proc/"$1"/task/"$1"/schedstat 2>/dev/null
}

# proc_kb PID FIELD: VmRSS / VmHWM of PID in kB.
proc_kb() {
    awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null
}

# mem_kb PID FIELD: VmRSS / VmHWM of PID in kB, plus what its child processes (the hit log
# writer) hold alone (Private_Clean + Private_Dirty; what they share with PID, the pages of
# the fork not written since and the queue's shared memory, is in PID's figure).
mem_kb() {
    local p kb
    kb=$(proc_kb "$1" "$2")
    for p in $(child_pids "$1"); do
        kb=$((kb + $(awk '/^Private_(Clean|Dirty):/ { s += $2 } END { print s + 0 }' \
            "/proc/$p/smaps_rollup" 2>/dev/null)))
    done
    echo "$kb"
}

# wait_answering PID PORT TIMEOUT: poll CH TXT version.server until answered.
wait_answering() {
    local pid=$1 port=$2 limit=$3 t0
    t0=$(date +%s)
    while :; do
        pid_running "$pid" || return 1
        if dig @127.0.0.1 -p "$port" +tries=1 +time=1 -c CH -t TXT version.server 2>/dev/null \
                | grep -q 'status: NOERROR'; then
            return 0
        fi
        [ $(($(date +%s) - t0)) -lt "$limit" ] || return 1
        sleep 0.02
    done
}

# ---------------------------------------------------------------- prerequisites
if [ -z "${UNBOUND_PREFIX:-}" ] && [ -f "$REPO_ROOT/build/unbound/unbound.env" ]; then
    # shellcheck disable=SC1091
    . "$REPO_ROOT/build/unbound/unbound.env"
fi
[ -n "${UNBOUND_PREFIX:-}" ] || die "Unbound not found: run contrib/provision-unbound.sh or set UNBOUND_PREFIX"
UNBOUND=$UNBOUND_PREFIX/sbin/unbound
UNBOUND_CONTROL=$UNBOUND_PREFIX/sbin/unbound-control
UNBOUND_CHECKCONF=$UNBOUND_PREFIX/sbin/unbound-checkconf
[ -x "$UNBOUND" ] || die "no executable $UNBOUND"
"$REPO_ROOT/contrib/install-deps.sh" --bench || die "cannot install the benchmark's packages"
missing=""
for tool in dnsperf nsd sqlite3 dig python3 bc ss taskset; do
    command -v "$tool" >/dev/null || missing="$missing $tool"
done
if [ "$CALLGRIND" = 1 ]; then
    for tool in valgrind callgrind_control callgrind_annotate; do
        command -v "$tool" >/dev/null || missing="$missing $tool"
    done
fi
[ -z "$missing" ] || die "missing tools:$missing (apt-get install -y dnsperf nsd sqlite3 bind9-dnsutils python3 bc valgrind)"
NEED_SO=0
for c in $CONFIGS; do case $c in rrp*) NEED_SO=1 ;; esac; done
[ "$NEED_SO" = 0 ] || [ -f "$SO_SRC" ] || die "no module at $SO_SRC (run make in $REPO_ROOT, or give --so)"
[ -f "$REPO_ROOT/schema/schema.sql" ] || die "no schema/schema.sql"

W=$(mktemp -d "${TMPDIR:-/tmp}/rrpolicy-bench.XXXXXX") || die "mktemp failed"
RAW=$W/raw.tsv
OUTDIR=$W        # where dnsperf's output goes
: >"$RAW"
log "mode $MODE, $ROUNDS rounds, configs: $CONFIGS; work directory $W"
# the same module file throughout, whatever happens to the build tree meanwhile
if [ "$NEED_SO" = 1 ]; then
    cp "$SO_SRC" "$W/rrpolicy.so" || die "cannot copy $SO_SRC"
fi

# ---------------------------------------------------------------- machine
{
    echo "nproc	$(nproc)"
    echo "cpu	$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
    echo "memory	$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "kernel	$(uname -sr)"
    echo "os	$(. /etc/os-release 2>/dev/null; echo "${PRETTY_NAME:-unknown}")"
    echo "unbound	$("$UNBOUND" -V 2>/dev/null | sed -n 's/^Version //p' | head -n 1) ($UNBOUND)"
    echo "rrpolicy	$(git -C "$REPO_ROOT" describe --always --dirty 2>/dev/null || echo unknown)"
    echo "dnsperf	$(dnsperf -h 2>&1 | sed -n 's/^Version //p' | head -n 1)"
    echo "nsd	$(nsd -v 2>&1 | sed -n 's/^NSD version //p' | head -n 1)"
    echo "valgrind	$(valgrind --version 2>/dev/null)"
    echo "loadavg_start	$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "pinning	$([ ${#RESOLVER_CPU[@]} -gt 0 ] && echo "resolver on CPU 1, dnsperf and NSD on CPU 0" || echo none)"
    echo "command	$COMMAND_LINE"
    echo "mode	$MODE"
    echo "rounds	$ROUNDS"
    echo "duration	$DURATION"
    echo "lat_duration	$LAT_DURATION"
    echo "lat_timeout	$LAT_TIMEOUT"
    echo "apply	$APPLY $APPLY_DURATION"
    echo "pairs	$PAIRS"
    echo "big	$BIG"
    echo "big_label	$BIG_LABEL"
    echo "hit_names	$HIT_NAMES"
    echo "cg_n	$CG_N1 $CG_N2 $CG_MISS_N1 $CG_MISS_N2"
    echo "cg_cache	$CG_CACHE"
    echo "started	$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
} >"$W/machine.tsv"

# config metadata for the report: name kind rules label
{
    echo "stock	stock	0	stock (validator iterator)"
    echo "stockmt	stock	0	stock + one idle thread (callgrind only)"
    echo "rrp0	rrpolicy	0	rrpolicy, 0 rules"
    echo "rrp10k	rrpolicy	$MID	rrpolicy, 10k rules"
    echo "rrpbig	rrpolicy	$BIG	rrpolicy, $BIG_LABEL rules"
    echo "rrpcnt	rrpolicy	$BIG	rrpolicy, $BIG_LABEL rules, hit_log = 2"
    echo "rrpnothr	rrpolicy	$BIG	rrpolicy, $BIG_LABEL rules, no module thread: poll_interval_ms = 0, a row per hit (callgrind and pairs)"
    echo "rpzbig	rpz	$BIG	RPZ, $BIG_LABEL names"
    # fifth column: the configuration the ratios are taken to (stock if none)
    echo "stockw2	stock	0	stock, num-threads: 2 (callgrind only)	stock"
    echo "rrpw2	rrpolicy	$BIG	rrpolicy, $BIG_LABEL rules, num-threads: 2 (callgrind only; ratio to stock with num-threads: 2)	stockw2"
} >"$W/configs.tsv"

# ---------------------------------------------------------------- data
# Rule i of every database (so the 10k database is the first 10k rules of the
# big one), by k = i % 20:
#   0-9   exact name eI-HEX.pol.bench, types MX MX MX A A AAAA TXT HTTPS * *, block
#   10-15 *.wI.pol.bench, types * * * TXT MX A, block
#   16    exact name, type *, nxdomain      17 exact name, MX, log
#   18    ok.w(I-8).pol.bench, type *, allow (an exception to rule I-8's *. rule)
#   19    exact name, A, nodata
# So: 50% exact names with a type (or *), 30% subtree rules, 20% other actions.
gen_rules_sql() {
    local n=$1
    cat <<EOF
PRAGMA journal_mode = MEMORY;
PRAGMA synchronous = OFF;
BEGIN;
WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < $n - 1)
INSERT INTO policy (name, type, action, comment)
SELECT CASE WHEN k BETWEEN 10 AND 15 THEN '*.w' || i || '.pol.bench'
            WHEN k = 18 THEN 'ok.w' || (i - 8) || '.pol.bench'
            ELSE 'e' || i || '-' || printf('%x', (i * 2654435761) % 4294967296) || '.pol.bench' END,
       CASE k WHEN 0 THEN 'MX' WHEN 1 THEN 'MX' WHEN 2 THEN 'MX' WHEN 3 THEN 'A'
              WHEN 4 THEN 'A' WHEN 5 THEN 'AAAA' WHEN 6 THEN 'TXT' WHEN 7 THEN 'HTTPS'
              WHEN 13 THEN 'TXT' WHEN 14 THEN 'MX' WHEN 15 THEN 'A' WHEN 17 THEN 'MX'
              WHEN 19 THEN 'A' ELSE '*' END,
       CASE k WHEN 16 THEN 'nxdomain' WHEN 17 THEN 'log' WHEN 18 THEN 'allow'
              WHEN 19 THEN 'nodata' ELSE 'block' END,
       'bench rule ' || i
FROM (SELECT i, i % 20 AS k FROM c);
COMMIT;
EOF
}

make_db() {
    local db=$1 n=$2
    sqlite3 "$db" <"$REPO_ROOT/schema/schema.sql" >/dev/null || die "schema failed for $db"
    # blocked answers stay cached as long as the names' real ones from NSD (TTL 86400) do: with
    # the default 60 s they expire during the callgrind runs (a name comes back every 100 s or
    # so there), which then measure their synthesis instead of the cache; at the query rates
    # of the saturation runs an expiry a minute per name costs nothing measurable
    sqlite3 "$db" "UPDATE setting SET value = '86400' WHERE key = 'negative_ttl'" \
        || die "cannot set negative_ttl in $db"
    if [ "$n" -gt 0 ]; then
        gen_rules_sql "$n" | sqlite3 "$db" >/dev/null || die "rule generation failed for $db"
    fi
    [ "$(sqlite3 "$db" 'SELECT count(*) FROM policy')" = "$n" ] || die "$db does not hold $n rules"
}

needs() { case " $CONFIGS " in *" $1 "*) return 0 ;; esac; return 1; }

log "generating databases and zones"
t0=$(now_ms)
make_db "$W/rules-0.db" 0
make_db "$W/rules-$MID.db" "$MID"
if needs rrpbig || needs rrpcnt || needs rpzbig; then
    make_db "$W/rules-$BIG.db" "$BIG"
fi
if needs rrpcnt; then
    cp "$W/rules-$BIG.db" "$W/rules-$BIG-counts.db" &&
        sqlite3 "$W/rules-$BIG-counts.db" "UPDATE setting SET value = '2' WHERE key = 'hit_log'" \
        || die "cannot make the database of rrpcnt"
fi
# rrpnothr (callgrind and pairs): rrpbig without the module's thread (no polling: changes apply
# on unbound-control reload; the hit log writer is a process in every configuration), to tell
# what the module's code costs a query from what being a multithreaded process costs
if needs rrpbig && { [ "$CALLGRIND" = 1 ] || [ "$PAIRS" -gt 0 ]; }; then
    cp "$W/rules-$BIG.db" "$W/rules-$BIG-nothread.db" &&
        sqlite3 "$W/rules-$BIG-nothread.db" "UPDATE setting SET value = '0'
                                             WHERE key = 'poll_interval_ms'" \
        || die "cannot make the database of rrpnothr"
fi
log "databases done in $(( $(now_ms) - t0 )) ms"
echo "dbgen_ms	$(( $(now_ms) - t0 ))" >>"$W/machine.tsv"

# blocked queries: every blocking rule of the 10k database (so every rule config blocks them)
sqlite3 -separator ' ' "$W/rules-$MID.db" "
    SELECT CASE WHEN name LIKE '*.%' THEN 'q' || id || substr(name, 2) ELSE name END,
           CASE WHEN type <> '*' THEN type
                WHEN id % 3 = 0 THEN 'A' WHEN id % 3 = 1 THEN 'MX' ELSE 'TXT' END
    FROM policy WHERE action NOT IN ('log', 'allow') ORDER BY id LIMIT $BLOCKED_NAMES" >"$W/blocked.q" \
    || die "cannot write blocked.q"
awk -v n="$HIT_NAMES" 'BEGIN { for (i = 0; i < n; i++) printf "h%d.hit.bench A\n", i }' >"$W/hit.q"
awk -v n="$MISS_NAMES" 'BEGIN { for (i = 0; i < n; i++) printf "m%d.miss.bench A\n", i }' >"$W/miss.q"
# mixes: hit names with every 100th / 10th query a blocked one
mkmix() {
    awk -v every="$1" 'NR == FNR { b[n++] = $0; next }
        { if ((FNR % every) == 0) print b[j++ % n]; else print }' "$W/blocked.q" "$W/hit.q"
}
mkmix 100 >"$W/mix1.q"
mkmix 10 >"$W/mix10.q"
cat "$W/hit.q" "$W/blocked.q" >"$W/prime.q"
head -n $((MISS_NAMES / 2)) "$W/miss.q" >"$W/miss-sat.q"
tail -n +$((MISS_NAMES / 2 + 1)) "$W/miss.q" >"$W/miss-lat.q"

# NSD zone: hit and miss names, and wildcards so that every rule name resolves (for stock)
{
    echo '$TTL 86400'
    echo 'bench. IN SOA ns.bench. hostmaster.bench. 1 3600 600 864000 86400'
    echo 'bench. IN NS ns.bench.'
    echo 'ns.bench. IN A 127.0.0.1'
    echo 'mx.bench. IN A 192.0.2.25'
    echo '*.pol.bench. IN A 203.0.113.1'
    echo '*.pol.bench. IN AAAA 2001:db8::1'
    echo '*.pol.bench. IN MX 10 mx.bench.'
    echo '*.pol.bench. IN TXT "v=bench"'
    awk -v h="$HIT_NAMES" -v m="$MISS_NAMES" 'BEGIN {
        for (i = 0; i < h; i++) printf "h%d.hit.bench. IN A 192.0.2.%d\n", i, i % 250 + 1
        for (i = 0; i < m; i++) printf "m%d.miss.bench. IN A 198.51.100.%d\n", i, i % 250 + 1 }'
} >"$W/bench.zone"

# RPZ zone: every name of the big database; allow rules become rpz-passthru
if needs rpzbig; then
    {
        echo '$TTL 3600'
        echo '$ORIGIN rpz.bench.'
        echo '@ IN SOA localhost. nobody.invalid. 1 3600 600 86400 60'
        echo '@ IN NS localhost.'
        sqlite3 "$W/rules-$BIG.db" "
            SELECT name || CASE action WHEN 'allow' THEN ' CNAME rpz-passthru.' ELSE ' CNAME .' END
            FROM policy ORDER BY id"
    } >"$W/rpz.zone" || die "cannot write rpz.zone"
fi
log "query files and zones written"

# ---------------------------------------------------------------- NSD
claim_port NSD_PORT
mkdir -p "$W/nsd"
cat >"$W/nsd/nsd.conf" <<EOF
server:
    ip-address: 127.0.0.1@$NSD_PORT
    do-ip6: no
    server-count: 1
    database: ""
    zonelistfile: "$W/nsd/zone.list"
    xfrdfile: "$W/nsd/xfrd.state"
    xfrdir: "$W/nsd"
    pidfile: "$W/nsd/nsd.pid"
    logfile: "$W/nsd/nsd.log"
    username: ""
    chroot: ""
    zonesdir: "$W"
    verbosity: 1
    hide-version: no
    # no response rate limiting: its truncated "slip" answers to the priming's flood of
    # wildcard names sent the resolvers that ask upstream for them (stock, rrp0) to TCP, and
    # the idle TCP connection Unbound then keeps (tcp-reuse-timeout, 60 s) is a timer that
    # every pass of its event loop computes: about 110 instructions per cache hit that the
    # configurations which block those names never paid
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
remote-control:
    control-enable: no
zone:
    name: "bench."
    zonefile: "$W/bench.zone"
EOF
nsd-checkconf "$W/nsd/nsd.conf" || die "nsd-checkconf rejected $W/nsd/nsd.conf"
"${LOADGEN_CPU[@]}" nsd -d -c "$W/nsd/nsd.conf" >"$W/nsd/nsd.out" 2>&1 &
NSD_PID=$!
register_pid nsd "$NSD_PID"
for i in $(seq 600); do
    pid_running "$NSD_PID" || die "nsd exited: $(tail -n 5 "$W/nsd/nsd.log" "$W/nsd/nsd.out")"
    dig @127.0.0.1 -p "$NSD_PORT" +norec +tries=1 +time=1 "m$((MISS_NAMES - 1)).miss.bench" A 2>/dev/null \
        | grep -q 'status: NOERROR' && break
    sleep 0.1
done
dig @127.0.0.1 -p "$NSD_PORT" +norec +tries=1 +time=1 h0.hit.bench A | grep -q 'status: NOERROR' \
    || die "nsd does not serve bench. on port $NSD_PORT"
log "nsd serving bench. on 127.0.0.1@$NSD_PORT"

# ---------------------------------------------------------------- resolver
# write_conf CONFIG DIR PORT CONTROL_PORT: the resolver's unbound.conf.
write_conf() {
    local cfg=$1 dir=$2 port=$3 cport=$4 modules net
    case $cfg in
        stock*) modules="validator iterator" ;;
        rrp*) modules="dynlib validator iterator" ;;
        rpz*) modules="respip validator iterator" ;;
    esac
    {
        cat <<EOF
# rrpolicy benchmark: configuration $cfg
server:
    verbosity: 1
    interface: 127.0.0.1
    port: $port
    do-ip4: yes
    do-ip6: no
    do-udp: yes
    do-tcp: yes
    num-threads: $(case $cfg in *w2) echo 2 ;; *) echo 1 ;; esac)
    directory: "$dir"
    chroot: ""
    username: ""
    pidfile: "$dir/unbound.pid"
    logfile: "$dir/unbound.log"
    use-syslog: no
    do-daemonize: no
    module-config: "$modules"
    ede: yes
    access-control: 127.0.0.0/8 allow
    # the cache must hold every warm name through the run
    msg-cache-size: 64m
    rrset-cache-size: 128m
    num-queries-per-thread: 4096
    # absorb bursts while the resolver thread is descheduled (Unbound's advice for high load)
    so-rcvbuf: 4m
    so-sndbuf: 4m
    # NSD is on 127.0.0.1; nothing outside 127.0.0.0/8 may ever be queried
    do-not-query-localhost: no
    outgoing-port-avoid: 10000-29999
EOF
        for net in 0.0.0.0/2 64.0.0.0/3 96.0.0.0/4 112.0.0.0/5 120.0.0.0/6 124.0.0.0/7 \
                   126.0.0.0/8 128.0.0.0/1 ::/0; do
            echo "    do-not-query-address: $net"
        done
        cat <<EOF
remote-control:
    control-enable: yes
    control-interface: 127.0.0.1
    control-port: $cport
    control-use-cert: no
stub-zone:
    name: "bench."
    stub-addr: 127.0.0.1@$NSD_PORT
EOF
        case $cfg in
            rrp*) printf 'dynlib:\n    dynlib-file: "%s"\n' "$W/rrpolicy.so" ;;
            rpz*) printf 'rpz:\n    name: "rpz.bench."\n    zonefile: "%s"\n    rpz-log: no\n' "$dir/rpz.zone" ;;
        esac
    } >"$dir/unbound.conf"
}

# db_of CONFIG: the database a config copies (rrpolicy configs only).
db_of() {
    case $1 in
        rrp0) echo "$W/rules-0.db" ;;
        rrp10k) echo "$W/rules-$MID.db" ;;
        rrpbig|rrpw2) echo "$W/rules-$BIG.db" ;;
        rrpcnt) echo "$W/rules-$BIG-counts.db" ;;
        rrpnothr) echo "$W/rules-$BIG-nothread.db" ;;
    esac
}

# start_resolver CONFIG DIR [WRAPPER...]: start it, set RES_PID RES_PORT RES_CTL.
# Each start gets a fresh copy of the database (so hits of earlier rounds do not pile up).
start_resolver() {
    local cfg=$1 dir=$2
    shift 2
    mkdir -p "$dir"
    if [ -n "${FIXED_PORTS:-}" ]; then     # handed out by the parent (parallel callgrind jobs)
        read -r RES_PORT RES_CTL <<<"$FIXED_PORTS"
    else
        claim_port RES_PORT
        claim_port RES_CTL
    fi
    write_conf "$cfg" "$dir" "$RES_PORT" "$RES_CTL"
    case $cfg in
        rrp*) cp "$(db_of "$cfg")" "$dir/policy.db" || die "cannot copy the database" ;;
        rpz*) cp "$W/rpz.zone" "$dir/rpz.zone" || die "cannot copy the RPZ zone" ;;   # edited by apply_test
    esac
    # the copy's writeback (130 MB for 1M rules) before the clock starts, not during the load
    # it would slow down: the load time is the module's (or RPZ's) wall-clock time
    case $cfg in
        rrp*) sync "$dir/policy.db" ;;
        rpz*) sync "$dir/rpz.zone" ;;
    esac
    "$UNBOUND_CHECKCONF" "$dir/unbound.conf" >"$dir/checkconf.out" 2>&1 \
        || die "unbound-checkconf rejected $dir/unbound.conf: $(cat "$dir/checkconf.out")"
    RES_T0=$(now_ms)
    RRPOLICY_DB="$dir/policy.db" "${RESOLVER_CPU[@]}" "$@" "$UNBOUND" -c "$dir/unbound.conf" \
        >"$dir/unbound.out" 2>&1 &
    RES_PID=$!
    register_pid "resolver-$cfg" "$RES_PID"
}

# check_config CONFIG DIR: the first blocked query is blocked by rule configs, answered by stock.
check_config() {
    local cfg=$1 dir=$2 name type out want
    read -r name type <"$W/blocked.q"
    out=$(dig @127.0.0.1 -p "$RES_PORT" +tries=2 +time=2 "$name" "$type" 2>&1)
    case $cfg in
        stock*|rrp0) want='ANSWER: [1-9]' ;;
        rrp*) want='EDE: 15' ;;
        rpz*) want='status: NXDOMAIN' ;;
    esac
    grep -qE "$want" <<<"$out" || die "$cfg: '$name $type' should match /$want/, got:
$out"
    case $cfg in
        rrp*) grep -q "rrpolicy .*: loaded" "$dir/unbound.log" \
            || die "$cfg: no 'loaded N rules' line in $dir/unbound.log" ;;
    esac
}

# ---------------------------------------------------------------- workloads
# dnsperf_sat FILE OUTSTANDING [dnsperf options]: saturation run; sets QPS COMPLETED LOST RUNTIME.
dnsperf_sat() {
    local file=$1 q=$2 out=$OUTDIR/dnsperf.out
    shift 2
    run_wait dnsperf "${LOADGEN_CPU[@]}" dnsperf -s 127.0.0.1 -p "$RES_PORT" -d "$file" \
        -l "${SAT_LIMIT:-$DURATION}" -q "$q" -c 4 -t "${SAT_TIMEOUT:-$LAT_TIMEOUT}" "$@" >"$out" 2>&1 \
        || die "dnsperf failed: $(tail -n 5 "$out")"
    QPS=$(awk '/Queries per second:/ { print $4 }' "$out")
    COMPLETED=$(awk '/Queries completed:/ { print $3 }' "$out")
    LOST=$(awk '/Queries lost:/ { print $3 }' "$out")
    RUNTIME=$(awk '/Run time \(s\):/ { print $4 }' "$out")
    [ -n "$QPS" ] || die "no result from dnsperf: $(tail -n 5 "$out")"
}

# dnsperf_lat FILE RATE [dnsperf options]: fixed-rate run; sets P50 P99 (microseconds) LLOST.
# A lost query counts as the timeout (LAT_TIMEOUT), so losses show in the p99; dnsperf -v
# also lists it as "> T NAME TYPE" (and one cut off at the end as "> I ..."): not an answer.
dnsperf_lat() {
    local file=$1 rate=$2 out=$OUTDIR/dnsperf-lat.out
    shift 2
    run_wait dnsperf "${LOADGEN_CPU[@]}" dnsperf -s 127.0.0.1 -p "$RES_PORT" -d "$file" \
        -l "$LAT_DURATION" -Q "$rate" -q 1000 -c 4 -t "$LAT_TIMEOUT" -v "$@" >"$out" 2>&1 \
        || die "dnsperf failed: $(tail -n 5 "$out")"
    LLOST=$(awk '/Queries lost:/ { print $3 }' "$out")
    read -r P50 P99 < <(awk -v lost="${LLOST:-0}" -v t="$LAT_TIMEOUT" '
        $1 == ">" && $2 != "T" && $2 != "I" { print $NF * 1000000 }
        END { for (i = 0; i < lost; i++) print t * 1000000 }' "$out" | sort -g | awk '
        { v[NR] = $1 }
        END { if (NR == 0) { print "NA NA"; exit }
              i50 = int(NR * 0.50 + 0.999999); i99 = int(NR * 0.99 + 0.999999)
              if (i50 < 1) i50 = 1; if (i99 < 1) i99 = 1
              printf "%.0f %.0f\n", v[i50], v[i99] }')
}

# wait_idle DIR SECONDS: wait until the resolver has no query in progress (its request list is
# empty), so that a measurement does not also pay for the tail of the previous step.
wait_idle() {
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        "$UNBOUND_CONTROL" -c "$1/unbound.conf" stats_noreset 2>/dev/null \
            | grep -qx 'total.requestlist.current.all=0' && return 0
        sleep 0.1
    done
    echo "run-bench: the resolver in $1 still had queries in progress after $2 s" >&2
}

# prime DIR FILE OUTSTANDING: ask every name of FILE once (twice for those that failed), wait
# until the resolver is idle. Every configuration must come out of it in the same state: a
# resolver left with an upstream TCP connection (and its 60 s idle timer) is not compared
# like for like, so that is an error.
prime() {
    SAT_LIMIT=900 SAT_TIMEOUT=5 dnsperf_sat "$2" "$3" -n 1
    [ "${LOST:-0}" = 0 ] || SAT_LIMIT=900 SAT_TIMEOUT=5 dnsperf_sat "$2" "$3" -n 1
    wait_idle "$1" 120
    if ss -Htnp state established "( dport = :$NSD_PORT )" 2>/dev/null | grep -q "pid=$RES_PID,"; then
        die "the resolver in $1 asked NSD over TCP while priming (truncated answers?)"
    fi
}

# cache_counts DIR: the entries of the resolver's message and RRset caches, "MSG RRSET". Unbound
# prints them with its extended statistics only, and sets its workers' per-query counting of
# those at start: turning them on here for the one command changes nothing else.
cache_counts() {
    "$UNBOUND_CONTROL" -c "$1/unbound.conf" set_option extended-statistics: yes >/dev/null \
        || die "unbound-control set_option failed in $1"
    "$UNBOUND_CONTROL" -c "$1/unbound.conf" stats_noreset 2>/dev/null | awk -F= '
        $1 == "msg.cache.count" { m = $2 } $1 == "rrset.cache.count" { r = $2 }
        END { print m + 0, r + 0 }'
    "$UNBOUND_CONTROL" -c "$1/unbound.conf" set_option extended-statistics: no >/dev/null \
        || die "unbound-control set_option failed in $1"
}

# settle_caches DIR: ask further new names until no table of the message or RRset cache can
# double during the miss runs. Each of their 4 tables (slabs) starts with 1024 bins and
# doubles when it holds as many entries, copying every entry then: a doubling inside the runs
# charges that copy to their queries, in one configuration and not in another whose caches
# hold a different number of entries (stock caches the blocked names' real answers, with
# their exchanges' addresses; rrpolicy one null MX each). That was 960 Ir per miss, 1.8%.
# cg_dump's callers check that no doubling happened.
settle_caches() {
    local dir=$1 next=$((CG_MISS_N1 + CG_MISS_N2 + 1)) probe=1000 c0 counts per need i
    local window=$((CG_MISS_N1 + CG_MISS_N2)) slabs
    slabs=$("$UNBOUND_CHECKCONF" -o msg-cache-slabs "$dir/unbound.conf" 2>/dev/null)
    [ "$slabs" = "$("$UNBOUND_CHECKCONF" -o rrset-cache-slabs "$dir/unbound.conf" 2>/dev/null)" ] \
        || die "settle_caches: the message and RRset caches have different slab counts"
    # settle_ask N: ask the next N names of miss.q, which no measured run asks
    settle_ask() {
        tail -n "+$next" "$W/miss.q" | head -n "$1" >"$dir/settle.q"
        [ "$(wc -l <"$dir/settle.q")" -eq "$1" ] || die "settle_caches: miss.q is too short"
        prime "$dir" "$dir/settle.q" 100
        next=$((next + $1))
    }
    # the entries one new name adds to each cache, from a first batch
    c0=$(cache_counts "$dir")
    settle_ask "$probe"
    counts=$(cache_counts "$dir")
    per=$(echo "$c0 $counts" | awk -v p="$probe" '{ print ($3 - $1) / p, ($4 - $2) / p }')
    for i in 1 2 3 4; do
        # per table: entries n = count / slabs (a table holds up to 5% more or less than that:
        # a hash's spread over thousands of entries); the runs add w = window * e / slabs; a
        # doubling at a threshold T = 1024 * 2^k lies ahead when some table can cross it. Then
        # move every table past it: (T / 0.95 - n) * slabs / e more names.
        need=$(echo "$per $counts" | awk -v window="$window" -v slabs="$slabs" '{
            need = 0
            for (c = 1; c <= 2; c++) {
                e = $c; n = $(c + 2) / slabs
                if (e <= 0) continue
                w = window * e / slabs; T = 0
                for (t = 1024; t <= n * 1.05 + w * 1.1; t *= 2)
                    if (t >= n * 0.95) T = t
                if (T && (T / 0.95 - n) * slabs / e >= need) need = int((T / 0.95 - n) * slabs / e) + 1
            }
            print need }')
        echo "settle_caches $dir: entries per name $per, caches $counts, $need more names" >>"$W/steps.log"
        [ "$need" -gt 0 ] || return 0
        settle_ask "$need"
        counts=$(cache_counts "$dir")
    done
    die "settle_caches: the caches of $dir did not settle"
}

# cg_grew TAG DIR: 1 if a cache table doubled in the dump TAG (of any thread), else 0.
cg_grew() {
    if grep -q 'table_grow' "$2"/cg-"$1"-*.out; then echo 1; else echo 0; fi
}

# hit_counts DB: "rows dropped" of the hit log.
hit_counts() {
    sqlite3 -cmd ".timeout 5000" "$1" \
        "SELECT (SELECT coalesce(sum(count), 0) FROM hit), (SELECT count(*) FROM hit),
                (SELECT coalesce(sum(dropped), 0) FROM hit_drop)" \
        2>/dev/null | tr '|' ' '
}

# settle_hits DB [INTERVAL]: wait until the hit log stops growing between two looks INTERVAL
# seconds apart (default 0.2: the writer wakes every 200 ms; with hit_log = 2 it writes the
# counts every second, so more than that); prints "hits rows drops".
settle_hits() {
    local last="" cur i t0
    t0=$(now_ms)
    for i in $(seq 50); do
        sleep "${2:-0.2}"
        cur=$(hit_counts "$1")
        [ "$cur" = "$last" ] && break
        last=$cur
    done
    echo "$(( $(now_ms) - t0 )) ms: settle hits $cur" >>"$W/steps.log"
    echo "$cur"
}

# logged COUNTS: the hits a "hits rows drops" line of hit_counts accounts for, written or dropped.
logged() {
    local hits rows drops
    read -r hits rows drops <<<"$1"
    echo $(( ${hits:-0} + ${drops:-0} ))
}

# wait_logged DB N: wait until the hit log holds or dropped N hits (the sums of hit.count and
# hit_drop.dropped), looking every 0.2 s for at most 65 s: with hit_log = 2 the counts of groups
# that have a row are added up to a minute later (every N / 1,000 s for N such groups).
wait_logged() {
    local cur i t0
    t0=$(now_ms)
    for i in $(seq 325); do
        cur=$(hit_counts "$1")
        [ "$(logged "$cur")" -ge "$2" ] && break
        sleep 0.2
    done
    echo "$(( $(now_ms) - t0 )) ms: wait for $2 hits logged: $cur" >>"$W/steps.log"
}

# record_sat ROUND CONFIG WORKLOAD CPU0 CPU1 WORKER0: record a saturation run: achieved q/s,
# lost, answered, run time, the resolver's CPU time (all threads) from CPU0 (before the run) to
# now (for its capacity) and to CPU1 (the end of the run: how busy it was), and its worker
# thread's from WORKER0 to now (the rest is the module's threads).
record_sat() {
    record "$1" "$2" "qps_$3" "$QPS"
    record "$1" "$2" "lost_$3" "$LOST"
    record "$1" "$2" "completed_$3" "$COMPLETED"
    record "$1" "$2" "runtime_$3" "$RUNTIME"
    record "$1" "$2" "cpu_ns_$3" $(( $(cpu_ns "$RES_PID") - $4 ))
    record "$1" "$2" "cpu_run_ns_$3" $(( $5 - $4 ))
    record "$1" "$2" "cpu_worker_ns_$3" $(( $(worker_ns "$RES_PID") - $6 ))
}

declare -A RATE   # fixed rate of the latency runs, per workload: half of stock's round-1 saturation

# hitlog_interval CONFIG: seconds between two writes of the config's hit log, and a little
# more (rows are written every 200 ms; counts, hit_log = 2, the rows of new groups once a second;
# 0 without a module)
hitlog_interval() {
    case $1 in rrpcnt) echo 1.2 ;; rrp*) echo 0.2 ;; *) echo 0 ;; esac
}

# bench_config CONFIG ROUND: one fresh resolver, every workload.
bench_config() {
    local cfg=$1 r=$2 dir=$W/run/$1-r$2 w file before hits rows drops t rules ms c0 c1 w0
    local settle
    settle=$(hitlog_interval "$cfg")
    start_resolver "$cfg" "$dir"
    wait_answering "$RES_PID" "$RES_PORT" "$START_TIMEOUT" \
        || die "$cfg exited or did not answer within $START_TIMEOUT s: $(tail -n 5 "$dir/unbound.log" "$dir/unbound.out" 2>&1)"
    t=$(( $(now_ms) - RES_T0 ))
    echo "$t ms: $cfg round $r start to answering" >>"$W/steps.log"
    record "$r" "$cfg" startup_ms "$t"
    case $cfg in
        rrp*)
            read -r rules ms < <(sed -n 's/.*rrpolicy [^:]*: loaded \([0-9]*\) rules.* in \([0-9.]*\) ms.*/\1 \2/p' \
                "$dir/unbound.log" | tail -n 1)
            record "$r" "$cfg" rules_loaded "${rules:-NA}"
            record "$r" "$cfg" load_ms "${ms:-NA}" ;;
        rpz*) record "$r" "$cfg" load_ms "$t" ;;
    esac
    record "$r" "$cfg" rss_load_kb "$(mem_kb "$RES_PID" VmRSS)"
    # the peak so far: what loading the rules took at most (before any query)
    record "$r" "$cfg" hwm_load_kb "$(mem_kb "$RES_PID" VmHWM)"
    # anonymous memory, and file-backed pages (the binary, libraries, mmap()ed files such as the
    # policy database when SQLite maps it)
    record "$r" "$cfg" rss_anon_kb "$(proc_kb "$RES_PID" RssAnon)"
    record "$r" "$cfg" rss_file_kb "$(proc_kb "$RES_PID" RssFile)"
    check_config "$cfg" "$dir"
    # warm the cache: every hit name and every blocked name once
    prime "$dir" "$W/prime.q" 200
    # the hits of the blocked names are written now, not in the first run's window
    [ "${cfg#rrp}" = "$cfg" ] || settle_hits "$dir/policy.db" "$settle" >/dev/null
    if [ "$APPLY_ONLY" = 1 ]; then
        if [ -z "${RATE[hit]:-}" ]; then    # the rate of the load: half of a saturation run
            dnsperf_sat "$W/hit.q" "$SAT_OUTSTANDING"
            RATE[hit]=$(awk -v q="$QPS" 'BEGIN { printf "%.0f", q / 2 }')
        fi
        apply_tests "$cfg" "$r" "$dir"
        stop_pid "$RES_PID"
        return
    fi
    for w in $CACHE_WORKLOADS; do
        file=$W/$w.q
        if [ "$w" = blocked ] && [ "${cfg#rrp}" != "$cfg" ]; then
            before=$(logged "$(settle_hits "$dir/policy.db" "$settle")")
        fi
        c0=$(cpu_ns "$RES_PID") w0=$(worker_ns "$RES_PID")
        dnsperf_sat "$file" "$SAT_OUTSTANDING"
        c1=$(cpu_ns "$RES_PID")
        # the hit log writer's work for these hits is part of their cost: for blocked queries
        # until every answer's hit is written (with hit_log = 2 the counts added to rows made
        # before may come seconds later, and are charged to this run in full); for the mixes,
        # its next write
        case $cfg/$w in
            rrp*/blocked)
                [ "$rules" = 0 ] || wait_logged "$dir/policy.db" $((before + COMPLETED)) ;;
            rrp*/mix*) sleep "$(echo "$settle + 0.1" | bc -l)" ;;
        esac
        record_sat "$r" "$cfg" "$w" "$c0" "$c1" "$w0"
        if [ "$w" = blocked ] && [ "${cfg#rrp}" != "$cfg" ]; then
            read -r hits rows drops < <(settle_hits "$dir/policy.db" "$settle")
            record "$r" "$cfg" hit_rows $((hits + drops - before))
            # what the table holds (hits of the priming queries too): with hit_log = 2 the
            # blocked run mostly adds to the counts of rows the priming made
            record "$r" "$cfg" hit_table_hits "$hits"
            record "$r" "$cfg" hit_table_rows "$rows"
            record "$r" "$cfg" hit_dropped "$drops"
            record "$r" "$cfg" hit_answers "$COMPLETED"
        fi
        [ -n "${RATE[$w]:-}" ] || RATE[$w]=$(awk -v q="$QPS" 'BEGIN { printf "%.0f", q / 2 }')
        dnsperf_lat "$file" "${RATE[$w]}"
        record "$r" "$cfg" "p50_${w}_us" "$P50"
        record "$r" "$cfg" "p99_${w}_us" "$P99"
        record "$r" "$cfg" "latlost_$w" "$LLOST"
    done
    # cache misses: names this process never saw (first half of the miss names; the latency
    # run takes the second half)
    c0=$(cpu_ns "$RES_PID") w0=$(worker_ns "$RES_PID")
    dnsperf_sat "$W/miss-sat.q" "$MISS_OUTSTANDING" -n 1
    record_sat "$r" "$cfg" miss "$c0" "$(cpu_ns "$RES_PID")" "$w0"
    [ -n "${RATE[miss]:-}" ] || RATE[miss]=$(awk -v q="$QPS" 'BEGIN { printf "%.0f", q / 2 }')
    dnsperf_lat "$W/miss-lat.q" "${RATE[miss]}" -n 1
    record "$r" "$cfg" p50_miss_us "$P50"
    record "$r" "$cfg" p99_miss_us "$P99"
    record "$r" "$cfg" latlost_miss "$LLOST"
    # rrpcnt differs from rrpbig in the hit log only
    [ "$APPLY" = 0 ] || [ "$cfg" = rrpcnt ] || apply_tests "$cfg" "$r" "$dir"
    record "$r" "$cfg" hwm_kb "$(mem_kb "$RES_PID" VmHWM)"
    record "$r" "$cfg" rss_end_kb "$(mem_kb "$RES_PID" VmRSS)"
    stop_pid "$RES_PID"
    grep -E 'error:|fatal' "$dir/unbound.log" | head -n 3 | sed "s/^/run-bench: $cfg round $r log: /" >&2
}

# apply_tests CONFIG ROUND DIR: apply_test for each change of --apply-changes, in order.
apply_tests() {
    local change
    for change in $APPLY_CHANGES; do
        apply_test "$1" "$2" "$3" "$change"
    done
}

# apply_test CONFIG ROUND DIR CHANGE: under load (dnsperf at the cache-hit latency rate on the
# warm names), change the policy of one warm name the way an operator would and measure the time
# from the change to the first answer that reflects it, and the queries left unanswered meanwhile.
# rrpolicy: one statement in the sqlite3 CLI (the module notices committed changes by itself):
# insert blocks h1.hit.bench A (EDE 15), update makes that rule nxdomain, delete removes it (the
# address is answered again). RPZ (insert only): a line appended to the zone file and
# `unbound-control auth_zone_reload`. Stock, and RPZ for update and delete: the same load and no
# change (the baseline of unanswered queries). Keys: apply_* for insert, apply_<change>_* else.
apply_test() {
    local cfg=$1 r=$2 dir=$3 change=$4 pid t0 i out applied="" want="" rc key=apply_
    local rule="name = 'h1.hit.bench' AND comment = 'bench apply'"
    [ "$change" = insert ] || key=apply_${change}_
    "${LOADGEN_CPU[@]}" dnsperf -s 127.0.0.1 -p "$RES_PORT" -d "$W/hit.q" -l "$APPLY_DURATION" \
        -Q "${RATE[hit]}" -q 1000 -c 4 -t 1 >"$dir/apply-$change-dnsperf.out" 2>&1 &
    pid=$!
    register_pid dnsperf "$pid"
    sleep 1
    t0=$(now_ms)
    case $cfg/$change in
        rrp*/insert) sqlite3 -cmd ".timeout 5000" "$dir/policy.db" \
                  "BEGIN; INSERT INTO policy (${APPLY_ID:+id, }name, type, comment)
                   VALUES (${APPLY_ID:+$APPLY_ID, }'h1.hit.bench', 'A', 'bench apply');
                   ${APPLY_ID:+DELETE FROM policy_change;} COMMIT" \
                  || die "$cfg: INSERT failed"
              want='EDE: 15' ;;
        rrp*/update) sqlite3 -cmd ".timeout 5000" "$dir/policy.db" \
                  "UPDATE policy SET action = 'nxdomain' WHERE $rule" || die "$cfg: UPDATE failed"
              want='status: NXDOMAIN' ;;
        rrp*/delete) sqlite3 -cmd ".timeout 5000" "$dir/policy.db" \
                  "DELETE FROM policy WHERE $rule" || die "$cfg: DELETE failed"
              want='ANSWER: 1,' ;;
        */reload) "$UNBOUND_CONTROL" -c "$dir/unbound.conf" reload >"$dir/apply-control.out" 2>&1 \
                  || die "$cfg: unbound-control reload failed: $(cat "$dir/apply-control.out")" ;;
        rpz*/insert) echo 'h1.hit.bench CNAME .' >>"$dir/rpz.zone"
              "$UNBOUND_CONTROL" -c "$dir/unbound.conf" auth_zone_reload rpz.bench. >"$dir/apply-control.out" 2>&1 &
              register_pid unbound-control $!
              want='status: NXDOMAIN' ;;
    esac
    if [ -n "$want" ]; then
        for i in $(seq 400); do    # up to ~20 s
            out=$(dig @127.0.0.1 -p "$RES_PORT" +tries=1 +time=1 h1.hit.bench A 2>/dev/null)
            if grep -q "$want" <<<"$out"; then
                applied=$(( $(now_ms) - t0 ))
                break
            fi
            sleep 0.05
        done
        record "$r" "$cfg" "${key}ms" "${applied:-NA}"
        [ -n "$applied" ] || echo "run-bench: $cfg round $r: the $change did not apply within 20 s" >&2
    fi
    wait "$pid"
    rc=$?
    unregister_pid "$pid"
    [ "$rc" = 0 ] || die "dnsperf failed: $(tail -n 5 "$dir/apply-$change-dnsperf.out")"
    [ "$change" != reload ] || wait_answering "$RES_PID" "$RES_PORT" "$START_TIMEOUT" \
        || die "$cfg: not answering after unbound-control reload"
    for i in "${!PID_NAMES[@]}"; do     # unbound-control, if still registered
        [ "${PID_NAMES[$i]}" = unbound-control ] && stop_pid "${PIDS[$i]}"
    done
    record "$r" "$cfg" "${key}lost" "$(awk '/Queries lost:/ { print $3 }' "$dir/apply-$change-dnsperf.out")"
    record "$r" "$cfg" "${key}sent" "$(awk '/Queries sent:/ { print $3 }' "$dir/apply-$change-dnsperf.out")"
    # "Average Latency (s):  0.000297 (min 0.000098, max 0.003648)" -> the longest, in ms
    record "$r" "$cfg" "${key}max_ms" "$(sed -n 's/.*Average Latency.*max \([0-9.]*\)).*/\1/p' \
        "$dir/apply-$change-dnsperf.out" | awk '{ printf "%.1f", $1 * 1000 }')"
}

# ---------------------------------------------------------------- rounds
read -ra CFG_LIST <<<"$CONFIGS"
NCFG=${#CFG_LIST[@]}
# warm-up, not recorded: the first saturation run of misses ever sent to NSD ran about 30%
# slower than later ones (stock's, first in round 1: 12,555 q/CPU-s, then 15,232 to 18,011),
# which made round 1's miss ratios read 1.3 to 1.4 for every configuration
if [ "$CG_ONLY" = 0 ]; then
    start_resolver stock "$W/run/warmup"
    wait_answering "$RES_PID" "$RES_PORT" "$START_TIMEOUT" || die "the warm-up resolver did not answer"
    OUTDIR=$W/run/warmup dnsperf_sat "$W/miss-sat.q" "$MISS_OUTSTANDING" -n 1
    echo "warm-up: misses $QPS q/s" >>"$W/steps.log"
    stop_pid "$RES_PID"
fi
for ((r = 1; r <= ROUNDS && ! CG_ONLY && ! PAIRS_ONLY; r++)); do
    for ((j = 0; j < NCFG; j++)); do
        # round r starts at config r-1: every config takes every position; stock is first in round 1
        cfg=${CFG_LIST[$(((j + r - 1) % NCFG))]}
        log "round $r/$ROUNDS: $cfg"
        bench_config "$cfg" "$r"
    done
done
[ "$CG_ONLY" = 1 ] || for w in "${!RATE[@]}"; do record 0 stock "rate_$w" "${RATE[$w]}"; done

# ---------------------------------------------------------------- paired runs
# The rounds above start each configuration afresh, one after the other: minutes apart, and the
# machine's speed drifts more than that between two runs (one run's per-round ratios of blocked
# capacity with a row per hit ranged from 0.67 to 1.15, and stock's own cache-hit capacity from
# 81,000 to 136,000 q/CPU-s over the pairs of another). Here stock and the big rrpolicy configs run
# side by side, one process each for the whole phase, all on the resolver's CPU, and take turns:
# pair i is a saturation run of each on the same workload within seconds (the order rotates with
# i), and its ratio compares runs under the same conditions. For blocked queries stock's yardstick
# is its cache-hit run of the same pair. Each pair's misses are names no process has asked (the
# miss names in PAIRS slices, each asked by every configuration once). The CPU time of an
# rrpolicy blocked run includes the hit log writer's work for its hits (read once every answer's
# hit is written). Recorded by record_sat as workload pair_W, with the pair's number as round.
declare -A P_PID P_PORT P_DIR
# pair_run PAIR CONFIG WORKLOAD FILE OUTSTANDING [dnsperf options]: one saturation run of a pair.
pair_run() {
    local i=$1 cfg=$2 w=$3 file=$4 q=$5 c0 c1 w0 before=0
    shift 5
    RES_PID=${P_PID[$cfg]} RES_PORT=${P_PORT[$cfg]} OUTDIR=${P_DIR[$cfg]}
    if [ "$w" = blocked ]; then
        before=$(logged "$(hit_counts "${P_DIR[$cfg]}/policy.db")")
    fi
    c0=$(cpu_ns "$RES_PID") w0=$(worker_ns "$RES_PID")
    dnsperf_sat "$file" "$q" "$@"
    c1=$(cpu_ns "$RES_PID")
    [ "$w" != blocked ] || wait_logged "${P_DIR[$cfg]}/policy.db" $((before + COMPLETED))
    record_sat "$i" "$cfg" "pair_$w" "$c0" "$c1" "$w0"
    if [ "$w" = miss ]; then    # upstream queries still in flight end before the next run
        wait_idle "${P_DIR[$cfg]}" 20
    fi
}
PAIR_CFGS=""
if [ "$PAIRS" -gt 0 ] && [ "$CG_ONLY" = 0 ] && [ "$APPLY_ONLY" = 0 ]; then
    for cfg in stock rrpbig rrpnothr rrpcnt; do
        case $cfg in rrpnothr) needs rrpbig ;; *) needs "$cfg" ;; esac && PAIR_CFGS="$PAIR_CFGS $cfg"
    done
    [ "${PAIR_CFGS# stock }" != "$PAIR_CFGS" ] || PAIR_CFGS=""   # stock and at least one more
fi
if [ -n "$PAIR_CFGS" ]; then
    read -ra PAIR_LIST <<<"$PAIR_CFGS"
    log "paired runs: $PAIRS pairs of ${PAIR_CFGS# }"
    for cfg in "${PAIR_LIST[@]}"; do
        start_resolver "$cfg" "$W/pairs/$cfg"
        P_PID[$cfg]=$RES_PID P_PORT[$cfg]=$RES_PORT P_DIR[$cfg]=$W/pairs/$cfg
    done
    for cfg in "${PAIR_LIST[@]}"; do
        RES_PID=${P_PID[$cfg]} RES_PORT=${P_PORT[$cfg]} OUTDIR=${P_DIR[$cfg]}
        wait_answering "$RES_PID" "$RES_PORT" "$START_TIMEOUT" \
            || die "$cfg (pairs) exited or did not answer within $START_TIMEOUT s"
        check_config "$cfg" "${P_DIR[$cfg]}"
        prime "${P_DIR[$cfg]}" "$W/prime.q" 200
        # the hits of the blocked names are written now, not in the first pair's window
        [ "${cfg#rrp}" = "$cfg" ] || settle_hits "${P_DIR[$cfg]}/policy.db" \
            "$(hitlog_interval "$cfg")" >/dev/null
    done
    per=$((MISS_NAMES / PAIRS))
    for ((i = 1; i <= PAIRS; i++)); do
        sed -n "$(( (i - 1) * per + 1 )),$(( i * per ))p" "$W/miss.q" >"$W/pairs/miss-$i.q"
    done
    for ((i = 1; i <= PAIRS; i++)); do
        # pair i starts at config i-1, and every other pair runs the list backwards
        order=()
        n=${#PAIR_LIST[@]}
        for ((j = 0; j < n; j++)); do
            if [ $((i % 2)) = 1 ]; then k=$(((i - 1 + j) % n)); else k=$(((i - 1 + n - j) % n)); fi
            order+=("${PAIR_LIST[$k]}")
        done
        log "pair $i/$PAIRS: ${order[*]}"
        for cfg in "${order[@]}"; do pair_run "$i" "$cfg" hit "$W/hit.q" "$SAT_OUTSTANDING"; done
        for cfg in "${order[@]}"; do
            [ "$cfg" = stock ] || pair_run "$i" "$cfg" blocked "$W/blocked.q" "$SAT_OUTSTANDING"
        done
        for cfg in "${order[@]}"; do
            pair_run "$i" "$cfg" miss "$W/pairs/miss-$i.q" "$MISS_OUTSTANDING" -n 1
        done
    done
    for cfg in "${PAIR_LIST[@]}"; do
        if [ "$cfg" != stock ]; then
            read -r _ _ drops < <(settle_hits "${P_DIR[$cfg]}/policy.db" "$(hitlog_interval "$cfg")")
            record pairs "$cfg" pair_hit_dropped "${drops:-NA}"
        fi
        stop_pid "${P_PID[$cfg]}"
    done
    log "paired runs done"
fi

# ---------------------------------------------------------------- callgrind
# Under callgrind with --separate-threads=yes each dump is one file per thread
# (callgrind.out.PID.N-TT). Thread 01 is Unbound's first worker, the only one with
# num-threads: 1; the others belong to the module (the policy watcher), or are Unbound's
# further workers (stockw2, rrpw2), which run libevent's loop. The hit log writer is a process
# of its own, forked at the module's start: callgrind_control does not reach a forked child
# (valgrind 3.19), so its work is not in these counts; hitlog-cg.sh measures it per hit.

# cg_dump PID TAG DIR: dump the counters (a dump also zeroes them). Sets CG_IR
# (every thread of Unbound's process), CG_IR1 (the worker threads) and CG_CYC1 (the workers'
# cycles as valgrind's cache model estimates them: Ir + 10 x L1 misses + 100 x LL misses, the
# formula of callgrind_annotate and cachegrind); the files go to DIR/cg-TAG-TT.out.
cg_dump() {
    local pid=$1 tag=$2 dir=$3 f f2 tid v
    run_wait callgrind_control callgrind_control -d "$tag" "$pid" >/dev/null 2>&1 \
        || die "callgrind_control -d failed for pid $pid"
    CG_IR=0
    CG_IR1=""
    CG_CYC1=0
    for f in $(grep -lx "desc: Trigger: dump $tag" "$dir"/callgrind.out.* 2>/dev/null); do
        tid=${f##*-}
        f2=$dir/cg-$tag-$tid.out
        mv "$f" "$f2"
        v=$(awk '/^summary:/ { print $2; exit }' "$f2")
        CG_IR=$((CG_IR + ${v:-0}))
        [ "$tid" = 01 ] || grep -q 'event_base_loop' "$f2" || continue
        CG_IR1=$((${CG_IR1:-0} + ${v:-0}))
        CG_CYC1=$(awk -v sum="$CG_CYC1" '/^events:/ { for (i = 2; i <= NF; i++) ev[i] = $i }
            /^summary:/ { for (i = 2; i <= NF; i++) {
                    w = ev[i] == "Ir" ? 1 : ev[i] ~ /^(I1mr|D1mr|D1mw)$/ ? 10 : ev[i] ~ /^(ILmr|DLmr|DLmw)$/ ? 100 : 0
                    sum += w * $i }
                printf "%.0f\n", sum; exit }' "$f2")
    done
    [ -n "$CG_IR1" ] || die "no callgrind dump '$tag' of thread 01 in $dir"
}

# seq_q FILE COUNT SKIP: COUNT queries one at a time (seqquery.py), CG_GAP_MS apart.
seq_q() {
    run_wait seqquery "${LOADGEN_CPU[@]}" python3 "$BENCH_DIR/seqquery.py" "$RES_PORT" "$@" \
        "$CG_GAP_MS" >>"$CG_DIR/seqquery.out" || die "seqquery failed"
}

# cg_config CONFIG: one configuration under callgrind (run in a background subshell).
cg_config() {
    local cfg=$1 w file n1 n2 skip1 skip2 c1 c2 t1 t2 y1 y2 t0 f tid catchup
    catchup=$(echo "$(hitlog_interval "$cfg") + 0.3" | bc -l)
    CG_DIR=$W/cg/$cfg
    OUTDIR=$CG_DIR
    # stockmt: stock made multithreaded like rrpolicy (idle_thread.c), nothing else
    start_resolver "$cfg" "$CG_DIR" env ${PRELOAD_OF[$cfg]:+LD_PRELOAD=${PRELOAD_OF[$cfg]}} \
        valgrind --tool=callgrind --separate-threads=yes --cache-sim=yes $CG_CACHE \
        --instr-atstart=no --callgrind-out-file="$CG_DIR/callgrind.out.%p"
    wait_answering "$RES_PID" "$RES_PORT" "$CG_START_TIMEOUT" \
        || die "$cfg under valgrind exited or did not answer within $CG_START_TIMEOUT s: $(tail -n 5 "$CG_DIR/unbound.log" "$CG_DIR/unbound.out" 2>&1)"
    record cg "$cfg" startup_valgrind_ms $(( $(now_ms) - RES_T0 ))
    # warm every name the runs ask (and the miss zone's delegation, with names not used below)
    head -n "$CG_N2" "$W/hit.q" >"$CG_DIR/prime.q"
    head -n "$CG_N2" "$W/blocked.q" >>"$CG_DIR/prime.q"
    tail -n 20 "$W/miss.q" >>"$CG_DIR/prime.q"
    prime "$CG_DIR" "$CG_DIR/prime.q" 100
    case " $CG_WORKLOADS " in *" miss "*) settle_caches "$CG_DIR" ;; esac
    # the priming's hits are written before the idle window, not in it
    sleep "$(hitlog_interval "$cfg")"
    run_wait callgrind_control callgrind_control -i on "$RES_PID" >/dev/null 2>&1 \
        || die "callgrind_control -i on failed"
    # idle: what the process spends per second answering nothing (timers, the hit log writer)
    cg_dump "$RES_PID" idle-start "$CG_DIR"
    t0=$(now_ms)
    sleep "$CG_IDLE"
    cg_dump "$RES_PID" idle "$CG_DIR"
    record cg "$cfg" ir_idle_per_s "$(echo "$CG_IR * 1000 / ($(now_ms) - $t0)" | bc -l)"
    for w in $CG_WORKLOADS; do
        case $w in
            miss)   # names never asked before, different in the two runs
                file=$W/miss.q n1=$CG_MISS_N1 n2=$CG_MISS_N2 skip1=0 skip2=$CG_MISS_N1 ;;
            *)      # warm names, the same ones in both runs
                file=$W/$w.q n1=$CG_N1 n2=$CG_N2 skip1=0 skip2=0 ;;
        esac
        # (the previous dump zeroed the counters)
        seq_q "$file" "$n1" "$skip1"
        sleep "$catchup"   # let the hit log writer catch up: its work is counted too
        cg_dump "$RES_PID" "$w-n1" "$CG_DIR"
        c1=$CG_IR t1=$CG_IR1 y1=$CG_CYC1
        seq_q "$file" "$n2" "$skip2"
        sleep "$catchup"
        cg_dump "$RES_PID" "$w-n2" "$CG_DIR"
        c2=$CG_IR t2=$CG_IR1 y2=$CG_CYC1
        record cg "$cfg" "ir_$w" "$(echo "($c2 - $c1) / ($n2 - $n1)" | bc -l)"
        record cg "$cfg" "ir1_$w" "$(echo "($t2 - $t1) / ($n2 - $n1)" | bc -l)"
        record cg "$cfg" "cyc1_$w" "$(echo "($y2 - $y1) / ($n2 - $n1)" | bc -l)"
        record cg "$cfg" "ir_${w}_runs" "$c1 $c2 $t1 $t2"
        record cg "$cfg" "grew_$w" $(( $(cg_grew "$w-n1" "$CG_DIR") + $(cg_grew "$w-n2" "$CG_DIR") ))
        # profiles to read, only where the work directory is kept (CPU the other jobs need)
        [ "$KEEP" = 1 ] || continue
        for f in "$CG_DIR/cg-$w-n2-"*.out; do
            tid=${f%.out}
            tid=${tid##*-}
            callgrind_annotate "$f" >"$CG_DIR/annotate-$w-$tid.txt" 2>&1 || true
            callgrind_annotate --inclusive=yes "$f" >"$CG_DIR/annotate-incl-$w-$tid.txt" 2>&1 || true
        done
    done
    stop_pid "$RES_PID" 120
}

if [ "$CALLGRIND" = 1 ]; then
    # Instruction counts do not depend on timing, so configurations run CG_JOBS at a time;
    # the slow starters (the big ones) first.
    CG_ORDER=""
    for cfg in rpzbig rrpbig rrpnothr rrpw2 rrpcnt "${CFG_LIST[@]}"; do
        case " $CG_LEAVE_OUT " in *" $cfg "*) continue ;; esac
        case $cfg in
            rrpnothr|rrpw2) needs rrpbig || continue ;;
            *) case " $CONFIGS " in *" $cfg "*) ;; *) continue ;; esac ;;
        esac
        case " $CG_ORDER " in *" $cfg "*) continue ;; esac
        CG_ORDER="$CG_ORDER $cfg"
    done
    # what a second thread alone costs stock, to tell it from what rrpolicy's code costs
    declare -A PRELOAD_OF=()
    if needs stock; then
        cc -O2 -shared -fPIC -o "$W/idle_thread.so" "$BENCH_DIR/idle_thread.c" -lpthread \
            || die "cannot build idle_thread.so"
        PRELOAD_OF[stockmt]=$W/idle_thread.so
        CG_ORDER="$CG_ORDER stockmt"
        case " $CG_LEAVE_OUT " in *" stockw2 "*) ;; *) CG_ORDER="$CG_ORDER stockw2" ;; esac
    fi
    CG_PIDS=()
    # cg_wait_one: wait for one of the running callgrind jobs to end.
    cg_wait_one() {
        local done_pid="" i
        wait -n -p done_pid "${CG_PIDS[@]}" || die "a callgrind run failed; see $W/cg/*/job.out"
        unregister_pid "$done_pid"
        for i in "${!CG_PIDS[@]}"; do
            [ "${CG_PIDS[$i]}" = "$done_pid" ] && unset 'CG_PIDS[i]'
        done
        CG_PIDS=("${CG_PIDS[@]}")
    }
    for cfg in $CG_ORDER; do
        [ "${#CG_PIDS[@]}" -lt "$CG_JOBS" ] || cg_wait_one
        log "callgrind: $cfg"
        mkdir -p "$W/cg/$cfg"
        p1="" p2=""
        claim_port p1
        claim_port p2
        (
            FIXED_PORTS="$p1 $p2"
            PIDS=()
            PID_NAMES=()
            trap 'stop_all' EXIT
            trap 'exit 143' TERM INT
            cg_config "$cfg"
        ) >"$W/cg/$cfg/job.out" 2>&1 &
        register_pid "callgrind-$cfg" $!
        CG_PIDS+=($!)
    done
    while [ "${#CG_PIDS[@]}" -gt 0 ]; do
        cg_wait_one
    done
    log "callgrind done"
fi

# ---------------------------------------------------------------- report
echo "loadavg_end	$(cut -d' ' -f1-3 /proc/loadavg)" >>"$W/machine.tsv"
echo "elapsed_s	$(echo "$(date +%s.%N) - $BENCH_T0" | bc | cut -d. -f1)" >>"$W/machine.tsv"
if [ "$CG_ONLY" = 1 ]; then
    # ir1_W / ir_W per config: worker thread and every thread, per query
    {
        echo "# rrpolicy: instructions per query under callgrind (\`$COMMAND_LINE\`)"
        echo
        echo "| configuration | workload | worker Ir/q | all threads Ir/q | worker est. cycles/q | runs (all N1, all N2, worker N1, worker N2) | cache tables doubled (runs; must be 0) |"
        echo "|---|---|---|---|---|---|---|"
        awk -F '\t' '$1 == "cg" && $3 ~ /^(ir1?|cyc1|grew)_/ && $3 != "ir_idle_per_s" {
                m = $3; r = (m ~ /_runs$/); sub(/_runs$/, "", m)
                t = (m ~ /^ir1_/); y = (m ~ /^cyc1_/); g = (m ~ /^grew_/); sub(/^(ir1?|cyc1|grew)_/, "", m)
                k = $2 " " m; seen[k] = 1
                if (r) runs[k] = $4; else if (g) grew[k] = $4; else if (t) w[k] = $4
                else if (y) cyc[k] = $4; else a[k] = $4 }
            END { for (k in seen) { split(k, x, " ")
                printf "| %s | %s | %.0f | %.0f | %.0f | %s | %s |\n", x[1], x[2], w[k], a[k], cyc[k], runs[k], grew[k] } }' "$RAW" | sort
    } >"$W/report.md" || die "report failed"
elif [ "$APPLY_ONLY" = 1 ]; then
    # apply_ms / apply_lost / apply_sent / apply_max_ms per config and round
    {
        echo "# rrpolicy: applying a change under load (\`$COMMAND_LINE\`)"
        echo
        echo "big configurations: $BIG_LABEL rules; load: ${RATE[hit]} q/s of cache hits for $APPLY_DURATION s" \
            "per change; changes: ${APPLY_CHANGES// /, } (insert: ${APPLY_ID:+(read of every row) }INSERT" \
            "${APPLY_ID:+with id $APPLY_ID and the change log emptied }of h1.hit.bench A; update: its action" \
            "to nxdomain; delete: the rule; reload: unbound-control reload)"
        echo
        echo "| configuration | round | change | change to first answer reflecting it (ms) | unanswered | sent | longest answer (ms) |"
        echo "|---|---|---|---|---|---|---|"
        awk -F '\t' '$3 ~ /^apply_/ { f = substr($3, 7); c = "insert"
                if (match(f, /^(update|delete|reload)_/)) { c = substr(f, 1, RLENGTH - 1); f = substr(f, RLENGTH + 1) }
                v[$2 " " $1 " " c, f] = $4; k[$2 " " $1 " " c] = 1 }
            END { for (x in k) { split(x, a, " ")
                printf "| %s | %s | %s | %s | %s | %s | %s |\n", a[1], a[2], a[3],
                    (x SUBSEP "ms") in v ? v[x, "ms"] : "-",
                    v[x, "lost"], v[x, "sent"], v[x, "max_ms"] } }' "$RAW" | sort
    } >"$W/report.md" || die "report failed"
elif [ "$PAIRS_ONLY" = 1 ]; then
    python3 "$BENCH_DIR/bench_report.py" --pairs "$W" >"$W/report.md" || die "report failed"
else
    python3 "$BENCH_DIR/bench_report.py" "$W" >"$W/report.md" || die "report failed"
fi
if { [ "$APPLY_ONLY" = 1 ] || [ "$CG_ONLY" = 1 ] || [ "$PAIRS_ONLY" = 1 ]; } && [ "$OUT_GIVEN" = 0 ]; then
    cat "$W/report.md"
    rm -f "$W/report.md"
else
    mv "$W/report.md" "$OUT"
    log "wrote $OUT"
fi
if [ "$KEEP" = 1 ]; then
    log "raw data: $RAW; callgrind profiles: $W/cg/*/cg-*.out, annotate-*.txt"
fi
exit 0
