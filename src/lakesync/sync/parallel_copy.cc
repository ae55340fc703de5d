#include "lakesync/sync/parallel_copy.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "lakesync/common/macros.h"
#include "lakesync/common/pod_vector.h"
#include "lakesync/pg/copy_encoder.h"
#include "lakesync/sync/key_columns.h"

namespace lakesync::sync {
namespace {

// Encoded whole rows, on their way from a decoder to a sender.
struct Chunk {
  PodVector<uint8_t> bytes;
  int64_t rows = 0;
};

// The buffers shared by decoders and senders: free ones for decoders to fill, ready ones for
// senders to send. A fixed number of buffers circulate, which bounds memory. The first error
// any thread reports stops every thread.
class ChunkPool {
 public:
  explicit ChunkPool(int buffers) : free_(static_cast<size_t>(buffers)) {}

  /// An empty buffer (capacity kept from its last use); nullopt once the copy failed.
  std::optional<PodVector<uint8_t>> TakeFree() {
    std::unique_lock lock(mu_);
    free_cv_.wait(lock, [&] { return !error_.ok() || !free_.empty(); });
    if (!error_.ok()) return std::nullopt;
    PodVector<uint8_t> b = std::move(free_.back());
    free_.pop_back();
    b.clear();
    return b;
  }
  void GiveBack(PodVector<uint8_t> buffer) {
    {
      std::lock_guard lock(mu_);
      free_.push_back(std::move(buffer));
    }
    free_cv_.notify_one();
  }
  void PushReady(Chunk chunk) {
    {
      std::lock_guard lock(mu_);
      ready_.push_back(std::move(chunk));
    }
    ready_cv_.notify_one();
  }
  /// The next chunk to send; nullopt when every decoder is done and nothing is left, or the
  /// copy failed (see error()).
  std::optional<Chunk> TakeReady() {
    std::unique_lock lock(mu_);
    ready_cv_.wait(lock, [&] { return !error_.ok() || !ready_.empty() || decoders_left_ == 0; });
    if (!error_.ok() || ready_.empty()) return std::nullopt;
    Chunk c = std::move(ready_.front());
    ready_.pop_front();
    return c;
  }
  void SetDecoders(int n) { decoders_left_ = n; }
  void DecoderDone() {
    {
      std::lock_guard lock(mu_);
      --decoders_left_;
    }
    ready_cv_.notify_all();
  }
  void Fail(Status st) {
    {
      std::lock_guard lock(mu_);
      if (error_.ok()) error_ = std::move(st);
    }
    free_cv_.notify_all();
    ready_cv_.notify_all();
  }
  Status error() {
    std::lock_guard lock(mu_);
    return error_;
  }

