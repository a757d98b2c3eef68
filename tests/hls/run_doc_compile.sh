#!/usr/bin/env bash
# The test bench built and run with exactly the commands docs/hls.md prints
# ("Building the test bench"): the fenced block of docs/hls.md that holds the
# `g++` line is read from the file and run line by line, with `<hass>` the
# hass source directory, `<out>` a scratch directory and `hass` the built tool,
# from the source directory. So the documentation and this test cannot drift.
#
#   run_doc_compile.sh HASS_BINARY SOURCE_DIR SCRATCH_DIR
#
# Fails when the block is missing, when it has no single `g++` line, when a
# command fails, or when the test bench does not print PASS.
set -u

if [[ $# -ne 3 ]]; then
    echo "usage: $0 HASS_BINARY SOURCE_DIR SCRATCH_DIR" >&2
    exit 2
fi
HASS=$1
SRC=$2
OUT=$3
DOC="$SRC/docs/hls.md"
export LC_ALL=C

# the first fenced block with a line starting `g++ `
block=$(awk '
    /^```/ {
        if (inside) { if (found) { printf "%s", text; exit } inside = 0; text = ""; next }
        inside = 1; next
    }
    inside { text = text $0 "\n"; if ($0 ~ /^g\+\+ /) found = 1 }
' "$DOC")
if [[ -z $block ]]; then
    echo "FAIL: $DOC has no fenced block with a g++ command line"
    exit 1
fi
compile_lines=$(grep -c '^g++ ' <<<"$block")
if [[ $compile_lines -ne 1 ]]; then
    echo "FAIL: the block of $DOC has $compile_lines g++ lines, expected one"
    exit 1
fi
# the include directories: the hass headers and the emitted directory, nothing else
read -ra words <<<"$(grep '^g++ ' <<<"$block")"
for ((i = 0; i < ${#words[@]}; ++i)); do
    case ${words[i]} in
    -I) dir=${words[i + 1]:-} ;;
    -I*) dir=${words[i]#-I} ;;
    *) continue ;;
    esac
    if [[ $dir != "<hass>/include" && $dir != "<out>" ]]; then
        echo "FAIL: the g++ line of $DOC adds -I $dir (only <hass>/include and <out> are expected)"
        exit 1
    fi
done

rm -rf "$OUT"
mkdir -p "$OUT" || exit 2
cd "$SRC" || exit 2
src_q=$(printf '%q' "$SRC")
out_q=$(printf '%q' "$OUT")
hass_q=$(printf '%q' "$HASS")
last_log=
n=0
while IFS= read -r line; do
    [[ -z $line || $line == \#* ]] && continue
    cmd=${line//<hass>/$src_q}
    cmd=${cmd//<out>/$out_q}
    [[ $cmd == "hass "* ]] && cmd="$hass_q ${cmd#hass }"
    n=$((n + 1))
    last_log="$OUT/step$n.log"
    echo "+ $line"
    start=$(date +%s)
    eval "$cmd" >"$last_log" 2>&1
    rc=$?
    echo "  (exit $rc, $(($(date +%s) - start)) s)"
    if [[ $rc -ne 0 ]]; then
        echo "FAIL: the command above failed; its output:"
        head -40 "$last_log" | sed 's/^/    /'
        exit 1
    fi
done <<<"$block"

if ! grep -qx PASS "$last_log"; then
    echo "FAIL: the last command of the block did not print PASS; its output:"
    head -40 "$last_log" | sed 's/^/    /'
    exit 1
fi
sed 's/^/    /' "$last_log" | tail -5
echo "PASS: docs/hls.md's commands emit, build and run the test bench"
