// Variant values (Delta type `variant`, PROTOCOL.md "Variant Data Type"): Parquet stores each
// as a struct of two binaries, `metadata` (a string dictionary) and `value` (the encoded value),
// following the Parquet Variant encoding spec. lakesync carries variants as JSON text
// (kString with StringKind::kVariant), so a scan renders each value as JSON.
// Shredded variants (a `typed_value` field) are not decoded yet.
// Thread-safety: free functions without shared state.
#pragma once

#include <string>
#include <string_view>

#include "lakesync/common/column_batch.h"
#include "lakesync/common/result.h"

namespace lakesync::delta {

/// JSON text of one variant value. Corruption when the bytes are malformed.
Result<std::string> VariantToJson(std::string_view metadata, std::string_view value);

/// Converts a Parquet variant struct column (metadata, value) into a JSON string column of
/// `target` type (kString / kVariant). NotSupported for shredded variants.
Result<ColumnVector> VariantColumnToJson(const ColumnVector& column, const DataType& target,
                                         std::string_view path);

}  // namespace lakesync::delta
