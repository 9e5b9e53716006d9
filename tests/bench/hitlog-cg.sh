#!/bin/sh
# Instructions per hit of the hit log writer, under callgrind: bench_hitlog
# (tests/bench/bench_hitlog.c) run with N1 and N2 hits, in transactions of B
# hits; the writer process's Ir difference divided by N2 - N1, so start-up and
# per-run costs cancel out. B = 100 is about what a transaction holds in the
# callgrind runs of run-bench.sh, 4096 what it holds at saturation.
# Usage: hitlog-cg.sh BENCH_HITLOG [B ...]   (default B: 100 4096)
# Env: HITLOG_CG_N1, HITLOG_CG_N2 (default 2000, 10000); HITLOG_CG_MODE=counts for
# setting hit_log = 2 (hits that seldom repeat: names of 10,000 rules). Not a test.
set -eu
bin=$1
shift
[ $# -gt 0 ] || set -- 100 4096
n1=${HITLOG_CG_N1:-2000}
n2=${HITLOG_CG_N2:-10000}
out=$(mktemp -d "${TMPDIR:-/tmp}/hitlog-cg.XXXXXX")
trap 'rm -rf "$out"' EXIT
writer_ir() {   # N B: the writer process's Ir (the file of the process valgrind did not start)
    valgrind --tool=callgrind --callgrind-out-file="$out/cg.$1.$2.%p" "$bin" "$1" "$2" \
        "${TMPDIR:-/tmp}" "${HITLOG_CG_MODE:-rows}" >/dev/null 2>"$out/log.$1.$2" \
        || { cat "$out/log.$1.$2" >&2; exit 1; }
    main=$(sed -n '1s/^==\([0-9]*\)==.*/\1/p' "$out/log.$1.$2")
    rm -f "$out/cg.$1.$2.$main"
    mv "$out/cg.$1.$2".* "$out/writer.$1.$2"
    awk '/^summary:/ { print $2; exit }' "$out/writer.$1.$2"
}
for b in "$@"; do
    a=$(writer_ir "$n1" "$b")
    z=$(writer_ir "$n2" "$b")
    echo "hit log writer, transactions of $b hits: $(( (z - a) / (n2 - n1) )) Ir per hit ($n1 hits: $a Ir, $n2 hits: $z Ir)"
    [ -z "${HITLOG_CG_KEEP:-}" ] || cp "$out/writer.$n2.$b" "$HITLOG_CG_KEEP.$b"
done
