// Host stand-in for the vendor arbitrary-precision types (<ap_fixed.h>,
// <ap_int.h>), used when the vendor headers are absent or HASS_HLS_HOST is
// defined (see hass/hls/platform.hpp and docs/hls.md, "host stand-ins").
//
// What is modelled, exactly:
//   ap_fixed<W, I, Q, O, N>, ap_ufixed<W, I, Q, O, N>, ap_int<W>, ap_uint<W>
//   for 1 <= W <= 64, stored as a 64-bit two's-complement raw value
//   (value = raw * 2^-(W-I)); I may be any integer (also < 0 or > W).
//   - Conversion between any two of these types, from integers and from
//     double/float applies the target's quantisation mode Q to the dropped
//     fraction bits and then its overflow mode O to the result:
//       AP_TRN (towards -inf), AP_TRN_ZERO (towards 0), AP_RND (half towards
//       +inf), AP_RND_ZERO (half towards 0), AP_RND_MIN_INF (half towards -inf),
//       AP_RND_INF (half away from 0), AP_RND_CONV (half to even);
//       AP_WRAP (keep the low W bits), AP_SAT (clamp), AP_SAT_ZERO (0 on
//       overflow), AP_SAT_SYM (clamp to [-max, max] when signed).
//     AP_WRAP_SM and a non-zero saturation-bit count N are not modelled
//     (static_assert).  Conversion from double is exact (the double's binary
//     value is quantised, not a decimal rounding of it).
//   - +, - and * return the full-precision type of the vendor rules
//     (add/sub: max integer bits + 1 and max fraction bits, a signed/unsigned mix
//     widens the unsigned operand by one bit, subtraction is always signed;
//     mul: W1 + W2 bits, I1 + I2 integer bits, signed if either is), AP_TRN /
//     AP_WRAP, never rounded; the result must fit 64 bits (static_assert), which
//     holds for operands of up to 32 bits.  ap_int op ap_int gives ap_int/ap_uint;
//     any fixed operand gives ap_fixed/ap_ufixed.  A C++ int / long long operand
//     behaves as ap_int<32> / ap_int<64>.
//   - Unary -, +=, -=, *= (result converted back with the left operand's Q/O),
//     ++/-- on integer types, ==, !=, <, <=, >, >= (exact, also against int and
//     double), to_double(), to_float(), to_int(), to_int64(), and an implicit
//     conversion of ap_int/ap_uint to long long.
// Not modelled: division, shifts, bit and range selection, W > 64, and
// everything about hardware cost.
#pragma once

#include <cmath>
#include <cstdint>
#include <ostream>
#include <type_traits>

enum ap_q_mode { AP_RND, AP_RND_ZERO, AP_RND_MIN_INF, AP_RND_INF, AP_RND_CONV, AP_TRN, AP_TRN_ZERO };
enum ap_o_mode { AP_SAT, AP_SAT_ZERO, AP_SAT_SYM, AP_WRAP, AP_WRAP_SM };

