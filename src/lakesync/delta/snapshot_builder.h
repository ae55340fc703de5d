// SnapshotBuilder: applies log actions, commit by commit in ascending version order, and
// builds an immutable Snapshot once the whole replay succeeded (LevelDB's VersionSet::Builder
// pattern). It knows nothing about files: Snapshot::Open lists and reads the log and feeds it.
// Reconciliation (PROTOCOL.md "Action Reconciliation"): the latest protocol and metadata win;
// logical files are keyed by (path, deletion vector unique id); a remove hides the add with
// the same key; within one commit removes apply before adds, so a commit that removes and
// re-adds a key leaves it present (tombstones are not kept: reading needs only live files,
// and holding a long log's million removes cost more than the rest of the replay); the latest txn
// per appId wins; domainMetadata with removed=true drops the domain. Thread-safety: none; one
// replay owns a builder.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lakesync/common/result.h"
#include "lakesync/delta/actions.h"
#include "lakesync/delta/live_file_table.h"
#include "lakesync/delta/replay_parser.h"
#include "lakesync/delta/snapshot.h"

namespace lakesync::delta {

class SnapshotBuilder {
 public:
  SnapshotBuilder() = default;

  /// Applies the actions of a checkpoint of `version`: the complete state at that version.
  /// REQUIRES: called first, at most once.
  Status ApplyCheckpoint(int64_t version, std::vector<Action> actions);
  /// Applies commit `version`, read by ParseCommitForReplay; `file_mtime_ms` is the commit
  /// file's modification time. Commits must come in ascending, gap-free order (InvalidArgument
  /// otherwise). The keys and lines `commit` points to are borrowed: the caller keeps them (and
  /// `commit`) valid until PinBorrowed (or Build) runs; other actions are moved out of it.
  Status ApplyCommit(int64_t version, ReplayCommit& commit, int64_t file_mtime_ms);

  /// Copies what the live files still borrow from applied commits, so that the caller may
  /// reuse their buffers.
  void PinBorrowed() { live_.PinBorrowed(); }

  /// Applies a log compaction file: the reconciled actions of commits [first, last].
  /// REQUIRES: first == version() + 1 (InvalidArgument otherwise). The commits it covers are
  /// not listed in Snapshot::commits().
  Status ApplyCompaction(int64_t first, int64_t last, std::vector<Action> actions);

  /// The version applied last, or -1.
  int64_t version() const { return version_; }

  /// Validates the replayed state (protocol and metadata present, protocol readable, schema
  /// parses) and builds the snapshot.
  Result<std::unique_ptr<Snapshot>> Build(std::shared_ptr<storage::FileSystem> fs,
                                          std::string table_root);

 private:
  // Drops the files `actions` remove (removes apply before adds within one commit).
  void ApplyRemoves(const std::vector<Action>& actions);
  // Applies the rest: adds (read in full), protocol, metadata, transactions, domains.
  void ApplyOthers(std::vector<Action>& actions);

  int64_t version_ = -1;
  std::optional<int64_t> checkpoint_version_;
  std::optional<Protocol> protocol_;
  std::optional<Metadata> metadata_;
  LiveFileTable live_;
  std::map<std::string, SetTransaction> transactions_;
  std::map<std::string, DomainMetadata> domains_;
  std::vector<CommitRecord> commits_;
};

}  // namespace lakesync::delta
