// The emit-hls subcommand of the hass command-line tool: writes the HLS code of a
// design (include/hass/hls/emit.hpp) and its C-simulation test bench.
//
//   hass emit-hls DESIGN --out DIR [--weights FILE]
//   hass emit-hls MODEL --board BOARD --out DIR          (the optimal search picks the folding and cuts)
//   hass emit-hls MODEL --folding FILE --out DIR
//   hass emit-hls MODEL --cosearch DIR --out DIR           (the co-search's folding, statistics, thresholds)
//   hass emit-hls MODEL --folding FILE --stats FILE [--thresholds FILE] --out DIR
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace hass::cli {

struct emit_hls_options {
    std::string design;   ///< network JSON file (inline folding) or zoo name
    std::string out;      ///< output directory
    std::string weights;  ///< weights file (JSON or raw float32); empty: the test bench draws random ones
    std::string board;    ///< with no --folding: search the folding for this board
    std::string folding;  ///< folding file
    std::string top;      ///< top function name (default <network>_top)
    std::string name_space = "hass_design";
    long long seed = 1;   ///< test bench seed
    int data_int = 0;     ///< data_t integer bits (0: width / 2)
    int weight_int = 0;   ///< weight_t integer bits (0: width / 4)
    double prune = 0.5;   ///< random weights of sparse layers: fraction pruned (layers without tau_w)
    std::string cosearch;   ///< the co-search's output directory (folding.json, stats.json, thresholds.json)
    std::string stats;      ///< product-histogram statistics file
    std::string thresholds; ///< thresholds file (tau_w, tau_a per layer)
    bool allow_dense = false; ///< a folding that says sparse without statistics: warn and build dense
    std::string partition = "auto"; ///< "auto": the folding file's (or the partitioned search's) cuts; "none"
    long long batch = 0;            ///< 0: the folding file's, else 256
    bool quiet = false;
    bool csim = false;       ///< compile and run the C-simulation test bench(es) after emitting
    std::string cxx;         ///< the host compiler of --csim (default: $CXX, else c++)
    std::string hass_include; ///< hass's include directory for --csim (default: found, docs/hls.md)
};

/// Adds the emit-hls subcommand to `app`, parsing into `o`.
CLI::App* add_emit_hls_command(CLI::App& app, emit_hls_options& o);

int run_emit_hls(const emit_hls_options& o);

} // namespace hass::cli
