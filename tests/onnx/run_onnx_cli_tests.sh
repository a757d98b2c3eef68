#!/usr/bin/env bash
# Command-line tests of the hass tool on ONNX models: hass import, and .onnx
# files given to info, eval, search, export and emit-hls; exit codes and
# message substrings (the style of tests/cli/run_cli_tests.sh).
#
#   run_onnx_cli_tests.sh HASS_BINARY SCRATCH_DIR
#
# Needs bash, grep, cmp and wc. Prints "N passed, M failed"; exits non-zero when
# a check fails.
set -u

if [[ $# -ne 2 ]]; then
    echo "usage: $0 HASS_BINARY SCRATCH_DIR" >&2
    exit 2
fi
HASS=$1
S=$2
DATA="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/data"
ERR_DATA="$DATA/errors"
rm -rf "$S"
mkdir -p "$S" || exit 2
export LC_ALL=C

passed=0
failed=0
OUT="$S/stdout"
ERR="$S/stderr"
last_rc=0
last_cmd=""

run() {
    last_cmd="hass $*"
    "$HASS" "$@" >"$OUT" 2>"$ERR"
    last_rc=$?
}

report_failure() {
    echo "FAIL: $1"
    echo "      command: $last_cmd (exit $last_rc)"
    echo "      stderr: $(head -c 600 "$ERR")"
    echo "      stdout: $(head -c 300 "$OUT")"
    failed=$((failed + 1))
}

# check NAME EXPECTED_RC [out|err PATTERN]... -- ARGS...
check() {
    local name=$1 want=$2
    shift 2
    local -a patterns=()
    while [[ $# -gt 0 && $1 != "--" ]]; do
        patterns+=("$1" "$2")
        shift 2
    done
    shift # --
    run "$@"
    if [[ $last_rc -ne $want ]]; then
        report_failure "$name: expected exit code $want"
        return
    fi
    local i
    for ((i = 0; i < ${#patterns[@]}; i += 2)); do
        local file=$OUT
        [[ ${patterns[i]} == err ]] && file=$ERR
        if ! grep -qF -- "${patterns[i + 1]}" "$file"; then
            report_failure "$name: ${patterns[i]} lacks '${patterns[i + 1]}'"
            return
        fi
    done
    passed=$((passed + 1))
}

# require NAME CONDITION...: a plain test.
require() {
    local name=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
    else
        last_cmd="$*"
        report_failure "$name"
    fi
}

json_value() { grep -o "\"$1\": *[0-9.e+-]*" "$2" | head -n 1 | sed 's/.*: *//'; }

# ---------------------------------------------------------------- hass import
check "import --help" 0 out "ONNX" out "--weights" out "docs/onnx.md" -- import --help
check "help lists import" 0 out "import" -- --help
check "import with -o and --weights" 0 out "imported $DATA/vgg_small.onnx (pytorch 1.13.0, opset 13)" \
    out "15 nodes -> 14 layers (6 with weights, 0 splits inserted)" out "2,406 parameters" out "227,104 MACs" \
    out "shapes: 15 of 15 tensors checked against ONNX" out "wrote $S/vgg.json" out "2,406 values" \
    -- import "$DATA/vgg_small.onnx" -o "$S/vgg.json" --weights "$S/vgg.bin"
require "the weights file holds 2,406 float32 values" test "$(wc -c <"$S/vgg.bin")" -eq $((4 * 2406))
check "import of the BatchNorm model notes the folds" 0 out "BatchNormalization '/features/features.1/BatchNormalization' folded into Conv '/features/features.0/Conv'" \
    out "2,430 parameters" out "JSON weight format" \
    -- import "$DATA/vgg_small_bn.onnx" -o "$S/vgg_bn.json" --weights "$S/vgg_bn_weights.json"
require "JSON weights written" grep -q '"/features/features.0/Conv"' "$S/vgg_bn_weights.json"
check "import without -o prints the network" 0 out '"type": "relu6"' out '"name": "mobilenet_small"' \
    out '"type": "split"' -- import "$DATA/mobilenet_small.onnx"
check "import --name" 0 out '"name": "mnv2"' -- import "$DATA/mobilenet_small.onnx" --name mnv2
check "import -q" 0 -- import "$DATA/ops_opset14.onnx" -o "$S/ops.json" -q
require "import -q prints nothing" test ! -s "$OUT"
check "import: a warning" 0 err "hass: warning:" err "hass pads the max pooling with zeros" \
    -- import "$DATA/maxpool_signed_padding.onnx" -o "$S/warn.json"
check "import: not an .onnx file" 2 err "MODEL must be an ONNX file" -- import "$S/vgg.json"
check "import: missing file" 1 err "cannot open" err "nothing.onnx" -- import "$S/nothing.onnx"
check "import: cannot write the weights" 1 err "cannot write" \
    -- import "$DATA/vgg_small.onnx" -o "$S/x.json" --weights "$S/no/such/dir/w.bin"
check "import: needs a model" 2 -- import

# ---------------------------------------------------------------- MODEL arguments ending in .onnx
check "info x.onnx" 0 out "mobilenet_small: input 28x28x1, 23 layers" out "relu6" out "3,674" \
    -- info "$DATA/mobilenet_small.onnx"
check "info x.onnx --json" 0 out '"params": 3914' out '"macs": 220624' -- info "$DATA/mobilenet_small_bn.onnx" --json
cp "$DATA/vgg_small.onnx" "$S/VGG.ONNX"
check "info: upper-case extension" 0 out "VGG: input 28x28x1" -- info "$S/VGG.ONNX"
check "eval x.onnx --board zedboard" 0 out "mobilenet_small on zedboard" out "fits" out "images/s" \
    -- eval "$DATA/mobilenet_small.onnx" --board zedboard
check "eval x.onnx --json" 0 out '"ii_cycles"' -- eval "$DATA/vgg_small.onnx" --board zedboard --json
onnx_ii=$(json_value ii_cycles "$OUT")
check "the imported network file evaluates the same" 0 out "\"ii_cycles\": $onnx_ii" \
    -- eval "$S/vgg.json" --board zedboard --json
check "search x.onnx --board zedboard" 0 out "optimal search" out "fits               yes" out "II lower bound" \
    -- search "$DATA/mobilenet_small.onnx" --board zedboard --out "$S/search"
require "search wrote folding.json" test -f "$S/search/folding.json"
check "the searched folding applies to the .onnx model" 0 out '"fits": true' \
    -- eval "$DATA/mobilenet_small.onnx" --board zedboard --folding "$S/search/folding.json" --json
check "search x.onnx --json" 0 out '"found": true' -- search "$DATA/ops_opset14.onnx" --board zedboard --json
check "co-search on an imported network" 0 out "HASS co-search" out "SYNTHETIC" \
    -- search "$DATA/mobilenet_small_bn.onnx" --board zedboard --sparsity synthetic
check "export x.onnx" 0 out '"type": "inner_product"' out '"batchnorm": true' -- export "$DATA/vgg_small_bn.onnx"
check "export --folding-template x.onnx" 0 out '"name": "/classifier/classifier.3/Gemm"' \
    -- export "$DATA/vgg_small.onnx" --folding-template

# ---------------------------------------------------------------- emit-hls with the model's weights
check "emit-hls x.onnx uses the model's weights" 0 out "weights: embedded from the ONNX model" \
    -- emit-hls "$DATA/vgg_small_bn.onnx" --board zedboard --out "$S/hls_onnx"
require "weights.hpp written" test -f "$S/hls_onnx/weights.hpp"
check "emit-hls of the imported file with the imported weights" 0 out "weights: embedded from $S/vgg_bn_weights.json" \
    -- emit-hls "$S/vgg_bn.json" --weights "$S/vgg_bn_weights.json" --board zedboard --out "$S/hls_json"
strip_origin() { grep -v '^// ' "$1"; }
require "the same weights either way" cmp -s <(strip_origin "$S/hls_onnx/weights.hpp") <(strip_origin "$S/hls_json/weights.hpp")
check "emit-hls --weights overrides the model's" 0 out "weights: embedded from $S/vgg.bin" \
    -- emit-hls "$DATA/vgg_small.onnx" --board zedboard --weights "$S/vgg.bin" --out "$S/hls_bin"

# ---------------------------------------------------------------- from a PyTorch model to a design (docs/pytorch.md)
# Every hass command of docs/pytorch.md, on mobilenet_small.onnx (ReLU6, residual adds,
# depthwise convolutions, a ReLU6 feeding a global pool and the classifier) with the
# statistics and accuracy fixtures of make_sparsity_fixtures.py.
MN=$DATA/mobilenet_small.onnx
MN_STATS=$DATA/mobilenet_small.stats.json
MN_ACC=$DATA/mobilenet_small.accuracy.json
check "guide: import" 0 -- import "$MN" -o "$S/mn.json" --weights "$S/mn_weights.bin"
check "guide: info" 0 out "/classifier/classifier.1/Gemm" out "relu6" -- info "$MN"
check "guide: dense search" 0 out "images/s" -- search "$MN" --board zedboard --out "$S/mn_dense"
check "guide: co-search" 0 out "HASS co-search" out "sparse design" \
    err "1 negative drop within the noise tolerance (0.05 points) read as 0" \
    -- search "$MN" --board zedboard --sparsity "$MN_STATS" --accuracy "$MN_ACC" --out "$S/mn_sparse"
require "guide: thresholds.json names the activation layers" \
    grep -qF '"activation_layer": "/features/features.8/Clip"' "$S/mn_sparse/thresholds.json"
sparse_fps=$(grep -o 'sparse design *[0-9,]* images/s' "$OUT" | grep -o '[0-9,]* images/s')
check "guide: eval composes the statistics at the thresholds" 0 out "this design" \
    -- eval "$MN" --board zedboard --folding "$S/mn_sparse/folding.json" --stats "$MN_STATS" \
       --thresholds "$S/mn_sparse/thresholds.json"
eval_fps=$(grep -o 'this design *[0-9,]* images/s' "$OUT" | grep -o '[0-9,]* images/s')
echo "co-search: $sparse_fps, eval: $eval_fps"
require "guide: eval gives the co-search's throughput ($sparse_fps)" test -n "$sparse_fps" -a "$sparse_fps" = "$eval_fps"
require "guide: the fixture's sparse design runs at 210,970 images/s (docs/pytorch.md)" test "$sparse_fps" = "210,970 images/s"
check "guide: the imported network and weights file do the same" 0 out "images/s" \
    -- eval "$S/mn.json" --weights "$S/mn_weights.bin" --board zedboard --folding "$S/mn_sparse/folding.json" \
       --stats "$MN_STATS" --thresholds "$S/mn_sparse/thresholds.json"
check "guide: eval of the product histograms the co-search wrote" 0 out "images/s" \
    -- eval "$MN" --board zedboard --folding "$S/mn_sparse/folding.json" --stats "$S/mn_sparse/stats.json"
check "guide: emit-hls of the dense design" 0 out "weights: embedded from the ONNX model" \
    -- emit-hls "$MN" --folding "$S/mn_dense/folding.json" --out "$S/mn_hls"

# ---------------------------------------------------------------- accuracy in the loop: --oracle-cmd, --verify
ORACLE="python3 $DATA/scripted_oracle.py"
check "oracle-cmd: scores every candidate" 0 out "HASS co-search" out "requests)" \
    -- search "$MN" --board zedboard --sparsity "$MN_STATS" --oracle-cmd "$ORACLE 1.0" --budget 1 --out "$S/mn_cmd"
require "oracle-cmd: no accuracy.json without a table" test ! -e "$S/mn_cmd/accuracy.json"
require "oracle-cmd: report names the command" grep -qF "\"provenance\": \"--oracle-cmd $ORACLE 1.0\"" "$S/mn_cmd/report.json"
check "oracle-batch: the same design in fewer requests" 0 out "(in batches)" \
    -- search "$MN" --board zedboard --sparsity "$MN_STATS" --oracle-cmd "$ORACLE 1.0" --oracle-batch --budget 1 \
       --out "$S/mn_cmd_batch"
require "oracle-batch: the same folding" cmp -s "$S/mn_cmd/folding.json" "$S/mn_cmd_batch/folding.json"
require "oracle-batch: the same thresholds" cmp -s "$S/mn_cmd/thresholds.json" "$S/mn_cmd_batch/thresholds.json"
single_calls=$(json_value oracle_calls "$S/mn_cmd/report.json")
batch_calls=$(json_value oracle_calls "$S/mn_cmd_batch/report.json")
require "oracle-batch: report.json counts the calls" test -n "$single_calls" -a -n "$batch_calls"
require "oracle-batch: one call per candidate without batches" \
    test "$single_calls" = "$(json_value oracle_candidates "$S/mn_cmd/report.json")"
require "oracle-batch: the same candidates" \
    test "$(json_value candidates "$S/mn_cmd/report.json")" = "$(json_value candidates "$S/mn_cmd_batch/report.json")"
require "oracle-batch: at most a quarter of the calls ($batch_calls vs $single_calls)" \
    test "$((4 * ${batch_calls:-0}))" -lt "${single_calls:-0}"
check "oracle-batch: a malformed batch answer" 1 err "field 'drops' has 1 numbers for a batch of" \
    -- search "$MN" --board zedboard --sparsity "$MN_STATS" --oracle-batch \
       --oracle-cmd "while read l; do echo '{\"drops\": [0]}'; done"
check "oracle-batch: a batch answer that is not a list" 1 err "field 'drops'" err "not an array" \
    -- search "$MN" --board zedboard --sparsity "$MN_STATS" --oracle-batch \
       --oracle-cmd "while read l; do echo '{\"drop\": 0}'; done"
check "oracle-batch: the command reports an error" 1 err "the oracle reports an error: no model" \
    -- search "$MN" --board zedboard --sparsity "$MN_STATS" --oracle-batch \
       --oracle-cmd "while read l; do echo '{\"error\": \"no model\"}'; done"
check "oracle-batch: needs --oracle-cmd" 2 err "--oracle-batch goes with --oracle-cmd" \
    -- search "$MN" --board zedboard --sparsity "$MN_STATS" --accuracy "$MN_ACC" --oracle-batch
check "random baseline: the chosen design against the best random one" 0 out "random baseline    best of 200" \
    -- search "$MN" --board zedboard --sparsity "$MN_STATS" --oracle-cmd "$ORACLE 1.0" --oracle-batch --budget 1 \
       --random-baseline 200 --out "$S/mn_cmd_random"
require "random baseline: the result does not change" cmp -s "$S/mn_cmd/folding.json" "$S/mn_cmd_random/folding.json"
require "random baseline: report.json has it" grep -qF '"random_baseline"' "$S/mn_cmd_random/report.json"
check "random baseline: needs --sparsity" 2 err "--random-baseline goes with --sparsity" \
    -- search "$MN" --board zedboard --random-baseline 10
check "verify: table searches, the command measures, rounds printed" 0 out "verification:" out "chosen             round" \
    -- search "$MN" --board zedboard --sparsity "$MN_STATS" --accuracy "$MN_ACC" \
       --oracle-cmd "$ORACLE 0.5 $S/mn_sparse/stats.json" --verify --out "$S/mn_verify"
require "verify: report.json has the rounds" grep -qF '"measured_batch_fps"' "$S/mn_verify/report.json"
require "verify: stats.json holds the measured histograms" grep -qF 'measured by --oracle-cmd' "$S/mn_verify/stats.json"
check "verify: emit-hls takes the verified design" 0 out "weights: embedded from the ONNX model" \
    -- emit-hls "$MN" --board zedboard --cosearch "$S/mn_verify" --out "$S/mn_verify_hls"
check "verify: a real model over the budget everywhere: no round within the budget" 0 out "no design" \
    out "no round's" \
    -- search "$MN" --board zedboard --sparsity "$MN_STATS" --accuracy "$MN_ACC" --budget 0.5 \
       --oracle-cmd "while read l; do echo '{\"drop\": 5}'; done" --verify --rounds 2 --out "$S/mn_verify_none"
check "verify: a real model far worse than the table is refined to the budget" 0 out "chosen             round 2" \
    -- search "$MN" --board zedboard --sparsity "$MN_STATS" --accuracy "$MN_ACC" --budget 0.5 \
       --oracle-cmd "$ORACLE 1000" --verify --rounds 2
require "verify: no folding.json when no round is within the budget" test ! -e "$S/mn_verify_none/folding.json"
check "verify: needs --oracle-cmd" 2 err "--verify needs --oracle-cmd" \
    -- search "$MN" --board zedboard --sparsity "$MN_STATS" --accuracy "$MN_ACC" --verify
check "oracle-cmd: with --accuracy needs --verify" 2 err "add --verify" \
    -- search "$MN" --board zedboard --sparsity "$MN_STATS" --accuracy "$MN_ACC" --oracle-cmd "$ORACLE 1"
check "oracle-cmd: not with synthetic statistics" 2 err "give --sparsity FILE" \
    -- search "$MN" --board zedboard --sparsity synthetic --oracle-cmd "$ORACLE 1"
check "oracle-cmd: a command that prints text" 1 err "answer 1 is not one line of JSON: 'hello'" \
    -- search "$MN" --board zedboard --sparsity "$MN_STATS" --oracle-cmd "echo hello"
check "oracle-cmd: a command that exits" 1 err "no answer to request 1 (it exited with status 3" \
    -- search "$MN" --board zedboard --sparsity "$MN_STATS" --oracle-cmd "exit 3"
check "oracle-cmd: an answer without a drop" 1 err "field 'drop'" \
    -- search "$MN" --board zedboard --sparsity "$MN_STATS" --oracle-cmd "while read l; do echo '{}'; done"
check "oracle-cmd: the command reports an error" 1 err "the oracle reports an error: no model" \
    -- search "$MN" --board zedboard --sparsity "$MN_STATS" \
       --oracle-cmd "while read l; do echo '{\"error\": \"no model\"}'; done"

# ---------------------------------------------------------------- eval --stats --thresholds: errors
check "eval: --thresholds without --stats" 2 err "--thresholds needs --stats" \
    -- eval "$MN" --board zedboard --thresholds "$S/mn_sparse/thresholds.json"
check "eval: decomposed statistics without weights" 1 err "no weight statistics" \
    -- eval "$S/mn.json" --board zedboard --stats "$MN_STATS"
sed 's/"layers": \[/"layers": [{"name": "nope", "tau_a": 0.1},/' "$S/mn_sparse/thresholds.json" > "$S/t_unknown.json"
check "eval: unknown layer in the thresholds" 1 err "t_unknown.json: layer 'nope'" err "unknown layer" \
    -- eval "$MN" --board zedboard --stats "$MN_STATS" --thresholds "$S/t_unknown.json"
printf '{"format": "hass.sparsity.thresholds", "version": 1, "layers": [{"name": "/features/features.8/Clip", "tau_a": 0.5}]}' > "$S/t_outside.json"
check "eval: threshold outside the grid" 1 err "t_outside.json: layer '/features/features.8/Clip'" \
    err "outside the statistics grid [0, 0.4]" -- eval "$MN" --board zedboard --stats "$MN_STATS" --thresholds "$S/t_outside.json"
sed 's/\[\[\[1.9683e-05,/[[[0.5,/' "$MN_STATS" > "$S/s_sum.json"
check "eval: histogram row not summing to one" 1 err "s_sum.json: layer" err "sums to" \
    -- eval "$MN" --board zedboard --stats "$S/s_sum.json"
sed 's#"activation_layer":"/features/features.8/Clip"#"activation_layer":"/features/features.5/conv/conv.5/Clip"#' "$MN_STATS" > "$S/s_owner.json"
check "eval: an activation layer the layer does not read" 1 err "s_owner.json" \
    err "is not what the layer reads: it reads activation layer '/features/features.8/Clip'" \
    -- eval "$MN" --board zedboard --stats "$S/s_owner.json"

# ---------------------------------------------------------------- errors
check "unsupported operator" 1 err "hass: error: $ERR_DATA/leaky_relu.onnx: node 'act' (#1, LeakyRelu)" \
    err "not supported by hass" -- info "$ERR_DATA/leaky_relu.onnx"
check "dilated convolution" 1 err "dilations [2, 2] are not supported" \
    -- eval "$ERR_DATA/dilated_conv.onnx" --board zedboard
check "Clip(0, 4)" 1 err "Clip(0, 4) is not supported" -- search "$ERR_DATA/clip_0_4.onnx" --board zedboard
check "malformed file" 1 err "not a valid ONNX model" -- import "$ERR_DATA/malformed.onnx"
check "empty file" 1 err "the file is empty" -- info "$ERR_DATA/empty.onnx"
check "missing initializer" 1 err "missing initializer" -- export "$ERR_DATA/missing_initializer.onnx"
check "float64 weights" 1 err "DOUBLE (float64)" -- emit-hls "$ERR_DATA/float64_weights.onnx" --out "$S/f64"
check "batch size 2" 1 err "batch size 2" -- info "$ERR_DATA/batch2.onnx"
check "missing .onnx file" 1 err "cannot open" -- info "$S/nothing.onnx"
check "unknown model mentions .onnx" 1 err "or an .onnx model" -- info nosuchmodel

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
