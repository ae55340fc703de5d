// Record assembly: builds a top-level column (flat, or nested kStruct/kList/kMap) from the
// repetition/definition levels and dense values of its leaf columns (column_reader.h).
// Levels follow the conventions documented on SchemaNode (schema.h).
// Thread-safety: a pure function of its inputs.
#pragma once

#include <vector>

#include "lakesync/common/column_batch.h"
#include "lakesync/common/status.h"
#include "lakesync/parquet/column_reader.h"
#include "lakesync/parquet/schema.h"

namespace lakesync::parquet {

/// Assembles the column of top-level `node`. `leaves[i]` holds the decoded data of leaf
/// `node.first_leaf + i` (node.num_leaves of them); their values are moved out.
/// REQUIRES: the leaves were decoded for this node's schema.
Status AssembleColumn(const SchemaNode& node, std::vector<LeafData>& leaves, ColumnVector* out);

/// Places `dense` values (one per set byte of `valid`, in order) at their rows: `col` ends up
/// with `n` rows and validity `valid`. Exposed for tests.
void SpreadValues(const uint8_t* valid, int64_t n, ColumnVector* col);

}  // namespace lakesync::parquet
