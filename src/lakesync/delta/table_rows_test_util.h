// Test-only helpers (header-only, included by the delta tests): scan a snapshot into one text
// line per row, read a golden table's expected rows (expected/*.parquet) the same way, so the
// two can be compared, and copy a shared table to a private folder a test may alter.
// Thread-safety: free functions without shared state.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "lakesync/common/canonical_json.h"
#include "lakesync/common/macros.h"
#include "lakesync/common/value_text.h"
#include "lakesync/delta/change_scan.h"
#include "lakesync/delta/column_convert.h"
#include "lakesync/delta/log_files.h"
#include "lakesync/delta/scan.h"
#include "lakesync/parquet/file_reader.h"
#include "lakesync/storage/local_file_system.h"
#include "lakesync/testing/test_paths.h"

namespace lakesync::delta {
namespace {

// A canonical text for one value, nested values included.
inline std::string Render(const ColumnVector& col, int64_t row) {
  if (col.IsNull(row)) return "null";
  const DataType& t = col.type();
  switch (t.id) {
    case TypeId::kNull:
      return "null";
    case TypeId::kBoolean:
      return col.Value<uint8_t>(row) ? "true" : "false";
    case TypeId::kInt8:
      return std::to_string(col.Value<int8_t>(row));
    case TypeId::kInt16:
      return std::to_string(col.Value<int16_t>(row));
    case TypeId::kInt32:
    case TypeId::kDate:
      return std::to_string(col.Value<int32_t>(row));
    case TypeId::kInt64:
    case TypeId::kTimestamp:
    case TypeId::kTime:
      return std::to_string(col.Value<int64_t>(row));
    case TypeId::kUInt8:
      return std::to_string(col.Value<uint8_t>(row));
    case TypeId::kUInt16:
      return std::to_string(col.Value<uint16_t>(row));
    case TypeId::kUInt32:
      return std::to_string(col.Value<uint32_t>(row));
    case TypeId::kUInt64:
      return std::to_string(col.Value<uint64_t>(row));
    case TypeId::kFloat16:
    case TypeId::kFloat32:
      return fmt::format("{}", col.Value<float>(row));
    case TypeId::kFloat64:
      return fmt::format("{}", col.Value<double>(row));
    case TypeId::kDecimal: {
      std::string s;
      AppendDecimalText(col.Value<Int128>(row), t.scale, s);
      return s;
    }
    case TypeId::kString:
    case TypeId::kBinary:
      return "'" + std::string(col.StringValue(row)) + "'";
    case TypeId::kStruct: {
      std::string s = "{";
      for (size_t i = 0; i < col.children().size(); ++i) {
        if (i) s += ",";
        s += Render(col.children()[i], row);
      }
      return s + "}";
    }
    case TypeId::kList:
    case TypeId::kMap: {
      std::string s = "[";
      for (uint32_t i = col.offsets()[row]; i < col.offsets()[row + 1]; ++i) {
        if (i != col.offsets()[row]) s += ",";
        s += Render(col.children()[0], i);
        if (t.id == TypeId::kMap) s += "=" + Render(col.children()[1], i);
      }
      return s + "]";
    }
  }
  return "?";
}

inline std::vector<uint32_t> SelectedRows(const ColumnBatch& batch) {
  if (batch.selection) return *batch.selection;
  std::vector<uint32_t> rows(batch.num_rows);
  for (int64_t i = 0; i < batch.num_rows; ++i) rows[i] = static_cast<uint32_t>(i);
  return rows;
}

struct ScanResult {
  int64_t rows = 0;
  std::vector<std::string> rendered;  // one per row, columns in schema order
};

inline Result<ScanResult> ScanAll(const Snapshot& snapshot, bool render, ScanOptions options = {}) {
  LAKESYNC_ASSIGN_OR_RETURN(auto scan, Scan::Make(snapshot, options));
  LAKESYNC_ASSIGN_OR_RETURN(auto it, scan->Open());
  ScanResult out;
  while (true) {
    LAKESYNC_ASSIGN_OR_RETURN(auto batch, it->Next());
    if (!batch) break;
    if (!(batch->schema == scan->schema())) return Status::Internal("batch schema differs");
    for (const auto& col : batch->columns) {
      if (col.length() != batch->num_rows) return Status::Internal("column length differs");
      if (!(col.type() == batch->schema[&col - batch->columns.data()].type)) {
        return Status::Internal("column type differs from schema");
      }
    }
    out.rows += batch->num_selected();
    if (!render) continue;
    for (uint32_t r : SelectedRows(*batch)) {
      std::string line;
      for (size_t c = 0; c < batch->columns.size(); ++c) {
        line += (c ? "|" : "") + Render(batch->columns[c], r);
      }
      out.rendered.push_back(std::move(line));
    }
  }
  return out;
}

// Reads golden expected rows (Parquet files written by Spark) in the order of `schema`,
// converting each column to the table type as the scan does.
inline Result<std::vector<std::string>> ReadExpected(const std::string& dir,
                                                     const std::vector<Field>& schema) {
  std::vector<std::string> rows;
  storage::LocalFileSystem fs;
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.ends_with(".parquet") && !name.starts_with(".") &&
        !name.starts_with("_")) {
      files.push_back(entry.path().string());
    }
  }
  for (const auto& path : files) {
    LAKESYNC_ASSIGN_OR_RETURN(auto file, fs.OpenForRead(path));
    LAKESYNC_ASSIGN_OR_RETURN(auto reader, parquet::FileReader::Open(std::move(file)));
    std::vector<int> columns;
    for (const auto& field : schema) {
      const int idx =
          FindFileField(reader->schema(), field, ColumnMeta{}, ColumnMappingMode::kNone);
      if (idx < 0) return Status::NotFound("expected file {} lacks column {}", path, field.name);
      columns.push_back(idx);
    }
    for (int rg = 0; rg < reader->num_row_groups(); ++rg) {
      LAKESYNC_ASSIGN_OR_RETURN(auto batch, reader->ReadRowGroup(rg, columns));
      std::vector<ColumnVector> converted;
      for (size_t c = 0; c < schema.size(); ++c) {
        LAKESYNC_ASSIGN_OR_RETURN(
            auto col, ConvertColumn(std::move(batch.columns[c]), schema[c], ColumnMeta{},
                                    ColumnMappingMode::kNone, schema[c].name));
        converted.push_back(std::move(col));
      }
      for (uint32_t r : SelectedRows(batch)) {
        std::string line;
        for (size_t c = 0; c < converted.size(); ++c) {
          line += (c ? "|" : "") + Render(converted[c], r);
        }
        rows.push_back(std::move(line));
      }
    }
  }
  return rows;
}

