#include "lakesync/pg/copy_stream.h"

#include <algorithm>

#include "lakesync/common/macros.h"

namespace lakesync::pg {

Result<std::unique_ptr<CopyStream>> CopyStream::Begin(Connection& conn, const QualifiedName& table,
                                                      std::vector<Field> fields,
                                                      size_t flush_bytes) {
  LAKESYNC_ASSIGN_OR_RETURN(std::string sql, CopyFromStdinSql(table, fields));
  LAKESYNC_ASSIGN_OR_RETURN(auto encoder, CopyBinaryEncoder::Make(std::move(fields)));
  LAKESYNC_RETURN_NOT_OK(conn.BeginCopy(sql));
  std::unique_ptr<CopyStream> stream(new CopyStream(conn, std::move(encoder), flush_bytes));
  stream->open_ = true;
  stream->encoder_->AppendHeader();
  return stream;
}

CopyStream::~CopyStream() {
  if (open_) (void)conn_.AbortCopy("COPY abandoned by lakesync");
}

Status CopyStream::Fail(Status st) {
  open_ = false;
  (void)conn_.AbortCopy(st.message());
  return st;
}

Status CopyStream::Flush() {
  if (encoder_->size() == 0) return Status::OK();
  peak_buffered_ = std::max(peak_buffered_, encoder_->size());
  Status st = conn_.PutCopyData(encoder_->data(), encoder_->size());
  if (!st.ok()) return Fail(std::move(st));
  bytes_sent_ += static_cast<int64_t>(encoder_->size());
  encoder_->Clear();
  return Status::OK();
}

Status CopyStream::Write(const ColumnBatch& batch, const RowDescriber& describe_row) {
  if (!open_) return Status::Internal("CopyStream::Write after the stream ended");
  // Encoded in slices of rows, sent whenever flush_bytes pile up: a batch of a million rows
  // never sits in memory twice (decoded and encoded) in full.
  const int64_t n = batch.num_selected();
  for (int64_t begin = 0; begin < n;) {
    const int64_t end = std::min(n, begin + slice_rows_);
    const size_t before = encoder_->size();
    Status st = encoder_->AppendRows(batch, begin, end, describe_row);
    if (!st.ok()) return Fail(std::move(st));
    const size_t row_bytes = std::max<size_t>(1, (encoder_->size() - before) / (end - begin));
    slice_rows_ = std::clamp<int64_t>(static_cast<int64_t>(flush_bytes_ / 4 / row_bytes), 16,
                                      int64_t{1} << 20);
    begin = end;
    if (encoder_->size() >= flush_bytes_) LAKESYNC_RETURN_NOT_OK(Flush());
  }
  return Status::OK();
}

Result<int64_t> CopyStream::Finish() {
  if (!open_) return Status::Internal("CopyStream::Finish after the stream ended");
  encoder_->AppendTrailer();
  LAKESYNC_RETURN_NOT_OK(Flush());
  open_ = false;
  return conn_.EndCopy();
}

}  // namespace lakesync::pg
