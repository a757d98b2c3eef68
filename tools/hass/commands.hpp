// The subcommands of the hass command-line tool.
#pragma once

#include <stdexcept>
#include <string>

namespace hass::cli {

/// A bad command-line value found after parsing (exit code 2, like CLI11's own errors).
class usage_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct models_options {
    bool json = false;
};

struct boards_options {
    bool json = false;
};

struct info_options {
    std::string model;
    bool json = false;
};

struct eval_options {
    std::string model;
    std::string board;
    std::string folding; ///< folding file; empty = the network file's inline folding or all 1
    std::string cap;     ///< "0.9" or "dsp=0.9,lut=0.8,ff=0.8,ram=0.7"; empty = no cap
    std::string partition = "auto"; ///< "auto": the file's partitions, else the fewest that fit; "none": one
    long long batch = 0;            ///< 0: the design file's batch, else 256
    std::string model_kind = "hass"; ///< cost model: "hass" or "fpgaconvnet"
    bool no_bram_to_lut = false;
    std::string compare;             ///< a numbers file to compare every number with
    std::string stats;   ///< statistics file: product histograms (hass search --sparsity --out writes stats.json) or decomposed
    std::string thresholds; ///< thresholds file: the point of the statistics to evaluate
    std::string weights;    ///< weights file (magnitudes for decomposed statistics without weight statistics)
    std::string sparse_lanes = "slowest"; ///< per-filter statistics: "slowest" coarse_out lane or the "mean"
    bool allow_dense = false; ///< a folding that says sparse without statistics: warn and build dense
    bool json = false;
};

struct search_options {
    std::string model;
    std::string board;
    std::string algo = "optimal";   ///< "optimal", "greedy" or "anneal"
    long long seed = 1;             ///< anneal
    std::string cap;                ///< as for eval
    long long batch = 256;          ///< images per batch (batch throughput, partitioned batch time)
    std::string model_kind = "hass"; ///< cost model: "hass" or "fpgaconvnet"
    bool no_bram_to_lut = false;
    std::string partition = "auto"; ///< "auto": best batch time over cut positions (one partition included); "none"
    bool no_offchip = false;        ///< keep every layer's weights on chip
    std::string out;                ///< directory for folding.json and report.json (empty: none)
    bool json = false;
    // the HASS co-search (thresholds with the folding), when `sparsity` is set
    std::string sparsity;               ///< "synthetic" or a decomposed statistics file
    std::string accuracy;               ///< accuracy table file
    std::string oracle_cmd;             ///< accuracy oracle command (JSON over stdin/stdout)
    bool verify = false;                ///< measure, feed back and search again (needs oracle_cmd)
    int rounds = 4;                     ///< verify: co-searches at most
    bool oracle_batch = false;          ///< {"batch": [...]} requests to oracle_cmd
    long random_baseline = 0;           ///< random assignments scored after the co-search, for comparison
    double budget = 1.0;                ///< accuracy drop budget, percentage points
    std::string cosearch = "greedy";    ///< "greedy" or "tpe"
    std::string objective = "throughput"; ///< or "throughput_per_dsp"
    std::string weights;                ///< weights file (magnitudes for layers the statistics give none)
};

struct export_options {
    std::string model;
    std::string folding;
    bool folding_template = false;
    std::string format = "hass";     ///< "hass" (network file) or "fpgaconvnet" (design file)
    std::string model_kind = "hass"; ///< cost model of the fpgaConvNet file's evaluation (FIFO depths)
    std::string board;               ///< board for the fpgaConvNet file (port widths)
    long long batch = 0;
};

int run_models(const models_options& o);
int run_boards(const boards_options& o);
int run_info(const info_options& o);
int run_eval(const eval_options& o);
int run_export(const export_options& o);
int run_search(const search_options& o);

} // namespace hass::cli
