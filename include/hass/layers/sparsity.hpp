// Sparse convolution statistics and latency model (MODEL.md "Sparse convolution").
//
// For every input channel c a histogram h[c][z], z = 0..K, gives the probability
// that a kr x kc window holds exactly z zero products. A window with z zeros
// costs ceil((K - z) / f) cycles on f multipliers; an all-zero window costs 0
// cycles when skipped (the default) and 1 otherwise.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "hass/core/error.hpp"
#include "hass/core/math.hpp"
#include "hass/core/text.hpp"

namespace hass {

/// How input channels are dealt to the S = coarse_in * coarse_group streams.
enum class interleaving {
    opt,   ///< sort by mean cycles, snake the sorted channels over the streams
    naive, ///< channel c goes to stream c mod S
};

constexpr std::string_view to_string(interleaving i) noexcept {
    return i == interleaving::opt ? "opt" : "naive";
}

/// Which sparse latency model a convolution's statistics feed.
enum class sparse_model {
    automatic, ///< fpgaConvNet's model: pointwise for 1x1 kernels; hass's model: windows
    window,    ///< per-window histograms (fpgaConvNet's ConvolutionSparseLayer), also for 1x1
    pointwise, ///< one zero fraction per channel (ConvolutionPointwiseSparseLayer; hass's model: at stride 1)
};

/// How the sparse latency combines the coarse_out lanes of an input stream
/// (docs/model.md, "Per-lane sparse latency").
enum class sparse_lanes {
    mean,    ///< MODEL.md and fpgaConvNet: the mean over the filters of a channel
    slowest, ///< the slowest (input stream, coarse_out lane) pair; needs per-filter histograms
};

constexpr std::string_view to_string(sparse_lanes l) noexcept { return l == sparse_lanes::mean ? "mean" : "slowest"; }

/// Per-layer statistics of zero products.
struct sparsity_stats {
    count_t channels = 0;          ///< C
    count_t kernel = 0;            ///< K (each row has K + 1 bins); 0 = no statistics
    std::vector<double> histogram; ///< row-major C x (K + 1)
    interleaving order = interleaving::opt;
    bool skip_all_zero = true;  ///< all-zero windows cost 0 cycles
    count_t clusters = 1;       ///< pointwise layers: stream clusters
    sparse_model model = sparse_model::automatic;
    /// Build sparse whatever the zero fraction (a design file that says so);
    /// otherwise a layer below `dense_below` is built dense (MODEL.md).
    bool always_sparse = false;
    double mean_zeros = 0;      ///< mean zero fraction, set by make_sparsity_stats

    /// Optional per-filter histograms h[c][j][z]: input channel c, filter j of
    /// the channel's group (in-group index 0..group_filters-1), over the output
    /// positions; row-major C x group_filters x (K + 1). `histogram` is then
    /// their mean over j (make_filter_sparsity_stats). Empty: none.
    count_t group_filters = 0;
    std::vector<double> filter_histogram;
    /// With per-filter histograms, the hass model takes the slowest coarse_out
    /// lane (the default) or, asked for `mean`, MODEL.md's mean. Without them
    /// the mean is all there is. fpgaConvNet's model always takes the mean.
    sparse_lanes lanes = sparse_lanes::slowest;

    /// Cache set by prepare(): m[c] for every fine 1..K, in channel order and
    /// sorted, computed with `cached_skip`; with per-filter histograms also
    /// m[c][j] for every fine (K x C x group_filters). Call prepare() again
    /// after changing `skip_all_zero` (stale caches are detected and bypassed).
    std::vector<double> cycles_by_fine;
    std::vector<double> sorted_cycles_by_fine;
    std::vector<double> filter_cycles_by_fine;
    bool cached_skip = true;

