#!/bin/sh
# rrpolicy-demo.sh: the main job. Builds everything (contrib/build.sh),
# creates the default policy database with the example rule (the MX of
# spammer.com is blocked) and starts a resolver with the module on
# 127.0.0.1 port 5353. The demo zones are served locally: no Internet needed.
#
# Usage: contrib/rrpolicy-demo.sh [start|stop|--help]
#   RRPOLICY_DEMO_DIR  where config, zones, module, database and log live
#                      (default /var/lib/rrpolicy, the module's default
#                      database directory); must be reachable by the
#                      'unbound' user, which the resolver runs as.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
run=${RRPOLICY_DEMO_DIR:-/var/lib/rrpolicy}
db="$run/rrpolicy.db"
die() { echo "rrpolicy-demo: error: $*" >&2; exit 1; }

stop() {
	pid=$(cat "$run/unbound.pid" 2>/dev/null || true)
	if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1; i=$((i+1))
		done
		echo "rrpolicy-demo: stopped the resolver"
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
# database, its WAL and SHM files and the directory must be the unbound user's.
chown -R unbound:unbound "$run"
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
  Stop:               $top/contrib/rrpolicy-demo.sh stop
MSG
