// The folding search (hass/search): the optimal algorithm against exhaustive
// enumeration on small random networks, the budget and validity of every
// algorithm's result, and properties on the zoo.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <tuple>
#include <random>
#include <string>
#include <vector>

#include <hass/hass.hpp>
#include <hass/io/json.hpp>
#include <hass/search/options.hpp>
#include <hass/search/partition.hpp>
#include <hass/search/search.hpp>
#include <hass/zoo/zoo.hpp>

#include "random_source.hpp"

namespace {

using hass::count_t;

using hass::test::random_source;

const std::vector<count_t> small_channels{1, 2, 3, 4, 6, 8, 12, 16};
const std::vector<count_t> wide_channels{8, 16, 24, 32, 48, 64};

count_t pick(random_source& r, const std::vector<count_t>& from) { return from[r.below(from.size())]; }

// Random statistics for a sparse convolution (mean zero fraction well above 0.1).
hass::sparsity_stats random_sparsity(random_source& r, count_t channels, count_t K) {
    std::vector<double> h;
    for (count_t c = 0; c < channels; ++c) {
        std::vector<double> row(static_cast<std::size_t>(K + 1));
        double sum = 0;
        for (auto& v : row) sum += v = 0.05 + r.unit();
        for (auto& v : row) h.push_back(v / sum);
    }
    // renormalise the last entry of every row so rows sum to 1 exactly enough
    for (count_t c = 0; c < channels; ++c) {
        double s = 0;
        for (count_t z = 0; z < K; ++z) s += h[static_cast<std::size_t>(c * (K + 1) + z)];
        h[static_cast<std::size_t>(c * (K + 1) + K)] = 1.0 - s;
    }
    return hass::make_sparsity_stats(channels, K, std::move(h), "random");
}

// 1-6 layers of convolution (kernel 1 or 3, sometimes depthwise, sometimes
// sparse), ReLU, pooling, residual adds and a final inner product.
hass::network random_network(random_source& r, int max_layers, const std::vector<count_t>& channels = small_channels) {
    auto pick_channels = [&](random_source& rs) { return pick(rs, channels); };
    const count_t rows = 2 + static_cast<count_t>(r.below(5));
    hass::network_builder b{"random", {rows, rows, pick_channels(r)}};
    int x = b.input();
    const int layers = 1 + static_cast<int>(r.below(static_cast<std::size_t>(max_layers)));
    for (int k = 0; k < layers; ++k) {
        const hass::tensor_shape s = b.shape(x);
        const std::string name = hass::detail::cat("l", k); // (operator+ trips a GCC 12 -Wrestrict false positive)
        const std::size_t kind = r.below(20);
        if (kind < 9) {
            hass::conv_params p;
            const count_t pad = r.below(2);
            p.kernel = (s.rows + 2 * pad >= 3 && r.chance(0.5)) ? 3 : 1;
            p.pad = p.kernel == 3 ? pad : 0;
            if (s.channels > 1 && r.chance(0.25)) {
                p.groups = s.channels;
                p.filters = s.channels;
            } else {
                p.filters = pick_channels(r);
            }
            p.batchnorm = r.chance(0.5);
            x = b.conv(x, name, p);
        } else if (kind < 13) {
            x = b.relu(x, name);
        } else if (kind < 16) {
            if (s.rows >= 2) x = b.max_pool(x, name, 2, 2);
        } else if (kind < 18) {
            const int y = b.relu(x, name);
            x = b.add(x, y, name + "_add");
            ++k;
        } else {
            x = b.inner_product(x, name, pick_channels(r));
            break;
        }
    }
    hass::network net = std::move(b).build();
    for (auto& l : net.layers)
        if (l.type == hass::layer_type::convolution && r.chance(0.2))
            l.sparsity = random_sparsity(r, l.in.channels, l.kernel_size());
    hass::validate(net);
    return net;
}

// A board whose budget lies between the smallest and the largest designs, so
// that the folding choice matters (and sometimes nothing fits).
hass::board random_board(random_source& r, const hass::network& net, bool with_uram) {
    hass::board b{"tiny", "test", {1, 1, 1, 1, with_uram ? 1 : 0}, 200, 1000};
    hass::resources lo{}, hi{};
    for (const auto& l : net.layers) {
        const auto folds = hass::enumerate_foldings(l, b);
        hass::resources mn = hass::evaluate_layer(l, folds.front()).used, mx = mn;
        for (const auto& f : folds) {
            const auto u = hass::evaluate_layer(l, f).used;
            for (auto k : hass::all_resource_kinds) {
                mn[k] = std::min(mn[k], u[k]);
                mx[k] = std::max(mx[k], u[k]);
            }
        }
        lo += mn;
        hi += mx;
    }
    for (auto k : hass::all_resource_kinds) {
        if (k == hass::resource_kind::uram && !with_uram) continue;
        const double f = r.chance(0.3) ? 1.0 : r.unit() * 0.5;
        b.budget[k] = lo[k] + static_cast<count_t>(f * static_cast<double>(hi[k] - lo[k]) * 1.2) + 1;
        if (r.chance(0.04)) b.budget[k] = lo[k] * 9 / 10; // below the smallest design
    }
    if (with_uram && b.budget.uram <= 0) b.budget.uram = 1;
    // sometimes the off-chip memory is the bottleneck
    b.bandwidth_gbps = r.chance(0.15) ? 0.2 * (1 + r.unit()) : 1000;
    return b;
}

struct exhaustive_result {
    bool found = false;
    count_t ii = 0;         ///< smallest II of a design within budget
    count_t compute_ii = 0; ///< smallest slowest-layer-or-squeeze latency of a design within budget
    std::size_t designs = 0;
};

// Every valid folding of a layer with its weights on chip, written straight from
// MODEL.md's rules (independent of hass::enumerate_foldings): a convolution's
// ci | C/G, co | F/G, cg | G, f | K (dense) or 1 <= f <= K (sparse, plus the
// dense build at every f | K); an inner product's ci | C, co | F; any other
// layer's one coarse factor dividing its channels (input and output channels
// for concat, split and eltwise); weights in BRAM, or URAM when the board has it.
std::vector<hass::folding> independent_foldings(const hass::layer& l, const hass::board& b) {
    auto divisors = [](count_t n) {
        std::vector<count_t> d;
        for (count_t x = 1; x <= n; ++x)
            if (n % x == 0) d.push_back(x);
        return d;
    };
    std::vector<hass::weight_storage> stores{hass::weight_storage::bram};
    if (l.has_weights() && b.budget.uram > 0) stores.push_back(hass::weight_storage::uram);
    std::vector<hass::folding> out;
    auto add = [&](count_t ci, count_t co, count_t cg, count_t fine, bool dense) {
        for (auto w : stores) {
            hass::folding f;
            f.coarse_in = ci;
            f.coarse_out = co;
            f.coarse_group = cg;
            f.fine = fine;
            f.dense = dense;
            if (l.has_weights()) f.weights = w;
            out.push_back(f);
        }
    };
    if (l.type == hass::layer_type::convolution) {
        const count_t G = l.groups, K = l.kernel_rows * l.kernel_cols;
        const bool sparse = l.sparsity.worth_sparse();
        for (count_t ci : divisors(l.in.channels / G))
            for (count_t co : divisors(l.out.channels / G))
                for (count_t cg : divisors(G))
                    for (count_t f = 1; f <= K; ++f) {
                        if (sparse) add(ci, co, cg, f, false);
                        if (K % f == 0) add(ci, co, cg, f, sparse);
                    }
    } else if (l.type == hass::layer_type::inner_product) {
        for (count_t ci : divisors(l.in.rows * l.in.cols * l.in.channels))
            for (count_t co : divisors(l.out.channels)) add(ci, co, 1, 1, false);
    } else {
        const bool both = l.type == hass::layer_type::concat || l.type == hass::layer_type::split ||
                          l.type == hass::layer_type::eltwise;
        for (count_t c : divisors(l.in.channels))
            if (!both || l.out.channels % c == 0) add(c, c, 1, 1, false);
    }
    return out;
}

bool same_folding_sets(std::vector<hass::folding> a, std::vector<hass::folding> b) {
    auto key = [](const hass::folding& f) {
        return std::tuple{f.coarse_in, f.coarse_out, f.coarse_group, f.fine, static_cast<int>(f.weights), f.dense,
                          f.stream_weights};
    };
    auto less = [&](const hass::folding& x, const hass::folding& y) { return key(x) < key(y); };
    std::sort(a.begin(), a.end(), less);
    std::sort(b.begin(), b.end(), less);
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [&](const auto& x, const auto& y) {
               return key(x) == key(y);
           });
}

