// Replays the ONNX reader's fuzz target (onnx_reader_fuzz.cpp) over files and
// directories of inputs, and over deterministic mutations of each input
// (truncations, byte flips, zeroed and duplicated spans), without libFuzzer:
// a regression test that any compiler builds (ctest onnx.fuzz_replay; under
// the asan preset it runs with AddressSanitizer and UBSan).
//
//   hass_onnx_fuzz_replay [--no-mutations] PATH...
//
// Exits 0 when every input ran (errors from the importer are fine); a crash,
// a sanitizer report or an escaped exception fails the test.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

std::size_t runs = 0;

void run(const std::string& bytes) {
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    ++runs;
}

/// Deterministic variants of one input: at most ~200 per file.
void mutations(const std::string& in) {
    const std::size_t n = in.size();
    if (n == 0) return;
    const std::size_t step = std::max<std::size_t>(1, n / 48);
    for (std::size_t cut = 0; cut < n; cut += step) run(in.substr(0, cut)); // truncations
    for (std::size_t at = 0; at < n; at += step) {
        std::string s = in;
        s[at] = static_cast<char>(s[at] ^ 0xff); // byte flips
        run(s);
        s = in;
        s[at] = static_cast<char>(0x7f); // large varints and lengths
        run(s);
    }
    for (std::size_t at = 0; at + 16 < n; at += 4 * step) {
        std::string s = in;
        std::fill(s.begin() + static_cast<std::ptrdiff_t>(at), s.begin() + static_cast<std::ptrdiff_t>(at + 16), '\0');
        run(s); // a zeroed span
        run(in.substr(0, at) + in.substr(at, 16) + in.substr(at)); // a duplicated span
    }
}

} // namespace

int main(int argc, char** argv) {
    bool mutate = true;
    std::vector<std::filesystem::path> files;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--no-mutations") {
            mutate = false;
            continue;
        }
        const std::filesystem::path p(arg);
        if (std::filesystem::is_directory(p)) {
            for (const auto& e : std::filesystem::directory_iterator(p))
                if (e.is_regular_file() && e.path().extension() != ".txt" && e.path().extension() != ".bin")
                    files.push_back(e.path());
        } else if (std::filesystem::is_regular_file(p)) {
            files.push_back(p);
        } else {
            std::fprintf(stderr, "hass_onnx_fuzz_replay: no such file or directory: %s\n", arg.c_str());
            return 2;
        }
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
        std::fprintf(stderr, "usage: hass_onnx_fuzz_replay [--no-mutations] PATH...\n");
        return 2;
    }
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        run(bytes);
        if (mutate) mutations(bytes);
    }
    std::printf("replayed %zu inputs (%zu files%s) without a crash\n", runs, files.size(),
                mutate ? " and their mutations" : "");
    return 0;
}
