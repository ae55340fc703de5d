#include "lakesync/sync/update_request.h"

#include <fmt/format.h>

#include "lakesync/common/macros.h"

namespace lakesync::sync {
namespace {

constexpr std::string_view kSelectUpdate =
    "SELECT id::text, name, full_refresh, state, message, "
    "to_char(requested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    "to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    "to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') "
    "FROM lakesync.update_requests";

UpdateState ParseUpdateState(std::string_view name) {
  for (auto s : {UpdateState::kQueued, UpdateState::kRunning, UpdateState::kCompleted}) {
    if (UpdateStateName(s) == name) return s;
  }
  return UpdateState::kFailed;
}

UpdateRequest FromRow(const pg::QueryResult& r, int i) {
  UpdateRequest u;
  u.update_id = r.Get(i, 0);
  u.name = r.Get(i, 1);
  u.full_refresh = r.Get(i, 2) == "t";
  u.state = ParseUpdateState(r.Get(i, 3));
  u.message = r.Get(i, 4);
  u.requested_at = r.Get(i, 5);
  u.started_at = r.GetOptional(i, 6);
  u.finished_at = r.GetOptional(i, 7);
  return u;
}

}  // namespace

std::string_view UpdateStateName(UpdateState state) {
  switch (state) {
    case UpdateState::kQueued:
      return "QUEUED";
    case UpdateState::kRunning:
      return "RUNNING";
    case UpdateState::kCompleted:
      return "COMPLETED";
    case UpdateState::kFailed:
      return "FAILED";
  }
  return "FAILED";
}

Result<std::string> RequestUpdate(pg::Connection& conn, const std::string& name,
                                  bool full_refresh) {
  LAKESYNC_ASSIGN_OR_RETURN(
      auto r, conn.Query("INSERT INTO lakesync.update_requests (name, full_refresh) SELECT name, "
                         "$2::boolean FROM lakesync.synced_tables WHERE name = $1 RETURNING "
                         "id::text",
                         {name, std::string(full_refresh ? "true" : "false")}));
  if (r.rows() == 0) return Status::NotFound("synced table {} does not exist", name);
  return std::string(r.Get(0, 0));
}

Result<UpdateRequest> GetUpdate(pg::Connection& conn, const std::string& update_id) {
  LAKESYNC_ASSIGN_OR_RETURN(
      auto r, conn.Query(fmt::format("{} WHERE id::text = lower($1)", kSelectUpdate), {update_id}));
  if (r.rows() == 0) return Status::NotFound("no update has id {}", update_id);
  return FromRow(r, 0);
}

Result<std::vector<UpdateRequest>> ListUpdates(pg::Connection& conn, const std::string& name,
                                               int limit) {
  LAKESYNC_ASSIGN_OR_RETURN(
      auto r, conn.Query(fmt::format("{} WHERE name = $1 ORDER BY requested_at DESC LIMIT $2::int",
                                     kSelectUpdate),
                         {name, std::to_string(limit)}));
  std::vector<UpdateRequest> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(FromRow(r, i));
  return out;
}

Result<std::vector<std::string>> TablesWithQueuedUpdates(pg::Connection& conn) {
  LAKESYNC_ASSIGN_OR_RETURN(auto r, conn.Query("SELECT DISTINCT name FROM lakesync.update_requests "
                                               "WHERE state = 'QUEUED' ORDER BY name"));
  std::vector<std::string> out;
  for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.Get(i, 0));
  return out;
}

Result<ClaimedUpdates> ClaimUpdates(pg::Connection& conn, const std::string& name) {
  LAKESYNC_ASSIGN_OR_RETURN(
      auto r, conn.Query("UPDATE lakesync.update_requests SET state = 'RUNNING', started_at = "
                         "clock_timestamp() WHERE name = $1 AND state IN ('QUEUED', 'RUNNING') "
                         "RETURNING id::text, full_refresh",
                         {name}));
  ClaimedUpdates claimed;
  for (int i = 0; i < r.rows(); ++i) {
    claimed.ids.emplace_back(r.Get(i, 0));
    claimed.full_refresh = claimed.full_refresh || r.Get(i, 1) == "t";
  }
  return claimed;
}

Status FinishUpdates(pg::Connection& conn, const ClaimedUpdates& claimed, const Status& outcome,
                     const std::string& message) {
  if (claimed.ids.empty()) return Status::OK();
  std::string ids = "{";
  for (size_t i = 0; i < claimed.ids.size(); ++i) {
    if (i > 0) ids += ',';
    ids += claimed.ids[i];
  }
  ids += '}';
  return conn
      .Query(
          "UPDATE lakesync.update_requests SET state = $2, message = $3, finished_at = "
          "clock_timestamp() WHERE id = ANY($1::uuid[])",
          {ids, std::string(outcome.ok() ? "COMPLETED" : "FAILED"),
           outcome.ok() ? message : outcome.ToString()})
      .status();
}

}  // namespace lakesync::sync
