// Sparsity statistics for the threshold search (docs/sparsity.md): the
// hypergeometric composition against hand-computed cases and against direct
// counting on seeded random masks, exact weight histograms from magnitudes,
// interpolation between grid points, grid errors, the synthetic generator and
// the accuracy oracles.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "hass/core/error.hpp"
#include "hass/network/builder.hpp"
#include "hass/sparsity/accuracy.hpp"
#include "hass/sparsity/statistics.hpp"
#include "hass/sparsity/synthetic.hpp"
#include "hass/zoo/zoo.hpp"

using Catch::Matchers::Contains;
using hass::count_t;
namespace sp = hass::sparsity;

namespace {

// ---- deterministic randomness: mt19937_64 and our own uniform mapping

struct rng {
    std::mt19937_64 g;
    explicit rng(std::uint64_t seed) : g(seed) {}
    double uniform() { return static_cast<double>(g() >> 11) * 0x1.0p-53; } // [0, 1)
    count_t below(count_t n) { return static_cast<count_t>(uniform() * static_cast<double>(n)); }
    /// A uniformly placed subset of `size` of K positions (partial Fisher-Yates).
    std::vector<bool> subset(count_t K, count_t size) {
        std::vector<count_t> idx(static_cast<std::size_t>(K));
        for (count_t k = 0; k < K; ++k) idx[static_cast<std::size_t>(k)] = k;
        std::vector<bool> mask(static_cast<std::size_t>(K), false);
        for (count_t i = 0; i < size; ++i) {
            const count_t j = i + below(K - i);
            std::swap(idx[static_cast<std::size_t>(i)], idx[static_cast<std::size_t>(j)]);
            mask[static_cast<std::size_t>(idx[static_cast<std::size_t>(i)])] = true;
        }
        return mask;
    }
    /// An index drawn from a discrete distribution.
    count_t draw(const std::vector<double>& p) {
        double u = uniform(), acc = 0;
        for (std::size_t i = 0; i < p.size(); ++i) {
            acc += p[i];
            if (u < acc) return static_cast<count_t>(i);
        }
        return static_cast<count_t>(p.size()) - 1;
    }
};

/// A one-layer decomposed statistic with one grid point each (tau_w = tau_a = 0).
sp::decomposed_histograms single_point(std::string name, count_t C, count_t K, std::vector<double> act,
                                       std::vector<double> wgt) {
    sp::decomposed_histograms d;
    d.layer = std::move(name);
    d.channels = C;
    d.kernel = K;
    d.filters = 1;
    d.tau_a_grid = {0.0};
    d.activation_hist = std::move(act);
    d.tau_w_grid = {0.0};
    d.weight_hist = std::move(wgt);
    return d;
}

std::vector<double> one_hot(count_t K, count_t v) {
    std::vector<double> h(static_cast<std::size_t>(K + 1), 0.0);
    h[static_cast<std::size_t>(v)] = 1.0;
    return h;
}

/// Per-bin agreement of an empirical histogram p (N samples) with a prediction q.
void require_close(const std::vector<double>& p, const std::vector<double>& q, double N, const std::string& what) {
    REQUIRE(p.size() == q.size());
    for (std::size_t z = 0; z < p.size(); ++z) {
        const double tol = 4.0 * std::sqrt(q[z] * (1.0 - q[z]) / N) + 2e-3;
        INFO(what << " bin " << z << ": counted " << p[z] << ", predicted " << q[z] << ", tolerance " << tol);
        CHECK(std::abs(p[z] - q[z]) < tol);
    }
}

// compile-time: the binomial table and the hypergeometric law
static_assert(sp::choose(9, 4) == 126.0);
static_assert(sp::choose(49, 0) == 1.0 && sp::choose(49, 49) == 1.0 && sp::choose(5, 7) == 0.0);
static_assert(sp::hypergeometric(2, 1, 1, 1) == 0.5);
static_assert(sp::hypergeometric(2, 1, 1, 0) == 0.5);
static_assert(sp::hypergeometric(9, 5, 4, 0) == 1.0 / 126.0);
static_assert([] {
    // K = 2, a = 1, b = 1: one zero product (m = 1) or two (m = 0), each 1/2
    const double pa[3]{0, 1, 0}, pb[3]{0, 1, 0};
    double out[3]{};
    sp::compose(2, pa, pb, out);
    return out[0] == 0.0 && out[1] == 0.5 && out[2] == 0.5;
}());

} // namespace