namespace hass::hls::host::ap {

__extension__ typedef __int128 i128;

/// How the dropped fraction bits compare with one half of the last kept bit.
enum class tail { zero, below_half, half, above_half };

/// Applies quantisation mode `q` to `floor_value` (the value rounded towards
/// -inf) given the class of the dropped bits.
constexpr i128 quantise(i128 floor_value, tail t, ap_q_mode q) noexcept {
    if (t == tail::zero) return floor_value;
    const bool negative = floor_value < 0; // the exact value is negative
    switch (q) {
    case AP_TRN: return floor_value;
    case AP_TRN_ZERO: return negative ? floor_value + 1 : floor_value;
    case AP_RND: return t == tail::below_half ? floor_value : floor_value + 1;
    case AP_RND_ZERO:
        if (t == tail::half) return negative ? floor_value + 1 : floor_value;
        return t == tail::above_half ? floor_value + 1 : floor_value;
    case AP_RND_MIN_INF:
        return t == tail::above_half ? floor_value + 1 : floor_value;
    case AP_RND_INF:
        if (t == tail::half) return negative ? floor_value : floor_value + 1;
        return t == tail::above_half ? floor_value + 1 : floor_value;
    case AP_RND_CONV:
        if (t == tail::half) return (floor_value & 1) ? floor_value + 1 : floor_value;
        return t == tail::above_half ? floor_value + 1 : floor_value;
    }
    return floor_value;
}

/// Re-scales `raw` (with `from` fraction bits) to `to` fraction bits, quantising with `q`.
constexpr i128 rescale(i128 raw, int from, int to, ap_q_mode q) noexcept {
    if (to >= from) return raw << (to - from);
    const int shift = from - to;
    if (shift >= 126) return quantise(raw < 0 ? -1 : 0, raw == 0 ? tail::zero : tail::below_half, q);
    const i128 fl = raw >> shift; // arithmetic: floor
    const i128 rem = raw - (fl << shift);
    const i128 half = i128{1} << (shift - 1);
    const tail t = rem == 0 ? tail::zero : rem < half ? tail::below_half : rem == half ? tail::half : tail::above_half;
    return quantise(fl, t, q);
}

/// Applies overflow mode `o` for a W-bit (signed or unsigned) target.
constexpr std::int64_t overflow(i128 v, int w, bool s, ap_o_mode o) noexcept {
    const i128 max = s ? (i128{1} << (w - 1)) - 1 : (i128{1} << w) - 1;
    const i128 min = s ? -(i128{1} << (w - 1)) : 0;
    if (v >= min && v <= max && !(o == AP_SAT_SYM && s && v == min))
        return static_cast<std::int64_t>(v);
    switch (o) {
    case AP_SAT: return static_cast<std::int64_t>(v < min ? min : max);
    case AP_SAT_ZERO: return 0;
    case AP_SAT_SYM:
        if (!s) return static_cast<std::int64_t>(v < min ? min : max);
        return static_cast<std::int64_t>(v < 0 ? -max : max);
    default: { // AP_WRAP: keep the low w bits
        const i128 mask = (i128{1} << w) - 1;
        i128 low = v & mask;
        if (s && (low >> (w - 1)) != 0) low -= (i128{1} << w);
        return static_cast<std::int64_t>(low);
    }
    }
}

/// The common base of all four stand-in types: W bits, I integer bits, signed S,
/// quantisation Q, overflow O; INT marks ap_int / ap_uint (integer arithmetic
/// results stay integer types).
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, bool INT>
struct fx;

template <class T>
struct is_fx : std::false_type {};
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, bool INT>
struct is_fx<fx<W, I, S, Q, O, INT>> : std::true_type {};

template <int W, int I, bool S, bool INT>
struct make_type;

} // namespace hass::hls::host::ap

template <int W, int I, ap_q_mode Q = AP_TRN, ap_o_mode O = AP_WRAP, int N = 0>
struct ap_fixed;
template <int W, int I, ap_q_mode Q = AP_TRN, ap_o_mode O = AP_WRAP, int N = 0>
struct ap_ufixed;
template <int W>
struct ap_int;
template <int W>
struct ap_uint;

namespace hass::hls::host::ap {

template <int W, int I>
struct make_type<W, I, true, false> { using type = ap_fixed<W, I>; };
template <int W, int I>
struct make_type<W, I, false, false> { using type = ap_ufixed<W, I>; };
template <int W, int I>
struct make_type<W, I, true, true> { using type = ap_int<W>; };
template <int W, int I>
struct make_type<W, I, false, true> { using type = ap_uint<W>; };

template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, bool INT>
struct fx {
    static_assert(W >= 1 && W <= 64, "host ap types model 1 <= W <= 64 bits");
    static_assert(O != AP_WRAP_SM, "AP_WRAP_SM is not modelled by the host stand-ins");

    static const int width = W;
    static const int iwidth = I;
    static const bool sign_flag = S;
    static const ap_q_mode qmode = Q;
    static const ap_o_mode omode = O;
    static constexpr int frac_bits = W - I;
    static constexpr bool is_integer_kind = INT;
    using base_type = fx;

    std::int64_t raw = 0; ///< value * 2^frac_bits, within the W-bit range

    constexpr fx() noexcept = default;

    /// From any stand-in type: quantise with Q, then overflow with O.
    template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, bool INT2>
    constexpr fx(const fx<W2, I2, S2, Q2, O2, INT2>& v) noexcept
        : raw(overflow(rescale(v.raw, W2 - I2, frac_bits, Q), W, S, O)) {}

