#include "lakesync/delta/snapshot_builder.h"

#include <algorithm>
#include <unordered_set>

#include "lakesync/common/macros.h"
#include "lakesync/delta/log_files.h"

namespace lakesync::delta {

namespace {

size_t HashKey(std::string_view key) { return std::hash<std::string_view>{}(key); }

}  // namespace

std::vector<size_t> SnapshotBuilder::KeyHashes(const std::vector<Action>& actions) {
  std::vector<size_t> hashes;
  auto hash = [](const auto& file) {
    return file.deletion_vector ? HashKey(LogicalFileKey(file.path, file.deletion_vector))
                                : HashKey(file.path);
  };
  for (const auto& action : actions) {
    if (const auto* add = std::get_if<AddFile>(&action)) {
      hashes.push_back(hash(*add));
    } else if (const auto* remove = std::get_if<RemoveFile>(&action)) {
      hashes.push_back(hash(*remove));
    }
  }
  return hashes;
}

void SnapshotBuilder::ApplyFileActions(std::vector<Action>& actions,
                                       std::span<const size_t> key_hashes, int64_t version,
                                       std::span<RawAdd> raw_adds) {
  // The i-th add or remove's key hash: given, or computed here.
  std::vector<size_t> computed;
  if (key_hashes.empty()) {
    computed = KeyHashes(actions);
    key_hashes = computed;
  }
  // Removes first, then adds: actions inside one commit carry no order, and a commit that
  // removes and re-adds the same logical file (e.g. to update its stats) leaves it present.
  size_t file_index = 0;
  for (auto& action : actions) {
    if (std::holds_alternative<AddFile>(action)) {
      ++file_index;
    } else if (auto* remove = std::get_if<RemoveFile>(&action)) {
      const size_t hash = key_hashes[file_index++];
      // Most removes carry no DV: look the path up as it is, without building a key.
      auto it =
          remove->deletion_vector
              ? adds_.find(KeyProbe{LogicalFileKey(remove->path, remove->deletion_vector), hash})
              : adds_.find(KeyProbe{remove->path, hash});
      if (it != adds_.end()) {
        // The dropped add's larger parts move into the remove, so that they are freed with
        // the actions (by the caller, off the replay's critical path), not here.
        auto node = adds_.extract(it);
        LiveFile& dropped = node.mapped();
        remove->stats =
            dropped.raw.line.empty() ? std::move(dropped.add.stats) : std::move(dropped.raw.line);
        remove->partition_values = std::move(dropped.add.partition_values);
        remove->tags = std::move(dropped.add.tags);
      }
    }
  }
  file_index = 0;
  size_t add_index = 0;
  for (auto& action : actions) {
    if (std::holds_alternative<RemoveFile>(action)) {
      ++file_index;
    } else if (auto* add = std::get_if<AddFile>(&action)) {
      // Without a DV the key is the path: move it into the key and leave the value's path
      // empty (Build restores it), saving a copy per add on a million-add log.
      std::string key;
      if (add->deletion_vector) {
        key = LogicalFileKey(add->path, add->deletion_vector);
      } else {
        key = std::move(add->path);
        add->path.clear();
      }
      LiveFile file{std::move(*add), {}, version};
      if (!raw_adds.empty()) file.raw = std::move(raw_adds[add_index]);
      ++add_index;
      adds_.insert_or_assign(HashedKey{std::move(key), key_hashes[file_index++]}, std::move(file));
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
    // cdc, commitInfo, sidecar and checkpointMetadata do not change the table state.
  }
}

Status SnapshotBuilder::ApplyCheckpoint(int64_t version, std::vector<Action> actions) {
  if (version_ >= 0) {
    return Status::Internal("checkpoint {} applied after version {}", version, version_);
  }
  ApplyFileActions(actions);
  version_ = version;
  checkpoint_version_ = version;
  return Status::OK();
}

Status SnapshotBuilder::ApplyCommit(int64_t version, std::vector<Action>& actions,
                                    int64_t file_mtime_ms, std::span<const size_t> key_hashes,
                                    std::span<RawAdd> raw_adds) {
  if (version != version_ + 1) {
    return Status::InvalidArgument("commit {} applied after version {}", version, version_);
  }
  CommitRecord record;
  record.version = version;
  record.timestamp_ms = file_mtime_ms;
  size_t file_actions = 0, adds = 0;
  for (auto& action : actions) {
    if (auto* info = std::get_if<CommitInfo>(&action)) {
      if (info->in_commit_timestamp) record.timestamp_ms = *info->in_commit_timestamp;
      record.commit_info = std::move(*info);
    } else if (std::holds_alternative<AddFile>(action)) {
      ++file_actions;
      ++adds;
    } else if (std::holds_alternative<RemoveFile>(action)) {
      ++file_actions;
    }
  }
  if (!raw_adds.empty() && raw_adds.size() != adds) {
    return Status::Internal("commit {}: {} add lines for {} adds", version, raw_adds.size(), adds);
  }
  if (!key_hashes.empty() && key_hashes.size() != file_actions) {
    return Status::Internal("commit {}: {} key hashes for {} file actions", version,
                            key_hashes.size(), file_actions);
  }
  ApplyFileActions(actions, key_hashes, version, raw_adds);
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
  ApplyFileActions(reconciled);
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
  snapshot->files_.reserve(adds_.size());
  for (auto& [key, file] : adds_) {
    if (!file.raw.line.empty()) {
      auto full = ParseAddLine(file.raw, CommitFileName(file.version));
      if (!full.ok()) {
        return full.status().WithContext(fmt::format("Delta table {}", snapshot->table_root_));
      }
      snapshot->files_.push_back(std::move(full).value());
      continue;
    }
    AddFile& add = file.add;
    if (add.path.empty()) add.path = key.key;  // moved into the key by ApplyFileActions
    snapshot->files_.push_back(std::move(add));
  }
  std::sort(snapshot->files_.begin(), snapshot->files_.end(),
            [](const auto& a, const auto& b) { return a.path < b.path; });
  snapshot->transactions_ = std::move(transactions_);
  snapshot->domains_ = std::move(domains_);
  snapshot->commits_ = std::move(commits_);
  snapshot->checkpoint_version_ = checkpoint_version_;
  adds_.clear();
  version_ = -1;
  return snapshot;
}

}  // namespace lakesync::delta
