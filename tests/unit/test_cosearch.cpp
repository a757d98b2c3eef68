// The HASS co-search: thresholds and folding together under an accuracy budget.
#include <catch2/catch.hpp>

#include "cosearch_problem.hpp"
#include <hass/hass.hpp>
#include <hass/sparsity/cosearch.hpp>
#include <hass/sparsity/synthetic.hpp>
#include <hass/zoo/zoo.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <limits>
#include <map>
#include <memory>
#include <span>
#include <vector>

namespace {

using hass_test::problem;
using hass_test::small_board;

} // namespace

TEST_CASE("the incremental hardware estimate matches evaluate_layer on sparse options", "[cosearch]") {
    problem p;
    hass::sparsity::cosearch_hardware hw(p.net, small_board, p.pred, {});
    // the layer's predicted statistics at a grid point, then every folding on its staircase
    // must be reachable: the fastest estimate equals the fastest evaluate_layer over foldings
    for (std::size_t s = 0; s < p.pred.size(); ++s) {
        const auto& st = hw.layer_staircase(s, 3, static_cast<std::uint8_t>(p.pred.tau_a_grid(s).size() > 1 ? 2 : 0));
        hass::layer l = p.net.layers[static_cast<std::size_t>(p.pred.network_index(s))];
        l.sparsity = p.pred.predict_copy(s, p.pred.tau_w_grid(s)[3], p.pred.tau_a_grid(s)[p.pred.tau_a_grid(s).size() > 1 ? 2 : 0]);
        l.sparsity.prepare();
        hass::count_t fastest = std::numeric_limits<hass::count_t>::max(), slowest = 0;
        double least_dsp = std::numeric_limits<double>::infinity();
        for (const auto& f : hass::enumerate_foldings(l, small_board)) {
            if (!hass::is_valid_folding(l, f)) continue;
            const auto perf = hass::evaluate_layer(l, f);
            fastest = std::min(fastest, perf.latency);
            slowest = std::max(slowest, perf.latency);
            least_dsp = std::min(least_dsp, static_cast<double>(perf.used.dsp));
        }
        INFO(p.pred.name(s));
        CHECK(st.latency.front() == fastest);
        CHECK(st.latency.back() <= slowest);
        CHECK(st.least.back()[0] == least_dsp); // the least DSP of any folding, at the last step
        // a step that lowers no resource is left out: every step lowers one
        for (std::size_t i = 1; i < st.least.size(); ++i) {
            bool lower = false;
            for (std::size_t d = 0; d < hass::sparsity::staircase::dims; ++d) lower = lower || st.least[i][d] < st.least[i - 1][d];
            CHECK(lower);
        }
    }
}

TEST_CASE("the estimate charges streamed weights by their traffic", "[cosearch]") {
    // docs/sparsity.md, "Scoring a candidate": the traffic sums M + w*S, w = 1, 1/64, 1/1024,
    // within the on-chip capacity C plus w*(T*bpc - io). A board of 100 BRAM18, 1,000 LUT and
    // no URAM: C = 100*18432 + 1000*64 = 1,907,200 bits; 100 Gbit/s at 100 MHz: bpc = 1,000.
    problem p;
    const hass::board b{"traffic", "none", {1000, 1000, 100000, 100, 0}, 100, 100};
    hass::sparsity::cosearch_hardware hw(p.net, b, p.pred, {});
    double io = static_cast<double>(p.net.input.size() * 16);
    for (int out : p.net.outputs())
        io += static_cast<double>(p.net.layers[static_cast<std::size_t>(out)].out.size() *
                                  p.net.layers[static_cast<std::size_t>(out)].width.data);
    // one layer, two foldings at latency 100: weights on chip in 150 BRAM18 (M = 2,764,800
    // bits), or streamed (no BRAM), each weight read 64 times per image: S = 64 * 2,764,800
    namespace cs = hass::sparsity::detail::cosearch;
    hass::resources on_chip, streamed;
    on_chip.bram18 = 150;
    const double m_on = 150.0 * 18432.0, s = 64.0 * m_on;
    const auto layer = cs::make_staircase({{100, cs::usage(on_chip)}, {100, cs::usage(streamed, s)}});
    REQUIRE(layer.least.size() == 1);
    const double c = 100.0 * 18432.0 + 1000.0 * 64.0;
    // w = 1 alone would allow T = (M - C + io)/bpc: keep M on chip, "stream" what does not fit once.
    // w = 1/64: min(M, S/64) = M <= C + (T*bpc - io)/64: T >= (64*(M - C) + io)/bpc, 64 times
    // the overflow; w = 1/1024: min(M, S/1024) = M/16 = 172,800 <= C at any T.
    const auto e = hw.estimate_ii({&layer});
    CHECK(e.ii == static_cast<hass::count_t>(std::ceil((64.0 * (m_on - c) + io) / 1000.0)));
    CHECK(e.ii > static_cast<hass::count_t>(std::ceil((m_on - c + io) / 1000.0)) * 32);
}

