// Sparse vector dot: skips zero products. Each window of K products with z
// zeros takes ceil((K - z) / fine) cycles on `fine` multipliers; the layer
// computes the mean cycles per window of its slowest stream from the sparsity
// histograms and passes it in. It also does the squeeze's job (K -> fine).
#pragma once

#include "hass/modules/module.hpp"

namespace hass::modules {

struct sparse_vector_dot {
    BOOST_HANA_DEFINE_STRUCT(sparse_vector_dot, (count_t, windows), (count_t, kernel),
                             (count_t, filters), (count_t, fine), (count_t, data_width),
                             (count_t, weight_width), (count_t, acc_width));
    static constexpr std::string_view name = "sparse_vector_dot";

    /// Mean cycles per window of the slowest stream (set by the layer; not a template parameter).
    double cycles_per_window = 1.0;

    constexpr double latency() const noexcept {
        return static_cast<double>(windows) * cycles_per_window;
    }
    constexpr count_t pipeline_depth() const noexcept {
        return multiplier_latency + bits(fine) + bits(kernel) + 2;
    }
    constexpr cost::module_figure cost(const cost::coefficient_table& t) const noexcept {
        return cost::sparse_vector_dot(t, filters, fine, data_width, weight_width, acc_width);
    }
};

} // namespace hass::modules
