// InstanceLimits: the sync engine's limits (sync/limits.h) of a database instance as the
// configuration sets them: its connection cap (max_connections) and capacity limits. Every
// SyncEngine the API, the daemon's scheduler and the CLI's direct mode open gets these.
// Thread-safety: a pure function of an immutable Config.
#pragma once

#include <string>

#include "lakesync/config/config.h"
#include "lakesync/sync/limits.h"

namespace lakesync::api {

/// The limits of `instance`: max_target_connections = its max_connections with the process's
/// budget of that many connections for it (connection_budget.h), and its capacity settings
/// where the file sets them (the engine's defaults otherwise). An instance the configuration
/// does not name gets Limits{}.
sync::Limits InstanceLimits(const config::Config& config, const std::string& instance);

}  // namespace lakesync::api
