#!/usr/bin/env python3
"""Mutation testing of hass's model rules.

Each mutation is a small, realistic edit of one rule in include/ (an
off-by-one, a wrong rounding, a dropped term, a swapped operand, a wrong
constant) in a module's latency, depth or resources under either cost model
(hass's, cost/hass_layer.hpp, and fpgaConvNet's, cost/reference_layer.hpp), a
memory rule, the search bounds, the composition of a partition (II, batch
cycles, pipeline depth, off-chip bandwidth, fit rule) or the sparsity
composition (thresholds to histograms, expected sparse latency). Each names
the rule it breaks; the table shows it. For each, in a scratch copy of the
source tree, the script applies the edit, rebuilds the test binaries that
cover it, runs them, and records whether some test failed (caught) or every
test still passed (survived). It prints a Markdown table and exits 1 when any
mutation survived (docs/testing.md keeps the last table).

    scripts/mutate.py                    every mutation
    scripts/mutate.py --list             list them with the rule each breaks
    scripts/mutate.py --check            only check that each text occurs once
    scripts/mutate.py squeeze_ii dsp_quads_to_7_bits   only these
    scripts/mutate.py --jobs 1 --scratch /tmp/hass-mutate

Each mutation names the unit-test files that cover its rule; the script
compiles those (with Catch2's main, -O0) against the mutated headers in the
scratch copy and runs them. A mutation caught only by a file not listed counts
as survived, so the table is conservative. 2 to 110 s per mutation with
--jobs 1 (the search tests are the slow ones); all of them take about 20
minutes. It is not part of the CI run.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# name, file, original text (must occur exactly once), replacement, covering tests/unit files, the rule it breaks
MUTATIONS = [
    ("squeeze_ii", "include/hass/network/evaluate.hpp",
     "    for (const auto& nd : nodes) {\n        if (nd.latency > slowest",
     "    for (const auto& nd : nodes) {\n        if (nd.layer < 0) continue;\n        if (nd.latency > slowest",
     ["test_network.cpp"], "partition: II composition (squeezes)"),
    ("dsp_quads_to_7_bits", "include/hass/resources/memory.hpp",
     "if (a <= 4 && b <= 4) return ceil_div(n, 4);",
     "if (a <= 7 && b <= 7) return ceil_div(n, 4);",
     ["test_math_memory.cpp"], "memory rule: DSP packing"),
    ("dsp_quads_to_7_bits_layer", "include/hass/cost/hass_layer.hpp",
     "const double pi = (iw <= 4 && ww <= 4) ? 0.25",
     "const double pi = (iw <= 7 && ww <= 7) ? 0.25",
     ["test_layers.cpp"], "vector dot resource (hass)"),
    ("dsp_quads_to_7_bits_reference_conv", "include/hass/cost/reference_layer.hpp",
     "1/2 for 8-bit operands\n        const double pi = (iw <= 4 && ww <= 4)",
     "1/2 for 8-bit operands\n        const double pi = (iw <= 7 && ww <= 7)",
     ["test_layers.cpp", "test_cost_reference.cpp"], "vector dot resource (fpgaconvnet)"),
    ("dsp_quads_to_7_bits_reference_fc", "include/hass/cost/reference_layer.hpp",
     "co = f.coarse_out;\n        const double pi = (iw <= 4 && ww <= 4)",
     "co = f.coarse_out;\n        const double pi = (iw <= 7 && ww <= 7)",
     ["test_cost_reference.cpp"], "inner product resource (fpgaconvnet)"),
    ("weight_depth_rounds_down", "include/hass/cost/hass_layer.hpp",
     "const count_t depth = ceil_div(l.filters() / (fc ? 1 : l.groups) * l.channels_in() * (fc ? 1 : l.kernel_size()), lanes);",
     "const count_t depth = l.filters() / (fc ? 1 : l.groups) * l.channels_in() * (fc ? 1 : l.kernel_size()) / lanes;",
     ["test_cost_reference.cpp", "test_layers.cpp"], "weight memory (hass)"),
    ("fifo_depth_32_free", "include/hass/resources/memory.hpp",
     "return depth * width <= 1024 || depth <= 32;",
     "return depth * width <= 1024 || depth <= 16;",
     ["test_math_memory.cpp", "test_modules.cpp"], "memory rule: FIFO"),
    ("memory_lutram_boundary", "include/hass/resources/memory.hpp",
     "if (kind == buffer_kind::memory) return depth * width < 1024;",
     "if (kind == buffer_kind::memory) return depth * width <= 1024;",
     ["test_math_memory.cpp"], "memory rule: memory"),
    ("bram_to_lut_256", "include/hass/network/evaluate.hpp",
     "const auto surplus = static_cast<count_t>((lut_budget - static_cast<double>(r.used.lut)) / 288.0);",
     "const auto surplus = static_cast<count_t>((lut_budget - static_cast<double>(r.used.lut)) / 256.0);",
     ["test_network.cpp", "test_fpgaconvnet_config.cpp"], "partition: fit rule"),
    ("batch_without_depth", "include/hass/network/evaluate.hpp",
     "const double c = (static_cast<double>(ii) * static_cast<double>(b) + pipeline_depth) *",
     "const double c = (static_cast<double>(ii) * static_cast<double>(b)) *",
     ["test_network.cpp"], "partition: batch cycles"),
    ("reconfigure_p_minus_1_always", "include/hass/network/evaluate.hpp",
     "return reconfigure_first ? p : p - 1;",
     "return p - 1;",
     ["test_partition_search.cpp", "test_fpgaconvnet_config.cpp"], "partition: reconfigurations"),
    ("squeeze_wide_side", "include/hass/modules/squeeze.hpp",
     "const count_t narrow = lanes_in < lanes_out ? lanes_in : lanes_out;",
     "const count_t narrow = lanes_in > lanes_out ? lanes_in : lanes_out;",
     ["test_network.cpp"], "squeeze latency"),
    ("bound_plain_relaxation", "include/hass/search/run_optimal.hpp",
     "        out.lower_bound = std::max(t[std::min(proven, t.size() - 1)].compute, cx.memory_ii);",
     "        out.lower_bound = std::max(t[std::min(lb.index, t.size() - 1)].compute, cx.memory_ii);",
     ["test_search.cpp"], "search bound (proven II)"),
    ("memory_ii_ignored", "include/hass/network/evaluate.hpp",
     "        r.ii = std::max(r.compute_ii, r.memory_ii);",
     "        r.ii = r.compute_ii;",
     ["test_network.cpp"], "partition: off-chip bandwidth"),
    ("skip_fifo_margin", "include/hass/network/evaluate.hpp",
     "lp.fifo_depths[port] = ceil_to_count(longest - best[k]) + extra + 64;",
     "lp.fifo_depths[port] = ceil_to_count(longest - best[k]) + extra;",
     ["test_network.cpp", "test_fpgaconvnet_config.cpp"], "partition: skip FIFOs"),
    # ---- modules under hass's model (latency, depth, resources) ----
    ("sw_latency_output_size", "include/hass/modules/sliding_window.hpp",
     "return static_cast<double>(rows * cols * channels_per_stream());",
     "return static_cast<double>(rows_out() * cols_out() * channels_per_stream());",
     ["test_modules.cpp", "test_layers.cpp", "test_cost_reference.cpp"], "sliding window latency"),
    ("sw_depth_kc_off_by_one", "include/hass/modules/sliding_window.hpp",
     "return ((kernel_rows - 1) * cols + (kernel_cols - 1)) * channels_per_stream() + 1;",
     "return ((kernel_rows - 1) * cols + kernel_cols) * channels_per_stream() + 1;",
     ["test_modules.cpp", "test_layers.cpp", "test_network.cpp"], "sliding window depth"),
    ("sw_line_buffer_kr_rows", "include/hass/cost/modules.hpp",
     "const count_t Dl = ch * cols, Wl = (kr - 1) * Sd;",
     "const count_t Dl = ch * cols, Wl = kr * Sd;",
     ["test_modules.cpp", "test_cost_reference.cpp"], "sliding window resource"),
    ("fork_sparse_carries_fine", "include/hass/layers/hardware.hpp",
     "sparse ? K : fine, co, lanes, w}, reps);",
     "fine, co, lanes, w}, reps);",
     ["test_sparse.cpp", "test_layer_hardware.cpp", "test_layers.cpp"], "fork resource (hass)"),
    ("fork_depth_zero", "include/hass/modules/fork.hpp",
     "constexpr count_t pipeline_depth() const noexcept { return 1; }",
     "constexpr count_t pipeline_depth() const noexcept { return 0; }",
     ["test_modules.cpp", "test_layers.cpp", "test_network.cpp"], "fork depth"),
    ("split_latency_ignores_coarse", "include/hass/layers/hardware.hpp",
     "visit(modules::fork{l.in.size() / f.coarse_in, 1, l.fan_out, f.coarse_in, w}, 1);",
     "visit(modules::fork{l.in.size(), 1, l.fan_out, f.coarse_in, w}, 1);",
     ["test_layers.cpp", "test_network.cpp"], "fork latency (split)"),
    ("vector_dot_dsp_drops_fine", "include/hass/cost/modules.hpp",
     "m.dsp = static_cast<double>(S * f * dspmul(d, w));",
     "m.dsp = static_cast<double>(S * dspmul(d, w));",
     ["test_modules.cpp", "test_layers.cpp", "test_cost_reference.cpp"], "vector dot resource"),
    ("vector_dot_depth_off_by_one", "include/hass/modules/vector_dot.hpp",
     "return multiplier_latency + bits(fine) + 1;",
     "return multiplier_latency + bits(fine);",
     ["test_modules.cpp", "test_layers.cpp", "test_network.cpp"], "vector dot depth"),
    ("dot_filters_ignore_groups", "include/hass/layers/hardware.hpp",
     "const count_t filters = F / (co * G);",
     "const count_t filters = F / co;",
     ["test_layers.cpp", "test_layer_hardware.cpp", "test_network.cpp"], "vector dot latency"),
    ("sparse_dot_depth_off_by_one", "include/hass/modules/sparse_vector_dot.hpp",
     "return multiplier_latency + bits(fine) + bits(kernel) + 2;",
     "return multiplier_latency + bits(fine) + bits(kernel) + 1;",
     ["test_modules.cpp", "test_sparse.cpp"], "sparse vector dot depth"),
    ("sparse_dot_dsp_drops_fine", "include/hass/cost/modules.hpp",
     "m.dsp = static_cast<double>(f * dspmul(d, w));",
     "m.dsp = static_cast<double>(dspmul(d, w));",
     ["test_modules.cpp", "test_sparse.cpp", "test_cost_reference.cpp"], "sparse vector dot resource"),
    ("sparse_accum_full_rate", "include/hass/layers/hardware.hpp",
     "sparse_rate = std::min(1.0, dot.cycles_per_window);",
     "sparse_rate = 1.0;",
     ["test_sparse.cpp", "test_layer_hardware.cpp"], "accumulator latency (sparse)"),
    ("accum_depth_off_by_one", "include/hass/modules/accumulator.hpp",
     "return (channels - 1) * filters + 1;",
     "return (channels - 1) * filters;",
     ["test_modules.cpp", "test_layers.cpp", "test_network.cpp"], "accumulator depth"),
    ("accum_only_for_channels", "include/hass/layers/hardware.hpp",
     "if ((C / S) * (sparse ? 1 : K / fine) > 1)",
     "if ((C / S) > 1)",
     ["test_layers.cpp", "test_layer_hardware.cpp"], "accumulator resource (hass)"),
    ("glue_sparse_once", "include/hass/layers/hardware.hpp",
     "if (ci > 1) visit(modules::glue{words_out, ci, sparse ? 1 : co * cg, aw}, sparse ? co * cg : 1);",
     "if (ci > 1) visit(modules::glue{words_out, ci, sparse ? 1 : co * cg, aw}, 1);",
     ["test_sparse.cpp", "test_layer_hardware.cpp", "test_layers.cpp"], "glue resource (hass)"),
    ("glue_depth_off_by_one", "include/hass/modules/glue.hpp",
     "return bits(coarse_in) + 1;",
     "return bits(coarse_in);",
     ["test_modules.cpp", "test_layers.cpp", "test_network.cpp"], "glue depth"),
    ("squeeze_depth_lanes_in", "include/hass/modules/squeeze.hpp",
     "return buffer_words() / lanes_out + 1;",
     "return buffer_words() / lanes_in + 1;",
     ["test_modules.cpp", "test_network.cpp"], "squeeze depth"),
    ("squeeze_buffer_depth_out", "include/hass/cost/modules.hpp",
     "const count_t q = B / i + 1;",
     "const count_t q = B / o + 1;",
     ["test_modules.cpp", "test_cost_reference.cpp"], "squeeze resource"),
    ("pad_latency_unpadded", "include/hass/modules/pad.hpp",
     "return static_cast<double>(rows_out() * cols_out() * channels / streams);",
     "return static_cast<double>(rows * cols * channels / streams);",
     ["test_modules.cpp", "test_layers.cpp"], "pad latency"),
    ("pad_without_padding", "include/hass/layers/hardware.hpp",
     "if (!fc && l.has_padding())",
     "if (!fc)",
     ["test_layers.cpp", "test_layer_hardware.cpp"], "pad resource (hass)"),
    ("bias_table_data_width", "include/hass/modules/bias.hpp",
     "streams * acc_width, buffer_kind::memory",
     "streams * data_width, buffer_kind::memory",
     ["test_modules.cpp", "test_layer_hardware.cpp", "test_layers.cpp"], "bias resource"),
    ("pool_depth_off_by_one", "include/hass/modules/pool.hpp",
     "return bits(kernel) + 1;",
     "return bits(kernel);",
     ["test_modules.cpp", "test_layers.cpp"], "pool depth"),
    ("global_pool_reads_channels_only", "include/hass/modules/global_pool.hpp",
     "return static_cast<double>(rows * cols * channels / streams);",
     "return static_cast<double>(channels / streams);",
     ["test_modules.cpp", "test_layers.cpp"], "global pool latency (hass)"),
    ("eltwise_dsp_one_lane", "include/hass/modules/eltwise.hpp",
     "        m.dsp *= static_cast<double>(streams);\n",
     "",
     ["test_modules.cpp", "test_layers.cpp"], "eltwise resource"),
    ("concat_latency_first_input", "include/hass/layers/hardware.hpp",
     "visit(modules::concat{l.out.size() / f.coarse_in,",
     "visit(modules::concat{l.in.size() / f.coarse_in,",
     ["test_layers.cpp", "test_network.cpp"], "concat latency"),
    ("hardswish_dsp_one_lane", "include/hass/modules/activation.hpp",
     "        m.dsp *= static_cast<double>(streams);\n",
     "",
     ["test_modules.cpp", "test_layers.cpp"], "activation resource"),
    ("activation_latency_ignores_coarse", "include/hass/layers/hardware.hpp",
     "visit(modules::activation{l.in.size() / f.coarse_in,",
     "visit(modules::activation{l.in.size(),",
     ["test_layers.cpp", "test_network.cpp"], "activation latency"),
    # ---- fpgaConvNet's model (cost/reference_layer.hpp) ----
    ("ref_dense_latency_unpadded", "include/hass/cost/reference_layer.hpp",
     "out.latency = std::max(Hp * Wp * C / S_in, Ho * Wo * Cv * Fv);",
     "out.latency = std::max(H * W * C / S_in, Ho * Wo * Cv * Fv);",
     ["test_cost_reference.cpp", "test_fpgaconvnet_config.cpp"], "convolution latency (fpgaconvnet)"),
    ("ref_sparse_rows_times_cols", "include/hass/cost/reference_layer.hpp",
     "const double data_in = static_cast<double>(H * H * C) / static_cast<double>(S_in);",
     "const double data_in = static_cast<double>(H * W * C) / static_cast<double>(S_in);",
     ["test_cost_reference.cpp", "test_sparse.cpp"], "sparse latency (fpgaconvnet)"),
    ("ref_sparse_keeps_squeeze", "include/hass/cost/reference_layer.hpp",
     "            out.lut -= sq.lut;\n",
     "",
     ["test_cost_reference.cpp"], "sparse resource (fpgaconvnet)"),
    ("ref_fc_latency_n_over_ci", "include/hass/cost/reference_layer.hpp",
     "out.latency = std::max(N, (N / ci) * (F / co));",
     "out.latency = std::max(N / ci, (N / ci) * (F / co));",
     ["test_cost_reference.cpp", "test_layers.cpp"], "inner product latency (fpgaconvnet)"),
    ("ref_depth_without_glue", "include/hass/cost/reference_layer.hpp",
     "out.pipeline_depth = sw_depth + dot_depth + acc_ch * Fv + ci;",
     "out.pipeline_depth = sw_depth + dot_depth + acc_ch * Fv;",
     ["test_cost_reference.cpp", "test_fpgaconvnet_config.cpp"], "convolution depth (fpgaconvnet)"),
    ("ref_interleave_without_snake", "include/hass/cost/reference_layer.hpp",
     "const count_t pos = r % 2 == 0 ? k : S - 1 - k;",
     "const count_t pos = k;",
     ["test_cost_reference.cpp", "test_sparse.cpp"], "sparse latency (fpgaconvnet)"),
    ("ref_pointwise_cap_all_streams", "include/hass/cost/reference_layer.hpp",
     "const double cap = 1.0 - 1.0 / static_cast<double>(per_cluster);",
     "const double cap = 1.0 - 1.0 / static_cast<double>(S_in);",
     ["test_cost_reference.cpp", "test_sparse.cpp"], "pointwise latency (fpgaconvnet)"),
    ("ref_sparse_bias_once", "include/hass/cost/reference_layer.hpp",
     ": bram18_blocks(ceil_div(F, S_out), aw, buffer_kind::memory) * S_out;",
     ": bram18_blocks(ceil_div(F, S_out), aw, buffer_kind::memory);",
     ["test_cost_reference.cpp"], "bias resource (fpgaconvnet)"),
    ("ref_pool_latency_unpadded", "include/hass/cost/reference_layer.hpp",
     "out.latency = Hp * Wp * C / c;",
     "out.latency = H * W * C / c;",
     ["test_cost_reference.cpp", "test_layers.cpp"], "pool latency (fpgaconvnet)"),
    ("ref_global_pool_reads_all", "include/hass/cost/reference_layer.hpp",
     "out.latency = l.in.channels / c;",
     "out.latency = l.in.rows * l.in.cols * l.in.channels / c;",
     ["test_cost_reference.cpp", "test_layers.cpp"], "global pool latency (fpgaconvnet)"),
    ("ref_stream_bits_num_once", "include/hass/cost/weights.hpp",
     "static_cast<double>(p.arrays * p.width);",
     "static_cast<double>(p.width);",
     ["test_cost_reference.cpp", "test_partition_search.cpp"], "weight streaming bandwidth (fpgaconvnet)"),
    # ---- memories and weights ----
    ("uram_small_array_free", "include/hass/resources/memory.hpp",
     "if (depth <= 0 || width <= 0) return 0;\n    return detail::tile_blocks(detail::uram_aspects",
     "if (fits_in_lutram(depth, width)) return 0;\n    return detail::tile_blocks(detail::uram_aspects",
     ["test_math_memory.cpp", "test_cost_reference.cpp", "test_layers.cpp"], "memory rule: URAM"),
    ("stream_buffer_one_array", "include/hass/cost/weights.hpp",
     "if (s > 0) p.buffer = detail::memory_blocks(p.row_depth, width, uram) * arrays;",
     "if (s > 0) p.buffer = detail::memory_blocks(p.row_depth, width, uram);",
     ["test_cost_reference.cpp", "test_partition_search.cpp", "test_sparse.cpp"], "weight streaming memory"),
    ("weight_stream_once_per_image", "include/hass/cost/hass_layer.hpp",
     "const double positions = l.type == layer_type::inner_product ? 1.0 : static_cast<double>(l.out.rows * l.out.cols);",
     "const double positions = 1.0;",
     ["test_partition_search.cpp", "test_network.cpp", "test_cost_reference.cpp"], "weight streaming bandwidth (hass)"),
    # ---- partition composition ----
    ("depth_sums_branches", "include/hass/network/evaluate.hpp",
     "for (int p : nodes[v].preds) start = std::max(start, reach[static_cast<std::size_t>(p)]);",
     "for (int p : nodes[v].preds) start += reach[static_cast<std::size_t>(p)];",
     ["test_network.cpp"], "partition: pipeline depth"),
    ("streamed_input_one_row", "include/hass/network/evaluate.hpp",
     "r.bits_in += static_cast<double>(net.shape_of(l.inputs[p]).size()) * rows * static_cast<double>(l.width.data);",
     "r.bits_in += static_cast<double>(net.shape_of(l.inputs[p]).size()) * static_cast<double>(l.width.data);",
     ["test_network.cpp", "test_partition_search.cpp"], "partition: off-chip bandwidth"),
    ("memory_ii_rounds_down", "include/hass/network/evaluate.hpp",
     "r.memory_ii = bits_per_cycle > 0 ? ceil_to_count(r.offchip_bits / bits_per_cycle) : 0;",
     "r.memory_ii = bits_per_cycle > 0 ? static_cast<count_t>(r.offchip_bits / bits_per_cycle) : 0;",
     ["test_network.cpp", "test_partition_search.cpp"], "partition: off-chip bandwidth"),
    ("ram_cap_uses_lut_cap", "include/hass/boards/board.hpp",
     "scale(budget.bram18, cap.ram)",
     "scale(budget.bram18, cap.lut)",
     ["test_boards.cpp", "test_network.cpp"], "partition: fit rule"),
    ("bram_to_lut_moves_whole_shortage", "include/hass/network/evaluate.hpp",
     "r.bram_to_lut_blocks = std::min(shortage, surplus);",
     "r.bram_to_lut_blocks = shortage;",
     ["test_network.cpp", "test_fpgaconvnet_config.cpp"], "partition: fit rule"),
    # ---- search bounds ----
    ("range_bound_without_activations", "include/hass/search/partition.hpp",
     "return std::max(compute, mem); // the activation traffic is all the memory",
     "return compute; // the activation traffic is all the memory",
     ["test_partition_search.cpp"], "search bound (partition ranges)"),
    ("coupled_bound_next_latency", "include/hass/search/run_optimal.hpp",
     "count_t bound = lo > 0 ? t[lo - 1].compute + 1 : 1;",
     "count_t bound = t[lo].compute;",
     ["test_partition_search.cpp", "test_search.cpp"], "search bound (off-chip weights)"),
    ("search_budget_without_lutram", "include/hass/search/search_graph.hpp",
     "u.v[3] = budget.bram18 + budget.lut / 288;",
     "u.v[3] = budget.bram18;",
     ["test_search.cpp", "test_partition_search.cpp"], "search bound (fit rule)"),
    # ---- sparsity composition (sparsity/statistics.hpp) ----
    ("compose_counts_nonzeros", "include/hass/sparsity/statistics/hypergeometric.hpp",
     "for (count_t m = lo; m <= hi; ++m) out[K - m] += w * row[m];",
     "for (count_t m = lo; m <= hi; ++m) out[m] += w * row[m];",
     ["test_sparsity_stats.cpp"], "sparsity: threshold-to-histogram"),
    ("hypergeometric_wrong_denominator", "include/hass/sparsity/statistics/hypergeometric.hpp",
     "return choose(a, m) * choose(K - a, b - m) / choose(K, b);",
     "return choose(a, m) * choose(K - a, b - m) / choose(K, a);",
     ["test_sparsity_stats.cpp"], "sparsity: threshold-to-histogram"),
    ("interpolation_swapped", "include/hass/sparsity/statistics/predictor.hpp",
     "return v0 + p.t * (v1 - v0);",
     "return v0 + p.t * (v0 - v1);",
     ["test_sparsity_stats.cpp"], "sparsity: threshold-to-histogram"),
    ("raw_weights_pruned_at_tau", "include/hass/sparsity/statistics/predictor.hpp",
     "std::lower_bound(first, first + Fg, tau)",
     "std::upper_bound(first, first + Fg, tau)",
     ["test_sparsity_stats.cpp", "test_real_networks.cpp"], "sparsity: threshold-to-histogram"),
    ("mean_zeros_per_channel", "include/hass/sparsity/statistics/predictor.hpp",
     "out.mean_zeros = zeros / static_cast<double>(l.C * l.K);",
     "out.mean_zeros = zeros / static_cast<double>(l.C);",
     ["test_sparsity_stats.cpp", "test_cosearch.cpp"], "sparsity: threshold-to-histogram"),
    # ---- expected sparse latency (layers/sparsity.hpp) ----
    ("window_cycles_round_down", "include/hass/layers/sparsity.hpp",
     "return ceil_div(k - z, fine);",
     "return (k - z) / fine;",
     ["test_sparse.cpp"], "sparsity: expected sparse latency"),
    ("opt_interleave_without_snake", "include/hass/layers/sparsity.hpp",
     "sum += m[row * streams + ((row % 2 == 0) ? s : streams - 1 - s)];",
     "sum += m[row * streams + s];",
     ["test_sparse.cpp"], "sparsity: expected sparse latency"),
    ("cluster_cap_one_stream", "include/hass/layers/sparsity.hpp",
     "const double cap = 1.0 - static_cast<double>(clusters) / static_cast<double>(streams);",
     "const double cap = 1.0 - 1.0 / static_cast<double>(streams);",
     ["test_sparse.cpp"], "sparsity: expected sparse latency"),
    ("dense_below_strict", "include/hass/layers/sparsity.hpp",
     "mean_zeros >= dense_below",
     "mean_zeros > dense_below",
     ["test_sparse.cpp", "test_layer_hardware.cpp"], "sparsity: dense fallback"),
    ("lanes_in_blocks", "include/hass/layers/sparsity.hpp",
     "lane[static_cast<std::size_t>(j % coarse_out)] += m;",
     "lane[static_cast<std::size_t>(j / (Fg / coarse_out))] += m;",
     ["test_sparse_lanes.cpp"], "sparsity: expected sparse latency"),
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
    ap.add_argument("--check", action="store_true",
                    help="only check that every mutation's text occurs exactly once (no build)")
    ap.add_argument("--scratch", default="/tmp/hass-mutate")
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args()
    if args.list:
        for m in MUTATIONS:
            print(f"{m[0]:36} {m[5]:42} {m[1]:40} {' '.join(m[4])}")
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
    if args.check:
        print(f"{len(chosen)} mutations, each text found exactly once")
        return 0
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
    for name, path, old, new, tests, rule in chosen:
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
        rows.append((name, rule, path, " ".join(tests), verdict, time.time() - t0))
        print(f"{name}: {verdict} ({time.time() - t0:.0f} s)", flush=True)

    print("\n| mutation | rule | file | covering tests | result | seconds |\n|---|---|---|---|---|---:|")
    for name, rule, path, tests, verdict, secs in rows:
        print(f"| {name} | {rule} | {path} | {tests} | {verdict} | {secs:.0f} |")
    survived = [r for r in rows if r[4] == "SURVIVED"]
    print(f"\n{len(rows) - len(survived)} caught, {len(survived)} survived")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
