#!/usr/bin/env bash
# Installs the toolchain and (header-only) dependencies needed to build and
# test hass on Debian bookworm / Ubuntu.
set -euo pipefail

apt_get() {
    if [[ "$(id -u)" -eq 0 ]]; then
        DEBIAN_FRONTEND=noninteractive apt-get "$@"
    else
        sudo DEBIAN_FRONTEND=noninteractive apt-get "$@"
    fi
}

apt_get update
apt_get install -y --no-install-recommends \
    g++ \
    cmake \
    ninja-build \
    libboost-dev \
    librange-v3-dev \
    libbenchmark-dev \
    catch2 \
    nlohmann-json3-dev \
    libcli11-dev \
    libfmt-dev
