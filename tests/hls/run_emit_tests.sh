#!/usr/bin/env bash
# Tests of `hass emit-hls`: emit the designs of tests/hls/designs, compile the
# generated test bench and top with the warnings as errors, run the C
# simulation (bit-exact comparison with the reference, module check), and check
# the error messages of unsupported designs and bad weight files.
#
#   run_emit_tests.sh HASS_BINARY CXX SCRATCH_DIR [COMPILER FLAGS...]
#
# The compiler flags must give the include directories of hass (and Boost,
# range-v3); the script adds -std=c++20 -O1 -DHASS_HLS_HOST and the warnings.
# Prints "N passed, M failed"; exits non-zero when a check fails.
set -u

if [[ $# -lt 3 ]]; then
    echo "usage: $0 HASS_BINARY CXX SCRATCH_DIR [COMPILER FLAGS...]" >&2
    exit 2
fi
HASS=$1
CXX=$2
S=$3
shift 3
FLAGS=("$@")
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DESIGNS="$HERE/designs"
WARN=(-Wall -Wextra -Wpedantic -Wshadow -Werror)
export LC_ALL=C

rm -rf "$S"
mkdir -p "$S" || exit 2
passed=0
failed=0

fail() {
    echo "FAIL: $1"
    failed=$((failed + 1))
}
pass() {
    echo "ok:   $1"
    passed=$((passed + 1))
}

# emit_only NAME [EMIT ARGS...]: hass emit-hls into $S/NAME (log in $S/NAME.emit.log).
emit_only() {
    local name=$1
    shift
    if ! "$HASS" emit-hls "$@" --out "$S/$name" >"$S/$name.emit.log" 2>&1; then
        fail "$name: hass emit-hls $* failed"
        sed 's/^/      /' "$S/$name.emit.log" | head -20
        return 1
    fi
}

# emit_run NAME [EMIT ARGS...]: emits into $S/NAME, compiles the test bench and
# the top (in parallel), runs the test bench; passes on exit 0 and "PASS".
emit_run() {
    local name=$1
    local dir="$S/$name"
    emit_only "$@" || return 1
    local cflags=(-std=c++20 -O1 -DHASS_HLS_HOST "${WARN[@]}" "${FLAGS[@]}")
    "$CXX" "${cflags[@]}" -c "$dir/testbench.cpp" -o "$dir/testbench.o" >"$dir/testbench.log" 2>&1 &
    local tb_pid=$!
    "$CXX" "${cflags[@]}" -c "$dir/top.cpp" -o "$dir/top.o" >"$dir/top.log" 2>&1
    local top_rc=$?
    wait $tb_pid
    local tb_rc=$?
    if [[ $top_rc -ne 0 || $tb_rc -ne 0 ]]; then
        fail "$name: the generated code does not compile with ${WARN[*]}"
        cat "$dir/top.log" "$dir/testbench.log" | grep -E "error|warning" | head -20 | sed 's/^/      /'
        return 1
    fi
    if ! "$CXX" "$dir/testbench.o" "$dir/top.o" -o "$dir/testbench" >"$dir/link.log" 2>&1; then
        fail "$name: link failed"
        head -20 "$dir/link.log" | sed 's/^/      /'
        return 1
    fi
    "$dir/testbench" >"$dir/run.log" 2>&1
    local rc=$?
    if [[ $rc -ne 0 ]] || ! grep -qx "PASS" "$dir/run.log"; then
        fail "$name: the C simulation did not pass (exit $rc)"
        sed 's/^/      /' "$dir/run.log" | head -40
        return 1
    fi
    pass "$name: emitted, compiled with ${WARN[*]}, C simulation PASS"
    sed 's/^/      /' "$dir/run.log"
    return 0
}

# expect_error NAME PATTERN [EMIT ARGS...]: hass emit-hls exits 1 with PATTERN on stderr.
expect_error() {
    local name=$1 pattern=$2
    shift 2
    "$HASS" emit-hls "$@" >"$S/err.out" 2>"$S/err.err"
    local rc=$?
    if [[ $rc -ne 1 ]]; then
        fail "$name: expected exit code 1, got $rc"
        head -c 600 "$S/err.err" | sed 's/^/      /'
        return
    fi
    if ! grep -qF -- "$pattern" "$S/err.err"; then
        fail "$name: stderr lacks '$pattern'"
        head -c 600 "$S/err.err" | sed 's/^/      /'
        return
    fi
    pass "$name"
}

# --- weight files ---------------------------------------------------------------------
# JSON weights of the sparse design: uniform in [-0.5, 0.5), about 60% pruned
# (a fixed linear congruential sequence: the same file on every run)
weights_json() {
    awk 'function rnd() { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 }
         function arr(n, prune,   i, s, v) {
             s = "["
             for (i = 0; i < n; ++i) {
                 v = rnd() < prune ? 0 : int((rnd() - 0.5) * 4096) / 4096
                 s = s (i ? ", " : "") v
             }
             return s "]"
         }
         BEGIN {
             seed = 7
             print "{\"layers\": {"
             print "  \"conv1\": {\"weights\": " arr(16 * 8 * 9, 0.6) ", \"bias\": " arr(16, 0) "},"
             print "  \"conv2\": {\"weights\": " arr(16 * 16 * 9, 0.6) "}"
             print "}}"
         }'
}
weights_json >"$S/sparse_weights.json"

# raw float32 weights of the depthwise-SE design (network order: dwconv 72+8,
# pwconv 128+16, se_reduce 64+4, se_expand 64+16): a repeating pattern of
# 0.25, -0.125, 0, 0.0625, -0.5 (little-endian)
patterns=('\x00\x00\x80\x3e' '\x00\x00\x00\xbe' '\x00\x00\x00\x00' '\x00\x00\x80\x3d' '\x00\x00\x00\xbf')
: >"$S/dwse_weights.bin"
for ((i = 0; i < 372; ++i)); do printf "${patterns[$((i % 5))]}" >>"$S/dwse_weights.bin"; done

# --- designs: emit, compile, run --------------------------------------------------------
emit_run conv_relu_pool "$DESIGNS/conv_relu_pool.json"
emit_run residual "$DESIGNS/residual.json" --seed 3
emit_run depthwise_se "$DESIGNS/depthwise_se.json" --weights "$S/dwse_weights.bin"
if emit_run sparse "$DESIGNS/sparse.json" --weights "$S/sparse_weights.json"; then
    grep -q "weights: embedded" "$S/sparse/run.log" && pass "sparse: the test bench used the given weights" ||
        fail "sparse: the test bench did not use the given weights"
    grep -q "conv1_weights" "$S/sparse/weights.hpp" && pass "sparse: weights.hpp holds the weights" ||
        fail "sparse: no weights.hpp"
fi
emit_run network "$DESIGNS/network.json" --top small_net --namespace tests::small_net
# the folding chosen by the optimal search for a board
emit_run network_searched "$DESIGNS/network.json" --board zedboard

# a sparse layer whose statistics are too large for static_asserts (1,112 channels: 100,080 steps,
# over the emitter's 50,000): its layer header and top.hpp leave the model checks to the test bench
awk 'BEGIN {
    printf "{\"name\": \"wide\", \"input\": {\"rows\": 4, \"cols\": 4, \"channels\": 1112},\n"
    printf " \"layers\": [{\"name\": \"conv\", \"type\": \"convolution\", \"filters\": 4, \"kernel\": 3, \"pad\": 1,\n"
    printf "   \"folding\": {\"coarse_in\": 2, \"coarse_out\": 2, \"fine\": 3},\n   \"sparsity\": {\"histogram\": ["
    for (c = 0; c < 1112; ++c) printf "%s[0, 0, 0, 0, 1, 0, 0, 0, 0, 0]", (c ? ", " : "")
    printf "]}}]}\n"
}' >"$S/wide.json"
if emit_run wide_statistics "$S/wide.json"; then
    if grep -q "run$" "$S/wide_statistics/top.hpp" && grep -q "the whole-network model checks, at run time" \
        "$S/wide_statistics/testbench.cpp" && grep -q "hd::layers::conv::model_check_failures()" \
        "$S/wide_statistics/testbench.cpp"; then
        pass "wide_statistics: the layer and whole-network checks run in the test bench"
    else
        fail "wide_statistics: expected the whole-network checks in the test bench"
    fi
fi

# a partitioned design: the folding file names three partitions (as hass search writes them);
# emit-hls writes one design per partition (p1/, p2/, p3/), each with its own test bench, and
# host.cpp, which runs the partitions one after another (C simulation of all three tops)
cat >"$S/partitioned_folding.json" <<'JSON'
{"layers": {"conv1": {"coarse_in": 2, "coarse_out": 4, "fine": 3}, "conv2": {"coarse_in": 4, "coarse_out": 2, "fine": 9},
            "conv3": {"coarse_in": 4, "coarse_out": 8}, "fc": {"coarse_in": 2, "coarse_out": 5}},
 "partitions": [{"first": "conv1", "last": "relu1"}, {"first": "pool1", "last": "add"}, {"first": "gap", "last": "fc"}],
 "batch": 16}
JSON
emit_partitioned_run() {
    local name=$1
    local dir="$S/$name"
    emit_only "$@" || return 1
    if ! grep -q "3 partitions, as the folding file gives" "$S/$name.emit.log"; then
        fail "$name: the report header does not name the folding file's 3 partitions"
        return 1
    fi
    local cflags=(-std=c++20 -O1 -DHASS_HLS_HOST "${WARN[@]}" "${FLAGS[@]}")
    local k objs=()
    for k in 1 2 3; do
        if [[ ! -f "$dir/p$k/testbench.cpp" ]]; then
            fail "$name: no p$k/testbench.cpp"
            return 1
        fi
        if ! "$CXX" "${cflags[@]}" "$dir/p$k/testbench.cpp" "$dir/p$k/top.cpp" -o "$dir/p$k/testbench" \
            >"$dir/p$k.log" 2>&1; then
            fail "$name: partition $k does not compile with ${WARN[*]}"
            grep -E "error|warning" "$dir/p$k.log" | head -20 | sed 's/^/      /'
            return 1
        fi
        if ! "$dir/p$k/testbench" >"$dir/p$k.run.log" 2>&1 || ! grep -qx "PASS" "$dir/p$k.run.log"; then
            fail "$name: the C simulation of partition $k did not pass"
            sed 's/^/      /' "$dir/p$k.run.log" | head -30
            return 1
        fi
        objs+=("$dir/p$k/top.cpp")
    done
    if ! "$CXX" "${cflags[@]}" "$dir/host.cpp" "${objs[@]}" -o "$dir/host" >"$dir/host.log" 2>&1; then
        fail "$name: host.cpp does not compile with ${WARN[*]}"
        grep -E "error|warning" "$dir/host.log" | head -20 | sed 's/^/      /'
        return 1
    fi
    if ! "$dir/host" >"$dir/host.run.log" 2>&1 || ! grep -qx "PASS" "$dir/host.run.log" ||
        ! grep -q "output: 1 x 1 x 10 per image" "$dir/host.run.log" ||
        ! grep -q "model: batch of 16 in" "$dir/host.run.log"; then
        fail "$name: the host driver did not run the three partitions"
        sed 's/^/      /' "$dir/host.run.log" | head -30
        return 1
    fi
    pass "$name: three partitions emitted, each C simulation PASS, host driver PASS"
    sed 's/^/      /' "$dir/host.run.log"
}
emit_partitioned_run partitioned "$DESIGNS/network.json" --folding "$S/partitioned_folding.json" --board zedboard
# its design.json keeps the partitions and the batch: eval follows them
if "$HASS" eval "$S/partitioned/design.json" --board zedboard >"$S/partitioned_eval.log" 2>&1 &&
    grep -q "batch 16 (the design's); partitioning auto: 3 partitions as the design file gives" "$S/partitioned_eval.log"; then
    pass "partitioned: design.json reads back with its 3 partitions and batch 16"
else
    fail "partitioned: design.json does not read back with its partitions"
    head -5 "$S/partitioned_eval.log" | sed 's/^/      /'
fi
# --partition none: one design from the same folding file
if "$HASS" emit-hls "$DESIGNS/network.json" --folding "$S/partitioned_folding.json" --partition none \
    --out "$S/unpartitioned" >"$S/unpartitioned.log" 2>&1 && [[ -f "$S/unpartitioned/testbench.cpp" ]] &&
    [[ ! -e "$S/unpartitioned/host.cpp" ]] && grep -q "partitioning none: one partition" "$S/unpartitioned.log"; then
    pass "--partition none: one design"
else
    fail "--partition none: expected one design"
fi

# the co-search's design: its folding (conv2 sparse with fine 4, which does not divide K = 9),
# statistics and thresholds (tau_w prunes, tau_a thresholds the ReLU output conv2 reads); the
# test bench checks the sparse layer's cycles against the model on the test data's statistics
TINY="$HERE/../cli/data/tiny.json"
if "$HASS" search "$TINY" --board zcu104 --sparsity synthetic --out "$S/cosearch_out" >"$S/cosearch.log" 2>&1; then
    if emit_run cosearch "$TINY" --cosearch "$S/cosearch_out"; then
        grep -q "sparse layer (test data)" "$S/cosearch/run.log" &&
            pass "cosearch: the test bench compares the sparse layers with the model on the test data" ||
            fail "cosearch: no sparse-layer agreement in the test bench output"
        # docs/hls.md's figures: on the seeded test data (libstdc++'s distributions) conv2 has
        # 63.4% zero products, the kernel takes 1568 cycles, the slowest-lane model 1568, the
        # mean-lane model 1418; the co-search predicted 76.9% zeros and 1,156 cycles
        grep -Eq "^conv2 +63\.4% +1568 +1568 +\+0\.00% +1418$" "$S/cosearch/run.log" &&
            grep -Eq "^conv2 +sparse \(test\) +1568 +1568 " "$S/cosearch/run.log" &&
            grep -Eq "^II \(cycles per image\) +design's model +1156 " "$S/cosearch/run.log" &&
            grep -Eq "^conv2 +sparse .* 76\.9% +1,156 " "$S/cosearch.log" &&
            pass "cosearch: conv2's cycles on the test data are docs/hls.md's" ||
            fail "cosearch: conv2's cycles differ from docs/hls.md's (1568 kernel and model, 1418 mean, 1,156 predicted)"
        grep -q "FINE = 4" "$S/cosearch/layers/conv2.hpp" && pass "cosearch: conv2 keeps fine 4 (K = 9)" ||
            fail "cosearch: conv2 does not have the co-search's fine 4"
        grep -q "INPUT_THRESHOLD = true" "$S/cosearch/layers/conv2.hpp" &&
            grep -q "TAU_W = 0.04" "$S/cosearch/layers/conv2.hpp" &&
            pass "cosearch: conv2 has the thresholds baked in" || fail "cosearch: conv2 lacks its thresholds"
    fi
    # --csim: emit-hls compiles and runs the test bench itself (the README's main job does this)
    if "$HASS" emit-hls "$TINY" --cosearch "$S/cosearch_out" --out "$S/cosearch_csim" --csim --cxx "$CXX" \
        >"$S/csim.log" 2>&1 && grep -q "^C simulation: running" "$S/csim.log" && grep -qx "PASS" "$S/csim.log" &&
        grep -Eq "^conv2 +63\.4% +1568 +1568 " "$S/csim.log"; then
        pass "--csim: compiled, ran, PASS, the same cycles"
    else
        fail "--csim: expected exit 0, the run and PASS"
        tail -20 "$S/csim.log" | sed 's/^/      /'
    fi
    expect_error "--csim: no kernels in --hass-include" "has no hass/hls/reference.hpp" \
        "$TINY" --cosearch "$S/cosearch_out" --out "$S/cosearch_csim_bad" --csim --hass-include "$S"
else
    fail "cosearch: hass search --sparsity synthetic failed"
    head -5 "$S/cosearch.log" | sed 's/^/      /'
fi
cat >"$S/nostats.json" <<'EOF'
{"name": "nostats", "input": {"rows": 8, "cols": 8, "channels": 4},
 "layers": [{"name": "relu0", "type": "relu"}, {"name": "conv", "type": "convolution", "filters": 4, "kernel": 3, "pad": 1}]}
EOF
echo '{"layers": {"conv": {"coarse_in": 2, "fine": 2, "implementation": "sparse"}}}' >"$S/nostats_fine2.json"
echo '{"layers": {"conv": {"coarse_in": 2, "fine": 3, "implementation": "sparse"}}}' >"$S/nostats_fine3.json"
expect_error "a sparse folding without statistics" "layer 'conv' says \"implementation\": \"sparse\" but the network has no sparsity statistics" \
    "$S/nostats.json" --folding "$S/nostats_fine2.json" --out "$S/nostats"
if "$HASS" emit-hls "$S/nostats.json" --folding "$S/nostats_fine3.json" --allow-dense --out "$S/nostats_dense" \
    >"$S/dense.out" 2>"$S/dense.err" && grep -q "built dense" "$S/dense.err"; then
    pass "--allow-dense: a warning, built dense"
else
    fail "--allow-dense: expected exit 0 and a warning"
    head -c 600 "$S/dense.err" | sed 's/^/      /'
fi

# ONNX models exported by PyTorch (tests/onnx/data), with their own weights, when this
# hass was built with the ONNX import: relu6, depthwise convolutions, residual adds
ONNX_DATA="$HERE/../onnx/data"
if "$HASS" info "$ONNX_DATA/vgg_small.onnx" >/dev/null 2>&1; then
    if emit_run onnx_mobilenet "$ONNX_DATA/mobilenet_small_bn.onnx" --board zedboard; then
        grep -q "weights: embedded" "$S/onnx_mobilenet/run.log" && pass "onnx_mobilenet: the test bench used the model's weights" ||
            fail "onnx_mobilenet: the test bench did not use the model's weights"
    fi
    emit_run onnx_vgg "$ONNX_DATA/vgg_small.onnx" --board zedboard
else
    echo "skip: this hass has no ONNX import (the onnx_* designs are not emitted)"
fi

# the emitted design.json reads back and emits the same code (up to the origin line)
if "$HASS" emit-hls "$S/network/design.json" --top small_net --namespace tests::small_net --out "$S/network_again" \
    >"$S/again.log" 2>&1; then
    if diff -r -I '^// Design ' -x '*.o' -x '*.log' -x testbench -x design.json "$S/network" "$S/network_again" \
        >"$S/again.diff"; then
        pass "network: design.json reproduces the generated code"
    else
        fail "network: design.json emits different code"
        head -20 "$S/again.diff" | sed 's/^/      /'
    fi
else
    fail "network: emitting design.json failed"
    head -5 "$S/again.log" | sed 's/^/      /'
fi

# --- errors ----------------------------------------------------------------------------------
cat >"$S/sigmoid.json" <<'EOF'
{"name": "sig", "input": {"rows": 4, "cols": 4, "channels": 4},
 "layers": [{"name": "conv", "type": "convolution", "filters": 4, "kernel": 1},
            {"name": "gate", "type": "sigmoid"}]}
EOF
expect_error "unsupported layer: sigmoid" "layer 'gate': sigmoid has no HLS kernel" "$S/sigmoid.json" --out "$S/sig"

cat >"$S/grouped.json" <<'EOF'
{"name": "grouped", "input": {"rows": 4, "cols": 4, "channels": 8},
 "layers": [{"name": "conv", "type": "convolution", "filters": 8, "kernel": 3, "pad": 1, "groups": 2,
             "folding": {"coarse_group": 2}}]}
EOF
expect_error "grouped folding the kernels reject" "supported by the kernels for depthwise layers only" \
    "$S/grouped.json" --out "$S/grouped"

echo '{"layers": {"conv1": {"weights": [0.5, 0.25], "bias": []}}}' >"$S/short.json"
expect_error "weights: wrong count" "layer 'conv1' has 2 weights, expected 1152" \
    "$DESIGNS/sparse.json" --weights "$S/short.json" --out "$S/short"
echo '{"layers": {"nope": {"weights": [1]}}}' >"$S/unknown.json"
expect_error "weights: unknown layer" "layer 'nope' is not in network 'sparse'" \
    "$DESIGNS/sparse.json" --weights "$S/unknown.json" --out "$S/unknown"
printf '\x00\x00\x80\x3e' >"$S/short.bin"
expect_error "weights: short binary file" "4 bytes, expected" \
    "$DESIGNS/depthwise_se.json" --weights "$S/short.bin" --out "$S/shortbin"

echo
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
