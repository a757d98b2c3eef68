#!/usr/bin/env bash
# Installs the toolchain and dependencies needed to build and test hass on
# Debian bookworm / Ubuntu.
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
    libfmt-dev \
    libonnx-dev \
    libprotobuf-dev \
    python3 \
    python3-dev \
    pybind11-dev \
    python3-numpy \
    python3-onnx \
    python3-torch \
    python3-torchvision \
    dataset-fashion-mnist

# The Python module (python/, `import hass`) needs python3-dev and pybind11-dev;
# without them it is not built and its tests are not registered.
# The ONNX import (tools/onnx, `hass import`) needs libonnx-dev and libprotobuf-dev;
# without them hass builds without it and its tests are skipped. The tests'
# models are committed (tests/onnx/data); python3-torch, python3-torchvision,
# python3-onnx and python3-numpy regenerate them (tests/onnx/make_test_data.py) and
# export torchvision's resnet18 at test time (skipped when missing). Fuzzing the
# ONNX reader (the `fuzz` preset) also needs clang and libclang-rt-14-dev.
# The PyTorch profiler (python/hass_profile) needs python3-torch and python3-onnx;
# its example and test (examples/fashion_mnist, ctest profiler.fashion_mnist) read
# Fashion-MNIST from dataset-fashion-mnist (/usr/share/datasets/fashion-mnist). The
# profiler tests are skipped when these are missing.