    constexpr fx(int v) noexcept : raw(from_integer(v)) {}
    constexpr fx(long v) noexcept : raw(from_integer(v)) {}
    constexpr fx(long long v) noexcept : raw(from_integer(v)) {}
    constexpr fx(unsigned v) noexcept : raw(from_integer(static_cast<long long>(v))) {}
    constexpr fx(unsigned long v) noexcept : raw(from_integer(static_cast<long long>(v))) {}
    constexpr fx(unsigned long long v) noexcept : raw(from_integer(static_cast<i128>(v))) {}
    constexpr fx(bool v) noexcept : raw(from_integer(v ? 1 : 0)) {}
    fx(double v) noexcept : raw(from_double(static_cast<long double>(v))) {}
    fx(float v) noexcept : raw(from_double(static_cast<long double>(v))) {}

    /// Builds a value from its raw two's-complement bits (host extension).
    static constexpr fx from_raw(std::int64_t r) noexcept {
        fx x;
        x.raw = overflow(r, W, S, AP_WRAP);
        return x;
    }

    double to_double() const noexcept { return static_cast<double>(to_long_double()); }
    float to_float() const noexcept { return static_cast<float>(to_long_double()); }
    long double to_long_double() const noexcept {
        return std::ldexp(static_cast<long double>(raw), -frac_bits);
    }
    /// Integer part, truncated towards zero (as a C cast of the value).
    constexpr std::int64_t to_int64() const noexcept {
        if (frac_bits <= 0) return static_cast<std::int64_t>(static_cast<i128>(raw) << -frac_bits);
        const i128 fl = static_cast<i128>(raw) >> frac_bits;
        const bool exact = (fl << frac_bits) == raw;
        return static_cast<std::int64_t>(raw < 0 && !exact ? fl + 1 : fl);
    }
    constexpr int to_int() const noexcept { return static_cast<int>(to_int64()); }
    constexpr long to_long() const noexcept { return static_cast<long>(to_int64()); }
    explicit operator double() const noexcept { return to_double(); }

