// Verify and refine: the co-search's chosen design measured on a "real" model,
// the measurement fed back (a measured accuracy point, corrected statistics),
// and the search run again until the measured drop is within the budget.
#include <catch2/catch.hpp>

#include "cosearch_problem.hpp"
#include <hass/hass.hpp>
#include <hass/sparsity/synthetic.hpp>
#include <hass/sparsity/verify.hpp>

#include <cmath>
#include <memory>
#include <numeric>
#include <vector>

namespace {

using hass_test::problem;
using hass_test::small_board;

hass::sparsity::cosearch_options quick(double budget) {
    hass::sparsity::cosearch_options co;
    co.budget = budget;
    co.exact_front_points = 2;
    return co;
}

} // namespace

TEST_CASE("the measured-point correction of the oracle: one scale everywhere, exact at the points, local rests",
          "[verify]") {
    using tp = hass::sparsity::threshold_pair;
    hass::sparsity::detail::verify::corrected_oracle o;
    // base: 1 point per unit of tau_w of the first layer
    o.base = [](std::span<const tp> t) { return t[0].tau_w; };
    o.w_range = {{0.0, 1.0}, {0.0, 1.0}};
    o.a_range = {{0.0, 0.0}, {0.0, 0.0}}; // one-point grids: not a dimension
    o.radius = 0.25;
    const std::vector<tp> x1{{0.5, 0.0}, {0.5, 0.0}}, x2{{0.9, 0.0}, {0.9, 0.0}};
    // one point, measured 3x the base: s = 0.5 * 1.5 / 0.25 = 3, no local rest
    o.points.push_back({x1, 0.5, 1.5});
    CHECK(o.scale() == Approx(3.0).epsilon(1e-12));
    CHECK(o(x1) == Approx(1.5).epsilon(1e-12));
    const std::vector<tp> far{{0.8, 0.0}, {0.8, 0.0}}; // beyond R of x1: the scale alone, 3 * 0.8
    CHECK(o(far) == Approx(2.4).epsilon(1e-12));
    // two points: s = (0.5 * 1.5 + 0.9 * 2.0) / (0.25 + 0.81) = 255/106;
    // rests e1 = 1.5 - 0.5 s = 31.5/106, e2 = 2.0 - 0.9 s < 0
    o.points.push_back({x2, 0.9, 2.0});
    CHECK(o.scale() == Approx(255.0 / 106.0).epsilon(1e-12));
    CHECK(o(x1) == Approx(1.5).epsilon(1e-12)); // exact at the measured points
    CHECK(o(x2) == Approx(2.0).epsilon(1e-12));
    // r1 = sqrt((0.1^2 + 0.1^2) / 2) = 0.1: w1 = 1 - 0.1 / 0.25 = 0.6; r2 = 0.3 > R:
    // 0.6 s + 0.6 e1 = 0.6 * 286.5 / 106
    const std::vector<tp> near{{0.6, 0.0}, {0.6, 0.0}};
    CHECK(o(near) == Approx(0.6 * 286.5 / 106).epsilon(1e-12));
    // r1 = 0.05: w1 = 0.8; p(y) = 0.45 < p(x1) = 0.5: the rest scales by 0.9:
    // 0.45 s + 0.8 * 0.9 * e1 = (114.75 + 22.68) / 106
    const std::vector<tp> lower{{0.45, 0.0}, {0.45, 0.0}};
    CHECK(o(lower) == Approx(137.43 / 106).epsilon(1e-12));
    // the scale is clamped to [1/4, 4]: measured 2.5 where the base says 0.5 gives 4, not 5
    hass::sparsity::detail::verify::corrected_oracle c = o;
    c.points = {{x1, 0.5, 2.5}};
    CHECK(c.scale() == 4.0);
    CHECK(c(x1) == Approx(2.5).epsilon(1e-12));
    CHECK(c(far) == Approx(3.2).epsilon(1e-12));
    c.points = {{x1, 0.5, 0.01}};
    CHECK(c.scale() == 0.25);
    // without a point where the base gives a drop, no scale
    c.points = {{x1, 0.0, 0.7}};
    CHECK(c.scale() == 1.0);
    // the smallest thresholds keep the base's drop (p = 0), even within R and with a scale
    c.base = [](std::span<const tp> t) { return t[0].tau_w + 0.1; };
    c.points = {{x1, 0.6, 1.8}};
    c.radius = 10;
    const std::vector<tp> smallest{{0.0, 0.0}, {0.0, 0.0}};
    CHECK(c(smallest) == Approx(0.1).epsilon(1e-12));
    // a negative rest never makes a drop negative: s = 1/4 (clamped), e = 0 - 2 s = -0.5;
    // base 0.4, r = 0.1, reach 0.8: 0.1 - 0.6 * 0.8 * 0.5 < 0 -> 0
    o.points = {{x1, 2.0, 0.0}};
    const std::vector<tp> below{{0.4, 0.0}, {0.4, 0.0}};
    CHECK(o(below) == 0.0);
}

