// hass check-reference: compares hass's reference mode with records of the
// fpgaConvNet reference model (docs/cost_model.md).
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace hass::cli {

struct check_reference_options {
    std::string file;
    bool json = false;
    bool quiet = false; ///< only the summary table
};

CLI::App* add_check_reference_command(CLI::App& app, check_reference_options& o);
int run_check_reference(const check_reference_options& o);

} // namespace hass::cli