TEST_CASE("hypergeometric composition: exact small cases", "[sparsity][stats]") {
    SECTION("every (K, a, b) is a distribution with mean a b / K") {
        for (count_t K : {1, 2, 4, 9, 25, 49, 121})
            for (count_t a = 0; a <= K; a += (K > 25 ? 7 : 1))
                for (count_t b = 0; b <= K; b += (K > 25 ? 5 : 1)) {
                    double sum = 0, mean = 0;
                    for (count_t m = 0; m <= K; ++m) {
                        sum += sp::hypergeometric(K, a, b, m);
                        mean += static_cast<double>(m) * sp::hypergeometric(K, a, b, m);
                    }
                    INFO("K " << K << " a " << a << " b " << b);
                    REQUIRE(sum == Approx(1.0).epsilon(1e-12));
                    REQUIRE(mean == Approx(static_cast<double>(a * b) / static_cast<double>(K)).margin(1e-9));
                }
    }
    SECTION("K = 3, a = 2, b = 2: m = 2 with 1/3, m = 1 with 2/3") {
        const auto s = sp::predict(single_point("c", 1, 3, one_hot(3, 2), one_hot(3, 2)), 0, 0);
        REQUIRE(s.at(0, 1) == Approx(1.0 / 3)); // z = K - m = 1
        REQUIRE(s.at(0, 2) == Approx(2.0 / 3));
        REQUIRE(s.at(0, 0) == 0.0);
        REQUIRE(s.at(0, 3) == 0.0);
    }
    SECTION("K = 2, a = 1, b = 1 through the predictor: P(m = 1) = 1/2") {
        const auto s = sp::predict(single_point("c", 1, 2, one_hot(2, 1), one_hot(2, 1)), 0, 0);
        REQUIRE(s.at(0, 1) == Approx(0.5));
        REQUIRE(s.at(0, 2) == Approx(0.5));
        REQUIRE(s.mean_zeros == Approx(0.75)); // (1 * 0.5 + 2 * 0.5) / 2
    }
    SECTION("all activations non-zero: zeros are exactly the pruned weights; no activation: all zero") {
        const std::vector<double> pb{0.1, 0.2, 0.3, 0.1, 0.0, 0.3};
        const auto s = sp::predict(single_point("c", 1, 5, one_hot(5, 5), pb), 0, 0);
        for (count_t z = 0; z <= 5; ++z) REQUIRE(s.at(0, z) == Approx(pb[static_cast<std::size_t>(5 - z)]).margin(1e-15));
        const auto t = sp::predict(single_point("c", 1, 5, one_hot(5, 0), pb), 0, 0);
        REQUIRE(t.at(0, 5) == Approx(1.0));
    }
    SECTION("the table and the on-the-fly coefficients agree") {
        const count_t K = 9;
        std::vector<double> pa(10), pb(10);
        for (int i = 0; i < 10; ++i) {
            pa[static_cast<std::size_t>(i)] = (i + 1) / 55.0;
            pb[static_cast<std::size_t>(i)] = (10 - i) / 55.0;
        }
        const auto table = sp::hypergeometric_table(K);
        double x[10], y[10];
        sp::compose(K, pa.data(), pb.data(), x, table.data());
        sp::compose(K, pa.data(), pb.data(), y, nullptr);
        for (int z = 0; z <= 9; ++z) REQUIRE(x[z] == Approx(y[z]).epsilon(1e-13));
    }
}

