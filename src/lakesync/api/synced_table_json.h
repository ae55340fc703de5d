// The Databricks JSON shapes of synced tables (SyncedDatabaseTable with its spec and
// data_synchronization_status) and of the pipeline update requests: lakesync's state rendered
// as the REST API returns it, and request bodies parsed and checked.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lakesync/api/json_writer.h"
#include "lakesync/common/result.h"
#include "lakesync/config/config.h"
#include "lakesync/sync/state_store.h"

namespace lakesync::api {

/// Where a synced table lives, as the API names it.
struct TableLocation {
  std::string catalog;
  std::string instance;
  std::string database;
};

/// Writes one SyncedDatabaseTable: name (catalog.schema.table), instance and database, spec
/// (source_table_full_name as a lakehouse catalog name when one covers the location) and
/// data_synchronization_status with the sub-status of its state and the run's progress.
void WriteSyncedTable(JsonWriter& w, const sync::SyncedTableState& state,
                      const TableLocation& where, const config::Config& config);

/// A SyncedDatabaseTable request body (POST, PATCH).
struct SyncedTableRequest {
  std::string name;  // catalog.schema.table
  std::optional<std::string> database_instance_name;
  std::optional<std::string> logical_database_name;
  std::optional<std::string> source_table_full_name;
  std::optional<std::vector<std::string>> primary_key_columns;
  std::optional<std::string> timeseries_key;
  std::optional<sync::SchedulingPolicy> scheduling_policy;
  std::optional<std::string> schedule;  // lakesync's extension (spec.schedule)
  std::optional<std::string> existing_pipeline_id;
  /// spec.new_pipeline_spec was given (its storage_catalog and storage_schema are checked,
  /// not kept: lakesync keeps a pipeline's state in the target database).
  bool new_pipeline_spec = false;
  bool create_database_objects_if_missing = false;
};

/// Parses a SyncedDatabaseTable body. Output-only fields (data_synchronization_status,
/// effective_*, unity_catalog_provisioning_state) are ignored; unknown fields and wrong types
/// are InvalidArgument naming the field.
Result<SyncedTableRequest> ParseSyncedTableRequest(std::string_view body);

/// The body of POST /api/2.0/pipelines/{id}/updates.
struct StartUpdateRequest {
  bool full_refresh = false;
  std::optional<std::string> cause;
};
Result<StartUpdateRequest> ParseStartUpdateRequest(std::string_view body);

}  // namespace lakesync::api
