// A float forward pass over a hass network with canonical weights (docs/hls.md,
// "Weights"), written for the ONNX import tests: it runs an imported network
// with its imported weights so that the result can be compared with PyTorch's.
// Tensors are rows x cols x channels, channels innermost (hass's stream order).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include <hass/hls/emit.hpp>
#include <hass/network/network.hpp>

namespace onnx_test {

struct tensor {
    hass::count_t rows = 0, cols = 0, channels = 0;
    std::vector<double> v;

    tensor() = default;
    tensor(hass::count_t r, hass::count_t c, hass::count_t ch)
        : rows(r), cols(c), channels(ch), v(static_cast<std::size_t>(r * c * ch), 0.0) {}
    double& at(hass::count_t r, hass::count_t c, hass::count_t ch) {
        return v[static_cast<std::size_t>((r * cols + c) * channels + ch)];
    }
    double at(hass::count_t r, hass::count_t c, hass::count_t ch) const {
        return v[static_cast<std::size_t>((r * cols + c) * channels + ch)];
    }
    /// Zero outside the map (padding).
    double padded(hass::count_t r, hass::count_t c, hass::count_t ch) const {
        if (r < 0 || r >= rows || c < 0 || c >= cols) return 0.0;
        return at(r, c, ch);
    }
};

/// An NCHW float array (PyTorch's layout) as a rows x cols x channels tensor.
inline tensor from_nchw(const std::vector<float>& x, hass::tensor_shape s) {
    tensor t(s.rows, s.cols, s.channels);
    if (static_cast<hass::count_t>(x.size()) != s.size()) throw std::runtime_error("from_nchw: size mismatch");
    for (hass::count_t ch = 0; ch < s.channels; ++ch)
        for (hass::count_t r = 0; r < s.rows; ++r)
            for (hass::count_t c = 0; c < s.cols; ++c)
                t.at(r, c, ch) = x[static_cast<std::size_t>((ch * s.rows + r) * s.cols + c)];
    return t;
}

inline double activate(hass::layer_type t, double x, double threshold) {
    switch (t) {
    case hass::layer_type::relu: return std::max(x, 0.0);
    case hass::layer_type::relu6: return std::min(std::max(x, 0.0), 6.0);
    case hass::layer_type::thresholded_relu: return x > threshold ? x : 0.0;
    case hass::layer_type::hardswish: return x * std::min(std::max(x + 3.0, 0.0), 6.0) / 6.0;
    case hass::layer_type::hardsigmoid: return std::min(std::max(x / 6.0 + 0.5, 0.0), 1.0);
    case hass::layer_type::sigmoid: return 1.0 / (1.0 + std::exp(-x));
    default: throw std::runtime_error("activate: not an activation");
    }
}

/// Runs every layer; returns the outputs of all layers (index = layer).
inline std::vector<tensor> run(const hass::network& net, const hass::hls::weight_set& w, const tensor& input) {
    using hass::count_t;
    std::vector<tensor> out(net.size());
    auto in = [&](int t) -> const tensor& { return t == hass::network_input ? input : out[static_cast<std::size_t>(t)]; };
    for (std::size_t i = 0; i < net.size(); ++i) {
        const hass::layer& l = net.layers[i];
        const tensor& x = in(l.inputs.at(0));
        tensor y(l.out.rows, l.out.cols, l.out.channels);
        switch (l.type) {
        case hass::layer_type::convolution: {
            const auto& lw = w.at(l.name.str());
            const count_t cpg = l.in.channels / l.groups, fpg = l.out.channels / l.groups;
            for (count_t r = 0; r < l.out.rows; ++r)
                for (count_t c = 0; c < l.out.cols; ++c)
                    for (count_t f = 0; f < l.out.channels; ++f) {
                        const count_t g = f / fpg;
                        double sum = l.hardware_bias() ? lw.bias[static_cast<std::size_t>(f)] : 0.0;
                        for (count_t j = 0; j < cpg; ++j)
                            for (count_t a = 0; a < l.kernel_rows; ++a)
                                for (count_t b = 0; b < l.kernel_cols; ++b)
                                    sum += x.padded(r * l.stride_rows + a - l.pad_top, c * l.stride_cols + b - l.pad_left,
                                                    g * cpg + j) *
                                           lw.weights[static_cast<std::size_t>(((f * cpg + j) * l.kernel_rows + a) *
                                                                                   l.kernel_cols + b)];
                        y.at(r, c, f) = sum;
                    }
            break;
        }
        case hass::layer_type::inner_product: {
            const auto& lw = w.at(l.name.str());
            const count_t n = x.rows * x.cols * x.channels;
            for (count_t f = 0; f < l.out.channels; ++f) {
                double sum = l.hardware_bias() ? lw.bias[static_cast<std::size_t>(f)] : 0.0;
                for (count_t k = 0; k < n; ++k)
                    sum += x.v[static_cast<std::size_t>(k)] * lw.weights[static_cast<std::size_t>(f * n + k)];
                y.at(0, 0, f) = sum;
            }
            break;
        }
        case hass::layer_type::pooling:
            for (count_t r = 0; r < l.out.rows; ++r)
                for (count_t c = 0; c < l.out.cols; ++c)
                    for (count_t ch = 0; ch < l.out.channels; ++ch) {
                        double acc = l.pool == hass::pool_op::avg ? 0.0 : -1e300;
                        for (count_t a = 0; a < l.kernel_rows; ++a)
                            for (count_t b = 0; b < l.kernel_cols; ++b) {
                                const double v =
                                    x.padded(r * l.stride_rows + a - l.pad_top, c * l.stride_cols + b - l.pad_left, ch);
                                acc = l.pool == hass::pool_op::avg ? acc + v : std::max(acc, v);
                            }
                        y.at(r, c, ch) = l.pool == hass::pool_op::avg ? acc / static_cast<double>(l.kernel_size()) : acc;
                    }
            break;
        case hass::layer_type::global_pooling:
            for (count_t ch = 0; ch < x.channels; ++ch) {
                double acc = l.pool == hass::pool_op::avg ? 0.0 : -1e300;
                for (count_t r = 0; r < x.rows; ++r)
                    for (count_t c = 0; c < x.cols; ++c)
                        acc = l.pool == hass::pool_op::avg ? acc + x.at(r, c, ch) : std::max(acc, x.at(r, c, ch));
                y.at(0, 0, ch) = l.pool == hass::pool_op::avg ? acc / static_cast<double>(x.rows * x.cols) : acc;
            }
            break;
        case hass::layer_type::relu:
        case hass::layer_type::relu6:
        case hass::layer_type::thresholded_relu:
        case hass::layer_type::hardswish:
        case hass::layer_type::hardsigmoid:
        case hass::layer_type::sigmoid:
            for (std::size_t k = 0; k < y.v.size(); ++k) y.v[k] = activate(l.type, x.v[k], l.threshold);
            break;
        case hass::layer_type::eltwise:
            y = x;
            for (std::size_t p = 1; p < l.inputs.size(); ++p) {
                const tensor& b = in(l.inputs[p]);
                const bool bcast = b.rows == 1 && b.cols == 1 && (x.rows != 1 || x.cols != 1);
                for (count_t r = 0; r < y.rows; ++r)
                    for (count_t c = 0; c < y.cols; ++c)
                        for (count_t ch = 0; ch < y.channels; ++ch) {
                            const double v = bcast ? b.at(0, 0, ch) : b.at(r, c, ch);
                            y.at(r, c, ch) = l.op == hass::eltwise_op::add ? y.at(r, c, ch) + v : y.at(r, c, ch) * v;
                        }
            }
            break;
        case hass::layer_type::concat: {
            count_t base = 0;
            for (int t : l.inputs) {
                const tensor& b = in(t);
                for (count_t r = 0; r < y.rows; ++r)
                    for (count_t c = 0; c < y.cols; ++c)
                        for (count_t ch = 0; ch < b.channels; ++ch) y.at(r, c, base + ch) = b.at(r, c, ch);
                base += b.channels;
            }
            break;
        }
        case hass::layer_type::split:
        case hass::layer_type::squeeze: y = x; break;
        }
        out[i] = std::move(y);
    }
    return out;
}

} // namespace onnx_test
