// A fixed-capacity name (layers, networks): no allocation, usable in constant
// expressions (and copyable there without the SSO pitfalls of std::string).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "hass/core/error.hpp"

namespace hass {

class name_t {
public:
    static constexpr std::size_t capacity = 79;

    constexpr name_t() noexcept = default;
    constexpr name_t(const char* s) : name_t(std::string_view(s)) {}
    constexpr name_t(std::string_view s) { assign(s); }
    constexpr name_t(const std::string& s) : name_t(std::string_view(s)) {}

    constexpr void assign(std::string_view s) {
        if (s.size() > capacity)
            detail::fail("name '" + std::string(s.substr(0, 40)) + "...' is longer than " +
                         std::to_string(capacity) + " characters");
        size_ = s.size();
        for (std::size_t i = 0; i < capacity + 1; ++i) data_[i] = i < size_ ? s[i] : '\0';
    }
    constexpr name_t& operator+=(std::string_view s) {
        std::string_view self = *this;
        char buf[capacity + 1]{};
        if (self.size() + s.size() > capacity)
            detail::fail("name '" + std::string(self) + "' + '" + std::string(s) + "' is too long");
        for (std::size_t i = 0; i < self.size(); ++i) buf[i] = self[i];
        for (std::size_t i = 0; i < s.size(); ++i) buf[self.size() + i] = s[i];
        assign(std::string_view(buf, self.size() + s.size()));
        return *this;
    }

    constexpr std::string_view view() const noexcept { return {data_, size_}; }
    constexpr operator std::string_view() const noexcept { return view(); }
    constexpr const char* c_str() const noexcept { return data_; }
    constexpr std::size_t size() const noexcept { return size_; }
    constexpr bool empty() const noexcept { return size_ == 0; }
    std::string str() const { return std::string(view()); }

    friend constexpr bool operator==(const name_t& a, const name_t& b) noexcept { return a.view() == b.view(); }
    friend constexpr bool operator==(const name_t& a, std::string_view b) noexcept { return a.view() == b; }
    friend constexpr bool operator==(const name_t& a, const char* b) noexcept { return a.view() == std::string_view(b); }

private:
    char data_[capacity + 1]{};
    std::size_t size_ = 0;
};

} // namespace hass
