// Element-wise activation functions: ReLU, thresholded ReLU, HardSwish,
// HardSigmoid and Sigmoid.
#pragma once

#include "hass/modules/module.hpp"

namespace hass::modules {

// relu6 (clamp to [0, 6], costed as ReLU) is last so that the earlier kinds keep their values.
enum class activation_kind { relu, thresholded_relu, hardswish, hardsigmoid, sigmoid, relu6 };

struct activation {
    BOOST_HANA_DEFINE_STRUCT(activation, (count_t, words), (activation_kind, kind), (count_t, streams),
                             (count_t, data_width));
    static constexpr std::string_view name = "activation";

    constexpr double latency() const noexcept { return static_cast<double>(words); }
    constexpr count_t pipeline_depth() const noexcept {
        switch (kind) {
        case activation_kind::hardswish: return cost::multiplier_latency + 2;
        case activation_kind::sigmoid: return 3;
        default: return 1;
        }
    }
    constexpr hass::resources resources() const noexcept {
        auto r = detail::control_logic(words);
        const count_t lane_bits = streams * data_width;
        r.ff += cost::ff_per_register_bit * lane_bits;
        switch (kind) {
        case activation_kind::relu6: // costed as ReLU (docs/deviations.md)
        case activation_kind::relu: r.lut += cost::lut_per_mux2_bit * lane_bits; break;
        case activation_kind::thresholded_relu:
            r.lut += (cost::lut_per_compare_bit + cost::lut_per_mux2_bit) * lane_bits;
            break;
        case activation_kind::hardsigmoid: // clamp(x/6 + 1/2, 0, 1): add, shift-scale, two clamps
            r.lut += (cost::lut_per_adder_bit + 2 * cost::lut_per_compare_bit) * lane_bits;
            r.dsp = multiplier_dsps(streams, data_width, data_width);
            break;
        case activation_kind::hardswish: // x * relu6(x + 3) / 6
            r.lut += (cost::lut_per_adder_bit + 2 * cost::lut_per_compare_bit) * lane_bits;
            r.dsp = multiplier_dsps(2 * streams, data_width, data_width);
            r.ff += cost::ff_per_register_bit * lane_bits * cost::multiplier_latency;
            break;
        case activation_kind::sigmoid: r.lut += cost::lut_per_table_bit * lane_bits; break;
        }
        return r;
    }
};

} // namespace hass::modules
