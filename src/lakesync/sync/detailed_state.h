// DetailedState: the Databricks synced-table states lakesync reports, with their names.
#pragma once

#include <string_view>

namespace lakesync::sync {

enum class DetailedState {
  kProvisioning,                 // the spec is stored; nothing loaded yet
  kProvisioningInitialSnapshot,  // the first load is running
  kOnlineNoPendingUpdate,        // the target holds the latest version that was read
  kOnlineTriggeredUpdate,        // a triggered (or snapshot) run is in progress
  kOnlineContinuousUpdate,       // a continuous pipeline is applying changes
  kOnlinePipelineFailed,         // the last run failed; the target keeps its last good data
  kOnline,                       // serving, its pipeline stopped (pipelines API stop)
  kOffline,                      // stopped
  kOfflineFailed,                // failed before the target had any data
};

/// "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE" and so on.
std::string_view DetailedStateName(DetailedState state);
/// The state named `name`; kOffline for a name this version does not know.
DetailedState ParseDetailedState(std::string_view name);
/// True for the ONLINE states (the target can be queried).
bool IsOnline(DetailedState state);

}  // namespace lakesync::sync
