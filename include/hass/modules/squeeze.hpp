// Squeeze: re-packs a stream of `lanes_in` words per cycle into `lanes_out`
// words per cycle (inside a convolution: K -> fine; between layers: the
// producer's coarse -> the consumer's coarse).
#pragma once

#include "hass/modules/module.hpp"

namespace hass::modules {

struct squeeze {
    BOOST_HANA_DEFINE_STRUCT(squeeze, (count_t, elements), (count_t, lanes_in), (count_t, lanes_out),
                             (count_t, streams), (count_t, data_width));
    static constexpr std::string_view name = "squeeze";

    /// Buffer of lcm(lanes_in, lanes_out) words per stream.
    constexpr count_t buffer_words() const noexcept { return lcm(lanes_in, lanes_out); }
    /// elements / min(lanes_in, lanes_out): the narrow side sets the pace.
    constexpr double latency() const noexcept {
        const count_t narrow = lanes_in < lanes_out ? lanes_in : lanes_out;
        return static_cast<double>(ceil_div(elements, narrow * streams));
    }
    constexpr count_t pipeline_depth() const noexcept { return buffer_words() / lanes_out + 1; }
    constexpr cost::module_figure cost(const cost::coefficient_table& t) const noexcept {
        return cost::squeeze(t, lanes_in, lanes_out, streams, data_width);
    }
};

} // namespace hass::modules
