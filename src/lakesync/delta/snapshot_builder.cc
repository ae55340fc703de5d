#include "lakesync/delta/snapshot_builder.h"

#include <algorithm>
#include <unordered_set>

#include "lakesync/common/macros.h"
#include "lakesync/delta/log_files.h"
#include "lakesync/delta/log_parser.h"

namespace lakesync::delta {

namespace {

// The logical file key of an add or remove: its path, unless it has a deletion vector.
template <typename FileAction>
std::string_view KeyOf(const FileAction& file, std::string* storage) {
  if (!file.deletion_vector) return file.path;
  *storage = LogicalFileKey(file.path, file.deletion_vector);
  return *storage;
}

}  // namespace

void SnapshotBuilder::ApplyRemoves(const std::vector<Action>& actions) {
  std::string storage;
  for (const auto& action : actions) {
    if (const auto* remove = std::get_if<RemoveFile>(&action)) {
      const std::string_view key = KeyOf(*remove, &storage);
      live_.Erase(key, HashFileKey(key));
    }
  }
}

void SnapshotBuilder::ApplyOthers(std::vector<Action>& actions) {
  for (auto& action : actions) {
    if (auto* add = std::get_if<AddFile>(&action)) {
      live_.PutFull(std::move(*add));
    } else if (auto* protocol = std::get_if<Protocol>(&action)) {
      protocol_ = std::move(*protocol);
    } else if (auto* metadata = std::get_if<Metadata>(&action)) {
      metadata_ = std::move(*metadata);
    } else if (auto* txn = std::get_if<SetTransaction>(&action)) {
      transactions_.insert_or_assign(txn->app_id, std::move(*txn));
    } else if (auto* domain = std::get_if<DomainMetadata>(&action)) {
      if (domain->removed) {
        domains_.erase(domain->domain);
      } else {
        domains_.insert_or_assign(domain->domain, std::move(*domain));
      }
    }
    // removes applied first; cdc, commitInfo, sidecar and checkpointMetadata do not change the
    // table state.
  }
}

Status SnapshotBuilder::ApplyCheckpoint(int64_t version, std::vector<Action> actions) {
  if (version_ >= 0) {
    return Status::Internal("checkpoint {} applied after version {}", version, version_);
  }
  ApplyRemoves(actions);
  ApplyOthers(actions);
  version_ = version;
  checkpoint_version_ = version;
  return Status::OK();
}

Status SnapshotBuilder::ApplyCommit(int64_t version, ReplayCommit& commit, int64_t file_mtime_ms) {
  if (version != version_ + 1) {
    return Status::InvalidArgument("commit {} applied after version {}", version, version_);
  }
  CommitRecord record;
  record.version = version;
  record.timestamp_ms = file_mtime_ms;
  for (auto& action : commit.actions) {
    if (auto* info = std::get_if<CommitInfo>(&action)) {
      if (info->in_commit_timestamp) record.timestamp_ms = *info->in_commit_timestamp;
      record.commit_info = std::move(*info);
    }
  }
  // Removes first, then adds: actions inside one commit carry no order, and a commit that
  // removes and re-adds the same logical file (e.g. to update its stats) leaves it present.
  for (const FileKey& file : commit.files) {
    if (!file.is_add) live_.Erase(file.key, file.hash);
  }
  ApplyRemoves(commit.actions);
  for (const FileKey& file : commit.files) {
    if (file.is_add) live_.PutBorrowed(file.key, file.hash, file.line, file.line_no, version);
  }
  ApplyOthers(commit.actions);
  commits_.push_back(std::move(record));
  version_ = version;
  return Status::OK();
}

Status SnapshotBuilder::ApplyCompaction(int64_t first, int64_t last, std::vector<Action> actions) {
  if (first != version_ + 1 || last < first) {
    return Status::InvalidArgument("log compaction {}..{} applied after version {}", first, last,
                                   version_);
  }
  // Writers list a compaction's actions newest first and may repeat a key (delta-kernel-rs
  // does); a reconciled one has each key once. Either way the first action per key is the
  // state at `last`.
  std::unordered_set<std::string> seen;
  std::vector<Action> reconciled;
  for (auto& action : actions) {
    std::string key;
    if (const auto* add = std::get_if<AddFile>(&action)) {
      key = "f" + LogicalFileKey(add->path, add->deletion_vector);
    } else if (const auto* remove = std::get_if<RemoveFile>(&action)) {
      key = "f" + LogicalFileKey(remove->path, remove->deletion_vector);
    } else if (std::holds_alternative<Protocol>(action)) {
      key = "p";
    } else if (std::holds_alternative<Metadata>(action)) {
      key = "m";
    } else if (const auto* txn = std::get_if<SetTransaction>(&action)) {
      key = "t" + txn->app_id;
    } else if (const auto* domain = std::get_if<DomainMetadata>(&action)) {
      key = "d" + domain->domain;
    } else {
      continue;
    }
    if (seen.insert(std::move(key)).second) reconciled.push_back(std::move(action));
  }
  ApplyRemoves(reconciled);
  ApplyOthers(reconciled);
  version_ = last;
  return Status::OK();
}

Result<std::unique_ptr<Snapshot>> SnapshotBuilder::Build(std::shared_ptr<storage::FileSystem> fs,
                                                         std::string table_root) {
  if (version_ < 0) return Status::NotFound("not a Delta table: {}", table_root);
  if (!protocol_) {
    return Status::Corruption("Delta table {} has no protocol action at version {}", table_root,
                              version_);
  }
  if (!metadata_) {
    return Status::Corruption("Delta table {} has no metaData action at version {}", table_root,
                              version_);
  }
  LAKESYNC_RETURN_NOT_OK(
      CheckReadSupported(*protocol_).WithContext(fmt::format("Delta table {}", table_root)));
  // A metaData without schemaString (seen only in log-level test tables) reads as a table
  // without columns; a Scan of it then has nothing to return.
  auto schema = metadata_->schema_string.empty() ? Result<TableSchema>(TableSchema{})
                                                 : ParseSchema(metadata_->schema_string);
  if (!schema.ok()) {
    return schema.status().WithContext(
        fmt::format("Delta table {} version {}", table_root, version_));
  }
  // Column mapping is honoured only when the protocol supports it (reader 2, or 3 + feature).
  ColumnMappingMode mode = ColumnMappingMode::kNone;
  if (protocol_->min_reader_version == 2 ||
      (protocol_->min_reader_version >= 3 && protocol_->HasReaderFeature("columnMapping"))) {
    auto parsed = ColumnMappingModeFromConfig(metadata_->configuration);
    if (!parsed.ok()) {
      return parsed.status().WithContext(fmt::format("Delta table {}", table_root));
    }
    mode = *parsed;
  }
  for (const auto& column : metadata_->partition_columns) {
    if (schema->FieldIndex(column) < 0) {
      return Status::Corruption("Delta table {}: partition column '{}' is not in the schema",
                                table_root, column);
    }
  }

  std::unique_ptr<Snapshot> snapshot(new Snapshot());
  snapshot->fs_ = std::move(fs);
  snapshot->table_root_ = std::move(table_root);
  snapshot->version_ = version_;
  snapshot->protocol_ = std::move(*protocol_);
  snapshot->metadata_ = std::move(*metadata_);
  snapshot->schema_ = std::move(schema).value();
  snapshot->column_mapping_mode_ = mode;
  snapshot->files_.reserve(live_.size());
  Status read = Status::OK();
  live_.ForEach([&](LiveFileTable::File& file) {
    if (!read.ok()) return;
    if (file.full) {
      snapshot->files_.push_back(std::move(*file.full));
      return;
    }
    auto full = ParseAddLine(file.line, file.line_no, CommitFileName(file.version));
    if (!full.ok()) {
      read = full.status().WithContext(fmt::format("Delta table {}", snapshot->table_root_));
      return;
    }
    snapshot->files_.push_back(std::move(full).value());
  });
  LAKESYNC_RETURN_NOT_OK(read);
  std::sort(snapshot->files_.begin(), snapshot->files_.end(),
            [](const auto& a, const auto& b) { return a.path < b.path; });
  snapshot->transactions_ = std::move(transactions_);
  snapshot->domains_ = std::move(domains_);
  snapshot->commits_ = std::move(commits_);
  snapshot->checkpoint_version_ = checkpoint_version_;
  live_.Clear();
  version_ = -1;
  return snapshot;
}

}  // namespace lakesync::delta
