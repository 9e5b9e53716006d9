#!/bin/sh
# install-deps.sh: the Debian 12 packages rrpolicy needs to build, run and test;
# with --bench also those of the benchmarks (tests/bench/run-bench.sh).
set -eu
pkgs="build-essential autoconf automake libtool pkg-config dpkg-dev
	sqlite3 libsqlite3-dev check libldns-dev ldnsutils bind9-dnsutils
	dns-root-data valgrind gdb python3 iproute2 procps sudo"
[ "${1:-}" = --bench ] && pkgs="$pkgs dnsperf nsd bc util-linux"
if [ "$(id -u)" = 0 ]; then sudo=""; else sudo=sudo; fi
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "install-deps: installing$missing"
	$sudo apt-get update -qq || { echo "install-deps: apt-get update failed" >&2; exit 1; }
	# shellcheck disable=SC2086
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null ||
		{ echo "install-deps: apt-get install failed for:$missing" >&2; exit 1; }
fi
