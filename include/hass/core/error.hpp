// The one exception type of hass. Thrown by validity checks on data loaded at
// run time; in a constant expression the same throw stops compilation at the
// check that failed.
#pragma once

#include <stdexcept>
#include <string>

namespace hass {

/// Bad input or an infeasible request: the message names the problem and where it is.
class error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

namespace detail {
[[noreturn]] inline void fail(const std::string& what) { throw error(what); }
} // namespace detail

} // namespace hass
