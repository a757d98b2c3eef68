// Layers as literal values: the same struct describes a layer of a zoo network
// built in a constant expression and a layer read from a JSON file at run time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hass/core/math.hpp"
#include "hass/core/name.hpp"
#include "hass/layers/sparsity.hpp"
#include "hass/resources/memory.hpp"

namespace hass {

enum class layer_type {
    convolution,
    inner_product,
    pooling,
    global_pooling,
    relu,
    thresholded_relu,
    hardswish,
    hardsigmoid,
    sigmoid,
    relu6,
    eltwise,
    concat,
    split,
    squeeze,
};

inline constexpr std::array<layer_type, 14> all_layer_types{
    layer_type::convolution, layer_type::inner_product, layer_type::pooling,
    layer_type::global_pooling, layer_type::relu, layer_type::thresholded_relu,
    layer_type::hardswish, layer_type::hardsigmoid, layer_type::sigmoid,
    layer_type::relu6, layer_type::eltwise, layer_type::concat, layer_type::split, layer_type::squeeze};

constexpr std::string_view to_string(layer_type t) noexcept {
    switch (t) {
    case layer_type::convolution: return "convolution";
    case layer_type::inner_product: return "inner_product";
    case layer_type::pooling: return "pooling";
    case layer_type::global_pooling: return "global_pooling";
    case layer_type::relu: return "relu";
    case layer_type::thresholded_relu: return "thresholded_relu";
    case layer_type::hardswish: return "hardswish";
    case layer_type::hardsigmoid: return "hardsigmoid";
    case layer_type::sigmoid: return "sigmoid";
    case layer_type::relu6: return "relu6";
    case layer_type::eltwise: return "eltwise";
    case layer_type::concat: return "concat";
    case layer_type::split: return "split";
    case layer_type::squeeze: return "squeeze";
    }
    return "?";
}

enum class pool_op { max, avg };
enum class eltwise_op { add, mul };

constexpr std::string_view to_string(pool_op p) noexcept { return p == pool_op::max ? "max" : "avg"; }
constexpr std::string_view to_string(eltwise_op p) noexcept { return p == eltwise_op::add ? "add" : "mul"; }

/// A feature map: rows x cols x channels.
struct tensor_shape {
    count_t rows = 1;
    count_t cols = 1;
    count_t channels = 1;

    constexpr count_t size() const noexcept { return rows * cols * channels; }
    friend constexpr bool operator==(const tensor_shape&, const tensor_shape&) = default;
};

/// Bit widths of data, weights and accumulators (MODEL.md defaults 16/16/32).
/// `data` is a layer's input (and, for layers without weights, its only) data
/// width; `output` is what a convolution or inner product writes
/// (fpgaConvNet's input_t / output_t / weight_t / acc_t, or data_t).
struct widths {
    count_t data = 16;
    count_t weight = 16;
    count_t acc = 32;
    count_t output = 16;
    friend constexpr bool operator==(const widths&, const widths&) = default;
};

/// Network input index used in `layer::inputs`.
inline constexpr int network_input = -1;

struct layer {
    name_t name;
    layer_type type = layer_type::relu;
    tensor_shape in;        ///< input feature map (the first input for eltwise/concat)
    tensor_shape out;       ///< output feature map
    std::vector<int> inputs; ///< producer layer indices (network_input for the network input)

    // convolution and pooling geometry
    count_t kernel_rows = 1, kernel_cols = 1;
    count_t stride_rows = 1, stride_cols = 1;
    count_t pad_top = 0, pad_right = 0, pad_bottom = 0, pad_left = 0;
    count_t groups = 1;

    bool bias = false;       ///< the convolution / inner product has its own bias
    bool batchnorm = false;  ///< a BatchNorm follows and is folded into weights and bias
    pool_op pool = pool_op::max;
    eltwise_op op = eltwise_op::add;
    bool broadcast = false;  ///< eltwise: the second input is 1x1xC, broadcast over rows and cols
    double threshold = 0;    ///< thresholded ReLU: x <= threshold becomes 0
    count_t fan_out = 2;     ///< split: number of consumers
    widths width{};
    /// Block floating point: a shift-scale module per output stream and its scale memory.
    bool block_floating_point = false;

    /// Sparse statistics; empty means the layer is modelled dense.
    sparsity_stats sparsity{};