// Every combination of every layer's valid foldings (MODEL.md's rules,
// independent_foldings), evaluated as a whole design.
exhaustive_result exhaustive(const hass::network& net, const hass::board& b, const hass::utilisation_cap& cap) {
    std::vector<std::vector<hass::folding>> folds;
    for (const auto& l : net.layers) folds.push_back(independent_foldings(l, b));
    std::vector<hass::folding> f(net.size());
    for (std::size_t i = 0; i < net.size(); ++i) f[i] = folds[i][0];
    hass::validate(net, f);
    std::vector<std::size_t> at(net.size(), 0);
    exhaustive_result out;
    const int n = static_cast<int>(net.size());
    for (;;) {
        const auto rep = hass::evaluate_partition(net, f, b, 0, n, {cap});
        ++out.designs;
        if (rep.fits) {
            out.ii = out.found ? std::min(out.ii, rep.ii) : rep.ii;
            out.compute_ii = out.found ? std::min(out.compute_ii, rep.compute_ii) : rep.compute_ii;
            out.found = true;
        }
        std::size_t i = 0;
        while (i < at.size()) {
            if (++at[i] < folds[i].size()) {
                f[i] = folds[i][at[i]];
                break;
            }
            at[i] = 0;
            f[i] = folds[i][0];
            ++i;
        }
        if (i == at.size()) break;
    }
    return out;
}

