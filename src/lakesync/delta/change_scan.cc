#include "lakesync/delta/change_scan.h"

#include <map>
#include <thread>

#include "lakesync/common/macros.h"
#include "lakesync/common/strings.h"
#include "lakesync/delta/log_files.h"
#include "lakesync/delta/log_parser.h"
#include "lakesync/delta/scan_internal.h"

namespace lakesync::delta {

namespace {

constexpr std::string_view kChangeTypeColumn = "_change_type";

OutputColumn GeneratedColumn(std::string name, DataType type, OutputKind kind) {
  OutputColumn column;
  column.field = Field{name, std::move(type), false};
  column.meta.physical_name = name;
  column.kind = kind;
  return column;
}

FileTask Task(const CommitActions& commit, AddFile file, std::optional<std::string> change_type) {
  FileTask task;
  task.file = std::move(file);
  task.change_type = std::move(change_type);
  task.commit_version = commit.version;
  task.commit_timestamp_ms = commit.timestamp_ms;
  return task;
}

AddFile FromRemove(const RemoveFile& remove) {
  AddFile file;
  file.path = remove.path;
  file.partition_values = remove.partition_values;
  file.size = remove.size.value_or(0);
  file.deletion_vector = remove.deletion_vector;
  file.data_change = remove.data_change;
  return file;
}

// The file tasks of one commit, in the order the changes should be applied.
void PlanCommit(const CommitActions& commit, std::vector<FileTask>* tasks) {
  bool has_cdc = false;
  for (const auto& action : commit.actions) {
    if (std::holds_alternative<AddCDCFile>(action)) has_cdc = true;
  }
  if (has_cdc) {
    for (const auto& action : commit.actions) {
      if (const auto* cdc = std::get_if<AddCDCFile>(&action)) {
        AddFile file;
        file.path = cdc->path;
        file.partition_values = cdc->partition_values;
        file.size = cdc->size;
        tasks->push_back(Task(commit, std::move(file), std::nullopt));
      }
    }
    return;
  }
  // Removes and adds of the same path in one commit change only that file's deletion vector.
  std::map<std::string, const RemoveFile*> removes;
  for (const auto& action : commit.actions) {
    if (const auto* remove = std::get_if<RemoveFile>(&action); remove && remove->data_change) {
      removes[remove->path] = remove;
    }
  }
  std::vector<FileTask> inserts;
  for (const auto& action : commit.actions) {
    const auto* add = std::get_if<AddFile>(&action);
    if (add == nullptr || !add->data_change) continue;
    auto it = removes.find(add->path);
    if (it == removes.end()) {
      inserts.push_back(Task(commit, *add, "insert"));
      continue;
    }
    const RemoveFile& remove = *it->second;
    // Newly deleted rows: in the add's DV but not in the remove's.
    if (add->deletion_vector) {
      FileTask task = Task(commit, *add, "delete");
      task.only_rows = add->deletion_vector;
      task.file.deletion_vector = remove.deletion_vector;
      tasks->push_back(std::move(task));
    }
    // Restored rows: in the remove's DV but not in the add's.
    if (remove.deletion_vector) {
      FileTask task = Task(commit, *add, "insert");
      task.only_rows = remove.deletion_vector;
      inserts.push_back(std::move(task));
    }
    removes.erase(it);
  }
  for (const auto& [path, remove] : removes) {
    tasks->push_back(Task(commit, FromRemove(*remove), "delete"));
  }
  for (auto& task : inserts) tasks->push_back(std::move(task));
}

}  // namespace

Result<std::vector<CommitActions>> ReadCommits(storage::FileSystem& fs,
                                               const std::string& table_root, int64_t first,
                                               int64_t last) {
  const std::string log_dir = storage::JoinPath(table_root, "_delta_log");
  const size_t n = last >= first ? static_cast<size_t>(last - first + 1) : 0;
  std::vector<CommitActions> out(n);
  std::vector<Status> statuses(n);
  // One request per commit (its time comes with it), several in flight: an object store
  // answers each in tens of milliseconds, and a day's worth of commits is thousands.
  auto read = [&](size_t i) -> Status {
    const int64_t v = first + static_cast<int64_t>(i);
    const std::string path = storage::JoinPath(log_dir, CommitFileName(v));
    std::string contents;
    auto info = fs.ReadFileInto(path, [&contents](size_t size) {
      contents.resize(size);
      return contents.data();
    });
    if (!info.ok()) {
      if (!info.status().IsNotFound()) return info.status();
      return Status::NotFound(
          "the changes of version {} of Delta table {} cannot be read: its commit file {} is "
          "missing (the log was cleaned up past it); a full refresh is needed",
          v, table_root, CommitFileName(v));
    }
    CommitActions& commit = out[i];
    commit.version = v;
    commit.timestamp_ms = info->mtime_ms;
    LAKESYNC_ASSIGN_OR_RETURN(commit.actions, ParseActions(contents, path));
    for (const auto& action : commit.actions) {
      if (const auto* ci = std::get_if<CommitInfo>(&action); ci && ci->in_commit_timestamp) {
        commit.timestamp_ms = *ci->in_commit_timestamp;
      }
    }
    return Status::OK();
  };
  const size_t lanes = std::min<size_t>(8, (n + 3) / 4);
  auto work = [&](size_t lane) {
    for (size_t i = lane; i < n; i += lanes) statuses[i] = read(i);
  };
  std::vector<std::thread> threads;
  for (size_t lane = 1; lane < lanes; ++lane) threads.emplace_back(work, lane);
  if (lanes > 0) work(0);
  for (auto& t : threads) t.join();
  // The first failure in version order, as a one-by-one read would report it.
  for (const Status& st : statuses) LAKESYNC_RETURN_NOT_OK(st);
  return out;
}

namespace {

bool CdfEnabled(const Metadata& metadata) {
  auto it = metadata.configuration.find("delta.enableChangeDataFeed");
  return it != metadata.configuration.end() && EqualsIgnoreCase(it->second, "true");
}

// The output columns `end_columns` as a commit written under `schema` finds them in its files:
// a column is matched by column-mapping id where both have one, else by name; one the commit's
// schema lacks reads as nulls (added later), so old rows never pick up a dropped column's data.
std::shared_ptr<const std::vector<OutputColumn>> ColumnsUnder(
    const std::vector<OutputColumn>& end_columns, const TableSchema& schema,
    ColumnMappingMode mode) {
  auto out = std::make_shared<std::vector<OutputColumn>>(end_columns);
  for (OutputColumn& column : *out) {
    if (column.kind != OutputKind::kData && column.kind != OutputKind::kPartition) continue;
    int idx = -1;
    if (column.meta.id >= 0) {
      for (size_t i = 0; i < schema.metas.size(); ++i) {
        if (schema.metas[i].id == column.meta.id) idx = static_cast<int>(i);
      }
    }
    if (idx < 0 && (column.meta.id < 0 || mode == ColumnMappingMode::kNone)) {
      idx = schema.FieldIndex(column.field.name);
    }
    if (idx < 0) {
      column.kind = OutputKind::kAbsent;
      continue;
    }
    if (static_cast<size_t>(idx) < schema.metas.size()) {
      column.meta.physical_name = schema.metas[idx].physical_name;
      column.meta.id = schema.metas[idx].id;
    }
    column.partition_key = schema.PhysicalName(static_cast<size_t>(idx), mode);
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<ChangeScan>> ChangeScan::Make(const Snapshot& end, int64_t start_version,
                                                     ChangeScanOptions options) {
  if (start_version < 0 || start_version > end.version()) {
    return Status::InvalidArgument("change range [{}, {}] of Delta table {} is empty or negative",
                                   start_version, end.version(), end.table_root());
  }
  auto plan = std::make_shared<ScanPlan>();
  plan->fs = end.file_system();
  plan->table_root = end.table_root();
  plan->mode = end.column_mapping_mode();
  plan->options.num_threads = options.num_threads;
  LAKESYNC_ASSIGN_OR_RETURN(plan->columns, ProjectColumns(end, options.columns));
  plan->columns.push_back(GeneratedColumn(std::string(kChangeTypeColumn),
                                          DataType::Primitive(TypeId::kString),
                                          OutputKind::kChangeType));
  plan->columns.push_back(GeneratedColumn("_commit_version", DataType::Primitive(TypeId::kInt64),
                                          OutputKind::kCommitVersion));
  plan->columns.push_back(GeneratedColumn("_commit_timestamp",
                                          DataType::Timestamp(TimeUnit::kMicros, true),
                                          OutputKind::kCommitTimestamp));
  for (const auto& column : plan->columns) plan->schema.push_back(column.field);

  LAKESYNC_ASSIGN_OR_RETURN(auto commits,
                            ReadCommits(*plan->fs, plan->table_root, start_version, end.version()));
  // The metadata in force at each commit: the table's before the range (from a snapshot of
  // the version before it), then each commit's own metaData action.
  std::optional<Metadata> metadata;
  if (start_version > 0) {
    auto before = Snapshot::Open(plan->fs, plan->table_root, SnapshotOptions{start_version - 1});
    if (!before.ok()) {
      return before.status().WithContext(
          fmt::format("the change data feed of Delta table {} from version {}", end.table_root(),
                      start_version));
    }
    metadata = (*before)->metadata();
  }
  std::shared_ptr<const std::vector<OutputColumn>> columns;  // null: the end schema's
  for (const auto& commit : commits) {
    bool changed = false;
    for (const auto& action : commit.actions) {
      if (const auto* m = std::get_if<Metadata>(&action)) {
        metadata = *m;
        changed = true;
      }
    }
    if (!metadata) {
      return Status::Corruption("Delta table {}: no metaData action at version {}",
                                end.table_root(), commit.version);
    }
    if (!CdfEnabled(*metadata)) {
      return Status::InvalidArgument(
          "the change data feed of Delta table {} is not enabled at version {} (changes of "
          "versions {} to {} were asked for). Enable it with: ALTER TABLE delta.`{}` SET "
          "TBLPROPERTIES (delta.enableChangeDataFeed = true); changes are recorded only from "
          "the version that enables it on",
          end.table_root(), commit.version, start_version, end.version(), end.table_root());
    }
    if (changed || (commit.version == start_version && start_version > 0)) {
      if (metadata->schema_string == end.metadata().schema_string) {
        columns.reset();
      } else {
        auto schema = ParseSchema(metadata->schema_string);
        if (!schema.ok()) {
          return schema.status().WithContext(
              fmt::format("Delta table {} version {}", end.table_root(), commit.version));
        }
        columns = ColumnsUnder(plan->columns, *schema, plan->mode);
      }
    }
    const size_t first_task = plan->tasks.size();
    PlanCommit(commit, &plan->tasks);
    for (size_t i = first_task; i < plan->tasks.size(); ++i) plan->tasks[i].columns = columns;
  }
  return std::unique_ptr<ChangeScan>(new ChangeScan(std::move(plan)));
}

const std::vector<Field>& ChangeScan::schema() const { return plan_->schema; }

size_t ChangeScan::num_files() const { return plan_->tasks.size(); }

Result<std::unique_ptr<ScanIterator>> ChangeScan::Open() const {
  return NewScanIterator(plan_, 0, plan_->tasks.size());
}

}  // namespace lakesync::delta
