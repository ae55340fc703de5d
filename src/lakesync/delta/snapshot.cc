#include "lakesync/delta/snapshot.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <thread>

#include "lakesync/common/byte_arena.h"
#include "lakesync/common/macros.h"
#include "lakesync/delta/checkpoint_reader.h"
#include "lakesync/delta/commit_timestamps.h"
#include "lakesync/delta/log_files.h"
#include "lakesync/delta/log_parser.h"
#include "lakesync/delta/replay_parser.h"
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
  // One read, no existence check first (on object stores that is a request saved).
  auto contents = fs.ReadFile(storage::JoinPath(log_dir, "_last_checkpoint"));
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
  // next window is read and parsed while this thread applies the current one. A window ends
  // at a number of files or once its files hold a number of bytes, whichever comes first:
  // with two windows alive, memory stays near twice that (plus the last file of each thread).
  constexpr size_t kWindowFiles = 2048;
  constexpr size_t kWindowBytes = size_t{16} << 20;
  const size_t threads = std::min<size_t>(kReplayThreads, std::max<size_t>(1, steps.size() / 8));
  struct ParsedFile {
    Status status;
    ReplayCommit commit;          // a commit, read by key (its views point into the arena)
    std::vector<Action> actions;  // a log compaction, read in full
    int64_t mtime_ms = -1;        // from the read, where the store reports it
  };
  // A window's files and the memory they were read into, one arena per reading thread; kept
  // (and reused) until the builder has applied the window and pinned what it keeps.
  struct Window {
    size_t begin = 0, end = 0;      // the steps read
    std::vector<ParsedFile> files;  // files[i - begin] for step i
    std::vector<ByteArena> arenas;
  };
  // Reads and parses the window starting at `begin` into `out`.
  auto read_window = [&](size_t begin, Window* out) {
    const size_t limit = std::min(steps.size(), begin + kWindowFiles);
    // A short window runs on one thread, which then takes every file.
    const size_t lanes = limit - begin < 16 ? 1 : threads;
    out->begin = begin;
    out->files.resize(limit - begin);
    out->arenas.resize(std::max(out->arenas.size(), lanes));
    // Threads claim the next file while the window has room: claims are in order, so the
    // window read is exactly [begin, next_step).
    std::atomic<size_t> next_step{begin};
    std::atomic<size_t> bytes{0};
    auto work = [&](size_t lane) {
      ByteArena& arena = out->arenas[lane];
      // A thread may have read a large share of the last window; keep only a fair share.
      arena.Reset(kWindowBytes / lanes + (size_t{1} << 20));
      while (true) {
        size_t i = next_step.load();
        do {
          if (i >= limit || bytes.load() >= kWindowBytes) return;
        } while (!next_step.compare_exchange_weak(i, i + 1));
        ParsedFile& file = out->files[i - begin];
        file.commit.Clear();
        file.actions.clear();
        const Step& step = steps[i];
        char* data = nullptr;
        auto read = fs->ReadFileInto(step.info->path, [&](size_t n) {
          data = arena.Allocate(n + ReplayPadding());
          std::memset(data + n, 0, ReplayPadding());
          return data;
        });
        if (!read.ok()) {
          file.status = read.status();
          continue;
        }
        file.mtime_ms = read->mtime_ms;
        bytes += static_cast<size_t>(read->size);
        const std::string_view contents(data, static_cast<size_t>(read->size));
        if (step.compaction) {
          // A log compaction is reconciled by key before it applies: its adds are read in full.
          auto actions = ParseActions(contents, step.info->path, {.removes_as_keys = true});
          file.status = actions.status();
          if (actions.ok()) file.actions = std::move(actions).value();
        } else {
          file.status = ParseCommitForReplay(contents, step.info->path, &file.commit);
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
    out->end = std::min(limit, next_step.load());
  };
  Window current, next;
  read_window(0, &current);
  while (true) {
    // Joined before this iteration ends, also when applying failed.
    std::thread ahead;
    if (current.end < steps.size()) ahead = std::thread(read_window, current.end, &next);
    Status applied;
    for (size_t i = current.begin; i < current.end && applied.ok(); ++i) {
      ParsedFile& file = current.files[i - current.begin];
      const Step& step = steps[i];
      if (!file.status.ok()) {
        applied = file.status;
      } else if (step.compaction) {
        applied = builder.ApplyCompaction(step.first, step.last, std::move(file.actions));
      } else {
        // The listing's time (object stores list it, to the millisecond), else the read's (a
        // local listing by name has none).
        const int64_t mtime = step.info->mtime_ms >= 0 ? step.info->mtime_ms : file.mtime_ms;
        applied = builder.ApplyCommit(step.first, file.commit, mtime);
      }
    }
    // The builder keeps copies of what it still needs before `current` is reused.
    builder.PinBorrowed();
    if (ahead.joinable()) ahead.join();
    LAKESYNC_RETURN_NOT_OK(applied);
    if (current.end >= steps.size()) break;
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
    auto tail = fs->ListNamesAfter(log_dir, fmt::format("{:020d}", *hint));
    if (tail.ok()) {
      const LogListing listing = ClassifyLogListing(*tail);
      if (listing.checkpoints.contains(*hint)) {
        auto snapshot = Replay(fs, table_root, log_dir, listing, options);
        if (snapshot.ok()) return snapshot;
      }
    }
  }
  // Names only: each commit's time comes from its read (Replay).
  LAKESYNC_ASSIGN_OR_RETURN(auto entries, fs->ListNamesAfter(log_dir, ""));
  return Replay(std::move(fs), std::move(table_root), log_dir, ClassifyLogListing(entries),
                options);
}

Result<int64_t> Snapshot::LatestVersion(storage::FileSystem& fs, const std::string& table_root) {
  const std::string log_dir = storage::JoinPath(table_root, "_delta_log");
  const auto hint = LastCheckpointHint(fs, log_dir);
  std::vector<storage::FileInfo> entries;
  if (hint) {
    LAKESYNC_ASSIGN_OR_RETURN(entries, fs.ListNamesAfter(log_dir, fmt::format("{:020d}", *hint)));
  }
  if (entries.empty()) {
    LAKESYNC_ASSIGN_OR_RETURN(entries, fs.ListNamesAfter(log_dir, ""));
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