TEST_CASE("composition matches direct counting on random masks", "[sparsity][stats]") {
    // Per channel: activation masks with independent Bernoulli(q_c) positions,
    // weight masks that are uniform subsets of a size drawn from a lumpy
    // distribution; N independent (window, kernel) pairs.
    for (count_t K : {1, 4, 9, 25}) {
        DYNAMIC_SECTION("K = " << K) {
            rng r(0x5eed0000u + static_cast<std::uint64_t>(K));
            const count_t C = 3;
            const int N = 20000;
            const std::vector<double> q{0.15, 0.5, 0.8};
            std::vector<double> act, wgt, counted;
            for (count_t c = 0; c < C; ++c) {
                std::vector<double> b_dist(static_cast<std::size_t>(K + 1), 0.0);
                b_dist[0] += 0.2;
                b_dist[static_cast<std::size_t>(K / 2)] += 0.5;
                b_dist[static_cast<std::size_t>(K)] += 0.3;
                std::vector<double> ha(static_cast<std::size_t>(K + 1)), hb(ha.size()), hz(ha.size());
                for (int n = 0; n < N; ++n) {
                    std::vector<bool> am(static_cast<std::size_t>(K));
                    count_t a = 0;
                    for (count_t k = 0; k < K; ++k) {
                        am[static_cast<std::size_t>(k)] = r.uniform() < q[static_cast<std::size_t>(c)];
                        a += am[static_cast<std::size_t>(k)] ? 1 : 0;
                    }
                    const count_t b = r.draw(b_dist);
                    const auto wm = r.subset(K, b);
                    count_t m = 0;
                    for (count_t k = 0; k < K; ++k)
                        m += (am[static_cast<std::size_t>(k)] && wm[static_cast<std::size_t>(k)]) ? 1 : 0;
                    ha[static_cast<std::size_t>(a)] += 1.0 / N;
                    hb[static_cast<std::size_t>(b)] += 1.0 / N;
                    hz[static_cast<std::size_t>(K - m)] += 1.0 / N;
                }
                act.insert(act.end(), ha.begin(), ha.end());
                wgt.insert(wgt.end(), hb.begin(), hb.end());
                counted.insert(counted.end(), hz.begin(), hz.end());
            }
            // the empirical marginals sum to 1 up to rounding; renormalise each row
            for (auto* h : {&act, &wgt})
                for (count_t c = 0; c < C; ++c) {
                    double s = 0;
                    for (count_t z = 0; z <= K; ++z) s += (*h)[static_cast<std::size_t>(c * (K + 1) + z)];
                    for (count_t z = 0; z <= K; ++z) (*h)[static_cast<std::size_t>(c * (K + 1) + z)] /= s;
                }
            const auto s = sp::predict(single_point("random", C, K, act, wgt), 0, 0);
            for (count_t c = 0; c < C; ++c) {
                const auto first = static_cast<std::ptrdiff_t>(c * (K + 1));
                std::vector<double> p(counted.begin() + first, counted.begin() + first + K + 1);
                std::vector<double> pred(s.histogram.begin() + first, s.histogram.begin() + first + K + 1);
                require_close(p, pred, N, "channel " + std::to_string(c));
            }
        }
    }
}

TEST_CASE("composition matches direct counting in a padded convolution", "[sparsity][stats]") {
    // A 3x3 convolution (pad 1) over a 20x20x2 map with ReLU'd random values and
    // 16 filters of random weights; statistics over all (output position, filter)
    // pairs, as MODEL.md defines them. Padding counts as zero activations.
    rng r(42);
    const count_t H = 20, W = 20, C = 2, F = 16, k = 3, K = 9;
    std::vector<double> x(static_cast<std::size_t>(H * W * C));
    for (auto& v : x) v = r.uniform() - 0.45; // after ReLU, 45% zeros
    std::vector<float> w(static_cast<std::size_t>(F * C * K));
    for (auto& v : w) v = static_cast<float>(r.uniform());
    const double tau_a = 0.1, tau_w = 0.35;
    auto act = [&](count_t row, count_t col, count_t c) {
        if (row < 0 || col < 0 || row >= H || col >= W) return false; // padding
        return x[static_cast<std::size_t>((row * W + col) * C + c)] > tau_a;
    };
    sp::decomposed_histograms d;
    d.layer = "conv";
    d.channels = C;
    d.kernel = K;
    d.filters = F;
    d.tau_a_grid = {tau_a};
    d.activation_hist.assign(static_cast<std::size_t>(C * (K + 1)), 0.0);
    d.magnitudes = w;
    std::vector<double> direct(static_cast<std::size_t>(C * (K + 1)), 0.0);
    const double windows = static_cast<double>(H * W);
    for (count_t c = 0; c < C; ++c)
        for (count_t i = 0; i < H; ++i)
            for (count_t j = 0; j < W; ++j) {
                count_t a = 0;
                for (count_t p = 0; p < K; ++p) a += act(i - 1 + p / k, j - 1 + p % k, c) ? 1 : 0;
                d.activation_hist[static_cast<std::size_t>(c * (K + 1) + a)] += 1.0 / windows;
                for (count_t f = 0; f < F; ++f) {
                    count_t m = 0;
                    for (count_t p = 0; p < K; ++p)
                        m += (act(i - 1 + p / k, j - 1 + p % k, c) &&
                              w[static_cast<std::size_t>((f * C + c) * K + p)] >= static_cast<float>(tau_w))
                                 ? 1
                                 : 0;
                    direct[static_cast<std::size_t>(c * (K + 1) + K - m)] += 1.0 / (windows * F);
                }
            }
    const auto s = sp::predict(d, tau_w, tau_a);
    double direct_mean = 0;
    for (count_t c = 0; c < C; ++c) {
        double tv = 0;
        for (count_t z = 0; z <= K; ++z) {
            tv += std::abs(s.at(c, z) - direct[static_cast<std::size_t>(c * (K + 1) + z)]);
            direct_mean += static_cast<double>(z) * direct[static_cast<std::size_t>(c * (K + 1) + z)];
        }
        INFO("channel " << c << " total variation " << 0.5 * tv);
        CHECK(0.5 * tv < 0.05); // 400 windows x 16 filters: loose
    }
    CHECK(s.mean_zeros == Approx(direct_mean / static_cast<double>(C * K)).margin(0.01));
}

