#!/usr/bin/env bash
# test_hitlog.sh - the hit log (table hit) against a real Unbound, read and
# written with the sqlite3 CLI as operators use it: one row per client
# answered with the right client, name, type, rule, action and stage; the
# views; nothing lost across unbound-control reload in a flood; readers never
# see an error; an operator's exclusive lock stalls no query and the hits
# queued meanwhile land once it is released; hit_log = 2 counts the hits of
# each client, name, type, rule and minute in one row, nothing lost across a
# reload; hit_log = 0 records nothing.
# Prints the latencies it measures as '#' lines (only a generous 500 ms bound
# is asserted).
. "$(dirname "$0")/lib.sh"
: "${RRPOLICY_SO:?RRPOLICY_SO must name rrpolicy.so}"

# sql: the operator's reads, plain sqlite3 (no busy timeout: a reader must never need one)
sql() { sqlite3 "$RRPOLICY_DB" "$@"; }
# sqlw: the operator's writes, which may meet the module's writer: wait up to 5 s for it
sqlw() { sqlite3 -cmd '.timeout 5000' "$RRPOLICY_DB" "$@"; }
hits() { sql "SELECT count(*) FROM hit;"; }
drops() { sql "SELECT coalesce(sum(dropped), 0) FROM hit_drop;"; }

# wait_at_least N SETTLE CMD...: wait up to 10 s for CMD to print N or more, then SETTLE
# seconds more (so that more than N would show); print what CMD prints then
wait_at_least() {
    local n=$1 settle=$2 i
    shift 2
    for i in $(seq 100); do
        [ "$("$@")" -ge "$n" ] && break
        sleep 0.1
    done
    sleep "$settle"
    "$@"
}
# wait_hits N: N rows in hit (the writer runs every 200 ms)
wait_hits() { wait_at_least "$1" 0.5 hits; }

# dq ARG=VALUE...: the UDP client below; first line "sent=.. answered=.. p50=.. ...",
# then "src ADDR ANSWERED" and "answer NAME/TYPE RCODE LAST-RR|COUNT" lines
# (the system's python3 when there is one: a pyenv shim costs a second per start)
PYTHON=$(command -v /usr/bin/python3 || command -v python3)
dq() { "$PYTHON" "$T/dnsq.py" "port=$RESOLVER_PORT" "$@"; }
# field NAME OUT: a field of dq's first line
field() { head -n 1 <<<"$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
# answers OUT: dq's answer lines
answers() { sed -n 's/^answer //p' <<<"$1"; }
# latency DESC OUT: a '#' line with dq's figures
latency() {
    note "$1: $(head -n 1 <<<"$2" | sed 's/exec_done_at=[-0-9]*//')"
}

# dig_many SRC N NAME TYPE: N queries in one dig run from address SRC; prints the answer lines
dig_many() {
    local src=$1 n=$2 name=$3 type=$4 args=() i
    for ((i = 0; i < n; i++)); do args+=("$name" "$type"); done
    dig @127.0.0.1 -p "$RESOLVER_PORT" -b "$src" +tries=1 +time=2 +noall +answer "${args[@]}"
}
# count_rr RR OUT: lines of dig output OUT that are RR ("owner IN TYPE rdata", TTL removed)
count_rr() {
    awk '{ $2 = ""; sub(/  /, " "); print }' <<<"$2" | grep -cxF -- "$1"
}

# A small DNS client: one UDP socket per source address (queries go round-robin
# over them), ids per socket, at most `window` queries in flight, optionally a
# fixed rate; counts answers (also late ones, after `timeout`) per source and
# per question + answer, and the latency of each answer. exec=CMD runs CMD in
# the background once `at` queries were sent; exec_done_at says how many had
# been sent when it finished.
cat >"$T/dnsq.py" <<'EOF'
import select, socket, struct, subprocess, sys, time

TYPES = {"A": 1, "MX": 15, "TXT": 16, "AAAA": 28, "CNAME": 5}
NAMES = {v: k for k, v in TYPES.items()}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 5: "REFUSED"}