std::size_t design_count(const hass::network& net, const hass::board& b) {
    std::size_t p = 1;
    for (const auto& l : net.layers) {
        p *= hass::enumerate_foldings(l, b).size();
        if (p > 1'000'000) return p;
    }
    return p;
}

void check_design(const hass::network& net, const hass::board& b, const hass::search_options& so,
                  const hass::search_result& r) {
    INFO(r.algo << ": " << r.message);
    if (!r.found) {
        CHECK(r.folding.empty());
        CHECK_FALSE(r.message.empty());
        return;
    }
    REQUIRE(r.folding.size() == net.size());
    for (std::size_t i = 0; i < net.size(); ++i) CHECK(hass::is_valid_folding(net.layers[i], r.folding[i]));
    const auto rep = hass::evaluate(net, r.folding, b, {so.cap, so.batch, so.bram_to_lut});
    CHECK(rep.fits);
    CHECK(rep.ii == r.ii);
    CHECK(rep.used == r.report.used);
    if (r.ii_lower_bound > 0) CHECK(r.ii_lower_bound <= r.ii);
}

} // namespace

TEST_CASE("optimal search matches exhaustive enumeration on small random networks", "[search]") {
    random_source r(20240611);
    int cases = 0, feasible = 0, infeasible = 0, with_uram = 0, tried = 0, tight = 0;
    std::string gaps;
    std::size_t designs = 0;
    while (cases < 300) {
        REQUIRE(++tried < 20000);
        const hass::network net = random_network(r, 6);
        const bool uram = r.chance(0.4);
        const hass::board b = random_board(r, net, uram);
        if (design_count(net, b) > 20000) continue;
        hass::search_options so;
        so.offchip_weights = false; // the exhaustive truth enumerates on-chip storage only
        if (r.chance(0.2)) so.cap = {0.9, 0.95, 0.9, 0.85};
        for (const auto& l : net.layers) {
            INFO("layer " << l.name.view());
            CHECK(same_folding_sets(hass::enumerate_foldings(l, b), independent_foldings(l, b)));
        }
        const auto truth = exhaustive(net, b, so.cap);
        designs += truth.designs;
        const auto got = hass::search(net, b, hass::algorithm::optimal, so);
        INFO("case " << cases << ": " << net.size() << " layers, " << truth.designs << " designs; " << got.message);
        REQUIRE(got.found == truth.found);
        if (truth.found) {
            CHECK(got.ii == truth.ii);
            CHECK(got.ii_lower_bound <= truth.ii);
            if (got.ii_lower_bound == truth.ii)
                ++tight;
            else
                gaps += hass::detail::cat(" case ", cases, ": ", got.ii_lower_bound, " < ", truth.ii, ";");
            check_design(net, b, so, got);
            ++feasible;
        } else {
            ++infeasible;
        }
        with_uram += uram ? 1 : 0;
        ++cases;
    }
    // the generator covers both outcomes and both kinds of board
    CHECK(feasible > 100);
    CHECK(infeasible > 5);
    CHECK(with_uram > 50);
    CHECK(designs > 300000);
    // The proven bound is the optimum on 253 of the 259 feasible cases (the
    // branch-and-bound closes); on the others the bound is the relaxation's or
    // a partly tightened one. Fewer tight cases is a weaker bound; more, a
    // stronger one: either way docs/search.md's count changes with it.
    WARN("lower bound == optimum on " << tight << " of " << feasible << " feasible cases; gaps:" << gaps);
    CHECK(feasible == 259);
    CHECK(tight == 253);
}