TEST_CASE("the surrogate sums tie a layer's resources to one folding", "[cosearch]") {
    // docs/sparsity.md, "Scoring a candidate": three layers, each with two foldings at
    // latency 100, A = 10 DSP, B = 10 BRAM18, on a board of 10 DSP, 10 BRAM18 and 1,440
    // LUT (no URAM, no bandwidth). Per resource the least use is 0 DSP and 0 BRAM18 in
    // every layer: the relaxation fits at T = 100. A design needs 30 units of the 20,
    // or 10 BRAM18 moved to 2,880 LUT of the 1,440: none fits.
    // Priced 0.4 DSP + 0.2 LUT + 0.4 BRAM18 per unit of budget (a BRAM18 at 0.4/10,
    // within the 288 LUT it may move to, 288 x 0.2/1,440 = 0.04), every folding costs
    // 0.4: three cost 1.2 > 1, nothing fits; two cost 0.8, they fit.
    problem p;
    const hass::board b{"two", "none", {10, 1440, 1000000, 10, 0}, 100, 0};
    hass::sparsity::cosearch_hardware hw(p.net, b, p.pred, {});
    namespace cs = hass::sparsity::detail::cosearch;
    hass::resources a, bb;
    a.dsp = 10;
    bb.bram18 = 10;
    const auto layer_of = [&] {
        auto ua = cs::usage(a), ub = cs::usage(bb);
        hw.price(ua);
        hw.price(ub);
        return cs::make_staircase({{100, ua}, {100, ub}});
    };
    constexpr std::size_t first = hass::sparsity::staircase::first_surrogate_dim;
    for (std::size_t k = 0; k < hass::sparsity::staircase::surrogates; ++k) hw.set_surrogate_prices(k, {}, 0);
    {
        const auto l1 = layer_of(), l2 = layer_of(), l3 = layer_of();
        CHECK(hw.estimate_ii({&l1, &l2, &l3}).ii == 100);
    }
    hw.set_surrogate_prices(0, {0.4, 0.2, 0, 0.4, 0, 0}, 0);
    const auto l1 = layer_of(), l2 = layer_of(), l3 = layer_of();
    CHECK(l1.least.back()[first] == Approx(0.4));
    CHECK(hw.estimate_ii({&l1, &l2, &l3}).ii == 0);
    CHECK(hw.estimate_ii({&l1, &l2}).ii == 100);

    // the Lagrangian dual finds such prices: max over prices on the simplex with
    // p_bram <= 2 p_lut (288 x 10 / 1,440) of 3 min(p_dsp, p_bram) - 1 is at
    // p = (0.4, 0.2, 0, 0.4): 0.2. Its value is never above that maximum.
    hass::sparsity::cosearch_hardware::option_list one{{100, cs::usage(a)}, {100, cs::usage(bb)}};
    const auto d = hw.dual_prices({one, one, one}, 100);
    CHECK(d.value <= 0.2 + 1e-9);
    CHECK(d.value > 0.17);
    CHECK(d.prices[0] == Approx(0.4).margin(0.05));
    CHECK(d.prices[3] == Approx(0.4).margin(0.05));
    CHECK(d.prices[3] <= 2 * d.prices[1] * (1 + 1e-9));
    // two layers fit (A and B): the dual proves nothing there
    CHECK(hw.dual_prices({one, one}, 100).value <= 1e-9);
    // a layer with no folding at the target: nothing fits at any prices
    CHECK(hw.dual_prices({one, one}, 99).value == std::numeric_limits<double>::infinity());
}

TEST_CASE("the estimate charges the skip FIFOs of identity shortcuts, a bound on evaluate's", "[cosearch]") {
    // docs/sparsity.md, "Scoring a candidate": resnet18's layer1.0.add (7) adds conv2 (6) to
    // the split (3) after the maxpool; the chain 4, 5, 6 is charged w = 16 bits per cycle of
    // depth, the add (64 - x) w - max(1024, 32 w), x = C + 1 = 65 in hass's model:
    // (64 - 65) 16 - 1024 = -1,040 bits (C = 64); x = 2C = 128 in fpgaConvNet's: -2,048 bits.
    // layer2.0.add (20) has a downsampling shortcut: no charge from it.
    const hass::network net = hass::zoo::get("resnet18");
    using hw_t = hass::sparsity::cosearch_hardware;
    const auto f = hw_t::fifo_bits(net, {});
    const auto ref = hw_t::fifo_bits(net, {}, true);
    CHECK(ref.constant[7] == -2048.0);
    CHECK(ref.per_cycle == f.per_cycle);
    for (std::size_t i : {4, 5, 6, 10, 11, 12}) CHECK(f.per_cycle[i] == 16.0);
    for (std::size_t i : {3, 7, 8, 9, 16, 17, 18, 19}) CHECK(f.per_cycle[i] == 0.0);
    CHECK(f.constant[7] == -1040.0);
    CHECK(f.constant[13] == -1040.0);
    CHECK(f.constant[20] == 0.0);
    // a partition starting at layer 10 cuts layer1.1's block (split 9, add 13): no FIFO there
    const auto cut = hw_t::fifo_bits(net, {10});
    for (std::size_t i : {10, 11, 12}) CHECK(cut.per_cycle[i] == 0.0);
    CHECK(cut.constant[13] == 0.0);
    CHECK(cut.per_cycle[4] == 16.0);
    CHECK(cut.constant[7] == -1040.0);
    // the charge is a lower bound on the FIFO memory hass::evaluate gives at every charged
    // add, in either cost model, on foldings slow (every factor 1) and faster (coarse 2
    // wherever it divides)
    std::vector<hass::folding> slow = hass::unit_folding(net), faster = slow;
    for (std::size_t i = 0; i < net.size(); ++i) {
        hass::folding g = slow[i];
        g.coarse_in = g.coarse_out = 2;
        if (hass::is_valid_folding(net.layers[i], g)) faster[i] = g;
    }
    for (const auto* fold : {&slow, &faster}) {
        for (const bool reference : {false, true}) {
            const hass::design_report r =
                reference ? hass::evaluate<hass::cost::fpgaconvnet>(net, *fold, hass::boards::u250::spec)
                          : hass::evaluate(net, *fold, hass::boards::u250::spec);
            INFO((reference ? "fpgaconvnet" : "hass") << (fold == &slow ? ", every factor 1" : ", coarse 2"));
            double charged_all = 0, held_all = 0;
            std::size_t blocks = 0;
            const auto& charges = reference ? ref : f;
            for (std::size_t e = 0; e < net.size(); ++e) {
                if (charges.constant[e] == 0.0) continue;
                ++blocks;
                // the block's chain: the layers after its split (the add's earlier input)
                const int split = std::min(net.layers[e].inputs[0], net.layers[e].inputs[1]);
                double charged = charges.constant[e];
                for (std::size_t i = static_cast<std::size_t>(split) + 1; i < e; ++i)
                    charged += charges.per_cycle[i] * static_cast<double>(r.layers[i].pipeline_depth);
                const double held = static_cast<double>(r.layers[e].fifo_bram) * 18432.0;
                INFO(net.layers[e].name.str());
                CHECK(charged > 0);
                CHECK(charged <= held);
                charged_all += charged;
                held_all += held;
            }
            CHECK(blocks == 5); // layer1.0, layer1.1, layer2.1, layer3.1, layer4.1
            // and not a loose one: with every factor 1, most of the memory (a BRAM18 holds
            // 1,024 words of 16 bits, not 18); with coarse 2 the add holds one FIFO per
            // stream and the charge counts one of the two
            CHECK(charged_all >= (fold == &slow ? 0.75 : 0.375) * held_all);
        }
    }
}

