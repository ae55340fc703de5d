// LogParser: decodes the newline-delimited JSON actions of one Delta commit file (and of JSON
// log compactions and V2 JSON checkpoints, which share the format) into typed actions.
// Unknown action kinds and unknown fields are ignored, as PROTOCOL.md "Protocol Evolution"
// requires; malformed JSON or a known action with a wrongly typed field is a Corruption error
// that names the file and the 1-based line.
// Thread-safety: free functions without shared state.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lakesync/common/result.h"
#include "lakesync/delta/actions.h"

namespace lakesync::delta {

struct ParseOptions {
  /// Snapshot replay: a remove keeps only what reconciliation needs (path, deletion vector,
  /// dataChange); its stats, tags and partition values are skipped, unread and unchecked.
  bool removes_as_keys = false;
  /// Snapshot replay (ParseActionLine only): an add is read only for its key (path, deletion
  /// vector, dataChange); ParseAddLine reads its line in full if it is still live at the end (a
  /// long log removes nearly every add it reads). Other fields of those adds are not checked.
  bool adds_as_keys = false;
};

/// Parses every action in `contents`; `file_name` is only used in error messages.
Result<std::vector<Action>> ParseActions(std::string_view contents, std::string_view file_name,
                                         ParseOptions options = {});

/// Parses one line of a commit file (a JSON object of one or more actions) and appends its
/// actions; with adds_as_keys, adds are read by key only. `file_name` and the 1-based `line_no`
/// name it in errors.
Status ParseActionLine(std::string_view line, std::string_view file_name, size_t line_no,
                       ParseOptions options, std::vector<Action>* actions);

/// Reads in full the add on line `line_no` of `file_name`, read by key only before.
Result<AddFile> ParseAddLine(std::string_view line, size_t line_no, std::string_view file_name);

/// A line of a commit file without its surrounding blanks (and a CRLF's CR).
std::string_view TrimLogLine(std::string_view line);

}  // namespace lakesync::delta
