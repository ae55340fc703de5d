#include "lakesync/sync/sync_metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <mutex>

#include "lakesync/common/macros.h"
#include "lakesync/delta/log_files.h"
#include "lakesync/storage/file_system.h"

namespace lakesync::sync {
namespace {

constexpr std::string_view kRows = "lakesync_rows_synced_total";
constexpr std::string_view kBatches = "lakesync_batches_synced_total";
constexpr std::string_view kErrors = "lakesync_sync_errors_total";
constexpr std::string_view kDuration = "lakesync_sync_duration_seconds";
constexpr std::string_view kLastVersion = "lakesync_last_processed_version";
constexpr std::string_view kSourceVersion = "lakesync_source_version";
constexpr std::string_view kLagVersions = "lakesync_lag_versions";
constexpr std::string_view kLagSeconds = "lakesync_lag_seconds";
constexpr std::string_view kTargetRows = "lakesync_target_rows";
constexpr std::string_view kLeaseHeld = "lakesync_lease_held";
constexpr std::string_view kLeaseChanges = "lakesync_lease_changes_total";

void Declare() {
  static std::once_flag once;
  std::call_once(once, [] {
    using metrics::Type;
    auto& r = metrics::Global();
    r.Declare(kRows, Type::kCounter,
              "Rows written to the synced table, by operation (insert, update, delete)");
    r.Declare(kBatches, Type::kCounter,
              "Runs that committed a batch, by mode (snapshot, incremental)");
    r.Declare(kErrors, Type::kCounter, "Runs that failed (and rolled back)");
    r.Declare(kDuration, Type::kHistogram, "Duration of runs, successful or not, by mode");
    r.Declare(kLastVersion, Type::kGauge, "Last source version committed to the synced table");
    r.Declare(kSourceVersion, Type::kGauge, "Latest version of the source Delta table");
    r.Declare(kLagVersions, Type::kGauge,
              "Source versions not yet applied (source version - last processed version)");
    r.Declare(kLagSeconds, Type::kGauge,
              "Age of the oldest source commit not yet applied; 0 when caught up");
    r.Declare(kTargetRows, Type::kGauge, "Rows in the synced table after the last run");
    r.Declare(kLeaseHeld, Type::kGauge,
              "1 while this daemon holds the table's lease (runs it), 0 once released or lost");
    r.Declare(kLeaseChanges, Type::kCounter,
              "Lease events of this daemon, by event (acquired, released, lost)");
  });
}

metrics::Labels With(metrics::Labels labels, std::string key, std::string value) {
  labels.emplace_back(std::move(key), std::move(value));
  return labels;
}

}  // namespace

metrics::Labels TableLabels(const std::string& database, const std::string& table) {
  return {{"database", database}, {"table", table}};
}

void RecordRunMetrics(const std::string& database, const std::string& table, const SyncRun& run,
                      const Status& outcome) {
  Declare();
  auto& r = metrics::Global();
  const metrics::Labels labels = TableLabels(database, table);
  std::string mode = run.mode == "SNAPSHOT" ? "snapshot" : "incremental";
  r.Observe(kDuration, With(labels, "mode", mode), run.seconds);
  if (!outcome.ok()) {
    r.Add(kErrors, labels);
    return;
  }
  r.Add(kRows, With(labels, "operation", "insert"), static_cast<double>(run.rows_inserted));
  r.Add(kRows, With(labels, "operation", "update"), static_cast<double>(run.rows_updated));
  r.Add(kRows, With(labels, "operation", "delete"), static_cast<double>(run.rows_deleted));
  r.Add(kBatches, With(labels, "mode", mode));
  if (run.to_version) r.Set(kLastVersion, labels, static_cast<double>(*run.to_version));
}

Result<SourceLag> MeasureLag(const std::string& source, std::optional<int64_t> last_processed) {
  LAKESYNC_ASSIGN_OR_RETURN(auto fs, storage::FileSystemForPath(source));
  std::string root = source;
  if (root.starts_with("file://")) root = root.substr(7);
  const std::string log_dir = storage::JoinPath(root, "_delta_log");
  const int64_t after = last_processed.value_or(-1);
  // Commit files sort by version, so a listing from the last processed one finds the rest.
  std::vector<storage::FileInfo> entries;
  if (after >= 0) {
    LAKESYNC_ASSIGN_OR_RETURN(entries, fs->ListDirAfter(log_dir, fmt::format("{:020d}", after)));
  } else {
    LAKESYNC_ASSIGN_OR_RETURN(entries, fs->ListDir(log_dir));
  }
  SourceLag lag;
  lag.source_version = after;
  int64_t oldest_pending_ms = -1;
  int64_t oldest_pending_version = INT64_MAX;
  for (const auto& e : entries) {
    delta::LogFileName f = delta::ParseLogFileName(storage::BaseName(e.path));
    if (f.kind != delta::LogFileKind::kCommit) continue;
    lag.source_version = std::max(lag.source_version, f.version);
    if (f.version > after && f.version < oldest_pending_version) {
      oldest_pending_version = f.version;
      oldest_pending_ms = e.mtime_ms;
    }
  }
  if (lag.source_version < 0) return Status::NotFound("not a Delta table: {}", source);
  lag.versions = std::max<int64_t>(0, lag.source_version - after);
  if (oldest_pending_ms >= 0) {
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    lag.seconds = std::max<double>(0, static_cast<double>(now_ms - oldest_pending_ms) / 1000.0);
  }
  return lag;
}

void RecordLagMetrics(const std::string& database, const std::string& table,
                      std::optional<int64_t> last_processed, const SourceLag& lag) {
  Declare();
  auto& r = metrics::Global();
  const metrics::Labels labels = TableLabels(database, table);
  r.Set(kSourceVersion, labels, static_cast<double>(lag.source_version));
  if (last_processed) r.Set(kLastVersion, labels, static_cast<double>(*last_processed));
  r.Set(kLagVersions, labels, static_cast<double>(lag.versions));
  r.Set(kLagSeconds, labels, lag.seconds);
}

void RecordTargetRows(const std::string& database, const std::string& table, int64_t rows) {
  Declare();
  metrics::Global().Set(kTargetRows, TableLabels(database, table), static_cast<double>(rows));
}

void RecordLeaseHeld(const std::string& database, const std::string& table, bool held) {
  Declare();
  auto& r = metrics::Global();
  const metrics::Labels labels = TableLabels(database, table);
  r.Set(kLeaseHeld, labels, held ? 1 : 0);
}

void RecordLeaseEvent(const std::string& database, const std::string& table,
                      std::string_view event) {
  Declare();
  metrics::Global().Add(kLeaseChanges,
                        With(TableLabels(database, table), "event", std::string(event)));
}

void ForgetTableMetrics(const std::string& database, const std::string& table) {
  auto& r = metrics::Global();
  const metrics::Labels labels = TableLabels(database, table);
  for (std::string_view gauge :
       {kSourceVersion, kLastVersion, kLagVersions, kLagSeconds, kTargetRows}) {
    r.RemoveSeries(labels, gauge);
  }
}

}  // namespace lakesync::sync
