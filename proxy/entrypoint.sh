#!/bin/sh
# Starts Squid in the foreground on the squid.conf the launcher mounted.
# Fails fast, with a reason, instead of letting Squid fall back to defaults.
set -eu
conf="${CONTAINAI_SQUID_CONF:-/etc/containai/squid.conf}"
if [ -n "${CONTAINAI_SQUID_CONF_TEXT:-}" ]; then
  # The launcher passes the rendered config (no secrets in it) in the
  # environment: written to the /run/squid tmpfs, never onto an image layer.
  conf=/run/squid/squid.conf
  (umask 077 && printf '%s\n' "$CONTAINAI_SQUID_CONF_TEXT" >"$conf")
  unset CONTAINAI_SQUID_CONF_TEXT
fi
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