    constexpr bool active() const noexcept { return kernel > 0 && !histogram.empty(); }
    constexpr double at(count_t c, count_t z) const noexcept {
        return histogram[static_cast<std::size_t>(c * (kernel + 1) + z)];
    }
    /// Below this mean zero fraction a layer is implemented dense (MODEL.md).
    static constexpr double dense_below = 0.1;
    constexpr bool worth_sparse() const noexcept { return active() && (always_sparse || mean_zeros >= dense_below); }
    /// fpgaConvNet's class choice (its reference model's): the pointwise (cluster)
    /// model for a 1x1 kernel unless the window model is asked for. hass's model
    /// takes it only when asked for by name, at stride 1 (pointwise_sparse_model in
    /// hass/layers/hardware.hpp, docs/model.md).
    constexpr bool pointwise() const noexcept {
        return model == sparse_model::pointwise || (model == sparse_model::automatic && kernel == 1);
    }

    /// Per-filter histograms are present (and sized for group_filters).
    constexpr bool per_filter() const noexcept {
        return active() && group_filters > 0 &&
               filter_histogram.size() == static_cast<std::size_t>(channels * group_filters * (kernel + 1));
    }
    /// The slowest-lane latency applies: per-filter histograms and `lanes == slowest`.
    constexpr bool slowest_lane() const noexcept { return lanes == sparse_lanes::slowest && per_filter(); }
    constexpr double filter_at(count_t c, count_t j, count_t z) const noexcept {
        return filter_histogram[static_cast<std::size_t>((c * group_filters + j) * (kernel + 1) + z)];
    }