TEST_CASE("what breaks the composition: structured, aligned masks", "[sparsity][stats]") {
    // Activations always zero at the four corners of a 3x3 window (a = 5) and
    // weights kept only at the corners (b = 4): every product is zero (z = 9),
    // but the uniform-placement assumption predicts z = 9 with 1/126 only.
    const auto s = sp::predict(single_point("structured", 1, 9, one_hot(9, 5), one_hot(9, 4)), 0, 0);
    REQUIRE(s.at(0, 9) == Approx(1.0 / 126.0));
    REQUIRE(s.at(0, 9) < 0.01); // the truth is 1
}

TEST_CASE("weight histograms from raw magnitudes are exact at any tau_w", "[sparsity][stats]") {
    rng r(7);
    for (count_t groups : {1, 4}) {
        DYNAMIC_SECTION("groups " << groups) {
            const count_t C = 4, F = 8, K = 9;
            const count_t Cg = C / groups, Fg = F / groups;
            sp::decomposed_histograms d;
            d.layer = "raw";
            d.channels = C;
            d.kernel = K;
            d.filters = F;
            d.groups = groups;
            d.tau_a_grid = {0.0};
            for (count_t c = 0; c < C; ++c) {
                const auto h = one_hot(K, K); // every activation non-zero
                d.activation_hist.insert(d.activation_hist.end(), h.begin(), h.end());
            }
            d.magnitudes.resize(static_cast<std::size_t>(F * Cg * K));
            for (auto& m : d.magnitudes) m = r.uniform() < 0.1 ? 0.0f : static_cast<float>(r.uniform());
            sp::predictor p(sp::decomposed_statistics{"", false, "", {d}});
            for (double tau : {0.0, 0.05, 0.3, 0.5, 0.77, 1.0, 2.0}) {
                hass::sparsity_stats s;
                p.predict_into(0, tau, 0.0, s);
                for (count_t c = 0; c < C; ++c) {
                    const count_t g = c / Cg, ci = c % Cg;
                    std::vector<double> hb(static_cast<std::size_t>(K + 1), 0.0);
                    for (count_t f = g * Fg; f < (g + 1) * Fg; ++f) {
                        count_t b = 0;
                        for (count_t k = 0; k < K; ++k) {
                            const float m = d.magnitudes[static_cast<std::size_t>((f * Cg + ci) * K + k)];
                            b += (m != 0.0f && m >= static_cast<float>(tau)) ? 1 : 0;
                        }
                        hb[static_cast<std::size_t>(b)] += 1.0 / static_cast<double>(Fg);
                    }
                    for (count_t z = 0; z <= K; ++z) {
                        INFO("tau " << tau << " channel " << c << " z " << z);
                        REQUIRE(s.at(c, z) == Approx(hb[static_cast<std::size_t>(K - z)]).margin(1e-12));
                    }
                }
            }
            REQUIRE(p.tau_w_range(0).first == 0.0);
            REQUIRE(p.weight_sparsity(0, 1e9) == 1.0);
            REQUIRE_THROWS_WITH(p.predict_copy(0, -0.1, 0.0), Contains("layer 'raw'") && Contains(">= 0"));
        }
    }
}

