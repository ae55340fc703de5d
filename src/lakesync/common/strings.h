// Small ASCII string helpers shared by the modules (Delta type names, partition values and
// column names are compared case-insensitively in several places).
// Thread-safety: pure functions of their arguments.
#pragma once

#include <string_view>

namespace lakesync {

/// True when `a` and `b` are equal, comparing ASCII letters case-insensitively.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace lakesync
