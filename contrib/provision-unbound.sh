#!/bin/sh
# provision-unbound.sh: build an Unbound that can load dynlib modules.
#
# Debian 12's unbound package is configured without --with-dynlibmodule, so
# it cannot load rrpolicy.so.  This script fetches the distribution's own
# Unbound source (apt-get source unbound), configures it with the flags that
# debian/rules passes plus --with-dynlibmodule, builds it and installs it.
# rrpolicy.so must be compiled against the very tree this produces.
#
# Usage: contrib/provision-unbound.sh [--source DIR] [--build-dir DIR]
#                                     [--prefix DIR | --system] [--no-deps]
#   --source DIR     use this Unbound source tree (e.g. an upstream release)
#                    instead of the distribution's source package
#   --build-dir DIR  where to fetch, configure and install (default: build/unbound
#                    under the rrpolicy checkout)
#   --prefix DIR     install prefix (default: BUILD_DIR/prefix)
#   --system         install system-wide under /usr/local
#   --no-deps        do not apt-get the build dependencies
# A second run reuses a finished build.  On success it prints the version and
# writes BUILD_DIR/unbound.env (UNBOUND_SRC, UNBOUND_PREFIX, UNBOUND_VERSION).
set -eu

die() { echo "provision-unbound: error: $*" >&2; exit 1; }
step() { echo "provision-unbound: $*"; }

top=$(cd "$(dirname "$0")/.." && pwd)
build_dir="$top/build/unbound"
source_dir=""
prefix=""
deps=yes
while [ $# -gt 0 ]; do
	case "$1" in
	--source) [ $# -ge 2 ] || die "--source needs a directory"; source_dir=$(cd "$2" && pwd -P) || die "no such directory: $2"; shift 2 ;;
	--build-dir) [ $# -ge 2 ] || die "--build-dir needs a directory"; build_dir="$2"; shift 2 ;;
	--prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix="$2"; shift 2 ;;
	--system) prefix=/usr/local; shift ;;
	--no-deps) deps=no; shift ;;
	-h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
mkdir -p "$build_dir" || die "cannot create $build_dir"
# the physical path: a build directory reached through a symlink is the same
# build, not a new one to configure (the stamp below compares paths)
build_dir=$(cd "$build_dir" && pwd -P)
[ -n "$prefix" ] || prefix="$build_dir/prefix"
# make, libtool and the unbound.env this writes take paths as words
for d in "$build_dir" "$prefix" "$source_dir"; do
	case "$d" in *[[:space:]]*) die "'$d' has white space in it: make and the settings file cannot take such a path; choose another" ;; esac
done

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Make sure apt has a deb-src entry for the distribution's main archive.
ensure_deb_src() {
	if grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null; then
		return 0
	fi
	step "adding a deb-src entry (/etc/apt/sources.list.d/rrpolicy-deb-src.sources)"
	. /etc/os-release
	as_root sh -c "cat > /etc/apt/sources.list.d/rrpolicy-deb-src.sources" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $VERSION_CODENAME $VERSION_CODENAME-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: $VERSION_CODENAME-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	as_root apt-get update -qq || die "apt-get update failed after adding deb-src"
}

# The configure flags the distribution uses, read from debian/rules.
debian_flags() {
	[ -f "$1/debian/rules" ] || return 0
	(cd "$1" && make -s -f debian/rules -n b/unbound/config.h 2>/dev/null) |
		tr -d '\\\n\t' | sed -n 's/.*dh_auto_configure -Bb\/unbound -- *//p'
}

if [ -z "$source_dir" ]; then
	source_dir=$(find "$build_dir/src" -mindepth 1 -maxdepth 1 -type d -name 'unbound-*' 2>/dev/null | head -n 1)
	if [ -z "$source_dir" ]; then
		ensure_deb_src
		if [ "$deps" = yes ]; then
			step "installing Unbound's build dependencies (apt-get build-dep unbound)"
			as_root env DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -qq unbound >/dev/null ||
				die "apt-get build-dep unbound failed"
		fi
		mkdir -p "$build_dir/src"
		step "fetching the distribution's Unbound source (apt-get source unbound)"
		(cd "$build_dir/src" && apt-get source -qq unbound >/dev/null 2>&1) ||
			die "apt-get source unbound failed (is dpkg-dev installed and the network reachable?)"
		source_dir=$(find "$build_dir/src" -mindepth 1 -maxdepth 1 -type d -name 'unbound-*' | head -n 1)
		[ -n "$source_dir" ] || die "apt-get source produced no unbound-* directory"
	fi
elif [ "$deps" = yes ]; then
	ensure_deb_src
	as_root env DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -qq unbound >/dev/null ||
		die "apt-get build-dep unbound failed"
fi
[ -f "$source_dir/configure" ] || die "$source_dir is not an Unbound source tree (no configure)"

stamp="$source_dir/.rrpolicy-installed"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$prefix" ] && [ -x "$prefix/sbin/unbound" ]; then
	step "reusing the finished build in $source_dir"
else
	flags=$(debian_flags "$source_dir")
	[ -n "$flags" ] && step "distribution flags: $flags" ||
		step "no debian/rules in $source_dir: using upstream defaults"
	eval "set -- $flags"
	# The packaged build installs Python bindings into the system; keep them in the prefix.
	pyver=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo 3)
	step "configuring (--with-dynlibmodule, prefix $prefix)"
	(cd "$source_dir" && PYTHON_VERSION="$pyver" PYTHON_SITE_PKG="$prefix/lib/python3/dist-packages" \
		./configure --prefix="$prefix" --sysconfdir="$prefix/etc" --localstatedir="$prefix/var" \
		"$@" --with-dynlibmodule >"$build_dir/configure.log" 2>&1) ||
		die "configure failed, see $build_dir/configure.log"
	grep -q '^#define WITH_DYNLIBMODULE 1' "$source_dir/config.h" ||
		die "configure did not enable the dynlib module (config.h lacks WITH_DYNLIBMODULE)"
	step "building ($(nproc) jobs)"
	(cd "$source_dir" && make -j"$(nproc)" >"$build_dir/make.log" 2>&1) ||
		die "make failed, see $build_dir/make.log"
	step "installing into $prefix"
	if [ -w "$(dirname "$prefix")" ] || [ -w "$prefix" ]; then run=""; else run=as_root; fi
	(cd "$source_dir" && $run make install >"$build_dir/install.log" 2>&1) ||
		die "make install failed, see $build_dir/install.log"
	echo "$prefix" > "$stamp"
fi

version=$("$prefix/sbin/unbound" -V 2>/dev/null | sed -n 's/^Version //p')
"$prefix/sbin/unbound" -V | grep -q 'dynlib' || die "$prefix/sbin/unbound does not list the dynlib module"
cat > "$build_dir/unbound.env" <<ENV
UNBOUND_SRC=$source_dir
UNBOUND_PREFIX=$prefix
UNBOUND_VERSION=$version
ENV
echo "provision-unbound: Unbound $version with the dynlib module"
echo "  source tree (configure rrpolicy --with-unbound-source): $source_dir"
echo "  unbound:         $prefix/sbin/unbound"
echo "  unbound-control: $prefix/sbin/unbound-control"
echo "  settings:        $build_dir/unbound.env"
