// Element-wise activation functions: ReLU, thresholded ReLU, HardSwish,
// HardSigmoid, Sigmoid and ReLU6.
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
        case activation_kind::hardswish: return multiplier_latency + 2;
        case activation_kind::sigmoid: return 3;
        default: return 1;
        }
    }
    /// fpgaConvNet's constant per-lane costs: ReLU (and thresholded ReLU,
    /// ReLU6) 16 LUT 35 FF; HardSwish also 5 DSP. HardSigmoid and Sigmoid have no
    /// reference model: hass prices HardSigmoid as HardSwish without its final
    /// multiply (one DSP per lane for the 1/6 scale) and Sigmoid as a 16-LUT
    /// piecewise table per output bit.
    constexpr cost::module_figure cost(const cost::coefficient_table&) const noexcept {
        cost::module_figure m = kind == activation_kind::hardswish ? cost::hardswish() : cost::relu();
        if (kind == activation_kind::hardsigmoid) m.dsp = 1;
        if (kind == activation_kind::sigmoid) m.lut += 16 * data_width;
        m.lut *= streams;
        m.ff *= streams;
        m.dsp *= static_cast<double>(streams);
        return m;
    }
};

} // namespace hass::modules
