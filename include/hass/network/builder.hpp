// Builds a network layer by layer with shape inference, in a constant
// expression (the zoo) or at run time.
//
//   hass::network_builder b{"tiny", {32, 32, 3}};
//   auto x = b.conv(b.input(), "conv1", {.filters = 16, .kernel = 3, .pad = 1});
//   x = b.relu(x, "relu1");
//   hass::network net = std::move(b).build();
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "hass/network/network.hpp"

namespace hass {

/// Convolution hyper-parameters for network_builder::conv (square kernels).
struct conv_params {
    count_t filters = 1;
    count_t kernel = 1;
    count_t stride = 1;
    count_t pad = 0;
    count_t groups = 1;
    bool bias = false;
    bool batchnorm = true;
};

class network_builder {
public:
    using tensor = int;

    constexpr network_builder(name_t name, tensor_shape input) : net_{name, input, {}} {}

    constexpr tensor input() const noexcept { return network_input; }
    constexpr tensor_shape shape(tensor t) const noexcept { return net_.shape_of(t); }

    constexpr tensor conv(tensor x, name_t name, const conv_params& p) {
        layer l = make(x, name, layer_type::convolution);
        set_window(l, p.kernel, p.stride, p.pad);
        l.groups = p.groups;
        l.bias = p.bias;
        l.batchnorm = p.batchnorm;
        l.out.channels = p.filters;
        return push(std::move(l));
    }
    constexpr tensor inner_product(tensor x, name_t name, count_t features, bool bias = true) {
        layer l = make(x, name, layer_type::inner_product);
        l.bias = bias;
        l.out = {1, 1, features};
        return push(std::move(l));
    }
    constexpr tensor max_pool(tensor x, name_t name, count_t kernel, count_t stride, count_t pad = 0) {
        layer l = make(x, name, layer_type::pooling);
        set_window(l, kernel, stride, pad);
        l.pool = pool_op::max;
        return push(std::move(l));
    }
    constexpr tensor avg_pool(tensor x, name_t name, count_t kernel, count_t stride, count_t pad = 0) {
        layer l = make(x, name, layer_type::pooling);
        set_window(l, kernel, stride, pad);
        l.pool = pool_op::avg;
        return push(std::move(l));
    }
    constexpr tensor global_avg_pool(tensor x, name_t name) {
        layer l = make(x, name, layer_type::global_pooling);
        l.pool = pool_op::avg;
        l.out = {1, 1, l.in.channels};
        return push(std::move(l));
    }
    constexpr tensor relu(tensor x, name_t name) { return unary(x, name, layer_type::relu); }
    constexpr tensor hardswish(tensor x, name_t name) { return unary(x, name, layer_type::hardswish); }
    constexpr tensor hardsigmoid(tensor x, name_t name) {
        return unary(x, name, layer_type::hardsigmoid);
    }
    constexpr tensor sigmoid(tensor x, name_t name) { return unary(x, name, layer_type::sigmoid); }
    /// ReLU6: clamp(x, 0, 6).
    constexpr tensor relu6(tensor x, name_t name) { return unary(x, name, layer_type::relu6); }
    constexpr tensor thresholded_relu(tensor x, name_t name, double threshold) {
        layer l = make(x, name, layer_type::thresholded_relu);
        l.threshold = threshold;
        return push(std::move(l));
    }
    /// Element-wise add of two tensors of the same shape (residual connection).
    constexpr tensor add(tensor a, tensor b, name_t name) { return eltwise(a, b, name, eltwise_op::add); }
    /// Element-wise multiply; a 1x1xC second input is broadcast (squeeze-excitation).
    constexpr tensor mul(tensor a, tensor b, name_t name) { return eltwise(a, b, name, eltwise_op::mul); }
    constexpr tensor concat(const std::vector<tensor>& xs, name_t name) {
        layer l = make(xs.front(), name, layer_type::concat);
        l.inputs = xs;
        l.out.channels = 0;
        for (tensor t : xs) l.out.channels += shape(t).channels;
        return push(std::move(l));
    }

    /// Inserts the splits, validates and returns the network.
    constexpr network build() && {
        network net = insert_splits(net_);
        validate(net);
        return net;
    }

private:
    network net_;

    constexpr layer make(tensor x, name_t name, layer_type type) const {
        layer l;
        l.name = name;
        l.type = type;
        l.in = shape(x);
        l.out = l.in;
        l.inputs = {x};
        return l;
    }
    static constexpr void set_window(layer& l, count_t kernel, count_t stride, count_t pad) {
        l.kernel_rows = l.kernel_cols = kernel;
        l.stride_rows = l.stride_cols = stride;
        l.pad_top = l.pad_right = l.pad_bottom = l.pad_left = pad;
        l.out.rows = (l.in.rows + 2 * pad - kernel) / stride + 1;
        l.out.cols = (l.in.cols + 2 * pad - kernel) / stride + 1;
    }
    constexpr tensor unary(tensor x, name_t name, layer_type type) {
        return push(make(x, name, type));
    }
    constexpr tensor eltwise(tensor a, tensor b, name_t name, eltwise_op op) {
        layer l = make(a, name, layer_type::eltwise);
        l.op = op;
        l.inputs = {a, b};
        const tensor_shape sb = shape(b);
        l.broadcast = sb.rows == 1 && sb.cols == 1 && (l.in.rows != 1 || l.in.cols != 1);
        return push(std::move(l));
    }
    constexpr tensor push(layer l) {
        net_.layers.push_back(std::move(l));
        return static_cast<tensor>(net_.layers.size()) - 1;
    }
};

} // namespace hass
