// The CONTINUOUS pipeline: a long-running loop that notices new commits of a synced table's
// source by listing its `_delta_log` every interval (no commit is read until one is new) and
// applies them through the SyncEngine. A failed run is recorded in the synced table's state
// and retried with backoff; the loop ends when `stop` becomes true, between runs, so a run in
// flight commits or rolls back as a whole, and when the pipeline is stopped through the API
// (pipeline_control.h) after the loop began.
// Thread-safety: runs on the calling thread; `stop` may be set from any thread or a signal.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "lakesync/common/status.h"
#include "lakesync/sync/state_store.h"
#include "lakesync/sync/sync_engine.h"

namespace lakesync::sync {

struct ContinuousOptions {
  std::chrono::milliseconds interval{1000};      // how often the log is listed
  std::chrono::milliseconds max_backoff{30000};  // longest wait after repeated failures
  /// Called after each run that applied something (or failed), e.g. to print progress.
  std::function<void(const Result<SyncRun>&)> on_run;
};

/// Runs until `stop` is true. Errors: only those that make going on pointless (the synced
/// table does not exist, or was deleted while running).
Status RunContinuous(SyncEngine& engine, const std::string& name, const std::atomic<bool>& stop,
                     const ContinuousOptions& options = {});

}  // namespace lakesync::sync
