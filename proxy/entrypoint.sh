#!/bin/sh
# Starts Squid in the foreground on the squid.conf the launcher mounted.
# Fails fast, with a reason, instead of letting Squid fall back to defaults.
set -eu
conf="${CONTAINAI_SQUID_CONF:-/etc/containai/squid.conf}"
if [ ! -r "$conf" ]; then
  echo "containai-proxy: no readable squid.conf at $conf; mount the rendered config there" >&2
  exit 78
fi
if [ "$#" -gt 0 ] && [ "$1" = "parse" ]; then
  # `docker run … containai/proxy parse`: validate the config and exit.
  exec /usr/sbin/squid -k parse -f "$conf"
fi
# -N: stay in the foreground as PID 1 so `docker stop` reaches Squid directly.
exec /usr/sbin/squid -N -f "$conf" "$@"
