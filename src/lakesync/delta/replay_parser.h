// ReplayParser: reads one commit file for snapshot replay, where a long log's million adds and
// removes matter only by their logical-file key. Each add or remove line becomes a FileKey (a
// view of its key and, for adds, of its JSON line in the caller's buffer: nothing is copied);
// every other action is decoded in full by LogParser.
// Thread-safety: free functions; each thread keeps its own simdjson parsers.
#pragma once

#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <vector>

#include "lakesync/common/result.h"
#include "lakesync/delta/actions.h"

namespace lakesync::delta {

/// An add or remove read by key only.
struct FileKey {
  /// The logical file key (LogicalFileKey: the decoded path, plus the deletion vector's id).
  /// Points into the parsed buffer, or into ReplayCommit::owned_keys when the key had to be
  /// built (percent-escapes, deletion vectors).
  std::string_view key;
  size_t hash = 0;  // HashFileKey(key)
  /// Adds: the action's JSON line, in the parsed buffer (ParseAddLine reads it in full).
  std::string_view line;
  uint32_t line_no = 0;  // 1-based, for errors
  bool is_add = false;
};

/// What replay needs of one commit file.
struct ReplayCommit {
  std::vector<FileKey> files;   // adds and removes read by key, in file order
  std::vector<Action> actions;  // every other action; in full (adds too) for a file that is
                                // not one JSON object per line
  /// Keys FileKey::key points to when not into the buffer (a list: stable addresses, and no
  /// allocation while empty, as it nearly always is).
  std::list<std::string> owned_keys;

  /// Empties it for the next file, keeping the memory of a small one (a replay reuses one
  /// per file of its window; keeping a large commit's would pile up).
  void Clear() {
    if (files.capacity() > 64) {
      files = {};
    } else {
      files.clear();
    }
    actions.clear();
    owned_keys.clear();
  }
};

/// Bytes that must be readable after the contents given to ParseCommitForReplay.
size_t ReplayPadding();

/// Parses a commit file into `out` (cleared first). REQUIRES: ReplayPadding() readable bytes
/// follow `contents` (their values do not matter), and they and `contents` outlive `out`.
/// `file_name` names the file in errors. The add and remove lines are checked for the JSON
/// structure and their keys; the values of their other fields are not read (live adds are read
/// in full later), so a malformed number in a removed add goes unreported.
Status ParseCommitForReplay(std::string_view contents, std::string_view file_name,
                            ReplayCommit* out);

}  // namespace lakesync::delta
