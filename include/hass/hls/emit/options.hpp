// The options of the HLS code generator and what it returns (hass/hls/emit.hpp),
// with the canonical weight set a design may embed: the public types of emit-hls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hass/core/math.hpp"

namespace hass::hls {

/// Canonical weights of one layer: `weights` in OIHW order (filter, channel of
/// the group, kernel row, kernel column; an inner product: [feature][input],
/// the input flattened in stream order (row, column, channel)), `bias` one per
/// filter (the layer's bias, or the folded BatchNorm shift).
struct layer_weights {
    std::vector<float> weights;
    std::vector<float> bias;
};

/// Weights of the layers that have them, by layer name.
using weight_set = std::map<std::string, layer_weights, std::less<>>;

/// The thresholds of a sparse design (HASS) for one layer: weights with
/// |w| < tau_w are pruned (the layer's pack_weights zeroes them), and, when
/// `activation` (the layer reads a ReLU's output) and tau_a > 0, activations
/// x <= tau_a are read as zero where the layer reads its input (its zero
/// detectors, or its dot products when built dense): a thresholded ReLU in
/// front of this layer alone.
struct layer_thresholds {
    double tau_w = 0;
    double tau_a = 0;
    bool activation = false;
};

struct emit_options {
    std::filesystem::path out_dir;         ///< created when missing
    std::string name_space = "hass_design"; ///< C++ namespace of the generated code
    std::string top_name;                  ///< top function; empty: <network>_top
    std::uint32_t seed = 1;                ///< test bench: random input (and weights)
    int data_integer_bits = 0;             ///< data_t integer bits; 0: width / 2
    int weight_integer_bits = 0;           ///< weight_t integer bits; 0: width / 4 (at least 1)
    double random_prune = 0.5;             ///< random weights of sparse layers: fraction set to zero
    double input_range = 2.0;              ///< random input uniform in [-range, range)
    std::optional<weight_set> weights;     ///< embedded in weights.hpp when given
    std::string origin;                    ///< where the design came from (file headers)
    /// Thresholds by layer name (convolutions and inner products; others keep none).
    std::map<std::string, layer_thresholds, std::less<>> thresholds;
    std::string thresholds_source;         ///< where they came from (comments, test bench output)
    /// The test bench fails when a sparse layer's cycles differ from the model
    /// on the test data's statistics by more than this fraction (plus 2 cycles).
    double sparse_tolerance = 0.02;
};

struct emitted_file {
    std::filesystem::path path; ///< relative to the output directory
    std::string text;
};

struct emit_result {
    std::vector<std::filesystem::path> files; ///< written (out_dir / relative path)
    std::vector<std::string> warnings;
    std::string top_name;
    std::string name_space;
    count_t compute_ii = 0;     ///< the model's II of the design (cycles per image)
    std::size_t squeezes = 0;   ///< squeezes inserted between layers
    std::vector<std::string> layer_ids; ///< per layer: its C++ name (layers::<id>, w_<id>, b_<id>)
};

} // namespace hass::hls
