// SyncedTableSpec: what a synced table is (Databricks' SyncedTableSpec, as lakesync keeps it):
// the target table, the Delta source, the key, and how often it is refreshed.
// Thread-safety: plain values.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lakesync/common/result.h"

namespace lakesync::sync {

/// How a synced table is refreshed (Databricks' scheduling_policy).
enum class SchedulingPolicy {
  kSnapshot,    // every run copies the whole table; no change data feed needed
  kTriggered,   // each run applies the change data feed since the last run
  kContinuous,  // a long-running pipeline applies new commits as they land
};

std::string_view SchedulingPolicyName(SchedulingPolicy policy);  // "SNAPSHOT", ...
Result<SchedulingPolicy> ParseSchedulingPolicy(std::string_view name);

struct SyncedTableSpec {
  std::string name;    // the PostgreSQL table, "schema.table" (the synced table's identity)
  std::string source;  // the Delta table: a local path or URL
  std::vector<std::string> primary_key;
  std::optional<std::string> timeseries_key;  // picks the latest row among equal keys
  SchedulingPolicy policy = SchedulingPolicy::kTriggered;
  /// A batch changing more than this fraction of the table's rows is applied as a full
  /// snapshot instead (Databricks' "10x rule": a rewrite is cheaper than that many upserts).
  double full_refresh_fraction = 0.1;
  /// ... but only when it also holds more changes than this: below it a snapshot of a small
  /// table saves nothing, and applying changes keeps the table's own indexes and locks short.
  int64_t full_refresh_min_changes = 10'000;
  /// Most connections a snapshot load of this table opens on the target at once (fewer when
  /// the target has fewer to spare; limits.h). Creation fails when the target cannot fit it.
  int max_connections = 16;
  /// When a TRIGGERED or SNAPSHOT table is refreshed without being asked, in Schedule's syntax
  /// (schedule.h): an interval ("every 5m") or a cron expression ("0 3 * * *"). None: only on
  /// request. CONTINUOUS tables run all the time and take none.
  std::optional<std::string> schedule;
};

/// Checks the spec's own fields (not the source): a name, a source, at least one key column,
/// no repeated key columns, a timeseries key that is not a key column, a fraction in (0, 1],
/// a schedule that parses, and only on a TRIGGERED or SNAPSHOT table, max_connections >= 1.
Status ValidateSpec(const SyncedTableSpec& spec);

}  // namespace lakesync::sync
