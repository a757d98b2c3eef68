// weights.hpp of a generated design (only when weights are given): the
// canonical weights and biases of every layer with weights as constexpr float
// arrays, for the test bench.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "hass/hls/emit/context.hpp"

namespace hass::hls::detail::emit {

/// The text of weights.hpp (ctx.options.weights must hold a weight set).
inline std::string weights_header(const context& ctx) {
    std::ostringstream os;
    os << banner(ctx, "The canonical weights and biases (as given to hass emit-hls).");
    os << "#pragma once\n\nnamespace " << ctx.ns << "::weights {\n\n";
    for (const auto& li : ctx.layers) {
        if (!li.l->has_weights()) continue;
        const layer& l = *li.l;
        const layer_weights& lw = ctx.options.weights->find(l.name.view())->second;
        auto array = [&](const std::string& name, const std::vector<float>& v) {
            os << "inline constexpr float " << name << "[" << v.size() << "] = {";
            for (std::size_t k = 0; k < v.size(); ++k) {
                if (k % 8 == 0) os << "\n    ";
                os << float_number(v[k]) << ",";
                if (k % 8 != 7 && k + 1 < v.size()) os << " ";
            }
            os << "\n};\n";
        };
        os << "/// " << comment_text(l.name.view()) << ": " << l.weight_count() << " weights ("
           << (l.type == layer_type::inner_product ? "[feature][input]" : "OIHW") << ")";
        if (l.hardware_bias()) os << ", " << l.filters() << " biases";
        os << "\n";
        array(li.id + "_weights", lw.weights);
        if (l.hardware_bias()) array(li.id + "_bias", lw.bias);
        os << "\n";
    }
    os << "} // namespace " << ctx.ns << "::weights\n";
    return os.str();
}

} // namespace hass::hls::detail::emit
