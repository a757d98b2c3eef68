// Text formatting helpers of the hass command-line tool: digit grouping,
// durations and a plain-text table.
#pragma once

#include <chrono>
#include <cstdio>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace hass::cli {

/// 118013952 -> "118,013,952".
inline std::string grouped(std::int64_t v) {
    const bool negative = v < 0;
    std::string digits = fmt::format("{}", negative ? -static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v));
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return negative ? "-" + out : out;
}

/// A double with digit grouping and `decimals` digits after the point: 12,345.67.
inline std::string grouped(double v, int decimals) {
    if (!std::isfinite(v)) return fmt::format("{}", v);
    std::string s = fmt::format("{:.{}f}", std::fabs(v), decimals);
    const auto dot = s.find('.');
    const std::string whole = s.substr(0, dot);
    const std::string frac = dot == std::string::npos ? "" : s.substr(dot);
    std::string out;
    for (std::size_t i = 0; i < whole.size(); ++i) {
        if (i > 0 && (whole.size() - i) % 3 == 0) out += ',';
        out += whole[i];
    }
    return (v < 0 ? "-" : "") + out + frac;
}

/// A rate or count that may be small or large: 3 significant digits at least.
inline std::string amount(double v) {
    if (v >= 1000) return grouped(v, 0);
    if (v >= 100) return grouped(v, 1);
    if (v >= 1) return grouped(v, 2);
    return fmt::format("{:.3g}", v);
}

/// Seconds in a readable unit: "472.1 ms", "3.25 s", "18.0 us".
inline std::string duration(double s) {
    if (s >= 1) return fmt::format("{:.3f} s", s);
    if (s >= 1e-3) return fmt::format("{:.3f} ms", s * 1e3);
    return fmt::format("{:.3f} us", s * 1e6);
}

inline std::string percent(double used, double budget) {
    if (budget <= 0) return used > 0 ? "inf" : "-";
    return fmt::format("{:.1f}%", 100.0 * used / budget);
}

/// A table of left- or right-aligned text columns with a header and rules.
class table {
public:
    struct column {
        std::string title;
        bool right = true;
    };
    explicit table(std::vector<column> columns) : columns_(std::move(columns)) {}

    void add(std::vector<std::string> row) {
        row.resize(columns_.size());
        rows_.push_back(std::move(row));
    }
    void rule() { rows_.emplace_back(); }

    void print(std::FILE* out) const {
        std::vector<std::size_t> width(columns_.size(), 0);
        for (std::size_t c = 0; c < columns_.size(); ++c) width[c] = columns_[c].title.size();
        for (const auto& r : rows_)
            for (std::size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
        auto line = [&](const std::vector<std::string>& cells) {
            std::string text;
            for (std::size_t c = 0; c < columns_.size(); ++c) {
                if (c > 0) text += "  ";
                const std::string& cell = cells[c];
                const std::string pad(width[c] - cell.size(), ' ');
                text += columns_[c].right ? pad + cell : cell + pad;
            }
            while (!text.empty() && text.back() == ' ') text.pop_back();
            fmt::print(out, "{}\n", text);
        };
        std::vector<std::string> titles;
        std::size_t total = 0;
        for (std::size_t c = 0; c < columns_.size(); ++c) {
            titles.push_back(columns_[c].title);
            total += width[c] + (c > 0 ? 2 : 0);
        }
        line(titles);
        fmt::print(out, "{}\n", std::string(total, '-'));
        for (const auto& r : rows_) {
            if (r.empty())
                fmt::print(out, "{}\n", std::string(total, '-'));
            else
                line(r);
        }
    }

private:
    std::vector<column> columns_;
    std::vector<std::vector<std::string>> rows_;
};

/// `text` broken into lines of at most `width` characters at spaces, every line
/// after the first indented by `indent` spaces (the report's label column).
inline std::string wrapped(const std::string& text, std::size_t indent = 19, std::size_t width = 110) {
    std::string out, line;
    std::size_t start = 0;
    const std::size_t first_width = width > indent ? width - indent : width;
    while (start < text.size()) {
        std::size_t end = text.find(' ', start);
        if (end == std::string::npos) end = text.size();
        const std::string word = text.substr(start, end - start);
        if (!line.empty() && line.size() + 1 + word.size() > first_width) {
            out += line + "\n" + std::string(indent, ' ');
            line.clear();
        }
        line += (line.empty() ? "" : " ") + word;
        start = end + 1;
    }
    return out + line;
}

/// Progress on a terminal: "searching ... 42%" on stderr, only when stderr is a
/// terminal and the search has run for a while; cleared at the end.
class progress_line {
public:
    explicit progress_line(std::string what) : what_(std::move(what)), tty_(isatty(2) != 0) {}
    ~progress_line() { clear(); }
    progress_line(const progress_line&) = delete;
    progress_line& operator=(const progress_line&) = delete;

    void operator()(double fraction) {
        if (!tty_) return;
        const auto now = std::chrono::steady_clock::now();
        if (now - start_ < std::chrono::milliseconds(300) || now - last_ < std::chrono::milliseconds(100)) return;
        last_ = now;
        fmt::print(stderr, "\r{} {:3.0f}%", what_, 100.0 * fraction);
        std::fflush(stderr);
        shown_ = true;
    }
    void clear() {
        if (!shown_) return;
        fmt::print(stderr, "\r{}\r", std::string(what_.size() + 6, ' '));
        std::fflush(stderr);
        shown_ = false;
    }

private:
    std::string what_;
    bool tty_ = false;
    bool shown_ = false;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point last_{};
};

} // namespace hass::cli