TEST_CASE("the surrogate prices are valid: on the simplex, a BRAM18 at most 288 LUT", "[cosearch]") {
    // the prices the hardware sets itself (set_prices): >= 0, summing to 1, and a BRAM18
    // priced at most as the 288 LUT it may move to (else a design that moves BRAM to
    // LUTRAM could exceed the priced budget, and the estimate would not bound it)
    problem p;
    hass::sparsity::cosearch_hardware hw(p.net, small_board, p.pred, {});
    const auto budget = small_board.capped({});
    bool priced = false;
    for (std::size_t k = 0; k < hass::sparsity::staircase::surrogates; ++k) {
        const auto& pr = hw.price_vector(k);
        double sum = 0;
        for (double x : pr) {
            CHECK(x >= 0);
            sum += x;
        }
        if (sum == 0) continue;
        priced = true;
        CHECK(sum == Approx(1.0));
        CHECK(pr[3] / static_cast<double>(budget.bram18) <= 288.0 * pr[1] / static_cast<double>(budget.lut) * (1 + 1e-9));
        // a fixed layer's least surrogate sum is the least priced use over its foldings
        for (std::size_t i = 0; i < p.net.size(); ++i) {
            if (hw.stats_index(i) >= 0) continue;
            hass::layer l = p.net.layers[i];
            const auto opts = hass::make_layer_options(l, small_board, true);
            double least = std::numeric_limits<double>::infinity();
            for (const auto& o : opts.options) {
                double v = pr[0] * static_cast<double>(o.used.dsp) / static_cast<double>(budget.dsp) +
                           pr[1] * static_cast<double>(o.used.lut) / static_cast<double>(budget.lut) +
                           pr[2] * static_cast<double>(o.used.ff) / static_cast<double>(budget.ff) +
                           pr[3] * static_cast<double>(o.used.bram18) / static_cast<double>(budget.bram18);
                if (budget.uram > 0) v += pr[4] * static_cast<double>(o.used.uram) / static_cast<double>(budget.uram);
                if (hw.surrogate_scale(k) > 0) v += pr[5] * static_cast<double>(o.offchip_bits) / hw.surrogate_scale(k);
                least = std::min(least, v);
            }
            CHECK(hw.fixed(i).least.back()[hass::sparsity::staircase::first_surrogate_dim + k] == Approx(least));
        }
    }
    CHECK(priced);
}

TEST_CASE("the estimate's hint changes its time, never its answer", "[cosearch]") {
    // every grid point of conv2 with the others at their smallest thresholds: the same
    // II with no hint, a hint at the answer, one off, far below and far above it
    problem p;
    hass::sparsity::cosearch_hardware hw(p.net, small_board, p.pred, {});
    std::vector<const hass::sparsity::staircase*> layers(p.net.size());
    std::size_t checked = 0;
    for (std::uint8_t iw = 0; iw < p.pred.tau_w_grid(1).size(); ++iw)
        for (std::uint8_t ia = 0; ia < p.pred.tau_a_grid(1).size(); ++ia) {
            for (std::size_t i = 0; i < p.net.size(); ++i) {
                const int s = hw.stats_index(i);
                layers[i] = s < 0 ? &hw.fixed(i)
                                  : &hw.layer_staircase(static_cast<std::size_t>(s), s == 1 ? iw : 0, s == 1 ? ia : 0);
            }
            const auto plain = hw.estimate_ii(layers);
            REQUIRE(plain.ii > 0);
            for (const hass::count_t h : {plain.ii, plain.ii - 1, plain.ii + 1, plain.ii / 3, plain.ii * 3, hass::count_t{1}}) {
                const auto hinted = hw.estimate_ii(layers, -1, h);
                CHECK(hinted.ii == plain.ii);
                CHECK(hinted.dsp == plain.dsp);
            }
            ++checked;
        }
    CHECK(checked > 4);
}

