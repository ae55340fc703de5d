// TableView: a synced table as the CLI shows it, whichever way it was read (straight from the
// state store, or from the REST API's SyncedDatabaseTable JSON), with its text and --json
// renderings; the run summary of a sync too.
// Thread-safety: plain values and pure functions (printing writes stdout).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lakesync/common/result.h"
#include "lakesync/sync/state_store.h"

namespace lakesync::cli {

struct TableView {
  std::string name;  // as the user names it: schema.table (--dsn) or catalog.schema.table
  std::string source;
  std::vector<std::string> primary_key;
  std::optional<std::string> timeseries_key;
  std::string policy;  // SNAPSHOT, TRIGGERED, CONTINUOUS
  std::optional<std::string> schedule;
  std::optional<int> max_connections;  // not reported by the API
  std::string state;                   // SYNCED_TABLE_...
  std::string message;
  std::string pipeline_id;
  std::optional<int64_t> last_version;
  std::optional<std::string> last_sync_start;
  std::optional<std::string> last_sync_end;
  std::optional<int64_t> synced_row_count;  // not reported by the API
  // The run in flight.
  int64_t rows_done = 0;
  std::optional<int64_t> rows_total;
  double rows_per_second = 0;
};

TableView ViewOf(const sync::SyncedTableState& state, std::string display_name);
/// From a SyncedDatabaseTable of the REST API. InvalidArgument when it is not one.
Result<TableView> ViewFromApiJson(std::string_view json);

/// True for the PROVISIONING states (the first load has not finished).
bool IsProvisioning(std::string_view state);
/// True for the ONLINE states.
bool IsOnlineState(std::string_view state);

/// {"name", "source_table_full_name", "primary_key_columns", "timeseries_key",
///  "scheduling_policy", "schedule", "max_connections", "detailed_state", "message", "pipeline_id",
///  "last_processed_commit_version", "last_sync_start", "last_sync_end", "synced_row_count"}
std::string ViewJson(const TableView& view);
void PrintView(const TableView& view);
/// A table of NAME POLICY STATE VERSION ROWS, or a JSON array.
void PrintViews(const std::vector<TableView>& views, bool json);

/// {"mode", "from_version", "to_version", "rows_inserted", "rows_updated", "rows_deleted",
///  "rows_skipped", "seconds", "error"}
std::string RunJson(const sync::SyncRun& run);
/// "NAME: copied to version V: I inserted, U updated, D deleted in S s"
void PrintRun(const std::string& name, const sync::SyncRun& run);

}  // namespace lakesync::cli
