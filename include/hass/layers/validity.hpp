// Validity rules of layers and foldings as named constexpr predicates
// (MODEL.md "Notation"). Each `*_problem` function returns an empty string when
// the rule holds and otherwise a sentence naming the layer and the rule; the
// `is_*` predicates are the boolean forms used in static_assert.
#pragma once

#include <string>

#include "hass/core/text.hpp"
#include "hass/layers/layer.hpp"

namespace hass {

/// Fine factors allowed for a layer: divisors of K when built dense, 1..K when
/// built sparse (a layer with statistics, unless the folding asks for dense).
constexpr bool is_valid_fine(const layer& l, count_t fine, bool force_dense = false) noexcept {
    if (l.type != layer_type::convolution) return fine == 1;
    if (fine < 1 || fine > l.kernel_size()) return false;
    return l.is_sparse() && !force_dense ? true : divides(fine, l.kernel_size());
}

/// Why a folding is infeasible for a layer, or an empty string when it is valid.
constexpr std::string folding_problem(const layer& l, const folding& f) {
    using detail::cat;
    const std::string_view n = l.name;
    if (f.coarse_in < 1 || f.coarse_out < 1 || f.coarse_group < 1 || f.fine < 1)
        return cat("layer '", n, "': folding factors must be >= 1");
    if (f.dense && l.type != layer_type::convolution)
        return cat("layer '", n, "': only a convolution can be asked to build dense");
    switch (l.type) {
    case layer_type::convolution: {
        const count_t G = l.groups, C = l.in.channels, F = l.out.channels, K = l.kernel_size();
        if (!divides(f.coarse_group, G))
            return cat("layer '", n, "': coarse_group ", f.coarse_group, " does not divide groups ", G);
        if (!divides(f.coarse_in, C / G))
            return cat("layer '", n, "': coarse_in ", f.coarse_in,
                       " does not divide the input channels per group ", C / G);
        if (!divides(f.coarse_out, F / G))
            return cat("layer '", n, "': coarse_out ", f.coarse_out,
                       " does not divide the filters per group ", F / G);
        if (!is_valid_fine(l, f.fine, f.dense)) {
            if (implemented_sparse(l, f)) return cat("layer '", n, "': fine ", f.fine, " is outside 1..K = 1..", K);
            return cat("layer '", n, "': fine ", f.fine, " does not divide the kernel size K = ", K);
        }
        if (implemented_sparse(l, f) && K == 1 && !divides(l.sparsity.clusters, f.coarse_in * f.coarse_group))
            return cat("layer '", n, "': sparsity clusters ", l.sparsity.clusters,
                       " must divide the streams coarse_in*coarse_group = ", f.coarse_in * f.coarse_group);
        return {};
    }
    case layer_type::inner_product:
        if (!divides(f.coarse_in, l.channels_in()))
            return cat("layer '", n, "': coarse_in ", f.coarse_in,
                       " does not divide the flattened input size ", l.channels_in());
        if (!divides(f.coarse_out, l.filters()))
            return cat("layer '", n, "': coarse_out ", f.coarse_out,
                       " does not divide the output features ", l.filters());
        if (f.coarse_group != 1 || f.fine != 1)
            return cat("layer '", n, "': an inner product takes coarse_group = 1 and fine = 1");
        return {};
    case layer_type::squeeze:
        if (f.coarse_group != 1 || f.fine != 1)
            return cat("layer '", n, "': a squeeze layer takes coarse_group = 1 and fine = 1");
        if (!divides(f.coarse_in, l.in.channels) || !divides(f.coarse_out, l.in.channels))
            return cat("layer '", n, "': squeeze coarse_in ", f.coarse_in, " and coarse_out ", f.coarse_out,
                       " must divide the channels ", l.in.channels);
        return {};
    default:
        if (f.coarse_out != f.coarse_in)
            return cat("layer '", n, "': a ", to_string(l.type),
                       " layer has one coarse factor; coarse_out ", f.coarse_out,
                       " must equal coarse_in ", f.coarse_in);
        if (f.coarse_group != 1 || f.fine != 1)
            return cat("layer '", n, "': a ", to_string(l.type),
                       " layer takes coarse_group = 1 and fine = 1");
        if (!divides(f.coarse_in, l.in.channels))
            return cat("layer '", n, "': coarse ", f.coarse_in, " does not divide the channels ",
                       l.in.channels);
        if (l.type == layer_type::concat || l.type == layer_type::split ||
            l.type == layer_type::eltwise)
            if (!divides(f.coarse_in, l.out.channels))
                return cat("layer '", n, "': coarse ", f.coarse_in,
                           " does not divide the output channels ", l.out.channels);
        return {};
    }
}

/// True when every factor of the folding divides as MODEL.md requires.
constexpr bool is_valid_folding(const layer& l, const folding& f) { return folding_problem(l, f).empty(); }

/// Why a layer's geometry is inconsistent, or an empty string.
constexpr std::string layer_problem(const layer& l) {
    using detail::cat;
    const std::string_view n = l.name;
    if (l.in.rows < 1 || l.in.cols < 1 || l.in.channels < 1 || l.out.rows < 1 || l.out.cols < 1 ||
        l.out.channels < 1)
        return cat("layer '", n, "': every dimension must be >= 1");
    if (l.width.data < 1 || l.width.weight < 1 || l.width.acc < 1)
        return cat("layer '", n, "': bit widths must be >= 1");
    switch (l.type) {
    case layer_type::convolution:
    case layer_type::pooling: {
        if (l.kernel_rows < 1 || l.kernel_cols < 1 || l.stride_rows < 1 || l.stride_cols < 1)
            return cat("layer '", n, "': kernel and stride must be >= 1");
        if (l.pad_top < 0 || l.pad_right < 0 || l.pad_bottom < 0 || l.pad_left < 0)
            return cat("layer '", n, "': padding must be >= 0");
        if (l.kernel_rows > l.padded_rows() || l.kernel_cols > l.padded_cols())
            return cat("layer '", n, "': kernel ", l.kernel_rows, "x", l.kernel_cols,
                       " is larger than the padded input ", l.padded_rows(), "x", l.padded_cols());
        const count_t ho = (l.padded_rows() - l.kernel_rows) / l.stride_rows + 1;
        const count_t wo = (l.padded_cols() - l.kernel_cols) / l.stride_cols + 1;
        if (ho != l.out.rows || wo != l.out.cols)
            return cat("layer '", n, "': output ", l.out.rows, "x", l.out.cols,
                       " does not match the kernel, stride and padding (expected ", ho, "x", wo, ")");
        if (l.type == layer_type::pooling) {
            if (l.out.channels != l.in.channels)
                return cat("layer '", n, "': pooling keeps the channel count");
            return {};
        }
        if (l.groups < 1 || l.in.channels % l.groups != 0 || l.out.channels % l.groups != 0)
            return cat("layer '", n, "': groups ", l.groups,
                       " must divide the input and output channels (", l.in.channels, ", ",
                       l.out.channels, ")");
        if (l.sparsity.active() &&
            (l.sparsity.channels != l.in.channels || l.sparsity.kernel != l.kernel_size()))
            return cat("layer '", n, "': sparsity statistics are ", l.sparsity.channels, " x ",
                       l.sparsity.kernel + 1, " but the layer needs channels x (K+1) = ",
                       l.in.channels, " x ", l.kernel_size() + 1);
        if (!l.sparsity.filter_histogram.empty() &&
            (!l.sparsity.per_filter() || l.sparsity.group_filters != l.out.channels / l.groups))
            return cat("layer '", n, "': per-filter sparsity statistics are for ", l.sparsity.group_filters,
                       " filters per group (", static_cast<count_t>(l.sparsity.filter_histogram.size()),
                       " entries) but the layer has F/G = ", l.out.channels / l.groups);
        return {};
    }
    case layer_type::inner_product:
        if (l.out.rows != 1 || l.out.cols != 1)
            return cat("layer '", n, "': an inner product outputs 1x1xF");
        return {};
    case layer_type::global_pooling:
        if (l.out.rows != 1 || l.out.cols != 1 || l.out.channels != l.in.channels)
            return cat("layer '", n, "': global pooling outputs 1x1xC");
        return {};
    case layer_type::concat:
        if (l.out.rows != l.in.rows || l.out.cols != l.in.cols)
            return cat("layer '", n, "': concat inputs must share rows and cols");
        return {};
    default:
        if (l.out != l.in) return cat("layer '", n, "': a ", to_string(l.type), " layer keeps its shape");
        return {};
    }
}

constexpr bool is_valid_layer(const layer& l) { return layer_problem(l).empty(); }

} // namespace hass
