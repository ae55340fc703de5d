// Synthetic Delta logs for benchmarks: a long log of small commits as a streaming ingest writes
// it (each commit appends a few files) with periodic OPTIMIZE commits that replace the small
// files by a few large ones (dataChange=false), and optionally classic checkpoints. Only the log
// is written; the data files it names do not exist.
// Thread-safety: one call writes one table.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "lakesync/common/result.h"
#include "lakesync/storage/file_system.h"

namespace lakesync::deltagen {

struct SyntheticLogOptions {
  int64_t commits = 100'000;
  int adds_per_commit = 10;
  /// Every Nth commit is an OPTIMIZE of the files added since the previous one (0 = never).
  int64_t optimize_every = 100;
  int optimized_files = 10;  // files an OPTIMIZE writes
  /// A classic checkpoint after every Nth commit (0 = none); tombstones older than the
  /// checkpoint are dropped from it, as retention would.
  int64_t checkpoint_every = 0;
};

struct SyntheticLogSummary {
  int64_t version = -1;
  int64_t adds = 0;
  int64_t removes = 0;
  int64_t active_files = 0;
  int64_t checkpoints = 0;
};

/// Writes the log at `root` (which must not hold a _delta_log yet).
Result<SyntheticLogSummary> WriteSyntheticLog(std::shared_ptr<storage::FileSystem> fs,
                                              const std::string& root,
                                              const SyntheticLogOptions& options);

}  // namespace lakesync::deltagen
