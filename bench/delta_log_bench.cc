// Delta log replay benchmark: builds a long synthetic log with deltagen (100,000 commits of
// streaming appends with an OPTIMIZE every 100, about 1M add and 1M remove actions; once with a
// classic checkpoint every 10,000 commits, once as JSON commits only) and prints how long a
// Snapshot of the latest version takes and how many log actions per second that is. Also the
// pieces of the JSON replay on one thread: listing, reading the commit files, and parsing them
// in memory as replay does.
//
//   delta_log_bench [--dir DIR] [--commits N] [--repeat R] [--snapshot-only 1]
//
// DIR (default /tmp/lakesync_delta_log_bench) keeps the generated logs between runs.
#include <fmt/format.h>

#include <sys/resource.h>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "deltagen/synthetic_log.h"
#include "lakesync/common/byte_arena.h"
#include "lakesync/common/macros.h"
#include "lakesync/delta/log_files.h"
#include "lakesync/delta/replay_parser.h"
#include "lakesync/delta/snapshot.h"
#include "lakesync/storage/local_file_system.h"

namespace {

using lakesync::Result;
using lakesync::Status;
namespace delta = lakesync::delta;
namespace fsys = std::filesystem;

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// CPU seconds of this process (all threads): on a busy machine wall time overstates.
double CpuNow() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double last_cpu = 0;                 // CPU seconds of the best run of the last Best()
double last_user = 0, last_sys = 0;  // its user and system parts

double Seconds(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

template <typename Fn>
double Best(int repeat, Fn fn) {
  double best = 1e30;
  for (int i = 0; i < repeat; ++i) {
    rusage r0{}, r1{};
    getrusage(RUSAGE_SELF, &r0);
    const double t0 = Now(), c0 = CpuNow();
    fn();
    getrusage(RUSAGE_SELF, &r1);
    if (Now() - t0 < best) {
      best = Now() - t0;
      last_cpu = CpuNow() - c0;
      last_user = Seconds(r1.ru_utime) - Seconds(r0.ru_utime);
      last_sys = Seconds(r1.ru_stime) - Seconds(r0.ru_stime);
    }
  }
  return best;
}

[[noreturn]] void Die(const Status& st) {
  fmt::print(stderr, "delta_log_bench: {}\n", st.ToString());
  std::exit(1);
}

// The JSON-only variant: the checkpointed log without its checkpoints.
void CopyWithoutCheckpoints(const fsys::path& from, const fsys::path& to) {
  fsys::create_directories(to / "_delta_log");
  for (const auto& e : fsys::directory_iterator(from / "_delta_log")) {
    const std::string name = e.path().filename().string();
    if (name.find(".checkpoint.") != std::string::npos || name == "_last_checkpoint") continue;
    fsys::copy_file(e.path(), to / "_delta_log" / name);
  }
}

struct LogStats {
  int64_t commits = 0;
  int64_t actions = 0;  // JSON lines of the commit files
};

Result<LogStats> CountJsonActions(lakesync::storage::FileSystem& fs, const std::string& root,
                                  int64_t after_version) {
  LogStats stats;
  LAKESYNC_ASSIGN_OR_RETURN(auto entries, fs.ListDir(root + "/_delta_log"));
  for (const auto& [version, info] : delta::ClassifyLogListing(entries).commits) {
    if (version <= after_version) continue;
    LAKESYNC_ASSIGN_OR_RETURN(auto contents, fs.ReadFile(info.path));
    ++stats.commits;
    stats.actions += std::count(contents.begin(), contents.end(), '\n');
  }
  return stats;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "/tmp/lakesync_delta_log_bench";
  int64_t commits = 100'000;
  int repeat = 3;
  bool snapshot_only = false;  // for profiling: only the JSON snapshot, no other phases
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string arg = argv[i];
    if (arg == "--dir") dir = argv[i + 1];
    if (arg == "--commits") commits = std::atoll(argv[i + 1]);
    if (arg == "--repeat") repeat = std::max(1, std::atoi(argv[i + 1]));
    if (arg == "--snapshot-only") snapshot_only = std::string_view(argv[i + 1]) == "1";
  }
  auto fs = std::make_shared<lakesync::storage::LocalFileSystem>();
  const fsys::path checkpointed = fsys::path(dir) / fmt::format("checkpointed-{}", commits);
  const fsys::path json = fsys::path(dir) / fmt::format("json-{}", commits);
  if (!fsys::exists(checkpointed / "_delta_log")) {
    lakesync::deltagen::SyntheticLogOptions options;
    options.commits = commits;
    options.checkpoint_every = std::max<int64_t>(1, commits / 10);
    const double t0 = Now();
    auto summary = lakesync::deltagen::WriteSyntheticLog(fs, checkpointed.string(), options);
    if (!summary.ok()) Die(summary.status());
    fmt::print(
        "generated {}: {} commits, {} adds, {} removes, {} live files, {} checkpoints in "
        "{:.1f} s\n",
        checkpointed.string(), summary->version + 1, summary->adds, summary->removes,
        summary->active_files, summary->checkpoints, Now() - t0);
  }
  if (!fsys::exists(json / "_delta_log")) CopyWithoutCheckpoints(checkpointed, json);

  // JSON only.
  int64_t files = 0;
  const double snapshot_s = Best(repeat, [&] {
    auto snapshot = delta::Snapshot::Open(fs, json.string());
    if (!snapshot.ok()) Die(snapshot.status());
    files = static_cast<int64_t>((*snapshot)->files().size());
  });
  const double snapshot_cpu = last_cpu, snapshot_user = last_user, snapshot_sys = last_sys;
  if (snapshot_only) {
    fmt::print(
        "JSON log snapshot: {:.3f} s wall, {:.3f} s CPU ({:.3f} user, {:.3f} system; {} "
        "live files)\n",
        snapshot_s, snapshot_cpu, snapshot_user, snapshot_sys, files);
    return 0;
  }
  auto stats = CountJsonActions(*fs, json.string(), -1);
  if (!stats.ok()) Die(stats.status());
  // The pieces, on one thread: listing, reading every commit file into memory, parsing them.
  std::vector<std::string_view> contents;
  lakesync::ByteArena arena(size_t{64} << 20);
  const double list_s = Best(repeat, [&] {
    auto entries = fs->ListNamesAfter(json.string() + "/_delta_log", "");
    if (!entries.ok()) Die(entries.status());
    if (delta::ClassifyLogListing(*entries).commits.empty()) Die(Status::NotFound("no commits"));
  });
  auto entries = fs->ListDir(json.string() + "/_delta_log");
  if (!entries.ok()) Die(entries.status());
  const auto listing = delta::ClassifyLogListing(*entries);
  const double read_s = Best(1, [&] {
    contents.clear();
    arena.Reset();
    for (const auto& [v, info] : listing.commits) {
      char* data = nullptr;
      auto read = fs->ReadFileInto(info.path, [&](size_t n) {
        data = arena.Allocate(n + delta::ReplayPadding());
        return data;
      });
      if (!read.ok()) Die(read.status());
      contents.emplace_back(data, static_cast<size_t>(read->size));
    }
  });
  const double read_cpu = last_cpu;
  delta::ReplayCommit commit;
  const double parse_s = Best(repeat, [&] {
    for (const auto& text : contents) {
      Status st = delta::ParseCommitForReplay(text, "commit", &commit);
      if (!st.ok()) Die(st);
    }
  });
  fmt::print(
      "JSON log, {} commits, {} actions: snapshot in {:.3f} s wall, {:.3f} s CPU ({:.3f} user, "
      "{:.3f} system) = {:.2f} M actions/s wall, {:.2f} M/s per CPU second ({} live files)\n"
      "  on one thread: list {:.3f} s; read the commit files {:.3f} s wall, {:.3f} s CPU; parse "
      "for replay {:.3f} s = {:.2f} M actions/s\n",
      stats->commits, stats->actions, snapshot_s, snapshot_cpu, snapshot_user, snapshot_sys,
      stats->actions / snapshot_s / 1e6, stats->actions / snapshot_cpu / 1e6, files, list_s, read_s,
      read_cpu, parse_s, stats->actions / parse_s / 1e6);

  // With checkpoints.
  int64_t checkpoint = -1;
  size_t checkpoint_files = 0;
  const double cp_s = Best(repeat, [&] {
    auto snapshot = delta::Snapshot::Open(fs, checkpointed.string());
    if (!snapshot.ok()) Die(snapshot.status());
    checkpoint = (*snapshot)->checkpoint_version().value_or(-1);
    files = static_cast<int64_t>((*snapshot)->files().size());
    checkpoint_files = (*snapshot)->commits().size();
  });
  const double cp_cpu = last_cpu;
  auto tail = CountJsonActions(*fs, checkpointed.string(), checkpoint);
  if (!tail.ok()) Die(tail.status());
  fmt::print(
      "checkpointed log: snapshot in {:.3f} s wall, {:.3f} s CPU (checkpoint of version "
      "{}, then {} commits with {} actions; {} live files)\n",
      cp_s, cp_cpu, checkpoint, checkpoint_files, tail->actions, files);
  return 0;
}
