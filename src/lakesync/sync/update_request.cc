#include "lakesync/sync/update_request.h"

#include <fmt/format.h>

#include <algorithm>

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
  for (auto s : {UpdateState::kQueued, UpdateState::kRunning, UpdateState::kStopping,
                 UpdateState::kCompleted, UpdateState::kCanceled}) {
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
    case UpdateState::kStopping:
      return "STOPPING";
    case UpdateState::kCompleted:
      return "COMPLETED";
    case UpdateState::kFailed:
      return "FAILED";
    case UpdateState::kCanceled:
      return "CANCELED";
  }
  return "FAILED";
}

Result<std::string> RequestUpdate(pg::Connection& conn, const std::string& name,
                                  bool full_refresh) {
  LAKESYNC_ASSIGN_OR_RETURN(
      auto r, conn.Query("WITH start AS (UPDATE lakesync.synced_tables SET stop_requested_at = "
                         "NULL WHERE name = $1 RETURNING name) INSERT INTO "
                         "lakesync.update_requests (name, full_refresh) SELECT name, $2::boolean "
                         "FROM start RETURNING id::text",
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

Result<UpdatePage> ListUpdatePage(pg::Connection& conn, const std::string& name, int max_results,
                                  const std::string& page_token,
                                  const std::string& until_update_id) {
  // A token is "n" (older than) or "p" (newer than) and the id of the request it is relative to.
  const bool prev = page_token.starts_with("p");
  std::optional<std::string> anchor;
  if (!page_token.empty()) {
    if (page_token.size() < 2 || (page_token[0] != 'n' && page_token[0] != 'p')) {
      return Status::InvalidArgument("page_token '{}' was not returned by this API", page_token);
    }
    anchor = page_token.substr(1);
  }
  // One row more than asked tells whether another page follows in the direction read.
  LAKESYNC_ASSIGN_OR_RETURN(
      auto r,
      conn.Query(
          fmt::format(
              "{0} WHERE name = $1 AND ($2::text IS NULL OR (requested_at, id) {1} (SELECT "
              "requested_at, id FROM lakesync.update_requests WHERE id::text = lower($2) AND "
              "name = $1)) AND ($4::text IS NULL OR (requested_at, id) >= (SELECT requested_at, "
              "id FROM lakesync.update_requests WHERE id::text = lower($4) AND name = $1)) ORDER "
              "BY requested_at {2}, id {2} LIMIT $3::int + 1",
              kSelectUpdate, prev ? ">" : "<", prev ? "ASC" : "DESC"),
          {name, anchor, std::to_string(max_results),
           until_update_id.empty() ? std::nullopt : std::optional<std::string>(until_update_id)}));
  UpdatePage page;
  const int n = std::min(r.rows(), max_results);
  for (int i = 0; i < n; ++i) page.updates.push_back(FromRow(r, i));
  const bool more = r.rows() > max_results;
  if (prev) std::reverse(page.updates.begin(), page.updates.end());
  if (page.updates.empty()) return page;
  // Older requests follow when this page was read forward and more remain, or was read back.
  if (prev || more) {
    page.next_page_token = "n" + page.updates.back().update_id;
  }
  if (prev ? more : anchor.has_value()) {
    page.prev_page_token = "p" + page.updates.front().update_id;
  }
  return page;
}

Result<std::vector<std::string>> TablesWithQueuedUpdates(pg::Connection& conn) {
  LAKESYNC_ASSIGN_OR_RETURN(auto r, conn.Query("SELECT DISTINCT name FROM lakesync.update_requests "
                                               "WHERE state = 'QUEUED' ORDER BY name"));
  std::vector<std::string> out;
  for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.Get(i, 0));
  return out;
}

Result<ClaimedUpdates> ClaimUpdates(pg::Connection& conn, const std::string& name) {
  LAKESYNC_RETURN_NOT_OK(
      conn.Query("UPDATE lakesync.update_requests SET state = 'CANCELED', finished_at = "
                 "clock_timestamp(), message = 'canceled: the pipeline was stopped' WHERE name = "
                 "$1 AND state = 'STOPPING'",
                 {name})
          .status());
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
                     const std::string& message, bool canceled) {
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
          {ids,
           std::string(outcome.ok() ? "COMPLETED"
                                    : UpdateStateName(canceled ? UpdateState::kCanceled
                                                               : UpdateState::kFailed)),
           outcome.ok() ? message : outcome.ToString()})
      .status();
}

}  // namespace lakesync::sync
