#!/usr/bin/env bash
# Docker for the image test (tests/docker), on a machine that has no image registry:
#   1. docker.io and debootstrap from Debian's packages (apt-get; needs root),
#   2. dockerd started in the background (no iptables, no bridge: builds and runs use the host's
#      network), unless a daemon already answers. Its storage is overlay2 where this machine
#      can mount an overlay (a container starts in a second), else vfs (each container a full
#      copy of its image: about 1.5 minutes for the connectors' 540 MB here),
#   3. the base image built from Debian's packages with debootstrap (Debian 12 and its Python
#      3.11, venv and pip) and `docker import`ed as $LEXFUL_DOCKER_BASE. It trusts what this
#      machine trusts (its CA bundle, copied in; PIP_CERT points pip at it): where the way out
#      to the package index goes through a proxy with a CA of its own, pip works in the build.
# Idempotent: each step is skipped when its result is already there. Prints the base image's
# name last. With a registry at hand, skip all this and build on python:3.12-slim (the
# Dockerfile's default).
set -euo pipefail

BASE=${LEXFUL_DOCKER_BASE:-lexful-debian-python:bookworm}
SUITE=${LEXFUL_DOCKER_SUITE:-bookworm}
MIRROR=${LEXFUL_DOCKER_MIRROR:-http://deb.debian.org/debian}
LOG=${LEXFUL_DOCKER_LOG:-/tmp/lexful-dockerd.log}

say() { echo "docker_setup: $*" >&2; }

if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null; then
    [ "$(id -u)" = 0 ] || { say "docker.io and debootstrap are missing and this is not root"; exit 1; }
    say "installing docker.io and debootstrap"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io debootstrap >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
    [ "$(id -u)" = 0 ] || { say "no Docker daemon answers and this is not root"; exit 1; }
    driver=vfs
    probe=$(mktemp -d /tmp/lexful-overlay.XXXXXX)
    mkdir "$probe/lower" "$probe/upper" "$probe/work" "$probe/merged"
    if mount -t overlay overlay -o "lowerdir=$probe/lower,upperdir=$probe/upper,workdir=$probe/work" \
        "$probe/merged" 2>/dev/null; then
        umount "$probe/merged"
        driver=overlay2
    fi
    rm -rf "$probe"
    say "starting dockerd with $driver storage (its log: $LOG)"
    nohup dockerd --storage-driver="$driver" --iptables=false --bridge=none >"$LOG" 2>&1 &
    for _ in $(seq 60); do
        docker info >/dev/null 2>&1 && break
        sleep 1
    done
    docker info >/dev/null 2>&1 || { say "dockerd did not start:"; tail -20 "$LOG" >&2; exit 1; }
fi

if ! docker image inspect "$BASE" >/dev/null 2>&1; then
    rootfs=$(mktemp -d /tmp/lexful-rootfs.XXXXXX)
    trap 'rm -rf "$rootfs"' EXIT
    say "building $BASE with debootstrap ($SUITE from $MIRROR)"
    debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates \
        "$SUITE" "$rootfs" "$MIRROR" >/tmp/lexful-debootstrap.log 2>&1 \
        || { say "debootstrap failed:"; tail -20 /tmp/lexful-debootstrap.log >&2; exit 1; }
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    cp /etc/ssl/certs/ca-certificates.crt "$rootfs"/etc/ssl/certs/ca-certificates.crt
    tar -C "$rootfs" -c . | docker import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
        --change 'CMD ["python3"]' - "$BASE" >/dev/null
fi
echo "$BASE"
