#!/usr/bin/env python3
"""bench_report.py [--pairs] WORKDIR - turn the raw data of run-bench.sh into Markdown.

Reads WORKDIR/machine.tsv, configs.tsv and raw.tsv ("round config metric
value" lines) and prints RESULTS.md on stdout. Every figure is the median
over the rounds of the per-round ratio to stock (config / stock measured in
the same round); the absolute median follows in brackets. With --pairs, only
the table of the paired runs (run-bench.sh --pairs-only).
"""
import collections
import math
import statistics
import sys

WORKLOADS = [("hit", "cache hit"), ("blocked", "blocked"), ("mix1", "mix 1% blocked"),
             ("mix10", "mix 10% blocked"), ("miss", "cache miss")]
CG_WORKLOADS = [("hit", "cache hit"), ("blocked", "blocked"), ("miss", "cache miss")]


def load(workdir):
    machine = {}
    with open(workdir + "/machine.tsv") as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("\t")
            machine[k] = v
    configs = collections.OrderedDict()
    with open(workdir + "/configs.tsv") as f:
        for line in f:
            name, kind, rules, label, *base = line.rstrip("\n").split("\t")
            configs[name] = {"kind": kind, "rules": int(rules), "label": label,
                             "base": base[0] if base else "stock"}
    raw = collections.defaultdict(dict)   # (config, metric) -> {round: value}
    with open(workdir + "/raw.tsv") as f:
        for line in f:
            rnd, cfg, metric, value = line.rstrip("\n").split("\t")
            try:
                v = float(value)
            except ValueError:
                continue
            raw[(cfg, metric)][rnd] = v
    # configurations with timed rounds; the callgrind-only ones (round "cg") are cg_only
    present = [c for c in configs if any(k[0] == c and set(v) - {"cg"} for k, v in raw.items())]
    cg_only = [c for c in configs if c not in present and any(k[0] == c for k in raw)]
    # derived figures of each saturation run
    for (cfg, metric), rounds in list(raw.items()):
        if not metric.startswith("cpu_ns_"):
            continue
        w = metric[len("cpu_ns_"):]
        for rnd, cpu in rounds.items():
            done = raw.get((cfg, "completed_" + w), {}).get(rnd)
            runtime = raw.get((cfg, "runtime_" + w), {}).get(rnd)
            if not done or not cpu or not runtime:
                continue
            raw[(cfg, "cap_" + w)][rnd] = done * 1e9 / cpu      # queries per CPU-second
            worker = raw.get((cfg, "cpu_worker_ns_" + w), {}).get(rnd)
            if worker:      # the worker thread's CPU alone: the module's threads left out
                raw[(cfg, "capw_" + w)][rnd] = done * 1e9 / worker
            # cores used during the run
            run_cpu = raw.get((cfg, "cpu_run_ns_" + w), {}).get(rnd, cpu)
            raw[(cfg, "busy_" + w)][rnd] = run_cpu / 1e9 / runtime
            if w == "blocked" and (cfg, "hit_rows") in raw and rnd in raw[(cfg, "hit_rows")]:
                raw[(cfg, "hit_rows_per_s")][rnd] = raw[(cfg, "hit_rows")][rnd] / runtime
    return machine, configs, raw, present, cg_only


# raw.tsv key prefix of each change of apply_test -> its name
APPLY_KEYS = collections.OrderedDict([("apply_", "insert"), ("apply_update_", "update"),
                                      ("apply_delete_", "delete"),
                                      ("apply_reload_", "unbound-control reload")])


def median(values):
    values = [v for v in values if v is not None and not math.isnan(v)]
    return statistics.median(values) if values else None


class Data:
    def __init__(self, raw, configs):
        self.raw = raw
        self.configs = configs

    def rounds(self, cfg, metric):
        return self.raw.get((cfg, metric), {})

    def abs(self, cfg, metric):
        return median(self.rounds(cfg, metric).values())

    def ratios(self, cfg, metric, base_metric=None):
        """Per-round ratios to the configuration's base (stock unless configs.tsv names
        another)."""
        base_cfg = self.configs[cfg]["base"] if cfg in self.configs else "stock"
        base = self.rounds(base_cfg, base_metric or metric)
        out = []
        for rnd, v in sorted(self.rounds(cfg, metric).items()):
            b = base.get(rnd)
            if b:
                out.append(v / b)
        return out

    def ratio(self, cfg, metric, base_metric=None):
        return median(self.ratios(cfg, metric, base_metric))

    def cell(self, cfg, metric, digits=2):
        """A table cell: the ratio to the base, then the absolute median in brackets."""
        return "%s (%s)" % (fratio(self.ratio(cfg, metric), digits), fnum(self.abs(cfg, metric)))