TEST_CASE("greedy co-search stays within the accuracy budget and beats the dense design", "[cosearch]") {
    problem p;
    hass::sparsity::cosearch_options o;
    o.budget = 1.0;
    o.exact_front_points = 3;
    const auto r = hass::sparsity::cosearch(p.net, small_board, p.pred, p.oracle, o);
    CHECK(r.best.drop <= 1.0);
    REQUIRE(r.design.found);
    REQUIRE(r.dense_design.found);
    // the exact design of the sparse network is within budget
    const auto check = hass::evaluate(r.sparse_network, r.design.folding, small_board);
    CHECK(check.fits);
    CHECK(r.best.throughput >= r.dense_design.report.throughput());
    // the estimate is the relaxation bound: never slower than the exact design
    CHECK(r.best.throughput_estimate >= r.best.throughput * (1 - 1e-9));
    CHECK(r.candidates > 0);
    CHECK(r.front.size() >= 1);
}

TEST_CASE("the Pareto front is non-dominated and sorted by drop", "[cosearch]") {
    problem p;
    hass::sparsity::cosearch_options o;
    o.method = hass::sparsity::cosearch_method::tpe;
    o.tpe_iterations = 60;
    o.tpe_startup = 20;
    o.exact_front_points = 0;
    const auto r = hass::sparsity::cosearch(p.net, small_board, p.pred, p.oracle, o);
    for (std::size_t i = 1; i < r.front.size(); ++i) {
        CHECK(r.front[i].drop >= r.front[i - 1].drop);
        CHECK(r.front[i].throughput_estimate > r.front[i - 1].throughput_estimate);
    }
}

TEST_CASE("tpe co-search is deterministic for a seed", "[cosearch]") {
    problem p;
    hass::sparsity::cosearch_options o;
    o.method = hass::sparsity::cosearch_method::tpe;
    o.tpe_iterations = 40;
    o.tpe_startup = 10;
    o.exact_front_points = 0;
    o.seed = 7;
    const auto a = hass::sparsity::cosearch(p.net, small_board, p.pred, p.oracle, o);
    const auto b = hass::sparsity::cosearch(p.net, small_board, p.pred, p.oracle, o);
    CHECK(a.best.w_index == b.best.w_index);
    CHECK(a.best.a_index == b.best.a_index);
    CHECK(a.best.drop == b.best.drop);
    CHECK(a.design.folding == b.design.folding);
}

TEST_CASE("a zero budget keeps the smallest thresholds", "[cosearch]") {
    problem p;
    hass::sparsity::cosearch_options o;
    o.budget = 0.0;
    o.exact_front_points = 0;
    const auto r = hass::sparsity::cosearch(p.net, small_board, p.pred, p.oracle, o);
    CHECK(r.best.drop == 0.0);
    for (auto i : r.best.w_index) CHECK(i == 0);
}

TEST_CASE("an oracle that returns NaN stops the co-search with the candidate named", "[cosearch]") {
    problem p;
    hass::sparsity::accuracy_oracle bad = [](std::span<const hass::sparsity::threshold_pair>) {
        return std::numeric_limits<double>::quiet_NaN();
    };
    CHECK_THROWS_WITH(hass::sparsity::cosearch(p.net, small_board, p.pred, bad, {}), Catch::Contains("NaN"));
    CHECK_THROWS_WITH(hass::sparsity::cosearch(p.net, small_board, p.pred, p.oracle, {.budget = -1.0}),
                      Catch::Contains("budget"));
}

TEST_CASE("the greedy co-search is not beaten by 1,000 random assignments on the same budget", "[cosearch]") {
    // seeded synthetic statistics and accuracy tables (two problems); the greedy (with
    // its target descent and joint moves) and five streams of 1,000 random assignments
    // each are scored by the same engine (the estimate)
    namespace cs = hass::sparsity::detail::cosearch;
    // the figures docs/sparsity.md quotes (problem seed 2024, random stream 2024):
    // the result's estimate and the random best, per budget
    const std::map<double, std::pair<double, double>> quoted{
        {0.5, {36264.7, 29533.4}}, {1.0, {48828.1, 39377.8}}, {3.0, {93985.0, 59066.7}}};
    for (const std::uint64_t problem_seed : {2024u, 7u})
        for (const double budget : {0.5, 1.0, 3.0}) {
            const hass::network net = hass_test::small_net();
            hass::sparsity::synthetic_options so;
            so.seed = problem_seed;
            const auto synth = hass::sparsity::make_synthetic_problem(net, so);
            hass::sparsity::predictor pred{synth.statistics, net};
            const auto oracle = hass::sparsity::tabulated_oracle(synth.accuracy, synth.statistics);
            hass::sparsity::cosearch_options o;
            o.budget = budget;
            cs::engine e(net, small_board, pred, oracle, o);
            const hass::sparsity::cosearch_point greedy = cs::run_greedy(e);
            REQUIRE(greedy.drop <= budget);
            const std::vector<cs::variable> vars = cs::variables(pred);
            for (const std::uint64_t stream : {1u, 2u, 3u, 7u, 2024u}) {
                std::mt19937_64 rng(stream);
                std::uniform_real_distribution<double> u(0.0, 1.0);
                double best_random = 0;
                int within = 0;
                for (int k = 0; k < 1000; ++k) {
                    std::vector<std::uint8_t> w(pred.size(), 0), a(pred.size(), 0);
                    const double scale = u(rng); // from nearly dense to anywhere on the grids
                    for (const auto& v : vars)
                        cs::set(v, w, a, static_cast<std::uint8_t>(std::floor(scale * u(rng) * static_cast<double>(v.size))));
                    const auto q = e.evaluate(w, a);
                    if (q.drop > budget) continue;
                    ++within;
                    best_random = std::max(best_random, e.objective(q));
                }
                INFO("problem " << problem_seed << ", budget " << budget << ", stream " << stream << ": greedy "
                                << e.objective(greedy) << ", best of " << within
                                << " random assignments within budget " << best_random);
                CHECK(within >= 100);
                CHECK(e.objective(greedy) >= best_random);
                if (problem_seed == 2024 && stream == 2024) {
                    CHECK(e.objective(greedy) == Approx(quoted.at(budget).first).epsilon(1e-5));
                    CHECK(best_random == Approx(quoted.at(budget).second).epsilon(1e-5));
                }
            }
        }
}

