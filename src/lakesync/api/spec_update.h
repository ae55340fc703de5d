// Changing a synced table in place: what can change without rebuilding the target (the
// scheduling policy and the schedule), checked and stored. Shared by the REST API's PATCH and
// `lakesync update` in direct mode.
// Thread-safety: functions on a caller's Connection (one thread at a time).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "lakesync/api/synced_table_json.h"
#include "lakesync/common/result.h"
#include "lakesync/pg/connection.h"
#include "lakesync/sync/state_store.h"

namespace lakesync::api {

struct SpecChanges {
  std::optional<sync::SchedulingPolicy> policy;
  bool change_schedule = false;
  std::optional<std::string> schedule;  // with change_schedule: nullopt removes it
};

/// Applies `changes` to synced table `table` ("schema.table" as stored): the new spec must
/// pass ValidateSpec, and leaving SNAPSHOT needs the source's change data feed. Returns the
/// table's state after the change. NotFound when there is no such table.
Result<sync::SyncedTableState> UpdateSyncedTable(pg::Connection& conn, const std::string& table,
                                                 const SpecChanges& changes);

/// The SpecChanges an update_mask ("spec.scheduling_policy,spec.schedule") asks for, taking the
/// values from the request. Fields that need a rebuild, and unknown ones, are InvalidArgument.
Result<SpecChanges> ChangesFromMask(std::string_view update_mask, const SyncedTableRequest& req);

}  // namespace lakesync::api
