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
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lakesync/common/result.h"
#include "lakesync/delta/actions.h"
#include "lakesync/delta/log_parser.h"
#include "lakesync/delta/snapshot.h"

namespace lakesync::delta {

class SnapshotBuilder {
 public:
  SnapshotBuilder() = default;

  /// Applies the actions of a checkpoint of `version`: the complete state at that version.
  /// REQUIRES: called first, at most once.
  Status ApplyCheckpoint(int64_t version, std::vector<Action> actions);
  /// Applies commit `version`; `file_mtime_ms` is the commit file's modification time.
  /// Commits must come in ascending, gap-free order (InvalidArgument otherwise).
  /// Moves what it keeps out of `actions`; what is left (including the adds this commit's
  /// removes drop) is the caller's to free, which a replay does on its worker threads.
  /// `key_hashes`, when not empty, holds KeyHashes(actions), which a replay computes on its
  /// worker threads so that this (serial) step does not hash every path.
  /// `raw_adds`, when not empty, holds the JSON lines of the adds in `actions`, which were read
  /// by key only (ParseOptions::adds_as_keys); Build reads the adds still live in full.
  Status ApplyCommit(int64_t version, std::vector<Action>& actions, int64_t file_mtime_ms,
                     std::span<const size_t> key_hashes = {}, std::span<RawAdd> raw_adds = {});

  /// The hash of the logical file key of every add and remove in `actions`, in order.
  static std::vector<size_t> KeyHashes(const std::vector<Action>& actions);

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
  void ApplyFileActions(std::vector<Action>& actions, std::span<const size_t> key_hashes = {},
                        int64_t version = -1, std::span<RawAdd> raw_adds = {});

  int64_t version_ = -1;
  std::optional<int64_t> checkpoint_version_;
  std::optional<Protocol> protocol_;
  std::optional<Metadata> metadata_;
  // Keyed by LogicalFileKey with its hash (see KeyHashes); looked up by a KeyProbe.
  struct HashedKey {
    std::string key;
    size_t hash = 0;
  };
  struct KeyProbe {
    std::string_view key;
    size_t hash = 0;
  };
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(const HashedKey& k) const { return k.hash; }
    size_t operator()(const KeyProbe& k) const { return k.hash; }
  };
  struct KeyEqual {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return a.hash == b.hash && a.key == b.key;
    }
  };
  struct LiveFile {
    AddFile add;
    RawAdd raw;            // when raw.line is set, `add` holds only the key
    int64_t version = -1;  // the commit that added it, to name it in errors about `raw`
  };
  std::unordered_map<HashedKey, LiveFile, KeyHash, KeyEqual> adds_;
  std::map<std::string, SetTransaction> transactions_;
  std::map<std::string, DomainMetadata> domains_;
  std::vector<CommitRecord> commits_;
};

}  // namespace lakesync::delta