// ---- Change feed property: the changes rebuild every snapshot.

// The first `n` columns of row `row` as canonical JSON values joined by '|'.
inline std::string RowKey(const ColumnBatch& batch, int64_t row, size_t n) {
  std::string key;
  for (size_t c = 0; c < n; ++c) {
    if (c) key += '|';
    Status st = AppendCanonicalJson(batch.columns[c], row, key);
    if (!st.ok()) return "<" + st.ToString() + ">";
  }
  return key;
}

using RowCounts = std::map<std::string, int64_t>;

// The rows of `snapshot` as a multiset.
inline Result<RowCounts> SnapshotRows(const Snapshot& snapshot) {
  RowCounts rows;
  if (snapshot.schema().fields.empty()) return rows;
  LAKESYNC_ASSIGN_OR_RETURN(auto scan, Scan::Make(snapshot));
  LAKESYNC_ASSIGN_OR_RETURN(auto it, scan->Open());
  while (true) {
    LAKESYNC_ASSIGN_OR_RETURN(auto batch, it->Next());
    if (!batch) break;
    for (int64_t i = 0; i < batch->num_selected(); ++i) {
      const int64_t r = batch->selection ? (*batch->selection)[i] : i;
      ++rows[RowKey(*batch, r, batch->columns.size())];
    }
  }
  return rows;
}

// Applies the change feed of versions [start, end.version()] to `rows`: inserts and
// post-images add a row, deletes and pre-images take one away (which must be there).
inline Status ApplyChanges(const Snapshot& end, int64_t start, RowCounts* rows) {
  LAKESYNC_ASSIGN_OR_RETURN(auto changes, ChangeScan::Make(end, start));
  LAKESYNC_ASSIGN_OR_RETURN(auto it, changes->Open());
  while (true) {
    LAKESYNC_ASSIGN_OR_RETURN(auto batch, it->Next());
    if (!batch) break;
    const size_t data_columns = batch->columns.size() - 3;
    const ColumnVector& type = batch->columns[data_columns];
    for (int64_t i = 0; i < batch->num_selected(); ++i) {
      const int64_t r = batch->selection ? (*batch->selection)[i] : i;
      const std::string key = RowKey(*batch, r, data_columns);
      const std::string_view change = type.StringValue(r);
      if (change == "insert" || change == "update_postimage") {
        ++(*rows)[key];
      } else if (change == "delete" || change == "update_preimage") {
        auto found = rows->find(key);
        if (found == rows->end()) {
          return Status::Internal("version {}: {} of a row that is not there: {}",
                                  batch->columns[data_columns + 1].Value<int64_t>(r), change, key);
        }
        if (--found->second == 0) rows->erase(found);
      } else {
        return Status::Internal("unknown _change_type '{}'", change);
      }
    }
  }
  return Status::OK();
}

