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
  /// Snapshot replay (ParseActionsForReplay only): an add is read only for its key (path,
  /// deletion vector, dataChange) and its JSON line is kept, to be read in full by ParseAddLine
  /// only if the add is still live at the end (a long log removes nearly every add it reads).
  /// Fields of adds that are removed later are thus never read nor checked.
  bool adds_as_keys = false;
};

/// An add's JSON line, kept by ParseOptions::adds_as_keys.
struct RawAdd {
  std::string line;
  size_t line_no = 0;  // 1-based, for error messages
};

struct ParsedActions {
  std::vector<Action> actions;
  /// With adds_as_keys: one per AddFile in `actions`, in the same order; empty when the file
  /// was not line-delimited (then its adds are read in full).
  std::vector<RawAdd> raw_adds;
};

/// Parses every action in `contents`; `file_name` is only used in error messages.
Result<std::vector<Action>> ParseActions(std::string_view contents, std::string_view file_name,
                                         ParseOptions options = {});

/// ParseActions keeping the add lines (see ParseOptions::adds_as_keys).
Result<ParsedActions> ParseActionsForReplay(std::string_view contents, std::string_view file_name,
                                            ParseOptions options);

/// Reads in full an add kept by adds_as_keys; `file_name` names it in errors.
Result<AddFile> ParseAddLine(const RawAdd& raw, std::string_view file_name);

}  // namespace lakesync::delta