 private:
  std::mutex mu_;
  std::condition_variable free_cv_;
  std::condition_variable ready_cv_;
  std::vector<PodVector<uint8_t>> free_;
  std::deque<Chunk> ready_;
  int decoders_left_ = 0;
  Status error_;
};

// Shared by the threads of one CopyScan.
struct CopyJob {
  const delta::Scan& scan;
  const ParallelCopyOptions& options;
  const std::vector<Field>& fields;
  std::string copy_sql;
  ChunkPool pool;
  std::atomic<size_t> next_file{0};
  std::atomic<int64_t> rows_skipped{0};
  std::atomic<int64_t> rows_copied{0};
  std::atomic<int64_t> rows_sent{0};
  // The caller's thread waits here, reporting progress, until every worker has ended.
  std::mutex done_mu;
  std::condition_variable done_cv;
  int running = 0;  // guarded by done_mu
};

// Reads files until none is left, encoding their rows into chunks.
Status Decode(CopyJob& job) {
  LAKESYNC_ASSIGN_OR_RETURN(auto encoder, pg::CopyBinaryEncoder::Make(job.fields));
  std::optional<PodVector<uint8_t>> buffer = job.pool.TakeFree();
  if (!buffer) return Status::OK();  // another thread failed
  encoder->SwapBuffer(*buffer);
  int64_t rows_in_chunk = 0;
  auto hand_off = [&]() -> bool {
    std::optional<PodVector<uint8_t>> empty = job.pool.TakeFree();
    if (!empty) return false;
    encoder->SwapBuffer(*empty);
    job.pool.PushReady(Chunk{std::move(*empty), rows_in_chunk});
    rows_in_chunk = 0;
    return true;
  };
  // Rows per AppendRows call, adapted to the row width so a chunk overshoots by little.
  int64_t slice = 1024;
  const size_t chunk_bytes = job.options.chunk_bytes;
  for (size_t file = job.next_file++; file < job.scan.files().size(); file = job.next_file++) {
    LAKESYNC_ASSIGN_OR_RETURN(auto batches, job.scan.OpenFile(file));
    while (true) {
      LAKESYNC_ASSIGN_OR_RETURN(std::optional<ColumnBatch> batch, batches->Next());
      if (!batch) break;
      LAKESYNC_ASSIGN_OR_RETURN(KeyColumns keys, KeyColumns::Make(*batch, job.options.primary_key));
      job.rows_skipped += keys.DropNullKeys(*batch);
      const pg::RowDescriber describe = [&](int64_t row) { return keys.Describe(row); };
      const int64_t n = batch->num_selected();
      for (int64_t begin = 0; begin < n;) {
        const int64_t end = std::min(n, begin + slice);
        const size_t before = encoder->size();
        LAKESYNC_RETURN_NOT_OK(encoder->AppendRows(*batch, begin, end, describe));
        const size_t row_bytes = std::max<size_t>(1, (encoder->size() - before) / (end - begin));
        slice = std::clamp<int64_t>(static_cast<int64_t>(chunk_bytes / 4 / row_bytes), 16, 65536);
        rows_in_chunk += end - begin;
        begin = end;
        if (encoder->size() >= chunk_bytes && !hand_off()) return Status::OK();
      }
    }
  }
  if (rows_in_chunk > 0) hand_off();
  return Status::OK();
}

// Runs one COPY on `conn`, sending ready chunks until the decoders are done.
Status Send(CopyJob& job, pg::Connection& conn) {
  LAKESYNC_ASSIGN_OR_RETURN(auto framing, pg::CopyBinaryEncoder::Make(job.fields));
  LAKESYNC_RETURN_NOT_OK(conn.BeginCopy(job.copy_sql));
  auto put = [&](const uint8_t* data, size_t size) -> Status {
    for (size_t at = 0; at < size; at += job.options.send_bytes) {
      LAKESYNC_RETURN_NOT_OK(
          conn.PutCopyData(data + at, std::min(job.options.send_bytes, size - at)));
    }
    return Status::OK();
  };
  framing->AppendHeader();
  Status st = put(framing->data(), framing->size());
  framing->Clear();
  while (st.ok()) {
    std::optional<Chunk> chunk = job.pool.TakeReady();
    if (!chunk) break;
    st = put(chunk->bytes.data(), chunk->bytes.size());
    const int64_t rows = chunk->rows;
    job.pool.GiveBack(std::move(chunk->bytes));
    if (st.ok()) job.rows_sent += rows;
  }
  if (st.ok()) st = job.pool.error();
  if (!st.ok()) {
    if (conn.in_copy()) (void)conn.AbortCopy(st.message());
    return st;
  }
  framing->AppendTrailer();
  LAKESYNC_RETURN_NOT_OK(put(framing->data(), framing->size()));
  LAKESYNC_ASSIGN_OR_RETURN(int64_t stored, conn.EndCopy());
  job.rows_copied += stored;
  return Status::OK();
}

}  // namespace

Result<ParallelCopyResult> CopyScan(const delta::Scan& scan,
                                    const std::vector<pg::Connection*>& connections,
                                    const pg::QualifiedName& table,
                                    const std::vector<Field>& fields,
                                    const ParallelCopyOptions& options) {
  if (connections.empty()) return Status::Internal("CopyScan needs at least one connection");
  LAKESYNC_ASSIGN_OR_RETURN(std::string sql, pg::CopyFromStdinSql(table, fields));
  const int decoders =
      static_cast<int>(std::clamp<size_t>(static_cast<size_t>(std::max(1, options.decoders)), 1,
                                          std::max<size_t>(1, scan.files().size())));
  const int senders = static_cast<int>(connections.size());
  CopyJob job{scan, options, fields, std::move(sql),
              ChunkPool(decoders + senders * std::max(1, options.chunks_per_connection))};
  job.pool.SetDecoders(decoders);

  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(decoders + senders));
  job.running = decoders + senders;
  auto finished = [&job] {
    {
      std::lock_guard lock(job.done_mu);
      --job.running;
    }
    job.done_cv.notify_all();
  };
  for (int i = 0; i < decoders; ++i) {
    threads.emplace_back([&job, finished] {
      Status st = Decode(job);
      if (!st.ok()) job.pool.Fail(std::move(st));
      job.pool.DecoderDone();
      finished();
    });
  }
  for (pg::Connection* conn : connections) {
    threads.emplace_back([&job, conn, finished] {
      Status st = Send(job, *conn);
      if (!st.ok()) job.pool.Fail(std::move(st));
      finished();
    });
  }
  // Progress is reported from this thread, so the callback needs no locking of its own.
  int64_t reported = 0;
  auto report = [&] {
    const int64_t sent = job.rows_sent.load();
    if (options.on_rows && sent != reported) options.on_rows(reported = sent);
  };
  {
    std::unique_lock lock(job.done_mu);
    while (job.running > 0) {
      job.done_cv.wait_for(lock, options.progress_interval, [&] { return job.running == 0; });
      lock.unlock();
      report();
      lock.lock();
    }
  }
  for (auto& t : threads) t.join();
  LAKESYNC_RETURN_NOT_OK(job.pool.error());
  return ParallelCopyResult{job.rows_copied.load(), job.rows_skipped.load()};
}

}  // namespace lakesync::sync