TEST_CASE("the feasibility proofs are sound on every target", "[search]") {
    // Without the branch-and-bound, every "infeasible" verdict comes from the
    // relaxations, the Lagrangian certificates or the knapsack programme: check
    // each against the exhaustive truth, on boards tight in several resources.
    // The solver sums what the search sums (layers with their port squeezes,
    // squeezes on edges); the exact evaluation also adds the skip-connection
    // FIFOs, so every design that fits exactly fits the solver's sums (an
    // infeasible verdict must lie below the exhaustive truth), while a feasible
    // verdict is checked against the solver's own sums and limits.
    namespace fs = hass::detail::fold_search;
    random_source r(99);
    int proofs_beyond_relaxation = 0, targets = 0, cases = 0, tried = 0, feasible = 0, infeasible = 0;
    while (cases < 200) {
        REQUIRE(++tried < 20000);
        const hass::network net = random_network(r, 4, wide_channels);
        hass::board b = random_board(r, net, r.chance(0.6));
        if (design_count(net, b) > 4000) continue;
        // tighten every resource towards the smallest design
        const auto opts = hass::make_network_options(net, b);
        for (auto k : hass::all_resource_kinds) {
            count_t lo = 0;
            for (const auto& o : opts) {
                count_t m = o.options.front().used[k];
                for (const auto& x : o.options) m = std::min(m, x.used[k]);
                lo += m;
            }
            if (b.budget[k] > 0) b.budget[k] = std::max<count_t>(1, lo + static_cast<count_t>(r.unit() * 0.4 * static_cast<double>(lo)));
        }
        b.bandwidth_gbps = 1000;
        const auto truth = exhaustive(net, b, {});
        hass::search_options so;
        so.node_limit = 0; // no branch-and-bound
        so.offchip_weights = false; // as the options above and the exhaustive truth
        const int n = static_cast<int>(net.size());
        // the search's context: the port squeezes folded into the options of the port layers
        const fs::context cx = fs::make_context<hass::cost::hass>(net, b, so, opts, 0, n);
        fs::optimal_solver s(net, cx.g, cx.opts, cx.limits, so, cx.bpc, cx.fixed_bits);
        for (count_t T : s.candidates()) {
            std::vector<int> choice;
            const fs::verdict v = s.feasible(T, choice);
            ++targets;
            INFO("case " << cases << " target " << T << " truth " << (truth.found ? truth.compute_ii : -1));
            if (v == fs::verdict::infeasible) {
                ++infeasible;
                CHECK((!truth.found || T < truth.compute_ii));
                if (s.relaxation_fits(T)) ++proofs_beyond_relaxation;
            } else if (v == fs::verdict::feasible) {
                ++feasible;
                REQUIRE(choice.size() == net.size());
                // the solver's sums: its options (port squeezes included) and the squeezes on edges
                hass::resources summed{};
                count_t slowest = 0;
                std::vector<hass::folding> f(net.size());
                for (std::size_t i = 0; i < net.size(); ++i) {
                    const auto& o = cx.opts[i].options[static_cast<std::size_t>(choice[i])];
                    summed += o.used;
                    slowest = std::max(slowest, o.latency);
                    f[i] = o.fold;
                }
                for (const auto& e : cx.g.edges) {
                    const auto& a = cx.opts[static_cast<std::size_t>(e.producer)]
                                        .options[static_cast<std::size_t>(choice[static_cast<std::size_t>(e.producer)])];
                    const auto& c = cx.opts[static_cast<std::size_t>(e.consumer)]
                                        .options[static_cast<std::size_t>(choice[static_cast<std::size_t>(e.consumer)])];
                    const auto q = fs::squeeze_on(net, cx.g, e, a.streams_out, c.streams_in);
                    summed += q.used;
                    slowest = std::max(slowest, q.latency);
                }
                CHECK(fs::fits(fs::to_usage(summed), cx.limits));
                CHECK(slowest <= T);
                // the exact evaluation: the same layers, squeezes and port squeezes, plus the skip FIFOs
                const auto rep = hass::evaluate(net, f, b);
                CHECK(rep.compute_ii <= T);
                count_t fifo = 0;
                for (const auto& lp : rep.layers) fifo += lp.fifo_bram;
                hass::resources exact = rep.used_raw;
                exact.bram18 -= fifo;
                CHECK(exact == summed);
                // without FIFOs the exact design fits whenever the solver's sums do
                if (fifo == 0) CHECK(rep.fits);
            }
        }
        ++cases;
    }
    CHECK(targets > 1000);
    CHECK(feasible > 100);
    CHECK(infeasible > 100);
    CHECK(proofs_beyond_relaxation > 10);
}