TEST_CASE("ties in the estimate are broken by the exact designs", "[cosearch]") {
    // on a board with few DSPs and BRAMs the estimate caps many points at the same
    // II while their exact designs differ (seeded synthetic problems, budget 3)
    namespace sp = hass::sparsity;
    namespace cs = sp::detail::cosearch;
    const hass::board narrow{"narrow", "none", {96, 40000, 80000, 30, 0}, 200, 10};
    // problem seed -> (ties at the best estimate, the exact throughput without the ties: the front and the
    // milestones; seed 7's room point reaches the estimate, 117,785.6 without it)
    const std::map<std::uint64_t, std::pair<std::size_t, double>> cases{{2024, {9, 118764.8}}, {7, {19, 154321.0}}};
    const std::map<std::uint64_t, std::size_t> expected_milestones{{2024, 1}, {7, 2}};
    for (const auto& [seed, expected] : cases) {
        INFO("problem seed " << seed);
        const hass::network net = hass_test::small_net();
        sp::synthetic_options so;
        so.seed = seed;
        const auto synth = sp::make_synthetic_problem(net, so);
        sp::predictor pred{synth.statistics, net};
        const auto oracle = sp::tabulated_oracle(synth.accuracy, synth.statistics);
        sp::cosearch_options o;
        o.budget = 3.0;
        o.exact_refine_points = 0; // the ties alone (the exact refinement is tested below)
        {
            cs::engine e(net, narrow, pred, oracle, o);
            const auto best = cs::run_greedy(e);
            // the greedy's result before its joint moves is kept for an exact design too,
            // and so is its room point (run_room) when it moved
            REQUIRE(e.milestones.size() == expected_milestones.at(seed));
            CHECK(e.milestones.front().drop <= o.budget);
            CHECK(e.objective(e.milestones.front()) <= e.objective(best)); // the joint moves never lose estimate
            if (e.milestones.size() == 2) {
                const auto& room = e.milestones.back();
                CHECK(e.objective(room) == e.objective(best)); // the same estimate
                CHECK(room.drop <= o.budget);
                CHECK(room.drop > best.drop); // the unspent budget, spent
                CHECK(e.binding_for(room.w_index, room.a_index, best.ii_estimate) <
                      e.binding_for(best.w_index, best.a_index, best.ii_estimate) - 0.05);
            }
            const auto all = e.ties(o.budget, 1000);
            CHECK(all.size() == expected.first);
            const auto ties = e.ties(o.budget, 8);
            REQUIRE(ties.size() == 8);
            std::vector<double> rooms;
            for (const auto& t : all) rooms.push_back(e.binding_for(t.w_index, t.a_index, t.ii_estimate));
            CHECK(std::is_sorted(rooms.begin(), rooms.end())); // the most room first
            for (std::size_t i = 0; i < ties.size(); ++i) {
                CHECK(ties[i].w_index == all[i].w_index); // the first 8 of them
                CHECK(ties[i].a_index == all[i].a_index);
                CHECK(e.objective(ties[i]) == Approx(e.objective(best)).epsilon(1e-9));
                CHECK(ties[i].drop <= o.budget);
                if (i > 0 && rooms[i] == rooms[i - 1]) CHECK(ties[i].drop >= ties[i - 1].drop); // then the lowest drop
                for (std::size_t j = 0; j < i; ++j)
                    CHECK_FALSE((ties[i].w_index == ties[j].w_index && ties[i].a_index == ties[j].a_index));
            }
            if (seed == 7) CHECK(rooms.front() < rooms.back() - 0.1); // 0.760 and 0.927 of the binding resource
            CHECK(e.ties(o.budget, 0).empty());
        }
        o.exact_tie_points = 0; // the front's exact designs only
        const auto front_only = sp::cosearch(net, narrow, pred, oracle, o);
        o.exact_tie_points = 8;
        const auto with_ties = sp::cosearch(net, narrow, pred, oracle, o);
        CHECK(front_only.best.throughput_estimate == Approx(154321.0).epsilon(1e-6)); // the same estimate (II 1,296)
        CHECK(with_ties.best.throughput_estimate == Approx(154321.0).epsilon(1e-6));
        CHECK(front_only.design.report.throughput() == Approx(expected.second).epsilon(1e-6));
        CHECK(with_ties.design.report.throughput() == Approx(154321.0).epsilon(1e-6)); // the estimate reached
        CHECK(with_ties.best.drop <= o.budget);
        CHECK(with_ties.candidates == front_only.candidates); // the search is the same; only the choice differs
        // the random baseline's best is chosen under the same rule
        o.random_baseline = 300;
        o.exact_tie_points = 0;
        const auto rb_front_only = sp::cosearch(net, narrow, pred, oracle, o).random_baseline;
        o.exact_tie_points = 8;
        const auto rb_with_ties = sp::cosearch(net, narrow, pred, oracle, o).random_baseline;
        REQUIRE(rb_with_ties.found);
        CHECK(rb_with_ties.best.exact);
        CHECK(rb_with_ties.best.drop <= o.budget);
        CHECK(rb_with_ties.best.throughput_estimate == Approx(rb_front_only.best.throughput_estimate));
        CHECK(rb_with_ties.design.report.throughput() >= rb_front_only.design.report.throughput());
    }
}

