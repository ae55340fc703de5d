#include "lakesync/api/instance_limits.h"

namespace lakesync::api {

sync::Limits InstanceLimits(const config::Config& config, const std::string& instance) {
  sync::Limits limits;
  auto it = config.instances().find(instance);
  if (it == config.instances().end()) return limits;
  const config::Instance& i = it->second;
  limits.max_target_connections = i.max_connections;
  // One budget per instance in the process, whoever asks (the API, the daemon's scheduler).
  limits.budget = sync::ProcessConnectionBudget(i.name + "\n" + i.conninfo, i.max_connections);
  if (i.max_synced_bytes) limits.max_target_bytes = *i.max_synced_bytes;
  if (i.warn_table_bytes) limits.warn_table_bytes = *i.warn_table_bytes;
  if (i.spare_connections) limits.spare_connections = *i.spare_connections;
  if (i.load_bytes_per_connection) limits.bytes_per_load_connection = *i.load_bytes_per_connection;
  return limits;
}

}  // namespace lakesync::api
