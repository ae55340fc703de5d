#include "lakesync/sync/synced_table_spec.h"

#include <algorithm>
#include <set>

#include "lakesync/sync/schedule.h"

namespace lakesync::sync {

std::string_view SchedulingPolicyName(SchedulingPolicy policy) {
  switch (policy) {
    case SchedulingPolicy::kSnapshot:
      return "SNAPSHOT";
    case SchedulingPolicy::kTriggered:
      return "TRIGGERED";
    case SchedulingPolicy::kContinuous:
      return "CONTINUOUS";
  }
  return "TRIGGERED";
}

Result<SchedulingPolicy> ParseSchedulingPolicy(std::string_view name) {
  for (auto p :
       {SchedulingPolicy::kSnapshot, SchedulingPolicy::kTriggered, SchedulingPolicy::kContinuous}) {
    if (SchedulingPolicyName(p) == name) return p;
  }
  return Status::InvalidArgument(
      "unknown scheduling policy '{}': use SNAPSHOT, TRIGGERED or CONTINUOUS", name);
}

Status ValidateSpec(const SyncedTableSpec& spec) {
  if (spec.name.empty()) return Status::InvalidArgument("a synced table needs a name");
  if (spec.source.empty()) {
    return Status::InvalidArgument("synced table {}: the source table is missing", spec.name);
  }
  if (spec.primary_key.empty()) {
    return Status::InvalidArgument("synced table {}: primary key columns are required", spec.name);
  }
  std::set<std::string> seen;
  for (const auto& k : spec.primary_key) {
    if (k.empty() || !seen.insert(k).second) {
      return Status::InvalidArgument(
          "synced table {}: primary key column '{}' is empty or repeated", spec.name, k);
    }
  }
  if (spec.timeseries_key && seen.count(*spec.timeseries_key)) {
    return Status::InvalidArgument(
        "synced table {}: the timeseries key '{}' cannot also be a primary key column", spec.name,
        *spec.timeseries_key);
  }
  if (!(spec.full_refresh_fraction > 0 && spec.full_refresh_fraction <= 1)) {
    return Status::InvalidArgument("synced table {}: full refresh fraction must be in (0, 1]",
                                   spec.name);
  }
  if (spec.max_connections < 1 || spec.max_connections > 10'000) {
    return Status::InvalidArgument("synced table {}: max_connections must be in [1, 10000]",
                                   spec.name);
  }
  if (spec.full_refresh_min_changes < 0) {
    return Status::InvalidArgument("synced table {}: full refresh minimum must be >= 0", spec.name);
  }
  if (spec.schedule) {
    if (spec.policy == SchedulingPolicy::kContinuous) {
      return Status::InvalidArgument(
          "synced table {}: a CONTINUOUS table runs all the time and takes no schedule; use "
          "TRIGGERED or SNAPSHOT with schedule '{}'",
          spec.name, *spec.schedule);
    }
    auto parsed = Schedule::Parse(*spec.schedule);
    if (!parsed.ok()) {
      return Status::InvalidArgument("synced table {}: {}", spec.name, parsed.status().message());
    }
  }
  return Status::OK();
}

}  // namespace lakesync::sync