TEST_CASE("thresholds between grid points interpolate linearly; outside is an error", "[sparsity][stats]") {
    // channel 0: activations a = 2 at tau_a = 0 and a = 0 at tau_a = 1 (K = 2);
    // weights b = 2 at tau_w = 0 and b = 1 at tau_w = 0.5
    sp::decomposed_histograms d;
    d.layer = "conv";
    d.channels = 1;
    d.kernel = 2;
    d.filters = 1;
    d.tau_a_grid = {0.0, 1.0};
    d.activation_hist = {0, 0, 1, /**/ 1, 0, 0};
    d.tau_w_grid = {0.0, 0.5};
    d.weight_hist = {0, 0, 1, /**/ 0, 1, 0};
    sp::predictor p(sp::decomposed_statistics{"n", false, "", {d}});
    const auto at = [&](double w, double a) { return p.predict_copy(0, w, a); };
    // grid points
    REQUIRE(at(0, 0).at(0, 0) == 1.0);           // a = 2, b = 2: no zero product
    REQUIRE(at(0.5, 0).at(0, 1) == Approx(1.0)); // a = 2, b = 1: one zero
    // midpoint in tau_a: the histogram is (a = 2) / 2 + (a = 0) / 2
    const auto mid = at(0, 0.5);
    REQUIRE(mid.at(0, 0) == Approx(0.5));
    REQUIRE(mid.at(0, 2) == Approx(0.5));
    // bilinear in both (the composition is bilinear in the two histograms):
    // tau_w = 0.25 is half-way, tau_a = 0.25 a quarter of the way
    const auto both = at(0.25, 0.25);
    const auto c00 = at(0, 0), c01 = at(0, 1), c10 = at(0.5, 0), c11 = at(0.5, 1);
    for (count_t z = 0; z <= 2; ++z) {
        const double expect = 0.5 * 0.75 * c00.at(0, z) + 0.5 * 0.25 * c01.at(0, z) + 0.5 * 0.75 * c10.at(0, z) +
                              0.5 * 0.25 * c11.at(0, z);
        REQUIRE(both.at(0, z) == Approx(expect).margin(1e-15));
    }
    REQUIRE(p.activation_sparsity(0, 0.5) == Approx(0.5));
    REQUIRE(p.weight_sparsity(0, 0.25) == Approx(0.25));
    // outside the grid
    REQUIRE_THROWS_AS(at(0.6, 0), hass::error);
    REQUIRE_THROWS_WITH(at(0.6, 0), Contains("layer 'conv'") && Contains("tau_w = 0.6") &&
                                        Contains("outside the statistics grid [0, 0.5]"));
    REQUIRE_THROWS_WITH(at(0, -0.1), Contains("tau_a = -0.1 is outside the statistics grid [0, 1]"));
    REQUIRE_THROWS_WITH(at(std::numeric_limits<double>::quiet_NaN(), 0), Contains("not a number"));
    // a layer without activation threshold
    d.tau_a_grid = {0.0};
    d.activation_hist = {0, 0, 1};
    d.activation_threshold = false;
    d.source = sp::activation_source::hardswish;
    sp::predictor q(sp::decomposed_statistics{"n", false, "", {d}});
    REQUIRE_NOTHROW(q.predict_copy(0, 0.2, 0.0));
    REQUIRE_THROWS_WITH(q.predict_copy(0, 0.2, 0.1), Contains("layer 'conv' has no activation threshold") &&
                                                         Contains("hardswish") && Contains("fixed at 0"));
}

TEST_CASE("decomposed statistics are checked", "[sparsity][stats]") {
    auto d = single_point("c", 2, 2, {0, 0, 1, 0, 0.5, 0.5}, {0, 0, 1, 1, 0, 0});
    REQUIRE_NOTHROW(sp::check(d));
    auto bad = d;
    bad.activation_hist[5] = 0.4;
    REQUIRE_THROWS_WITH(sp::check(bad), Contains("layer 'c'") && Contains("row 1 (input channel 1) sums to 0.900000, not 1"));
    bad = d;
    bad.weight_hist[0] = -0.1;
    REQUIRE_THROWS_WITH(sp::check(bad), Contains("not a probability"));
    bad = d;
    bad.activation_hist.pop_back();
    REQUIRE_THROWS_WITH(sp::check(bad), Contains("activation histograms hold 5 values"));
    bad = d;
    bad.tau_w_grid = {0.0, 0.0};
    REQUIRE_THROWS_WITH(sp::check(bad), Contains("strictly increasing"));
    bad = d;
    bad.magnitudes = {1.0f};
    REQUIRE_THROWS_WITH(sp::check(bad), Contains("not both"));
    bad = d;
    bad.kernel = 200;
    REQUIRE_THROWS_WITH(sp::check(bad), Contains("outside 1..121"));
    // against a network
    hass::network_builder b{"n", {8, 8, 3}};
    auto x = b.conv(b.input(), "c", {.filters = 4, .kernel = 3, .pad = 1});
    b.relu(x, "r");
    const auto net = std::move(b).build();
    sp::decomposed_statistics s{"n", false, "", {d}};
    REQUIRE_THROWS_WITH(sp::check_against(s, net), Contains("layer 'c': histogram has 2 rows but the layer has 3 input channels"));
    s.layers[0].layer = "nope";
    REQUIRE_THROWS_WITH(sp::check_against(s, net), Contains("layer 'nope'") && Contains("does not have"));
    s.layers[0].layer = "r";
    REQUIRE_THROWS_WITH(sp::check_against(s, net), Contains("not a convolution"));
}

