// Snapshot: the state of a Delta table at one version (protocol, metadata, schema, the active
// data files, app transactions, domains), reconstructed by replaying the log: the newest
// usable checkpoint at or before the version, then the commits after it
// (PROTOCOL.md "Action Reconciliation"). A Snapshot is built only when the whole replay
// succeeded; it never changes afterwards.
// Thread-safety: immutable after Open; safe to share between threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lakesync/common/result.h"
#include "lakesync/delta/actions.h"
#include "lakesync/delta/schema.h"
#include "lakesync/storage/file_system.h"

namespace lakesync::delta {

/// One commit that was replayed into the snapshot.
struct CommitRecord {
  int64_t version = 0;
  /// The commit's timestamp in ms: inCommitTimestamp when the commit has one, else the commit
  /// file's modification time (PROTOCOL.md "In-Commit Timestamps").
  int64_t timestamp_ms = 0;
  std::optional<CommitInfo> commit_info;
};

struct SnapshotOptions {
  /// Build the table as of this version; nullopt = the latest version.
  std::optional<int64_t> version;
  /// Build the table as of the newest version committed at or before this time (ms since the
  /// epoch; see commit_timestamps.h). Mutually exclusive with `version`.
  std::optional<int64_t> timestamp_ms;
};

class Snapshot {
 public:
  /// Replays the log of the table at `table_root` (a path within `fs`).
  /// Errors: NotFound "not a Delta table: PATH" when there is no log; NotFound when the
  /// requested version does not exist; InvalidArgument for a timestamp before the first or
  /// after the last commit; Corruption for gaps and malformed files; NotSupported
  /// for protocols or reader features lakesync cannot read.
  static Result<std::unique_ptr<Snapshot>> Open(std::shared_ptr<storage::FileSystem> fs,
                                                std::string table_root,
                                                SnapshotOptions options = {});
  /// As above, on the FileSystem that FileSystemForPath picks for `table_uri`.
  static Result<std::unique_ptr<Snapshot>> Open(const std::string& table_uri,
                                                SnapshotOptions options = {});

  /// The newest version of the table, from a listing of its log (no commit is read): a cheap
  /// check for whether a table changed since a version. NotFound when there is no log.
  static Result<int64_t> LatestVersion(storage::FileSystem& fs, const std::string& table_root);

  const std::shared_ptr<storage::FileSystem>& file_system() const { return fs_; }
  const std::string& table_root() const { return table_root_; }
  int64_t version() const { return version_; }
  const Protocol& protocol() const { return protocol_; }
  const Metadata& metadata() const { return metadata_; }
  const TableSchema& schema() const { return schema_; }
  const std::vector<std::string>& partition_columns() const { return metadata_.partition_columns; }
  const StringMap& configuration() const { return metadata_.configuration; }
  /// A table property, e.g. "delta.enableChangeDataFeed"; nullopt when unset.
  std::optional<std::string> GetConfig(std::string_view key) const;
  ColumnMappingMode column_mapping_mode() const { return column_mapping_mode_; }

  /// The active logical files, sorted by path.
  const std::vector<AddFile>& files() const { return files_; }
  /// Latest version per application id.
  const std::map<std::string, SetTransaction>& transactions() const { return transactions_; }
  /// Live metadata domains (tombstoned ones excluded).
  const std::map<std::string, DomainMetadata>& domains() const { return domains_; }
  /// The commits replayed, ascending (those folded into a checkpoint or read through a log
  /// compaction file are not listed).
  const std::vector<CommitRecord>& commits() const { return commits_; }
  /// The version of the checkpoint the replay started from, if any.
  std::optional<int64_t> checkpoint_version() const { return checkpoint_version_; }

  /// Absolute location of a data file path from an add/remove/cdc action.
  std::string ResolvePath(std::string_view path) const;

 private:
  friend class SnapshotBuilder;
  Snapshot() = default;

  std::shared_ptr<storage::FileSystem> fs_;
  std::string table_root_;
  int64_t version_ = -1;
  Protocol protocol_;
  Metadata metadata_;
  TableSchema schema_;
  ColumnMappingMode column_mapping_mode_ = ColumnMappingMode::kNone;
  std::vector<AddFile> files_;
  std::map<std::string, SetTransaction> transactions_;
  std::map<std::string, DomainMetadata> domains_;
  std::vector<CommitRecord> commits_;
  std::optional<int64_t> checkpoint_version_;
};

/// OK when lakesync can read a table with this protocol; NotSupported naming the reader
/// version or the first unsupported reader feature otherwise.
Status CheckReadSupported(const Protocol& protocol);

}  // namespace lakesync::delta
