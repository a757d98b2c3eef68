// Verify and refine: the co-search on composed statistics and an accuracy
// oracle, then the chosen design measured on the real model, the measurement
// fed back, and the search run again, until the measured drop is within the
// budget and the measured throughput is within a tolerance of the prediction.
//
// Each round:
//   1. co-search (hass::sparsity::cosearch) with the corrected oracle and the
//      corrected predictor;
//   2. measure the chosen thresholds x: the real accuracy drop D(x) and,
//      when the measurement gives them, the real product histograms of the
//      convolutions at x (every layer pruned at once);
//   3. the measured throughput: the round's folding evaluated (same cost model,
//      same batch) on the network with the measured histograms;
//   4. stop when D(x) <= budget and |measured / predicted - 1| <= tolerance;
//      otherwise feed back and go to 1:
//        - accuracy: a measured point. The corrected oracle is
//              A'(y) = max(0, s A(y) + sum_j w_j(y) e_j / max(1, sum_j w_j(y))),
//          s = sum_j A(x_j) D(x_j) / sum_j A(x_j)^2 (least squares through the
//          origin over the measured points with A(x_j) > 0, clamped to
//          [1/4, 4]; 1 when there is none): the real model's drop as a multiple
//          of the oracle's, everywhere; e_j = D(x_j) - s A(x_j), the local rest;
//          w_j(y) = max(0, 1 - r_j(y) / R) min(1, p(y) / p(x_j)),
//          r_j the root-mean-square distance from y to x_j over the thresholds,
//          each normalised by its grid's range, R = joint_radius, and p the mean
//          normalised threshold (0 at the smallest thresholds, whose drop is
//          not corrected, nor scaled); at a measured point it returns the
//          measurement exactly;
//        - statistics: predictor::correct(layer, measured histograms, x): every
//          later prediction adds the composition's error at x.
// The result is the best measured design within the budget (largest measured
// batch throughput), or none, with the reason.
#pragma once

#include <algorithm>
#include <cmath>
#include <memory>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hass/sparsity/cosearch.hpp"

namespace hass::sparsity {

/// A measurement of one assignment on the real model.
struct measurement {
    double drop = 0; ///< the real accuracy drop, points
    /// The measured product histograms, one entry per statistics layer (the
    /// predictor's order); nullopt (or an empty vector): not measured.
    std::vector<std::optional<sparsity_stats>> products;
};

/// thresholds (one pair per statistics layer, the predictor's order) -> measurement
using measure_fn = std::function<measurement(std::span<const threshold_pair>)>;

/// One round: what was predicted and what was measured at its chosen thresholds.
struct verify_round {
    int round = 0;
    std::vector<threshold_pair> thresholds;
    double predicted_drop = 0, measured_drop = 0;
    double predicted_fps = 0;          ///< batch throughput on the composed statistics, images/s
    double measured_fps = 0;           ///< the same folding on the measured histograms (0: not measured)
    bool throughput_measured = false;
    double dense_fps = 0;              ///< the dense design, batch throughput
    bool dense_fallback = false;       ///< the round's design is the dense design
    std::size_t layers_measured = 0;   ///< convolutions whose histograms were measured
    std::string feedback;              ///< what was fed back after the round (empty: none, the last round)
};

struct verify_options {
    int rounds = 4;                     ///< co-searches at most
    double throughput_tolerance = 0.02; ///< |measured / predicted - 1| accepted
    double joint_radius = 0.25;         ///< R of the measured-point correction
    bool correct_statistics = true;     ///< feed the measured histograms back
    std::function<void(const verify_round&)> on_round{}; ///< called after each round's measurement
};

struct verified_cosearch_result {
    cosearch_result result;              ///< the chosen round's co-search (the last round's when none is chosen)
    network measured_network;            ///< the chosen design's network with the measured histograms
    int chosen_round = 0;                ///< 0: no round's design is within the budget when measured
    bool verified = false;               ///< a round was accepted: drop within budget, throughput within the tolerance
    std::vector<verify_round> rounds;
    std::string stop_reason;
    count_t batch = 0;                   ///< the batch of the throughput figures
};

namespace detail::verify {

/// The oracle with measured points: see the file comment.
struct corrected_oracle {
    accuracy_oracle base;
    batch_accuracy_oracle base_batch; ///< used when `base` is empty (a batch oracle alone)
    std::vector<std::pair<double, double>> w_range, a_range; ///< per statistics layer
    double radius = 0.25;
    struct point {
        std::vector<threshold_pair> x;
        double base = 0;     ///< A(x), the base oracle's drop
        double measured = 0; ///< D(x), the real model's
    };
    std::vector<point> points;

