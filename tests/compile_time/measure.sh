#!/usr/bin/env bash
# Compile time of hass's headers: prints, for a few translation units that only
# include headers, the wall time of `CXX -std=c++20 -O0 -fsyntax-only -I include`
# and of a full `-c` (a report, never a failure: the times depend on the machine
# and its load). The goal (issue 12): hass.hpp with the zoo and the search in
# at most 5 s.
#
#   measure.sh CXX INCLUDE_DIR SCRATCH_DIR
#
# HASS_TIME_REPORT=1 adds GCC's -ftime-report of the zoo-and-search unit.
set -u

if [[ $# -ne 3 ]]; then
    echo "usage: $0 CXX INCLUDE_DIR SCRATCH_DIR" >&2
    exit 2
fi
CXX=$1
INC=$2
S=$3
mkdir -p "$S" || exit 2
export LC_ALL=C

unit() { # unit NAME HEADER...: a translation unit including the headers
    local name=$1
    shift
    : >"$S/$name.cpp"
    for h in "$@"; do echo "#include <$h>" >>"$S/$name.cpp"; done
    echo "int main() { return 0; }" >>"$S/$name.cpp"
}
unit core hass/hass.hpp
unit zoo_search hass/hass.hpp hass/zoo/zoo.hpp hass/search/search.hpp hass/search/partition.hpp
unit with_io_cosearch hass/hass.hpp hass/zoo/zoo.hpp hass/search/search.hpp hass/search/partition.hpp \
    hass/io/json.hpp hass/sparsity/cosearch.hpp hass/sparsity/json.hpp
unit hls_emit hass/hls/emit.hpp

seconds() { # seconds COMMAND...: runs it, prints "wall (cpu)" seconds
    local TIMEFORMAT='%R %U %S'
    { time "$@" >"$S/last.log" 2>&1; } 2>"$S/time.txt"
    local rc=$?
    if [[ $rc -ne 0 ]]; then
        echo "failed"
        head -20 "$S/last.log" >&2
        return 1
    fi
    awk '{ printf "%.2f s (cpu %.2f)", $1, $2 + $3 }' "$S/time.txt"
}

units=(core zoo_search with_io_cosearch hls_emit)
for name in "${units[@]}"; do
    echo "$name: $(grep -o '<[^>]*>' "$S/$name.cpp" | tr -d '<>' | paste -sd ' ')"
done
echo
printf "%-18s %22s %22s\n" "unit" "-fsyntax-only" "-c -O0"
status=0
for name in "${units[@]}"; do
    syntax=$(seconds "$CXX" -std=c++20 -O0 -fsyntax-only -I "$INC" "$S/$name.cpp") || status=1
    full=$(seconds "$CXX" -std=c++20 -O0 -c -I "$INC" "$S/$name.cpp" -o "$S/$name.o") || status=1
    printf "%-18s %22s %22s\n" "$name" "$syntax" "$full"
done
echo "(wall and CPU seconds; target: zoo_search at most 5 s; $(nproc 2>/dev/null || echo '?') cores," \
    "load average $(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?'))"
if [[ ${HASS_TIME_REPORT:-0} == 1 ]]; then
    "$CXX" -std=c++20 -O0 -fsyntax-only -ftime-report -I "$INC" "$S/zoo_search.cpp" 2>&1 |
        grep -E "phase|template instantiation|overload|TOTAL"
fi
exit $status
