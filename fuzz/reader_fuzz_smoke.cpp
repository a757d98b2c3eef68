// Seeded mutation fuzzing of every JSON reader of hass, without libFuzzer (any
// compiler): for each reader, `--mutants N` structure-aware mutants of its seed
// files (json_mutator.hpp), each run through the reader and what hass does with
// the result (json_readers.hpp). A crash, a sanitizer report or an escaped
// exception fails the run; so does one input taking longer than `--timeout`
// seconds (a hang), after writing it to hass-fuzz-hang-<reader>.json.
//
//   hass_reader_fuzz [--mutants N] [--seed S] [--timeout SEC] [--reader NAME]...
//                    [--corpus DIR]... [--write-seeds DIR] [--replay READER FILE]
//
// ctest fuzz.readers runs it with a few thousand mutants per reader.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "json_mutator.hpp"
#include "json_readers.hpp"

namespace {

std::atomic<long long> started_ms{0}; // 0: idle
std::string current_reader;
std::string current_input;

long long now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int usage() {
    std::fprintf(stderr, "usage: hass_reader_fuzz [--mutants N] [--seed S] [--timeout SEC] [--reader NAME]... "
                         "[--corpus DIR]... [--write-seeds DIR] [--replay READER FILE]\n");
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    long long mutants = 2000;
    std::uint64_t seed = 1;
    double timeout_s = 20;
    std::vector<std::string> only;
    std::vector<std::filesystem::path> corpora;
    std::string write_seeds;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) std::exit(usage());
            return argv[++i];
        };
        if (a == "--mutants") mutants = std::atoll(value().c_str());
        else if (a == "--seed") seed = std::strtoull(value().c_str(), nullptr, 10);
        else if (a == "--timeout") timeout_s = std::atof(value().c_str());
        else if (a == "--reader") only.push_back(value());
        else if (a == "--corpus") corpora.emplace_back(value());
        else if (a == "--write-seeds") write_seeds = value();
        else if (a == "--replay") {
            const std::string reader = value();
            const std::string file = value();
            const bool ok = hass::fuzz::run_reader(reader, slurp(file));
            std::printf("%s: %s\n", file.c_str(), ok ? "accepted" : "rejected with a hass::error");
            return 0;
        } else return usage();
    }
    if (!write_seeds.empty()) {
        for (auto r : hass::fuzz::readers) {
            const auto dir = std::filesystem::path(write_seeds) / std::string(r);
            std::filesystem::create_directories(dir);
            int k = 0;
            for (const auto& s : hass::fuzz::seeds(r))
                std::ofstream(dir / ("seed-" + std::to_string(k++) + ".json"), std::ios::binary) << s;
        }
        return 0;
    }

    // the watchdog: an input running longer than the timeout is a hang
    std::thread([timeout_s] {
        for (;;) {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            const long long t = started_ms.load();
            if (t != 0 && static_cast<double>(now_ms() - t) > 1000 * timeout_s) {
                const std::string file = "hass-fuzz-hang-" + current_reader + ".json";
                std::ofstream(file, std::ios::binary) << current_input;
                std::fprintf(stderr, "hass_reader_fuzz: HANG: reader '%s' ran one input for more than %g s; "
                                     "the input is in %s\n", current_reader.c_str(), timeout_s, file.c_str());
                std::fflush(stderr);
                std::_Exit(3);
            }
        }
    }).detach();

    const auto t_all = std::chrono::steady_clock::now();
    long long total = 0;
    for (auto r : hass::fuzz::readers) {
        if (!only.empty() && std::find(only.begin(), only.end(), std::string(r)) == only.end()) continue;
        std::vector<std::string> seeds = hass::fuzz::seeds(r);
        for (const auto& c : corpora) {
            const auto dir = c / std::string(r);
            if (!std::filesystem::is_directory(dir)) continue;
            std::vector<std::filesystem::path> files;
            for (const auto& e : std::filesystem::directory_iterator(dir))
                if (e.is_regular_file()) files.push_back(e.path());
            std::sort(files.begin(), files.end());
            for (const auto& f : files) seeds.push_back(slurp(f));
        }
        current_reader = std::string(r);
        hass::fuzz::rng rng(seed * 0x100000001b3ULL + std::hash<std::string_view>{}(r));
        long long accepted = 0, slowest = 0;
        const auto t0 = std::chrono::steady_clock::now();
        auto run = [&](const std::string& input) {
            current_input = input;
            const long long t = now_ms();
            started_ms = t;
            if (hass::fuzz::run_reader(r, input)) ++accepted;
            started_ms = 0;
            slowest = std::max(slowest, now_ms() - t);
        };
        for (const auto& s : seeds) run(s); // the seeds themselves
        for (long long k = 0; k < mutants; ++k) run(hass::fuzz::mutate(seeds[rng.below(seeds.size())], rng));
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        total += mutants + static_cast<long long>(seeds.size());
        std::printf("%-12s %8lld inputs (%zu seeds), %6lld accepted, slowest %5lld ms, %8.0f ms\n", current_reader.c_str(),
                    mutants + static_cast<long long>(seeds.size()), seeds.size(), accepted, slowest, ms);
        std::fflush(stdout);
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_all).count();
    std::printf("hass_reader_fuzz: %lld inputs, 0 crashes, 0 hangs (timeout %g s), %.1f s\n", total, timeout_s, s);
    return 0;
}
