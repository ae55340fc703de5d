// Projection: which columns of a Parquet file to read, down to single fields inside structs.
// A projection is resolved once against a file's schema (by dotted path or by field_id) into
// top-level columns whose struct types keep only the selected fields; reading it decodes only
// the leaves under those fields (reading `address.city` touches that one column chunk).
// Projection descends through structs; lists and maps are selected whole.
// Thread-safety: an immutable value once built.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lakesync/common/result.h"
#include "lakesync/parquet/schema.h"

namespace lakesync::parquet {

struct Projection {
  struct Column {
    int field = 0;    // index into ParquetSchema::fields (the top-level field)
    SchemaNode node;  // that field pruned to the selection; its leaves renumbered from 0
    std::vector<int> file_leaves;  // node leaf i is ParquetSchema::leaves[file_leaves[i]]
  };
  /// One entry per selected top-level field, in order of first selection.
  std::vector<Column> columns;
};

/// Every listed top-level field, whole.
Projection ProjectFields(const ParquetSchema& schema, const std::vector<int>& fields);

/// Fields named by dotted paths through structs ("id", "address.city"; a name that itself
/// contains dots matches whole). Paths under the same top-level field share one column; a path
/// and a path below it select the upper one whole. NotFound names a path that matches nothing.
Result<Projection> ProjectPaths(const ParquetSchema& schema, const std::vector<std::string>& paths);

/// Fields with these Parquet field ids, at any depth through structs (as Delta column mapping
/// assigns them). NotFound names an id that matches nothing.
Result<Projection> ProjectFieldIds(const ParquetSchema& schema, const std::vector<int32_t>& ids);

}  // namespace lakesync::parquet
