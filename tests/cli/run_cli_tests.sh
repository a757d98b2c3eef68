#!/usr/bin/env bash
# Command-line tests of the hass tool: exit codes and message substrings.
#
#   run_cli_tests.sh HASS_BINARY SCRATCH_DIR
#
# Needs only bash and grep. Prints "N passed, M failed" and exits non-zero when
# a check fails.
set -u

if [[ $# -ne 2 ]]; then
    echo "usage: $0 HASS_BINARY SCRATCH_DIR" >&2
    exit 2
fi
HASS=$1
S=$2
DATA="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/data"
mkdir -p "$S" || exit 2
export LC_ALL=C

passed=0
failed=0
OUT="$S/stdout"
ERR="$S/stderr"
last_rc=0
last_cmd=""

# run ARGS...: runs hass, keeps stdout, stderr and the exit code of the last run.
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
# Runs hass ARGS; passes when the exit code matches and every PATTERN (a fixed
# string) occurs in the named stream.
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

# A value of a JSON report: json_value KEY FILE -> the number after "KEY":
json_value() { grep -o "\"$1\": *[0-9.e+-]*" "$2" | head -n 1 | sed 's/.*: *//'; }

# ---------------------------------------------------------------- general usage
check "help" 0 out "eval" out "models" -- --help
check "version" 0 -- --version
check "no subcommand is a usage error" 2 -- 
check "unknown subcommand" 2 -- frobnicate
check "unknown option" 2 -- models --frobnicate
check "eval needs a board" 2 err "--board" -- eval resnet18
check "eval needs a model" 2 -- eval --board u250
check "bad --partition value" 2 -- eval resnet18 --board u250 --partition manual
check "bad --cap value" 2 err "--cap" -- eval resnet18 --board u250 --cap 1.5
check "bad --cap key" 2 err "unknown resource 'bram'" -- eval resnet18 --board u250 --cap bram=0.5
check "bad --cap number" 2 err "not a number" -- eval resnet18 --board u250 --cap dsp=lots
check "bad --batch" 2 -- eval resnet18 --board u250 --batch 0

# ---------------------------------------------------------------- listings
check "models" 0 out "resnet18" out "mobilenet_v3_small" out "11,689,512" out "1,814,073,344" -- models
check "models --json" 0 out '"params": 11689512' out '"name": "vgg16"' -- models --json
check "boards" 0 out "u250" out "xcu250-figd2104-2L-e" out "12,288" out "zedboard" -- boards
check "boards --json" 0 out '"bram18": 5376' out '"clock_mhz"' -- boards --json
check "info resnet18" 0 out "layer1.0.conv1" out "56x56x64" out "total" out "11,689,512" -- info resnet18
check "info --json" 0 out '"macs": 1814073344' out '"output"' -- info resnet18 --json
check "info of a network file" 0 out "relu1.split" out "16x16x32" -- info "$DATA/tiny.json"

# ---------------------------------------------------------------- evaluation
# Acceptance value: resnet18 with every factor 1 on u250 has II 118,013,952
# cycles, set by the 7x7 stem convolution.
check "eval resnet18 u250 --json" 0 out '"ii_cycles": 118013952' out '"bottleneck": "conv1"' \
    out '"share_of_ii"' out '"exceeded"' out '"budget"' -- eval resnet18 --board u250 --json
cp "$OUT" "$S/resnet18_u250.json"
check "eval resnet18 u250 text" 0 out "118,013,952" out "bottleneck: layer conv1" out "images/s" \
    out "latency (batch 1)" out "BRAM18" -- eval resnet18 --board u250
check "eval --partition auto" 0 out "partitions run one after another" out "P - 1 reconfigurations" \
    out "including reconfiguration" -- eval resnet18 --board u250 --partition auto
check "eval --partition auto --json" 0 out '"partitioned": {' out '"convention"' out '"reconf_time_s"' \
    -- eval resnet18 --board u250 --partition auto --json
check "a layer too big for the board" 1 err "layer 'classifier.0' alone needs" err "board 'u250'" \
    err "off_chip" -- eval vgg16 --board u250 --partition auto
check "eval with cap" 0 out "utilisation cap dsp 0.5 lut 1 ff 1 ram 0.9" \
    -- eval resnet18 --board u250 --cap dsp=0.5,ram=0.9
check "eval with one cap" 0 out '"bram18": 4838' -- eval resnet18 --board u250 --cap 0.9 --json
check "eval a network file with sparsity" 0 out "conv2" out "yes" -- eval "$DATA/tiny.json" --board zcu104
check "eval with a folding file" 0 out "relu1.split_squeeze_add" out "4 -> 2" out "fits               yes" \
    -- eval "$DATA/tiny.json" --board zcu104 --folding "$DATA/tiny_folding.json"
check "eval --json with a folding file" 0 out '"coarse_out": 4' out '"streams_from": 4' \
    -- eval "$DATA/tiny.json" --board zcu104 --folding "$DATA/tiny_folding.json" --json
tiny_ii=$(json_value ii_cycles "$OUT")
if [[ -z $tiny_ii ]]; then
    report_failure "no ii_cycles in the JSON report of tiny.json"
    tiny_ii=missing
fi
check "eval on a board file" 0 out "myboard" out "150 MHz" -- eval "$DATA/tiny.json" --board "$DATA/board.json"
check "eval a file with inline folding and comments" 0 out '"model": "branches"' out '"weights": "off_chip"' \
    -- eval "$DATA/branches.json" --board zcu104 --json
check "eval --partition auto when it fits" 0 out '"partitioned": null' \
    -- eval "$DATA/tiny.json" --board zcu104 --partition auto --json
check "eval --batch" 0 out '"batch": 8' -- eval "$DATA/tiny.json" --board zcu104 --batch 8 --json
# a folding file with partitions and a batch (what hass search --out writes): eval follows them
SMALL_NET="$DATA/../../hls/designs/network.json"
PARTS="$DATA/small_net_partitioned_folding.json"
check "eval follows the folding file's partitions" 0 \
    out "batch 16 (the design's); partitioning auto: 3 partitions as the folding file gives" \
    out "3 partitions run one after another" out "gap .. fc (9-10)" \
    -- eval "$SMALL_NET" --board zedboard --folding "$PARTS"
check "eval --partition none ignores them" 0 out "partitioning none: one partition" \
    -- eval "$SMALL_NET" --board zedboard --folding "$PARTS" --partition none
check "eval --batch overrides the file's" 0 out '"batch": 4' out '"partitions_from": "folding file"' \
    -- eval "$SMALL_NET" --board zedboard --folding "$PARTS" --batch 4 --json
check "eval: the unit folding fits in one partition" 0 \
    out "batch 256 (default); partitioning auto: one partition (the design fits)" \
    -- eval "$DATA/tiny.json" --board zcu104
sed 's/"first": "pool1"/"first": "fork"/' "$PARTS" >"$S/parts_gap.json"
check "a folding file's partitions with a gap" 1 err "field 'partitions[1].first': partition 2 must start at layer 'pool1'" \
    -- eval "$SMALL_NET" --board zedboard --folding "$S/parts_gap.json"

# ---------------------------------------------------------------- export and round trips
check "export" 0 out '"name": "resnet18"' out '"type": "split"' -- export resnet18
cp "$OUT" "$S/resnet18.json"
check "exported network evaluates the same" 0 out '"ii_cycles": 118013952' \
    -- eval "$S/resnet18.json" --board u250 --json
check "folding template" 0 out '"name": "conv2"' out '"fine": 5' \
    -- export "$DATA/tiny.json" --folding "$DATA/tiny_folding.json" --folding-template
cp "$OUT" "$S/tiny_folding_out.json"
check "written folding is accepted" 0 out "\"ii_cycles\": $tiny_ii" \
    -- eval "$DATA/tiny.json" --board zcu104 --folding "$S/tiny_folding_out.json" --json
check "export with inline folding" 0 out '"folding"' \
    -- export "$DATA/tiny.json" --folding "$DATA/tiny_folding.json"
cp "$OUT" "$S/tiny_inline.json"
check "inline folding evaluates the same" 0 out "\"ii_cycles\": $tiny_ii" \
    -- eval "$S/tiny_inline.json" --board zcu104 --json

# ---------------------------------------------------------------- errors in names and files
check "unknown model" 1 err "hass: error: unknown model 'resnet19'" err "resnet18" err "mobilenet_v2" \
    -- eval resnet19 --board u250
check "unknown model (info)" 1 err "unknown model" -- info nosuchnet
check "unknown board" 1 err "unknown board 'u999'" err "u250" err "zedboard" -- eval resnet18 --board u999
check "missing network file" 1 err "cannot open" err "nothing.json" -- info "$S/nothing.json"
check "missing folding file" 1 err "cannot open" -- eval resnet18 --board u250 --folding "$S/nothing.json"
check "malformed JSON" 1 err "malformed JSON" err "malformed.json" err "line 6" -- info "$DATA/malformed.json"
check "folding that does not divide" 1 err "resnet18_bad_folding.json" err "layer1.0.conv1" \
    err "does not divide" -- eval resnet18 --board u250 --folding "$DATA/resnet18_bad_folding.json"
check "histogram row not summing to 1" 1 err "bad_histogram.json" err "layers[2] 'conv2'" err "sums to" \
    -- eval "$DATA/bad_histogram.json" --board u250

# Small bad network files written on the fly: net NAME 'LAYERS-JSON' writes $S/NAME.json.
net() {
    printf '{"name": "n", "input": {"rows": 8, "cols": 8, "channels": 4}, "layers": [%s]}\n' "$2" >"$S/$1.json"
}
net unknown_type '{"name": "c", "type": "convolutionn", "filters": 4, "kernel": 3}'
check "unknown layer type" 1 err "unknown_type.json: layers[0]" err 'unknown layer type "convolutionn"' \
    -- info "$S/unknown_type.json"
net unknown_input '{"name": "c", "type": "relu"}, {"name": "d", "type": "relu", "inputs": ["nope"]}'
check "unknown input" 1 err "layers[1] 'd'" err "unknown input 'nope'" -- info "$S/unknown_input.json"
net later_input '{"name": "c", "type": "relu", "inputs": ["d"]}, {"name": "d", "type": "relu"}'
check "input defined later" 1 err "topological order" -- info "$S/later_input.json"
net missing_field '{"name": "c", "type": "convolution", "kernel": 3}'
check "missing field" 1 err "layers[0] 'c'" err "missing field 'filters'" -- info "$S/missing_field.json"
net wrong_type '{"name": "c", "type": "convolution", "filters": "16", "kernel": 3}'
check "wrong type" 1 err "field 'filters'" err "expected an integer" -- info "$S/wrong_type.json"
net negative '{"name": "c", "type": "convolution", "filters": -16, "kernel": 3}'
check "negative size" 1 err "field 'filters'" err "positive integer" -- info "$S/negative.json"
net zero_stride '{"name": "c", "type": "pooling", "kernel": 2, "stride": [0, 1]}'
check "zero stride" 1 err "field 'stride[0]'" -- info "$S/zero_stride.json"
net big_kernel '{"name": "c", "type": "convolution", "filters": 4, "kernel": 11}'
check "kernel larger than the input" 1 err "field 'kernel'" err "larger than the padded input" \
    -- info "$S/big_kernel.json"
net unknown_field '{"name": "c", "type": "convolution", "filter": 4, "kernel": 3}'
check "unknown field" 1 err "unknown field 'filter'" -- info "$S/unknown_field.json"
net hist_shape '{"name": "c", "type": "convolution", "filters": 4, "kernel": 3, "sparsity": {"histogram": [[1, 0, 0, 0, 0, 0, 0, 0, 0, 0]]}}'
check "wrong histogram shape" 1 err "field 'sparsity.histogram'" err "has 1 rows but the layer has 4" \
    -- info "$S/hist_shape.json"
net hist_row '{"name": "c", "type": "convolution", "filters": 4, "kernel": [1, 2], "sparsity": {"histogram": [[1, 0, 0], [1, 0, 0], [1, 0], [1, 0, 0]]}}'
check "wrong histogram row length" 1 err "sparsity.histogram[2]" err "K+1 = 3" -- info "$S/hist_row.json"
long=$(printf 'x%.0s' {1..90})
net long_name "{\"name\": \"$long\", \"type\": \"relu\"}"
check "name too long" 1 err "layers[0]" err "longer than 79 characters" -- info "$S/long_name.json"
net duplicate '{"name": "c", "type": "relu"}, {"name": "c", "type": "relu"}'
check "duplicate names" 1 err "layers[1] 'c'" err "duplicate layer name" -- info "$S/duplicate.json"
net output_mismatch '{"name": "c", "type": "pooling", "kernel": 2, "output": {"rows": 8, "cols": 8, "channels": 4}}'
check "declared output differs" 1 err "field 'output'" err "declared 8x8x4 but the layer computes 4x4x4" \
    -- info "$S/output_mismatch.json"
net eltwise_one '{"name": "c", "type": "relu"}, {"name": "e", "type": "eltwise", "inputs": ["c"]}'
check "eltwise with one input" 1 err "two or more inputs" -- info "$S/eltwise_one.json"
net eltwise_shapes '{"name": "p", "type": "pooling", "kernel": 2}, {"name": "e", "type": "eltwise", "inputs": ["p", "input"]}'
check "eltwise shapes differ" 1 err "layers[1] 'e'" err "input 'input' is 8x8x4" -- info "$S/eltwise_shapes.json"
net clusters '{"name": "c", "type": "convolution", "filters": 4, "kernel": 1, "sparsity": {"zero_fraction": [0.5, 0.5, 0.5, 0.5], "clusters": 2}}'
check "clusters must divide the streams" 1 err "clusters 2 must divide" -- info "$S/clusters.json"
net inline_folding '{"name": "c", "type": "relu", "folding": {"coarse": 3}}'
check "bad inline folding" 1 err "layers[0] 'c': field 'folding'" err "does not divide" \
    -- info "$S/inline_folding.json"
echo '{"name": "n", "input": {"rows": 8, "cols": 8}, "layers": [{"type": "relu"}]}' >"$S/no_channels.json"
check "missing input field" 1 err "missing field 'input.channels'" -- info "$S/no_channels.json"
echo '{"name": "n", "name": "m", "input": {"rows": 8, "cols": 8, "channels": 1}, "layers": [{"type": "relu"}]}' >"$S/dup_key.json"
check "duplicate JSON key" 1 err "duplicate key 'name'" -- info "$S/dup_key.json"

# Folding files for resnet18.
fold() { echo "$2" >"$S/$1.json"; }
fold f_unknown '{"layers": {"conv_one": {"coarse_in": 1}}}'
check "folding: unknown layer" 1 err "unknown layer 'conv_one'" -- eval resnet18 -b u250 -f "$S/f_unknown.json"
fold f_zero '{"layers": {"conv1": {"coarse_out": 0}}}'
check "folding: factor < 1" 1 err "layer 'conv1'" err "field 'coarse_out'" err "positive integer" \
    -- eval resnet18 -b u250 -f "$S/f_zero.json"
fold f_float '{"layers": [{"name": "fc", "coarse_in": 2.5}]}'
check "folding: non-integer factor" 1 err "layers[0] 'fc'" err "expected an integer" \
    -- eval resnet18 -b u250 -f "$S/f_float.json"
fold f_fine '{"layers": {"conv1": {"fine": 2}}}'
check "folding: fine not dividing K" 1 err "fine 2 does not divide the kernel size K = 49" \
    -- eval resnet18 -b u250 -f "$S/f_fine.json"
fold f_weights '{"layers": {"fc": {"weights": "ddr"}}}'
check "folding: bad weight storage" 1 err "unknown value \"ddr\"" -- eval resnet18 -b u250 -f "$S/f_weights.json"
fold f_twice '{"layers": [{"name": "fc"}, {"name": "fc"}]}'
check "folding: layer given twice" 1 err "given twice" -- eval resnet18 -b u250 -f "$S/f_twice.json"
fold f_uram '{"layers": {"layer4.1.conv2": {"coarse_in": 4, "coarse_out": 8, "fine": 3, "weights": "uram"}}}'
check "folding: uram weights" 0 out '"uram": ' -- eval resnet18 -b u250 -f "$S/f_uram.json" --json

# Board files.
echo '{"name": "b", "dsp": 10, "lut": 10, "ff": 10, "bram18": 10, "bandwidth_gbps": 1}' >"$S/b_clock.json"
check "board: missing field" 1 err "b_clock.json" err "missing field 'clock_mhz'" -- eval resnet18 -b "$S/b_clock.json"
echo '{"name": "b", "dsp": 10, "lut": -1, "ff": 10, "bram18": 10, "clock_mhz": 100, "bandwidth_gbps": 1}' >"$S/b_neg.json"
check "board: negative resource" 1 err "field 'lut'" -- eval resnet18 -b "$S/b_neg.json"

# ---------------------------------------------------------------- search
check "search needs a board" 2 err "--board" -- search resnet18
check "search: bad --algo" 2 err "--algo" -- search resnet18 --board u250 --algo simplex
check "search: bad --partition" 2 -- search resnet18 --board u250 --partition always
check "search: bad --batch" 2 -- search resnet18 --board u250 --batch 0
check "search: bad --cap" 2 err "--cap" -- search resnet18 --board u250 --cap 0
check "search: unknown model" 1 err "unknown model 'resnet19'" -- search resnet19 --board u250
check "search: unknown board" 1 err "unknown board 'u999'" -- search resnet18 --board u999
check "search: malformed network file" 1 err "malformed JSON" -- search "$DATA/malformed.json" --board u250
echo 'not a directory' >"$S/plain_file"
check "search: --out is a file" 1 err "cannot create the output directory" \
    -- search "$DATA/tiny.json" --board zcu104 --out "$S/plain_file"
check "search text" 0 out "optimal search" out "weights" out "%II" out "II lower bound" out "gap" \
    out "images/s" out "search             optimal in" -- search "$DATA/tiny.json" --board zcu104
check "search --json" 0 out '"search_ms"' out '"algo": "optimal"' out '"ii_lower_bound"' out '"ii_cycles"' \
    out '"found": true' -- search "$DATA/tiny.json" --board zcu104 --json
check "search anneal" 0 out "anneal search" -- search "$DATA/tiny.json" --board zcu104 --algo anneal --seed 3
check "search greedy, one partition" 0 out "greedy search" -- search resnet18 --board u250 --algo greedy --partition none
# --out writes a folding that eval accepts, with the II the search reported
rm -rf "$S/search_tiny"
check "search --out" 0 out "wrote" -- search "$DATA/tiny.json" --board zcu104 --out "$S/search_tiny"
search_ii=$(json_value ii_cycles "$S/search_tiny/report.json")
[[ -n $search_ii ]] || { report_failure "search: no ii_cycles in report.json"; search_ii=missing; }
for key in search_ms algo ii_lower_bound ii_cycles throughput_fps resources layers; do
    grep -q "\"$key\"" "$S/search_tiny/report.json" || report_failure "search: report.json lacks \"$key\""
done
check "search folding.json round trip" 0 out "\"ii_cycles\": $search_ii" \
    -- eval "$DATA/tiny.json" --board zcu104 --folding "$S/search_tiny/folding.json" --json
# partitions: resnet50 on zcu102 (weights off chip where needed, batch 256)
check "search resnet50 zcu102 partitions" 0 out "partition 1 of" out "partitions run one after another" \
    out "including reconfiguration" out "ranges searched exactly" -- search resnet50 --board zcu102
rm -rf "$S/search_r50"
check "search resnet50 --out --json" 0 out '"partitioned": {' out '"cuts"' out '"partitions"' \
    out '"batch": 256' -- search resnet50 --board zcu102 --out "$S/search_r50" --json
grep -q '"cuts"' "$S/search_r50/report.json" || report_failure "search: partitioned report.json lacks cuts"
check "partitioned folding.json is accepted" 0 out '"ii_cycles"' out '"weight_blocks_streamed"' \
    -- eval resnet50 --board zcu102 --folding "$S/search_r50/folding.json" --json
# folding.json keeps the cuts and the batch: eval of it is the searched design, batch throughput included
r50_fps=$(grep -o '"batch_fps": *[0-9.e+-]*' "$S/search_r50/report.json" | tail -n 1 | sed 's/.*: *//')
[[ -n $r50_fps ]] || { report_failure "search: no batch_fps in report.json"; r50_fps=missing; }
grep -q '"partitions": \[' "$S/search_r50/folding.json" || report_failure "search: folding.json lacks the partitions"
check "eval of the partitioned folding.json is the searched design" 0 out "\"batch_fps\": $r50_fps" \
    out '"partitions_from": "folding file"' -- eval resnet50 --board zcu102 --folding "$S/search_r50/folding.json" --json
check "search --batch 1 keeps one partition" 0 out "partitions         1" \
    -- search resnet18 --board u250 --batch 1
# off-chip weights: vgg16 fits u250 only with them
check "search vgg16 u250 off chip" 0 out "bram+stream:all" out "fits               yes" \
    -- search vgg16 --board u250 --partition none
check "search: nothing fits (exit 0)" 0 out "no design fits" out "classifier.0" out "off-chip weights disabled" \
    -- search vgg16 --board u250 --partition none --no-offchip
check "search: a layer too big alone" 0 out "no design fits" out "layer4.0.conv2" out "alone" \
    -- search resnet50 --board zcu102 --no-offchip --no-bram-to-lut
rm -rf "$S/search_none"
check "search: nothing fits writes report.json only" 0 out "no design fits" \
    -- search resnet50 --board zcu102 --no-offchip --out "$S/search_none"
[[ -f $S/search_none/report.json && ! -f $S/search_none/folding.json ]] ||
    report_failure "search: nothing fits should write report.json and no folding.json"
grep -q '"found": false' "$S/search_none/report.json" || report_failure "search: report.json lacks found false"

# --- the HASS co-search (--sparsity) and eval --stats ---------------------------
rm -rf "$S/cosearch"
check "co-search synthetic" 0 out "HASS co-search: greedy" out "SYNTHETIC" out "speed-up" \
    out "GOP/s dense" out "GOP/s effective" -- search "$DATA/tiny.json" --board zcu104 --sparsity synthetic \
    --out "$S/cosearch"
for f in report.json folding.json stats.json thresholds.json pareto.svg statistics.json accuracy.json; do
    [[ -f $S/cosearch/$f ]] || report_failure "co-search --out lacks $f"
    # the summary names every file it wrote, with a line on what it is
    grep -qE "^  $f +[a-z]" "$OUT" || report_failure "co-search summary does not list $f"
done
grep -q "^budget             the design costs " "$OUT" || report_failure "co-search summary does not explain the budget"
grep -q "effective counts only the products" "$OUT" || report_failure "co-search summary does not explain effective GOP/s"
grep -q '"cosearch"' "$S/cosearch/report.json" || report_failure "co-search report.json lacks cosearch"
grep -q '<svg' "$S/cosearch/pareto.svg" || report_failure "co-search pareto.svg is not an SVG"
check "eval --stats reads the co-search design back" 0 out "sparse layer" out "GOP/s effective" \
    -- eval "$DATA/tiny.json" --board zcu104 --folding "$S/cosearch/folding.json" --stats "$S/cosearch/stats.json"
check "co-search from the written statistics and accuracy files" 0 out "\"method\": \"greedy\"" \
    -- search "$DATA/tiny.json" --board zcu104 --sparsity "$S/cosearch/statistics.json" \
    --accuracy "$S/cosearch/accuracy.json" --json
grep -q '"synthetic": true' "$OUT" || report_failure "co-search from files should keep the SYNTHETIC label"
check "co-search tpe --json" 0 out '"method": "tpe"' out '"pareto_front"' \
    -- search "$DATA/tiny.json" --board zcu104 --sparsity synthetic --cosearch tpe --json
check "co-search: a statistics file needs an accuracy table" 2 err "--accuracy" \
    -- search "$DATA/tiny.json" --board zcu104 --sparsity "$S/cosearch/thresholds.json"
check "co-search: missing statistics file" 1 err "does not exist" \
    -- search "$DATA/tiny.json" --board zcu104 --sparsity "$S/nope.json" --accuracy "$S/nope.json"
check "co-search: negative budget" 2 -- search "$DATA/tiny.json" --board zcu104 --sparsity synthetic --budget -1
check "co-search: unknown method" 2 -- search "$DATA/tiny.json" --board zcu104 --sparsity synthetic --cosearch grid
# over partitions: 8 BRAM18 hold no design of tiny in one partition (its weights need 10)
cat >"$S/tinyboard.json" <<'EOF'
{"name": "tinyboard", "part": "none", "dsp": 10, "lut": 5000, "ff": 10000, "bram18": 8, "uram": 0,
 "clock_mhz": 200, "bandwidth_gbps": 10, "reconf_time_s": 0.01}
EOF
rm -rf "$S/cosearch_parts"
check "co-search over partitions" 0 out "HASS co-search over partitions" out "dense design       3 partitions" \
    out "speed-up" out "at batch 256" out "(2 rounds)" \
    -- search "$DATA/tiny.json" --board "$S/tinyboard.json" --sparsity synthetic --out "$S/cosearch_parts"
grep -q '"partitions"' "$S/cosearch_parts/folding.json" || report_failure "partitioned co-search folding.json lacks its partitions"
grep -q '"estimate_partition_ii"' "$S/cosearch_parts/report.json" || report_failure "partitioned co-search report.json lacks the estimate"
check "emit-hls takes the partitioned co-search's design" 0 out "2 partitions, as the folding file gives" \
    out "sparse layers" -- emit-hls "$DATA/tiny.json" --cosearch "$S/cosearch_parts" --out "$S/cosearch_parts_hls"
check "co-search --partition none keeps one partition" 0 out "no design fits in one partition" \
    -- search "$DATA/tiny.json" --board "$S/tinyboard.json" --sparsity synthetic --partition none
sed 's/"format"/"format_"/' "$S/cosearch/stats.json" > "$S/stats_bad_format.json"
check "eval --stats: not a statistics file" 1 err "stats_bad_format.json" \
    -- eval "$DATA/tiny.json" --board zcu104 --stats "$S/stats_bad_format.json"
check "eval --stats: missing file" 1 err "cannot open" -- eval "$DATA/tiny.json" --board zcu104 --stats "$S/none.json"

# --- a folding that says sparse needs statistics (eval here; emit-hls in tests/hls) ---
cat >"$S/nostats.json" <<'JSON'
{"name": "nostats", "input": {"rows": 8, "cols": 8, "channels": 4},
 "layers": [{"name": "relu0", "type": "relu"}, {"name": "conv", "type": "convolution", "filters": 4, "kernel": 3, "pad": 1}]}
JSON
echo '{"layers": {"conv": {"coarse_in": 2, "fine": 2, "implementation": "sparse"}}}' >"$S/nostats_fine2.json"
echo '{"layers": {"conv": {"coarse_in": 2, "fine": 3, "implementation": "sparse"}}}' >"$S/nostats_fine3.json"
check "eval: a sparse folding without statistics is an error" 1 err "nostats_fine2.json: layer 'conv'" \
    err "no sparsity statistics" err "--allow-dense" -- eval "$S/nostats.json" --board zcu104 --folding "$S/nostats_fine2.json"
check "eval --allow-dense: a warning, evaluated dense" 0 err "warning" err "evaluated dense" \
    -- eval "$S/nostats.json" --board zcu104 --folding "$S/nostats_fine3.json" --allow-dense
grep -q '"fine": 4' "$S/cosearch/folding.json" || report_failure "co-search folding: expected conv2 with fine 4"
check "eval --stats: the co-search's sparse folding (fine 4 does not divide K = 9)" 0 out "sparse" \
    -- eval "$DATA/tiny.json" --board zcu104 --folding "$S/cosearch/folding.json" --stats "$S/cosearch/stats.json"

# --- per-lane sparse latency from per-filter histograms (docs/model.md) -------------
# conv: 2 channels, 16 filters, K = 9 on a 3x3 map (one window); coarse_out 2, fine 1, one
# stream. Filter j has z = 0 zeros (9 cycles) when j is even, z = 9 (skipped) when odd, so
# lane 0 holds all the work. Slowest lane: Wk = 1 * 2 * 16/2 = 16 (window, filter) pairs at
# 144 / 16 = 9 cycles: 144 cycles. Mean over the filters: m[c] = 4.5, 16 * 4.5 = 72 cycles.
# The data terms: 3*3*2 = 18 and 16/2 = 8.
row0='[1, 0, 0, 0, 0, 0, 0, 0, 0, 0]'
row9='[0, 0, 0, 0, 0, 0, 0, 0, 0, 1]'
rows=""
for ((j = 0; j < 16; ++j)); do
    [[ $j -gt 0 ]] && rows+=", "
    if ((j % 2 == 0)); then rows+="$row0"; else rows+="$row9"; fi
done
cat >"$S/lanes.json" <<'JSON'
{"name": "lanes", "input": {"rows": 3, "cols": 3, "channels": 2},
 "layers": [{"name": "conv", "type": "convolution", "filters": 16, "kernel": 3}]}
JSON
cat >"$S/lanes_stats.json" <<JSON
{"format": "hass.sparsity.products", "version": 1, "network": "lanes",
 "layers": [{"name": "conv", "channels": 2, "kernel": 9, "interleaving": "naive",
   "points": [{"tau_w": 0, "tau_a": 0,
     "histogram": [[0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0.5], [0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0.5]],
     "filter_histogram": [[$rows], [$rows]]}]}]}
JSON
echo '{"layers": {"conv": {"coarse_in": 1, "coarse_out": 2, "fine": 1, "implementation": "sparse"}}}' \
    >"$S/lanes_folding.json"
check "eval: the slowest coarse_out lane (per-filter histograms): 144 cycles" 0 out '"latency_cycles": 144' \
    -- eval "$S/lanes.json" --board zcu104 --folding "$S/lanes_folding.json" --stats "$S/lanes_stats.json" --json
check "eval --sparse-lanes mean: MODEL.md's mean over the filters: 72 cycles" 0 out '"latency_cycles": 72' \
    -- eval "$S/lanes.json" --board zcu104 --folding "$S/lanes_folding.json" --stats "$S/lanes_stats.json" --json \
    --sparse-lanes mean
check "eval -m fpgaconvnet keeps fpgaConvNet's mean over the filters: 72 cycles" 0 out '"latency_cycles": 72' \
    -- eval "$S/lanes.json" --board zcu104 --folding "$S/lanes_folding.json" --stats "$S/lanes_stats.json" --json \
    -m fpgaconvnet
# the first filter of channel 0 moved from z = 0 to z = 1: its channel mean no longer matches
sed 's/"filter_histogram": \[\[\[1, 0,/"filter_histogram": [[[0, 1,/' "$S/lanes_stats.json" >"$S/lanes_bad.json"
check "per-filter histograms must average to the channel histogram" 1 err "filter_histogram" \
    err "differs from its row" -- eval "$S/lanes.json" --board zcu104 --stats "$S/lanes_bad.json"

# --- mistyped names: case-insensitive boards and models, "did you mean" ---------------------
check "mistyped command" 2 err "unknown command 'serach'. Did you mean 'search'?" err "Commands:" -- serach resnet18
check "mistyped option" 2 err "unknown option '--bugdet' for 'hass search'. Did you mean '--budget'?" \
    -- search resnet18 --board u250 --bugdet 2
check "board names ignore case" 0 out "zcu102" -- eval resnet18 --board ZCU102
check "model names ignore case" 0 out "resnet18" -- info ResNet18
check "mistyped board" 1 err "unknown board 'zcu12'. Did you mean 'zcu102'?" err "Known boards:" \
    -- eval resnet18 --board zcu12
check "mistyped model" 1 err "unknown model 'resnt18'. Did you mean 'resnet18'?" -- info resnt18
check "missing board file" 1 err "board file 'nosuch/board.json' does not exist" -- eval resnet18 --board nosuch/board.json
check "mistyped --sparsity" 1 err "statistics file 'synthtic' does not exist. Did you mean 'synthetic'?" \
    -- search resnet18 --board u250 --sparsity synthtic

# --- robustness: every class of bad input found by fuzzing gives an error that
# names the file, the place, the field, what is wrong and what is allowed ---------
R="$S/robust"
mkdir -p "$R"
B='"name": "b", "dsp": 220, "lut": 53200, "ff": 106400, "bram18": 280'
echo "{$B, \"clock_mhz\": 100, \"bandwidth_gbps\": 1e-20}" >"$R/bw.json"
check "board: bandwidth 1e-20 is out of range (field, range, value)" 1 err "$R/bw.json" \
    err "field 'bandwidth_gbps'" err "must be in [0.001, 100000] Gbit/s" err "got 1e-20" -- eval resnet18 --board "$R/bw.json"
echo "{$B, \"clock_mhz\": 5e38, \"bandwidth_gbps\": 6}" >"$R/clock.json"
check "board: clock 5e38 is out of range" 1 err "$R/clock.json" err "field 'clock_mhz'" \
    err "must be in [1, 10000] MHz" -- search "$DATA/tiny.json" --board "$R/clock.json"
echo "{$B, \"clock_mhz\": 1e999, \"bandwidth_gbps\": 6}" >"$R/overflow.json"
check "number overflow 1e999 names the file and the place" 1 err "$R/overflow.json: line 1, column" \
    err "number overflow parsing '1e999'" err "finite" -- eval resnet18 --board "$R/overflow.json"
{ printf '{%s, "clock_mhz": 100, "bandwidth_gbps": 1, "dsp": ' "${B#*\"dsp\": 220, }"; printf '%.0s[' {1..100000};
  printf '%.0s]' {1..100000}; echo '}'; } >"$R/deep.json"
check "a 100,000-deep array is a nesting error, not a stack overflow" 1 err "$R/deep.json: line 1, column" \
    err "nested deeper than 64 levels" -- eval resnet18 --board "$R/deep.json"
echo "{$B, \"clock_mhz\": 100, \"bandwidth_gbps\": 1, \"lut\": [[1, 2], [3]]}" >"$R/dup.json"
check "a duplicate key names the key and the object" 1 err "$R/dup.json" err "duplicate key 'lut'" \
    err "the top level" -- eval resnet18 --board "$R/dup.json"
echo "{\"name\": \"b\", \"dsp\": [[[1]]], \"lut\": 1, \"ff\": 1, \"bram18\": 1, \"clock_mhz\": 100, \"bandwidth_gbps\": 1}" \
    >"$R/arr.json"
check "an array where a number belongs is described by its size" 1 err "$R/arr.json" err "field 'dsp'" \
    err "an array of 1 elements (array)" -- eval resnet18 --board "$R/arr.json"
check "a directory is not a board file" 1 err "cannot open $R: it is a directory, not a file" \
    -- eval resnet18 --board "$R"
check "a device is not a network file" 1 err "cannot open /dev/zero: not a regular file" \
    -- eval /dev/zero --board zcu104
check "a device is not a weight file" 1 err "/dev/zero" err "not a regular file" \
    -- emit-hls "$DATA/tiny.json" --board zcu104 --weights /dev/zero --out "$R/hls"
{ printf '{"name": "b", "dsp": 900, "lut": 300000, "ff": 600000, "bram18": 900, "clock_mhz": 100, "bandwidth_gbps": 1,
"_note": ['; printf '{"a": 1}, %.0s' {1..256000}; echo '{}]}'; } >"$R/note.json"
SECONDS=0
check "a 2.5 MB annotation of 256k small objects loads in linear time" 0 out '"model": "tiny"' \
    -- eval "$DATA/tiny.json" --board "$R/note.json" --json
if ((SECONDS > 30)); then
    echo "FAIL: loading $R/note.json took ${SECONDS} s (quadratic parsing?)"
    failed=$((failed + 1))
fi
check "batch 2^63-1 is out of range" 2 err "--batch" err "outside the allowed range [1, 1073741824]" \
    -- eval resnet18 --board zcu104 --batch 9223372036854775807
check "a seed beyond 64 bits is an error, not clamped" 2 err "--seed" err "outside the allowed range" \
    -- search "$DATA/tiny.json" --board zcu104 --algo anneal --seed 99999999999999999999999
check "a non-integer seed" 2 err "--seed" err "not an integer" -- search "$DATA/tiny.json" --board zcu104 --seed 1.5
check "--cap '' is an error" 2 err "--cap" err "empty value is not allowed" -- eval resnet18 --board zcu104 --cap ''
check "a resource given twice in --cap" 2 err "--cap: resource 'dsp' is given twice" \
    -- eval resnet18 --board zcu104 --cap dsp=0.5,dsp=0.6
echo '{"format": "hass.accuracy.table", "version": 1, "layers": []}' >"$R/acc.json"
check "--accuracy without --sparsity" 2 err "--accuracy goes with --sparsity" \
    -- search "$DATA/tiny.json" --board zcu104 --accuracy "$R/acc.json"
# the co-search over every statistics form: decomposed with raw magnitudes
cat >"$R/m_net.json" <<'JSON'
{"name": "m", "input": {"rows": 4, "cols": 4, "channels": 2}, "layers": [{"name": "pw", "type": "convolution", "filters": 2, "kernel": 1}]}
JSON
cat >"$R/m_stats.json" <<'JSON'
{"format": "hass.sparsity.decomposed", "version": 1, "layers": [{"name": "pw", "source": "other", "activations": {"tau": [0.0], "histogram": [[[0.5, 0.5], [0.5, 0.5]]]}, "weights": {"magnitudes": [0.1, 0.2, 0.3, 0.4]}}]}
JSON
cat >"$R/m_acc.json" <<'JSON'
{"format": "hass.accuracy.table", "version": 1, "layers": [{"name": "pw", "tau_w": [0.0, 0.5], "tau_a": [0.0], "drop": [[0.0], [0.5]]}]}
JSON
check "co-search: decomposed statistics with raw magnitudes" 0 out '"found": true' \
    -- search "$R/m_net.json" --board zcu104 --sparsity "$R/m_stats.json" --accuracy "$R/m_acc.json" --json
# an inserted input.split takes the network's data width: an 8-bit residual network emits
cat >"$R/w8.json" <<'JSON'
{"name": "w8", "input": {"rows": 4, "cols": 4, "channels": 2}, "widths": {"data": 8, "weight": 8, "acc": 24},
 "layers": [{"name": "a", "type": "convolution", "filters": 2, "kernel": 1, "inputs": ["input"]},
            {"name": "b", "type": "convolution", "filters": 2, "kernel": 1, "inputs": ["input"]},
            {"name": "add", "type": "eltwise", "inputs": ["a", "b"]}]}
JSON
check "an inserted input.split has the network's 8-bit data width" 0 out '"input.split"' \
    out '"data": 8' -- export "$R/w8.json"
if grep -q '"data": 16' "$OUT"; then
    echo "FAIL: the inserted input.split of $R/w8.json has data width 16"
    failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
