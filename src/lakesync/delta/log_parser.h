// LogParser: decodes the newline-delimited JSON actions of one Delta commit file (and of JSON
// log compactions and V2 JSON checkpoints, which share the format) into typed actions.
// Unknown action kinds and unknown fields are ignored, as PROTOCOL.md "Protocol Evolution"
// requires; malformed JSON or a known action with a wrongly typed field is a Corruption error
// that names the file and the 1-based line.
// Thread-safety: free functions without shared state.
#pragma once

#include <string_view>
#include <vector>

#include "lakesync/common/result.h"
#include "lakesync/delta/actions.h"

namespace lakesync::delta {

struct ParseOptions {
  /// Snapshot replay: a remove keeps only what reconciliation needs (path, deletion vector,
  /// dataChange); its stats, tags and partition values are skipped, unread and unchecked.
  bool removes_as_keys = false;
};

/// Parses every action in `contents`; `file_name` is only used in error messages.
Result<std::vector<Action>> ParseActions(std::string_view contents, std::string_view file_name,
                                         ParseOptions options = {});

}  // namespace lakesync::delta