def fnum(v, digits=0):
    if v is None:
        return "n/a"
    if digits == 0:
        return "{:,.0f}".format(v)
    return "{:,.{d}f}".format(v, d=digits)


def fratio(v, digits=2):
    return "n/a" if v is None else "{:.{d}f}".format(v, d=digits)


def mb(kb):
    """kB (KiB, as /proc reports them) as MB (10^6 bytes), the unit of the goal."""
    return fnum(kb * 1024 / 1e6 if kb is not None else None, 1)


def table(header, rows):
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        out.append("| " + " | ".join(row) + " |")
    return "\n".join(out)


def verdict(ok):
    if ok is None:
        return "not measured"
    return "**met**" if ok else "**missed**"


def noisy_verdict(ratios, threshold):
    """Verdict for a ratio that must be >= threshold, from the per-round ratios: 'unclear'
    when the rounds fall on both sides of the threshold."""
    if not ratios:
        return "not measured"
    med = statistics.median(ratios)
    if min(ratios) < threshold <= max(ratios):
        return "**unclear** (rounds on both sides: noise)"
    return verdict(med >= threshold)


def median_interval(values, level=0.95):
    """A distribution-free interval for the median of values: the order statistics k and
    n + 1 - k for the largest k whose coverage, 1 - 2 P(Binomial(n, 1/2) < k), is at least
    level (k = 1, the whole range, when none is). Returns (low, high, coverage)."""
    v = sorted(values)
    n = len(v)

    def below(k):     # P(Binomial(n, 1/2) < k)
        return sum(math.comb(n, j) for j in range(k)) / 2 ** n
    k = max([1] + [k for k in range(1, n // 2 + 1) if 1 - 2 * below(k) >= level])
    return v[k - 1], v[n - k], 1 - 2 * below(k)


def paired(d, cfg, w, cap="cap_"):
    """Per-pair capacity ratios of cfg on workload w (its runs are workload pair_w) to stock's
    in the same pair: blocked to stock's cache hits (the goal's yardstick), the others to the
    same workload. cap capw_: cfg's worker thread alone, to stock's."""
    return d.ratios(cfg, cap + "pair_" + w, "cap_pair_" + ("hit" if w == "blocked" else w))


def paired_figure(ratios):
    lo, hi, cov = median_interval(ratios)
    return "%s (%d%% interval %s to %s, %d pairs)" % (fratio(statistics.median(ratios), 3),
                                                     round(cov * 100), fratio(lo, 3),
                                                     fratio(hi, 3), len(ratios))


def paired_verdict(ratios, threshold):
    """Met when the median's interval lies at or above threshold, missed when below it,
    unclear when it holds it; said to be weak when too few pairs give no 95% interval."""
    lo, hi, cov = median_interval(ratios)
    weak = "" if cov >= 0.95 else " (a %d%% interval only: too few pairs)" % round(cov * 100)
    if lo >= threshold:
        return verdict(True) + weak
    if hi < threshold:
        return verdict(False) + weak
    return "**unclear** (the interval holds %s)" % fratio(threshold)


PAIR_GOALS = [("hit", "cache hit", None), ("blocked", "blocked (to stock's cache hits)", 0.90),
              ("miss", "cache miss", 0.97)]


def pairs_section(d, configs, machine):
    """The paired runs' table, or [] when the run made none."""
    cfgs = [c for c in ("rrpbig", "rrpnothr", "rrpcnt") if d.rounds(c, "cap_pair_hit")]
    if not cfgs or not d.rounds("stock", "cap_pair_hit"):
        return []
    out = ["Stock and %s ran side by side for %s pairs of saturation runs of %s s: one process "
           "each, all on the resolver's CPU, taking turns within seconds (the order rotating from "
           "pair to pair), so that each pair's ratio compares runs under the same conditions. "
           "Capacity as above (queries per CPU-second of every thread of the resolver and of its "
           "hit log writer process, the writer's work for the blocked hits included). Median of the per-pair ratios to stock, with a "
           "distribution-free confidence interval for it (order statistics); a goal is met when "
           "the whole interval clears it, missed when the whole interval falls short."
           % (" and ".join(configs[c]["label"] for c in cfgs), machine.get("pairs", "?"),
              machine.get("duration", "?")), ""]
    rows = []
    for c in cfgs:
        row = [configs[c]["label"]]
        for w, _, goal in PAIR_GOALS:
            r = paired(d, c, w)
            if not r:
                row.append("n/a")
                continue
            row.append(paired_figure(r) + ("" if goal is None else
                                           "; goal >= %s: %s" % (fratio(goal), paired_verdict(r, goal))))
        drops = d.rounds(c, "pair_hit_dropped").get("pairs")
        row.append("n/a" if drops is None else fnum(drops))
        rows.append(row)
    out.append(table(["configuration"] + [label for _, label, _ in PAIR_GOALS] + ["hits dropped"], rows))
    out.append("")
    out.append("The same pairs with rrpolicy's **worker thread alone** (its hit log writer process "
               "and policy watcher thread left out, as on a resolver whose module finds a core to "
               "spare; stock's whole process, which is its worker): "
               + "; ".join("%s: %s" % (configs[c]["label"], ", ".join(
                   "%s %s" % (label.split(" (")[0], paired_figure(r))
                   for w, label, _ in PAIR_GOALS for r in [paired(d, c, w, "capw_")] if r))
                   for c in cfgs) + ".")
    out.append("")
    out.append("Stock's capacity over the pairs (q/CPU-s): cache hit %s to %s, cache miss %s to %s."
               % tuple(fnum(f(d.rounds("stock", "cap_pair_" + w).values()))
                       for w in ("hit", "miss") for f in (min, max)))
    out.append("")
    return out


def spread(ratios):
    return "" if len(ratios) < 2 else "; rounds %s to %s" % (fratio(min(ratios)), fratio(max(ratios)))


def main():
    if sys.argv[1] == "--pairs":       # run-bench.sh --pairs-only: the paired runs alone
        machine, configs, raw, _, _ = load(sys.argv[2])
        print("# rrpolicy: paired runs (`%s`)\n" % machine.get("command", "?"))
        print("\n".join(pairs_section(Data(raw, configs), configs, machine)
                        or ["No paired runs were made."]))
        return
    workdir = sys.argv[1]
    machine, configs, raw, present, cg_only = load(workdir)
    d = Data(raw, configs)
    big = next((c for c in present if c == "rrpbig"), None)
    big_label = machine.get("big_label", "?")
    out = []
    add = out.append

    add("# rrpolicy benchmark results")
    add("")
    add("Produced by `tests/bench/run-bench.sh` (see `tests/bench/README.md` for what each figure "
        "means). Every figure is a **ratio to stock Unbound** (`module-config: \"validator "
        "iterator\"`), computed per round against stock's run of the same round and then the "
        "median over the rounds; the absolute median follows in brackets. Throughput: higher is "
        "better. Latency, instructions, memory: lower is better.")
    add("")
    add("## Machine and command")
    add("")
    rows = [
        ("command", "`%s`" % machine.get("command", "?")),
        ("mode", "%s: %s rounds, saturation runs of %s s, latency runs of %s s, big configs with "
         "%s rules/names, %s warm names" % (machine.get("mode"), machine.get("rounds"),
                                            machine.get("duration"), machine.get("lat_duration"),
                                            big_label, machine.get("hit_names"))),
        ("started", machine.get("started", "?")),
        ("CPU", "%s (nproc %s)" % (machine.get("cpu", "?"), machine.get("nproc", "?"))),
        ("memory", machine.get("memory", "?")),
        ("kernel / OS", "%s / %s" % (machine.get("kernel", "?"), machine.get("os", "?"))),
        ("Unbound", machine.get("unbound", "?")),
        ("rrpolicy", "git describe: `%s`" % machine.get("rrpolicy", "?")),
        ("tools", "dnsperf %s, NSD %s, %s" % (machine.get("dnsperf", "?"), machine.get("nsd", "?"),
                                             machine.get("valgrind", "?"))),
        ("CPU pinning", machine.get("pinning", "?")),
        ("load average", "%s at start, %s at end (anything near or above 1 means other work "
         "shared the machine: treat the numbers as noisy)" % (machine.get("loadavg_start", "?"),
                                                              machine.get("loadavg_end", "?"))),
        ("run time", "%s s (databases generated in %s ms)" % (machine.get("elapsed_s", "?"),
                                                          machine.get("dbgen_ms", "?"))),
    ]
    add(table(["", ""], [list(r) for r in rows]))
    add("")

    # ---------------------------------------------------------------- goals
    add("## Goals (issue 6)")
    add("")
    grows = []
    if big:
        ir = d.ratio(big, "ir1_hit")
        ir2 = d.ratio("rrpw2", "ir1_hit")
        irn = d.ratio("rrpnothr", "ir1_hit")
        grows.append(["Cache hits with %s rules: instructions/query within 1%% of stock" % big_label,
                      "%s (%s vs %s Ir/q, worker thread); stock made multithreaded alone: %s; "
                      "rrpolicy without a thread, every hit still logged by its writer process "
                      "(poll_interval_ms = 0: changes apply on unbound-control reload): %s; "
                      "with num-threads: 2, where stock is multithreaded too: %s (%s vs %s Ir/q, "
                      "both workers); the module's threads also run %s Ir/s when idle (stock %s)"
                      % (fratio(ir, 4), fnum(d.abs(big, "ir1_hit")), fnum(d.abs("stock", "ir1_hit")),
                         fratio(d.ratio("stockmt", "ir1_hit"), 4),
                         fratio(irn, 4),
                         fratio(ir2, 4), fnum(d.abs("rrpw2", "ir1_hit")),
                         fnum(d.abs("stockw2", "ir1_hit")),
                         fnum(d.abs(big, "ir_idle_per_s")), fnum(d.abs("stock", "ir_idle_per_s"))),
                      verdict(None if ir is None else ir <= 1.01)
                      + ("" if irn is None else "; with poll_interval_ms = 0 %s" % verdict(irn <= 1.01))
                      + ("" if ir2 is None else "; with num-threads: 2 %s" % verdict(ir2 <= 1.01))])
        for c, how in ((big, "a row per hit (hit_log = 1, the default)"),
                       ("rrpcnt", "hits counted per client, name, type, rule and minute "
                        "(hit_log = 2)")):
            if c not in present:
                continue
            bq = d.ratio(c, "cap_blocked", "cap_hit")
            hits = d.abs(c, "hit_rows")
            answers = d.abs(c, "hit_answers")
            drops = max(d.rounds(c, "hit_dropped").values() or [0])
            logged_all = None
            if hits is not None and answers is not None:
                # every round, not the medians: a round that lost hits is not the median one
                rows_r, answers_r = d.rounds(c, "hit_rows"), d.rounds(c, "hit_answers")
                logged_all = drops == 0 and all(r in rows_r and rows_r[r] >= answers_r[r]
                                                for r in answers_r)
            bqs = d.ratios(c, "cap_blocked", "cap_hit")
            pq = paired(d, c, "blocked")
            bv = paired_verdict(pq, 0.90) if pq else noisy_verdict(bqs, 0.90)
            pdrops = d.rounds(c, "pair_hit_dropped").get("pairs")
            if pq and pdrops:
                logged_all = False
            if bv.startswith("**met**") and not logged_all:
                bv = "**missed** (hits not all logged)"
            grows.append(["Blocked queries (%s rules): throughput >= 90%% of stock's cache-hit "
                          "throughput, every hit logged; %s" % (big_label, how),
                          "%scapacity over the rounds %s (%s vs %s q/CPU-s%s); hits logged %s of %s, "
                          "%s dropped%s; the table then holds %s hits in %s rows"
                          % ("paired runs: %s; " % paired_figure(pq) if pq else "",
                             fratio(bq), fnum(d.abs(c, "cap_blocked")),
                             fnum(d.abs("stock", "cap_hit")), spread(bqs), fnum(hits),
                             fnum(answers), fnum(drops),
                             "" if pdrops is None else " (paired runs: %s dropped)" % fnum(pdrops),
                             fnum(d.abs(c, "hit_table_hits")),
                             fnum(d.abs(c, "hit_table_rows"))), bv])
        drops = max(d.rounds(big, "hit_dropped").values() or [0])
        mq = d.ratio(big, "cap_miss")
        mir = d.ratio(big, "ir1_miss")
        mqs = d.ratios(big, "cap_miss")
        pm = paired(d, big, "miss")
        grows.append(["Cache misses (%s rules): throughput within 3%% of stock" % big_label,
                      ("paired runs: %s; " % paired_figure(pm) if pm else "") +
                      "capacity over the rounds %s (%s vs %s q/CPU-s%s); worker instructions/query %s, worker "
                      "cycles/query as valgrind's cache model estimates them %s (stock made "
                      "multithreaded alone: %s; with num-threads: 2, to stock with num-threads: 2: "
                      "instructions %s, cycles %s)"
                      % (fratio(mq, 3), fnum(d.abs(big, "cap_miss")), fnum(d.abs("stock", "cap_miss")),
                         spread(mqs), fratio(mir, 4), fratio(d.ratio(big, "cyc1_miss"), 4),
                         fratio(d.ratio("stockmt", "cyc1_miss"), 4),
                         fratio(d.ratio("rrpw2", "ir1_miss"), 4),
                         fratio(d.ratio("rrpw2", "cyc1_miss"), 4)),
                      paired_verdict(pm, 0.97) if pm else noisy_verdict(mqs, 0.97)])
        # the same goals without the module's thread in Unbound's process (paired runs only)
        nothr = "no module thread (poll_interval_ms = 0: changes apply on unbound-control reload)"
        pb = paired(d, "rrpnothr", "blocked")
        if pb:
            nd = d.rounds("rrpnothr", "pair_hit_dropped").get("pairs")
            bv = paired_verdict(pb, 0.90)
            if bv.startswith("**met**") and nd:
                bv = "**missed** (hits not all logged)"
            grows.append(["... blocked, a row per hit, %s" % nothr, "paired runs: %s; %s dropped"
                          % (paired_figure(pb), fnum(nd)), bv])
        pn = paired(d, "rrpnothr", "miss")
        if pn:
            grows.append(["... cache misses, %s" % nothr,
                          "paired runs: %s; worker instructions/query %s, cycles %s"
                          % (paired_figure(pn), fratio(d.ratio("rrpnothr", "ir1_miss"), 4),
                             fratio(d.ratio("rrpnothr", "cyc1_miss"), 4)),
                          paired_verdict(pn, 0.97)])
        lm = d.abs(big, "load_ms")
        grows.append(["Load %s rules in <= 1 s%s" % (big_label, "" if big_label == "1M" else
                                                     " (goal is for 1M rules: quick mode loads fewer)"),
                      "%s ms" % fnum(lm, 1), verdict(None if lm is None else lm <= 1000)])
        rss = d.abs(big, "rss_load_kb")
        peak = d.abs(big, "hwm_load_kb")
        grows.append(["... and <= 150 MB RSS", "peak while loading %s MB; %s MB after load (anonymous %s MB, "
                      "file-backed %s MB; stock: %s MB)"
                      % (mb(peak), mb(rss), mb(d.abs(big, "rss_anon_kb")), mb(d.abs(big, "rss_file_kb")),
                         mb(d.abs("stock", "rss_load_kb"))),
                      verdict(None if peak is None else peak * 1024 <= 150e6)])
        hr = d.abs(big, "hit_rows_per_s")
        grows.append(["Hit log: 50,000 hits/s written with no drops",
                      "%s hits/s written (a row each) during the blocked run, %s dropped (the rate is bounded by "
                      "the blocked query rate the resolver reaches)" % (fnum(hr), fnum(drops)),
                      verdict(None if hr is None else (hr >= 50000 and drops == 0))])
    if big and d.rounds(big, "apply_ms"):
        # every change measured (insert; update and delete with --apply-changes): the slowest counts
        keys = [k for k in APPLY_KEYS if d.rounds(big, k + "ms")]
        am = max(d.abs(big, k + "ms") for k in keys)
        # a change sent in a round without a time never showed (recorded as NA, not parsed):
        # the reload has no time by design
        never = [APPLY_KEYS[k] for k in APPLY_KEYS if k != "apply_reload_"
                 and set(d.rounds(big, k + "sent")) - set(d.rounds(big, k + "ms"))]
        lost = max(d.abs(big, k + "lost") or 0 for k in keys)
        base = max(d.abs("stock", k + "lost") or 0 for k in keys)
        grows.append(["Apply a change within 2 s, no unanswered query",
                      "%s from COMMIT to the first answer that shows it; at most %s queries "
                      "unanswered under load (stock, no change: %s); longest answer %s ms (stock %s ms)"
                      % (", ".join("%s %s ms" % (APPLY_KEYS[k], fnum(d.abs(big, k + "ms")))
                                   for k in keys),
                         fnum(lost), fnum(base),
                         fnum(max(d.abs(big, k + "max_ms") or 0 for k in keys), 1),
                         fnum(max(d.abs("stock", k + "max_ms") or 0 for k in keys), 1)),
                      verdict(am <= 2000 and lost <= base and not never)
                      + ("" if not never else " (did not apply within 20 s in some round: %s)"
                         % ", ".join(never))])
    else:
        grows.append(["Apply a change within 2 s, no unanswered query",
                      "not measured in this run (`--apply`; on by default in full mode)", verdict(None)])
    add(table(["goal", "measured (median)", ""], grows))
    add("")
    if big_label != "1M":
        add("Quick mode: the big configurations hold %s rules/names, not 1M; the goals are stated "
            "for 1M (run `--full`)." % big_label)
        add("")

    # ---------------------------------------------------------------- throughput
    add("## Throughput")
    add("")
    add("**Capacity**: queries answered per second of resolver CPU time (every thread of the "
        "process and of the hit log writer process), during a saturation run of dnsperf (100 queries "
        "outstanding for cache workloads, 200 for misses, 4 sockets). With the resolver on one "
        "core this is the saturation throughput of that core, and it stays meaningful when the "
        "load generator, sharing the 2-core machine, cannot saturate the resolver. Ratio to stock "
        "on the same query file; for *blocked*, stock answers the same names from its cache.")
    add("")
    rows = []
    for c in present:
        row = [configs[c]["label"]]
        for w, _ in WORKLOADS:
            row.append(d.cell(c, "cap_" + w))
        rows.append(row)
    add(table(["configuration"] + [label for _, label in WORKLOADS], rows))
    add("")
    if any(d.rounds(c, "capw_miss") for c in present):
        add("Cache misses per CPU-second of the **worker thread alone** (the module's threads, "
            "the hit log writer process and the policy watcher thread, left out; this tells their share of the "
            "miss capacity above from the worker's): "
            + ", ".join("%s %s (%s)" % (configs[c]["label"], fratio(d.ratio(c, "capw_miss")),
                                        fnum(d.abs(c, "capw_miss")))
                        for c in present if c != "stock") + ".")
        add("")
    if big:
        add("Blocked capacity against stock's *cache-hit* capacity (the goal's yardstick): "
            + ", ".join("%s %s" % (configs[c]["label"], fratio(d.ratio(c, "cap_blocked", "cap_hit")))
                        for c in present if c != "stock") + ".")
        add("")
    pairs = pairs_section(d, configs, machine)
    if pairs:
        add("**Paired runs.** " + pairs[0])
        out.extend(pairs[1:])
    add("**Achieved** queries per second in the same runs, as dnsperf counted them, and how busy "
        "the resolver was (CPU seconds per second; 1.00 = its core fully used). A busy figure well "
        "below 1 means the load generator, not the resolver, was the limit.")
    add("")
    rows = []
    for c in present:
        row = [configs[c]["label"]]
        for w, _ in WORKLOADS:
            row.append("%s (%s q/s, busy %s)" % (fratio(d.ratio(c, "qps_" + w)), fnum(d.abs(c, "qps_" + w)),
                                                 fratio(d.abs(c, "busy_" + w))))
        rows.append(row)
    add(table(["configuration"] + [label for _, label in WORKLOADS], rows))
    add("")

    # ---------------------------------------------------------------- latency
    add("## Latency at a fixed rate")
    add("")
    rates = ", ".join("%s %s q/s" % (label, fnum(d.abs("stock", "rate_" + w)))
                      for w, label in WORKLOADS if d.abs("stock", "rate_" + w))
    add("p50 / p99 response time at half of stock's saturation rate (measured in round 1; the same "
        "rate for every configuration: %s). Ratio to stock, then the absolute medians in "
        "microseconds; a lost query counts as the %s s timeout." % (rates, machine.get("lat_timeout", "?")))
    add("")
    rows = []
    for c in present:
        row = [configs[c]["label"]]
        for w, _ in WORKLOADS:
            row.append("%s / %s<br>(%s / %s µs)" % (
                fratio(d.ratio(c, "p50_%s_us" % w)), fratio(d.ratio(c, "p99_%s_us" % w)),
                fnum(d.abs(c, "p50_%s_us" % w)), fnum(d.abs(c, "p99_%s_us" % w))))
        rows.append(row)
    add(table(["configuration"] + [label for _, label in WORKLOADS], rows))
    add("")

    # ---------------------------------------------------------------- instructions
    if any(d.rounds(c, "ir_hit") for c in present):
        n = machine.get("cg_n", "? ? ? ?").split()
        add("## Instructions per query (callgrind)")
        add("")
        add("Instructions per query of Unbound's worker thread (the query path), as the "
            "difference between two runs of %s and %s queries (%s and %s for misses) sent one at "
            "a time, so that start-up and per-run costs cancel out; ratio to stock (absolute). "
            "Deterministic: measured once per configuration, not per round. *Module threads per "
            "blocked query*: what the module's own threads in Unbound's process (the policy "
            "watcher) execute per blocked query, on top of the worker; the hit log writer is a "
            "process of its own, which callgrind_control cannot reach (about 6,500 instructions "
            "per hit in transactions of 4,096, `tests/bench/hitlog-cg.sh`). *Idle*: instructions per second of "
            "wall time of the whole process while no query arrives (the module threads' periodic "
            "wake-ups). Such time-driven work is left out of the per-query figures: under "
            "callgrind a query takes ~50x longer than natively, so it would weigh ~50x too much, "
            "and it comes in bursts that short runs catch or miss. *Stock + one idle thread*: "
            "stock Unbound with a library preloaded that starts one thread that never runs "
            "(tests/bench/idle_thread.c): what a multithreaded process costs by itself, since "
            "glibc then wraps each cancellable system call (recvfrom, sendto, epoll_wait). "
            "*num-threads: 2*: two workers (what a resolver on more than one core runs), so stock "
            "is multithreaded by itself; the instructions of both workers, and rrpolicy's ratio "
            "is to stock with num-threads: 2." % tuple(n))
        add("")
        rows = []
        for c in present + cg_only:
            row = [configs[c]["label"]]
            for w, _ in CG_WORKLOADS:
                row.append(d.cell(c, "ir1_" + w, 4))
            allb, workb = d.abs(c, "ir_blocked"), d.abs(c, "ir1_blocked")
            row.append(fnum(allb - workb) if allb is not None and workb is not None
                       and configs[c]["kind"] == "rrpolicy" and configs[c]["rules"] > 0 else "-")
            row.append(fnum(d.abs(c, "ir_idle_per_s")))
            rows.append(row)
        add(table(["configuration"] + [label for _, label in CG_WORKLOADS]
                  + ["module threads per blocked query", "idle Ir/s"], rows))
        add("")
        add("The same worker thread's cycles per query as valgrind's cache model estimates them "
            "(`--cache-sim=yes %s`: Ir + 10 x L1 misses + 100 x last-level misses, the formula of "
            "callgrind_annotate): deterministic like the instruction counts, and it weighs what a "
            "large rule table costs in cache misses, which instruction counts leave out. A model: "
            "two cache levels, no prefetching, no TLB. Ratio to stock (absolute)."
            % machine.get("cg_cache", "?"))
        add("")
        rows = [[configs[c]["label"]] + [d.cell(c, "cyc1_" + w, 4) for w, _ in CG_WORKLOADS]
                for c in present + cg_only]
        add(table(["configuration"] + [label for _, label in CG_WORKLOADS], rows))
        add("")
        grew = ["%s (%s)" % (configs[c]["label"], label) for c in present + cg_only
                for w, label in CG_WORKLOADS if (d.abs(c, "grew_" + w) or 0) > 0]
        if grew:
            add("**Not comparable:** a table of Unbound's message or RRset cache doubled during "
                "the runs of " + ", ".join(grew) + ": the copy of its entries is charged to "
                "those queries.")
        elif any(d.abs(c, "grew_miss") is not None for c in present + cg_only):
            add("No table of Unbound's message or RRset caches doubled during these runs (a "
                "doubling copies every entry, and would charge that to the queries of one "
                "configuration and not another): before the cache misses, each resolver is asked "
                "further new names until none can (`settle_caches`).")
        add("")

    # ---------------------------------------------------------------- memory and load
    add("## Memory and start-up")
    add("")
    add("RSS (VmRSS) once the resolver answers, split into anonymous memory (RssAnon) and "
        "file-backed pages (RssFile: the binary, its libraries, and files mapped with mmap() "
        "such as a SQLite database), the peak RSS (VmHWM) at that point, which is what loading the "
        "rules took at most, and the peak RSS at the end of the round, after every "
        "workload; ratio to stock (absolute in MB). Load time: the module's own "
        "`loaded N rules ... in X ms` log line for rrpolicy; from process start to the first "
        "answer for RPZ (its zone is loaded before Unbound answers anything). Start to answering: "
        "from process start to the first answer, for every configuration.")
    add("")
    rows = []
    for c in present:
        rss = d.abs(c, "rss_load_kb")
        hwm = d.abs(c, "hwm_kb")
        rows.append([configs[c]["label"],
                     fnum(d.abs(c, "rules_loaded")) if configs[c]["kind"] == "rrpolicy"
                     else (fnum(configs[c]["rules"]) if configs[c]["kind"] == "rpz" else "-"),
                     fnum(d.abs(c, "load_ms"), 1) if d.abs(c, "load_ms") is not None else "-",
                     "%s (%s ms)" % (fratio(d.ratio(c, "startup_ms")), fnum(d.abs(c, "startup_ms"))),
                     "%s (%s MB)" % (fratio(d.ratio(c, "rss_load_kb")), mb(rss if rss else None)),
                     "%s / %s MB" % (mb(d.abs(c, "rss_anon_kb")), mb(d.abs(c, "rss_file_kb"))),
                     "%s (%s MB)" % (fratio(d.ratio(c, "hwm_load_kb")), mb(d.abs(c, "hwm_load_kb"))),
                     "%s (%s MB)" % (fratio(d.ratio(c, "hwm_kb")), mb(hwm if hwm else None))])
    add(table(["configuration", "rules", "load time (ms)", "start to answering",
               "RSS after load", "anonymous / file-backed", "peak RSS while loading",
               "peak RSS at the end"], rows))
    add("")

    # ---------------------------------------------------------------- apply
    ap = [c for c in present if d.rounds(c, "apply_sent")]
    if ap:
        add("## Applying a change under load")
        add("")
        add("While dnsperf asks the warm names at the cache-hit latency rate for %s s, one warm name "
            "is blocked after 1 s: for rrpolicy one `INSERT` with the sqlite3 CLI (nothing else: "
            "the module notices the commit; with `--apply-changes`, in further runs an `UPDATE` "
            "makes that rule `nxdomain` and a `DELETE` removes it), for RPZ a line appended to the zone file and "
            "`unbound-control auth_zone_reload`. Time from the change to the first blocked answer "
            "(polled with dig every 50 ms), queries left unanswered (lost after 1 s) during the "
            "run, and the longest answer time of the run (a resolver that stops answering for a "
            "while shows here even when its socket buffer kept the queries); stock runs the same "
            "load without a change, as the baseline. With `--apply-changes ...,reload`, a last run "
            "under the same load sends `unbound-control reload` after 1 s, to every configuration: "
            "Unbound stops its workers, reads its configuration again (and the module its "
            "database, RPZ its zone) and starts them with an empty cache; this is what an operator "
            "who applies edits that way costs the clients."
            % machine.get("apply", "? ?").split()[-1])
        add("")
        rows = []
        for c in ap:
            for k, change in APPLY_KEYS.items():
                if not d.rounds(c, k + "sent"):
                    continue
                rows.append([configs[c]["label"], change,
                             fnum(d.abs(c, k + "ms")) if d.rounds(c, k + "ms") else "-",
                             "%s of %s" % (fnum(d.abs(c, k + "lost")), fnum(d.abs(c, k + "sent"))),
                             fnum(d.abs(c, k + "max_ms"), 1)])
        add(table(["configuration", "change", "change to first answer that shows it (ms)",
                   "unanswered", "longest answer (ms)"], rows))
        add("")

    # ---------------------------------------------------------------- hit log
    hl = [c for c in present if d.rounds(c, "hit_rows") and configs[c]["rules"] > 0]
    if hl:
        add("## Hit log")
        add("")
        add("During the blocked saturation run: hits written to table `hit` (the sum of its column "
            "`count`, counted once the writer has caught up) per second of the run, those hits, the "
            "blocked answers dnsperf received, and the drops recorded in `hit_drop` (queue full); "
            "then the hits and rows the table holds after the run, the priming queries' included "
            "(one row per hit with `hit_log = 1`; with `hit_log = 2` one per client, name, type, "
            "rule and minute: the run mostly adds to the counts of the rows the priming made). No "
            "ratio: stock logs nothing.")
        add("")
        rows = []
        for c in hl:
            rows.append([configs[c]["label"], fnum(d.abs(c, "hit_rows_per_s")),
                         fnum(d.abs(c, "hit_rows")), fnum(d.abs(c, "hit_answers")),
                         fnum(max(d.rounds(c, "hit_dropped").values() or [0])),
                         fnum(d.abs(c, "hit_table_hits")), fnum(d.abs(c, "hit_table_rows"))])
        add(table(["configuration", "hits/s", "hits", "blocked answers", "dropped (max of rounds)",
                   "table: hits", "table: rows"], rows))
        add("")

    # ---------------------------------------------------------------- per round
    add("<details><summary>Per-round capacity ratios (their spread shows the noise)</summary>")
    add("")
    rows = []
    for c in present:
        if c == "stock":
            continue
        for w, label in WORKLOADS:
            rs = d.ratios(c, "cap_" + w)
            rows.append([configs[c]["label"], label, " ".join(fratio(x) for x in rs)])
    for w, label in WORKLOADS:
        rows.append(["stock (q/CPU-s)", label, " ".join(fnum(v) for _, v in
                                                       sorted(d.rounds("stock", "cap_" + w).items()))])
    add(table(["configuration", "workload", "rounds"], rows))
    add("")
    add("</details>")
    add("")
    print("\n".join(out))


if __name__ == "__main__":
    main()
