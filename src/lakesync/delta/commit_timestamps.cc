#include "lakesync/delta/commit_timestamps.h"

#include <fmt/format.h>

#include <charconv>
#include <limits>
#include <vector>

#include "lakesync/common/macros.h"
#include "lakesync/common/value_text.h"
#include "lakesync/delta/log_files.h"
#include "lakesync/delta/log_parser.h"
#include "lakesync/delta/partition_values.h"
#include "lakesync/delta/snapshot.h"

namespace lakesync::delta {

namespace {

Result<int64_t> InCommitTimestamp(storage::FileSystem& fs, const storage::FileInfo& info,
                                  int64_t version) {
  LAKESYNC_ASSIGN_OR_RETURN(auto contents, fs.ReadFile(info.path));
  LAKESYNC_ASSIGN_OR_RETURN(auto actions, ParseActions(contents, info.path));
  for (const auto& action : actions) {
    if (const auto* ci = std::get_if<CommitInfo>(&action); ci && ci->in_commit_timestamp) {
      return *ci->in_commit_timestamp;
    }
  }
  return Status::Corruption(
      "commit {} ({}) has no commitInfo.inCommitTimestamp although in-commit timestamps are "
      "enabled from version {}",
      version, info.path, version);
}

}  // namespace

std::string FormatTimestampMs(int64_t ms) {
  const int64_t days = FloorDiv(ms, 86'400'000);
  const int64_t in_day = ms - days * 86'400'000;
  int64_t year = 0;
  int month = 0, day = 0;
  CivilFromDays(days, year, month, day);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z", year, month, day,
                     in_day / 3'600'000, in_day / 60'000 % 60, in_day / 1000 % 60, in_day % 1000);
}

Result<int64_t> ParseTimestampMs(std::string_view text) {
  int64_t ms = 0;
  const char* end = text.data() + text.size();
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos) {
    auto [ptr, ec] = std::from_chars(text.data(), end, ms);
    if (ec == std::errc() && ptr == end) return ms;
  }
  if (text.size() == 10) {
    auto days = ParseDate(text);
    if (days.ok()) return static_cast<int64_t>(*days) * 86'400'000;
  }
  auto micros = ParseTimestampMicros(text);
  if (!micros.ok()) {
    return Status::InvalidArgument(
        "'{}' is not a timestamp (expected YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM] or "
        "milliseconds since 1970)",
        text);
  }
  return FloorDiv(*micros, 1000);
}

Result<int64_t> VersionAtTimestamp(std::shared_ptr<storage::FileSystem> fs,
                                   const std::string& table_root, int64_t timestamp_ms) {
  LAKESYNC_ASSIGN_OR_RETURN(auto latest, Snapshot::Open(fs, table_root));
  const std::string log_dir = storage::JoinPath(latest->table_root(), "_delta_log");
  LAKESYNC_ASSIGN_OR_RETURN(auto entries, fs->ListDir(log_dir));
  const LogListing listing = ClassifyLogListing(entries);
  if (listing.commits.empty()) {
    return Status::NotFound("Delta table {} has no commit files to take timestamps from",
                            table_root);
  }
  // In-commit timestamps hold from the enablement version on (from the start when the table
  // was created with them).
  int64_t ict_from = std::numeric_limits<int64_t>::max();
  if (latest->GetConfig("delta.enableInCommitTimestamps").value_or("") == "true") {
    ict_from = 0;
    if (auto v = latest->GetConfig("delta.inCommitTimestampEnablementVersion")) {
      auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), ict_from);
      if (ec != std::errc() || ptr != v->data() + v->size()) {
        return Status::Corruption(
            "Delta table {}: delta.inCommitTimestampEnablementVersion '{}' is not a version",
            table_root, *v);
      }
    }
  }
  std::vector<std::pair<int64_t, int64_t>> by_mtime;  // version, adjusted mtime (before ICT)
  std::vector<std::pair<int64_t, const storage::FileInfo*>> by_ict;
  for (const auto& [version, info] : listing.commits) {
    if (version >= ict_from) {
      by_ict.emplace_back(version, &info);
    } else {
      // File times can go backwards (clock skew, copies); Delta bumps each to 1 ms after the
      // previous commit's so that time travel stays monotonic.
      int64_t t = info.mtime_ms;
      if (!by_mtime.empty() && t <= by_mtime.back().second) t = by_mtime.back().second + 1;
      by_mtime.emplace_back(version, t);
    }
  }
  auto ict = [&](size_t i) { return InCommitTimestamp(*fs, *by_ict[i].second, by_ict[i].first); };

  // Before the first commit?
  const int64_t first_version = listing.commits.begin()->first;
  int64_t first_ts = 0;
  if (!by_mtime.empty()) {
    first_ts = by_mtime.front().second;
  } else {
    LAKESYNC_ASSIGN_OR_RETURN(first_ts, ict(0));
  }
  if (timestamp_ms < first_ts) {
    return Status::InvalidArgument(
        "timestamp {} is before the earliest available commit of Delta table {} (version {} at "
        "{})",
        FormatTimestampMs(timestamp_ms), table_root, first_version, FormatTimestampMs(first_ts));
  }
  // After the latest?
  const int64_t last_version = listing.commits.rbegin()->first;
  int64_t last_ts = 0;
  if (!by_ict.empty()) {
    LAKESYNC_ASSIGN_OR_RETURN(last_ts, ict(by_ict.size() - 1));
  } else {
    last_ts = by_mtime.back().second;
  }
  if (timestamp_ms > last_ts) {
    return Status::InvalidArgument(
        "timestamp {} is after the latest commit of Delta table {} (version {} at {})",
        FormatTimestampMs(timestamp_ms), table_root, last_version, FormatTimestampMs(last_ts));
  }
  if (!by_ict.empty()) {
    LAKESYNC_ASSIGN_OR_RETURN(int64_t first_ict, ict(0));
    if (timestamp_ms >= first_ict) {
      // Binary search: the last index whose timestamp is <= timestamp_ms (index 0 qualifies).
      size_t lo = 0, hi = by_ict.size() - 1;
      while (lo < hi) {
        const size_t mid = lo + (hi - lo + 1) / 2;
        LAKESYNC_ASSIGN_OR_RETURN(int64_t t, ict(mid));
        if (t <= timestamp_ms) {
          lo = mid;
        } else {
          hi = mid - 1;
        }
      }
      return by_ict[lo].first;
    }
  }
  int64_t found = by_mtime.front().first;
  for (const auto& [version, t] : by_mtime) {
    if (t > timestamp_ms) break;
    found = version;
  }
  return found;
}

}  // namespace lakesync::delta
