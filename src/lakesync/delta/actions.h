// Delta log actions: the typed form of one line of a commit file (or one row of a checkpoint).
// Field names follow PROTOCOL.md "Actions"; optional protocol fields are std::optional so that
// "absent" stays distinguishable from a zero value.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "lakesync/common/result.h"

namespace lakesync::delta {

using StringMap = std::map<std::string, std::string>;
/// Partition values keep "null" apart from "" (both mean a null partition value when typed).
using PartitionValues = std::map<std::string, std::optional<std::string>>;

struct Protocol {
  int32_t min_reader_version = 0;
  int32_t min_writer_version = 0;
  std::optional<std::vector<std::string>> reader_features;  // only with reader version 3
  std::optional<std::vector<std::string>> writer_features;  // only with writer version 7

  bool HasReaderFeature(std::string_view name) const;
  bool HasWriterFeature(std::string_view name) const;
};

struct Format {
  std::string provider = "parquet";
  StringMap options;
};

struct Metadata {
  std::string id;
  std::optional<std::string> name;
  std::optional<std::string> description;
  Format format;
  std::string schema_string;
  std::vector<std::string> partition_columns;
  std::optional<int64_t> created_time;  // ms since the epoch
  StringMap configuration;
};

/// PROTOCOL.md "Deletion Vector Descriptor Schema".
struct DeletionVectorDescriptor {
  std::string storage_type;  // "u", "i" or "p"
  std::string path_or_inline_dv;
  std::optional<int32_t> offset;
  int32_t size_in_bytes = 0;
  int64_t cardinality = 0;

  /// `<storageType><pathOrInlineDv>[@<offset>]`: the DV half of a logical file's key.
  std::string UniqueId() const;
};

struct AddFile {
  std::string path;  // URL-decoded: relative to the table root, or an absolute URI
  PartitionValues partition_values;
  int64_t size = 0;
  int64_t modification_time = 0;
  bool data_change = true;
  std::optional<std::string> stats;  // raw JSON text, parsed on demand
  StringMap tags;
  std::optional<DeletionVectorDescriptor> deletion_vector;
  std::optional<int64_t> base_row_id;
  std::optional<int64_t> default_row_commit_version;
  std::optional<std::string> clustering_provider;

  /// `numRecords` from the stats; nullopt when there are no stats or they do not say.
  Result<std::optional<int64_t>> NumRecords() const;
};

struct RemoveFile {
  std::string path;  // URL-decoded
  std::optional<int64_t> deletion_timestamp;
  bool data_change = true;
  std::optional<bool> extended_file_metadata;
  PartitionValues partition_values;
  std::optional<int64_t> size;
  std::optional<std::string> stats;
  StringMap tags;
  std::optional<DeletionVectorDescriptor> deletion_vector;
  std::optional<int64_t> base_row_id;
  std::optional<int64_t> default_row_commit_version;
};

struct AddCDCFile {
  std::string path;  // URL-decoded
  PartitionValues partition_values;
  int64_t size = 0;
  bool data_change = false;
  StringMap tags;
};

struct CommitInfo {
  std::optional<int64_t> timestamp;  // ms since the epoch, as the writer's clock saw it
  std::optional<std::string> operation;
  /// operationParameters: name -> value (strings as themselves, other JSON as its text).
  StringMap operation_parameters;
  std::optional<int64_t> in_commit_timestamp;
  std::optional<std::string> engine_info;
};

struct SetTransaction {
  std::string app_id;
  int64_t version = 0;
  std::optional<int64_t> last_updated;
};

struct DomainMetadata {
  std::string domain;
  std::string configuration;
  bool removed = false;
};

/// V2 checkpoints only: a file holding part of the checkpoint's file actions.
struct Sidecar {
  std::string path;
  int64_t size_in_bytes = 0;
  int64_t modification_time = 0;
};

/// V2 checkpoints only.
struct CheckpointMetadata {
  int64_t version = 0;
};

using Action = std::variant<Protocol, Metadata, AddFile, RemoveFile, AddCDCFile, CommitInfo,
                            SetTransaction, DomainMetadata, Sidecar, CheckpointMetadata>;

/// The key of a logical file: path plus DV unique id (empty when there is no DV).
std::string LogicalFileKey(std::string_view path,
                           const std::optional<DeletionVectorDescriptor>& dv);

/// The hash a replay indexes logical file keys by.
size_t HashFileKey(std::string_view key);

/// Decodes %XX escapes of an RFC 2396 URI path ('+' stays '+').
Result<std::string> DecodeUriPath(std::string_view encoded);

/// True when `path` is an absolute URI ("scheme://...") or an absolute local path.
bool IsAbsolutePath(std::string_view path);

/// The FileSystem path of a (decoded) action path: relative paths are joined to the table
/// root; file: URIs become local paths; other absolute URIs stay as they are.
std::string ResolveTablePath(std::string_view table_root, std::string_view path);

}  // namespace lakesync::delta
