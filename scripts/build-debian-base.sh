#!/usr/bin/env bash
# Builds a minimal Debian base image from Debian packages alone (debootstrap +
# docker import), for machines that cannot pull from a container registry.
#
# usage: build-debian-base.sh SUITE MIRROR TAG
#   SUITE   Debian suite, e.g. bookworm
#   MIRROR  package mirror URL; the launcher passes the one the host's own apt
#           sources use, so a user's local mirror is respected
#   TAG     image tag to create, e.g. containai/debian-base:bookworm-<hash>
#
# Needs root (debootstrap creates device nodes and chowns files) and the
# debootstrap package. Exit status: 0 built, 2 usage, 3 missing prerequisite,
# 4 debootstrap failed, 5 import failed.
set -euo pipefail

if [ "$#" -ne 3 ]; then
  echo "usage: $0 SUITE MIRROR TAG" >&2
  exit 2
fi
suite=$1 mirror=$2 tag=$3

if [ "$(id -u)" -ne 0 ]; then
  echo "build-debian-base: needs root (debootstrap creates device nodes); rerun with sudo" >&2
  exit 3
fi
if ! command -v debootstrap >/dev/null 2>&1; then
  echo "build-debian-base: debootstrap is not installed; install it with: apt-get install -y debootstrap" >&2
  exit 3
fi

rootfs=$(mktemp -d "${TMPDIR:-/tmp}/containai-rootfs.XXXXXX")
cleanup() { rm -rf --one-file-system "$rootfs"; }
trap cleanup EXIT

echo "build-debian-base: debootstrap --variant=minbase $suite from $mirror" >&2
if ! debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >&2; then
  echo "build-debian-base: debootstrap failed (see output above; is the mirror reachable?)" >&2
  exit 4
fi
# Leave no package lists or caches in the image: they are stale the moment the
# image is built and only add size.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*

if ! tar -C "$rootfs" --numeric-owner -c . | docker import \
  --change 'CMD ["/bin/bash"]' --change 'ENV LANG=C.UTF-8' - "$tag" >&2; then
  echo "build-debian-base: docker import failed" >&2
  exit 5
fi
echo "$tag"
