// What a sparse design achieves, counted two ways (docs/deviations.md item 4):
// *dense* operations (every multiply-accumulate of the network, 2 ops each) and
// *effective* operations (only the products that are not zero, by the layers'
// sparsity statistics); and the co-search's Pareto front as an SVG plot.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "hass/network/evaluate.hpp"
#include "hass/sparsity/cosearch.hpp"

namespace hass::sparsity {

/// Operations per image: 2 per multiply-accumulate.
struct operation_counts {
    double dense = 0;     ///< every product of every convolution and inner product
    double effective = 0; ///< products whose activation and weight are both non-zero
};

/// Dense and effective operations of a network (effective uses each layer's mean
/// zero fraction; layers without statistics count dense).
inline operation_counts count_operations(const network& net) {
    operation_counts c;
    for (const auto& l : net.layers) {
        const double macs = static_cast<double>(l.macs());
        c.dense += 2 * macs;
        c.effective += 2 * macs * (l.sparsity.active() ? 1.0 - l.sparsity.mean_zeros : 1.0);
    }
    return c;
}

/// Throughput figures of a design, dense and effective, labelled.
struct performance_summary {
    double throughput_fps = 0;
    double dense_gops = 0;              ///< dense operations per second / 1e9
    double effective_gops = 0;          ///< non-zero operations per second / 1e9
    double dense_gops_per_dsp = 0;
    double effective_gops_per_dsp = 0;
    count_t dsp = 0;
};

inline performance_summary summarise(const network& net, const design_report& r) {
    performance_summary s;
    const auto ops = count_operations(net);
    s.throughput_fps = r.ii > 0 ? r.throughput() : 0.0;
    s.dense_gops = ops.dense * s.throughput_fps / 1e9;
    s.effective_gops = ops.effective * s.throughput_fps / 1e9;
    s.dsp = r.used.dsp;
    if (s.dsp > 0) {
        s.dense_gops_per_dsp = s.dense_gops / static_cast<double>(s.dsp);
        s.effective_gops_per_dsp = s.effective_gops / static_cast<double>(s.dsp);
    }
    return s;
}

namespace detail::plot {
inline std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}
inline std::string esc(std::string_view s) {
    std::string o;
    for (char c : s) {
        if (c == '<') o += "&lt;";
        else if (c == '>') o += "&gt;";
        else if (c == '&') o += "&amp;";
        else o += c;
    }
    return o;
}
} // namespace detail::plot

