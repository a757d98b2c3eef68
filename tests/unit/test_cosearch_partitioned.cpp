// The partitioned co-search: thresholds and the partitions' foldings together,
// at the batch throughput (hass/sparsity/cosearch_partitioned.hpp).
#include <catch2/catch.hpp>

#include "cosearch_problem.hpp"
#include <hass/hass.hpp>
#include <hass/sparsity/cosearch_partitioned.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace {

using hass_test::problem;
namespace cs = hass::sparsity::detail::cosearch;

// 10 DSP, 8 BRAM18: the dense small network needs several partitions (its
// weights alone need 12 BRAM18); 0.2 Gbit/s at 200 MHz is one bit per cycle,
// and a reconfiguration takes 10 ms.
const hass::board tiny{"tiny", "none", {10, 5000, 10000, 8, 0}, 200, 0.2, 0.01};

std::vector<std::uint8_t> zeros(const problem& p) { return std::vector<std::uint8_t>(p.pred.size(), 0); }

} // namespace

TEST_CASE("the partitioned estimate is the batch time over the partitions' relaxation IIs", "[cosearch][partitions]") {
    problem p;
    // small_net: conv1 relu1 | conv2 relu2 conv3 relu3 gap fc (a cut at layer 2)
    hass::sparsity::cosearch_options o;
    o.partition_cuts = {2};
    cs::engine e(p.net, tiny, p.pred, p.oracle, o);
    const auto pt = e.evaluate(zeros(p), zeros(p));
    REQUIRE(pt.partition_ii.size() == 2);
    // partition 0 reads the 16x16x8 input and writes relu1's 16x16x16 output, 16 bits
    // each, through off-chip memory: (2,048 + 4,096) * 16 = 98,304 bits at one bit per
    // cycle, more than its layers' compute needs
    CHECK(hass::detail::fold_search::activation_bits(p.net, 0, 2) == 98304.0);
    CHECK(pt.partition_ii[0] == 98304);
    // partition 1: relu1's output in, fc's 10 values out (65,696 bits); its compute binds
    CHECK(pt.partition_ii[1] >= 65696);
    CHECK(pt.ii_estimate == std::max(pt.partition_ii[0], pt.partition_ii[1]));
    // a batch of 256: both partitions' times and one reconfiguration (hass counts P - 1)
    const double t = static_cast<double>(pt.partition_ii[0] + pt.partition_ii[1]) * 256.0 / 200e6 + 0.01;
    CHECK(pt.throughput_estimate == Approx(256.0 / t).epsilon(1e-12));
    // fpgaConvNet's cost model reconfigures before every partition: two for two
    cs::engine f(p.net, tiny, p.pred, p.oracle, o, hass::cost::fpgaconvnet{});
    const auto q = f.evaluate(zeros(p), zeros(p));
    const double tf = static_cast<double>(q.partition_ii[0] + q.partition_ii[1]) * 256.0 / 200e6 + 0.02;
    CHECK(q.throughput_estimate == Approx(256.0 / tf).epsilon(1e-12));
    // one partition: the network's own input and output only, clock / II
    hass::sparsity::cosearch_options whole;
    cs::engine g(p.net, tiny, p.pred, p.oracle, whole);
    const auto w = g.evaluate(zeros(p), zeros(p));
    CHECK(w.partition_ii.empty());
    CHECK(w.throughput_estimate == Approx(200e6 / static_cast<double>(w.ii_estimate)));
}

