// Test helpers for the parquet module's tests (not linked into the library): a file wrapper
// that records reads, a way to build multi-row-group files from real files, and rendering a
// batch as canonical JSON lines for comparisons.
// Thread-safety: RecordingFile may be read from several threads; the rest are plain functions.
#pragma once

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "lakesync/common/canonical_json.h"
#include "lakesync/parquet/column_reader.h"
#include "lakesync/parquet/file_reader.h"
#include "lakesync/parquet/metadata_codec.h"
#include "lakesync/storage/file_system.h"
#include "lakesync/storage/local_file_system.h"
#include "lakesync/testing/test_paths.h"

namespace lakesync::parquet::testing {

/// Forwards to a real file and records every read, so tests see which bytes a read touched.
class RecordingFile : public storage::RandomAccessFile {
 public:
  explicit RecordingFile(std::shared_ptr<storage::RandomAccessFile> base)
      : base_(std::move(base)) {}
  const std::string& path() const override { return base_->path(); }
  int64_t size() const override { return base_->size(); }
  Status ReadAt(int64_t offset, int64_t length, uint8_t* out) const override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      reads_.push_back(ByteRange{offset, length});
    }
    return base_->ReadAt(offset, length, out);
  }
  std::vector<ByteRange> TakeReads() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::exchange(reads_, {});
  }

 private:
  std::shared_ptr<storage::RandomAccessFile> base_;
  mutable std::mutex mu_;
  mutable std::vector<ByteRange> reads_;
};

inline std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

/// One Parquet file holding the row groups of `files` (real files of one schema), in order:
/// their pages copied as they are, their footers merged with the offsets moved. Empty when a
/// file's footer does not parse.
inline std::string ConcatRowGroups(const std::vector<std::string>& files) {
  std::string out = "PAR1";
  FileMetaData merged;
  for (size_t f = 0; f < files.size(); ++f) {
    const std::string bytes = ReadFileBytes(files[f]);
    if (bytes.size() < 12) return "";
    uint32_t len;
    std::memcpy(&len, bytes.data() + bytes.size() - 8, 4);
    if (len > bytes.size() - 12) return "";
    auto md = ParseFileMetaData(
        reinterpret_cast<const uint8_t*>(bytes.data()) + bytes.size() - 8 - len, len);
    if (!md.ok()) return "";
    const int64_t delta = static_cast<int64_t>(out.size()) - 4;
    out.append(bytes, 4, bytes.size() - 8 - len - 4);
    if (f == 0) {
      merged = *md;
      merged.row_groups.clear();
      merged.num_rows = 0;
    }
    for (RowGroup rg : md->row_groups) {
      for (ColumnChunk& c : rg.columns) {
        c.file_offset += delta;
        c.offset_index_offset.reset();
        c.offset_index_length.reset();
        c.column_index_offset.reset();
        c.column_index_length.reset();
        if (!c.meta_data) continue;
        c.meta_data->data_page_offset += delta;
        if (c.meta_data->dictionary_page_offset) *c.meta_data->dictionary_page_offset += delta;
        if (c.meta_data->index_page_offset) *c.meta_data->index_page_offset += delta;
        c.meta_data->bloom_filter_offset.reset();
        c.meta_data->bloom_filter_length.reset();
      }
      if (rg.file_offset) *rg.file_offset += delta;
      merged.num_rows += rg.num_rows;
      merged.row_groups.push_back(std::move(rg));
    }
  }
  const std::string footer = SerializeFileMetaData(merged);
  out += footer;
  const uint32_t len = static_cast<uint32_t>(footer.size());
  out.append(reinterpret_cast<const char*>(&len), 4);
  out += "PAR1";
  return out;
}

// Spark's change-data-feed test table: many small files; those of one schema are merged into
// one file of many row groups (id, name, birthday, long_field, boolean_field, double_field,
// smallint_field).
inline constexpr char kManyRowGroupsTable[] =
    "/delta-tables/delta-rs/crates/test/tests/data/cdf-table-non-partitioned";

/// The merged file's bytes, or empty when the shared tables are absent.
inline std::string ManyRowGroupFile() {
  std::error_code ec;
  std::map<std::string, std::vector<std::string>> by_schema;
  storage::LocalFileSystem lfs;
  for (const auto& e : std::filesystem::directory_iterator(
           ::lakesync::testing::SharedDir() + kManyRowGroupsTable, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("part-", 0) != 0 || e.path().extension() != ".parquet") continue;
    auto file = lfs.OpenForRead(e.path().string());
    if (!file.ok()) continue;
    auto reader =
        FileReader::Open(std::shared_ptr<storage::RandomAccessFile>(std::move(file).value()));
    if (!reader.ok()) continue;
    std::string key;
    for (const LeafColumn& l : (*reader)->parquet_schema().leaves) {
      key += l.dotted_path + ":" + l.type.ToString() + ";";
    }
    by_schema[key].push_back(e.path().string());
  }
  std::vector<std::string> best;
  for (auto& [key, files] : by_schema) {
    if (files.size() > best.size()) best = files;
  }
  std::sort(best.begin(), best.end());
  return best.size() < 4 ? "" : ConcatRowGroups(best);
}

/// The rows of `batch` as canonical JSON lines (README.md), for exact comparisons.
inline std::vector<std::string> JsonRows(const ColumnBatch& batch) {
  std::vector<std::string> rows;
  for (int64_t r = 0; r < batch.num_rows; ++r) {
    std::string line;
    Status st = AppendCanonicalJsonRow(batch, r, line);
    rows.push_back(st.ok() ? line : "error: " + st.ToString());
  }
  return rows;
}

}  // namespace lakesync::parquet::testing
