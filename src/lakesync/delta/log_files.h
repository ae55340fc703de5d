// Names of the files in a table's _delta_log directory (PROTOCOL.md "Delta Log Entries",
// "Checkpoints", "Log Compaction Files") and the listing of one log into commits and
// checkpoints.
// Thread-safety: free functions without shared state.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lakesync/common/result.h"
#include "lakesync/storage/file_system.h"

namespace lakesync::delta {

enum class LogFileKind {
  kCommit,               // 00000000000000000010.json
  kClassicCheckpoint,    // 00000000000000000010.checkpoint.parquet
  kMultiPartCheckpoint,  // 00000000000000000010.checkpoint.0000000001.0000000003.parquet
  kUuidCheckpoint,       // 00000000000000000010.checkpoint.<uuid>.json|parquet (V2)
  kCompaction,           // 00000000000000000004.00000000000000000006.compacted.json
  kChecksum,             // 00000000000000000010.crc
  kLastCheckpoint,       // _last_checkpoint
  kOther,
};

struct LogFileName {
  LogFileKind kind = LogFileKind::kOther;
  int64_t version = -1;      // the (start) version
  int64_t end_version = -1;  // kCompaction
  int32_t part = 0;          // kMultiPartCheckpoint: 1-based
  int32_t num_parts = 0;     // kMultiPartCheckpoint
  bool parquet = false;      // kUuidCheckpoint: parquet rather than JSON
};

/// Classifies one file name (no directory).
LogFileName ParseLogFileName(std::string_view name);

/// `%020d.json`.
std::string CommitFileName(int64_t version);

/// One complete checkpoint: all of its part files, in part order.
struct CheckpointFiles {
  int64_t version = -1;
  LogFileKind kind = LogFileKind::kClassicCheckpoint;
  std::vector<storage::FileInfo> parts;
};

/// What a listing of _delta_log holds.
struct LogListing {
  std::map<int64_t, storage::FileInfo> commits;
  /// Complete checkpoints by version (multi-part checkpoints with missing parts dropped); when
  /// a version has several, the preferred one (classic, then UUID-named, then multi-part).
  std::map<int64_t, CheckpointFiles> checkpoints;
  /// Log compaction files by start version: end version -> file.
  std::map<int64_t, std::map<int64_t, storage::FileInfo>> compactions;
  bool has_last_checkpoint = false;
};

/// Sorts a directory listing of _delta_log into commits and complete checkpoints.
LogListing ClassifyLogListing(const std::vector<storage::FileInfo>& entries);

}  // namespace lakesync::delta
