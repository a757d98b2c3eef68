#!/usr/bin/env python3
"""Mutation testing of hass's model rules.

Each mutation is a small edit of one rule in include/ (a latency term, a
packing rule, a memory rule, a squeeze term, the composition of a partition, a
bound). For each, in a scratch copy of the source tree, the script applies the
edit, rebuilds the test binaries that cover it, runs them, and records whether
some test failed (caught) or every test still passed (survived). It prints a
Markdown table and exits 1 when any mutation survived.

    scripts/mutate.py                    every mutation
    scripts/mutate.py --list             list them
    scripts/mutate.py squeeze_ii dsp_quads   only these
    scripts/mutate.py --jobs 2 --scratch /tmp/hass-mutate

Each mutation names the unit-test files that cover its rule; the script
compiles those (with Catch2's main, -O0) against the mutated headers in the
scratch copy and runs them. A mutation caught only by a file not listed counts
as survived, so the table is conservative. About a minute per mutation on 2
cores. It is not part of the CI run.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# name, file, original text (must occur exactly once), replacement, covering tests/unit files, (unused)
MUTATIONS = [
    ("squeeze_ii", "include/hass/network/evaluate.hpp",
     "    for (const auto& nd : nodes) {\n        if (nd.latency > slowest",
     "    for (const auto& nd : nodes) {\n        if (nd.layer < 0) continue;\n        if (nd.latency > slowest",
     ["test_network.cpp"], "unit"),
    ("dsp_quads_to_7_bits", "include/hass/resources/memory.hpp",
     "if (a <= 4 && b <= 4) return ceil_div(n, 4);",
     "if (a <= 7 && b <= 7) return ceil_div(n, 4);",
     ["test_math_memory.cpp"], "unit"),
    ("dsp_quads_to_7_bits_layer", "include/hass/cost/hass_layer.hpp",
     "const double pi = (iw <= 4 && ww <= 4) ? 0.25",
     "const double pi = (iw <= 7 && ww <= 7) ? 0.25",
     ["test_layers.cpp"], "unit"),
    ("dsp_quads_to_7_bits_reference_conv", "include/hass/cost/reference_layer.hpp",
     "1/2 for 8-bit operands\n        const double pi = (iw <= 4 && ww <= 4)",
     "1/2 for 8-bit operands\n        const double pi = (iw <= 7 && ww <= 7)",
     ["test_layers.cpp", "test_cost_reference.cpp"], "unit"),
    ("dsp_quads_to_7_bits_reference_fc", "include/hass/cost/reference_layer.hpp",
     "co = f.coarse_out;\n        const double pi = (iw <= 4 && ww <= 4)",
     "co = f.coarse_out;\n        const double pi = (iw <= 7 && ww <= 7)",
     ["test_cost_reference.cpp"], "unit"),
    ("weight_depth_rounds_down", "include/hass/cost/hass_layer.hpp",
     "const count_t depth = ceil_div(l.filters() / (fc ? 1 : l.groups) * l.channels_in() * (fc ? 1 : l.kernel_size()), lanes);",
     "const count_t depth = l.filters() / (fc ? 1 : l.groups) * l.channels_in() * (fc ? 1 : l.kernel_size()) / lanes;",
     ["test_cost_reference.cpp", "test_layers.cpp"], "unit"),
    ("fifo_depth_32_free", "include/hass/resources/memory.hpp",
     "return depth * width <= 1024 || depth <= 32;",
     "return depth * width <= 1024 || depth <= 16;",
     ["test_math_memory.cpp", "test_modules.cpp"], "unit"),
    ("memory_lutram_boundary", "include/hass/resources/memory.hpp",
     "if (kind == buffer_kind::memory) return depth * width < 1024;",
     "if (kind == buffer_kind::memory) return depth * width <= 1024;",
     ["test_math_memory.cpp"], "unit"),
    ("bram_to_lut_256", "include/hass/network/evaluate.hpp",
     "const auto surplus = static_cast<count_t>((lut_budget - static_cast<double>(r.used.lut)) / 288.0);",
     "const auto surplus = static_cast<count_t>((lut_budget - static_cast<double>(r.used.lut)) / 256.0);",
     ["test_network.cpp", "test_fpgaconvnet_config.cpp"], "unit"),
    ("batch_without_depth", "include/hass/network/evaluate.hpp",
     "const double c = (static_cast<double>(ii) * static_cast<double>(b) + pipeline_depth) *",
     "const double c = (static_cast<double>(ii) * static_cast<double>(b)) *",
     ["test_network.cpp"], "unit"),
    ("reconfigure_p_minus_1_always", "include/hass/network/evaluate.hpp",
     "return reconfigure_first ? p : p - 1;",
     "return p - 1;",
     ["test_partition_search.cpp", "test_fpgaconvnet_config.cpp"], "unit"),
    ("squeeze_wide_side", "include/hass/modules/squeeze.hpp",
     "const count_t narrow = lanes_in < lanes_out ? lanes_in : lanes_out;",
     "const count_t narrow = lanes_in > lanes_out ? lanes_in : lanes_out;",
     ["test_network.cpp"], "unit"),
    ("bound_plain_relaxation", "include/hass/search/search.hpp",
     "        out.lower_bound = std::max(t[std::min(proven, t.size() - 1)].compute, cx.memory_ii);",
     "        out.lower_bound = std::max(t[std::min(lb.index, t.size() - 1)].compute, cx.memory_ii);",
     ["test_search.cpp"], "unit"),
    ("memory_ii_ignored", "include/hass/network/evaluate.hpp",
     "        r.ii = std::max(r.compute_ii, r.memory_ii);",
     "        r.ii = r.compute_ii;",
     ["test_network.cpp"], "unit"),
    ("skip_fifo_margin", "include/hass/network/evaluate.hpp",
     "lp.fifo_depths[port] = ceil_to_count(longest - best[k]) + extra + 64;",
     "lp.fifo_depths[port] = ceil_to_count(longest - best[k]) + extra;",
     ["test_network.cpp", "test_fpgaconvnet_config.cpp"], "unit"),
]


def run(cmd, cwd, log):
    with open(log, "a") as f:
        f.write("$ " + " ".join(cmd) + "\n")
        f.flush()
        return subprocess.run(cmd, cwd=cwd, stdout=f, stderr=subprocess.STDOUT).returncode


def compile_all(sources, src, objdir, jobs, log):
    """Compiles tests/unit sources of the scratch tree to objects, `jobs` at a time; True when all compile."""
    flags = ["g++", "-std=c++20", "-O0", "-I", os.path.join(src, "include"),
             f"-DHASS_TEST_REFERENCE_DIR=\"{os.path.join(src, 'tests', 'reference')}\""]
    procs, ok = [], True
    for name in sources:
        obj = os.path.join(objdir, name + ".o")
        cmd = flags + ["-c", os.path.join(src, "tests", "unit", name), "-o", obj]
        with open(log, "a") as f:
            f.write("$ " + " ".join(cmd) + "\n")
        procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(log, "a")))
        if len(procs) >= jobs:
            ok = procs.pop(0).wait() == 0 and ok
    for p in procs:
        ok = p.wait() == 0 and ok
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", help="mutations to run (default: all)")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--scratch", default="/tmp/hass-mutate")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    if args.list:
        for m in MUTATIONS:
            print(f"{m[0]:36} {m[1]:40} {' '.join(m[4])}")
        return 0
    unknown = set(args.names) - {m[0] for m in MUTATIONS}
    if unknown:
        print("unknown mutation(s): " + ", ".join(sorted(unknown)), file=sys.stderr)
        return 2
    chosen = [m for m in MUTATIONS if not args.names or m[0] in args.names]

    src = os.path.join(args.scratch, "src")
    objdir = os.path.join(args.scratch, "obj")
    log = os.path.join(args.scratch, "mutate.log")
    os.makedirs(objdir, exist_ok=True)
    if os.path.exists(src):
        shutil.rmtree(src)
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns("build", ".git", "hass-out"))
    for name, path, old, new, _, _ in chosen:
        text = open(os.path.join(src, path)).read()
        if text.count(old) != 1:
            print(f"{name}: the text to mutate occurs {text.count(old)} times in {path}", file=sys.stderr)
            return 2
    # Catch2's main once; then every covering file unmutated must compile and pass
    if not compile_all(["main.cpp"], src, objdir, 1, log):
        print(f"main.cpp does not compile, see {log}", file=sys.stderr)
        return 2
    baseline = sorted({t for m in chosen for t in m[4]})
    binary = os.path.join(objdir, "baseline")
    if (not compile_all(baseline, src, objdir, args.jobs, log) or
            run(["g++", "-o", binary, os.path.join(objdir, "main.cpp.o")] +
                [os.path.join(objdir, t + ".o") for t in baseline], src, log) != 0 or
            run([binary, "--order", "lex"], src, log) != 0):
        print(f"the unmutated tests do not pass, see {log}", file=sys.stderr)
        return 2
    print("unmutated: " + " ".join(baseline) + " pass", flush=True)
    rows = []
    for name, path, old, new, tests, _ in chosen:
        full = os.path.join(src, path)
        original = open(full).read()
        open(full, "w").write(original.replace(old, new))
        t0 = time.time()
        try:
            binary = os.path.join(objdir, "mutant")
            if not compile_all(tests, src, objdir, args.jobs, log):
                verdict = "caught (does not compile)"
            elif run(["g++", "-o", binary, os.path.join(objdir, "main.cpp.o")] +
                     [os.path.join(objdir, t + ".o") for t in tests], src, log) != 0:
                verdict = "caught (does not link)"
            else:
                verdict = "caught" if run([binary, "--order", "lex"], src, log) != 0 else "SURVIVED"
        finally:
            open(full, "w").write(original)
        rows.append((name, path, " ".join(tests), verdict, time.time() - t0))
        print(f"{name}: {verdict} ({time.time() - t0:.0f} s)", flush=True)

    print("\n| mutation | file | covering tests | result | seconds |\n|---|---|---|---|---:|")
    for name, path, tests, verdict, secs in rows:
        print(f"| {name} | {path} | {tests} | {verdict} | {secs:.0f} |")
    survived = [r for r in rows if r[3] == "SURVIVED"]
    print(f"\n{len(rows) - len(survived)} caught, {len(survived)} survived")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