    template <class T>
    constexpr fx& operator+=(const T& b) noexcept { return *this = fx(*this + b); }
    template <class T>
    constexpr fx& operator-=(const T& b) noexcept { return *this = fx(*this - b); }
    template <class T>
    constexpr fx& operator*=(const T& b) noexcept { return *this = fx(*this * b); }

private:
    static constexpr std::int64_t from_integer(i128 v) noexcept {
        return overflow(rescale(v, 0, frac_bits, Q), W, S, O);
    }
    static std::int64_t from_double(long double v) noexcept {
        if (std::isnan(v)) return 0;
        constexpr long double limit = 0x1p120L;
        long double scaled = std::ldexp(v, frac_bits); // exact (binary scaling)
        if (scaled > limit) scaled = limit;
        if (scaled < -limit) scaled = -limit;
        const long double fl = std::floor(scaled);
        const long double rem = scaled - fl; // exact: scaled has at most 64 significant bits
        const tail t = rem == 0 ? tail::zero : rem < 0.5L ? tail::below_half : rem == 0.5L ? tail::half : tail::above_half;
        return overflow(quantise(static_cast<i128>(fl), t, Q), W, S, O);
    }
};

/// A native integer operand behaves as ap_int<32> / ap_int<64>.
template <class T>
struct native {
    using type = void;
};
template <>
struct native<int> { using type = fx<32, 32, true, AP_TRN, AP_WRAP, true>; };
template <>
struct native<long> { using type = fx<64, 64, true, AP_TRN, AP_WRAP, true>; };
template <>
struct native<long long> { using type = fx<64, 64, true, AP_TRN, AP_WRAP, true>; };
template <>
struct native<unsigned> { using type = fx<32, 32, false, AP_TRN, AP_WRAP, true>; };

template <int W1, int I1, bool S1, int W2, int I2, bool S2, bool INT>
struct add_result {
    static constexpr int f1 = W1 - I1, f2 = W2 - I2;
    static constexpr int fr = f1 > f2 ? f1 : f2;
    static constexpr int i1 = I1 + (S2 && !S1), i2 = I2 + (S1 && !S2);
    static constexpr int ir = (i1 > i2 ? i1 : i2) + 1;
    static constexpr int wr = ir + fr;
    static_assert(wr <= 64, "host ap types: the full-precision sum is wider than 64 bits");
    using plus = typename make_type<wr, ir, S1 || S2, INT>::type;
    using minus = typename make_type<wr, ir, true, INT>::type;
};

template <int W1, int I1, bool S1, int W2, int I2, bool S2, bool INT>
struct mul_result {
    static_assert(W1 + W2 <= 64, "host ap types: the full-precision product is wider than 64 bits");
    using type = typename make_type<W1 + W2, I1 + I2, S1 || S2, INT>::type;
};

template <class A, class B>
struct binary;
template <int W1, int I1, bool S1, ap_q_mode Q1, ap_o_mode O1, bool N1, int W2, int I2, bool S2, ap_q_mode Q2,
          ap_o_mode O2, bool N2>
struct binary<fx<W1, I1, S1, Q1, O1, N1>, fx<W2, I2, S2, Q2, O2, N2>> {
    static constexpr bool integer = N1 && N2;
    using add = add_result<W1, I1, S1, W2, I2, S2, integer>;
    using mul = mul_result<W1, I1, S1, W2, I2, S2, integer>;
    static constexpr int f1 = W1 - I1, f2 = W2 - I2;
    static constexpr int fmax = f1 > f2 ? f1 : f2;
};

template <class T>
struct base_of;
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, bool INT>
struct base_of<fx<W, I, S, Q, O, INT>> { using type = fx<W, I, S, Q, O, INT>; };

template <class T>
concept ap_type = requires { typename base_of<typename T::base_type>::type; };

template <class T>
concept native_int = !std::is_void_v<typename native<T>::type>;

template <class T>
constexpr const auto& as_base(const T& v) noexcept {
    return static_cast<const typename T::base_type&>(v);
}
template <class T>
constexpr auto to_fx(const T& v) noexcept {
    if constexpr (native_int<T>)
        return typename native<T>::type(static_cast<long long>(v));
    else
        return as_base(v);
}

template <class A, class B>
constexpr auto add(const A& a, const B& b) noexcept {
    using info = binary<A, B>;
    typename info::add::plus r;
    r.raw = static_cast<std::int64_t>((static_cast<i128>(a.raw) << (info::fmax - info::f1)) +
                                      (static_cast<i128>(b.raw) << (info::fmax - info::f2)));
    return r;
}
template <class A, class B>
constexpr auto sub(const A& a, const B& b) noexcept {
    using info = binary<A, B>;
    typename info::add::minus r;
    r.raw = static_cast<std::int64_t>((static_cast<i128>(a.raw) << (info::fmax - info::f1)) -
                                      (static_cast<i128>(b.raw) << (info::fmax - info::f2)));
    return r;
}
template <class A, class B>
constexpr auto mul(const A& a, const B& b) noexcept {
    typename binary<A, B>::mul::type r;
    r.raw = static_cast<std::int64_t>(static_cast<i128>(a.raw) * static_cast<i128>(b.raw));
    return r;
}
/// -1, 0 or 1 as a compares with b, exactly.
template <class A, class B>
constexpr int compare(const A& a, const B& b) noexcept {
    using info = binary<A, B>;
    const i128 x = static_cast<i128>(a.raw) << (info::fmax - info::f1);
    const i128 y = static_cast<i128>(b.raw) << (info::fmax - info::f2);
    return x < y ? -1 : (x > y ? 1 : 0);
}

template <class A, class B>
concept operands = (ap_type<A> && ap_type<B>) || (ap_type<A> && native_int<B>) || (native_int<A> && ap_type<B>);

} // namespace hass::hls::host::ap

template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct ap_fixed : hass::hls::host::ap::fx<W, I, true, Q, O, false> {
    static_assert(N == 0, "saturation bits (N) are not modelled by the host stand-ins");
    using base_type = hass::hls::host::ap::fx<W, I, true, Q, O, false>;
    using base_type::base_type;
    constexpr ap_fixed() noexcept = default;
    constexpr ap_fixed(const base_type& b) noexcept : base_type(b) {}
};

template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct ap_ufixed : hass::hls::host::ap::fx<W, I, false, Q, O, false> {
    static_assert(N == 0, "saturation bits (N) are not modelled by the host stand-ins");
    using base_type = hass::hls::host::ap::fx<W, I, false, Q, O, false>;
    using base_type::base_type;
    constexpr ap_ufixed() noexcept = default;
    constexpr ap_ufixed(const base_type& b) noexcept : base_type(b) {}
};

