#!/usr/bin/env python3
"""seqquery.py - send DNS queries strictly one after another (the next only
once the previous is answered) and print "sent answered lost seconds".

Used by run-bench.sh for the callgrind runs: with exactly one query in
flight, and a pause of GAP_MS after each answer so that the resolver is
back in its event loop, waiting, before the next query comes, it does the
same work for every query (one wake-up, one read, one answer, one read
that finds nothing), so instructions per query do not depend on how
packets happen to batch up. Without the pause a query that arrives while
the resolver (under callgrind, 50 times slower) is still busy is read in
the same wake-up, which saves it about 10% of its instructions, and how
often that happens depends on timing. dnsperf -q 1 cannot be used for
this: it paces itself with timers and manages only a few hundred queries
per second.

usage: seqquery.py PORT FILE COUNT [SKIP [GAP_MS]]
  FILE holds dnsperf-style lines "name type"; queries are taken from line
  SKIP on (default 0), cycling through the file until COUNT were sent;
  GAP_MS (default 0) is the pause after each answer.
"""
import socket
import struct
import sys
import time

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15,
         "TXT": 16, "AAAA": 28, "SRV": 33, "SVCB": 64, "HTTPS": 65,
         "ANY": 255}


def qtype(text):
    t = text.upper()
    if t in TYPES:
        return TYPES[t]
    if t.startswith("TYPE") and t[4:].isdigit():
        return int(t[4:])
    raise ValueError("unknown type " + text)


def wire_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        raw = label.encode("ascii")
        out += bytes([len(raw)]) + raw
    return out + b"\0"


def main():
    if len(sys.argv) not in (4, 5, 6):
        sys.stderr.write(__doc__)
        return 2
    port = int(sys.argv[1])
    path = sys.argv[2]
    count = int(sys.argv[3])
    skip = int(sys.argv[4]) if len(sys.argv) >= 5 else 0
    gap = float(sys.argv[5]) / 1000 if len(sys.argv) == 6 else 0
    questions = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2:
                questions.append(wire_name(parts[0])
                                 + struct.pack("!HH", qtype(parts[1]), 1))
    if not questions:
        sys.stderr.write("seqquery: no queries in %s\n" % path)
        return 1
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(2.0)
    sock.connect(("127.0.0.1", port))
    lost = 0
    start = time.monotonic()
    for i in range(count):
        qid = i & 0xFFFF
        # RD set, no EDNS: the same query dnsperf sends by default
        sock.send(struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
                  + questions[(skip + i) % len(questions)])
        while True:
            try:
                reply = sock.recv(65535)
            except socket.timeout:
                lost += 1
                break
            if len(reply) >= 2 and struct.unpack("!H", reply[:2])[0] == qid:
                break
        if gap:
            time.sleep(gap)
    elapsed = time.monotonic() - start
    print("%d %d %d %.3f" % (count, count - lost, lost, elapsed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
