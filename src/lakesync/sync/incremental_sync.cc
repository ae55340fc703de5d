#include "lakesync/sync/incremental_sync.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "lakesync/common/macros.h"
#include "lakesync/delta/change_scan.h"
#include "lakesync/pg/copy_stream.h"
#include "lakesync/pg/ddl.h"
#include "lakesync/pg/transaction.h"
#include "lakesync/sync/change_collapser.h"
#include "lakesync/sync/key_columns.h"
#include "lakesync/sync/read_only.h"
#include "lakesync/sync/schema_evolution.h"

namespace lakesync::sync {
namespace {

// Streams the selected rows of `batches` into `table` (columns `fields`).
Status CopyBatches(pg::Connection& conn, const pg::QualifiedName& table,
                   const std::vector<Field>& fields, const std::vector<ColumnBatch>& batches,
                   const std::vector<std::string>& key) {
  LAKESYNC_ASSIGN_OR_RETURN(auto stream, pg::CopyStream::Begin(conn, table, fields));
  for (const auto& b : batches) {
    LAKESYNC_ASSIGN_OR_RETURN(KeyColumns keys, KeyColumns::Make(b, key));
    LAKESYNC_RETURN_NOT_OK(stream->Write(b, [&](int64_t row) { return keys.Describe(row); }));
  }
  return stream->Finish().status();
}

}  // namespace

Result<IncrementalResult> ApplyIncremental(pg::Connection& conn, const SyncedTableState& state,
                                           const delta::Snapshot& end, const Limits& limits,
                                           const std::function<Status()>& keep_going) {
  const auto started = std::chrono::steady_clock::now();
  const SyncedTableSpec& spec = state.spec;
  IncrementalResult result;
  result.run.mode = "INCREMENTAL";
  result.run.from_version = *state.last_processed_version + 1;
  result.run.to_version = end.version();
  result.row_count = state.synced_row_count;
  if (end.version() <= *state.last_processed_version) return result;

  LAKESYNC_ASSIGN_OR_RETURN(pg::QualifiedName target, pg::QualifiedName::Parse(spec.name));
  if (limits.max_target_bytes > 0 || limits.warn_table_bytes > 0) {
    LAKESYNC_ASSIGN_OR_RETURN(
        pg::QueryResult size,
        conn.Query("SELECT coalesce(pg_total_relation_size(to_regclass($1)), 0)",
                   {target.ToSql()}));
    LAKESYNC_ASSIGN_OR_RETURN(int64_t bytes, size.GetInt64(0, 0));
    LAKESYNC_RETURN_NOT_OK(CheckCapacity(conn, limits, spec.name, bytes).status());
  }
  const std::vector<Field>& fields = end.schema().fields;
  LAKESYNC_ASSIGN_OR_RETURN(auto columns, pg::DescribeTable(conn, target));
  LAKESYNC_ASSIGN_OR_RETURN(auto alters, PlanSchemaChanges(target, columns, fields));
  LAKESYNC_ASSIGN_OR_RETURN(auto target_key, pg::PrimaryKeyColumns(conn, target));
  if (target_key != spec.primary_key) {
    return Status::InvalidArgument(
        "the primary key of {} is ({}) but the synced table's key is ({}); run a full refresh "
        "to rebuild it",
        target.ToString(), fmt::join(target_key, ", "), fmt::join(spec.primary_key, ", "));
  }

  auto changes = delta::ChangeScan::Make(end, *state.last_processed_version + 1);
  if (!changes.ok() && changes.status().IsInvalidArgument()) {
    // The feed was off for part of the range: its changes are gone for good.
    return Status::InvalidArgument(
        "{}; once it is enabled, run a full refresh of {} (changes made while the feed was off "
        "are not recorded)",
        changes.status().message(), spec.name);
  }
  LAKESYNC_RETURN_NOT_OK(changes.status());
  LAKESYNC_ASSIGN_OR_RETURN(auto it, (*changes)->Open());
  ChangeCollapser collapser(spec.primary_key, spec.timeseries_key);
  const double limit = spec.full_refresh_fraction * static_cast<double>(state.synced_row_count);
  while (true) {
    LAKESYNC_ASSIGN_OR_RETURN(std::optional<ColumnBatch> batch, it->Next());
    if (!batch) break;
    LAKESYNC_RETURN_NOT_OK(collapser.Add(std::move(*batch)));
    // The rule counts net changes (keys the batch changes), not feed rows: an update's pre-
    // image, or several changes of one key, change one row. The count only grows as batches
    // arrive, so a batch can be given up as soon as it passes the limit.
    if (collapser.net_changes() > spec.full_refresh_min_changes &&
        static_cast<double>(collapser.net_changes()) > limit) {
      result.needs_full_refresh = true;
      return result;
    }
  }
  result.run.rows_skipped = collapser.null_keys_skipped();
  ChangeCollapser::NetChanges net = collapser.Take();

  LAKESYNC_ASSIGN_OR_RETURN(auto txn, pg::Transaction::Begin(conn));
  for (const auto& sql : alters) LAKESYNC_RETURN_NOT_OK(conn.Exec(sql));
  // Writes to the synced table pass its read-only guard only as the writer role.
  LAKESYNC_RETURN_NOT_OK(conn.Exec(kBecomeWriterSql));
  const pg::QualifiedName upserts{"pg_temp", "lakesync_upserts"};
  const pg::QualifiedName deletes{"pg_temp", "lakesync_deletes"};
  if (!net.upserts.empty()) {
    LAKESYNC_ASSIGN_OR_RETURN(auto sql, pg::CreateStagingTableSql(target, upserts.table));
    LAKESYNC_RETURN_NOT_OK(conn.Exec(sql));
    LAKESYNC_RETURN_NOT_OK(CopyBatches(conn, upserts, fields, net.upserts, spec.primary_key));
    std::vector<std::string> names;
    for (const auto& f : fields) names.push_back(f.name);
    LAKESYNC_ASSIGN_OR_RETURN(std::string upsert,
                              pg::UpsertSql(target, upserts, names, spec.primary_key));
    if (spec.timeseries_key && upsert.find("DO UPDATE") != std::string::npos) {
      // A change older (by timeseries key) than the row already there does not replace it.
      upsert += fmt::format(" WHERE {0}.{1} IS NULL OR {0}.{1} <= EXCLUDED.{1}", target.ToSql(),
                            pg::QuoteIdent(*spec.timeseries_key));
    }
    const bool updates = upsert.find("DO UPDATE") != std::string::npos;
    if (spec.timeseries_key && updates) {
      // Some rows may be left as they are: ask the server which were inserted and updated.
      LAKESYNC_ASSIGN_OR_RETURN(
          auto counts, conn.Query(fmt::format("WITH u AS ({} RETURNING (xmax = 0) AS inserted) "
                                              "SELECT count(*) FILTER (WHERE inserted), "
                                              "count(*) FILTER (WHERE NOT inserted) FROM u",
                                              upsert)));
      result.run.rows_inserted = std::stoll(std::string(counts.Get(0, 0)));
      result.run.rows_updated = std::stoll(std::string(counts.Get(0, 1)));
    } else {
      // Every staged row is inserted or updated; the feed says which keys are new (RETURNING
      // the same from the server costs a tenth of the upsert).
      LAKESYNC_ASSIGN_OR_RETURN(auto done, conn.Query(upsert));
      const int64_t affected = done.affected_rows();
      result.run.rows_inserted = updates ? std::min(affected, net.upserts_of_new_keys) : affected;
      result.run.rows_updated = affected - result.run.rows_inserted;
    }
  }
  if (!net.deletes.empty()) {
    std::vector<std::string> quoted;
    for (const auto& k : spec.primary_key) quoted.push_back(pg::QuoteIdent(k));
    LAKESYNC_RETURN_NOT_OK(conn.Exec(
        fmt::format("CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA",
                    pg::QuoteIdent(deletes.table), fmt::join(quoted, ", "), target.ToSql())));
    LAKESYNC_RETURN_NOT_OK(
        CopyBatches(conn, deletes, net.deletes[0].schema, net.deletes, spec.primary_key));
    LAKESYNC_ASSIGN_OR_RETURN(std::string del,
                              pg::DeleteMatchingSql(target, deletes, spec.primary_key));
    LAKESYNC_ASSIGN_OR_RETURN(auto deleted, conn.Query(del));
    result.run.rows_deleted = deleted.affected_rows();
  }
  result.row_count = state.synced_row_count + result.run.rows_inserted - result.run.rows_deleted;
  LAKESYNC_RETURN_NOT_OK(conn.Exec(kBecomeSelfSql));
  if (keep_going) LAKESYNC_RETURN_NOT_OK(keep_going());
  StateStore store(conn);
  LAKESYNC_RETURN_NOT_OK(store.CommitVersion(spec.name, end.version(), state.last_processed_version,
                                             result.row_count));
  LAKESYNC_RETURN_NOT_OK(txn->Commit());
  result.run.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace lakesync::sync
