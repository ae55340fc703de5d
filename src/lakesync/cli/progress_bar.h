// ProgressBar: a one-line live progress display on stderr for long syncs (rows, rate, ETA),
// drawn only when stderr is a terminal and the run has lasted a moment, so scripts, logs and
// quick runs see nothing of it.
// Thread-safety: Update may be called from any thread; calls are serialized inside.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "lakesync/sync/sync_engine.h"

namespace lakesync::cli {

class ProgressBar {
 public:
  /// `enabled`: false for --json; the bar also stays off when stderr is not a terminal.
  ProgressBar(std::string label, bool enabled);
  ~ProgressBar() { Finish(); }

  void Update(const sync::SyncProgress& progress);
  /// Clears the line. Idempotent.
  void Finish();

  /// "[#####-----]  50%  5,000 / 10,000 rows  1,200 rows/s  ETA 0:04" for `width` columns of
  /// bar; without a total: "5,000 rows  1,200 rows/s".
  static std::string Render(const sync::SyncProgress& progress, int width = 24);

 private:
  std::mutex mu_;
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace lakesync::cli
