// Off-chip weights in the folding search and the partitioned search
// (hass/search/partition.hpp): the coupled optimal search against exhaustive
// enumeration, budgets of every partition, batch times against
// hass::evaluate_partitions, and the zoo cases the search is for.
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <hass/hass.hpp>
#include <hass/search/options.hpp>
#include <hass/search/partition.hpp>
#include <hass/search/search.hpp>
#include <hass/zoo/zoo.hpp>

#include "random_source.hpp"

namespace {

using hass::count_t;

using rng = hass::test::random_source;

// Two or three layers with weights large enough for BRAM (so keeping them off
// chip saves RAM), sometimes with a ReLU in between.
hass::network weighty_network(rng &r) {
    const std::vector<count_t> ch{4, 8, 16};
    constexpr const char *names[] = {"l0", "l1", "l2"};
    constexpr const char *relus[] = {"l0_relu", "l1_relu", "l2_relu"};
    hass::network_builder b{"weighty", {4, 4, ch[r.below(ch.size())]}};
    auto x = b.input();
    const int layers = 2 + static_cast<int>(r.below(2));
    for (int k = 0; k < layers; ++k) {
        const char *name = names[k];
        if (k + 1 == layers) {
            b.inner_product(x, name, ch[r.below(ch.size())]);
            break;
        }
        if (r.below(2) == 0) {
            x = b.conv(x, name, {.filters = ch[r.below(2)], .kernel = 3, .pad = 1});
        } else {
            x = b.conv(x, name, {.filters = ch[r.below(ch.size())], .kernel = 1});
        }
        x = r.below(2) == 0 ? b.relu(x, relus[k]) : x;
    }
    return std::move(b).build();
}

struct truth {
    bool found = false;
    count_t ii = 0;
};

// Every combination of every layer's foldings, storage off chip included.
truth exhaustive(const hass::network &net, const hass::board &b, std::size_t limit,
                 bool &too_many) {
    std::vector<std::vector<hass::folding>> folds;
    std::size_t designs = 1;
    for (const auto &l : net.layers) {
        folds.push_back(hass::enumerate_foldings(l, b, true));
        designs *= folds.back().size();
        if (designs > limit) {
            too_many = true;
            return {};
        }
    }
    too_many = false;
    std::vector<hass::folding> f(net.size());
    std::vector<std::size_t> at(net.size(), 0);
    for (std::size_t i = 0; i < net.size(); ++i)
        f[i] = folds[i][0];
    truth out;
    const int n = static_cast<int>(net.size());
    for (;;) {
        const auto rep = hass::evaluate_partition(net, f, b, 0, n);
        if (rep.fits && (!out.found || rep.ii < out.ii)) {
            out.found = true;
            out.ii = rep.ii;
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
        if (i == at.size())
            break;
    }
    return out;
}

void check_partitioned(const hass::network &net, const hass::board &b,
                       const hass::search_options &so, const hass::partitioned_search_result &r) {
    INFO(net.name.view() << " on " << b.name << ": " << r.message);
    if (!r.found) {
        CHECK(r.folding.empty());
        CHECK(r.message.rfind("no design fits", 0) == 0);
        return;
    }
    REQUIRE(r.folding.size() == net.size());
    for (std::size_t i = 0; i < net.size(); ++i)
        CHECK(hass::is_valid_folding(net.layers[i], r.folding[i]));
    if (!so.offchip_weights)
        for (const auto &f : r.folding)
            CHECK(f.weights != hass::weight_storage::off_chip);
    for (std::size_t k = 1; k < r.cuts.size(); ++k)
        CHECK(r.cuts[k - 1] < r.cuts[k]);
    const auto again = hass::evaluate_partitions(net, r.folding, b, r.cuts, {so.cap, so.batch, so.bram_to_lut});
    REQUIRE(again.partitions.size() == r.cuts.size() + 1);
    REQUIRE(r.ii_lower_bound.size() == again.partitions.size());
    for (std::size_t k = 0; k < again.partitions.size(); ++k) {
        const auto &p = again.partitions[k];
        CHECK(p.fits);
        CHECK(hass::within(p.used, b.capped(so.cap)));
        CHECK(p.ii >= p.memory_ii);
        CHECK(p.bandwidth_gbps() <= b.bandwidth_gbps * (1 + 1e-9));
        CHECK(r.ii_lower_bound[k] <= p.ii);
        CHECK(p.used == r.report.partitions[k].used);
        CHECK(p.ii == r.report.partitions[k].ii);
    }
    CHECK(r.batch_time_s == Approx(again.batch_time(r.batch)).epsilon(1e-12));
    CHECK(r.throughput == Approx(static_cast<double>(r.batch) / r.batch_time_s));
}

} // namespace

TEST_CASE("optimal search with off-chip weights matches exhaustive enumeration",
          "[search][partition]") {
    rng r(314159);
    int cases = 0, tried = 0, offchip_used = 0, memory_bound = 0, between = 0, infeasible = 0;
    while (cases < 60) {
        REQUIRE(++tried < 5000);
        const hass::network net = weighty_network(r);
        // RAM for part of the weights, bandwidth that makes memory_ii matter
        hass::board b{"tight", "test", {1, 1, 1, 1, 0}, 200, 1};
        hass::resources lo{}, hi{};
        for (const auto &l : net.layers) {
            hass::resources mn{}, mx{};
            bool first = true;
            for (const auto &f : hass::enumerate_foldings(l, b, false)) {
                const auto u = hass::evaluate_layer(l, f).used;
                for (auto k : hass::all_resource_kinds) {
                    mn[k] = first ? u[k] : std::min(mn[k], u[k]);
                    mx[k] = first ? u[k] : std::max(mx[k], u[k]);
                }
                first = false;
            }
            lo += mn;
            hi += mx;
        }
        for (auto k : hass::all_resource_kinds)
            b.budget[k] =
                lo[k] + static_cast<count_t>(r.unit() * 0.6 * static_cast<double>(hi[k] - lo[k])) +
                1;
        b.budget.uram = 0;
        b.budget.bram18 =
            std::max<count_t>(1, static_cast<count_t>(r.unit() * static_cast<double>(lo.bram18)));
        b.bandwidth_gbps = 0.5 + 8 * r.unit();
        bool too_many = false;
        const truth t = exhaustive(net, b, 6000, too_many);
        if (too_many)
            continue;
        const auto got = hass::search(net, b, hass::algorithm::optimal, {});
        INFO("case " << cases << ": " << net.size() << " layers; " << got.message);
        REQUIRE(got.found == t.found);
        ++cases;
        if (!t.found) {
            ++infeasible;
            continue;
        }
        CHECK(got.ii == t.ii);
        CHECK(got.ii_lower_bound <= t.ii);
        CHECK(got.report.fits);
        bool off = false;
        for (const auto &f : got.folding)
            off = off || f.weights == hass::weight_storage::off_chip;
        offchip_used += off ? 1 : 0;
        memory_bound += got.report.memory_ii == got.report.ii ? 1 : 0;
        // the II is set by memory_ii between two option latencies
        if (got.report.memory_ii > got.report.compute_ii)
            ++between;
    }
    // the cases exercise the coupling
    CHECK(offchip_used > 10);
    CHECK(memory_bound > 5);
    CHECK(between > 3);
    CHECK(infeasible < 30);
}

TEST_CASE("off-chip weights: vgg16 and alexnet on u250 get bandwidth-limited designs",
          "[search][partition][zoo]") {
    const hass::board &b = hass::boards::u250::spec;
    hass::search_options on_chip;
    on_chip.offchip_weights = false;
    for (const char *name : {"vgg16", "alexnet"}) {
        const hass::network net = hass::zoo::get(name);
        INFO(name);
        // fc6 weights exceed the board's on-chip RAM: nothing fits on chip
        const auto none = hass::search(net, b, hass::algorithm::optimal, on_chip);
        CHECK_FALSE(none.found);
        CHECK(none.message.find("classifier") != std::string::npos);
        const auto r = hass::search(net, b, hass::algorithm::optimal, {});
        INFO(r.message);
        REQUIRE(r.found);
        const auto rep = hass::evaluate(net, r.folding, b);
        CHECK(rep.fits);
        CHECK(rep.ii == r.ii);
        CHECK(r.ii_lower_bound <= r.ii);
        // the largest inner product streams its weights
        const int fc6 =
            net.find(std::string_view(name) == "vgg16" ? "classifier.0" : "classifier.1");
        REQUIRE(fc6 >= 0);
        CHECK(r.folding[static_cast<std::size_t>(fc6)].weights == hass::weight_storage::off_chip);
        // the traffic stays within the board's bandwidth at the design's throughput
        CHECK(rep.bandwidth_gbps() <= b.bandwidth_gbps * (1 + 1e-9));
        CHECK(rep.memory_ii <= rep.ii);
        const auto &l6 = net.layers[static_cast<std::size_t>(fc6)];
        CHECK(rep.offchip_bits >= static_cast<double>(l6.weight_count() * l6.width.weight));
        // alexnet: memory sets the II, at the board's full bandwidth. vgg16: its
        // 15.5 GMAC need more cycles on 12,288 DSPs (>= 1.26 M) than all its
        // weights need bandwidth (2.2 Gbit / 2457.6 bits per cycle = 0.9 M), so
        // compute stays the larger
        if (std::string_view(name) == "alexnet") {
            CHECK(rep.memory_ii == rep.ii);
            CHECK(rep.memory_ii > rep.compute_ii);
            CHECK(rep.bandwidth_gbps() >= 0.99 * b.bandwidth_gbps);
        }
    }
}

TEST_CASE("partitioned search: resnet50 on zcu102 is a multi-partition design",
          "[search][partition][zoo]") {
    const hass::network net = hass::zoo::get("resnet50");
    const hass::board &b = hass::boards::zcu102::spec;
    hass::search_options so; // batch 256, off-chip weights allowed
    const auto r = hass::search_partitioned(net, b, hass::algorithm::optimal, so);
    check_partitioned(net, b, so, r);
    REQUIRE(r.found);
    CHECK(r.partitions() >= 2);
    CHECK(r.batch == 256);
    // the batch time is evaluate_partitions' on the same cuts and folding
    const auto pr = hass::evaluate_partitions(net, r.folding, b, r.cuts);
    double sum = 0;
    for (const auto &p : pr.partitions)
        sum += (static_cast<double>(p.ii * 256 + p.pipeline_depth)) / b.clock_hz();
    CHECK(r.batch_time_s ==
          Approx(sum + static_cast<double>(pr.partitions.size() - 1) * b.reconf_time_s));
    // faster for the batch than the best single partition
    const auto one = hass::search(net, b, hass::algorithm::optimal, so);
    REQUIRE(one.found);
    CHECK(r.batch_time_s < one.report.batch_time(256));
    // a batch of one image does not pay for a reconfiguration
    hass::search_options single = so;
    single.batch = 1;
    const auto r1 = hass::search_partitioned(net, b, hass::algorithm::optimal, single);
    check_partitioned(net, b, single, r1);
    CHECK(r1.partitions() == 1);
}

TEST_CASE("partitioned search: budgets, other algorithms, nothing fits", "[search][partition]") {
    hass::search_options on_chip;
    on_chip.offchip_weights = false;
    {
        // does not fit in one partition with on-chip weights: partitions do
        const hass::network net = hass::zoo::get("mobilenet_v2");
        const hass::board &b = hass::boards::zcu102::spec;
        CHECK_FALSE(hass::search(net, b, hass::algorithm::optimal, on_chip).found);
        for (auto algo : hass::all_algorithms) {
            hass::search_options so = on_chip;
            so.anneal_iterations = 300;
            const auto r = hass::search_partitioned(net, b, algo, so);
            CHECK(r.algo == hass::to_string(algo));
            check_partitioned(net, b, so, r);
            REQUIRE(r.found);
            CHECK(r.partitions() >= 2);
        }
        // a utilisation cap holds in every partition
        hass::search_options capped = on_chip;
        capped.cap = {0.7, 0.7, 0.7, 0.8};
        check_partitioned(net, b, capped,
                          hass::search_partitioned(net, b, hass::algorithm::optimal, capped));
    }
    {
        // a layer whose smallest folding alone exceeds the board: nothing fits, named
        const hass::network net = hass::zoo::get("resnet50");
        const auto r = hass::search_partitioned(net, hass::boards::zcu102::spec,
                                                hass::algorithm::optimal, on_chip);
        CHECK_FALSE(r.found);
        CHECK(r.folding.empty());
        CHECK(r.message.find("no design fits") == 0);
        CHECK(r.message.find("layer4.0.conv2") != std::string::npos);
        CHECK(r.message.find("alone") != std::string::npos);
        CHECK(r.message.find("bram18") != std::string::npos);
    }
    {
        // a network that fits whole and gains nothing from cutting stays whole
        const hass::network net = hass::zoo::get("resnet18");
        const hass::board &b = hass::boards::u250::spec;
        const auto r = hass::search_partitioned(net, b, hass::algorithm::optimal, {});
        check_partitioned(net, b, {}, r);
        REQUIRE(r.found);
        CHECK(r.partitions() == 1);
        const auto one = hass::search(net, b, hass::algorithm::optimal, {});
        CHECK(r.report.partitions.front().ii == one.ii);
    }
}

TEST_CASE("partitioned search: candidate cuts where few tensors cross", "[search][partition]") {
    namespace fs = hass::detail::fold_search;
    const hass::network net = hass::zoo::get("resnet18");
    const auto cross = fs::crossing_tensors(net);
    REQUIRE(cross.size() == net.size() + 1);
    CHECK(cross[0] == 1);          // the input
    CHECK(cross[net.size()] == 0); // nothing after the last layer
    // inside a residual block the skip tensor crosses too
    const int inside = net.find("layer1.0.conv2");
    REQUIRE(inside > 0);
    CHECK(cross[static_cast<std::size_t>(inside)] == 2);
    // between blocks one tensor crosses
    const int between = net.find("layer1.1.conv1");
    REQUIRE(between > 0);
    CHECK(cross[static_cast<std::size_t>(between)] == 1);
    // activation_bits matches evaluate_partition with every weight on chip
    for (int a : {0, 5, inside}) {
        const int c = std::min<int>(a + 17, static_cast<int>(net.size()));
        const auto rep =
            hass::evaluate_partition(net, hass::unit_folding(net), hass::boards::u250::spec, a, c);
        CHECK(fs::activation_bits(net, a, c) == rep.offchip_bits);
    }
}
