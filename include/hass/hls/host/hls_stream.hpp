// Host stand-in for the vendor <hls_stream.h> (see hass/hls/platform.hpp and
// docs/hls.md, "host stand-ins").
//
// What it models: the C-simulation semantics of hls::stream<T>, an unbounded
// FIFO (the vendor C simulation also ignores the depth), written and read in
// program order.  A dataflow region runs its processes one after another, so a
// producer has written everything before its consumer starts.
//   - write(v), operator<<, write_nb(v) (always succeeds);
//   - read(), read(v), operator>>: a blocking read; reading an empty stream is
//     a deadlock in hardware and throws std::runtime_error("read from empty
//     stream NAME") here;
//   - read_nb(v): false when empty;
//   - empty(), full() (always false: unbounded), size();
//   - an optional name, and counters of the words read and written (host
//     extension: reads(), writes());
//   - words left in a stream when it is destroyed are counted in
//     hass::hls::host::leftover_words() (the vendor simulator prints a warning).
// What it does not model: the FIFO depth, back-pressure, timing and deadlocks
// caused by too-shallow FIFOs (only a vendor co-simulation checks those).
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <stdexcept>

namespace hass::hls::host {

/// Words found in streams when they were destroyed, since program start.
inline long long& leftover_words() noexcept {
    static long long n = 0;
    return n;
}

} // namespace hass::hls::host

namespace hls {

template <class T, int DEPTH = 0>
class stream {
public:
    stream() = default;
    explicit stream(const char* name) : name_(name ? name : "") {}
    stream(const stream&) = delete;
    stream& operator=(const stream&) = delete;
    ~stream() { hass::hls::host::leftover_words() += static_cast<long long>(fifo_.size()); }

    void write(const T& v) {
        fifo_.push_back(v);
        ++writes_;
    }
    bool write_nb(const T& v) {
        write(v);
        return true;
    }
    stream& operator<<(const T& v) {
        write(v);
        return *this;
    }

    T read() {
        if (fifo_.empty())
            throw std::runtime_error("read from empty stream " + (name_.empty() ? std::string("<unnamed>") : name_));
        T v = fifo_.front();
        fifo_.pop_front();
        ++reads_;
        return v;
    }
    void read(T& v) { v = read(); }
    bool read_nb(T& v) {
        if (fifo_.empty()) return false;
        v = read();
        return true;
    }
    stream& operator>>(T& v) {
        v = read();
        return *this;
    }

    bool empty() const noexcept { return fifo_.empty(); }
    bool full() const noexcept { return false; }
    std::size_t size() const noexcept { return fifo_.size(); }

    // host extensions
    const std::string& name() const noexcept { return name_; }
    void set_name(const char* name) { name_ = name ? name : ""; }
    long long reads() const noexcept { return reads_; }
    long long writes() const noexcept { return writes_; }

private:
    std::deque<T> fifo_;
    std::string name_;
    long long reads_ = 0;
    long long writes_ = 0;
};

} // namespace hls