TEST_CASE("every algorithm returns a valid design within budget", "[search]") {
    random_source r(7);
    for (int k = 0; k < 60; ++k) {
        const hass::network net = random_network(r, 8);
        const hass::board b = random_board(r, net, r.chance(0.5));
        hass::search_options so;
        so.seed = k + 1;
        so.anneal_iterations = 400;
        const auto opt = hass::search(net, b, hass::algorithm::optimal, so);
        for (auto a : hass::all_algorithms) {
            const auto res = a == hass::algorithm::optimal ? opt : hass::search(net, b, a, so);
            CHECK(res.algo == hass::to_string(a));
            check_design(net, b, so, res);
            if (res.found) {
                CHECK(opt.found);
                CHECK(opt.ii <= res.ii);
            }
        }
    }
}

TEST_CASE("a seed design is a floor for every algorithm, and a bad seed is named", "[search][seed]") {
    // seeded with the optimal design, greedy and anneal return a design no slower;
    // on these random networks greedy alone is sometimes slower (the seed is used)
    random_source r(11);
    int helped = 0;
    for (int k = 0; k < 40; ++k) {
        const hass::network net = random_network(r, 8);
        const hass::board b = random_board(r, net, r.chance(0.5));
        hass::search_options so;
        so.seed = k + 1;
        so.anneal_iterations = 200;
        const auto opt = hass::search(net, b, hass::algorithm::optimal, so);
        if (!opt.found) continue;
        const auto alone = hass::search(net, b, hass::algorithm::greedy, so);
        hass::search_options seeded = so;
        seeded.seed_design = opt.folding;
        for (auto a : {hass::algorithm::greedy, hass::algorithm::anneal}) {
            const auto res = hass::search(net, b, a, seeded);
            check_design(net, b, seeded, res);
            REQUIRE(res.found);
            CHECK(res.ii <= opt.ii);
        }
        const auto g = hass::search(net, b, hass::algorithm::greedy, seeded);
        if (!alone.found || alone.ii > opt.ii) {
            ++helped;
            CHECK(g.folding == opt.folding);
        }
    }
    CHECK(helped > 0);

    hass::network_builder bld{"seeded", {28, 28, 1}};
    auto x = bld.conv(bld.input(), "conv1", {.filters = 6, .kernel = 5});
    x = bld.relu(x, "relu1");
    bld.inner_product(x, "fc", 10);
    const hass::network net = std::move(bld).build();
    const hass::board& b = hass::boards::zedboard::spec;
    hass::search_options so;
    so.seed_design = std::vector<hass::folding>(net.size() - 1);
    auto res = hass::search(net, b, hass::algorithm::greedy, so);
    CHECK(res.found);
    CHECK(res.message.find("(the seed design was not used: it has " + std::to_string(net.size() - 1) + " foldings for " +
                           std::to_string(net.size()) + " layers)") != std::string::npos);
    so.seed_design = hass::unit_folding(net);
    so.seed_design[0].coarse_out = 7; // conv1's 6 filters: 7 does not divide them
    res = hass::search(net, b, hass::algorithm::greedy, so);
    CHECK(res.found);
    CHECK(res.message.find("(the seed design was not used: its folding of layer '" + std::string(net.layers[0].name.view()) +
                           "' is not valid)") != std::string::npos);
    so.seed_design = hass::unit_folding(net);
    so.seed_design[0].weights = hass::weight_storage::off_chip;
    so.offchip_weights = false;
    res = hass::search(net, b, hass::algorithm::greedy, so);
    CHECK(res.found);
    CHECK(res.folding[0].weights != hass::weight_storage::off_chip);
    CHECK(res.message.find("(the seed design was not used: layer 'conv1' streams its weights, and off-chip weights "
                           "are disabled)") != std::string::npos);
    so.offchip_weights = true;
    // every conv1 filter and kernel position in parallel: 150 multipliers on a 4-DSP board
    const hass::board few{"few", "none", {4, 40000, 80000, 40, 0}, 100, 1};
    so.seed_design = hass::unit_folding(net);
    so.seed_design[0].coarse_out = 6;
    so.seed_design[0].fine = 25;
    res = hass::search(net, few, hass::algorithm::optimal, so);
    REQUIRE(res.found);
    CHECK(res.folding != so.seed_design);
    INFO(res.message);
    CHECK(res.message.find("(the seed design was not used: it does not fit the budget)") != std::string::npos);
}

