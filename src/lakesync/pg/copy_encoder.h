// CopyBinaryEncoder: turns ColumnBatches into PostgreSQL COPY BINARY bytes (the hot path of a
// load). Each batch is encoded column by column: the type dispatch happens once per column per
// batch, and each column's loop writes its fields straight into their rows' places in the
// output buffer. Values are checked before any byte is appended, so a failed AppendBatch
// leaves the buffer as it was.
// Thread-safety: none; one encoder per COPY stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lakesync/common/column_batch.h"
#include "lakesync/common/pod_vector.h"
#include "lakesync/common/result.h"
#include "lakesync/common/status.h"
#include "lakesync/pg/type_map.h"

namespace lakesync::pg {

/// Describes a batch row for error messages, e.g. "user_id=42"; `row` indexes the batch's
/// columns (not the selection).
using RowDescriber = std::function<std::string(int64_t row)>;

class CopyBinaryEncoder {
 public:
  /// An encoder for a COPY whose column list is `fields`, in that order. Errors: NotSupported
  /// for a type with no PostgreSQL mapping; InvalidArgument for no fields, more than 1600,
  /// or a name used twice.
  static Result<std::unique_ptr<CopyBinaryEncoder>> Make(std::vector<Field> fields);

  /// Appends the 19-byte COPY BINARY signature and header; once, before the first row.
  void AppendHeader();
  /// Appends the end-of-data marker; once, after the last row.
  void AppendTrailer();

  /// Appends the selected rows of `batch`. Each target field is taken from the batch column of
  /// the same name, whose type must map to the same PostgreSQL type. Errors (nothing appended):
  /// InvalidArgument naming the column and the row (via `describe_row`, default "row N") for a
  /// value PostgreSQL would refuse: text with NUL bytes or invalid UTF-8, JSON/variant strings
  /// that are not JSON jsonb accepts, dates or timestamps
  /// outside PostgreSQL's range, times outside 00:00..24:00, decimals wider than their
  /// precision; InvalidArgument for a missing or mistyped column; Corruption for buffers that
  /// do not match the column's length.
  Status AppendBatch(const ColumnBatch& batch, const RowDescriber& describe_row = {});
  /// As AppendBatch, for the selected rows at positions [begin, end) of the selection (of the
  /// batch's rows when it has none), so a large batch can be sent in pieces that each hold
  /// whole rows. Errors: as AppendBatch; InvalidArgument for a range outside the selection.
  Status AppendRows(const ColumnBatch& batch, int64_t begin, int64_t end,
                    const RowDescriber& describe_row = {});

  const uint8_t* data() const { return buffer_.data(); }
  size_t size() const { return buffer_.size(); }
  /// Empties the buffer (after it was sent), keeping its capacity.
  void Clear() { buffer_.clear(); }
  /// Exchanges the encoded bytes with `other` (an emptied buffer to reuse), so they can be
  /// sent by another thread while encoding goes on.
  void SwapBuffer(PodVector<uint8_t>& other) { buffer_.swap(other); }
  /// Rows appended since Make.
  int64_t rows_encoded() const { return rows_encoded_; }
  const std::vector<Field>& fields() const { return fields_; }
  const std::vector<PgType>& pg_types() const { return types_; }

 private:
  CopyBinaryEncoder(std::vector<Field> fields, std::vector<PgType> types)
      : fields_(std::move(fields)), types_(std::move(types)) {}

  std::vector<Field> fields_;
  std::vector<PgType> types_;
  PodVector<uint8_t> buffer_;
  int64_t rows_encoded_ = 0;
  // Per-batch scratch, kept to reuse its memory.
  PodVector<uint32_t> all_rows_;
  PodVector<int64_t> positions_;
  std::vector<std::string> var_bytes_;        // per column: pre-encoded fields (numeric, json)
  std::vector<PodVector<int32_t>> var_lens_;  // per column: their lengths, -1 for null
};

}  // namespace lakesync::pg
