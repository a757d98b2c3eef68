// Off-chip weights in the folding search and the partitioned search
// (hass/search/partition.hpp): the coupled optimal search against exhaustive
// enumeration, budgets of every partition, batch times against
// hass::evaluate_partitions, and the zoo cases the search is for.
#include <catch2/catch.hpp>

#include <cmath>
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
// chip saves RAM), sometimes with a ReLU in between. The last one, an inner
// product of 257 or 514 outputs (a prime and twice it: few foldings), holds at
// least 64 * 257 = 16,448 16-bit weights, 17 BRAM18 or more, so the search also
// offers it streamed (min_streamed_blocks = 16).
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
            b.inner_product(x, name, r.below(2) == 0 ? 257 : 514);
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

// The storage variants the search gives a folding (make_layer_options in
// hass/search/options.hpp): BRAM, URAM when the board has some, and, for a
// weight memory of at least min_streamed_blocks BRAM18, each memory with each
// fraction of hass::stream_fractions of its block-rows streamed (whole rows,
// at least one; a fraction of 1 or all the rows: every block; repeats dropped).
std::vector<hass::folding> storage_variants(const hass::layer &l, const hass::board &b, const hass::folding &f) {
    std::vector<hass::folding> out{f};
    if (!l.has_weights() || f.weights != hass::weight_storage::bram || f.stream_weights != 0)
        return out;
    const bool uram = b.budget.uram > 0;
    if (uram) {
        hass::folding u = f;
        u.weights = hass::weight_storage::uram;
        out.push_back(u);
    }
    if (hass::cost::hass_weight_plan(l, f).total_blocks < hass::min_streamed_blocks)
        return out;
    for (auto where : {hass::weight_storage::bram, hass::weight_storage::uram}) {
        if (where == hass::weight_storage::uram && !uram)
            continue;
        hass::folding m = f;
        m.weights = where;
        const auto plan = hass::cost::hass_weight_plan(l, m);
        const count_t rows = plan.total_blocks / plan.unit;
        count_t last = 0;
        for (double fraction : hass::stream_fractions) {
            // ceil(fraction * rows) block-rows (at least one); all of them: every block
            const count_t take = std::max<count_t>(1, static_cast<count_t>(std::ceil(fraction * static_cast<double>(rows))));
            const count_t blocks = fraction >= 1.0 || take >= rows ? hass::cost::all_blocks : take * plan.unit;
            if (blocks == last)
                continue;
            last = blocks;
            m.stream_weights = blocks;
            out.push_back(m);
        }
    }
    return out;
}

/// A layer keeps (part of) its weights off chip.
bool off_chip(const hass::folding &f) {
    return f.stream_weights != 0 || f.weights == hass::weight_storage::off_chip;
}

// Every combination of every layer's foldings with every storage variant the search uses.
truth exhaustive(const hass::network &net, const hass::board &b, bool bram_to_lut, std::size_t limit,
                 bool &too_many) {
    std::vector<std::vector<hass::folding>> folds;
    std::size_t designs = 1;
    for (const auto &l : net.layers) {
        folds.emplace_back();
        for (const auto &f : hass::enumerate_foldings(l, b, false))
            for (const auto &v : storage_variants(l, b, f))
                folds.back().push_back(v);
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
        const auto rep = hass::evaluate_partition(net, f, b, 0, n, {.bram_to_lut = bram_to_lut});
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
        // BRAM over budget may also move to LUTRAM in a third of the cases (288 LUT a block
        // is cheap here: without that rule off chip is the only way out of a short RAM)
        hass::search_options so;
        so.bram_to_lut = r.chance(0.33);
        bool too_many = false;
        const truth t = exhaustive(net, b, so.bram_to_lut, 6000, too_many);
        if (too_many)
            continue;
        const auto got = hass::search(net, b, hass::algorithm::optimal, so);
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
            off = off || off_chip(f);
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
    // u250's on-chip RAM: 5376 BRAM18 * 18 Kbit + 1280 URAM * 288 Kbit = 99,090,432 + 377,487,360 bits
    const double ram_bits = 5376.0 * 18 * 1024 + 1280.0 * 288 * 1024;
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
        // the largest inner product keeps (part of) its weights off chip
        const int fc6 =
            net.find(std::string_view(name) == "vgg16" ? "classifier.0" : "classifier.1");
        REQUIRE(fc6 >= 0);
        const auto &f6 = r.folding[static_cast<std::size_t>(fc6)];
        CHECK(off_chip(f6));
        // the traffic stays within the board's bandwidth at the design's throughput
        CHECK(rep.bandwidth_gbps() <= b.bandwidth_gbps * (1 + 1e-9));
        CHECK(rep.memory_ii <= rep.ii);
        // an inner product reads each streamed weight once per image: A_off addresses of Wd bits
        const auto &p6 = rep.layers[static_cast<std::size_t>(fc6)];
        CHECK(p6.weight_bits == Approx(p6.weight_plan.addresses_off *
                                       static_cast<double>(p6.weight_plan.width * p6.weight_plan.arrays)));
        // what does not fit on chip crosses the memory interface: fc6's weights beyond all the
        // board's RAM are a lower bound on the weight traffic
        const auto &l6 = net.layers[static_cast<std::size_t>(fc6)];
        const double fc6_bits = static_cast<double>(l6.weight_count() * l6.width.weight);
        REQUIRE(fc6_bits > ram_bits);
        CHECK(p6.weight_bits >= fc6_bits - ram_bits);
        CHECK(rep.bits_weights >= p6.weight_bits);
        CHECK(rep.offchip_bits == Approx(rep.bits_in + rep.bits_out + rep.bits_weights));
    }
}

