#include "lakesync/sync/detailed_state.h"

namespace lakesync::sync {

std::string_view DetailedStateName(DetailedState state) {
  switch (state) {
    case DetailedState::kProvisioning:
      return "SYNCED_TABLE_PROVISIONING";
    case DetailedState::kProvisioningInitialSnapshot:
      return "SYNCED_TABLE_PROVISIONING_INITIAL_SNAPSHOT";
    case DetailedState::kOnlineNoPendingUpdate:
      return "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE";
    case DetailedState::kOnlineTriggeredUpdate:
      return "SYNCED_TABLE_ONLINE_TRIGGERED_UPDATE";
    case DetailedState::kOnlineContinuousUpdate:
      return "SYNCED_TABLE_ONLINE_CONTINUOUS_UPDATE";
    case DetailedState::kOnlinePipelineFailed:
      return "SYNCED_TABLE_ONLINE_PIPELINE_FAILED";
    case DetailedState::kOnline:
      return "SYNCED_TABLE_ONLINE";
    case DetailedState::kOffline:
      return "SYNCED_TABLE_OFFLINE";
    case DetailedState::kOfflineFailed:
      return "SYNCED_TABLE_OFFLINE_FAILED";
  }
  return "SYNCED_TABLE_OFFLINE";
}

DetailedState ParseDetailedState(std::string_view name) {
  for (auto s : {DetailedState::kProvisioning, DetailedState::kProvisioningInitialSnapshot,
                 DetailedState::kOnlineNoPendingUpdate, DetailedState::kOnlineTriggeredUpdate,
                 DetailedState::kOnlineContinuousUpdate, DetailedState::kOnlinePipelineFailed,
                 DetailedState::kOnline, DetailedState::kOffline, DetailedState::kOfflineFailed}) {
    if (DetailedStateName(s) == name) return s;
  }
  return DetailedState::kOffline;
}

bool IsOnline(DetailedState state) {
  switch (state) {
    case DetailedState::kOnlineNoPendingUpdate:
    case DetailedState::kOnlineTriggeredUpdate:
    case DetailedState::kOnlineContinuousUpdate:
    case DetailedState::kOnlinePipelineFailed:
    case DetailedState::kOnline:
      return true;
    default:
      return false;
  }
}

}  // namespace lakesync::sync