    // --- derived geometry -------------------------------------------------
    constexpr count_t kernel_size() const noexcept { return kernel_rows * kernel_cols; }
    constexpr count_t padded_rows() const noexcept { return in.rows + pad_top + pad_bottom; }
    constexpr count_t padded_cols() const noexcept { return in.cols + pad_left + pad_right; }
    constexpr bool has_padding() const noexcept {
        return pad_top + pad_right + pad_bottom + pad_left > 0;
    }
    /// A bias module is built for an own bias or a folded BatchNorm.
    constexpr bool hardware_bias() const noexcept { return bias || batchnorm; }
    constexpr bool is_depthwise() const noexcept {
        return type == layer_type::convolution && groups > 1 && groups == in.channels &&
               groups == out.channels;
    }
    /// Layers with weights: convolution and inner product.
    constexpr bool has_weights() const noexcept {
        return type == layer_type::convolution || type == layer_type::inner_product;
    }
    /// Channels seen by the weight-side of the layer (an inner product flattens its input).
    constexpr count_t channels_in() const noexcept {
        return type == layer_type::inner_product ? in.size() : in.channels;
    }
    constexpr count_t filters() const noexcept { return out.channels; }

    /// Number of weights (without bias).
    constexpr count_t weight_count() const noexcept {
        if (!has_weights()) return 0;
        return filters() * (channels_in() / groups) * kernel_size();
    }
    /// Parameters as torchvision counts them: weights, biases, BatchNorm scale and shift.
    constexpr count_t parameter_count() const noexcept {
        if (!has_weights()) return 0;
        return weight_count() + (bias ? filters() : 0) + (batchnorm ? 2 * filters() : 0);
    }
    /// Multiply-accumulates per image (convolution and inner product only).
    constexpr count_t macs() const noexcept {
        if (!has_weights()) return 0;
        return out.rows * out.cols * weight_count();
    }
    /// True when the layer is modelled as a sparse convolution.
    constexpr bool is_sparse() const noexcept {
        return type == layer_type::convolution && sparsity.worth_sparse();
    }
};

/// How a layer is parallelised (MODEL.md "Folding").
struct folding {
    count_t coarse_in = 1;    ///< input streams per group (conv, inner product), or `coarse`
    count_t coarse_out = 1;   ///< output streams per group (conv, inner product)
    count_t coarse_group = 1; ///< groups processed in parallel (conv)
    count_t fine = 1;         ///< multipliers per window (conv)
    weight_storage weights = weight_storage::bram;
    /// Build a convolution that has sparsity statistics as a dense one anyway
    /// (sparse hardware replicates modules per stream and splits the weights into
    /// narrow arrays; where a layer is not a bottleneck, dense can be cheaper).
    bool dense = false;
    /// Blocks of the weight memory (in the memory `weights` names) kept off chip
    /// and streamed while the layer runs (fpgaConvNet's stream_weights);
    /// cost::all_blocks (-1) streams all of them. `weights = off_chip` is the
    /// same as every block streamed with the buffer in BRAM.
    count_t stream_weights = 0;
    /// Input ports (bit i: the layer's i-th input) and output ports whose
    /// feature maps go through off-chip memory instead of an on-chip stream
    /// (fpgaConvNet's stream_inputs / stream_outputs).
    std::uint32_t streamed_inputs = 0, streamed_outputs = 0;

    friend constexpr bool operator==(const folding&, const folding&) = default;
};

/// True when the layer is built as a sparse convolution under this folding.
constexpr bool implemented_sparse(const layer& l, const folding& f) noexcept { return l.is_sparse() && !f.dense; }

/// Streams entering a layer under a folding.
constexpr count_t streams_in(const layer& l, const folding& f) noexcept {
    switch (l.type) {
    case layer_type::convolution: return f.coarse_in * f.coarse_group;
    case layer_type::inner_product: return f.coarse_in;
    default: return f.coarse_in;
    }
}

/// Streams leaving a layer under a folding.
constexpr count_t streams_out(const layer& l, const folding& f) noexcept {
    switch (l.type) {
    case layer_type::convolution: return f.coarse_out * f.coarse_group;
    case layer_type::inner_product:
    case layer_type::squeeze: return f.coarse_out;
    default: return f.coarse_in;
    }
}

} // namespace hass