TEST_CASE("the exact refinement climbs from the best exact design", "[cosearch][refine]") {
    // seed 2024 on the narrow board: the front, the milestones and no ties give an
    // exact design of 118,764.8 images/s (II 1,684 at 200 MHz); the estimate says
    // 154,321.0 (II 1,296). Raising the thresholds of the layers that hold the
    // binding resource reaches it in one step.
    namespace sp = hass::sparsity;
    const hass::board narrow{"narrow", "none", {96, 40000, 80000, 30, 0}, 200, 10};
    const hass::network net = hass_test::small_net();
    sp::synthetic_options so;
    so.seed = 2024;
    const auto synth = sp::make_synthetic_problem(net, so);
    sp::predictor pred{synth.statistics, net};
    const auto oracle = sp::tabulated_oracle(synth.accuracy, synth.statistics);
    sp::cosearch_options o;
    o.budget = 3.0;
    o.exact_tie_points = 0;
    o.exact_refine_points = 0;
    const auto off = sp::cosearch(net, narrow, pred, oracle, o);
    CHECK(off.refine_searches == 0);
    CHECK(off.refine_steps == 0);
    CHECK(off.design.report.throughput() == Approx(118764.8).epsilon(1e-6));
    o.exact_refine_points = 12;
    const auto on = sp::cosearch(net, narrow, pred, oracle, o);
    CHECK(on.refine_from_fps == Approx(118764.8).epsilon(1e-6));
    CHECK(on.refine_searches >= 1);
    CHECK(on.refine_searches <= o.exact_refine_points);
    CHECK(on.refine_steps >= 1);
    CHECK(on.design.report.throughput() == Approx(154321.0).epsilon(1e-6)); // the estimate, reached
    CHECK(on.best.exact);
    CHECK(on.best.drop <= o.budget);
    CHECK(on.best.drop >= off.best.drop); // thresholds only rise
    CHECK(on.candidates > off.candidates); // the climb's moves are scored with the search's
    REQUIRE(on.design.found);
    CHECK(on.design.report.fits);
    // the design is the exact design of the chosen thresholds' network
    hass::network sn = net;
    pred.apply(sn, on.best.thresholds);
    const auto again = hass::evaluate(sn, on.design.folding, narrow);
    CHECK(again.ii == on.design.report.ii);
    // one exact search allowed: at most one, and never worse than without it
    o.exact_refine_points = 1;
    const auto one = sp::cosearch(net, narrow, pred, oracle, o);
    CHECK(one.refine_searches <= 1);
    CHECK(one.design.report.throughput() >= off.design.report.throughput());
}

TEST_CASE("a sparse design no faster than dense falls back to dense hardware at the smallest thresholds",
          "[cosearch]") {
    // the input read (32 x 32 x 1 values at one per cycle) bounds both designs on a
    // large board, so pruning buys nothing; an oracle that never loses accuracy lets
    // the search raise thresholds anyway (its front's lowest-drop point prunes)
    namespace sp = hass::sparsity;
    hass::network_builder bld{"floor", {32, 32, 1}};
    auto x = bld.conv(bld.input(), "conv1", {.filters = 4, .kernel = 3, .pad = 1});
    x = bld.relu(x, "relu1");
    x = bld.conv(x, "conv2", {.filters = 4, .kernel = 3, .pad = 1});
    x = bld.relu(x, "relu2");
    x = bld.global_avg_pool(x, "gap");
    bld.inner_product(x, "fc", 10);
    const hass::network net = std::move(bld).build();
    const auto synth = sp::make_synthetic_problem(net);
    sp::predictor pred{synth.statistics, net};
    const sp::accuracy_oracle lossless = [](std::span<const sp::threshold_pair>) { return 0.0; };
    const hass::board large{"large", "none", {400, 40000, 80000, 60, 0}, 200, 10};
    const auto r = sp::cosearch(net, large, pred, lossless, {.budget = 1.0});
    REQUIRE(r.dense_fallback);
    REQUIRE_FALSE(r.front.empty());
    bool front_prunes = false;
    for (auto i : r.front.front().w_index) front_prunes |= i > 0;
    for (auto i : r.front.front().a_index) front_prunes |= i > 0;
    CHECK(front_prunes); // what the dense hardware would have paid for before
    for (auto i : r.best.w_index) CHECK(i == 0);
    for (auto i : r.best.a_index) CHECK(i == 0);
    CHECK(r.best.drop == 0.0);
    CHECK(r.design.report.throughput() == Approx(r.dense_design.report.throughput()));
    CHECK(r.design.report.throughput() == Approx(200e6 / (34 * 34))); // the padded 34 x 34 input, one value a cycle
    for (std::size_t i = 0; i < r.design.folding.size(); ++i)
        if (r.sparse_network.layers[i].is_sparse()) CHECK(r.design.folding[i].dense);
}

