#include "lakesync/delta/log_files.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace lakesync::delta {

namespace {

// Parses exactly `digits` decimal digits at the front of `s`.
bool TakeNumber(std::string_view& s, size_t digits, int64_t* out) {
  if (s.size() < digits) return false;
  int64_t v = 0;
  for (size_t i = 0; i < digits; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  s.remove_prefix(digits);
  *out = v;
  return true;
}

bool TakePrefix(std::string_view& s, std::string_view prefix) {
  if (!s.starts_with(prefix)) return false;
  s.remove_prefix(prefix.size());
  return true;
}

int Preference(LogFileKind kind) {
  switch (kind) {
    case LogFileKind::kClassicCheckpoint:
      return 0;
    case LogFileKind::kUuidCheckpoint:
      return 1;
    default:
      return 2;
  }
}

}  // namespace

LogFileName ParseLogFileName(std::string_view name) {
  LogFileName out;
  if (name == "_last_checkpoint") {
    out.kind = LogFileKind::kLastCheckpoint;
    return out;
  }
  std::string_view rest = name;
  int64_t version = 0;
  if (!TakeNumber(rest, 20, &version)) return out;
  if (rest == ".json") {
    out.kind = LogFileKind::kCommit;
    out.version = version;
    return out;
  }
  if (rest == ".crc") {
    out.kind = LogFileKind::kChecksum;
    out.version = version;
    return out;
  }
  if (rest == ".checkpoint.parquet") {
    out.kind = LogFileKind::kClassicCheckpoint;
    out.version = version;
    return out;
  }
  if (TakePrefix(rest, ".checkpoint.")) {
    std::string_view parts = rest;
    int64_t part = 0, num_parts = 0;
    if (TakeNumber(parts, 10, &part) && TakePrefix(parts, ".") &&
        TakeNumber(parts, 10, &num_parts) && parts == ".parquet") {
      if (part >= 1 && part <= num_parts) {
        out.kind = LogFileKind::kMultiPartCheckpoint;
        out.version = version;
        out.part = static_cast<int32_t>(part);
        out.num_parts = static_cast<int32_t>(num_parts);
      }
      return out;
    }
    const bool is_json = rest.ends_with(".json");
    const bool is_parquet = rest.ends_with(".parquet");
    if ((is_json || is_parquet) && rest.find('.') + 1 < rest.size() && rest.find('.') > 0) {
      out.kind = LogFileKind::kUuidCheckpoint;
      out.version = version;
      out.parquet = is_parquet;
    }
    return out;
  }
  int64_t end_version = 0;
  if (TakePrefix(rest, ".") && TakeNumber(rest, 20, &end_version) && rest == ".compacted.json" &&
      end_version > version) {
    out.kind = LogFileKind::kCompaction;
    out.version = version;
    out.end_version = end_version;
  }
  return out;
}

std::string CommitFileName(int64_t version) { return fmt::format("{:020d}.json", version); }

LogListing ClassifyLogListing(const std::vector<storage::FileInfo>& entries) {
  LogListing listing;
  // version -> num_parts -> part -> file
  std::map<int64_t, std::map<int32_t, std::map<int32_t, storage::FileInfo>>> multi;
  auto offer = [&](CheckpointFiles cp) {
    auto it = listing.checkpoints.find(cp.version);
    if (it == listing.checkpoints.end() || Preference(cp.kind) < Preference(it->second.kind)) {
      listing.checkpoints[cp.version] = std::move(cp);
    }
  };
  for (const auto& entry : entries) {
    if (entry.is_dir) continue;
    const std::string_view base = storage::BaseName(entry.path);
    const LogFileName name = ParseLogFileName(base);
    switch (name.kind) {
      case LogFileKind::kCommit:
        listing.commits[name.version] = entry;
        break;
      case LogFileKind::kClassicCheckpoint:
      case LogFileKind::kUuidCheckpoint:
        offer(CheckpointFiles{name.version, name.kind, {entry}});
        break;
      case LogFileKind::kMultiPartCheckpoint:
        multi[name.version][name.num_parts][name.part] = entry;
        break;
      case LogFileKind::kCompaction:
        listing.compactions[name.version][name.end_version] = entry;
        break;
      case LogFileKind::kLastCheckpoint:
        listing.has_last_checkpoint = true;
        break;
      default:
        break;
    }
  }
  for (auto& [version, by_count] : multi) {
    for (auto& [num_parts, parts] : by_count) {
      if (static_cast<int32_t>(parts.size()) != num_parts) continue;  // incomplete: ignore
      CheckpointFiles cp{version, LogFileKind::kMultiPartCheckpoint, {}};
      for (auto& [part, info] : parts) cp.parts.push_back(info);
      offer(std::move(cp));
      break;
    }
  }
  return listing;
}

}  // namespace lakesync::delta
