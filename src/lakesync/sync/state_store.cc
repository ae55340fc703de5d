#include "lakesync/sync/state_store.h"

#include <fmt/format.h>

#include "lakesync/common/macros.h"
#include "lakesync/pg/transaction.h"

namespace lakesync::sync {
namespace {

// Key columns travel as one text joined by the ASCII unit separator, which no identifier
// lakesync accepts can contain.
constexpr char kSep = '\x1f';

std::string JoinKeys(const std::vector<std::string>& keys) {
  std::string out;
  for (const auto& k : keys) {
    if (!out.empty()) out += kSep;
    out += k;
  }
  return out;
}

std::vector<std::string> SplitKeys(std::string_view joined) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= joined.size()) {
    size_t end = joined.find(kSep, start);
    if (end == std::string_view::npos) end = joined.size();
    out.emplace_back(joined.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::optional<int64_t> OptionalInt(const pg::QueryResult& r, int row, int col) {
  if (r.IsNull(row, col)) return std::nullopt;
  return std::stoll(std::string(r.Get(row, col)));
}

constexpr std::string_view kSelectState =
    "SELECT name, source, array_to_string(primary_key, E'\\x1f'), timeseries_key, "
    "scheduling_policy, full_refresh_fraction::text, full_refresh_min_changes, detailed_state, "
    "message, "
    "last_processed_version, "
    "to_char(last_sync_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    "to_char(last_sync_end AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    "synced_row_count, "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    "pipeline_id::text, schedule, rows_done, rows_total, rows_per_second::text, "
    "max_connections, "
    "to_char(stop_requested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') "
    "FROM lakesync.synced_tables";

Result<SyncedTableState> StateFromRow(const pg::QueryResult& r, int row) {
  SyncedTableState s;
  s.spec.name = r.Get(row, 0);
  s.spec.source = r.Get(row, 1);
  s.spec.primary_key = SplitKeys(r.Get(row, 2));
  s.spec.timeseries_key = r.GetOptional(row, 3);
  LAKESYNC_ASSIGN_OR_RETURN(s.spec.policy, ParseSchedulingPolicy(r.Get(row, 4)));
  s.spec.full_refresh_fraction = std::stod(std::string(r.Get(row, 5)));
  s.spec.full_refresh_min_changes = OptionalInt(r, row, 6).value_or(0);
  s.state = ParseDetailedState(r.Get(row, 7));
  s.message = r.Get(row, 8);
  s.last_processed_version = OptionalInt(r, row, 9);
  s.last_sync_start = r.GetOptional(row, 10);
  s.last_sync_end = r.GetOptional(row, 11);
  s.synced_row_count = OptionalInt(r, row, 12).value_or(0);
  s.created_at = r.Get(row, 13);
  s.pipeline_id = r.Get(row, 14);
  s.spec.schedule = r.GetOptional(row, 15);
  s.rows_done = OptionalInt(r, row, 16).value_or(0);
  s.rows_total = OptionalInt(r, row, 17);
  s.rows_per_second = std::stod(std::string(r.Get(row, 18)));
  s.spec.max_connections = static_cast<int>(OptionalInt(r, row, 19).value_or(16));
  s.stop_requested_at = r.GetOptional(row, 20);
  return s;
}

}  // namespace

// What each version added, applied to new and old databases alike (every statement is a
// no-op where it already happened). The last one's objects are what IsCurrent looks for.
constexpr std::string_view kMigrations = R"sql(
ALTER TABLE lakesync.synced_tables
  ADD COLUMN IF NOT EXISTS pipeline_id uuid NOT NULL DEFAULT gen_random_uuid(),
  ADD COLUMN IF NOT EXISTS schedule text,
  ADD COLUMN IF NOT EXISTS rows_done bigint NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS rows_total bigint,
  ADD COLUMN IF NOT EXISTS rows_per_second double precision NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS max_connections integer NOT NULL DEFAULT 16;
CREATE UNIQUE INDEX IF NOT EXISTS synced_tables_by_pipeline_id
  ON lakesync.synced_tables (pipeline_id);
CREATE TABLE IF NOT EXISTS lakesync.leases (
  name text PRIMARY KEY REFERENCES lakesync.synced_tables ON DELETE CASCADE ON UPDATE CASCADE,
  holder text NOT NULL,
  acquired_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  renewed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  expires_at timestamptz NOT NULL,
  fenced_at timestamptz
);
CREATE TABLE IF NOT EXISTS lakesync.update_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL REFERENCES lakesync.synced_tables ON DELETE CASCADE ON UPDATE CASCADE,
  full_refresh boolean NOT NULL DEFAULT false,
  state text NOT NULL DEFAULT 'QUEUED',
  message text NOT NULL DEFAULT '',
  requested_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  started_at timestamptz,
  finished_at timestamptz
);
CREATE INDEX IF NOT EXISTS update_requests_open ON lakesync.update_requests (name)
  WHERE state IN ('QUEUED', 'RUNNING');
ALTER TABLE lakesync.synced_tables ADD COLUMN IF NOT EXISTS stop_requested_at timestamptz;
)sql";

// True when the schema already has the newest objects: then EnsureSchema takes no lock, as
// ALTER TABLE would (it locks the table even when there is nothing to add).
constexpr std::string_view kIsCurrent =
    "SELECT to_regclass('lakesync.update_requests') IS NOT NULL AND EXISTS (SELECT 1 FROM "
    "pg_attribute WHERE attrelid = to_regclass('lakesync.synced_tables') AND attname = "
    "'stop_requested_at' AND NOT attisdropped)";

Status StateStore::EnsureSchema() {
  LAKESYNC_ASSIGN_OR_RETURN(auto current, conn_.Query(kIsCurrent));
  if (current.Get(0, 0) == "t") return Status::OK();
  // Several processes may start on a fresh database at once: CREATE ... IF NOT EXISTS alone
  // races, so the creation runs under a transaction-scoped advisory lock.
  LAKESYNC_ASSIGN_OR_RETURN(auto txn, pg::Transaction::Begin(conn_));
  LAKESYNC_RETURN_NOT_OK(conn_.Exec(R"sql(
SELECT pg_advisory_xact_lock(hashtext('lakesync.schema'));
SET LOCAL client_min_messages TO warning;
CREATE SCHEMA IF NOT EXISTS lakesync;
CREATE TABLE IF NOT EXISTS lakesync.synced_tables (
  name text PRIMARY KEY,
  source text NOT NULL,
  primary_key text[] NOT NULL,
  timeseries_key text,
  scheduling_policy text NOT NULL,
  full_refresh_fraction double precision NOT NULL DEFAULT 0.1,
  full_refresh_min_changes bigint NOT NULL DEFAULT 10000,
  detailed_state text NOT NULL,
  message text NOT NULL DEFAULT '',
  last_processed_version bigint,
  last_sync_start timestamptz,
  last_sync_end timestamptz,
  synced_row_count bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS lakesync.sync_runs (
  id bigserial PRIMARY KEY,
  name text NOT NULL REFERENCES lakesync.synced_tables ON DELETE CASCADE,
  mode text NOT NULL,
  from_version bigint,
  to_version bigint,
  rows_inserted bigint NOT NULL DEFAULT 0,
  rows_updated bigint NOT NULL DEFAULT 0,
  rows_deleted bigint NOT NULL DEFAULT 0,
  rows_skipped bigint NOT NULL DEFAULT 0,
  seconds double precision NOT NULL DEFAULT 0,
  error text NOT NULL DEFAULT '',
  ended_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS sync_runs_by_table ON lakesync.sync_runs (name, id);
)sql"));
  LAKESYNC_RETURN_NOT_OK(conn_.Exec(kMigrations));
  return txn->Commit();
}

Status StateStore::Create(const SyncedTableSpec& spec) {
  LAKESYNC_RETURN_NOT_OK(ValidateSpec(spec));
  auto r = conn_.Query(
      "INSERT INTO lakesync.synced_tables (name, source, primary_key, timeseries_key, "
      "scheduling_policy, full_refresh_fraction, full_refresh_min_changes, detailed_state, "
      "schedule, max_connections) VALUES ($1, $2, string_to_array($3, E'\\x1f'), $4, $5, "
      "$6::double precision, $7::bigint, $8, $9, $10::integer)",
      {spec.name, spec.source, JoinKeys(spec.primary_key), spec.timeseries_key,
       std::string(SchedulingPolicyName(spec.policy)),
       fmt::format("{}", spec.full_refresh_fraction), std::to_string(spec.full_refresh_min_changes),
       std::string(DetailedStateName(DetailedState::kProvisioning)), spec.schedule,
       std::to_string(spec.max_connections)});
  if (r.status().IsConflict()) {
    return Status::Conflict("synced table {} already exists", spec.name);
  }
  return r.status();
}

Status StateStore::UpdateSpec(const SyncedTableSpec& spec) {
  LAKESYNC_RETURN_NOT_OK(ValidateSpec(spec));
  LAKESYNC_ASSIGN_OR_RETURN(
      auto r,
      conn_.Query(
          "UPDATE lakesync.synced_tables SET scheduling_policy = $2, schedule = $3, "
          "full_refresh_fraction = $4::double precision, full_refresh_min_changes "
          "= $5::bigint, max_connections = $6::integer, updated_at = clock_timestamp() "
          "WHERE name = $1",
          {spec.name, std::string(SchedulingPolicyName(spec.policy)), spec.schedule,
           fmt::format("{}", spec.full_refresh_fraction),
           std::to_string(spec.full_refresh_min_changes), std::to_string(spec.max_connections)}));
  if (r.affected_rows() == 0) return Status::NotFound("synced table {} does not exist", spec.name);
  return Status::OK();
}

Result<SyncedTableState> StateStore::Get(const std::string& name) {
  LAKESYNC_ASSIGN_OR_RETURN(auto r,
                            conn_.Query(fmt::format("{} WHERE name = $1", kSelectState), {name}));
  if (r.rows() == 0) return Status::NotFound("synced table {} does not exist", name);
  return StateFromRow(r, 0);
}

Result<SyncedTableState> StateStore::FindByPipelineId(const std::string& pipeline_id) {
  // Compared as text so a malformed id is simply not found.
  LAKESYNC_ASSIGN_OR_RETURN(
      auto r, conn_.Query(fmt::format("{} WHERE pipeline_id::text = lower($1)", kSelectState),
                          {pipeline_id}));
  if (r.rows() == 0) return Status::NotFound("no synced table has pipeline id {}", pipeline_id);
  return StateFromRow(r, 0);
}

Result<std::vector<SyncedTableState>> StateStore::List() {
  LAKESYNC_ASSIGN_OR_RETURN(auto r, conn_.Query(fmt::format("{} ORDER BY name", kSelectState)));
  std::vector<SyncedTableState> out;
  for (int i = 0; i < r.rows(); ++i) {
    LAKESYNC_ASSIGN_OR_RETURN(auto s, StateFromRow(r, i));
    out.push_back(std::move(s));
  }
  return out;
}

Status StateStore::Delete(const std::string& name) {
  LAKESYNC_ASSIGN_OR_RETURN(
      auto r, conn_.Query("DELETE FROM lakesync.synced_tables WHERE name = $1", {name}));
  if (r.affected_rows() == 0) return Status::NotFound("synced table {} does not exist", name);
  return Status::OK();
}

Status StateStore::SetState(const std::string& name, DetailedState state,
                            const std::string& message, bool started) {
  LAKESYNC_ASSIGN_OR_RETURN(
      auto r, conn_.Query("UPDATE lakesync.synced_tables SET detailed_state = $2, message = $3, "
                          "last_sync_start = CASE WHEN $4 THEN clock_timestamp() ELSE "
                          "last_sync_start END, updated_at = clock_timestamp() WHERE name = $1",
                          {name, std::string(DetailedStateName(state)), message,
                           std::string(started ? "true" : "false")}));
  if (r.affected_rows() == 0) return Status::NotFound("synced table {} does not exist", name);
  return Status::OK();
}

Status StateStore::CommitVersion(const std::string& name, int64_t version,
                                 std::optional<int64_t> expected_previous, int64_t row_count) {
  // The fence: when this session names a lease holder, the lease row is updated (and so
  // locked until commit) only if that holder still has it; a daemon taking the expired lease
  // over waits for this transaction, then sees the version it committed.
  LAKESYNC_ASSIGN_OR_RETURN(
      auto r,
      conn_.Query(
          "WITH me AS (SELECT nullif(current_setting('lakesync.lease_holder', true), '') AS "
          "holder), fence AS (UPDATE lakesync.leases l SET fenced_at = clock_timestamp() FROM me "
          "WHERE l.name = $1 AND l.holder = me.holder AND l.expires_at > clock_timestamp() "
          "RETURNING 1) UPDATE lakesync.synced_tables SET last_processed_version = $2, "
          "synced_row_count = $4, last_sync_end = clock_timestamp(), updated_at = "
          "clock_timestamp() WHERE name = $1 AND last_processed_version IS NOT DISTINCT FROM "
          "$3::bigint AND ((SELECT holder FROM me) IS NULL OR EXISTS (SELECT 1 FROM fence))",
          {name, std::to_string(version),
           expected_previous ? std::optional<std::string>(std::to_string(*expected_previous))
                             : std::nullopt,
           std::to_string(row_count)}));
  if (r.affected_rows() > 0) return Status::OK();
  LAKESYNC_ASSIGN_OR_RETURN(
      auto lease,
      conn_.Query("SELECT nullif(current_setting('lakesync.lease_holder', true), '') IS NOT NULL "
                  "AND NOT EXISTS (SELECT 1 FROM lakesync.leases WHERE name = $1 AND holder = "
                  "current_setting('lakesync.lease_holder', true) AND expires_at > "
                  "clock_timestamp())",
                  {name}));
  if (lease.Get(0, 0) == "t") {
    return Status::Conflict(
        "synced table {}: lease lost (this daemon no longer holds it; another one runs the "
        "table now); this run's changes were rolled back",
        name);
  }
  return Status::Conflict(
      "synced table {}: the last processed version changed while this sync ran (another "
      "lakesync process synced it); this run's changes were rolled back",
      name);
}

Status StateStore::SetEndState(const std::string& name, DetailedState state,
                               const std::string& message) {
  // One statement, so a stop that commits while the run ends is never missed: whichever of the
  // two updates the row second sees the other's change (pipeline_control.cc does the same).
  LAKESYNC_ASSIGN_OR_RETURN(
      auto r,
      conn_.Query(
          "UPDATE lakesync.synced_tables SET (detailed_state, message) = (SELECT CASE "
          "WHEN stopped THEN $4 ELSE $2 END, CASE WHEN stopped THEN 'continuous pipeline "
          "stopped at version ' || coalesce(last_processed_version::text, 'none') || '; "
          "start an update to resume it' ELSE $3 END FROM (SELECT scheduling_policy = "
          "'CONTINUOUS' AND stop_requested_at IS NOT NULL AND $2::text = $5::text AS stopped) s), "
          "updated_at = clock_timestamp() WHERE name = $1",
          {name, std::string(DetailedStateName(state)), message,
           std::string(DetailedStateName(DetailedState::kOnline)),
           std::string(DetailedStateName(DetailedState::kOnlineNoPendingUpdate))}));
  if (r.affected_rows() == 0) return Status::NotFound("synced table {} does not exist", name);
  return Status::OK();
}

Status StateStore::SetProgress(const std::string& name, int64_t rows_done,
                               std::optional<int64_t> rows_total, double rows_per_second) {
  return conn_
      .Query(
          "UPDATE lakesync.synced_tables SET rows_done = $2::bigint, rows_total = $3::bigint, "
          "rows_per_second = $4::double precision WHERE name = $1",
          {name, std::to_string(rows_done),
           rows_total ? std::optional<std::string>(std::to_string(*rows_total)) : std::nullopt,
           fmt::format("{}", rows_per_second)})
      .status();
}

Status StateStore::RecordRun(const std::string& name, const SyncRun& run) {
  auto opt = [](std::optional<int64_t> v) {
    return v ? std::optional<std::string>(std::to_string(*v)) : std::nullopt;
  };
  return conn_
      .Query(
          "INSERT INTO lakesync.sync_runs (name, mode, from_version, to_version, "
          "rows_inserted, rows_updated, rows_deleted, rows_skipped, seconds, error) VALUES "
          "($1, $2, $3::bigint, $4::bigint, $5::bigint, $6::bigint, $7::bigint, $8::bigint, "
          "$9::double precision, $10)",
          {name, run.mode, opt(run.from_version), opt(run.to_version),
           std::to_string(run.rows_inserted), std::to_string(run.rows_updated),
           std::to_string(run.rows_deleted), std::to_string(run.rows_skipped),
           fmt::format("{}", run.seconds), run.error})
      .status();
}

Result<std::vector<SyncRun>> StateStore::Runs(const std::string& name, int limit) {
  LAKESYNC_ASSIGN_OR_RETURN(
      auto r, conn_.Query("SELECT mode, from_version, to_version, rows_inserted, rows_updated, "
                          "rows_deleted, rows_skipped, seconds::text, error FROM "
                          "lakesync.sync_runs WHERE name = $1 ORDER BY id DESC LIMIT $2::int",
                          {name, std::to_string(limit)}));
  std::vector<SyncRun> out;
  for (int i = 0; i < r.rows(); ++i) {
    SyncRun run;
    run.mode = r.Get(i, 0);
    run.from_version = OptionalInt(r, i, 1);
    run.to_version = OptionalInt(r, i, 2);
    run.rows_inserted = *OptionalInt(r, i, 3);
    run.rows_updated = *OptionalInt(r, i, 4);
    run.rows_deleted = *OptionalInt(r, i, 5);
    run.rows_skipped = *OptionalInt(r, i, 6);
    run.seconds = std::stod(std::string(r.Get(i, 7)));
    run.error = r.Get(i, 8);
    out.push_back(std::move(run));
  }
  return out;
}

}  // namespace lakesync::sync
