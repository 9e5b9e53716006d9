#!/bin/sh
# rrpolicy-demo.sh: the main job. Builds everything (contrib/build.sh),
# creates the default policy database with the example rule (the MX of
# spammer.com is blocked) and starts a resolver with the module on
# 127.0.0.1 port 5353. The demo zones are served locally: no Internet needed.
#
# Usage: contrib/rrpolicy-demo.sh [start|stop|--help]
#   RRPOLICY_DEMO_DIR  where config, zones, module, database and log live
#                      (default /var/lib/rrpolicy, the module's default
#                      database directory): a directory of the demo's own,
#                      which is given to the 'unbound' user the resolver runs
#                      as (SQLite makes its -wal and -shm files there).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
run=${RRPOLICY_DEMO_DIR:-/var/lib/rrpolicy}
db="$run/rrpolicy.db"
die() { echo "rrpolicy-demo: error: $*" >&2; exit 1; }

stop() {
	pid=$(cat "$run/unbound.pid" 2>/dev/null || true)
	# a pidfile left by a crash may name another process by now: only the
	# Unbound of this demo's configuration is stopped
	if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null |
		grep -qF -- "-c $run/unbound.conf" && kill "$pid" 2>/dev/null; then
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.1; i=$((i+1))
		done
		kill -0 "$pid" 2>/dev/null &&
			die "the resolver (pid $pid) did not stop within 10 s"
		echo "rrpolicy-demo: stopped the resolver"
	elif [ -n "$pid" ]; then
		echo "rrpolicy-demo: $run/unbound.pid names no resolver of the demo (pid $pid): removed"
	fi
	rm -f "$run/unbound.pid"
}

case "${1:-start}" in
stop) stop; exit 0 ;;
start) ;;
-h|--help) sed -n '2,/^set -eu/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
*) die "usage: $0 [start|stop|--help]" ;;
esac

[ "$(id -u)" = 0 ] || die "run as root (it installs packages and starts Unbound as user 'unbound')"
"$top/contrib/build.sh"
. "$top/build/unbound/unbound.env"
sbin="$UNBOUND_PREFIX/sbin"

id unbound >/dev/null 2>&1 ||
	useradd --system --no-create-home --home-dir "$run" --shell /usr/sbin/nologin unbound ||
	die "cannot create the 'unbound' user"
stop
mkdir -p "$run/zones"
cp "$top"/contrib/demo/*.zone "$run/zones/"
cp "$top/module/.libs/rrpolicy.so" "$run/rrpolicy.so"
sed "s|@RUN@|$run|g" "$top/contrib/demo/unbound.conf.in" > "$run/unbound.conf"
if [ ! -f "$db" ]; then
	sqlite3 "$db" < "$top/schema/schema.sql" || die "cannot create $db"
	sqlite3 "$db" "INSERT INTO policy(name, type, comment) VALUES ('spammer.com', 'MX',
		'example: no mail to spammer.com, its web site still resolves');"
	echo "rrpolicy-demo: created $db with the example rule"
fi
# Unbound drops privileges before the module opens the database: the
# database, its WAL and SHM files and the directory must be the unbound user's
# (the rest stays root's: the daemon's user need not write its module, its
# configuration or its zones)
chown unbound:unbound "$run"
for f in "$db" "$db-wal" "$db-shm" "$run/unbound.log"; do
	[ ! -e "$f" ] || chown unbound:unbound "$f"
done
"$sbin/unbound-checkconf" "$run/unbound.conf" >/dev/null || die "unbound-checkconf rejects $run/unbound.conf"
RRPOLICY_DB="$db" "$sbin/unbound" -c "$run/unbound.conf" || die "unbound did not start, see $run/unbound.log"
i=0
until dig @127.0.0.1 -p 5353 +time=1 +tries=1 nxdomain.com MX >/dev/null 2>&1; do
	i=$((i+1)); [ $i -lt 20 ] || die "the resolver does not answer, see $run/unbound.log"
	sleep 0.5
done
grep 'rrpolicy' "$run/unbound.log" | tail -n 1
cat <<MSG

rrpolicy-demo: Unbound $UNBOUND_VERSION with rrpolicy is answering on 127.0.0.1 port 5353.
  Blocked (null MX):  dig @127.0.0.1 -p 5353 spammer.com MX
  Still resolving:    dig @127.0.0.1 -p 5353 spammer.com A
                      dig @127.0.0.1 -p 5353 nxdomain.com MX
                      dig @127.0.0.1 -p 5353 aspmx.l.google.com A
  Policy database:    sudo -u unbound sqlite3 $db
  Apply edits:        $sbin/unbound-control -c $run/unbound.conf reload
  Hits:               sqlite3 $db 'SELECT * FROM recent_hits LIMIT 10'
  Log:                $run/unbound.log
  Stop:               ${RRPOLICY_DEMO_DIR:+RRPOLICY_DEMO_DIR=$run }$top/contrib/rrpolicy-demo.sh stop
MSG