TEST_CASE("an infeasible network names the binding resource", "[search]") {
    const hass::network net = hass::zoo::get("resnet50");
    hass::search_options on_chip; // weights on chip: the relaxation names BRAM18 as the binding resource
    on_chip.offchip_weights = false;
    const auto r = hass::search(net, hass::boards::zcu102::spec, hass::algorithm::optimal, on_chip);
    CHECK_FALSE(r.found);
    CHECK(r.folding.empty());
    CHECK(r.message.find("resnet50 does not fit zcu102") != std::string::npos);
    CHECK(r.message.find("bram18") != std::string::npos);
    const auto g = hass::search(net, hass::boards::zcu102::spec, hass::algorithm::greedy, on_chip);
    CHECK_FALSE(g.found);
    CHECK(g.message == r.message);
    // a layer that cannot fit even alone is named with what it needs (docs/search.md, "Options"):
    // resnet18's layer4.0.conv2 holds 512*512*9 16-bit weights, 37,748,736 bits, at least
    // 37,748,736 / 18,432 = 2,048 BRAM18; without BRAM-to-LUTRAM its smallest on-chip design
    // needs 2,049 against the zcu102's 1,824
    hass::search_options strict = on_chip;
    strict.bram_to_lut = false;
    const auto s = hass::search(hass::zoo::get("resnet18"), hass::boards::zcu102::spec, hass::algorithm::optimal, strict);
    CHECK_FALSE(s.found);
    CHECK(s.message == "resnet18 does not fit zcu102: layer 'layer4.0.conv2' (convolution) alone needs at least 2049 "
                       "bram18 at its smallest folding with its weights on chip (off-chip weights disabled), but board "
                       "'zcu102' allows 1824 after the utilisation cap");
}

TEST_CASE("every algorithm's lower bound holds below the optimal design", "[search]") {
    // ii_lower_bound: no design within budget has a smaller II. The optimal design is
    // one within budget, so no algorithm's bound may exceed its II. The tail of
    // mobilenet_v2 on zcu102 with on-chip weights: its input port squeeze (32 -> 320
    // streams) pushes the first greedy design over budget, so the search runs again
    // with resources reserved.
    hass::network_builder nb{"tail", {7, 7, 320}};
    auto x = nb.conv(nb.input(), "conv", {.filters = 1280, .kernel = 1});
    x = nb.relu(x, "relu");
    x = nb.global_avg_pool(x, "gap");
    nb.inner_product(x, "fc", 1000);
    const hass::network net = std::move(nb).build();
    const hass::board& b = hass::boards::zcu102::spec;
    hass::search_options so;
    so.offchip_weights = false;
    so.anneal_iterations = 300;
    const auto opt = hass::search(net, b, hass::algorithm::optimal, so);
    REQUIRE(opt.found);
    check_design(net, b, so, opt);
    for (auto a : hass::all_algorithms) {
        const auto r = hass::search(net, b, a, so);
        INFO(r.algo << ": " << r.message);
        check_design(net, b, so, r);
        CHECK(r.ii_lower_bound <= opt.ii);
    }
}

