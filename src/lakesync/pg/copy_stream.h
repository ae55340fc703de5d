// CopyStream: one COPY ... FROM STDIN (FORMAT binary) into a table, fed ColumnBatches. It owns
// the CopyBinaryEncoder, sends its buffer whenever it passes a size, and ends the COPY; a
// stream that is not finished (an early return) aborts its COPY, so the server keeps nothing.
// Thread-safety: none; one stream per connection at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "lakesync/common/column_batch.h"
#include "lakesync/common/result.h"
#include "lakesync/common/status.h"
#include "lakesync/pg/connection.h"
#include "lakesync/pg/copy_encoder.h"
#include "lakesync/pg/ddl.h"

namespace lakesync::pg {

class CopyStream {
 public:
  /// Starts the COPY of `fields` (in that order) into `table`. `conn` must outlive the stream.
  /// Errors: as CopyBinaryEncoder::Make and Connection::BeginCopy.
  static Result<std::unique_ptr<CopyStream>> Begin(Connection& conn, const QualifiedName& table,
                                                   std::vector<Field> fields,
                                                   size_t flush_bytes = size_t{8} << 20);
  CopyStream(const CopyStream&) = delete;
  CopyStream& operator=(const CopyStream&) = delete;
  /// Aborts the COPY unless Finish succeeded.
  ~CopyStream();

  /// Encodes the batch's selected rows, a slice at a time, sending what piles up past
  /// flush_bytes, so memory stays near flush_bytes whatever the batch's size. On error the
  /// COPY is aborted (the server keeps none of its rows) and the stream is finished. Errors: as
  /// CopyBinaryEncoder::AppendBatch and Connection::PutCopyData.
  Status Write(const ColumnBatch& batch, const RowDescriber& describe_row = {});
  /// Sends the rest, ends the COPY and returns the rows the server stored.
  Result<int64_t> Finish();

  /// Rows encoded so far.
  int64_t rows_written() const { return encoder_->rows_encoded(); }
  /// Bytes handed to libpq so far.
  int64_t bytes_sent() const { return bytes_sent_; }
  /// The most encoded bytes held at once before a send (what the stream costs in memory).
  size_t peak_buffered_bytes() const { return peak_buffered_; }

 private:
  CopyStream(Connection& conn, std::unique_ptr<CopyBinaryEncoder> encoder, size_t flush_bytes)
      : conn_(conn), encoder_(std::move(encoder)), flush_bytes_(flush_bytes) {}
  Status Flush();
  Status Fail(Status st);

  Connection& conn_;
  std::unique_ptr<CopyBinaryEncoder> encoder_;
  size_t flush_bytes_;
  int64_t bytes_sent_ = 0;
  int64_t slice_rows_ = 64;  // rows encoded per step, adapted to the row width
  size_t peak_buffered_ = 0;
  bool open_ = false;
};

}  // namespace lakesync::pg