/// An SVG plot of the co-search: every sampled candidate (grey), the Pareto front
/// of the estimates (blue), its exact designs (orange), the chosen design (red)
/// and the accuracy budget (dashed).
inline std::string pareto_svg(const cosearch_result& r, std::string_view title) {
    using detail::plot::num;
    const double W = 720, H = 480, left = 80, right = 24, top = 48, bottom = 64;
    double max_drop = std::max(r.budget * 1.25, 1e-3), max_thr = 1;
    auto consider = [&](const cosearch_point& p) {
        max_drop = std::max(max_drop, std::min(p.drop, r.budget * 3 + 1e-3));
        max_thr = std::max({max_thr, p.throughput_estimate, p.throughput});
    };
    for (const auto& p : r.evaluated_sample) consider(p);
    for (const auto& p : r.front) consider(p);
    consider(r.best);
    if (r.dense_design.found) max_thr = std::max(max_thr, r.dense_design.report.throughput());
    max_thr *= 1.08;
    auto x = [&](double drop) { return left + (W - left - right) * std::min(drop, max_drop) / max_drop; };
    auto y = [&](double thr) { return H - bottom - (H - top - bottom) * thr / max_thr; };
    std::string s;
    s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(W) + "\" height=\"" + num(H) +
         "\" font-family=\"sans-serif\" font-size=\"12\">\n";
    s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    s += "<text x=\"" + num(W / 2) + "\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">" +
         detail::plot::esc(title) + "</text>\n";
    // axes and ticks
    s += "<line x1=\"" + num(left) + "\" y1=\"" + num(H - bottom) + "\" x2=\"" + num(W - right) + "\" y2=\"" +
         num(H - bottom) + "\" stroke=\"black\"/>\n";
    s += "<line x1=\"" + num(left) + "\" y1=\"" + num(top) + "\" x2=\"" + num(left) + "\" y2=\"" + num(H - bottom) +
         "\" stroke=\"black\"/>\n";
    for (int i = 0; i <= 5; ++i) {
        const double d = max_drop * i / 5, t = max_thr * i / 5;
        s += "<text x=\"" + num(x(d)) + "\" y=\"" + num(H - bottom + 18) + "\" text-anchor=\"middle\">" + num(d) +
             "</text>\n";
        s += "<text x=\"" + num(left - 8) + "\" y=\"" + num(y(t) + 4) + "\" text-anchor=\"end\">" + num(std::round(t)) +
             "</text>\n";
        s += "<line x1=\"" + num(left) + "\" y1=\"" + num(y(t)) + "\" x2=\"" + num(W - right) + "\" y2=\"" + num(y(t)) +
             "\" stroke=\"#eee\"/>\n";
    }
    s += "<text x=\"" + num(W / 2) + "\" y=\"" + num(H - 20) +
         "\" text-anchor=\"middle\">accuracy drop (percentage points)</text>\n";
    s += "<text transform=\"translate(20," + num(H / 2) +
         ") rotate(-90)\" text-anchor=\"middle\">throughput (images/s)</text>\n";
    // budget
    s += "<line x1=\"" + num(x(r.budget)) + "\" y1=\"" + num(top) + "\" x2=\"" + num(x(r.budget)) + "\" y2=\"" +
         num(H - bottom) + "\" stroke=\"#888\" stroke-dasharray=\"6,4\"/>\n";
    // dense design
    if (r.dense_design.found)
        s += "<line x1=\"" + num(left) + "\" y1=\"" + num(y(r.dense_design.report.throughput())) + "\" x2=\"" +
             num(W - right) + "\" y2=\"" + num(y(r.dense_design.report.throughput())) +
             "\" stroke=\"#2a2\" stroke-dasharray=\"2,3\"/>\n";
    for (const auto& p : r.evaluated_sample)
        s += "<circle cx=\"" + num(x(p.drop)) + "\" cy=\"" + num(y(p.throughput_estimate)) +
             "\" r=\"1.6\" fill=\"#bbb\"/>\n";
    std::string path;
    for (const auto& p : r.front) {
        if (p.drop > max_drop) break;
        path += (path.empty() ? "M" : " L") + num(x(p.drop)) + "," + num(y(p.throughput_estimate));
    }
    if (!path.empty()) s += "<path d=\"" + path + "\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\"/>\n";
    for (const auto& p : r.front)
        if (p.exact && p.drop <= max_drop)
            s += "<circle cx=\"" + num(x(p.drop)) + "\" cy=\"" + num(y(p.throughput)) +
                 "\" r=\"4\" fill=\"#ff7f0e\"/>\n";
    s += "<circle cx=\"" + num(x(r.best.drop)) + "\" cy=\"" + num(y(r.best.throughput)) +
         "\" r=\"6\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"2.5\"/>\n";
    // legend
    const double lx = W - right - 250, ly = top + 8;
    const char* labels[] = {"candidates (estimate)", "Pareto front (estimate)", "front, exact designs",
                            "chosen design (exact)", "dense design (exact)", "accuracy budget"};
    const char* colours[] = {"#bbb", "#1f77b4", "#ff7f0e", "#d62728", "#2a2", "#888"};
    for (int i = 0; i < 6; ++i) {
        s += "<rect x=\"" + num(lx) + "\" y=\"" + num(ly + i * 16) + "\" width=\"10\" height=\"10\" fill=\"" +
             colours[i] + "\"/>\n";
        s += "<text x=\"" + num(lx + 16) + "\" y=\"" + num(ly + i * 16 + 9) + "\">" + labels[i] + "</text>\n";
    }
    s += "</svg>\n";
    return s;
}

} // namespace hass::sparsity
