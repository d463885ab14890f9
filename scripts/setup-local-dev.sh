#!/usr/bin/env bash
# Sets up everything containai needs on this machine, idempotently:
#   npm dependencies and build; a running Docker engine (installed and
#   started when run as root on Debian/Ubuntu, otherwise explained); the
#   images (built offline from Debian packages when no registry answers);
#   the commands on PATH (npm link).
#
# usage: bash scripts/setup-local-dev.sh [--no-link] [--no-images]
# Environment: CONTAINAI_HOME relocates containai's config/state/runtime dirs.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
link=1 images=1
for arg in "$@"; do
  case "$arg" in
    --no-link) link=0 ;;
    --no-images) images=0 ;;
    -h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup: unknown option $arg (see --help)" >&2; exit 64 ;;
  esac
done

say() { printf 'setup: %s\n' "$*" >&2; }
is_root() { [ "$(id -u)" -eq 0 ]; }
has_apt() { command -v apt-get >/dev/null 2>&1; }
apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- Node ------------------------------------------------------------------
node_ok=$(node -e 'const [a,b]=process.versions.node.split(".").map(Number); console.log(a>20||(a===20&&b>=19)?1:0)' 2>/dev/null || echo 0)
if [ "$node_ok" != 1 ]; then
  say "Node.js 20.19 or newer is required (found: $(node --version 2>/dev/null || echo none))"
  exit 69
fi

# --- git, debootstrap (host tools) ---------------------------------------
missing=()
command -v git >/dev/null 2>&1 || missing+=(git)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if [ "${#missing[@]}" -gt 0 ]; then
  if is_root && has_apt; then
    say "installing ${missing[*]}"
    apt_install "${missing[@]}"
  else
    say "missing: ${missing[*]} — install them (sudo apt-get install -y ${missing[*]}); debootstrap is only needed without a registry"
  fi
fi

# --- Docker engine ---------------------------------------------------------
engine_up() { docker info >/dev/null 2>&1; }
if ! engine_up; then
  if is_root && has_apt; then
    if ! command -v dockerd >/dev/null 2>&1; then
      say "installing docker.io"
      apt_install docker.io
    fi
    if ! engine_up; then
      say "starting dockerd (log: /var/log/containai-dockerd.log)"
      if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
        systemctl start docker
      else
        nohup dockerd >/var/log/containai-dockerd.log 2>&1 &
      fi
      for _ in $(seq 1 60); do engine_up && break; sleep 1; done
    fi
  fi
  if ! engine_up; then
    say "no Docker engine is reachable and this script cannot start one here."
    say "  Debian/Ubuntu: sudo apt-get install -y docker.io && sudo systemctl start docker"
    say "  then add yourself to the docker group: sudo usermod -aG docker \"\$USER\" (log out and in)"
    exit 69
  fi
fi
say "Docker engine: $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})' 2>/dev/null)"

# --- npm dependencies and build -------------------------------------------
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi
say "building"
npm run --silent build

# --- images ----------------------------------------------------------------
if [ "$images" -eq 1 ]; then
  say "building images (cached by content; the first build takes about a minute)"
  node dist/launchers/bin/containai.js images build >/dev/null
fi

# --- commands on PATH -------------------------------------------------------
if [ "$link" -eq 1 ]; then
  if npm link --no-audit --no-fund --loglevel=error >/dev/null 2>&1; then
    say "commands linked into $(npm prefix -g)/bin: run-shell, containai, …"
  else
    say "could not npm link (permissions?); run the commands as: node $here/dist/launchers/bin/run-shell.js"
  fi
fi
say "ready. Try: run-shell --prompt 'id'   ·   containai doctor"