TEST_CASE("predictor::correct makes the prediction at the measured thresholds the measurement", "[verify]") {
    problem p;
    const std::size_t s = 1;
    const hass::sparsity::threshold_pair at{p.pred.tau_w_grid(s)[2], p.pred.tau_a_grid(s)[1]};
    auto measured = p.pred.predict_copy(s, at.tau_w, at.tau_a);
    const auto row = static_cast<std::size_t>(measured.kernel + 1);
    // the real layer has fewer zeros: every row is the composed row moved one bin to the left
    for (std::size_t c = 0; c < static_cast<std::size_t>(measured.channels); ++c) {
        double* h = measured.histogram.data() + c * row;
        std::vector<double> v(row, 0.0);
        v[0] = h[0] + h[1];
        for (std::size_t z = 1; z + 1 < row; ++z) v[z] = h[z + 1];
        std::copy(v.begin(), v.end(), h);
    }
    const auto composed_other = p.pred.predict_copy(s, p.pred.tau_w_grid(s)[4], p.pred.tau_a_grid(s)[1]);
    const auto composed_at = p.pred.predict_copy(s, at.tau_w, at.tau_a);
    REQUIRE_FALSE(p.pred.corrected(s));
    p.pred.correct(s, measured, at);
    CHECK(p.pred.corrected(s));
    const auto after = p.pred.predict_copy(s, at.tau_w, at.tau_a);
    for (std::size_t j = 0; j < after.histogram.size(); ++j) CHECK(after.histogram[j] == Approx(measured.histogram[j]).margin(1e-12));
    // elsewhere: composed + (measured - composed at), clipped at 0, rows renormalised
    const auto other = p.pred.predict_copy(s, p.pred.tau_w_grid(s)[4], p.pred.tau_a_grid(s)[1]);
    for (std::size_t c = 0; c < 3; ++c) {
        std::vector<double> v(row);
        double sum = 0;
        for (std::size_t z = 0; z < row; ++z) {
            const std::size_t j = c * row + z;
            v[z] = std::max(0.0, composed_other.histogram[j] + measured.histogram[j] - composed_at.histogram[j]);
            sum += v[z];
        }
        for (std::size_t z = 0; z < row; ++z) CHECK(other.histogram[c * row + z] == Approx(v[z] / sum).margin(1e-12));
    }
    // other layers are untouched
    CHECK_FALSE(p.pred.corrected(0));
    // a measurement of the wrong shape names the layer
    auto wrong = measured;
    wrong.channels += 1;
    CHECK_THROWS_WITH(p.pred.correct(s, wrong, at), Catch::Contains("conv2") && Catch::Contains("channels"));
}

TEST_CASE("verified co-search: a real model that drops more than the table is refined until within budget",
          "[verify]") {
    problem p;
    // the "real" model: every drop 1.8x what the table says (pruning everywhere at once hurts more)
    auto table = p.oracle;
    int measures = 0;
    const hass::sparsity::measure_fn measure = [&](std::span<const hass::sparsity::threshold_pair> t) {
        ++measures;
        hass::sparsity::measurement m;
        m.drop = 1.8 * table(t);
        return m;
    };
    const double budget = 1.0;
    hass::sparsity::verify_options vo;
    vo.rounds = 8;
    const auto v = hass::sparsity::verified_cosearch(p.net, small_board, p.pred, p.oracle, measure, quick(budget), vo);
    REQUIRE(v.rounds.size() >= 2); // the first round's design breaks the budget when measured
    CHECK(v.rounds.front().measured_drop > budget);
    CHECK(v.rounds.front().measured_drop == Approx(1.8 * v.rounds.front().predicted_drop));
    CHECK(v.rounds.front().feedback == "measured accuracy point");
    CHECK(measures == static_cast<int>(v.rounds.size()));
    REQUIRE(v.chosen_round > 0);
    CHECK(v.rounds[static_cast<std::size_t>(v.chosen_round - 1)].measured_drop <= budget);
    CHECK(v.result.design.found);
    // the chosen design still beats the dense design
    CHECK(v.rounds[static_cast<std::size_t>(v.chosen_round - 1)].predicted_fps > v.rounds.front().dense_fps);
    // a uniform under-prediction is learnt from the first measured point (the scale s = 1.8 applies everywhere),
    // so the second round is already within budget; a purely local correction needed 6 rounds here
    CHECK(v.verified);
    CHECK(v.rounds.size() <= 3);
    CHECK(v.stop_reason.find("within the budget") != std::string::npos);
}