TEST_CASE("partitioned search: a batch splits resnet18 on zcu102, one image does not",
          "[search][partition][zoo]") {
    const hass::network net = hass::zoo::get("resnet18");
    const hass::board &b = hass::boards::zcu102::spec;
    hass::search_options so; // batch 256, off-chip weights allowed
    const auto r = hass::search_partitioned(net, b, hass::algorithm::optimal, so);
    check_partitioned(net, b, so, r);
    REQUIRE(r.found);
    CHECK(r.partitions() >= 2);
    CHECK(r.batch == 256);
    // the batch time is evaluate_partitions' on the same cuts and folding:
    // sum over partitions of (II * 256 + D) / clock, plus P - 1 reconfigurations
    const auto pr = hass::evaluate_partitions(net, r.folding, b, r.cuts);
    double sum = 0;
    for (const auto &p : pr.partitions)
        sum += (static_cast<double>(p.ii * 256) + p.pipeline_depth) / b.clock_hz();
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

// A chain without skip connections (every position a possible cut): 8x8x64 ->
// conv 3x3 128 -> relu -> conv 3x3 128 -> relu -> max pool 2x2 -> conv 3x3 256
// -> relu -> global average pool -> fc 10. Its three convolutions hold
// 73,728 + 147,456 + 294,912 16-bit weights, at least 64 + 128 + 256 BRAM18
// (18,432 bits a block).
static hass::network chain() {
    hass::network_builder nb{"chain", {8, 8, 64}};
    auto x = nb.conv(nb.input(), "conv1", {.filters = 128, .kernel = 3, .pad = 1});
    x = nb.relu(x, "relu1");
    x = nb.conv(x, "conv2", {.filters = 128, .kernel = 3, .pad = 1});
    x = nb.relu(x, "relu2");
    x = nb.max_pool(x, "pool", 2, 2);
    x = nb.conv(x, "conv3", {.filters = 256, .kernel = 3, .pad = 1});
    x = nb.relu(x, "relu3");
    x = nb.global_avg_pool(x, "gap");
    nb.inner_product(x, "fc", 10);
    return std::move(nb).build();
}

TEST_CASE("partitioned search: budgets, other algorithms, nothing fits", "[search][partition]") {
    hass::search_options on_chip;
    on_chip.offchip_weights = false;
    {
        // does not fit in one partition with on-chip weights: on zedboard LUT + 288 BRAM18 may reach
        // 53,200 + 288 * 280 = 133,840, and the weights' 448 blocks take 129,024 of it, leaving
        // 4,816 LUT for all the modules (the search's relaxation proves that too little); partitions fit
        const hass::network net = chain();
        const hass::board &b = hass::boards::zedboard::spec;
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
        // a layer whose smallest folding alone exceeds the board: nothing fits, named.
        // conv3's 256 BRAM18 or more against zybo's 120 BRAM18 + 17,600 / 288 = 61 blocks of LUTRAM
        const hass::network net = chain();
        const auto r = hass::search_partitioned(net, hass::boards::zybo::spec, hass::algorithm::optimal,
                                                on_chip);
        CHECK_FALSE(r.found);
        CHECK(r.folding.empty());
        CHECK(r.message.find("no design fits") == 0);
        CHECK(r.message.find("conv3") != std::string::npos);
        CHECK(r.message.find("alone") != std::string::npos);
        CHECK(r.message.find("bram18") != std::string::npos);
    }
    {
        // the same in a zoo network: resnet18's layer4.0.conv2 holds 512*512*9 16-bit weights,
        // at least 2048 BRAM18; zcu102 has 1824 and here BRAM may not move to LUTRAM (with the
        // move, 224 blocks at 288 LUT would fit zcu102's LUT)
        const hass::network net = hass::zoo::get("resnet18");
        hass::search_options strict = on_chip;
        strict.bram_to_lut = false;
        const auto r = hass::search_partitioned(net, hass::boards::zcu102::spec,
                                                hass::algorithm::optimal, strict);
        CHECK_FALSE(r.found);
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

TEST_CASE("in fpgaConvNet's model, the search beats fpgaConvNet's greedy designs at batch 256",
          "[search][partition][peer]") {
    // fpgaConvNet's own greedy designs, evaluated by the Python tools at batch 256:
    // resnet18/u250 760.98 images/s (tests/reference/numbers_resnet18_u250_greedy.json),
    // mobilenet_v2/u250 2,056.17 images/s. hass's search, in the same model and at
    // the same batch, must be faster; docs/search.md reports 1,205.2 (1.58x) and
    // 3,499.8 (1.70x), designs the Python model confirms (tests/reference).
    const auto& u250 = hass::boards::u250::spec;
    hass::search_options so;
    so.batch = 256;
    const auto r18 = hass::search_partitioned<hass::cost::fpgaconvnet>(hass::zoo::get("resnet18"), u250,
                                                                       hass::algorithm::optimal, so);
    REQUIRE(r18.found);
    CHECK(r18.report.fits());
    CHECK(r18.throughput == Approx(1205.2453104517008).epsilon(1e-9));
    CHECK(r18.throughput / 760.9794652307173 > 1.5);
    const auto mb2 = hass::search_partitioned<hass::cost::fpgaconvnet>(hass::zoo::get("mobilenet_v2"), u250,
                                                                       hass::algorithm::optimal, so);
    REQUIRE(mb2.found);
    CHECK(mb2.report.fits());
    CHECK(mb2.throughput == Approx(3499.7780375147768).epsilon(1e-9));
    CHECK(mb2.throughput / 2056.17 > 1.6);
}

TEST_CASE("a range's lower bound includes the activations crossing its boundary", "[search][partition][bound]") {
    // 8x8x4 -> 1x1 convolution -> 8x8x4, weights on chip. The range [0, 1) reads the
    // input and writes the output: (256 + 256) words of 16 bits = 8,192 bits per image.
    // A board of 2 Gbit/s at 200 MHz moves 2e9 / 200e6 = 10 bits per cycle, so no design
    // has an II below ceil(8192 / 10) = ceil(819.2) = 820 cycles, while the fastest
    // folding (ci = co = 4) computes in max(8*8*4/4, 8*8*(4*1)/(1*4)*4/4, 8*8*4/4) = 64.
    hass::network_builder nb{"one", {8, 8, 4}};
    nb.conv(nb.input(), "pw", {.filters = 4, .kernel = 1});
    const hass::network net = std::move(nb).build();
    const hass::board b{"slow", "xc-test", {1000, 1000000, 1000000, 1000, 0}, 200, 2.0};
    hass::search_options so;
    so.offchip_weights = false;
    namespace fs = hass::detail::fold_search;
    const auto usable = fs::make_usable_options<hass::cost::hass>(net, b, so);
    REQUIRE(usable.alone.empty());
    CHECK(usable.layers[0].options.front().latency == 64);
    CHECK(fs::bits_per_cycle(b) == 10.0);
    const fs::range_bounds bounds(net, usable.layers, fs::budget_usage(b.capped(so.cap), so.bram_to_lut),
                                  fs::bits_per_cycle(b));
    CHECK(bounds.ii(0, 1) == 820);
}

TEST_CASE("off-chip bits per cycle of the boards and the default node limit", "[search][bound]") {
    namespace fs = hass::detail::fold_search;
    // docs/search.md: bandwidth / clock, u250 614.4 Gbit/s / 250 MHz = 2457.6, zcu102 153.6 / 200 = 768
    CHECK(fs::bits_per_cycle(hass::boards::u250::spec) == Approx(2457.6).epsilon(1e-15));
    CHECK(fs::bits_per_cycle(hass::boards::zcu102::spec) == 768.0);
    // branch-and-bound nodes per target
    CHECK(hass::search_options{}.node_limit == 10000);
}