// For every version N from the first with the change data feed on (S): the rows of the
// snapshot before S plus table_changes(S..N) equal the snapshot at N. Returns the number of
// versions checked; a gtest failure names the first that differs.
inline int ExpectChangesRebuildEverySnapshot(std::shared_ptr<storage::FileSystem> fs,
                                             const std::string& root, const std::string& name) {
  auto latest = Snapshot::Open(fs, root);
  EXPECT_TRUE(latest.ok()) << name << ": " << latest.status();
  if (!latest.ok()) return 0;
  int64_t start = -1;
  RowCounts base;
  int checked = 0;
  for (int64_t n = 0; n <= (*latest)->version(); ++n) {
    auto at = Snapshot::Open(fs, root, SnapshotOptions{n});
    if (!at.ok() && at.status().IsNotFound()) continue;  // log cleaned up before n
    EXPECT_TRUE(at.ok()) << name << " version " << n << ": " << at.status();
    if (!at.ok()) return checked;
    const auto cdf = (*at)->GetConfig("delta.enableChangeDataFeed");
    if (start < 0 || !cdf || *cdf != "true") {
      if (!cdf || *cdf != "true") {
        start = -1;
        continue;
      }
      // The first version with the feed on: start from the snapshot before it.
      start = n;
      base.clear();
      if (n > 0) {
        auto before = Snapshot::Open(fs, root, SnapshotOptions{n - 1});
        if (!before.ok()) {
          start = -1;  // its commits are gone; try from the next version
          continue;
        }
        auto rows = SnapshotRows(**before);
        EXPECT_TRUE(rows.ok()) << name << " version " << n - 1 << ": " << rows.status();
        if (!rows.ok()) return checked;
        base = std::move(rows).value();
      }
    }
    RowCounts rebuilt = base;
    Status st = ApplyChanges(**at, start, &rebuilt);
    EXPECT_TRUE(st.ok()) << name << " changes " << start << ".." << n << ": " << st;
    if (!st.ok()) return checked;
    auto expected = SnapshotRows(**at);
    EXPECT_TRUE(expected.ok()) << name << " version " << n << ": " << expected.status();
    if (!expected.ok()) return checked;
    EXPECT_EQ(rebuilt, *expected) << name << ": changes " << start << ".." << n
                                  << " applied to the rows before " << start;
    if (rebuilt != *expected) return checked;
    ++checked;
  }
  return checked;
}

// A private copy of a shared table (removed at the end of the test), or "" when absent.
class TableCopy {
 public:
  explicit TableCopy(const std::string& relative) {
    const std::filesystem::path source =
        std::filesystem::path(testing::SharedDir()) / "delta-tables" / relative;
    if (!std::filesystem::exists(source)) return;
    const char* tmp = std::getenv("TMPDIR");
    root_ = std::filesystem::path(tmp ? tmp : "/tmp") /
            fmt::format("lakesync_table_copy_{}_{}_{}", ::getpid(),
                        ::testing::UnitTest::GetInstance()->current_test_info()->name(), copies_++);
    std::filesystem::remove_all(root_);
    std::filesystem::copy(source, root_, std::filesystem::copy_options::recursive);
  }
  ~TableCopy() {
    if (!root_.empty()) std::filesystem::remove_all(root_);
  }
  bool ok() const { return !root_.empty(); }
  std::string root() const { return root_.string(); }
  std::filesystem::path log(const std::string& name) const { return root_ / "_delta_log" / name; }
  void SetCommitTime(int64_t version, int64_t ms) const {
    const auto when =
        std::filesystem::file_time_type::clock::now() +
        std::chrono::milliseconds(ms - std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count());
    std::filesystem::last_write_time(log(CommitFileName(version)), when);
  }

 private:
  std::filesystem::path root_;
  static inline int copies_ = 0;
};

}  // namespace
}  // namespace lakesync::delta