namespace {

/// Small, quick options for the batch and baseline cases (two exact front points, 60 TPE candidates).
hass::sparsity::cosearch_options quick_options(hass::sparsity::cosearch_method method) {
    hass::sparsity::cosearch_options o;
    o.method = method;
    o.exact_front_points = 2;
    o.tpe_startup = 20;
    o.tpe_iterations = 40;
    return o;
}

/// A batch oracle answering with the problem's single oracle, counting its calls.
struct counting_batch {
    hass::sparsity::accuracy_oracle single;
    std::size_t calls = 0, carried = 0;
    std::vector<double> operator()(std::span<const std::vector<hass::sparsity::threshold_pair>> c) {
        ++calls;
        carried += c.size();
        std::vector<double> d;
        for (const auto& t : c) d.push_back(single(t));
        return d;
    }
};

void check_same_search(const hass::sparsity::cosearch_result& x, const hass::sparsity::cosearch_result& y) {
    CHECK(x.best.w_index == y.best.w_index);
    CHECK(x.best.a_index == y.best.a_index);
    CHECK(x.best.drop == y.best.drop);
    CHECK(x.best.throughput_estimate == y.best.throughput_estimate);
    CHECK(x.best.throughput == y.best.throughput);
    CHECK(x.candidates == y.candidates);
    CHECK(x.design.folding == y.design.folding);
    REQUIRE(x.front.size() == y.front.size());
    for (std::size_t i = 0; i < x.front.size(); ++i) {
        CHECK(x.front[i].w_index == y.front[i].w_index);
        CHECK(x.front[i].a_index == y.front[i].a_index);
        CHECK(x.front[i].drop == y.front[i].drop);
    }
}

} // namespace

TEST_CASE("a batch oracle gives the same search as the single oracle, in fewer calls", "[cosearch][batch]") {
    namespace sp = hass::sparsity;
    for (const auto method : {sp::cosearch_method::greedy, sp::cosearch_method::tpe}) {
        INFO(sp::to_string(method));
        problem p;
        sp::cosearch_options o = quick_options(method);
        const auto single = sp::cosearch(p.net, small_board, p.pred, p.oracle, o);
        CHECK(single.oracle_calls == single.candidates);
        CHECK(single.oracle_candidates == single.oracle_calls);

        auto batch = std::make_shared<counting_batch>(counting_batch{p.oracle});
        o.batch_oracle = [batch](std::span<const std::vector<sp::threshold_pair>> c) { return (*batch)(c); };
        const auto batched = sp::cosearch(p.net, small_board, p.pred, {}, o); // the batch oracle alone
        check_same_search(single, batched);
        CHECK(batched.oracle_calls == static_cast<hass::count_t>(batch->calls));
        CHECK(batched.oracle_candidates == static_cast<hass::count_t>(batch->carried));
        if (method == sp::cosearch_method::greedy) {
            // every step's neighbours (and the target descent's steps) in one call
            CHECK(batched.oracle_calls * 4 < single.oracle_calls);
        } else {
            // the start-up in one call, then one candidate per iteration, then at most one call per
            // round of the exact refinement (every round but the last builds at least one design)
            CHECK(batched.oracle_calls >= 1 + o.tpe_iterations);
            CHECK(batched.oracle_calls <= 1 + o.tpe_iterations + static_cast<hass::count_t>(batched.refine_searches) + 1);
        }

        // both oracles: the batch one for the sets, the single one for the rest
        batch->calls = batch->carried = 0;
        const auto both = sp::cosearch(p.net, small_board, p.pred, p.oracle, o);
        check_same_search(single, both);
        CHECK(both.oracle_calls == batched.oracle_calls); // the sequential calls go to the single oracle instead
        CHECK(static_cast<hass::count_t>(batch->calls) < both.oracle_calls);
    }
}

TEST_CASE("a batch oracle's bad answers stop the co-search with the candidate named", "[cosearch][batch]") {
    namespace sp = hass::sparsity;
    problem p;
    sp::cosearch_options o;
    o.exact = false;
    o.batch_oracle = [](std::span<const std::vector<sp::threshold_pair>> c) { return std::vector<double>(c.size() + 1, 0.0); };
    CHECK_THROWS_WITH(sp::cosearch(p.net, small_board, p.pred, {}, o),
                      Catch::Contains("returned 2 drops for 1 candidates"));
    // the greedy's first batch: the one-step neighbours of the smallest thresholds
    o.batch_oracle = [](std::span<const std::vector<sp::threshold_pair>> c) {
        std::vector<double> d(c.size(), 0.0);
        if (c.size() > 1) d[1] = std::numeric_limits<double>::quiet_NaN();
        return d;
    };
    CHECK_THROWS_WITH(sp::cosearch(p.net, small_board, p.pred, {}, o),
                      Catch::Contains("NaN") && Catch::Contains("conv1") && Catch::Contains("candidate 2 of a batch"));
    o.batch_oracle = [](std::span<const std::vector<sp::threshold_pair>> c) { return std::vector<double>(c.size(), -0.5); };
    CHECK_THROWS_WITH(sp::cosearch(p.net, small_board, p.pred, {}, o),
                      Catch::Contains("negative drop") && Catch::Contains("conv1"));
    o.batch_oracle = [](std::span<const std::vector<sp::threshold_pair>> c) {
        return std::vector<double>(c.size(), std::numeric_limits<double>::infinity());
    };
    CHECK_THROWS_WITH(sp::cosearch(p.net, small_board, p.pred, {}, o), Catch::Contains("infinite"));
}

