// `hass search --sparsity` (the HASS co-search) and `hass eval --stats`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <hass/hass.hpp>

#include "commands.hpp"

namespace hass::cli {

struct cosearch_cli_options {
    std::string sparsity;            ///< "synthetic" or a decomposed statistics file
    std::string accuracy;            ///< accuracy table file (optional with synthetic)
    double budget = 1.0;             ///< accuracy drop budget, points
    std::string method = "greedy";   ///< "greedy" or "tpe"
    std::string objective = "throughput";
    std::uint64_t seed = 1;
    bool no_offchip = false;
    std::string out;
    bool json = false;
    cost::model model = cost::model::hass;
};

/// The co-search on one partition; prints the report and writes --out files.
int run_cosearch(const cosearch_cli_options& o, const network& net, const board& b, const utilisation_cap& cap);

/// Sets the statistics of the network's layers from a product-histogram file
/// (one threshold point per layer).
void apply_stats_file(network& net, const std::string& path);

/// The per-layer sparse table and the dense/effective GOP/s of a design.
void print_sparse_eval(const network& net, const std::vector<folding>& f, const design_report& r);

} // namespace hass::cli
