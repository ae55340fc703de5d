// Pipeline control: what Databricks' pipelines API shows and does for a synced table's
// pipeline, kept in the target database so every daemon agrees. Stopping records when the stop
// was asked (lakesync.synced_tables.stop_requested_at): a run that began before it gives up at
// its next check, at the latest in the transaction that would commit it (StoppedSinceRunBegan),
// so the target keeps its last good rows; a CONTINUOUS pipeline is not run again, nor is an
// unfinished initial load picked up, until an update is requested (update_request.h).
// Thread-safety: free functions on a caller's Connection (one thread at a time).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lakesync/common/result.h"
#include "lakesync/pg/connection.h"

namespace lakesync::sync {

/// Databricks' PipelineState values lakesync reports.
enum class PipelineState {
  kIdle,      // nothing runs or waits to run
  kRunning,   // a run holds the table, an update waits, or a CONTINUOUS pipeline is up
  kStopping,  // stopped while a run was in flight; it has not given up yet
  kFailed,    // the last run failed (and no stop came after it)
};
std::string_view PipelineStateName(PipelineState state);  // "IDLE", "RUNNING", ...

struct PipelineStatus {
  PipelineState state = PipelineState::kIdle;
  bool stopped = false;          // stopped and not started again
  std::string cause;             // the synced table's message
  int64_t last_modified_ms = 0;  // the synced table's last change, ms since the epoch
};

/// The pipeline of synced table `name`. NotFound when there is none.
Result<PipelineStatus> GetPipelineStatus(pg::Connection& conn, const std::string& name);

/// Stops the pipeline of `name`: a run in flight is canceled (its update requests show
/// STOPPING, then CANCELED), queued requests are CANCELED at once, and a CONTINUOUS table
/// that is not running shows SYNCED_TABLE_ONLINE. A stopped pipeline may be stopped again (a
/// scheduled run that began since is canceled).
/// NotFound when there is no such synced table.
Status StopPipeline(pg::Connection& conn, const std::string& name);

/// Whether the pipeline of `name` was stopped after the run in flight began (its
/// last_sync_start). Inside the transaction that commits the run it also locks the table's
/// row, so a stop either waits for that commit or makes it roll back.
Result<bool> StoppedSinceRunBegan(pg::Connection& conn, const std::string& name);

}  // namespace lakesync::sync
