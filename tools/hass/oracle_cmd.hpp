// `hass search --oracle-cmd CMD`: an accuracy oracle (and, with --verify, a
// measurement of the chosen design) run as a child process that speaks JSON,
// one document per line, over its standard input and output.
//
//   hass -> CMD   {"format": "hass.sparsity.thresholds", ...}               a candidate: its drop
//                 {"measure": true, "thresholds": {...}}                    the chosen design (--verify)
//   CMD -> hass   {"drop": 0.42}
//                 {"drop": 0.42, "products": {"format": "hass.sparsity.products", ...}}
//                 {"error": "..."}                                          hass stops, naming it
//
// The command runs once (/bin/sh -c CMD) for the whole search; its standard
// error is hass's. hass closes its input at the end and waits for it.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace hass::cli {

class oracle_process {
public:
    explicit oracle_process(std::string command);
    ~oracle_process();
    oracle_process(const oracle_process&) = delete;
    oracle_process& operator=(const oracle_process&) = delete;

    /// Sends one request (one line) and reads the answer (one line of JSON).
    /// Throws hass::error naming the command when it exits, answers with
    /// something that is not JSON, or reports an error.
    nlohmann::json ask(const std::string& request);
    /// Requests answered so far.
    long requests() const noexcept { return requests_; }
    const std::string& command() const noexcept { return command_; }

private:
    std::string command_;
    int pid_ = -1;
    int to_child_ = -1, from_child_ = -1;
    std::string buffer_;
    long requests_ = 0;
    std::string exit_status();
};

} // namespace hass::cli
