#include "lakesync/sync/continuous_pipeline.h"

#include <algorithm>
#include <thread>

#include "lakesync/common/macros.h"
#include "lakesync/delta/snapshot.h"
#include "lakesync/storage/file_system.h"

namespace lakesync::sync {
namespace {

// Sleeps `d` in short steps so a stop request is seen promptly.
void SleepUnlessStopped(std::chrono::milliseconds d, const std::atomic<bool>& stop) {
  const auto until = std::chrono::steady_clock::now() + d;
  while (!stop.load() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(
        std::chrono::milliseconds(50), std::chrono::duration_cast<std::chrono::milliseconds>(
                                           until - std::chrono::steady_clock::now()) +
                                           std::chrono::milliseconds(1)));
  }
}

}  // namespace

Status RunContinuous(SyncEngine& engine, const std::string& name, const std::atomic<bool>& stop,
                     const ContinuousOptions& options) {
  LAKESYNC_ASSIGN_OR_RETURN(SyncedTableState state, engine.Get(name));
  LAKESYNC_ASSIGN_OR_RETURN(auto fs, storage::FileSystemForPath(state.spec.source));
  std::chrono::milliseconds backoff = options.interval;
  bool failing = false;
  // A stop asked before the loop began is not this loop's: running it is a fresh start.
  const std::optional<std::string> stopped_before = state.stop_requested_at;
  while (!stop.load()) {
    LAKESYNC_ASSIGN_OR_RETURN(state, engine.Get(name));  // NotFound ends a deleted table's loop
    if (state.stop_requested_at && state.stop_requested_at != stopped_before) break;
    auto latest = delta::Snapshot::LatestVersion(*fs, state.spec.source);
    const bool behind =
        !latest.ok() || !state.last_processed_version || *latest > *state.last_processed_version;
    // After a failure the run is retried even with no new commit: the cause may be gone.
    if (behind || failing) {
      Result<SyncRun> run = engine.Sync(name);
      if (options.on_run) options.on_run(run);
      failing = !run.ok();
      if (run.status().IsNotFound() && !engine.Get(name).ok()) return run.status();
    }
    backoff = failing ? std::min(backoff * 2, options.max_backoff) : options.interval;
    SleepUnlessStopped(backoff, stop);
  }
  return Status::OK();
}

}  // namespace lakesync::sync