TEST_CASE("zoo: optimal is no worse than greedy, bounds hold, anneal is deterministic", "[search][zoo]") {
    // The optimal search's II and proven bound under hass's model, one partition,
    // default options: the "optimal" rows of docs/search.md's hass table (which
    // hass_search_report prints) and its count of tight bounds. 0 = nothing fits.
    struct expected {
        std::string_view model, board;
        count_t ii, bound;
    };
    const expected table[] = {
        {"resnet18", "u250", 200704, 158700},          {"resnet50", "u250", 802816, 401408},
        {"mobilenet_v2", "u250", 51076, 51076},        {"mobilenet_v3_small", "u250", 51076, 51076},
        {"mobilenet_v3_large", "u250", 51076, 51076},  {"vgg16", "u250", 1605632, 1605632},
        {"alexnet", "u250", 195147, 155953},           {"resnet18", "zcu102", 17140565, 8429569},
        {"resnet50", "zcu102", 0, 0},                  {"mobilenet_v2", "zcu102", 1204224, 242209},
        {"mobilenet_v3_small", "zcu102", 385699, 51076}, {"mobilenet_v3_large", "zcu102", 0, 0},
        {"vgg16", "zcu102", 115775915, 102760449},     {"alexnet", "zcu102", 1224448, 1224448},
    };
    int fitted = 0, tight = 0;
    for (const hass::board& b : {hass::boards::u250::spec, hass::boards::zcu102::spec}) {
        for (auto name : hass::zoo::model_names) {
            const hass::network net = hass::zoo::get(name);
            hass::search_options so;
            so.anneal_iterations = 1500;
            const auto opt = hass::search(net, b, hass::algorithm::optimal, so);
            const auto greedy = hass::search(net, b, hass::algorithm::greedy, so);
            INFO(name << " on " << b.name << ": " << opt.message);
            CHECK(opt.found == greedy.found);
            check_design(net, b, so, opt);
            check_design(net, b, so, greedy);
            const auto row = std::find_if(std::begin(table), std::end(table), [&](const expected& e) {
                return e.model == name && e.board == b.name;
            });
            REQUIRE(row != std::end(table));
            CHECK(opt.found == (row->ii > 0));
            if (!opt.found) continue;
            CHECK(opt.ii == row->ii);
            CHECK(opt.ii_lower_bound == row->bound);
            ++fitted;
            if (opt.ii == opt.ii_lower_bound) ++tight;
            CHECK(opt.ii <= greedy.ii);
            CHECK(opt.ii_lower_bound <= opt.ii);
            CHECK(opt.ii_lower_bound > 0);
            const auto a1 = hass::search(net, b, hass::algorithm::anneal, so);
            const auto a2 = hass::search(net, b, hass::algorithm::anneal, so);
            check_design(net, b, so, a1);
            CHECK(a1.folding == a2.folding);
            CHECK(a1.ii == a2.ii);
            CHECK(opt.ii <= a1.ii);
        }
    }
    // docs/search.md: the proven bound equals the design on 5 of the 12 pairs that fit
    CHECK(fitted == 12);
    CHECK(tight == 5);
}

TEST_CASE("folding options: Pareto sets and enumeration", "[search]") {
    const hass::network net = hass::zoo::get("resnet18");
    const auto& b = hass::boards::u250::spec;
    const auto opts = hass::make_network_options(net, b);
    REQUIRE(opts.size() == net.size());
    for (std::size_t i = 0; i < net.size(); ++i) {
        const auto& lo = opts[i];
        REQUIRE_FALSE(lo.options.empty());
        REQUIRE_FALSE(lo.front.empty());
        for (std::size_t k = 1; k < lo.options.size(); ++k) CHECK(lo.options[k - 1].latency <= lo.options[k].latency);
        for (const auto& o : lo.options) {
            CHECK(hass::is_valid_folding(net.layers[i], o.fold));
            const auto p = hass::evaluate_layer(net.layers[i], o.fold);
            CHECK(p.latency == o.latency);
            CHECK(p.used == o.used);
        }
        // no option of the front dominates another
        for (int a : lo.front)
            for (int c : lo.front)
                if (a != c) CHECK_FALSE(hass::detail::dominates(lo.options[static_cast<std::size_t>(a)],
                                                                lo.options[static_cast<std::size_t>(c)]));
        // the fastest option is the fastest folding there is
        count_t fastest = lo.options.front().latency;
        for (const auto& f : hass::enumerate_foldings(net.layers[i], b))
            CHECK(hass::evaluate_layer(net.layers[i], f).latency >= fastest);
    }
    // URAM variants only on boards with URAM
    for (const auto& f : hass::enumerate_foldings(net.layers[0], hass::boards::zcu102::spec))
        CHECK(f.weights == hass::weight_storage::bram);
    CHECK(hass::divisors_of(12) == std::vector<count_t>{1, 2, 3, 4, 6, 12});
    CHECK(hass::parse_algorithm("anneal") == hass::algorithm::anneal);
    CHECK_FALSE(hass::parse_algorithm("bogus").has_value());
}

#include <hass/search/static_search.hpp>

