// Commit timestamps: when each version of a table was committed, and the version a timestamp
// selects for time travel (PROTOCOL.md "In-Commit Timestamps"). Versions from the in-commit
// timestamp enablement version on use commitInfo.inCommitTimestamp, which is monotonic; older
// versions use the commit file's modification time, made strictly increasing as Delta does.
// Thread-safety: free functions without shared state.
#pragma once

#include <cstdint>
#include <string>

#include "lakesync/common/result.h"
#include "lakesync/storage/file_system.h"

namespace lakesync::delta {

/// The newest version of the table at `table_root` whose commit timestamp is <= `timestamp_ms`.
/// InvalidArgument naming the earliest (latest) commit and its time when `timestamp_ms` is
/// before the first available commit (after the latest one); NotFound when there is no log.
Result<int64_t> VersionAtTimestamp(std::shared_ptr<storage::FileSystem> fs,
                                   const std::string& table_root, int64_t timestamp_ms);

/// "2024-01-02T03:04:05.678Z" for milliseconds since the epoch.
std::string FormatTimestampMs(int64_t ms);

/// Parses a time-travel timestamp: "YYYY-MM-DD", "YYYY-MM-DD[ T]HH:MM:SS[.fff][Z|+HH:MM]"
/// (UTC when no zone is given) or milliseconds since the epoch. InvalidArgument otherwise.
Result<int64_t> ParseTimestampMs(std::string_view text);

}  // namespace lakesync::delta