    constexpr bool cache_valid() const noexcept {
        return cached_skip == skip_all_zero &&
               cycles_by_fine.size() == static_cast<std::size_t>(kernel * channels) &&
               filter_cycles_by_fine.size() ==
                   (per_filter() ? static_cast<std::size_t>(kernel * channels * group_filters) : std::size_t{0});
    }
    /// Precomputes the mean cycles per window of every channel for every fine.
    constexpr void prepare();
};

/// Checks the histograms (non-negative, rows sum to 1 within 1e-6) and computes
/// the mean zero fraction; throws hass::error naming the bad row.
constexpr sparsity_stats make_sparsity_stats(count_t channels, count_t kernel,
                                             std::vector<double> histogram,
                                             std::string_view where = "layer") {
    if (channels <= 0 || kernel <= 0)
        detail::fail(detail::cat(where, ": sparsity statistics need channels > 0 and kernel > 0"));
    const auto expected = static_cast<std::size_t>(channels * (kernel + 1));
    if (histogram.size() != expected)
        detail::fail(detail::cat(where, ": histogram has ", static_cast<count_t>(histogram.size()),
                                 " entries, expected channels x (K+1) = ", channels, " x ",
                                 kernel + 1, " = ", static_cast<count_t>(expected)));
    sparsity_stats s;
    s.channels = channels;
    s.kernel = kernel;
    double zeros = 0;
    for (count_t c = 0; c < channels; ++c) {
        double row = 0;
        for (count_t z = 0; z <= kernel; ++z) {
            const double p = histogram[static_cast<std::size_t>(c * (kernel + 1) + z)];
            if (!(p >= 0.0) || p > 1.0)
                detail::fail(detail::cat(where, ": histogram row ", c, " bin ", z,
                                         " is not a probability in [0, 1]"));
            row += p;
            zeros += p * static_cast<double>(z);
        }
        if (row < 1.0 - 1e-6 || row > 1.0 + 1e-6)
            detail::fail(detail::cat(where, ": histogram row ", c, " (input channel ", c,
                                     ") sums to ", detail::fixed(row, 6), ", not 1"));
    }
    s.histogram = static_cast<std::vector<double>&&>(histogram);
    s.mean_zeros = zeros / static_cast<double>(channels * kernel);
    s.prepare();
    return s;
}

/// Statistics with per-filter histograms h[c][j][z] (row-major C x F/G x (K+1),
/// rows checked as by make_sparsity_stats): the channel histograms are their
/// mean over the filters j, and the slowest-lane latency becomes available.
constexpr sparsity_stats make_filter_sparsity_stats(count_t channels, count_t kernel, count_t group_filters,
                                                    std::vector<double> filter_histogram,
                                                    std::string_view where = "layer") {
    if (channels <= 0 || kernel <= 0 || group_filters <= 0)
        detail::fail(detail::cat(where, ": per-filter sparsity statistics need channels, kernel and filters > 0"));
    const auto row = static_cast<std::size_t>(kernel + 1);
    const auto expected = static_cast<std::size_t>(channels * group_filters) * row;
    if (filter_histogram.size() != expected)
        detail::fail(detail::cat(where, ": per-filter histogram has ", static_cast<count_t>(filter_histogram.size()),
                                 " entries, expected channels x filters x (K+1) = ", channels, " x ", group_filters,
                                 " x ", kernel + 1, " = ", static_cast<count_t>(expected)));
    std::vector<double> mean(static_cast<std::size_t>(channels) * row, 0.0);
    for (count_t c = 0; c < channels; ++c)
        for (count_t j = 0; j < group_filters; ++j) {
            double sum = 0;
            for (count_t z = 0; z <= kernel; ++z) {
                const double p = filter_histogram[(static_cast<std::size_t>(c * group_filters + j)) * row +
                                                  static_cast<std::size_t>(z)];
                if (!(p >= 0.0) || p > 1.0)
                    detail::fail(detail::cat(where, ": per-filter histogram of channel ", c, " filter ", j, " bin ", z,
                                             " is not a probability in [0, 1]"));
                sum += p;
                mean[static_cast<std::size_t>(c) * row + static_cast<std::size_t>(z)] +=
                    p / static_cast<double>(group_filters);
            }
            if (sum < 1.0 - 1e-6 || sum > 1.0 + 1e-6)
                detail::fail(detail::cat(where, ": per-filter histogram of channel ", c, " filter ", j, " sums to ",
                                         detail::fixed(sum, 6), ", not 1"));
        }
    for (double& p : mean) p = p > 1.0 ? 1.0 : p; // rounding of the mean
    sparsity_stats s = make_sparsity_stats(channels, kernel, static_cast<std::vector<double>&&>(mean), where);
    s.group_filters = group_filters;
    s.filter_histogram = static_cast<std::vector<double>&&>(filter_histogram);
    s.prepare();
    return s;
}

/// Cycles of one window with `z` zero products out of `k` on `fine` multipliers.
constexpr count_t window_cycles(count_t z, count_t k, count_t fine, bool skip_all_zero) noexcept {
    if (z >= k) return skip_all_zero ? 0 : 1;
    return ceil_div(k - z, fine);
}

/// Mean cycles per window of channel `c`: m[c] = sum_z cycles(z) * h[c][z].
constexpr double mean_window_cycles(const sparsity_stats& s, count_t c, count_t fine) noexcept {
    double m = 0;
    for (count_t z = 0; z <= s.kernel; ++z)
        m += static_cast<double>(window_cycles(z, s.kernel, fine, s.skip_all_zero)) * s.at(c, z);
    return m;
}

/// Mean cycles per window of channel `c` and in-group filter `j`:
/// m[c][j] = sum_z cycles(z) * h[c][j][z] (per-filter histograms).
constexpr double mean_filter_window_cycles(const sparsity_stats& s, count_t c, count_t j, count_t fine) noexcept {
    double m = 0;
    for (count_t z = 0; z <= s.kernel; ++z)
        m += static_cast<double>(window_cycles(z, s.kernel, fine, s.skip_all_zero)) * s.filter_at(c, j, z);
    return m;
}

constexpr void sparsity_stats::prepare() {
    filter_cycles_by_fine.clear();
    if (per_filter()) {
        const auto n = static_cast<std::size_t>(channels * group_filters);
        filter_cycles_by_fine.assign(static_cast<std::size_t>(kernel) * n, 0.0);
        for (count_t f = 1; f <= kernel; ++f)
            for (count_t c = 0; c < channels; ++c)
                for (count_t j = 0; j < group_filters; ++j)
                    filter_cycles_by_fine[static_cast<std::size_t>(f - 1) * n +
                                          static_cast<std::size_t>(c * group_filters + j)] =
                        mean_filter_window_cycles(*this, c, j, f);
    }
    const auto C = static_cast<std::size_t>(channels);
    cycles_by_fine.assign(static_cast<std::size_t>(kernel) * C, 0.0);
    sorted_cycles_by_fine.assign(static_cast<std::size_t>(kernel) * C, 0.0);
    cached_skip = skip_all_zero;
    for (count_t f = 1; f <= kernel; ++f) {
        const auto row = static_cast<std::size_t>(f - 1) * C;
        for (count_t c = 0; c < channels; ++c)
            cycles_by_fine[row + static_cast<std::size_t>(c)] = mean_window_cycles(*this, c, f);
        std::copy(cycles_by_fine.begin() + static_cast<std::ptrdiff_t>(row),
                  cycles_by_fine.begin() + static_cast<std::ptrdiff_t>(row + C),
                  sorted_cycles_by_fine.begin() + static_cast<std::ptrdiff_t>(row));
        std::sort(sorted_cycles_by_fine.begin() + static_cast<std::ptrdiff_t>(row),
                  sorted_cycles_by_fine.begin() + static_cast<std::ptrdiff_t>(row + C));
    }
}

namespace detail {
/// max over streams of the sum of m over the stream's channels, for channel
/// values `m` (sorted for opt) dealt snake-wise (opt) or round-robin (naive).
constexpr double slowest_stream_sum(const double* m, count_t C, count_t streams, interleaving order) noexcept {
    double worst = 0;
    for (count_t s = 0; s < streams; ++s) {
        double sum = 0;
        if (order == interleaving::opt) {
            for (count_t row = 0; row * streams < C; ++row)
                sum += m[row * streams + ((row % 2 == 0) ? s : streams - 1 - s)];
        } else {
            for (count_t c = s; c < C; c += streams) sum += m[c];
        }
        worst = std::max(worst, sum);
    }
    return worst;
}
} // namespace detail

/// max over streams of E[s], the mean of m[c] over the channels of stream s,
/// with the channels dealt to `streams` streams by the statistics' interleaving.
constexpr double slowest_stream_cycles(const sparsity_stats& s, count_t fine, count_t streams) {
    const count_t C = s.channels;
    const double per_stream = static_cast<double>(C / streams);
    if (s.cache_valid()) {
        const auto& table = s.order == interleaving::opt ? s.sorted_cycles_by_fine : s.cycles_by_fine;
        const double* m = table.data() + static_cast<std::size_t>((fine - 1) * C);
        return detail::slowest_stream_sum(m, C, streams, s.order) / per_stream;
    }
    std::vector<double> m(static_cast<std::size_t>(C));
    for (count_t c = 0; c < C; ++c) m[static_cast<std::size_t>(c)] = mean_window_cycles(s, c, fine);
    if (s.order == interleaving::opt) std::sort(m.begin(), m.end());
    return detail::slowest_stream_sum(m.data(), C, streams, s.order) / per_stream;
}

/// The channels of each stream, in the statistics' interleaving: naive gives
/// stream s the channels c = s (mod S); opt sorts the channels by m[c] (ties
/// by channel index), lays them out in rows of S and reverses every other row.
/// Returns channel_of[s * (C/S) + k], the k-th channel of stream s.
constexpr std::vector<count_t> stream_channels(const sparsity_stats& s, count_t fine, count_t streams) {
    const count_t C = s.channels, per = C / streams;
    std::vector<count_t> out(static_cast<std::size_t>(C));
    if (s.order == interleaving::naive) {
        for (count_t st = 0; st < streams; ++st)
            for (count_t k = 0; k < per; ++k) out[static_cast<std::size_t>(st * per + k)] = st + k * streams;
        return out;
    }
    std::vector<double> m(static_cast<std::size_t>(C));
    for (count_t c = 0; c < C; ++c) m[static_cast<std::size_t>(c)] = mean_window_cycles(s, c, fine);
    std::vector<count_t> order(static_cast<std::size_t>(C));
    for (count_t c = 0; c < C; ++c) order[static_cast<std::size_t>(c)] = c;
    std::sort(order.begin(), order.end(), [&](count_t a, count_t b) {
        const double ma = m[static_cast<std::size_t>(a)], mb = m[static_cast<std::size_t>(b)];
        return ma < mb || (ma == mb && a < b);
    });
    for (count_t row = 0; row < per; ++row)
        for (count_t st = 0; st < streams; ++st)
            out[static_cast<std::size_t>(st * per + row)] =
                order[static_cast<std::size_t>(row * streams + ((row % 2 == 0) ? st : streams - 1 - st))];
    return out;
}

/// The slowest lane (per-filter histograms): max over input streams s and
/// coarse_out lanes o of E[s][o], the mean of m[c][j] over the channels c of
/// stream s and the filters j = o (mod coarse_out) of each channel's group
/// (lane o holds filters o, o + co, o + 2 co, ...; docs/hls.md, Stream layout).
/// Without per-filter histograms: slowest_stream_cycles.
constexpr double slowest_lane_cycles(const sparsity_stats& s, count_t fine, count_t streams, count_t coarse_out) {
    if (!s.per_filter()) return slowest_stream_cycles(s, fine, streams);
    const count_t C = s.channels, Fg = s.group_filters, per = C / streams;
    const std::vector<count_t> channel_of = stream_channels(s, fine, streams);
    const bool cached = s.cache_valid();
    const auto n = static_cast<std::size_t>(C * Fg);
    std::vector<double> lane(static_cast<std::size_t>(coarse_out));
    double worst = 0;
    for (count_t st = 0; st < streams; ++st) {
        for (auto& v : lane) v = 0;
        for (count_t k = 0; k < per; ++k) {
            const count_t c = channel_of[static_cast<std::size_t>(st * per + k)];
            for (count_t j = 0; j < Fg; ++j) {
                const double m = cached ? s.filter_cycles_by_fine[static_cast<std::size_t>(fine - 1) * n +
                                                                  static_cast<std::size_t>(c * Fg + j)]
                                        : mean_filter_window_cycles(s, c, j, fine);
                lane[static_cast<std::size_t>(j % coarse_out)] += m;
            }
        }
        for (double v : lane) worst = std::max(worst, v);
    }
    return worst / static_cast<double>(per * (Fg / coarse_out));
}

/// Pointwise (K = 1) model: the largest non-zero fraction max_k (1 - s_k) over
/// the stream clusters, with s_k capped at 1 - clusters / S.
constexpr double slowest_cluster_density(const sparsity_stats& s, count_t streams) {
    const count_t C = s.channels;
    // clusters must divide the streams (checked by folding_problem); fall back to one cluster
    const count_t clusters = divides(s.clusters, streams) ? s.clusters : 1;
    const count_t per_cluster = streams / clusters;
    std::vector<double> sum(static_cast<std::size_t>(clusters), 0.0);
    std::vector<count_t> n(static_cast<std::size_t>(clusters), 0);
    for (count_t c = 0; c < C; ++c) {
        const auto k = static_cast<std::size_t>((c % streams) / per_cluster);
        sum[k] += s.at(c, 1);
        ++n[k];
    }
    const double cap = 1.0 - static_cast<double>(clusters) / static_cast<double>(streams);
    double worst = 0;
    for (std::size_t k = 0; k < sum.size(); ++k) {
        if (n[k] == 0) continue;
        const double sk = std::min(sum[k] / static_cast<double>(n[k]), cap);
        worst = std::max(worst, 1.0 - sk);
    }
    return worst;
}

} // namespace hass