TEST_CASE("the predictor memoises, applies to a network and reports ranges", "[sparsity][stats]") {
    const auto net0 = hass::zoo::resnet18();
    const auto stats = sp::synthetic_statistics(net0);
    sp::predictor p(stats, net0);
    REQUIRE(p.size() == 20); // resnet18 convolutions
    REQUIRE(p.synthetic());
    std::vector<sp::threshold_pair> t = p.minimum_thresholds();
    for (std::size_t i = 0; i < p.size(); ++i) t[i] = {p.tau_w_grid(i)[5], p.tau_a_range(i).second};
    const auto& a = p.predict(3, t[3]);
    const auto* first = &a;
    REQUIRE(&p.predict(3, t[3]) == first); // same thresholds: the memo
    auto net = net0;
    p.apply(net, t);
    for (std::size_t i = 0; i < p.size(); ++i) {
        const auto& l = net.layers[static_cast<std::size_t>(p.network_index(i))];
        REQUIRE(l.sparsity.active());
        REQUIRE(l.sparsity.histogram == p.predict_copy(i, t[i].tau_w, t[i].tau_a).histogram);
        REQUIRE(l.is_sparse());
    }
    REQUIRE_THROWS_WITH(p.predict(std::vector<sp::threshold_pair>(3)), Contains("3 threshold pairs for 20 layers"));
    // tabulate into the product form
    const auto h = sp::tabulate(p, 1, std::vector<sp::threshold_pair>{t[1], p.minimum_thresholds()[1]});
    REQUIRE(h.points.size() == 2);
    REQUIRE(h.at(t[1].tau_w, t[1].tau_a).stats.histogram == p.predict_copy(1, t[1].tau_w, t[1].tau_a).histogram);
    REQUIRE_THROWS_WITH(h.at(123, 0), Contains("no product histogram measured at"));
}

TEST_CASE("input sources: ReLU, HardSwish or none", "[sparsity][synthetic]") {
    auto source_of = [](const hass::network& net, std::string_view name) {
        return sp::input_source(net, static_cast<std::size_t>(net.find(name)));
    };
    const auto r18 = hass::zoo::resnet18();
    CHECK(source_of(r18, "conv1") == sp::activation_source::other);          // the image
    CHECK(source_of(r18, "layer1.0.conv1") == sp::activation_source::relu);  // relu -> maxpool -> split
    CHECK(source_of(r18, "layer2.0.downsample.0") == sp::activation_source::relu);
    const auto v2 = hass::zoo::mobilenet_v2();
    CHECK(source_of(v2, "features.2.conv.0.0") == sp::activation_source::other); // linear bottleneck
    CHECK(source_of(v2, "features.2.conv.1.0") == sp::activation_source::relu);
    const auto v3 = hass::zoo::mobilenet_v3_large();
    CHECK(source_of(v3, "features.0.0") == sp::activation_source::other);
    CHECK(source_of(v3, "features.1.block.0.0") == sp::activation_source::hardswish); // after features.0.2
    CHECK(source_of(v3, "features.7.block.1.0") == sp::activation_source::hardswish);
    CHECK(source_of(v3, "features.4.block.3.0") == sp::activation_source::relu); // after the SE multiply
    CHECK(source_of(v3, "features.4.block.2.fc1") == sp::activation_source::relu);
    CHECK(sp::input_is_global_pool(v3, static_cast<std::size_t>(v3.find("features.4.block.2.fc1"))));
}

