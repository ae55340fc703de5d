// Update requests: "sync this table soon" (Databricks' start-update of a pipeline), recorded in
// the target database (lakesync.update_requests) so whichever daemon holds, or takes, the
// table's lease runs it. Any sync of the table claims the requests queued for it and settles
// them when it ends: a request asking for a full refresh makes that run a full refresh.
// Thread-safety: free functions on a caller's Connection (one thread at a time).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lakesync/common/result.h"
#include "lakesync/pg/connection.h"

namespace lakesync::sync {

/// Databricks' UpdateInfo states lakesync uses: QUEUED until a run claims the request,
/// RUNNING, STOPPING once the pipeline was stopped while it ran, then COMPLETED, FAILED or
/// CANCELED (stopped before it committed, or before it began).
enum class UpdateState { kQueued, kRunning, kStopping, kCompleted, kFailed, kCanceled };
std::string_view UpdateStateName(UpdateState state);  // "QUEUED", "RUNNING", ...

struct UpdateRequest {
  std::string update_id;  // a UUID
  std::string name;       // the synced table
  bool full_refresh = false;
  UpdateState state = UpdateState::kQueued;
  std::string message;       // the error of a failed run, or the run's summary
  std::string requested_at;  // ISO-8601 UTC
  std::optional<std::string> started_at;
  std::optional<std::string> finished_at;
};

/// Queues an update of synced table `name` ("schema.table" as stored) and returns its update
/// id; a stopped pipeline (pipeline_control.h) starts again. NotFound when there is no such
/// synced table.
Result<std::string> RequestUpdate(pg::Connection& conn, const std::string& name, bool full_refresh);
/// The request with id `update_id`. NotFound when there is none.
Result<UpdateRequest> GetUpdate(pg::Connection& conn, const std::string& update_id);
/// The requests of one table, newest first.
Result<std::vector<UpdateRequest>> ListUpdates(pg::Connection& conn, const std::string& name,
                                               int limit = 20);

/// One page of a table's requests, newest first (Databricks' ListUpdates).
struct UpdatePage {
  std::vector<UpdateRequest> updates;
  std::optional<std::string> next_page_token;  // older requests remain
  std::optional<std::string> prev_page_token;  // newer requests remain
};
/// At most `max_results` requests of `name` after (or, for a prev token, before) the page
/// `page_token` names, stopping at `until_update_id` (included) when given. Tokens name a
/// request, so pages stay right while new requests arrive. InvalidArgument for a token this
/// function did not make.
Result<UpdatePage> ListUpdatePage(pg::Connection& conn, const std::string& name, int max_results,
                                  const std::string& page_token,
                                  const std::string& until_update_id);
/// Tables with a queued request.
Result<std::vector<std::string>> TablesWithQueuedUpdates(pg::Connection& conn);

/// Requests a run took over.
struct ClaimedUpdates {
  std::vector<std::string> ids;
  bool full_refresh = false;  // any of them asked for one
};
/// Marks the queued requests of `name` (and RUNNING ones, which a run that died left behind)
/// as RUNNING; STOPPING ones a dead run left behind become CANCELED. REQUIRES: the caller holds the
/// table's run lock (no other sync is running).
Result<ClaimedUpdates> ClaimUpdates(pg::Connection& conn, const std::string& name);
/// Settles claimed requests: COMPLETED with `message`, CANCELED when `canceled`, or FAILED
/// with the error.
Status FinishUpdates(pg::Connection& conn, const ClaimedUpdates& claimed, const Status& outcome,
                     const std::string& message, bool canceled = false);

}  // namespace lakesync::sync