TEST_CASE("the constant-expression search agrees with the run-time optimal search", "[search][static]") {
    // two 3x3 convolutions on an 8x8 map, channels and budgets varied
    for (hass::count_t c : {2, 4}) {
        for (hass::count_t dsp : {4, 12, 30}) {
            hass::network_builder b{"pair", {8, 8, c}};
            auto x = b.conv(b.input(), "conv1", {.filters = 4, .kernel = 3, .pad = 1});
            x = b.relu(x, "relu1");
            b.conv(x, "conv2", {.filters = 4, .kernel = 3, .pad = 1});
            const auto net = std::move(b).build();
            const hass::board board{"small", "none", {dsp, 8000, 16000, 12, 0}, 100, 10};
            hass::search_options on_chip; // static_optimal_folding keeps weights on chip
            on_chip.offchip_weights = false;
            const auto fast = hass::search(net, board, hass::algorithm::optimal, on_chip);
            const auto exact = hass::static_optimal_folding(net, board);
            INFO("channels " << c << ", dsp " << dsp);
            REQUIRE(fast.found == exact.found);
            if (exact.found) CHECK(fast.ii == exact.ii);
        }
    }
}

TEST_CASE("the search may build a layer with statistics dense", "[search][sparse]") {
    hass::network_builder b{"sp", {8, 8, 4}};
    b.conv(b.input(), "conv", {.filters = 8, .kernel = 3, .pad = 1});
    auto net = std::move(b).build();
    std::vector<double> h;
    for (int c = 0; c < 4; ++c)
        for (int z = 0; z <= 9; ++z) h.push_back(z == 2 ? 1.0 : 0.0); // 2 of 9 zero: worth building sparse
    net.layers[0].sparsity = hass::make_sparsity_stats(4, 9, h, "conv");
    const auto opts = hass::make_layer_options(net.layers[0], hass::boards::zcu102::spec);
    bool dense = false, sparse = false;
    for (const auto& o : opts.options) (o.fold.dense ? dense : sparse) = true;
    CHECK(dense);
    CHECK(sparse);
}

// Properties at scale: over seeded random networks and boards, every search
// terminates, no search returns a design over budget (checked by an
// independent evaluation), and the same inputs and seed give byte-identical
// folding JSON. HASS_PROPERTY_CASES sets the count (default 150 in the suite;
// docs/search.md reports a run of 10,000, whose counts this test checks too).
TEST_CASE("properties over seeded random networks and boards", "[search][properties]") {
    int cases = 150;
    if (const char* env = std::getenv("HASS_PROPERTY_CASES")) cases = std::max(1, std::atoi(env));
    random_source r(20261201);
    int found = 0, not_found = 0;
    for (int c = 0; c < cases; ++c) {
        const hass::network net = random_network(r, 6, r.chance(0.5) ? small_channels : wide_channels);
        const hass::board b = random_board(r, net, r.chance(0.4));
        hass::search_options so;
        so.seed = 1 + r.below(1000);
        so.offchip_weights = r.chance(0.5);
        if (r.chance(0.2)) so.cap = {0.9, 0.95, 0.9, 0.85};
        for (auto algo : hass::all_algorithms) {
            INFO("case " << c << ", " << hass::to_string(algo) << ", " << net.size() << " layers");
            const auto a = hass::search(net, b, algo, so);
            const auto again = hass::search(net, b, algo, so);
            REQUIRE(a.found == again.found);
            if (!a.found) {
                CHECK_FALSE(a.message.empty());
                ++not_found;
                continue;
            }
            ++found;
            // within budget, by an evaluation independent of the search's own report
            const auto rep = hass::evaluate(net, a.folding, b, {so.cap, so.batch, so.bram_to_lut});
            CHECK(rep.fits);
            CHECK(hass::within(rep.used, b.capped(so.cap)));
            CHECK(rep.ii == a.ii);
            // deterministic: the same folding file, byte for byte
            CHECK(hass::io::write_folding(net, a.folding).dump() == hass::io::write_folding(net, again.folding).dump());
        }
        const auto p = hass::search_partitioned(net, b, hass::algorithm::optimal, so);
        if (p.found) CHECK(p.report.fits());
    }
    WARN(cases << " random cases: " << found << " designs found and checked, " << not_found << " searches found none");
    CHECK(found > 0);
    // the counts docs/search.md gives for the suite's 150 cases and for a run of 10,000
    if (cases == 150) {
        CHECK(found == 380);
        CHECK(not_found == 70);
    }
    if (cases == 10000) {
        CHECK(found == 25667);
        CHECK(not_found == 4333);
    }
}
