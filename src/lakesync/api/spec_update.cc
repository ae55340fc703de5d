#include "lakesync/api/spec_update.h"

#include <sstream>

#include "lakesync/api/synced_table_json.h"
#include "lakesync/common/macros.h"
#include "lakesync/delta/snapshot.h"
#include "lakesync/storage/file_system.h"
#include "lakesync/sync/sync_engine.h"

namespace lakesync::api {

Result<sync::SyncedTableState> UpdateSyncedTable(pg::Connection& conn, const std::string& table,
                                                 const SpecChanges& changes) {
  sync::StateStore store(conn);
  LAKESYNC_ASSIGN_OR_RETURN(sync::SyncedTableState current, store.Get(table));
  sync::SyncedTableSpec spec = current.spec;
  if (changes.policy) spec.policy = *changes.policy;
  if (changes.change_schedule) spec.schedule = changes.schedule;
  LAKESYNC_RETURN_NOT_OK(sync::ValidateSpec(spec));
  if (current.spec.policy == sync::SchedulingPolicy::kSnapshot &&
      spec.policy != sync::SchedulingPolicy::kSnapshot) {
    // Incremental runs continue from the version the last snapshot recorded.
    LAKESYNC_ASSIGN_OR_RETURN(auto fs, storage::FileSystemForPath(spec.source));
    LAKESYNC_ASSIGN_OR_RETURN(auto snapshot, delta::Snapshot::Open(fs, spec.source));
    LAKESYNC_RETURN_NOT_OK(sync::CheckChangeDataFeed(spec.source, snapshot->configuration()));
  }
  LAKESYNC_RETURN_NOT_OK(store.UpdateSpec(spec));
  return store.Get(table);
}

Result<SpecChanges> ChangesFromMask(std::string_view update_mask, const SyncedTableRequest& req) {
  if (update_mask.empty()) {
    return Status::InvalidArgument(
        "update_mask is required (the fields to change, e.g. spec.scheduling_policy)");
  }
  SpecChanges changes;
  std::stringstream fields{std::string(update_mask)};
  std::string field;
  while (std::getline(fields, field, ',')) {
    field.erase(0, field.find_first_not_of(' '));
    field.erase(field.find_last_not_of(' ') + 1);
    if (field == "spec.scheduling_policy") {
      if (!req.scheduling_policy) {
        return Status::InvalidArgument("update_mask names spec.scheduling_policy; set it");
      }
      changes.policy = req.scheduling_policy;
    } else if (field == "spec.schedule") {
      changes.change_schedule = true;
      changes.schedule = req.schedule;  // absent: no schedule
    } else if (field == "spec.source_table_full_name" || field == "spec.primary_key_columns" ||
               field == "spec.timeseries_key" || field == "name" ||
               field == "database_instance_name" || field == "logical_database_name") {
      return Status::InvalidArgument(
          "{} cannot change without rebuilding the table: delete the synced table (with "
          "purge_data=true) and create it again",
          field);
    } else {
      return Status::InvalidArgument(
          "update_mask field '{}' is not one lakesync can update (spec.scheduling_policy, "
          "spec.schedule)",
          field);
    }
  }
  return changes;
}

}  // namespace lakesync::api
