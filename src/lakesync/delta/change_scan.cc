#include "lakesync/delta/change_scan.h"

#include <map>

#include "lakesync/common/macros.h"
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
  std::vector<CommitActions> out;
  for (int64_t v = first; v <= last; ++v) {
    const std::string path = storage::JoinPath(log_dir, CommitFileName(v));
    LAKESYNC_ASSIGN_OR_RETURN(auto info, fs.GetFileInfo(path));
    if (!info.exists) {
      return Status::NotFound("commit {} of Delta table {} is not in the log ({} is missing)", v,
                              table_root, CommitFileName(v));
    }
    LAKESYNC_ASSIGN_OR_RETURN(auto contents, fs.ReadFile(path));
    CommitActions commit;
    commit.version = v;
    commit.timestamp_ms = info.mtime_ms;
    LAKESYNC_ASSIGN_OR_RETURN(commit.actions, ParseActions(contents, path));
    for (const auto& action : commit.actions) {
      if (const auto* ci = std::get_if<CommitInfo>(&action); ci && ci->in_commit_timestamp) {
        commit.timestamp_ms = *ci->in_commit_timestamp;
      }
    }
    out.push_back(std::move(commit));
  }
  return out;
}

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
  for (const auto& commit : commits) PlanCommit(commit, &plan->tasks);
  return std::unique_ptr<ChangeScan>(new ChangeScan(std::move(plan)));
}

const std::vector<Field>& ChangeScan::schema() const { return plan_->schema; }

size_t ChangeScan::num_files() const { return plan_->tasks.size(); }

Result<std::unique_ptr<ScanIterator>> ChangeScan::Open() const {
  return NewScanIterator(plan_, 0, plan_->tasks.size());
}

}  // namespace lakesync::delta
