// libFuzzer target of one JSON reader of hass (HASS_FUZZ_READER, e.g. "board"),
// with the structure-aware mutator of json_mutator.hpp for most mutations.
// Built by the `fuzz` preset as hass_fuzz_<reader>:
//
//   build/fuzz/fuzz/hass_reader_fuzz --write-seeds fuzz/work   # seed corpora
//   build/fuzz/fuzz/hass_fuzz_board -max_total_time=600 -timeout=20 fuzz/work/board
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "json_mutator.hpp"
#include "json_readers.hpp"

#ifndef HASS_FUZZ_READER
#error "define HASS_FUZZ_READER to the reader's name"
#endif

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    hass::fuzz::run_reader(HASS_FUZZ_READER, std::string(reinterpret_cast<const char*>(data), size));
    return 0;
}

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int seed) {
    hass::fuzz::rng r(seed);
    if (r.chance(30)) return LLVMFuzzerMutate(data, size, max_size);
    const std::string out = hass::fuzz::mutate(std::string(reinterpret_cast<const char*>(data), size), r);
    if (out.size() > max_size) return LLVMFuzzerMutate(data, size, max_size);
    std::memcpy(data, out.data(), out.size());
    return out.size();
}
