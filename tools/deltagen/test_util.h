// Helpers shared by the deltagen tests: temporary folders, reading Parquet back with the
// lakesync reader, and comparing values.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "deltagen/column_builder.h"
#include "lakesync/common/macros.h"
#include "lakesync/parquet/file_reader.h"
#include "lakesync/storage/local_file_system.h"

namespace lakesync::deltagen::testing {

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = (std::filesystem::temp_directory_path() /
             ("deltagen_test_" + std::to_string(rd()) + std::to_string(rd())))
                .string();
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string Join(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline Result<std::unique_ptr<parquet::FileReader>> OpenParquet(const std::string& path) {
  storage::LocalFileSystem fs;
  LAKESYNC_ASSIGN_OR_RETURN(std::unique_ptr<storage::RandomAccessFile> f, fs.OpenForRead(path));
  return parquet::FileReader::Open(std::shared_ptr<storage::RandomAccessFile>(std::move(f)));
}

/// Every row of a Parquet file as Values (row-major).
inline Result<std::vector<std::vector<Value>>> ReadRows(const std::string& path) {
  LAKESYNC_ASSIGN_OR_RETURN(auto reader, OpenParquet(path));
  std::vector<std::vector<Value>> rows;
  for (int rg = 0; rg < reader->num_row_groups(); ++rg) {
    LAKESYNC_ASSIGN_OR_RETURN(ColumnBatch b, reader->ReadRowGroup(rg));
    for (int64_t r = 0; r < b.num_selected(); ++r) {
      const int64_t row = b.selection ? (*b.selection)[r] : r;
      std::vector<Value> values;
      for (const ColumnVector& c : b.columns) values.push_back(GetValue(c, row));
      rows.push_back(std::move(values));
    }
  }
  return rows;
}

inline std::string ToString(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kNull:
      return "null";
    case Value::Kind::kBool:
      return v.b ? "true" : "false";
    case Value::Kind::kInt:
      return std::to_string(v.i);
    case Value::Kind::kDouble:
      return std::to_string(v.d);
    case Value::Kind::kString:
      return "'" + v.s + "'";
    case Value::Kind::kDecimal: {
      const bool neg = v.dec < 0;
      UInt128 m = neg ? static_cast<UInt128>(-(v.dec + 1)) + 1 : static_cast<UInt128>(v.dec);
      std::string d;
      do {
        d.insert(d.begin(), static_cast<char>('0' + static_cast<int>(m % 10)));
        m /= 10;
      } while (m);
      return (neg ? "-" : "") + d + "d";
    }
    default: {
      std::string s =
          v.kind == Value::Kind::kStruct ? "{" : (v.kind == Value::Kind::kMap ? "map[" : "[");
      for (size_t i = 0; i < v.items.size(); ++i) s += (i ? "," : "") + ToString(v.items[i]);
      return s + (v.kind == Value::Kind::kStruct ? "}" : "]");
    }
  }
}

inline bool ValueEq(const Value& a, const Value& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Value::Kind::kNull:
      return true;
    case Value::Kind::kBool:
      return a.b == b.b;
    case Value::Kind::kInt:
      return a.i == b.i;
    case Value::Kind::kDouble:
      return a.d == b.d || (a.d != a.d && b.d != b.d);
    case Value::Kind::kString:
      return a.s == b.s;
    case Value::Kind::kDecimal:
      return a.dec == b.dec;
    default:
      if (a.items.size() != b.items.size()) return false;
      for (size_t i = 0; i < a.items.size(); ++i) {
        if (!ValueEq(a.items[i], b.items[i])) return false;
      }
      return true;
  }
}

/// Expects `actual` rows to equal `expected`, naming the first difference.
inline void ExpectRowsEqual(const std::vector<std::vector<Value>>& expected,
                            const std::vector<std::vector<Value>>& actual) {
  ASSERT_EQ(expected.size(), actual.size());
  for (size_t r = 0; r < expected.size(); ++r) {
    ASSERT_EQ(expected[r].size(), actual[r].size()) << "row " << r;
    for (size_t c = 0; c < expected[r].size(); ++c) {
      ASSERT_TRUE(ValueEq(expected[r][c], actual[r][c]))
          << "row " << r << " column " << c << ": expected " << ToString(expected[r][c])
          << ", read " << ToString(actual[r][c]);
    }
  }
}

inline Field MakeField(std::string name, DataType type, bool nullable = true) {
  Field f;
  f.name = std::move(name);
  f.type = std::move(type);
  f.nullable = nullable;
  return f;
}

}  // namespace lakesync::deltagen::testing