template <int W>
struct ap_int : hass::hls::host::ap::fx<W, W, true, AP_TRN, AP_WRAP, true> {
    using base_type = hass::hls::host::ap::fx<W, W, true, AP_TRN, AP_WRAP, true>;
    using base_type::base_type;
    constexpr ap_int() noexcept = default;
    constexpr ap_int(const base_type& b) noexcept : base_type(b) {}
    constexpr operator long long() const noexcept { return this->raw; }
    constexpr ap_int& operator++() noexcept { return *this = ap_int(*this + 1); }
    constexpr ap_int& operator--() noexcept { return *this = ap_int(*this - 1); }
    constexpr ap_int operator++(int) noexcept { ap_int t = *this; ++*this; return t; }
    constexpr ap_int operator--(int) noexcept { ap_int t = *this; --*this; return t; }
};

template <int W>
struct ap_uint : hass::hls::host::ap::fx<W, W, false, AP_TRN, AP_WRAP, true> {
    using base_type = hass::hls::host::ap::fx<W, W, false, AP_TRN, AP_WRAP, true>;
    using base_type::base_type;
    constexpr ap_uint() noexcept = default;
    constexpr ap_uint(const base_type& b) noexcept : base_type(b) {}
    constexpr operator long long() const noexcept { return this->raw; }
    constexpr ap_uint& operator++() noexcept { return *this = ap_uint(*this + 1); }
    constexpr ap_uint& operator--() noexcept { return *this = ap_uint(*this - 1); }
    constexpr ap_uint operator++(int) noexcept { ap_uint t = *this; ++*this; return t; }
    constexpr ap_uint operator--(int) noexcept { ap_uint t = *this; --*this; return t; }
};

// ---- arithmetic and comparison (full precision, vendor result types) -------------

template <class A, class B>
    requires hass::hls::host::ap::operands<A, B>
constexpr auto operator+(const A& a, const B& b) noexcept {
    namespace ap = hass::hls::host::ap;
    return ap::add(ap::to_fx(a), ap::to_fx(b));
}
template <class A, class B>
    requires hass::hls::host::ap::operands<A, B>
constexpr auto operator-(const A& a, const B& b) noexcept {
    namespace ap = hass::hls::host::ap;
    return ap::sub(ap::to_fx(a), ap::to_fx(b));
}
template <class A, class B>
    requires hass::hls::host::ap::operands<A, B>
constexpr auto operator*(const A& a, const B& b) noexcept {
    namespace ap = hass::hls::host::ap;
    return ap::mul(ap::to_fx(a), ap::to_fx(b));
}
template <class A>
    requires hass::hls::host::ap::ap_type<A>
constexpr auto operator-(const A& a) noexcept {
    namespace ap = hass::hls::host::ap;
    return ap::sub(ap::fx<1, 1, false, AP_TRN, AP_WRAP, A::base_type::is_integer_kind>{}, ap::as_base(a));
}
template <class A>
    requires hass::hls::host::ap::ap_type<A>
constexpr A operator+(const A& a) noexcept {
    return a;
}

#define HASS_AP_COMPARE(op)                                                                                    \
    template <class A, class B>                                                                                \
        requires hass::hls::host::ap::operands<A, B>                                                           \
    constexpr bool operator op(const A& a, const B& b) noexcept {                                              \
        namespace ap = hass::hls::host::ap;                                                                    \
        return ap::compare(ap::to_fx(a), ap::to_fx(b)) op 0;                                                   \
    }                                                                                                          \
    template <class A>                                                                                         \
        requires hass::hls::host::ap::ap_type<A>                                                               \
    bool operator op(const A& a, double b) noexcept {                                                          \
        return a.to_long_double() op static_cast<long double>(b);                                              \
    }                                                                                                          \
    template <class B>                                                                                         \
        requires hass::hls::host::ap::ap_type<B>                                                               \
    bool operator op(double a, const B& b) noexcept {                                                          \
        return static_cast<long double>(a) op b.to_long_double();                                              \
    }
HASS_AP_COMPARE(==)
HASS_AP_COMPARE(!=)
HASS_AP_COMPARE(<)
HASS_AP_COMPARE(<=)
HASS_AP_COMPARE(>)
HASS_AP_COMPARE(>=)
#undef HASS_AP_COMPARE

template <class A>
    requires hass::hls::host::ap::ap_type<A>
std::ostream& operator<<(std::ostream& os, const A& a) {
    if constexpr (A::base_type::is_integer_kind)
        return os << a.to_int64();
    else
        return os << a.to_double();
}
