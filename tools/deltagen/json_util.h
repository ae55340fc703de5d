// Small helpers for writing JSON text by hand (the Delta log and deltagen's state file).
// Thread-safety: free functions.
#pragma once

#include <string>
#include <string_view>

namespace lakesync::deltagen {

/// Appends `s` as a quoted JSON string.
void AppendJsonString(std::string* out, std::string_view s);
/// `s` as a quoted JSON string.
std::string JsonQuote(std::string_view s);

}  // namespace lakesync::deltagen
