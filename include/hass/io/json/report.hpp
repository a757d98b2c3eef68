// The model's reports as JSON: a design or partition (report_json), a
// partitioned design, a network's layers (info_json), resources and shapes.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "hass/boards/board.hpp"
#include "hass/cost/weights.hpp"
#include "hass/io/json/fields.hpp"
#include "hass/network/evaluate.hpp"
#include "hass/network/network.hpp"

namespace hass::io {

// ============================================================================
// Reports
// ============================================================================

inline json resources_json(const resources& r) {
    return {{"dsp", r.dsp}, {"lut", r.lut}, {"ff", r.ff}, {"bram18", r.bram18}, {"uram", r.uram}};
}

inline json shape_json(const tensor_shape& t) {
    return {{"rows", t.rows}, {"cols", t.cols}, {"channels", t.channels}};
}

namespace detail {
inline std::string tensor_name(const network& net, int t) {
    return t == network_input ? std::string("input") : net.layers[static_cast<std::size_t>(t)].name.str();
}
} // namespace detail

/// How a layer's weights are stored: "bram", "uram", "off_chip", or
/// "bram+stream:N" / "uram+stream:N" for N blocks streamed from off-chip memory.
inline std::string storage_text(const folding& f) {
    std::string s(to_string(f.weights));
    if (f.weights != weight_storage::off_chip && f.stream_weights != 0)
        s += f.stream_weights == cost::all_blocks ? "+stream:all" : "+stream:" + std::to_string(f.stream_weights);
    return s;
}

/// The model's view of one design (or one partition: layers [r.first, r.last)).
inline json report_json(const network& net, const std::vector<folding>& f, const design_report& r, const board& b) {
    json j;
    j["model"] = net.name.str();
    j["cost_model"] = std::string(r.model);
    j["board"] = std::string(b.name);
    j["clock_mhz"] = b.clock_mhz;
    j["first_layer"] = r.first;
    j["last_layer"] = r.last; // exclusive
    j["ii_cycles"] = r.ii;
    j["interval_cycles"] = r.interval;
    j["compute_ii_cycles"] = r.compute_ii;
    j["memory_ii_cycles"] = r.memory_ii;
    j["slowdown"] = r.slowdown;
    j["bottleneck"] = r.bottleneck >= 0 ? json(net.layers[static_cast<std::size_t>(r.bottleneck)].name.str())
                                        : json(r.ii > r.compute_ii ? "memory" : "squeeze");
    j["throughput_fps"] = r.throughput();
    j["steady_state_fps"] = r.throughput();
    j["batch"] = r.batch;
    j["batch_cycles"] = r.batch_cycles(r.batch);
    j["batch_latency_s"] = r.batch_time(r.batch);
    j["batch_fps"] = r.batch_throughput(r.batch);
    j["latency_s"] = r.batch_time(1);
    j["pipeline_depth"] = r.pipeline_depth;
    j["weights_reloading_factor"] = r.reload_factor;
    j["bandwidth_gbps"] = r.bandwidth_gbps();
    j["bandwidth_in_gbps"] = r.bits_in * r.throughput() / 1e9;
    j["bandwidth_out_gbps"] = r.bits_out * r.throughput() / 1e9;
    j["bandwidth_weights_gbps"] = r.bits_weights * r.throughput() / 1e9;
    j["board_bandwidth_gbps"] = b.bandwidth_gbps;
    j["offchip_bits_per_image"] = r.offchip_bits;
    j["fits"] = r.fits;
    json exceeded = json::array();
    for (auto k : r.exceeded()) exceeded.push_back(std::string(to_string(k)));
    j["exceeded"] = std::move(exceeded);
    j["resources"] = resources_json(r.used);
    j["resources_raw"] = resources_json(r.used_raw);
    j["dsp_exact"] = r.dsp;
    j["bram_to_lut_blocks"] = r.bram_to_lut_blocks;
    j["budget"] = resources_json(r.budget);
    auto squeeze_json = [&](const squeeze_link& s) {
        return json{{"name", s.name.str()},
                    {"producer", s.producer == network_input ? json("input") : json(detail::tensor_name(net, s.producer))},
                    {"consumer", s.consumer < 0 ? json("output") : json(detail::tensor_name(net, s.consumer))},
                    {"streams_from", s.streams_from},
                    {"streams_to", s.streams_to},
                    {"latency_cycles", s.latency},
                    {"pipeline_depth", s.pipeline_depth},
                    {"resources", resources_json(s.used)}};
    };
    json squeezes = json::array();
    for (const auto& s : r.squeezes) squeezes.push_back(squeeze_json(s));
    j["squeezes"] = std::move(squeezes);
    json ports = json::array();
    for (const auto& s : r.port_squeezes) ports.push_back(squeeze_json(s));
    j["port_squeezes"] = std::move(ports);
    json layers = json::array();
    for (int i = r.first; i < r.last; ++i) {
        const auto idx = static_cast<std::size_t>(i);
        const layer& l = net.layers[idx];
        const layer_performance& p = r.layers[static_cast<std::size_t>(i - r.first)];
        json inputs = json::array();
        for (int src : l.inputs) inputs.push_back(detail::tensor_name(net, src));
        json e{{"name", l.name.str()},
               {"type", std::string(to_string(l.type))},
               {"inputs", std::move(inputs)},
               {"coarse_in", f[idx].coarse_in},
               {"coarse_out", f[idx].coarse_out},
               {"coarse_group", f[idx].coarse_group},
               {"fine", f[idx].fine},
               {"weights", l.has_weights() ? json(storage_text(f[idx])) : json(nullptr)},
               {"latency_cycles", p.latency},
               {"pipeline_depth", p.pipeline_depth},
               {"sparse", p.sparse},
               {"resources", resources_json(p.used)},
               {"dsp_exact", p.dsp},
               {"share_of_ii", r.ii > 0 ? static_cast<double>(p.latency) / static_cast<double>(r.ii) : 0.0}};
        if (p.sparse) e["sparse_cycles_per_window"] = p.sparse_cycles;
        if (l.has_weights()) {
            e["weight_blocks"] = p.weight_plan.total_blocks;
            e["weight_blocks_streamed"] = p.weight_plan.streamed;
            e["weight_offchip_bits_per_image"] = p.weight_bits;
        }
        if (!p.fifo_depths.empty()) {
            e["fifo_depths"] = p.fifo_depths;
            e["fifo_bram18"] = p.fifo_bram;
        }
        layers.push_back(std::move(e));
    }
    j["layers"] = std::move(layers);
    return j;
}

/// A design cut into partitions run one after another on one device.
inline json partitioned_report_json(const network& net, const std::vector<folding>& f, const partitioned_report& pr,
                                    const board& b, count_t batch = 256) {
    json parts = json::array();
    for (const auto& p : pr.partitions) parts.push_back(report_json(net, f, p, b));
    const double t = pr.batch_time(batch);
    return {{"model", net.name.str()},
            {"board", std::string(b.name)},
            {"partitions", std::move(parts)},
            {"fits", pr.fits()},
            {"reconf_time_s", pr.reconf_time_s},
            {"reconfigurations", pr.reconfigurations()},
            {"batch", batch},
            {"batch_time_s", t},
            {"throughput_fps", pr.throughput(batch)},
            {"batch_fps", pr.throughput(batch)},
            {"convention", pr.reconfigure_first
                               ? "batch time = sum over partitions of cycles/clock + P * reconf_time_s (fpgaConvNet)"
                               : "batch time = sum over partitions of cycles/clock + (P-1) * reconf_time_s"}};
}

/// Layers, shapes, parameters and MACs of a network.
inline json info_json(const network& net) {
    json layers = json::array();
    for (const auto& l : net.layers) {
        json inputs = json::array();
        for (int src : l.inputs) inputs.push_back(detail::tensor_name(net, src));
        layers.push_back({{"name", l.name.str()},
                          {"type", std::string(to_string(l.type))},
                          {"inputs", std::move(inputs)},
                          {"input", shape_json(l.in)},
                          {"output", shape_json(l.out)},
                          {"params", l.parameter_count()},
                          {"macs", l.macs()}});
    }
    return {{"name", net.name.str()},
            {"input", shape_json(net.input)},
            {"params", net.parameter_count()},
            {"macs", net.macs()},
            {"layers", std::move(layers)}};
}

} // namespace hass::io