TEST_CASE("the estimate's memory bound counts the off-chip bits alone", "[cosearch][partitions]") {
    // the network reads 32,768 bits and writes 160 per image: at one bit per cycle
    // no design has an II below 32,928, however much on-chip memory is left unused
    // (the traffic sums alone let the unused on-chip capacity absorb it)
    problem p;
    const hass::board roomy{"roomy", "none", {48, 40000, 80000, 60, 0}, 200, 0.2, 0.01};
    hass::sparsity::cosearch_hardware hw(p.net, roomy, p.pred, {});
    std::vector<const hass::sparsity::staircase*> layers;
    for (std::size_t i = 0; i < p.net.size(); ++i)
        layers.push_back(hw.stats_index(i) < 0 ? &hw.fixed(i)
                                               : &hw.layer_staircase(static_cast<std::size_t>(hw.stats_index(i)), 0, 0));
    CHECK(hw.estimate_ii(layers).ii == 32928);
    CHECK(hw.estimate_ii(layers, 300000.0).ii == 300000); // a partition's crossing tensors, 300,000 bits
}

TEST_CASE("the partitioned co-search fits every partition and beats the dense partitioned design",
          "[cosearch][partitions]") {
    problem p;
    // the dense network does not fit in one partition
    REQUIRE_FALSE(hass::search(p.net, tiny, hass::algorithm::optimal).found);
    hass::sparsity::cosearch_options o;
    o.budget = 1.0;
    o.exact_front_points = 3;
    const auto r = hass::sparsity::cosearch_partitioned(p.net, tiny, p.pred, p.oracle, o);
    REQUIRE(r.dense_design.found);
    CHECK(r.dense_design.partitions() > 1);
    REQUIRE(r.found);
    CHECK(r.best.drop <= 1.0);
    CHECK(r.exact_designs > 0);
    // the estimate of the result is on the cuts reported as priced
    CHECK(r.best.partition_ii.size() == (r.estimate_cuts.empty() ? 0 : r.estimate_cuts.size() + 1));
    // every partition of the design fits the board, re-evaluated here
    const auto check = hass::evaluate_partitions(r.sparse_network, r.design.folding, tiny, r.design.cuts);
    CHECK(check.fits());
    CHECK(check.throughput(256) == Approx(r.design.throughput));
    CHECK(r.best.throughput == Approx(r.design.throughput));
    CHECK(r.design.throughput >= r.dense_design.throughput);
    CHECK_FALSE(r.dense_fallback);
    // the front's points that were built carry their exact designs' throughput
    CHECK(std::any_of(r.front.begin(), r.front.end(), [](const auto& q) { return q.exact && q.throughput > 0; }));
    // determinism: the same inputs give the same design
    const auto again = hass::sparsity::cosearch_partitioned(p.net, tiny, p.pred, p.oracle, o);
    CHECK(again.best.w_index == r.best.w_index);
    CHECK(again.best.a_index == r.best.a_index);
    CHECK(again.design.cuts == r.design.cuts);
    CHECK(again.design.folding == r.design.folding);
}

TEST_CASE("the partitioned co-search names bad cuts and boards nothing fits", "[cosearch][partitions]") {
    problem p;
    hass::sparsity::cosearch_options o;
    o.partition_cuts = {0};
    CHECK_THROWS_WITH(hass::sparsity::cosearch_partitioned(p.net, tiny, p.pred, p.oracle, o),
                      Catch::Contains("partition cuts must increase strictly"));
    o.partition_cuts = {4, 3};
    CHECK_THROWS_WITH(hass::sparsity::cosearch_partitioned(p.net, tiny, p.pred, p.oracle, o),
                      Catch::Contains("cut 3"));
    // the one-partition co-search takes no cuts
    CHECK_THROWS_WITH(hass::sparsity::cosearch(p.net, tiny, p.pred, p.oracle, o),
                      Catch::Contains("partition cuts go to cosearch_partitioned"));
    // no DSP at all: no partitioning of the network fits
    const hass::board none{"none", "none", {0, 5000, 10000, 8, 0}, 200, 0.2, 0.01};
    const auto r = hass::sparsity::cosearch_partitioned(p.net, none, p.pred, p.oracle, {});
    CHECK_FALSE(r.found);
    CHECK_THAT(r.message, Catch::Contains("no design fits"));
}
