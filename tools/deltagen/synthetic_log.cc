#include "deltagen/synthetic_log.h"

#include <fmt/format.h>

#include <vector>

#include "deltagen/delta_writer.h"
#include "deltagen/fields.h"
#include "lakesync/common/macros.h"

namespace lakesync::deltagen {

namespace {

AddAction SmallFile(int64_t n, int64_t rows, int64_t clock_ms) {
  AddAction add;
  add.path = fmt::format("part-{:05d}-{:012d}-c000.snappy.parquet", n % 100'000, n);
  add.size = 40'000 + n % 997;
  add.modification_time = clock_ms;
  add.num_records = rows;
  const int64_t lo = n * rows;
  add.stats = fmt::format(
      R"({{"numRecords":{},"minValues":{{"id":{},"event":"click","ts":"2024-01-01T00:00:00.000Z"}},"maxValues":{{"id":{},"event":"view","ts":"2024-01-01T23:59:59.999Z"}},"nullCount":{{"id":0,"event":{},"ts":0}}}})",
      rows, lo, lo + rows - 1, n % 3);
  return add;
}

}  // namespace

Result<SyntheticLogSummary> WriteSyntheticLog(std::shared_ptr<storage::FileSystem> fs,
                                              const std::string& root,
                                              const SyntheticLogOptions& options) {
  if (options.commits < 1 || options.adds_per_commit < 1) {
    return Status::InvalidArgument("a synthetic log needs at least one commit and one add each");
  }
  DeltaTableOptions table;
  table.name = "synthetic_events";
  table.schema = {MakeField("id", DataType::Primitive(TypeId::kInt64), false),
                  MakeField("event", DataType::Primitive(TypeId::kString), true),
                  MakeField("ts", DataType::Timestamp(TimeUnit::kMicros, true), true)};
  table.clock_ms = 1'704'067'200'000;  // 2024-01-01
  LAKESYNC_ASSIGN_OR_RETURN(auto writer, DeltaTableWriter::Create(fs, root, table));
  SyntheticLogSummary summary;
  int64_t next_file = 0;
  std::vector<AddAction> since_optimize;
  for (int64_t c = 0; c < options.commits; ++c) {
    CommitSpec commit;
    const int64_t now = *table.clock_ms + c * 1000;
    if (options.optimize_every > 0 && c > 0 && c % options.optimize_every == 0 &&
        !since_optimize.empty()) {
      commit.operation = "OPTIMIZE";
      commit.operation_parameters = {{"predicate", "[]"}, {"zOrderBy", "[]"}};
      int64_t rows = 0;
      for (const AddAction& old : since_optimize) {
        RemoveAction remove = writer->RemoveFor(old);
        remove.data_change = false;
        commit.removes.push_back(std::move(remove));
        rows += old.num_records;
      }
      for (int k = 0; k < options.optimized_files; ++k) {
        AddAction add = SmallFile(next_file++, rows / options.optimized_files, now);
        add.size *= 50;
        add.data_change = false;
        commit.adds.push_back(std::move(add));
      }
      since_optimize.clear();
    } else {
      commit.operation = "WRITE";
      commit.operation_parameters = {{"mode", "Append"}, {"partitionBy", "[]"}};
      for (int k = 0; k < options.adds_per_commit; ++k) {
        AddAction add = SmallFile(next_file++, 1000, now);
        since_optimize.push_back(add);
        commit.adds.push_back(std::move(add));
      }
    }
    summary.adds += static_cast<int64_t>(commit.adds.size());
    summary.removes += static_cast<int64_t>(commit.removes.size());
    LAKESYNC_ASSIGN_OR_RETURN(summary.version, writer->Commit(commit));
    // Tombstones matter only to checkpoints; without them, holding a million is waste.
    if (options.checkpoint_every == 0) writer->ExpireTombstones();
    if (options.checkpoint_every > 0 && (c + 1) % options.checkpoint_every == 0) {
      writer->ExpireTombstones();
      LAKESYNC_RETURN_NOT_OK(writer->Checkpoint());
      ++summary.checkpoints;
    }
  }
  summary.active_files = static_cast<int64_t>(writer->active_files().size());
  return summary;
}

}  // namespace lakesync::deltagen
