#include "lakesync/parquet/file_reader.h"

#include <fmt/format.h>

#include <atomic>
#include <cstring>
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
  uint8_t tail[8];
  LAKESYNC_RETURN_NOT_OK(file_->ReadAt(size - 8, 8, tail));
  if (std::memcmp(tail + 4, kEncryptedMagic, 4) == 0) {
    return Status::NotSupported("encrypted Parquet footers");
  }
  if (std::memcmp(tail + 4, kMagic, 4) != 0) {
    return Status::Corruption("not a Parquet file: bad magic at the end");
  }
  uint8_t head[4];
  LAKESYNC_RETURN_NOT_OK(file_->ReadAt(0, 4, head));
  if (std::memcmp(head, kMagic, 4) != 0) {
    return Status::Corruption("not a Parquet file: bad magic at the start");
  }
  uint32_t footer_len{};
  std::memcpy(&footer_len, tail, 4);
  if (static_cast<int64_t>(footer_len) > size - 12 || footer_len > kMaxFooterBytes) {
    return Status::Corruption("footer length {} exceeds the file size {}", footer_len, size);
  }
  PodVector<uint8_t> footer(footer_len);
  LAKESYNC_RETURN_NOT_OK(file_->ReadAt(size - 8 - footer_len, footer_len, footer.data()));
  auto md = ParseFileMetaData(footer.data(), footer.size());
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

Status FileReader::ReadColumn(int row_group, int field, ColumnVector* out) const {
  const SchemaNode& node = schema_.fields[field];
  const RowGroup& rg = metadata_.row_groups[row_group];
  std::vector<LeafData> leaves(static_cast<size_t>(node.num_leaves));
  for (int l = node.first_leaf; l < node.first_leaf + node.num_leaves; ++l) {
    const LeafColumn& leaf = schema_.leaves[l];
    Status st = ReadColumnChunk(*file_, rg.columns[l], leaf, &leaves[l - node.first_leaf],
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

Result<ColumnBatch> FileReader::ReadRowGroup(int row_group, const std::vector<int>& columns) {
  if (row_group < 0 || row_group >= num_row_groups()) {
    return Status::InvalidArgument("row group {} out of range [0, {}) in {}", row_group,
                                   num_row_groups(), file_->path());
  }
  std::vector<int> selected = columns;
  if (selected.empty()) {
    for (size_t i = 0; i < schema_.fields.size(); ++i) selected.push_back(static_cast<int>(i));
  }
  for (int c : selected) {
    if (c < 0 || c >= static_cast<int>(schema_.fields.size())) {
      return Status::InvalidArgument("column index {} out of range in {}", c, file_->path());
    }
  }
  ColumnBatch batch;
  batch.num_rows = metadata_.row_groups[row_group].num_rows;
  batch.columns.resize(selected.size());
  for (int c : selected) batch.schema.push_back(schema_.top_level[c]);

  const int threads =
      std::min<int>(std::max(options_.num_threads, 1), static_cast<int>(selected.size()));
  if (threads <= 1) {
    for (size_t i = 0; i < selected.size(); ++i) {
      LAKESYNC_RETURN_NOT_OK(ReadColumn(row_group, selected[i], &batch.columns[i]));
    }
    return batch;
  }
  std::vector<Status> statuses(selected.size());
  std::atomic<size_t> next{0};
  auto work = [&]() {
    for (size_t i = next++; i < selected.size(); i = next++) {
      statuses[i] = ReadColumn(row_group, selected[i], &batch.columns[i]);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  for (const Status& st : statuses) LAKESYNC_RETURN_NOT_OK(st);
  return batch;
}

}  // namespace lakesync::parquet
