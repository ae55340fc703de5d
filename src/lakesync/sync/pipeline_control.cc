#include "lakesync/sync/pipeline_control.h"

#include <fmt/format.h>

#include "lakesync/common/macros.h"
#include "lakesync/sync/detailed_state.h"

namespace lakesync::sync {
namespace {

// Whether a run holds the table's run lock (sync_engine.cc's two-key advisory lock) in this
// database, in any process. pg_locks shows the int4 keys as unsigned oids.
constexpr std::string_view kRunLockHeld =
    "EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND "
    "l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND "
    "l.classid = hashtext('lakesync.run')::oid AND l.objid = hashtext(t.name)::oid AND "
    "l.objsubid = 2)";

}  // namespace

std::string_view PipelineStateName(PipelineState state) {
  switch (state) {
    case PipelineState::kIdle:
      return "IDLE";
    case PipelineState::kRunning:
      return "RUNNING";
    case PipelineState::kStopping:
      return "STOPPING";
    case PipelineState::kFailed:
      return "FAILED";
  }
  return "IDLE";
}

Result<PipelineStatus> GetPipelineStatus(pg::Connection& conn, const std::string& name) {
  LAKESYNC_ASSIGN_OR_RETURN(
      auto r,
      conn.Query(
          fmt::format(
              "SELECT {}, stop_requested_at IS NOT NULL, coalesce(stop_requested_at >= "
              "last_sync_start, false), scheduling_policy = 'CONTINUOUS', EXISTS (SELECT 1 FROM "
              "lakesync.leases WHERE name = t.name AND expires_at > clock_timestamp()), EXISTS "
              "(SELECT 1 FROM lakesync.update_requests WHERE name = t.name AND state = "
              "'QUEUED'), detailed_state, message, (extract(epoch FROM updated_at) * "
              "1000)::bigint FROM lakesync.synced_tables t WHERE name = $1",
              kRunLockHeld),
          {name}));
  if (r.rows() == 0) return Status::NotFound("synced table {} does not exist", name);
  const bool running = r.Get(0, 0) == "t";
  PipelineStatus status;
  status.stopped = r.Get(0, 1) == "t";
  const bool stopped_since_start = r.Get(0, 2) == "t";
  const bool continuous = r.Get(0, 3) == "t";
  const bool leased = r.Get(0, 4) == "t";
  const bool queued = r.Get(0, 5) == "t";
  const DetailedState table_state = ParseDetailedState(r.Get(0, 6));
  status.cause = r.Get(0, 7);
  LAKESYNC_ASSIGN_OR_RETURN(status.last_modified_ms, r.GetInt64(0, 8));
  const bool failed = table_state == DetailedState::kOnlinePipelineFailed ||
                      table_state == DetailedState::kOfflineFailed;
  if (running && stopped_since_start) {
    status.state = PipelineState::kStopping;
  } else if (running || queued || (continuous && leased && !status.stopped)) {
    status.state = PipelineState::kRunning;
  } else if (failed && !stopped_since_start) {
    // A failure of a run that began after a stop is the pipeline's state again.
    status.state = PipelineState::kFailed;
  }
  return status;
}

Status StopPipeline(pg::Connection& conn, const std::string& name) {
  // One statement: a run ending at the same moment updates the row before or after it, and
  // either way one of the two sees the other (StateStore::SetEndState).
  LAKESYNC_ASSIGN_OR_RETURN(
      auto r,
      conn.Query(
          "WITH stop AS (UPDATE lakesync.synced_tables SET stop_requested_at = "
          "clock_timestamp(), (detailed_state, message) = (SELECT "
          "CASE WHEN idle THEN $2 ELSE detailed_state END, CASE WHEN idle THEN 'continuous "
          "pipeline stopped at version ' || last_processed_version || '; start an update to "
          "resume it' ELSE message END FROM (SELECT scheduling_policy = 'CONTINUOUS' AND "
          "last_processed_version IS NOT NULL AND detailed_state IN ($3, $4) AS idle) s), "
          "updated_at = clock_timestamp() WHERE name = $1 RETURNING name), queued AS (UPDATE "
          "lakesync.update_requests SET state = CASE WHEN state = 'QUEUED' THEN 'CANCELED' ELSE "
          "'STOPPING' END, finished_at = CASE WHEN state = 'QUEUED' THEN clock_timestamp() END, "
          "message = CASE WHEN state = 'QUEUED' THEN 'canceled: the pipeline was stopped "
          "before it ran' ELSE message END WHERE name IN (SELECT name FROM stop) AND state IN "
          "('QUEUED', 'RUNNING')) SELECT count(*) FROM stop",
          {name, std::string(DetailedStateName(DetailedState::kOnline)),
           std::string(DetailedStateName(DetailedState::kOnlineNoPendingUpdate)),
           std::string(DetailedStateName(DetailedState::kOnlineContinuousUpdate))}));
  if (r.Get(0, 0) == "0") return Status::NotFound("synced table {} does not exist", name);
  return Status::OK();
}

Result<bool> StoppedSinceRunBegan(pg::Connection& conn, const std::string& name) {
  LAKESYNC_ASSIGN_OR_RETURN(
      auto r, conn.Query("SELECT coalesce(stop_requested_at >= last_sync_start, false) FROM "
                         "lakesync.synced_tables WHERE name = $1 FOR UPDATE",
                         {name}));
  if (r.rows() == 0) return Status::NotFound("synced table {} does not exist", name);
  return r.Get(0, 0) == "t";
}

}  // namespace lakesync::sync
