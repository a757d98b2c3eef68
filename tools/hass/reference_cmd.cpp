#include "reference_cmd.hpp"

#include <cstdio>

#include <fmt/format.h>

#include <hass/io/reference_records.hpp>

namespace hass::cli {

CLI::App* add_check_reference_command(CLI::App& app, check_reference_options& o) {
    auto* cmd = app.add_subcommand(
        "check-reference",
        "Evaluate fpgaConvNet standalone-layer records in the reference mode and compare every number "
        "(latency, pipeline depth, rates, LUT/FF/DSP/BRAM/URAM, per-module figures)");
    cmd->add_option("FILE", o.file, "Record file: {\"records\": [{\"id\", \"layer_type\", \"inputs\", \"outputs\"}]}")
        ->required();
    cmd->add_flag("--json", o.json, "Print the comparison as JSON");
    cmd->add_flag("-q,--quiet", o.quiet, "Print only the per-type summary");
    return cmd;
}

int run_check_reference(const check_reference_options& o) {
    const auto file = io::load_json_file(o.file);
    const io::reference_summary s = io::check_reference_records(file, o.file);
    if (o.json) {
        nlohmann::ordered_json out;
        out["file"] = o.file;
        out["records"] = s.total;
        out["exact"] = s.exact;
        out["rates_exact"] = s.rates_exact;
        for (const auto& [type, n] : s.by_type)
            out["by_type"][type] = {{"records", n.records}, {"exact", n.exact}, {"rates_exact", n.rates},
                                    {"errors", n.errors}};
        out["mismatches"] = nlohmann::ordered_json::array();
        for (const auto& r : s.records) {
            if (r.exact && r.rates_exact) continue;
            out["mismatches"].push_back({{"id", r.id},
                                         {"layer_type", r.layer_type},
                                         {"error", r.error},
                                         {"differences", r.differences}});
        }
        fmt::print("{}\n", out.dump(2));
        return s.all_agree() ? 0 : 1;
    }
    fmt::print("Reference check of {} (hass --model fpgaconvnet against fpgaConvNet edfbeb6 records)\n", o.file);
    fmt::print("exact = latency, pipeline depth, LUT/FF/DSP/BRAM/URAM and every module figure agree to the last bit\n\n");
    fmt::print("{:<34} {:>8} {:>8} {:>8} {:>8}\n", "layer type", "records", "exact", "rates", "errors");
    for (const auto& [type, n] : s.by_type)
        fmt::print("{:<34} {:>8} {:>8} {:>8} {:>8}\n", type, n.records, n.exact, n.rates, n.errors);
    fmt::print("{:<34} {:>8} {:>8} {:>8}\n", "total", s.total, s.exact, s.rates_exact);
    if (!o.quiet) {
        bool header = false;
        for (const auto& r : s.records) {
            if (r.exact && r.rates_exact) continue;
            if (!header) {
                fmt::print("\nRecords that differ:\n");
                header = true;
            }
            fmt::print("  record {} ({}):", r.id, r.layer_type);
            if (!r.error.empty()) fmt::print(" cannot evaluate: {}", r.error);
            fmt::print("\n");
            for (const auto& d : r.differences) fmt::print("    {}\n", d);
        }
    }
    return s.all_agree() ? 0 : 1;
}

} // namespace hass::cli