def wire(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def skip_name(m, p):
    while True:
        n = m[p]
        if n >= 0xC0:
            return p + 2
        if n == 0:
            return p + 1
        p += 1 + n


def read_name(m, p):
    labels = []
    while True:
        n = m[p]
        if n >= 0xC0:
            p = ((n & 0x3F) << 8) | m[p + 1]
            continue
        if n == 0:
            return ".".join(labels) + "."
        labels.append(m[p + 1:p + 1 + n].decode("ascii", "replace"))
        p += 1 + n


def summary(m):
    """rcode and the last answer RR as text, e.g. 'NOERROR MX 0 .'"""
    try:
        rcode = RCODES.get(m[3] & 15, str(m[3] & 15))
        qd, an = struct.unpack("!HH", m[4:8])
        p = 12
        for _ in range(qd):
            p = skip_name(m, p) + 4
        last = ""
        for _ in range(an):
            p = skip_name(m, p)
            t, _c, _ttl, rdlen = struct.unpack("!HHIH", m[p:p + 10])
            rd = p + 10
            if t == 15:
                last = "MX %d %s" % (struct.unpack("!H", m[rd:rd + 2])[0], read_name(m, rd + 2))
            elif t == 1:
                last = "A " + socket.inet_ntoa(m[rd:rd + 4])
            else:
                last = NAMES.get(t, "TYPE%d" % t)
            p = rd + rdlen
        return (rcode + " " + last).strip()
    except (IndexError, struct.error):
        return "MALFORMED"


def main():
    args = dict(a.split("=", 1) for a in sys.argv[1:])
    port = int(args["port"])
    srcs = args.get("src", "127.0.0.1").split(",")
    count = int(args["count"])
    rate = float(args.get("rate", "0"))          # 0: as fast as the window allows
    window = int(args.get("window", "100"))
    timeout = float(args.get("timeout", "3"))
    at = int(args.get("at", "-1"))               # run command exec when this many are sent
    cmd = args.get("exec")
    queries = []
    for q in args.get("q", "spammer.com MX").split(","):
        name, t = q.split()
        queries.append((name + "/" + t, wire(name) + struct.pack("!HH", TYPES[t], 1)))
    socks = []
    for s in srcs:
        so = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        so.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        so.bind((s, 0))
        so.connect(("127.0.0.1", port))
        so.setblocking(False)
        socks.append(so)
    poll = select.poll()
    byfd = {}
    for i, so in enumerate(socks):
        poll.register(so.fileno(), select.POLLIN)
        byfd[so.fileno()] = i
    pend = [dict() for _ in socks]       # id -> (send time, query index)
    expired = [dict() for _ in socks]    # id -> query index
    seq = [0] * len(socks)
    sent = answered = late = 0
    per_src = [0] * len(socks)
    per_q = {}
    lat = []
    proc = None
    exec_done_at = -1
    start = time.perf_counter()
    last_expire = start
    outstanding = 0
    while True:
        now = time.perf_counter()
        if proc is not None and exec_done_at < 0 and proc.poll() is not None:
            exec_done_at = sent
        # send
        while sent < count and outstanding < window and (rate <= 0 or now >= start + sent / rate):
            i = sent % len(socks)
            qi = (sent // len(socks)) % len(queries)
            qid = seq[i] & 0xFFFF
            seq[i] += 1
            expired[i].pop(qid, None)
            msg = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 1) + queries[qi][1] \
                + b"\0\0\x29\x04\xd0\0\0\0\0\0\0"
            try:
                socks[i].send(msg)
            except (BlockingIOError, ConnectionRefusedError):
                break
            pend[i][qid] = (time.perf_counter(), qi)
            outstanding += 1
            sent += 1
            if sent == at and cmd:
                proc = subprocess.Popen(cmd, shell=True, stdout=subprocess.DEVNULL)
            if rate > 0:
                now = time.perf_counter()
        if sent >= count and outstanding == 0 and (proc is None or exec_done_at >= 0 or proc.poll() is not None):
            if proc is not None and exec_done_at < 0:
                exec_done_at = sent
            break
        # wait
        if sent < count and outstanding < window:
            wait = 0 if rate <= 0 else max(0.0, start + sent / rate - now)
        else:
            wait = 0.05
        for fd, _ev in poll.poll(wait * 1000):
            i = byfd[fd]
            while True:
                try:
                    m = socks[i].recv(4096)
                except (BlockingIOError, ConnectionRefusedError):
                    break
                t = time.perf_counter()
                qid = struct.unpack("!H", m[:2])[0]
                if qid in pend[i]:
                    t0, qi = pend[i].pop(qid)
                    outstanding -= 1
                    lat.append((t - t0) * 1000)
                elif qid in expired[i]:
                    qi = expired[i].pop(qid)
                    late += 1
                else:
                    continue
                answered += 1
                per_src[i] += 1
                key = queries[qi][0] + " " + summary(m)
                per_q[key] = per_q.get(key, 0) + 1
        now = time.perf_counter()
        if now - last_expire > 0.1:
            last_expire = now
            for i in range(len(socks)):
                for qid, (t0, qi) in list(pend[i].items()):
                    if now - t0 > timeout:
                        del pend[i][qid]
                        expired[i][qid] = qi
                        outstanding -= 1
    # late answers after the last expiry
    end = time.perf_counter()
    deadline = end + (0.3 if any(expired) else 0)
    while time.perf_counter() < deadline:
        for fd, _ev in poll.poll(50):
            i = byfd[fd]
            try:
                m = socks[i].recv(4096)
            except BlockingIOError:
                continue
            qid = struct.unpack("!H", m[:2])[0]
            if qid in expired[i]:
                qi = expired[i].pop(qid)
                late += 1
                answered += 1
                per_src[i] += 1
                key = queries[qi][0] + " " + summary(m)
                per_q[key] = per_q.get(key, 0) + 1
    lat.sort()
    def pct(p):
        return lat[min(len(lat) - 1, int(len(lat) * p))] if lat else -1
    secs = end - start
    print("sent=%d answered=%d late=%d lost=%d seconds=%.3f qps=%.0f p50=%.2f p99=%.2f max=%.2f exec_done_at=%d"
          % (sent, answered, late, sent - answered, secs, sent / secs if secs else 0,
             pct(0.5), pct(0.99), lat[-1] if lat else -1, exec_done_at))
    for i, s in enumerate(srcs):
        print("src %s %d" % (s, per_src[i]))
    for k in sorted(per_q):
        print("answer %s|%d" % (k, per_q[k]))


main()
EOF

sqlite3 "$RRPOLICY_DB" < "$REPO_ROOT/schema/schema.sql"
sqlw "INSERT INTO policy(id, name, type) VALUES (1, 'spammer.com', 'MX');
      INSERT INTO policy(id, name, type, action) VALUES (2, 'nxdomain.com', 'MX', 'log');
      INSERT INTO policy(id, name, type, action) VALUES (3, '*.example.com', 'TXT', 'log');"
start_resolver
NULLMX="spammer.com. IN MX 0 ."
TOTAL=0     # rows table hit must hold

# ---------------------------------------------------------------- unblocked: no rows
out=$(q spammer.com A; q nxdomain.com A; q aspmx.l.google.com A; q example.com TXT; q a.example.com A
      q alias.example.net MX)
check_eq "unblocked queries resolve" 6 "$(grep -c 'status: NOERROR' <<<"$out")"
sleep 0.5
check_eq "unblocked queries give no rows" 0 "$(hits)"

# ---------------------------------------------------------------- N blocked queries, 3 clients
check_eq "150 blocked queries from 127.0.0.2 (one dig run): 150 null MX" 150 \
    "$(count_rr "$NULLMX" "$(dig_many 127.0.0.2 150 spammer.com MX)")"
check_eq "100 from 127.0.0.3: 100 null MX" 100 \
    "$(count_rr "$NULLMX" "$(dig_many 127.0.0.3 100 spammer.com MX)")"
check_eq "50 from 127.0.0.4: 50 null MX" 50 \
    "$(count_rr "$NULLMX" "$(dig_many 127.0.0.4 50 spammer.com MX)")"
TOTAL=300
check_eq "300 blocked queries give 300 rows" $TOTAL "$(wait_hits $TOTAL)"
check_eq "... and no drops" 0 "$(drops)"
check_eq "each row has the client, qname, qtype, rule, action and stage" \
"127.0.0.2|spammer.com.|MX|1|nullmx|query|150
127.0.0.3|spammer.com.|MX|1|nullmx|query|100
127.0.0.4|spammer.com.|MX|1|nullmx|query|50" \
    "$(sql "SELECT client, qname, qtype, policy_id, action, stage, count(*) FROM hit
            GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1;")"
check_eq "ts is UTC 'YYYY-MM-DD HH:MM:SS[.SSS]' within the last minute" 300 \
    "$(sql "SELECT count(*) FROM hit WHERE datetime(ts) IS NOT NULL
              AND ts GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]*'
              AND ts >= datetime('now', '-1 minute') AND ts <= datetime('now', '+1 second');")"

# ---------------------------------------------------------------- response stage
out=$(dig_many 127.0.0.5 2 mx.alias.example.net MX)
check_eq "mx.alias.example.net MX (CNAME to spammer.com) twice: CNAME and null MX each time" "2 2" \
    "$(count_rr "mx.alias.example.net. IN CNAME spammer.com." "$out") $(count_rr "$NULLMX" "$out")"
TOTAL=$((TOTAL + 2))
check_eq "... two rows" $TOTAL "$(wait_hits $TOTAL)"
check_eq "... recorded at stage 'response' with action 'nullmx' and the query's name" \
    "127.0.0.5|mx.alias.example.net.|MX|1|nullmx|response|2" \
    "$(sql "SELECT client, qname, qtype, policy_id, action, stage, count(*) FROM hit
            WHERE client = '127.0.0.5' GROUP BY 1, 2, 3, 4, 5, 6;")"

# ---------------------------------------------------------------- log rule
out=$(dig_many 127.0.0.6 5 nxdomain.com MX)
check_eq "a 'log' rule leaves the answer unchanged (5 queries)" 5 \
    "$(count_rr "nxdomain.com. IN MX 1 aspmx.l.google.com." "$out")"
TOTAL=$((TOTAL + 5))
check_eq "... and each of them is a row" $TOTAL "$(wait_hits $TOTAL)"
check_eq "... with action 'log'" "127.0.0.6|nxdomain.com.|MX|2|log|query|5" \
    "$(sql "SELECT client, qname, qtype, policy_id, action, stage, count(*) FROM hit
            WHERE client = '127.0.0.6' GROUP BY 1, 2, 3, 4, 5, 6;")"

# ---------------------------------------------------------------- six rules fire for one query
# hop3.mailpath.example.net MX: CNAME to hop.alias.example.net, CNAME to shared.alias.example.net,
# whose MX is the shared mail host; a 'log' rule on each name and target of the chain
sqlw "INSERT INTO policy(id, name, type, action) VALUES
        (11, 'hop3.mailpath.example.net', '*', 'log'), (12, 'hop3.mailpath.example.net', 'CNAME', 'log'),
        (13, 'hop.alias.example.net', 'CNAME', 'log'), (14, 'shared.alias.example.net', 'MX', 'log');
      INSERT INTO policy(id, name, type, action, trigger) VALUES
        (15, 'hop.alias.example.net', 'CNAME', 'log', 'target'),
        (16, 'shared.alias.example.net', 'CNAME', 'log', 'target');"
wait_log "loaded 9 rules" || die "the six rules did not load"
out=$(dig_many 127.0.0.10 1 hop3.mailpath.example.net MX)
check_eq "hop3.mailpath.example.net MX: the chain to the shared mail host, unchanged" 1 \
    "$(count_rr "shared.alias.example.net. IN MX 10 aspmx.l.google.com." "$out")"
TOTAL=$((TOTAL + 6))
check_eq "... six rules fired: six rows (more than the four a query's state holds in itself)" \
    $TOTAL "$(wait_hits $TOTAL)"
check_eq "... one per rule, each with its stage" \
"11|query
12|response
13|response
14|response
15|response
16|response" \
    "$(sql "SELECT policy_id, stage FROM hit WHERE client = '127.0.0.10' ORDER BY policy_id;")"
# the views' checks below know the other rows only
sqlw "DELETE FROM hit WHERE client = '127.0.0.10'; DELETE FROM policy WHERE id BETWEEN 11 AND 16;"
TOTAL=$((TOTAL - 6))

# ---------------------------------------------------------------- one row per client answered
# Three clients ask the same uncached name at once: Unbound may merge them into
# one mesh state; each client answered is a row either way.
auth_mark
out=$(dq src=127.0.0.7,127.0.0.8,127.0.0.9 count=3 window=3 q="a.example.com TXT")
check_eq "3 clients ask a.example.com TXT ('log' rule on *.example.com) at once: 3 answers" \
    "a.example.com/TXT NOERROR TXT|3" "$(answers "$out")"
note "the auth server saw a.example.com TXT $(auth_count a.example.com TXT) time(s) for the 3 clients"
TOTAL=$((TOTAL + 3))
check_eq "... 3 rows" $TOTAL "$(wait_hits $TOTAL)"
check_eq "... one per client" \
"127.0.0.7|a.example.com.|TXT|3|log|query
127.0.0.8|a.example.com.|TXT|3|log|query
127.0.0.9|a.example.com.|TXT|3|log|query" \
    "$(sql "SELECT client, qname, qtype, policy_id, action, stage FROM hit
            WHERE qname = 'a.example.com.' ORDER BY client;")"

# ---------------------------------------------------------------- the operator's queries and views
check_eq "SELECT count(*) FROM hit WHERE ts >= datetime('now','-1 hour')" $TOTAL \
    "$(sql "SELECT count(*) FROM hit WHERE ts >= datetime('now','-1 hour');")"
check_eq "the README's query: clients of rule 1 in the last hour" \
"127.0.0.2|150
127.0.0.3|100
127.0.0.4|50
127.0.0.5|2" \
    "$(sql "SELECT client, count(*) FROM hit
            WHERE policy_id = 1 AND ts >= datetime('now', '-1 hour') GROUP BY client;")"
check_eq "top_clients: most hits first" \
"127.0.0.2|150
127.0.0.3|100
127.0.0.4|50
127.0.0.6|5
127.0.0.5|2" "$(sql "SELECT client, hits FROM top_clients LIMIT 5;")"
check_eq "top_clients: the last_seen of each is its latest hit" 0 \
    "$(sql "SELECT count(*) FROM top_clients AS t
            WHERE last_seen IS NOT (SELECT max(ts) FROM hit WHERE client = t.client);")"
check_eq "top_blocked_names: blocked names only (not 'log' hits), most first" \
"spammer.com.|MX|300
mx.alias.example.net.|MX|2" "$(sql "SELECT * FROM top_blocked_names;")"
check_eq "hits_per_rule_per_day: today, per rule, most first" \
"1|1|spammer.com|MX|nullmx|302
1|2|nxdomain.com|MX|log|5
1|3|*.example.com|TXT|log|3" \
    "$(sql "SELECT day = date((SELECT max(ts) FROM hit)), policy_id, name, type, action, hits
            FROM hits_per_rule_per_day;")"
check_eq "recent_hits: every hit (fewer than 1000)" $TOTAL "$(sql "SELECT count(*) FROM recent_hits;")"
check_eq "recent_hits: newest first, with the rule's name and type" \
"127.0.0.7|a.example.com.|TXT|log|query|3|*.example.com|TXT
127.0.0.8|a.example.com.|TXT|log|query|3|*.example.com|TXT
127.0.0.9|a.example.com.|TXT|log|query|3|*.example.com|TXT
127.0.0.6|nxdomain.com.|MX|log|query|2|nxdomain.com|MX" \
    "$(r=$(sql "SELECT client, qname, qtype, action, stage, policy_id, rule_name, rule_type
                FROM recent_hits LIMIT 4;")
       sed -n 1,3p <<<"$r" | sort; sed -n '4,$p' <<<"$r")"
check_eq "recent_hits: ids descending" 1 \
    "$(sql "SELECT max(id) = (SELECT id FROM recent_hits LIMIT 1) FROM hit;")"

# ---------------------------------------------------------------- latency with hit logging on
out=$(dq src=127.0.0.10 count=2000 rate=2000 timeout=2 q="spammer.com MX")
latency "latency, hit_log = 1, 2000 blocked queries at 2000/s" "$out"
check_eq "2000 blocked queries at 2000/s: all answered with the null MX" \
    "spammer.com/MX NOERROR MX 0 .|2000" "$(answers "$out")"
check "... each within 500 ms" awk -v m="$(field max "$out")" 'BEGIN { exit !(m >= 0 && m < 500) }'
TOTAL=$((TOTAL + 2000))
check_eq "... 2000 rows" $TOTAL "$(wait_hits $TOTAL)"

# ---------------------------------------------------------------- an operator holds an exclusive lock
# sqlite3 reads its statements from a fifo, so that the transaction stays open
mkfifo "$T/lock.in"
sqlite3 "$RRPOLICY_DB" <"$T/lock.in" >"$T/lock.out" 2>&1 &
LOCK_PID=$!
register_pid sqlite3-lock $LOCK_PID
exec 8>"$T/lock.in"
echo ".timeout 5000" >&8
echo "BEGIN EXCLUSIVE; SELECT 'locked';" >&8
for i in $(seq 100); do grep -q locked "$T/lock.out" && break; sleep 0.1; done
check_eq "the operator's sqlite3 holds BEGIN EXCLUSIVE" locked "$(cat "$T/lock.out")"
# is_locked: another writer is refused with "database is locked"
is_locked() {
    local out
    out=$(sqlite3 "$RRPOLICY_DB" "BEGIN IMMEDIATE; ROLLBACK;" 2>&1) && return 1
    grep -q 'database is locked' <<<"$out"
}
check "... another writer gets 'database is locked'" is_locked
base=$(hits)
out=$(dq src=127.0.0.11 count=600 rate=200 timeout=2 q="spammer.com MX,spammer.com A")
latency "latency, database locked, 200 queries/s for 3 s, half blocked" "$out"
check_eq "while it is held (3 s): blocked and unblocked queries are all answered" \
"spammer.com/A NOERROR A 192.0.2.10|300
spammer.com/MX NOERROR MX 0 .|300" "$(answers "$out")"
check "... each within 500 ms" awk -v m="$(field max "$out")" 'BEGIN { exit !(m >= 0 && m < 500) }'
check "the lock was held all along: other writers are still refused" is_locked
check_eq "... and no row was written meanwhile" "$base" "$(hits)"
check "the resolver log says the writer is retrying" \
    log_has 'rrpolicy: hit log: cannot begin a transaction on .*database is locked.*retrying'
echo "COMMIT;" >&8
exec 8>&-
wait $LOCK_PID
TOTAL=$((TOTAL + 300))
check_eq "once the lock is released, the 300 hits queued meanwhile land" $TOTAL "$(wait_hits $TOTAL)"
check_eq "... none dropped" 0 "$(drops)"
check "... the log says writing resumed" wait_log 'rrpolicy: hit log: writing to .* again after [0-9]+ failed attempts' 2

# ---------------------------------------------------------------- unbound-control reload in a flood
restarts=$(grep -c 'Restart of unbound' "$T/resolver.log")
base=$(hits)
dbase=$(drops)
base_id=$(sql "SELECT coalesce(max(id), 0) FROM hit;")
out=$(dq src=127.0.0.2,127.0.0.3,127.0.0.4 count=20000 window=100 timeout=2 q="spammer.com MX" \
         at=8000 exec="$UNBOUND_CONTROL -c $RESOLVER_CONF reload")
latency "flood of 20000 blocked queries with a reload after 8000" "$out"
answered=$(field answered "$out")
check_eq "the reload happened in the flood" $((restarts + 1)) "$(grep -c 'Restart of unbound' "$T/resolver.log")"
# unbound-control returns once the old module's loop is told to exit: the queries
# sent after that are answered by the new one
check "... and was over before the flood was ($(field exec_done_at "$out") of 20000 queries sent then)" \
    awk -v n="$(field exec_done_at "$out")" 'BEGIN { exit !(n >= 8000 && n < 20000) }'
check "most of the flood was answered ($answered of 20000)" test "$answered" -ge 15000
check_eq "... every answer was the null MX" "spammer.com/MX NOERROR MX 0 .|$answered" "$(answers "$out")"
rows=$(wait_hits $((base + answered)))
d=$(( $(drops) - dbase ))
note "flood with reload: $answered answered, $((rows - base)) rows, $d drops"
check_eq "rows + recorded drops == queries answered" "$answered" $((rows - base + d))
# 20000 hits cannot fill the queue (hit_queue_size 65536): none may be dropped
check_eq "... rows per client == answers per client" "$(sed -n 's/^src \(.*\) \(.*\)/\1|\2/p' <<<"$out")" \
    "$(sql "SELECT client, count(*) FROM hit WHERE id > $base_id GROUP BY client ORDER BY client;")"
check "nothing was given up at the reload" not log_has 'hit log: stopping: gave up'
TOTAL=$rows

# ---------------------------------------------------------------- readers during a flood
: >"$T/reader.err"
: >"$T/reader.counts"
touch "$T/reading"
(
    while [ -e "$T/reading" ]; do
        r=$(sqlite3 "$RRPOLICY_DB" "SELECT count(*) FROM hit; SELECT * FROM recent_hits LIMIT 5;" 2>&1)
        rc=$?
        if [ $rc -ne 0 ] || [ "$(wc -l <<<"$r")" -ne 6 ] || grep -qiE 'error|locked|busy' <<<"$r"; then
            printf 'exit %s: %s\n' "$rc" "$r" >>"$T/reader.err"
        fi
        head -n 1 <<<"$r" >>"$T/reader.counts"
    done
) &
READER_PID=$!
register_pid reader $READER_PID
dq src=127.0.0.12 count=1000 rate=500 timeout=2 q="spammer.com MX" >"$T/probe.out" &
PROBE_PID=$!
register_pid probe $PROBE_PID
out=$(dq src=127.0.0.2,127.0.0.3 count=20000 window=100 timeout=2 q="spammer.com MX")
wait $PROBE_PID
rm -f "$T/reading"
wait $READER_PID
probe=$(cat "$T/probe.out")
latency "flood of 20000 blocked queries from 2 clients" "$out"
latency "probe during that flood, 500 blocked queries/s" "$probe"
check_eq "a sqlite3 reader in a loop during the flood sees no error" "" "$(head -c 2000 "$T/reader.err")"
reads=$(wc -l <"$T/reader.counts")
check "... it read many times ($reads)" test "$reads" -ge 5
check "... while rows were being added ($(sort -u "$T/reader.counts" | wc -l) different counts)" \
    test "$(sort -u "$T/reader.counts" | wc -l)" -ge 3
check "the probe during the flood got every answer within 500 ms" \
    awk -v a="$(field answered "$probe")" -v m="$(field max "$probe")" 'BEGIN { exit !(a == 1000 && m >= 0 && m < 500) }'
answered=$(( $(field answered "$out") + $(field answered "$probe") ))
rows=$(wait_hits $((TOTAL + answered)))
d=$(( $(drops) - dbase - d ))
check_eq "rows + recorded drops == queries answered ($answered)" "$answered" $((rows - TOTAL + d))
TOTAL=$rows

# ---------------------------------------------------------------- hit_log = 2
# one row per client, name, type, rule, action, stage and minute, with a count
sqlw "UPDATE setting SET value = '2' WHERE key = 'hit_log';"
check "unbound-control reload (hit_log = 2)" uctl reload
wait_answering resolver "$RESOLVER_PID" "$RESOLVER_PORT"
base_id=$(sql "SELECT coalesce(max(id), 0) FROM hit;")
dbase=$(drops)
# counted: the sum of count over the rows written since the switch
counted() { sql "SELECT coalesce(sum(count), 0) FROM hit WHERE id > $base_id;"; }
# wait_counted N: N counted hits (counts are written every second)
wait_counted() { wait_at_least "$1" 1.5 counted; }
check_eq "hit_log = 2: 150 blocked queries from 127.0.0.2, 100 from .3, 50 from .4: all null MX" \
    "150 100 50" "$(count_rr "$NULLMX" "$(dig_many 127.0.0.2 150 spammer.com MX)") $(
                    count_rr "$NULLMX" "$(dig_many 127.0.0.3 100 spammer.com MX)") $(
                    count_rr "$NULLMX" "$(dig_many 127.0.0.4 50 spammer.com MX)")"
check_eq "... 300 hits counted" 300 "$(wait_counted 300)"
check_eq "... per client, with the name, type, rule, action and stage" \
"127.0.0.2|spammer.com.|MX|1|nullmx|query|150
127.0.0.3|spammer.com.|MX|1|nullmx|query|100
127.0.0.4|spammer.com.|MX|1|nullmx|query|50" \
    "$(sql "SELECT client, qname, qtype, policy_id, action, stage, sum(count) FROM hit
            WHERE id > $base_id GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1;")"
# a minute may have begun during the queries: then a client has two rows
check "... in one row per client and minute ($(sql "SELECT count(*) FROM hit WHERE id > $base_id;") rows)" \
    test "$(sql "SELECT count(*) = count(DISTINCT client || substr(ts, 1, 16)) AND count(*) <= 6
                 FROM hit WHERE id > $base_id;")" = 1
check_eq "... ts is the first hit's, UTC, within the last minute" 1 \
    "$(sql "SELECT min(ts >= datetime('now', '-1 minute') AND ts <= datetime('now', '+1 second'))
            FROM hit WHERE id > $base_id;")"
check_eq "the views count hits, not rows (top_clients, top_blocked_names, hits_per_rule_per_day)" \
    "1|1|1|1" "$(sql "SELECT (SELECT sum(count) FROM hit) > (SELECT count(*) FROM hit),
                              (SELECT sum(hits) FROM top_clients) = (SELECT sum(count) FROM hit),
                              (SELECT sum(hits) FROM top_blocked_names) =
                                  (SELECT sum(count) FROM hit WHERE action NOT IN ('log', 'allow')),
                              (SELECT sum(hits) FROM hits_per_rule_per_day) = (SELECT sum(count) FROM hit);")"
restarts=$(grep -c 'Restart of unbound' "$T/resolver.log")
out=$(dq src=127.0.0.2,127.0.0.3,127.0.0.4 count=20000 window=100 timeout=2 q="spammer.com MX" \
         at=8000 exec="$UNBOUND_CONTROL -c $RESOLVER_CONF reload")
latency "hit_log = 2: flood of 20000 blocked queries with a reload after 8000" "$out"
answered=$(field answered "$out")
check_eq "hit_log = 2: the reload happened in the flood" $((restarts + 1)) \
    "$(grep -c 'Restart of unbound' "$T/resolver.log")"
check "... most of the flood was answered ($answered of 20000)" test "$answered" -ge 15000
n=$(wait_counted $((300 + answered)))
d=$(( $(drops) - dbase ))
note "hit_log = 2, flood with reload: $answered answered, $((n - 300)) counted in $(sql "SELECT count(*) FROM hit WHERE id > $base_id;") rows, $d drops"
check_eq "... counted hits + recorded drops == queries answered" "$answered" $((n - 300 + d))
check_eq "... per client" "$(sed -n 's/^src \(.*\) \(.*\)/\1|\2/p' <<<"$out")" \
    "$(sql "SELECT client, sum(count) - CASE client WHEN '127.0.0.2' THEN 150 WHEN '127.0.0.3' THEN 100
                                            ELSE 50 END
            FROM hit WHERE id > $base_id GROUP BY client ORDER BY client;")"
check "... at most 4 rows per client: one per minute, and a new one after the reload" \
    test "$(sql "SELECT max(c) FROM (SELECT count(*) AS c FROM hit WHERE id > $base_id GROUP BY client);")" -le 4
check "nothing was given up at the reload" not log_has 'hit log: stopping: gave up'

# ---------------------------------------------------------------- a reload under an operator's lock
# An operator holds the write lock across unbound-control reload, during which Unbound answers
# nothing: the module waits for the lock only for the last writes of its hit log (1 s, then it
# gives them up, naming the cause), never for its status; the new load's status is written once
# the lock is gone.
{ echo "BEGIN EXCLUSIVE;"; sleep 8; echo "ROLLBACK;"; } | sqlite3 "$RRPOLICY_DB" &
lock_pid=$!
sleep 0.5
dig_many 127.0.0.2 20 spammer.com MX >/dev/null    # hits that wait for the lock
since=$(date -u '+%Y-%m-%d %H:%M:%S')
t0=$(date +%s%N)
reload
check "a reload under an 8-second write lock is over long before the lock" \
    test $(( ($(date +%s%N) - t0) / 1000000 )) -lt 5000
check "... the hits it could not write are given up, with the cause" \
    log_has 'hit log: stopping: gave up .* could not be written to .*: database is locked'
check_eq "... and blocking works" 5 "$(count_rr "$NULLMX" "$(dig_many 127.0.0.2 5 spammer.com MX)")"
wait "$lock_pid"
loaded_since() { [ "$(sql "SELECT loaded_at >= '$since' FROM module_status;")" = 1 ]; }
for _ in $(seq 50); do loaded_since && break; sleep 0.1; done
check "... the new load's status is written once the lock is gone" loaded_since

# ---------------------------------------------------------------- hit_log = 0
sqlw "UPDATE setting SET value = '0' WHERE key = 'hit_log';"
check "a change of hit_log says it applies at the next reload" \
    wait_log 'setting hit_log is now 0: the module uses [12] until the next unbound-control reload' 5
check "unbound-control reload" uctl reload
wait_answering resolver "$RESOLVER_PID" "$RESOLVER_PORT"
base=$(hits)
check_eq "hit_log = 0: blocking still works" 50 \
    "$(count_rr "$NULLMX" "$(dig_many 127.0.0.2 50 spammer.com MX)")"
out=$(dq src=127.0.0.10 count=2000 rate=2000 timeout=2 q="spammer.com MX")
latency "latency, hit_log = 0, 2000 blocked queries at 2000/s" "$out"
check_eq "... 2000 more, all answered with the null MX" \
    "spammer.com/MX NOERROR MX 0 .|2000" "$(answers "$out")"
out=$(dig_many 127.0.0.6 3 nxdomain.com MX)
check_eq "... a 'log' rule still answers normally" 3 \
    "$(count_rr "nxdomain.com. IN MX 1 aspmx.l.google.com." "$out")"
sleep 1
check_eq "... and no hit is recorded" "$base" "$(hits)"
finish