TEST_CASE("synthetic statistics are labelled, seeded and follow their distributions", "[sparsity][synthetic]") {
    const auto net = hass::zoo::mobilenet_v3_small();
    const auto m = sp::make_synthetic_model(net);
    const auto s = sp::synthetic_statistics(net, m);
    REQUIRE(s.synthetic);
    REQUIRE_THAT(s.provenance, Contains("SYNTHETIC"));
    count_t convs = 0;
    for (const auto& l : net.layers) convs += l.type == hass::layer_type::convolution ? 1 : 0;
    REQUIRE(static_cast<count_t>(s.layers.size()) == convs);
    REQUIRE_NOTHROW(sp::check_against(s, net));

    // deterministic in the seed
    REQUIRE(sp::synthetic_statistics(net).layers[5].activation_hist == s.layers[5].activation_hist);
    sp::synthetic_options other;
    other.seed = 7;
    REQUIRE(sp::synthetic_statistics(net, other).layers[5].weight_hist != s.layers[5].weight_hist);

    sp::predictor p(s, net);
    for (std::size_t i = 0; i < s.layers.size(); ++i) {
        const auto& d = s.layers[i];
        const auto& ml = m.layers[i];
        INFO(d.layer);
        // the tau_w grid sits at the weight-sparsity targets 0, 0.1, ..., 0.9
        REQUIRE(d.tau_w_grid.size() == 10);
        for (std::size_t j = 0; j < 10; ++j)
            REQUIRE(p.weight_sparsity(i, d.tau_w_grid[j]) == Approx(0.1 * static_cast<double>(j)).margin(1e-6));
        // analytic Laplace survival and a binomial count: E[b] = K p_w
        const double tau = d.tau_w_grid[4];
        const double sigma = ml.channel_weight_std[0];
        REQUIRE(ml.weight_survival(0, tau) == Approx(std::exp(-tau * std::sqrt(2.0) / sigma)));
        double eb = 0;
        for (count_t b = 0; b <= d.kernel; ++b)
            eb += static_cast<double>(b) * d.weight_hist[static_cast<std::size_t>(4 * d.channels * (d.kernel + 1) + b)];
        REQUIRE(eb == Approx(static_cast<double>(d.kernel) * ml.weight_survival(0, tau)));
        // activations
        if (d.source == sp::activation_source::relu) {
            REQUIRE(d.activation_threshold);
            REQUIRE(d.tau_a_grid.front() == 0.0);
            REQUIRE(d.tau_a_grid.size() >= 2);
            if (!sp::input_is_global_pool(net, static_cast<std::size_t>(ml.index))) {
                for (double p0 : ml.zero_fraction) {
                    REQUIRE(p0 >= 0.4);
                    REQUIRE(p0 <= 0.6);
                }
            }
            REQUIRE(ml.activation_zero_fraction(d.tau_a_grid.back()) == Approx(0.9).margin(1e-6));
        } else {
            REQUIRE_FALSE(d.activation_threshold);
            REQUIRE(d.tau_a_grid == std::vector<double>{0.0});
            REQUIRE(ml.activation_zero_fraction(1.0) == 0.0);
        }
    }
}

TEST_CASE("synthetic activation histograms count padding as zeros", "[sparsity][synthetic]") {
    // conv over the 4x4 network input (no ReLU: every in-image value non-zero)
    // with a 3x3 kernel and pad 1: 4 corner windows see 4 values, 8 edge windows 6, 4 inner 9.
    hass::network_builder b{"pad", {4, 4, 1}};
    b.conv(b.input(), "c", {.filters = 2, .kernel = 3, .pad = 1});
    const auto net = std::move(b).build();
    const auto s = sp::synthetic_statistics(net);
    const auto& h = s.layers[0].activation_hist;
    REQUIRE(h[4] == Approx(4.0 / 16));
    REQUIRE(h[6] == Approx(8.0 / 16));
    REQUIRE(h[9] == Approx(4.0 / 16));
}

TEST_CASE("every zoo network gets synthetic statistics", "[sparsity][synthetic]") {
    for (std::string_view name : hass::zoo::model_names) {
        INFO(name);
        const auto net = hass::zoo::get(name);
        const auto s = sp::synthetic_statistics(net);
        sp::predictor p(s, net);
        auto t = p.minimum_thresholds();
        auto copy = net;
        REQUIRE_NOTHROW(p.apply(copy, t));
    }
}