TEST_CASE("verified co-search: measured histograms set the measured throughput and correct the statistics",
          "[verify]") {
    problem p;
    hass::sparsity::predictor truth{p.synth.statistics, p.net};
    const hass::sparsity::measure_fn measure = [&](std::span<const hass::sparsity::threshold_pair> t) {
        hass::sparsity::measurement m;
        m.drop = p.oracle(t);
        m.products.resize(truth.size());
        for (std::size_t s = 0; s < truth.size(); ++s) {
            // the real activations are denser than composed: half of each row's zeros-bins mass
            // moves to the dense end (z = 0)
            auto st = truth.predict_copy(s, t[s].tau_w, t[s].tau_a);
            const auto row = static_cast<std::size_t>(st.kernel + 1);
            for (std::size_t c = 0; c < static_cast<std::size_t>(st.channels); ++c) {
                double moved = 0;
                for (std::size_t z = 1; z < row; ++z) {
                    moved += 0.5 * st.histogram[c * row + z];
                    st.histogram[c * row + z] *= 0.5;
                }
                st.histogram[c * row] += moved;
            }
            m.products[s] = st;
        }
        return m;
    };
    const auto v = hass::sparsity::verified_cosearch(p.net, small_board, p.pred, p.oracle, measure, quick(1.0));
    REQUIRE_FALSE(v.rounds.empty());
    const auto& r1 = v.rounds.front();
    CHECK(r1.throughput_measured);
    CHECK(r1.layers_measured > 0);
    // denser than predicted: slower than predicted, by more than the 2% tolerance
    CHECK(r1.measured_fps < 0.98 * r1.predicted_fps);
    REQUIRE(v.rounds.size() >= 2);
    CHECK(r1.feedback.find("statistics of 3 layers corrected") != std::string::npos);
    for (std::size_t s = 0; s < p.pred.size(); ++s) CHECK(p.pred.corrected(s) == p.pred.convolution(s));
    // the next round predicts from the corrected statistics: within the tolerance of its measurement
    const auto& last = v.rounds.back();
    CHECK(std::abs(last.measured_fps / last.predicted_fps - 1.0) <= 0.02);
    CHECK(v.verified);
    CHECK(v.rounds.size() <= 4);
}

TEST_CASE("verified co-search: bad measurements and options are errors naming the problem", "[verify]") {
    problem p;
    const hass::sparsity::measure_fn nan = [](std::span<const hass::sparsity::threshold_pair>) {
        hass::sparsity::measurement m;
        m.drop = std::nan("");
        return m;
    };
    CHECK_THROWS_WITH(hass::sparsity::verified_cosearch(p.net, small_board, p.pred, p.oracle, nan, quick(1.0)),
                      Catch::Contains("not a finite number"));
    const hass::sparsity::measure_fn short_products = [](std::span<const hass::sparsity::threshold_pair>) {
        hass::sparsity::measurement m;
        m.products.resize(1);
        return m;
    };
    CHECK_THROWS_WITH(hass::sparsity::verified_cosearch(p.net, small_board, p.pred, p.oracle, short_products, quick(1.0)),
                      Catch::Contains("histograms for 1 layers"));
    hass::sparsity::verify_options vo;
    vo.rounds = 0;
    CHECK_THROWS_WITH(hass::sparsity::verified_cosearch(p.net, small_board, p.pred, p.oracle, nan, quick(1.0), vo),
                      Catch::Contains("rounds must be >= 1"));
}

TEST_CASE("verified co-search passes a batch oracle through its corrected oracle", "[verify][batch]") {
    namespace sp = hass::sparsity;
    const auto run = [](bool batch) {
        problem p;
        auto table = p.oracle;
        const sp::measure_fn measure = [table](std::span<const sp::threshold_pair> t) {
            sp::measurement m;
            m.drop = 1.8 * table(t);
            return m;
        };
        sp::verify_options vo;
        vo.rounds = 3;
        auto co = quick(1.0);
        auto calls = std::make_shared<std::size_t>(0);
        if (batch)
            co.batch_oracle = [table, calls](std::span<const std::vector<sp::threshold_pair>> c) {
                ++*calls;
                std::vector<double> d;
                for (const auto& t : c) d.push_back(table(t));
                return d;
            };
        auto v = sp::verified_cosearch(p.net, small_board, p.pred, batch ? sp::accuracy_oracle{} : p.oracle, measure, co, vo);
        return std::pair{std::move(v), *calls};
    };
    const auto [single, no_calls] = run(false);
    const auto [batched, calls] = run(true);
    CHECK(no_calls == 0);
    CHECK(calls > 0);
    CHECK(static_cast<hass::count_t>(calls) < single.result.oracle_calls);
    REQUIRE(single.rounds.size() == batched.rounds.size());
    REQUIRE(single.rounds.size() >= 2); // the measured point corrects the second round's oracle
    for (std::size_t i = 0; i < single.rounds.size(); ++i) {
        CHECK(single.rounds[i].thresholds == batched.rounds[i].thresholds);
        CHECK(single.rounds[i].predicted_drop == batched.rounds[i].predicted_drop);
        CHECK(single.rounds[i].predicted_fps == batched.rounds[i].predicted_fps);
    }
    CHECK(single.chosen_round == batched.chosen_round);
}