    /// s: the measured drops as one multiple of the base oracle's (least
    /// squares through the origin), clamped to [1/4, 4]; 1 without a point
    /// where the base oracle gives a drop.
    double scale() const {
        double ad = 0, aa = 0;
        for (const auto& p : points)
            if (p.base > 0) {
                ad += p.base * p.measured;
                aa += p.base * p.base;
            }
        return aa > 0 ? std::clamp(ad / aa, 0.25, 4.0) : 1.0;
    }

    double distance(std::span<const threshold_pair> y, const std::vector<threshold_pair>& x) const {
        double sum = 0;
        std::size_t dims = 0;
        const auto add = [&](double a, double b, std::pair<double, double> r) {
            const double span = r.second - r.first;
            if (!(span > 0)) return;
            const double d = (a - b) / span;
            sum += d * d;
            ++dims;
        };
        for (std::size_t s = 0; s < x.size(); ++s) {
            add(y[s].tau_w, x[s].tau_w, w_range[s]);
            add(y[s].tau_a, x[s].tau_a, a_range[s]);
        }
        return dims == 0 ? 0.0 : std::sqrt(sum / static_cast<double>(dims));
    }
    /// p(y): the mean over the thresholds of (y - lo) / (hi - lo), how far y is
    /// from the smallest thresholds (0) towards the largest (1).
    double level(std::span<const threshold_pair> y) const {
        double sum = 0;
        std::size_t dims = 0;
        const auto add = [&](double v, std::pair<double, double> r) {
            const double span = r.second - r.first;
            if (!(span > 0)) return;
            sum += std::clamp((v - r.first) / span, 0.0, 1.0);
            ++dims;
        };
        for (std::size_t s = 0; s < w_range.size() && s < y.size(); ++s) {
            add(y[s].tau_w, w_range[s]);
            add(y[s].tau_a, a_range[s]);
        }
        return dims == 0 ? 0.0 : sum / static_cast<double>(dims);
    }
    /// The base oracle's drop at y.
    double base_drop(std::span<const threshold_pair> y) const {
        if (base || !base_batch) return base(y);
        const std::vector<std::vector<threshold_pair>> one{std::vector<threshold_pair>(y.begin(), y.end())};
        const std::vector<double> d = base_batch(one);
        if (d.size() != 1)
            hass::detail::fail("batch accuracy oracle returned " + std::to_string(d.size()) +
                               " drops for 1 candidate (one drop per candidate, in order)");
        return d.front();
    }
    double operator()(std::span<const threshold_pair> y) const { return corrected(y, base(y)); }
    /// The base batch oracle's drops, corrected.
    std::vector<double> operator()(std::span<const std::vector<threshold_pair>> ys) const {
        std::vector<double> d = base_batch(ys);
        if (d.size() == ys.size()) // else the co-search reports the wrong length
            for (std::size_t i = 0; i < d.size(); ++i) d[i] = corrected(ys[i], d[i]);
        return d;
    }
    /// The drop `a` the base oracle gave at y with the measured points' correction.
    double corrected(std::span<const threshold_pair> y, double a) const {
        if (points.empty() || !std::isfinite(a) || a < 0) return a; // a bad answer is reported as it is
        const double py = level(y);
        if (py == 0) return a; // the smallest thresholds: never corrected, the search's start
        double wsum = 0, esum = 0;
        const double s = scale();
        for (const auto& p : points) {
            const double r = distance(y, p.x);
            const double excess = p.measured - s * p.base;
            if (r == 0) return std::max(0.0, s * a + excess);
            const double w = std::max(0.0, 1.0 - r / radius);
            const double px = level(p.x);
            // the excess grows with the pruning: none at the smallest thresholds
            const double reach = px > 0 ? std::min(1.0, py / px) : 0.0;
            wsum += w;
            esum += w * reach * excess;
        }
        return std::max(0.0, s * a + esum / std::max(1.0, wsum));
    }
};

} // namespace detail::verify

/// The co-search with verification on the real model (see the file comment).
/// `pred` is corrected in place by the measured histograms; `measure` is called
/// once per round. Rounds that are not accepted still count towards the best
/// measured design. Throws what cosearch and `measure` throw.
template <cost::cost_model Cost = cost::hass>
inline verified_cosearch_result verified_cosearch(const network& net, const board& b, predictor& pred,
                                                  const accuracy_oracle& oracle, const measure_fn& measure,
                                                  const cosearch_options& co = {}, const verify_options& vo = {}) {
    if (vo.rounds < 1) hass::detail::fail("verified co-search: rounds must be >= 1, got " + std::to_string(vo.rounds));
    if (!(vo.throughput_tolerance >= 0))
        hass::detail::fail("verified co-search: the throughput tolerance must be >= 0");
    if (!(vo.joint_radius > 0)) hass::detail::fail("verified co-search: joint_radius must be > 0");
    if (!measure) hass::detail::fail("verified co-search: no measurement function");
    auto corr = std::make_shared<detail::verify::corrected_oracle>();
    corr->base = oracle;
    corr->radius = vo.joint_radius;
    for (std::size_t s = 0; s < pred.size(); ++s) {
        corr->w_range.push_back(pred.tau_w_range(s));
        corr->a_range.push_back(pred.tau_a_range(s));
    }
    corr->base_batch = co.batch_oracle;
    const accuracy_oracle search_oracle =
        oracle ? accuracy_oracle([corr](std::span<const threshold_pair> y) { return (*corr)(y); }) : accuracy_oracle();
    cosearch_options sco = co;
    if (co.batch_oracle)
        sco.batch_oracle = [corr](std::span<const std::vector<threshold_pair>> ys) { return (*corr)(ys); };

    verified_cosearch_result out;
    out.batch = co.folding.batch;
    const count_t batch = co.folding.batch;
    double best_fps = -1;
    cosearch_result last;
    for (int round = 1; round <= vo.rounds; ++round) {
        cosearch_result r = cosearch<Cost>(net, b, pred, search_oracle, sco);
        verify_round v;
        v.round = round;
        v.thresholds = r.best.thresholds;
        v.predicted_drop = r.best.drop;
        v.dense_fallback = r.dense_fallback;
        if (r.dense_design.found) v.dense_fps = r.dense_design.report.batch_throughput(batch);
        if (!r.design.found) {
            out.rounds.push_back(std::move(v));
            out.stop_reason = "round " + std::to_string(round) + ": no design fits: " + r.design.message;
            if (out.chosen_round == 0) last = std::move(r);
            break;
        }
        v.predicted_fps = r.design.report.batch_throughput(batch);

        const measurement m = measure(r.best.thresholds);
        if (!std::isfinite(m.drop))
            hass::detail::fail("verified co-search: the measurement returned a drop that is not a finite number");
        if (!m.products.empty() && m.products.size() != pred.size())
            hass::detail::fail("verified co-search: the measurement gave histograms for " +
                               std::to_string(m.products.size()) + " layers, the statistics have " +
                               std::to_string(pred.size()));
        for (std::size_t s = 0; s < m.products.size(); ++s) // one shape check for both uses below
            if (m.products[s] && (m.products[s]->channels != pred.channels(s) || m.products[s]->kernel != pred.kernel(s)))
                hass::detail::fail("verified co-search: layer '" + pred.name(s) + "': the measured histograms are " +
                                   std::to_string(m.products[s]->channels) + " channels x " +
                                   std::to_string(m.products[s]->kernel) + " kernel, the statistics " +
                                   std::to_string(pred.channels(s)) + " x " + std::to_string(pred.kernel(s)));
        v.measured_drop = m.drop;
        network measured = r.sparse_network;
        for (std::size_t s = 0; s < m.products.size(); ++s) {
            if (!m.products[s] || !pred.convolution(s)) continue;
            auto& l = measured.layers[static_cast<std::size_t>(pred.network_index(s))];
            if (!l.is_sparse()) continue; // the layer is built dense at this point: its histograms do not matter
            l.sparsity = *m.products[s];
            ++v.layers_measured;
        }
        const bool any_products = std::any_of(m.products.begin(), m.products.end(), [](const auto& p) { return p.has_value(); });
        if (any_products) {
            const design_report rep =
                evaluate<Cost>(measured, r.design.folding, b, {co.folding.cap, co.folding.batch, co.folding.bram_to_lut});
            v.measured_fps = rep.fits ? rep.batch_throughput(batch) : 0.0;
            v.throughput_measured = true;
        }
        const bool within_budget = m.drop <= co.budget;
        const double fps_now = v.throughput_measured ? v.measured_fps : v.predicted_fps;
        if (within_budget && fps_now > best_fps) {
            best_fps = fps_now;
            out.chosen_round = round;
            out.result = std::move(r);
            out.measured_network = std::move(measured);
        }
        else if (out.chosen_round == 0)
            last = std::move(r); // reported when no round is within the budget (r is not used below)
        const bool fps_ok = !v.throughput_measured ||
                            std::abs(v.measured_fps / v.predicted_fps - 1.0) <= vo.throughput_tolerance;
        out.rounds.push_back(v);
        if (vo.on_round) vo.on_round(out.rounds.back());
        if (within_budget && fps_ok) {
            out.verified = true;
            out.stop_reason = "round " + std::to_string(round) + ": the measured drop is within the budget and the "
                              "measured throughput within " + detail::num(100 * vo.throughput_tolerance) +
                              "% of the prediction";
            break;
        }
        if (round == vo.rounds) {
            out.stop_reason = "the last round (" + std::to_string(vo.rounds) + ") did not verify: " +
                              (within_budget ? std::string("the measured throughput is ") +
                                                   detail::num(100 * (v.measured_fps / v.predicted_fps - 1.0)) +
                                                   "% off the prediction"
                                             : "the measured drop " + detail::num(m.drop) + " is over the budget " +
                                                   detail::num(co.budget));
            break;
        }
        // feed back
        std::string fb;
        if (std::abs(m.drop - v.predicted_drop) > 1e-12) {
            const double base = corr->base_drop(v.thresholds);
            auto same = std::find_if(corr->points.begin(), corr->points.end(),
                                     [&](const auto& p) { return corr->distance(v.thresholds, p.x) == 0; });
            if (same != corr->points.end())
                same->measured = m.drop;
            else
                corr->points.push_back({v.thresholds, base, m.drop});
            fb = "measured accuracy point";
        }
        if (vo.correct_statistics && any_products) {
            std::size_t n = 0;
            for (std::size_t s = 0; s < m.products.size(); ++s) {
                if (!m.products[s] || !pred.convolution(s)) continue;
                pred.correct(s, *m.products[s], v.thresholds[s]);
                ++n;
            }
            if (n > 0) fb += std::string(fb.empty() ? "" : ", ") + "statistics of " + std::to_string(n) + " layers corrected";
        }
        out.rounds.back().feedback = fb.empty() ? "nothing to feed back" : fb;
    }
    if (out.chosen_round == 0) {
        out.result = std::move(last);
        if (out.stop_reason.find("no design fits") == std::string::npos)
            out.stop_reason += "; no round's design is within the budget when measured";
    }
    return out;
}

} // namespace hass::sparsity