TEST_CASE("accuracy oracles: checks, tables, the combination rule", "[sparsity][accuracy]") {
    const std::vector<std::string> names{"a", "b"};
    const std::vector<sp::threshold_pair> cand{{0.1, 0.0}, {0.2, 0.3}};
    SECTION("NaN, infinite and negative drops name the candidate") {
        sp::accuracy_oracle nan = [](std::span<const sp::threshold_pair>) { return std::nan(""); };
        REQUIRE_THROWS_WITH(sp::checked_drop(nan, cand, names),
                            Contains("NaN") && Contains("a: (tau_w 0.1, tau_a 0)") && Contains("b: (tau_w 0.2, tau_a 0.3)"));
        sp::accuracy_oracle neg = [](std::span<const sp::threshold_pair>) { return -0.5; };
        REQUIRE_THROWS_WITH(sp::checked_drop(neg, cand, names), Contains("negative drop (-0.5 points)"));
        REQUIRE(sp::checked_drop(neg, cand, names, 1.0) == -0.5); // within the tolerance
        auto wrapped = sp::checked(neg, names);
        REQUIRE_THROWS_AS(wrapped(cand), hass::error);
        auto from_acc = sp::from_accuracy(76.0, [](std::span<const sp::threshold_pair>) { return 75.25; });
        REQUIRE(sp::checked_drop(from_acc, cand) == Approx(0.75));
    }
    SECTION("a tabulated oracle: bilinear per layer, additive or with interaction") {
        sp::accuracy_table t;
        t.layers.push_back({"a", {0.0, 0.2}, {0.0}, {0.0, 1.0}});
        t.layers.push_back({"b", {0.0, 0.4}, {0.0, 0.6}, {0.0, 0.5, 1.0, 3.0}});
        auto oracle = sp::tabulated_oracle(t, names);
        // a at tau_w 0.1: 0.5; b at (0.2, 0.3): (0 + 0.5 + 1 + 3) / 4 = 1.125
        REQUIRE(oracle(cand) == Approx(1.625));
        t.interaction = 0.4;
        auto compounding = sp::tabulated_oracle(t, names);
        REQUIRE(compounding(cand) == Approx(1.625 + 0.4 * 0.5 * 1.125));
        const double drops[]{0.5, 1.125};
        REQUIRE(sp::combine_drops(drops, 0.4) == Approx(1.625 + 0.4 * 0.5 * 1.125));
        REQUIRE_THROWS_WITH(oracle(std::vector<sp::threshold_pair>{{0.3, 0.0}, {0, 0}}),
                            Contains("layer 'a'") && Contains("outside the statistics grid [0, 0.2]"));
        REQUIRE_THROWS_WITH(sp::tabulated_oracle(t, std::vector<std::string>{"a", "zz"}), Contains("has no layer 'zz'"));
        t.layers[1].drop[1] = -1;
        REQUIRE_THROWS_WITH(sp::tabulated_oracle(t, names), Contains("layer 'b'") && Contains(">= 0"));
    }
    SECTION("the synthetic table: labelled, zero at the minimum, convex increasing in sparsity") {
        const auto net = hass::zoo::resnet18();
        const auto prob = sp::make_synthetic_problem(net);
        REQUIRE(prob.accuracy.synthetic);
        REQUIRE_THAT(prob.accuracy.provenance, Contains("SYNTHETIC"));
        sp::predictor p(prob.statistics, net);
        auto oracle = sp::checked(sp::tabulated_oracle(prob.accuracy, prob.statistics), prob.statistics.names());
        auto t = p.minimum_thresholds();
        REQUIRE(oracle(t) == 0.0);
        for (const auto& l : prob.accuracy.layers) {
            const std::size_t na = l.tau_a.size();
            for (std::size_t i = 2; i < l.tau_w.size(); ++i) {
                const double d0 = l.drop[(i - 2) * na], d1 = l.drop[(i - 1) * na], d2 = l.drop[i * na];
                REQUIRE(d1 > d0);
                REQUIRE(d2 - d1 > d1 - d0); // convex in the sparsity targets (equally spaced)
            }
        }
        // the first layer is the most sensitive per unit of sparsity
        const auto alpha = sp::synthetic_sensitivities(net, prob.model);
        REQUIRE(alpha[0] == *std::max_element(alpha.begin(), alpha.end()));
        // pruning every layer to 50% weight sparsity costs a few points
        for (std::size_t i = 0; i < p.size(); ++i) t[i].tau_w = p.tau_w_grid(i)[5];
        const double d = oracle(t);
        CHECK(d > 0.5);
        CHECK(d < 10.0);
    }
}
