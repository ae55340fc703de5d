#include "lakesync/delta/snapshot.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <thread>

#include "lakesync/common/macros.h"
#include "lakesync/delta/checkpoint_reader.h"
#include "lakesync/delta/commit_timestamps.h"
#include "lakesync/delta/log_files.h"
#include "lakesync/delta/log_parser.h"
#include "lakesync/delta/snapshot_builder.h"

namespace lakesync::delta {

namespace {

constexpr int32_t kMaxReaderVersion = 3;

// Threads that read and parse commit files during a replay.
constexpr size_t kReplayThreads = 8;

// Reader features whose meaning lakesync implements (or, for deletionVectors, refuses per
// file rather than per table, so tables without DVs in their live files still read).
constexpr std::array<std::string_view, 9> kSupportedReaderFeatures = {
    "columnMapping",        "deletionVectors",     "timestampNtz",
    "v2Checkpoint",         "vacuumProtocolCheck", "typeWidening",
    "typeWidening-preview", "variantType",         "variantType-preview",
};

// Whether every commit in [from, to] is listed.
bool HasCommits(const LogListing& listing, int64_t from, int64_t to) {
  for (int64_t v = from; v <= to; ++v) {
    if (!listing.commits.contains(v)) return false;
  }
  return true;
}

}  // namespace

Status CheckReadSupported(const Protocol& protocol) {
  if (protocol.min_reader_version < 1) {
    return Status::Corruption("protocol.minReaderVersion {} is not a valid reader version",
                              protocol.min_reader_version);
  }
  if (protocol.min_reader_version > kMaxReaderVersion) {
    return Status::NotSupported(
        "table requires Delta reader version {}; lakesync supports up to {}",
        protocol.min_reader_version, kMaxReaderVersion);
  }
  if (protocol.min_reader_version == 3 && protocol.reader_features) {
    for (const auto& feature : *protocol.reader_features) {
      if (std::find(kSupportedReaderFeatures.begin(), kSupportedReaderFeatures.end(), feature) ==
          kSupportedReaderFeatures.end()) {
        return Status::NotSupported("table requires unsupported Delta reader feature '{}'",
                                    feature);
      }
    }
  }
  return Status::OK();
}

std::optional<std::string> Snapshot::GetConfig(std::string_view key) const {
  auto it = metadata_.configuration.find(std::string(key));
  if (it == metadata_.configuration.end()) return std::nullopt;
  return it->second;
}

std::string Snapshot::ResolvePath(std::string_view path) const {
  return ResolveTablePath(table_root_, path);
}

namespace {

// The version _last_checkpoint points at, or nullopt when it is absent or unreadable: it is
// only a hint for where to start listing, so a corrupt one is ignored.
std::optional<int64_t> LastCheckpointHint(storage::FileSystem& fs, const std::string& log_dir) {
  const std::string path = storage::JoinPath(log_dir, "_last_checkpoint");
  auto info = fs.GetFileInfo(path);
  if (!info.ok() || !info->exists || info->is_dir) return std::nullopt;
  auto contents = fs.ReadFile(path);
  if (!contents.ok()) return std::nullopt;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  int64_t version = -1;
  if (parser.parse(contents->data(), contents->size()).get(doc) != simdjson::SUCCESS ||
      doc.at_key("version").get(version) != simdjson::SUCCESS || version < 0) {
    return std::nullopt;
  }
  return version;
}

// Replays `listing` (all of _delta_log, or the part from a checkpoint on) up to the version
// `options` asks for.
Result<std::unique_ptr<Snapshot>> Replay(std::shared_ptr<storage::FileSystem> fs,
                                         std::string table_root, const std::string& log_dir,
                                         const LogListing& listing,
                                         const SnapshotOptions& options) {
  if (listing.commits.empty() && listing.checkpoints.empty()) {
    return Status::NotFound("not a Delta table: {}", table_root);
  }
  int64_t latest = -1;
  if (!listing.commits.empty()) latest = listing.commits.rbegin()->first;
  if (!listing.checkpoints.empty()) latest = std::max(latest, listing.checkpoints.rbegin()->first);
  const int64_t target = options.version.value_or(latest);
  if (target > latest) {
    return Status::NotFound("version {} of Delta table {} does not exist (latest is {})", target,
                            table_root, latest);
  }

  SnapshotBuilder builder;
  int64_t start = 0;
  // The newest checkpoint at or before the target, falling back to a full JSON replay when
  // lakesync cannot read that checkpoint kind but every commit is still there.
  for (auto it = listing.checkpoints.upper_bound(target); it != listing.checkpoints.begin();) {
    --it;
    const CheckpointFiles& cp = it->second;
    auto actions = ReadCheckpoint(*fs, log_dir, cp);
    if (actions.ok()) {
      LAKESYNC_RETURN_NOT_OK(builder.ApplyCheckpoint(cp.version, std::move(actions).value()));
      start = cp.version + 1;
      break;
    }
    if (actions.status().IsNotSupported() && HasCommits(listing, 0, target)) break;
    return actions.status().WithContext(
        fmt::format("Delta table {}: checkpoint of version {}", table_root, cp.version));
  }

  // Plan the files to replay: commits, or a log compaction file where one starting at a
  // version ends within the replay (the longest such one saves the most reads).
  struct Step {
    int64_t first = 0, last = 0;  // versions covered
    const storage::FileInfo* info = nullptr;
    bool compaction = false;
  };
  std::vector<Step> steps;
  for (int64_t v = start; v <= target; ++v) {
    if (auto c = listing.compactions.find(v); c != listing.compactions.end()) {
      auto fit = c->second.upper_bound(target);
      if (fit != c->second.begin()) {
        --fit;
        steps.push_back(Step{v, fit->first, &fit->second, true});
        v = fit->first;
        continue;
      }
    }
    auto it = listing.commits.find(v);
    if (it == listing.commits.end()) {
      int64_t earliest = listing.commits.empty() ? latest : listing.commits.begin()->first;
      if (!listing.checkpoints.empty()) {
        earliest = std::min(earliest, listing.checkpoints.begin()->first);
      }
      if (start == 0 && options.version && v < earliest) {
        return Status::NotFound(
            "version {} of Delta table {} cannot be reconstructed: its log starts at version "
            "{} and no checkpoint covers it",
            target, table_root, earliest);
      }
      return Status::Corruption("Delta table {}: commit file for version {} ({}) is missing",
                                table_root, v, CommitFileName(v));
    }
    steps.push_back(Step{v, v, &it->second, false});
  }
  // Read and parse a window of files on several threads (object stores answer each GET in
  // tens of milliseconds; locally it spreads the JSON parsing), then apply them in order; the
  // next window is read and parsed while this thread applies the current one.
  constexpr size_t kWindow = 512;
  const size_t threads = std::min<size_t>(kReplayThreads, std::max<size_t>(1, steps.size() / 8));
  // A file's actions and, for commits, SnapshotBuilder::KeyHashes of them and the lines of
  // their adds (read by key only).
  struct ParsedFile {
    Result<std::vector<Action>> actions = std::vector<Action>{};
    std::vector<size_t> key_hashes;
    std::vector<RawAdd> raw_adds;
  };
  using Parsed = std::vector<ParsedFile>;
  // Reads and parses the window starting at `begin` into `out`. `spent` holds the actions of
  // an applied window, after the builder took what it keeps: the workers free them (a
  // million-add log drops nearly every add it reads) so this thread does not.
  auto read_window = [&](size_t begin, Parsed* out, Parsed* spent) {
    const size_t end = std::min(steps.size(), begin + kWindow);
    out->assign(end - begin, ParsedFile{});
    // A short window runs on one thread, which then takes every file.
    const size_t lanes = end - begin < 16 ? 1 : threads;
    auto work = [&](size_t lane) {
      for (size_t i = lane; i < spent->size(); i += lanes) (*spent)[i] = ParsedFile{};
      for (size_t i = begin + lane; i < end; i += lanes) {
        ParsedFile& file = (*out)[i - begin];
        auto contents = fs->ReadFile(steps[i].info->path);
        if (!contents.ok()) {
          file.actions = contents.status();
        } else if (steps[i].compaction) {
          // A log compaction is reconciled by key before it applies: its adds are read in full.
          file.actions = ParseActions(*contents, steps[i].info->path, {.removes_as_keys = true});
        } else {
          auto parsed = ParseActionsForReplay(*contents, steps[i].info->path,
                                              {.removes_as_keys = true, .adds_as_keys = true});
          if (parsed.ok()) {
            file.actions = std::move(parsed->actions);
            file.raw_adds = std::move(parsed->raw_adds);
            file.key_hashes = SnapshotBuilder::KeyHashes(*file.actions);
          } else {
            file.actions = parsed.status();
          }
        }
      }
    };
    if (lanes <= 1) {
      work(0);
    } else {
      std::vector<std::thread> pool;
      for (size_t lane = 1; lane < lanes; ++lane) pool.emplace_back(work, lane);
      work(0);
      for (auto& t : pool) t.join();
    }
    spent->clear();
  };
  Parsed current, next, spent;
  read_window(0, &current, &spent);
  for (size_t begin = 0; begin < steps.size(); begin += kWindow) {
    const size_t end = std::min(steps.size(), begin + kWindow);
    // Joined before this iteration ends, also when applying failed.
    std::thread ahead;
    if (end < steps.size()) ahead = std::thread(read_window, end, &next, &spent);
    Status applied;
    for (size_t i = begin; i < end && applied.ok(); ++i) {
      auto& actions = current[i - begin].actions;
      const Step& step = steps[i];
      if (!actions.ok()) {
        applied = actions.status();
      } else if (step.compaction) {
        applied = builder.ApplyCompaction(step.first, step.last, std::move(actions).value());
      } else {
        applied = builder.ApplyCommit(step.first, *actions, step.info->mtime_ms,
                                      current[i - begin].key_hashes, current[i - begin].raw_adds);
      }
    }
    if (ahead.joinable()) ahead.join();
    LAKESYNC_RETURN_NOT_OK(applied);
    std::swap(spent, current);
    std::swap(current, next);
  }
  return builder.Build(std::move(fs), std::move(table_root));
}

}  // namespace

Result<std::unique_ptr<Snapshot>> Snapshot::Open(std::shared_ptr<storage::FileSystem> fs,
                                                 std::string table_root, SnapshotOptions options) {
  if (options.version && *options.version < 0) {
    return Status::InvalidArgument("version {} of Delta table {} is negative", *options.version,
                                   table_root);
  }
  while (table_root.size() > 1 && table_root.back() == '/') table_root.pop_back();
  if (options.timestamp_ms) {
    if (options.version) {
      return Status::InvalidArgument("a snapshot is chosen by version or by timestamp, not both");
    }
    LAKESYNC_ASSIGN_OR_RETURN(options.version,
                              VersionAtTimestamp(fs, table_root, *options.timestamp_ms));
    options.timestamp_ms.reset();
  }
  const std::string log_dir = storage::JoinPath(table_root, "_delta_log");
  // _last_checkpoint lets object stores list only the tail of a long log. Anything odd about
  // that shortcut (checkpoint missing, unreadable) falls back to the full listing.
  const auto hint = LastCheckpointHint(*fs, log_dir);
  if (hint && (!options.version || *options.version >= *hint)) {
    auto tail = fs->ListDirAfter(log_dir, fmt::format("{:020d}", *hint));
    if (tail.ok()) {
      const LogListing listing = ClassifyLogListing(*tail);
      if (listing.checkpoints.contains(*hint)) {
        auto snapshot = Replay(fs, table_root, log_dir, listing, options);
        if (snapshot.ok()) return snapshot;
      }
    }
  }
  LAKESYNC_ASSIGN_OR_RETURN(auto entries, fs->ListDir(log_dir));
  return Replay(std::move(fs), std::move(table_root), log_dir, ClassifyLogListing(entries),
                options);
}

Result<int64_t> Snapshot::LatestVersion(storage::FileSystem& fs, const std::string& table_root) {
  const std::string log_dir = storage::JoinPath(table_root, "_delta_log");
  const auto hint = LastCheckpointHint(fs, log_dir);
  std::vector<storage::FileInfo> entries;
  if (hint) {
    LAKESYNC_ASSIGN_OR_RETURN(entries, fs.ListDirAfter(log_dir, fmt::format("{:020d}", *hint)));
  }
  if (entries.empty()) {
    LAKESYNC_ASSIGN_OR_RETURN(entries, fs.ListDir(log_dir));
  }
  const LogListing listing = ClassifyLogListing(entries);
  int64_t latest = -1;
  if (!listing.commits.empty()) latest = listing.commits.rbegin()->first;
  if (!listing.checkpoints.empty()) latest = std::max(latest, listing.checkpoints.rbegin()->first);
  if (latest < 0) return Status::NotFound("not a Delta table: {}", table_root);
  return latest;
}

Result<std::unique_ptr<Snapshot>> Snapshot::Open(const std::string& table_uri,
                                                 SnapshotOptions options) {
  LAKESYNC_ASSIGN_OR_RETURN(auto fs, storage::FileSystemForPath(table_uri));
  // The local file system takes plain paths.
  std::string root = table_uri;
  if (root.starts_with("file://")) root = root.substr(7);
  return Open(std::move(fs), std::move(root), std::move(options));
}

}  // namespace lakesync::delta
