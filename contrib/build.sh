#!/bin/sh
# build.sh: install the dependencies, provision an Unbound with the dynlib
# module (contrib/provision-unbound.sh) and build rrpolicy.so against it.
# Extra arguments go to rrpolicy's configure (e.g. --enable-werror).
set -eu
case "${1:-}" in -h|--help) sed -n '2,/^set -eu/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;; esac
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
contrib/install-deps.sh
contrib/provision-unbound.sh
. build/unbound/unbound.env
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
	echo "build: autoreconf"
	autoreconf -fi >build/autoreconf.log 2>&1 || { cat build/autoreconf.log >&2; exit 1; }
fi
if [ ! -f Makefile ] || [ configure -nt Makefile ] || [ $# -gt 0 ]; then
	echo "build: configure --with-unbound-source=$UNBOUND_SRC $*"
	./configure --with-unbound-source="$UNBOUND_SRC" "$@" >build/configure.log 2>&1 ||
		{ tail -n 20 build/configure.log >&2; echo "build: configure failed, see build/configure.log" >&2; exit 1; }
fi
echo "build: make"
make -j"$(nproc)" >build/make.log 2>&1 || { tail -n 40 build/make.log >&2; echo "build: make failed, see build/make.log" >&2; exit 1; }
grep -i 'warning:' build/make.log >&2 || true
echo "build: module $top/module/.libs/rrpolicy.so (Unbound $UNBOUND_VERSION)"
