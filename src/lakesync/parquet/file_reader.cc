#include "lakesync/parquet/file_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>

#include "lakesync/common/macros.h"
#include "lakesync/parquet/column_reader.h"
#include "lakesync/parquet/metadata_codec.h"
#include "lakesync/parquet/record_assembly.h"

namespace lakesync::parquet {

namespace {

constexpr char kMagic[4] = {'P', 'A', 'R', '1'};
constexpr char kEncryptedMagic[4] = {'P', 'A', 'R', 'E'};
// Footers beyond this are garbage lengths, not real files.
constexpr int64_t kMaxFooterBytes = int64_t{1} << 30;
// Bytes read from the end of a file to find the footer in one go.
constexpr int64_t kFooterReadGuess = 64 * 1024;
// Column chunks closer than this are read together; reads stay below the cap.
constexpr int64_t kCoalesceGap = 1 << 20;
constexpr int64_t kMaxCoalescedRead = int64_t{64} << 20;

}  // namespace

Result<std::unique_ptr<FileReader>> FileReader::Open(
    std::shared_ptr<storage::RandomAccessFile> file, ReaderOptions options) {
  if (!file) return Status::InvalidArgument("FileReader::Open: null file");
  std::unique_ptr<FileReader> reader(new FileReader(std::move(file), options));
  Status st = reader->Init();
  if (!st.ok()) return st.WithContext(reader->file_->path());
  return reader;
}

Status FileReader::Init() {
  const int64_t size = file_->size();
  if (size < 12) return Status::Corruption("not a Parquet file: only {} bytes", size);
  // One read of the file's end usually holds the whole footer (one request on object stores);
  // a larger footer takes a second read. A small file's read includes the leading magic too.
  const int64_t guess = std::min<int64_t>(size, kFooterReadGuess);
  PodVector<uint8_t> tail_buf(static_cast<size_t>(guess));
  LAKESYNC_RETURN_NOT_OK(file_->ReadAt(size - guess, guess, tail_buf.data()));
  const uint8_t* tail = tail_buf.data() + guess - 8;
  if (std::memcmp(tail + 4, kEncryptedMagic, 4) == 0) {
    return Status::NotSupported("encrypted Parquet footers");
  }
  if (std::memcmp(tail + 4, kMagic, 4) != 0) {
    return Status::Corruption("not a Parquet file: bad magic at the end");
  }
  if (guess == size && std::memcmp(tail_buf.data(), kMagic, 4) != 0) {
    return Status::Corruption("not a Parquet file: bad magic at the start");
  }
  uint32_t footer_len{};
  std::memcpy(&footer_len, tail, 4);
  if (static_cast<int64_t>(footer_len) > size - 12 || footer_len > kMaxFooterBytes) {
    return Status::Corruption("footer length {} exceeds the file size {}", footer_len, size);
  }
  PodVector<uint8_t> footer;
  const uint8_t* footer_data;
  if (static_cast<int64_t>(footer_len) + 8 <= guess) {
    footer_data = tail - footer_len;
  } else {
    footer.resize(footer_len);
    LAKESYNC_RETURN_NOT_OK(file_->ReadAt(size - 8 - footer_len, footer_len, footer.data()));
    footer_data = footer.data();
  }
  auto md = ParseFileMetaData(footer_data, footer_len);
  if (!md.ok()) return md.status().WithContext("footer");
  metadata_ = std::move(md).value();
  if (metadata_.encrypted) return Status::NotSupported("encrypted Parquet files");
  auto schema = BuildSchema(metadata_);
  if (!schema.ok()) return schema.status().WithContext("schema");
  schema_ = std::move(schema).value();
  int64_t total_rows = 0;
  for (size_t g = 0; g < metadata_.row_groups.size(); ++g) {
    const RowGroup& rg = metadata_.row_groups[g];
    if (rg.columns.size() != schema_.leaves.size()) {
      return Status::Corruption("row group {} has {} column chunks, the schema {} columns", g,
                                rg.columns.size(), schema_.leaves.size());
    }
    if (rg.num_rows < 0) return Status::Corruption("row group {} has negative num_rows", g);
    total_rows += rg.num_rows;
  }
  if (total_rows != metadata_.num_rows) {
    return Status::Corruption("row groups hold {} rows, the footer says {}", total_rows,
                              metadata_.num_rows);
  }
  return Status::OK();
}

Result<std::vector<int>> FileReader::ColumnsByName(const std::vector<std::string>& names) const {
  std::vector<int> out;
  out.reserve(names.size());
  for (const std::string& name : names) {
    int found = -1;
    for (size_t i = 0; i < schema_.top_level.size(); ++i) {
      if (schema_.top_level[i].name == name) {
        found = static_cast<int>(i);
        break;
      }
    }
    if (found < 0) return Status::NotFound("column '{}' not in {}", name, file_->path());
    out.push_back(found);
  }
  return out;
}

Result<std::vector<int>> FileReader::ColumnsByFieldId(const std::vector<int32_t>& ids) const {
  std::vector<int> out;
  out.reserve(ids.size());
  for (int32_t id : ids) {
    int found = -1;
    for (size_t i = 0; i < schema_.top_level.size(); ++i) {
      if (schema_.top_level[i].field_id == id) {
        found = static_cast<int>(i);
        break;
      }
    }
    if (found < 0) return Status::NotFound("no column with field id {} in {}", id, file_->path());
    out.push_back(found);
  }
  return out;
}

Result<bool> FileReader::RowGroupMayMatch(int row_group,
                                          const std::vector<ColumnPredicate>& predicates) const {
  for (const ColumnPredicate& p : predicates) {
    auto may = parquet::RowGroupMayMatch(metadata_, schema_, row_group, p);
    if (!may.ok()) return may.status().WithContext(file_->path());
    if (!*may) return false;
  }
  return true;
}

Result<std::vector<int>> FileReader::RowGroupsMayMatch(
    const std::vector<ColumnPredicate>& predicates) const {
  std::vector<int> out;
  for (int g = 0; g < num_row_groups(); ++g) {
    LAKESYNC_ASSIGN_OR_RETURN(bool may, RowGroupMayMatch(g, predicates));
    if (may) out.push_back(g);
  }
  return out;
}

Result<Projection> FileReader::ProjectByPath(const std::vector<std::string>& paths) const {
  auto p = ProjectPaths(schema_, paths);
  if (!p.ok()) return p.status().WithContext(file_->path());
  return p;
}

Result<Projection> FileReader::ProjectByFieldId(const std::vector<int32_t>& ids) const {
  auto p = ProjectFieldIds(schema_, ids);
  if (!p.ok()) return p.status().WithContext(file_->path());
  return p;
}

Status FileReader::ReadColumn(int row_group, const Projection::Column& column,
                              const std::vector<ChunkSlice>& slices, ColumnVector* out) const {
  const SchemaNode& node = column.node;
  const RowGroup& rg = metadata_.row_groups[row_group];
  std::vector<LeafData> leaves(column.file_leaves.size());
  for (size_t i = 0; i < column.file_leaves.size(); ++i) {
    const int l = column.file_leaves[i];
    const LeafColumn& leaf = schema_.leaves[l];
    const ColumnMetaData& meta = *rg.columns[l].meta_data;
    // A flat column has one level entry per row: checked before decoding, so a damaged count
    // fails at once instead of after decoding that many values.
    Status st = leaf.max_rep == 0 && meta.num_values != rg.num_rows
                    ? Status::Corruption("column chunk has {} values, the row group {} rows",
                                         meta.num_values, rg.num_rows)
                    : DecodeColumnChunk(slices[l].data, slices[l].size, meta, leaf, &leaves[i],
                                        options_.verify_page_checksums);
    if (!st.ok()) {
      return st.WithContext(
          fmt::format("{}: row group {}, column {}", file_->path(), row_group, leaf.dotted_path));
    }
  }
  Status st = AssembleColumn(node, leaves, out);
  if (st.ok() && out->length() != rg.num_rows) {
    st = Status::Corruption("column has {} rows, row group has {}", out->length(), rg.num_rows);
  }
  if (!st.ok()) {
    return st.WithContext(
        fmt::format("{}: row group {}, column {}", file_->path(), row_group, node.field.name));
  }
  return Status::OK();
}

namespace {

// Runs fn(i) for i in [0, n) on up to `threads` threads; returns the first error by index.
template <typename Fn>
Status ParallelFor(size_t n, int threads, Fn&& fn) {
  std::vector<Status> statuses(n);
  threads = std::min<int>(std::max(threads, 1), static_cast<int>(n));
  if (threads <= 1) {
    for (size_t i = 0; i < n; ++i) LAKESYNC_RETURN_NOT_OK(fn(i));
    return Status::OK();
  }
  std::atomic<size_t> next{0};
  auto work = [&]() {
    for (size_t i = next++; i < n; i = next++) statuses[i] = fn(i);
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  for (const Status& st : statuses) LAKESYNC_RETURN_NOT_OK(st);
  return Status::OK();
}

}  // namespace

Result<ColumnBatch> FileReader::ReadRowGroup(int row_group, const std::vector<int>& columns) {
  std::vector<int> selected = columns;
  if (selected.empty()) {
    for (size_t i = 0; i < schema_.fields.size(); ++i) selected.push_back(static_cast<int>(i));
  }
  for (int c : selected) {
    if (c < 0 || c >= static_cast<int>(schema_.fields.size())) {
      return Status::InvalidArgument("column index {} out of range in {}", c, file_->path());
    }
  }
  return ReadRowGroup(row_group, ProjectFields(schema_, selected));
}

Result<ColumnBatch> FileReader::ReadRowGroup(int row_group, const Projection& projection) {
  return ReadRowGroupOn(row_group, projection, options_.num_threads);
}

Status FileReader::ReadRowGroups(
    const std::vector<int>& row_groups, const Projection& projection,
    const std::function<Status(int row_group, ColumnBatch batch)>& consume) {
  const size_t n = row_groups.size();
  const int threads = std::min<int>(std::max(options_.num_threads, 1), static_cast<int>(n));
  if (threads <= 1) {
    for (int g : row_groups) {
      LAKESYNC_ASSIGN_OR_RETURN(ColumnBatch batch, ReadRowGroupOn(g, projection, 1));
      LAKESYNC_RETURN_NOT_OK(consume(g, std::move(batch)));
    }
    return Status::OK();
  }
  // Workers take row groups in order but never more than `threads` ahead of the consumer,
  // which bounds the decoded batches held at once.
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::optional<Result<ColumnBatch>>> done(n);
  size_t next = 0, consumed = 0;
  bool stop = false;
  auto work = [&] {
    std::unique_lock<std::mutex> lock(mu);
    for (;;) {
      cv.wait(lock,
              [&] { return stop || next >= n || next < consumed + static_cast<size_t>(threads); });
      if (stop || next >= n) return;
      const size_t i = next++;
      lock.unlock();
      auto batch = ReadRowGroupOn(row_groups[i], projection, 1);
      lock.lock();
      done[i] = std::move(batch);
      cv.notify_all();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(work);
  Status st;
  for (size_t i = 0; i < n && st.ok(); ++i) {
    std::optional<Result<ColumnBatch>> batch;
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return done[i].has_value(); });
      batch = std::move(done[i]);
      done[i].reset();
      consumed = i + 1;
      cv.notify_all();
    }
    st = batch->ok() ? consume(row_groups[i], std::move(*batch).value()) : batch->status();
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    stop = true;
    cv.notify_all();
  }
  for (std::thread& t : pool) t.join();
  return st;
}

Result<ColumnBatch> FileReader::ReadRowGroupOn(int row_group, const Projection& projection,
                                               int threads) {
  if (row_group < 0 || row_group >= num_row_groups()) {
    return Status::InvalidArgument("row group {} out of range [0, {}) in {}", row_group,
                                   num_row_groups(), file_->path());
  }
  const RowGroup& rg = metadata_.row_groups[row_group];
  ColumnBatch batch;
  batch.num_rows = rg.num_rows;
  batch.columns.resize(projection.columns.size());
  for (const Projection::Column& c : projection.columns) {
    for (int l : c.file_leaves) {
      if (l < 0 || l >= static_cast<int>(schema_.leaves.size())) {
        return Status::InvalidArgument("projection is not from {}", file_->path());
      }
    }
    batch.schema.push_back(c.node.field);
  }

  // The byte ranges of every needed column chunk, merged where they (nearly) touch, so a
  // projection costs few reads (few requests on object stores).
  const size_t num_leaves = schema_.leaves.size();
  std::vector<ByteRange> ranges(num_leaves);
  std::vector<uint8_t> needed(num_leaves, 0);
  std::vector<int> order;
  for (const Projection::Column& c : projection.columns) {
    for (int l : c.file_leaves) {
      if (needed[l]) continue;
      needed[l] = 1;
      auto range = ColumnChunkRange(rg.columns[l], file_->size());
      if (!range.ok()) {
        return range.status().WithContext(fmt::format("{}: row group {}, column {}", file_->path(),
                                                      row_group, schema_.leaves[l].dotted_path));
      }
      ranges[l] = *range;
      order.push_back(l);
    }
  }
  std::sort(order.begin(), order.end(),
            [&](int a, int b) { return ranges[a].offset < ranges[b].offset; });
  struct Block {
    int64_t offset = 0;
    int64_t end = 0;
    PodVector<uint8_t> data;
  };
  std::vector<Block> blocks;
  std::vector<size_t> block_of(num_leaves, 0);
  for (int l : order) {
    const int64_t begin = ranges[l].offset, end = begin + ranges[l].length;
    if (blocks.empty() || begin > blocks.back().end + kCoalesceGap ||
        std::max(end, blocks.back().end) - blocks.back().offset > kMaxCoalescedRead) {
      blocks.push_back(Block{begin, end, {}});
    } else {
      blocks.back().end = std::max(blocks.back().end, end);
    }
    block_of[l] = blocks.size() - 1;
  }
  // One call for every block: object stores fetch them concurrently.
  std::vector<storage::ReadRequest> reads;
  reads.reserve(blocks.size());
  for (Block& block : blocks) {
    block.data.resize(static_cast<size_t>(block.end - block.offset));
    reads.push_back({block.offset, block.end - block.offset, block.data.data()});
  }
  Status read_st = file_->ReadRanges(reads);
  if (!read_st.ok()) {
    return read_st.WithContext(fmt::format("{}: row group {}", file_->path(), row_group));
  }
  std::vector<ChunkSlice> slices(num_leaves);
  for (int l : order) {
    const Block& block = blocks[block_of[l]];
    slices[l] = ChunkSlice{block.data.data() + (ranges[l].offset - block.offset),
                           static_cast<size_t>(ranges[l].length)};
  }

  LAKESYNC_RETURN_NOT_OK(ParallelFor(projection.columns.size(), threads, [&](size_t i) {
    return ReadColumn(row_group, projection.columns[i], slices, &batch.columns[i]);
  }));
  return batch;
}

}  // namespace lakesync::parquet