TEST_CASE("the random baseline: scored like the search, reported, and without effect on the result",
          "[cosearch][baseline]") {
    namespace sp = hass::sparsity;
    for (const auto method : {sp::cosearch_method::greedy, sp::cosearch_method::tpe}) {
        INFO(sp::to_string(method));
        problem p;
        sp::cosearch_options o = quick_options(method);
        o.budget = 1.0;
        const auto plain = sp::cosearch(p.net, small_board, p.pred, p.oracle, o);
        CHECK(plain.random_baseline.count == 0);
        CHECK_FALSE(plain.random_baseline.found);
        o.random_baseline = 300;
        const auto with = sp::cosearch(p.net, small_board, p.pred, p.oracle, o);
        check_same_search(plain, with);
        CHECK(with.oracle_calls == plain.oracle_calls);
        const auto& rb = with.random_baseline;
        CHECK(rb.count == 300);
        CHECK(rb.oracle_calls == 300);
        CHECK(rb.within_budget > 30);
        CHECK(rb.within_budget <= rb.count);
        REQUIRE(rb.found);
        CHECK(rb.best.drop <= o.budget);
        // an exact design, under the same rule as the chosen one
        CHECK(rb.best.exact);
        REQUIRE(rb.design.found);
        CHECK(rb.best.throughput == rb.design.report.throughput());
        CHECK(rb.best.throughput_estimate >= rb.best.throughput * (1 - 1e-9));
        // like for like: the chosen point and the random best both carry an estimate and an exact design
        CHECK(with.best.exact);
        CHECK(with.best.throughput_estimate > 0);
        // deterministic, and the same with a batch oracle (in batches)
        auto batch = std::make_shared<counting_batch>(counting_batch{p.oracle});
        o.batch_oracle = [batch](std::span<const std::vector<sp::threshold_pair>> c) { return (*batch)(c); };
        const auto batched = sp::cosearch(p.net, small_board, p.pred, {}, o);
        check_same_search(with, batched);
        CHECK(batched.random_baseline.within_budget == rb.within_budget);
        CHECK(batched.random_baseline.best.w_index == rb.best.w_index);
        CHECK(batched.random_baseline.best.a_index == rb.best.a_index);
        CHECK(batched.random_baseline.best.throughput == rb.best.throughput);
        CHECK(batched.random_baseline.oracle_calls == 2); // 300 in batches of at most 250
    }
}

TEST_CASE("re-pricing rounds keep the estimate a bound and lose no design", "[cosearch]") {
    // docs/sparsity.md, "Re-pricing": a round runs when the Lagrangian dual proves the
    // result's estimate out of reach; every earlier result, milestone and tie gets an
    // exact design, so the rounds never end slower than one run. Same inputs, same design.
    // On a board short of LUT the estimate of one run is out of reach (seed 2024:
    // 59,066.7 images/s estimated, 48,828.1 exact): the rounds run, and ask the
    // oracle once per candidate over all of them.
    namespace sp = hass::sparsity;
    const hass::board narrow{"lut", "none", {32, 10000, 80000, 30, 0}, 200, 10};
    for (const std::uint64_t seed : {std::uint64_t{2024}, std::uint64_t{7}}) {
        INFO("problem seed " << seed);
        const hass::network net = hass_test::small_net();
        sp::synthetic_options so;
        so.seed = seed;
        const auto synth = sp::make_synthetic_problem(net, so);
        const auto oracle = sp::tabulated_oracle(synth.accuracy, synth.statistics);
        sp::cosearch_options o;
        o.budget = 3.0;
        o.exact_refine_points = 0;
        sp::predictor p0{synth.statistics, net};
        o.surrogate_rounds = 0;
        const auto one = sp::cosearch(net, narrow, p0, oracle, o);
        o.surrogate_rounds = 2;
        sp::predictor p1{synth.statistics, net};
        const auto rounds = sp::cosearch(net, narrow, p1, oracle, o);
        sp::predictor p2{synth.statistics, net};
        const auto again = sp::cosearch(net, narrow, p2, oracle, o);
        REQUIRE(rounds.design.found);
        CHECK(one.surrogate_rounds == 0);
        CHECK(one.oracle_calls == one.candidates);
        CHECK(rounds.surrogate_rounds >= 1);
        CHECK(rounds.surrogate_rounds <= 2);
        CHECK(rounds.candidates > one.candidates);
        CHECK(rounds.oracle_calls < rounds.candidates); // a drop asked in a round is not asked again
        CHECK(rounds.best.drop <= o.budget);
        CHECK(rounds.best.throughput >= one.best.throughput * (1 - 1e-9));
        CHECK(rounds.best.throughput_estimate >= rounds.best.throughput * (1 - 1e-9));
        CHECK(hass::evaluate(rounds.sparse_network, rounds.design.folding, narrow).fits);
        CHECK(again.best.throughput == rounds.best.throughput);
        CHECK(again.best.w_index == rounds.best.w_index);
        CHECK(again.best.a_index == rounds.best.a_index);
        CHECK(again.surrogate_rounds == rounds.surrogate_rounds);
        CHECK(again.candidates == rounds.candidates);
    }
}
