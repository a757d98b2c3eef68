// `hass search --sparsity` (the HASS co-search) and `hass eval --stats`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <hass/hass.hpp>
#include <hass/hls/emit.hpp>
#include <hass/sparsity/statistics.hpp>

#include "commands.hpp"

namespace hass::cli {

struct cosearch_cli_options {
    std::string sparsity;            ///< "synthetic" or a decomposed statistics file
    std::string accuracy;            ///< accuracy table file (optional with synthetic)
    std::string oracle_cmd;          ///< a command answering accuracy drops (and measurements) in JSON
    bool verify = false;             ///< measure the chosen design with oracle_cmd, feed back, search again
    int rounds = 4;                  ///< verify: co-searches at most
    bool oracle_batch = false;       ///< ask oracle_cmd for the drops of several candidates per request
    long random_baseline = 0;        ///< score this many random assignments after the search and compare
    double budget = 1.0;             ///< accuracy drop budget, points
    std::string method = "greedy";   ///< "greedy" or "tpe"
    std::string objective = "throughput";
    std::uint64_t seed = 1;
    bool no_offchip = false;
    /// "auto": over partitions when the dense network takes several (hass::sparsity::cosearch_partitioned);
    /// "none": one partition
    std::string partition = "auto";
    count_t batch = 256; ///< images per batch: the partitioned co-search's objective, the exact designs' depth tries
    std::string out;
    bool json = false;
    cost::model model = cost::model::hass;
    const hls::weight_set* weights = nullptr; ///< the model's weights (magnitudes for layers the file gives none)
};

/// The co-search (one partition, or over partitions: cosearch_cli_options::partition);
/// prints the report and writes --out files.
int run_cosearch(const cosearch_cli_options& o, const network& net, const board& b, const utilisation_cap& cap);

/// A decomposed statistics file checked against `net`; layers without weight
/// statistics get the magnitudes of `weights` (hass::error naming the layer without).
sparsity::decomposed_statistics load_statistics(const std::string& path, const network& net,
                                                const hls::weight_set* weights);

/// Sets the statistics of the network's convolutions from a statistics file:
/// decomposed statistics composed at the thresholds of `thresholds` (a
/// thresholds file; empty: the smallest thresholds), or product histograms,
/// the point of each layer that matches the thresholds (one point per layer
/// without a thresholds file).
void apply_stats_file(network& net, const std::string& path, const std::string& thresholds = {},
                      const hls::weight_set* weights = nullptr);

/// The per-layer sparse table and the dense/effective GOP/s of a design.
void print_sparse_eval(const network& net, const std::vector<folding>& f, const design_report& r);

} // namespace hass::cli
