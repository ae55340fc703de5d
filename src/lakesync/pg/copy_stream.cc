#include "lakesync/pg/copy_stream.h"

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
  Status st = conn_.PutCopyData(encoder_->data(), encoder_->size());
  if (!st.ok()) return Fail(std::move(st));
  bytes_sent_ += static_cast<int64_t>(encoder_->size());
  encoder_->Clear();
  return Status::OK();
}

Status CopyStream::Write(const ColumnBatch& batch, const RowDescriber& describe_row) {
  if (!open_) return Status::Internal("CopyStream::Write after the stream ended");
  Status st = encoder_->AppendBatch(batch, describe_row);
  if (!st.ok()) return Fail(std::move(st));
  if (encoder_->size() >= flush_bytes_) return Flush();
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
