// Fuzz target of the ONNX import (tools/onnx): any byte string must give a
// hass::error or a valid network, never a crash, a sanitizer report, an
// uncaught exception of another type or a hang.
//
// An imported network is also evaluated (every factor 1, on the zedboard),
// written as a network file and dumped as JSON (names must be valid UTF-8),
// and its weights checked against it: what import_model returns must be
// usable by the rest of hass.
//
// Built with clang and -fsanitize=fuzzer by the `fuzz` preset
// (HASS_BUILD_FUZZERS=ON); replayed over a corpus by hass_onnx_fuzz_replay
// (replay_main.cpp) under ctest with any compiler.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <hass/hass.hpp>
#include <hass/hls/emit.hpp>
#include <hass/io/json.hpp>
#include <hass_onnx/import.hpp>

#ifdef HASS_ONNX_STRUCTURED_MUTATOR
#include "onnx_mutator.hpp" // LLVMFuzzerCustomMutator (libFuzzer builds only)
#endif

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    try {
        const hass::onnx_import::result r = hass::onnx_import::import_model(bytes, "fuzz.onnx");
        hass::validate(r.net);
        hass::hls::check_weights(r.weights, r.net, "fuzz.onnx");
        const auto report = hass::evaluate(r.net, hass::unit_folding(r.net), hass::boards::zedboard::spec);
        (void)report.ii;
        (void)hass::io::write_network(r.net).dump();
        for (const auto& n : r.notes) (void)hass::io::json(n).dump();
        for (const auto& w : r.warnings) (void)hass::io::json(w).dump();
        (void)hass::io::json(r.producer).dump();
    } catch (const hass::error& e) {
        // a clear error is the expected outcome for most inputs; its text must be printable
        (void)hass::io::json(e.what()).dump();
    }
    return 0;
}
