#include "lakesync/parquet/file_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "lakesync/parquet/buffer_file.h"
#include "lakesync/parquet/column_reader.h"
#include "lakesync/parquet/encoding.h"
#include "lakesync/parquet/metadata_codec.h"
#include "lakesync/storage/local_file_system.h"
#include "lakesync/testing/test_paths.h"

namespace lakesync::parquet {
namespace {

namespace fs = std::filesystem;

using ::lakesync::testing::SharedDir;

std::vector<std::string> SharedParquetFiles() {
  std::vector<std::string> out;
  fs::path root = fs::path(SharedDir()) / "delta-tables";
  std::error_code ec;
  if (SharedDir().empty() || !fs::is_directory(root, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (!it->is_regular_file(ec)) continue;
    const std::string name = it->path().filename().string();
    if (name.rfind("._", 0) == 0) continue;  // macOS resource-fork junk
    if (it->path().extension() == ".parquet") out.push_back(it->path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

Result<std::unique_ptr<FileReader>> OpenLocal(const std::string& path, ReaderOptions opts = {}) {
  storage::LocalFileSystem lfs;
  auto file = lfs.OpenForRead(path);
  if (!file.ok()) return file.status();
  return FileReader::Open(std::shared_ptr<storage::RandomAccessFile>(std::move(file).value()),
                          opts);
}

Status ReadAll(FileReader& reader, int64_t* rows) {
  *rows = 0;
  for (int g = 0; g < reader.num_row_groups(); ++g) {
    auto batch = reader.ReadRowGroup(g);
    if (!batch.ok()) return batch.status();
    for (size_t c = 0; c < batch->columns.size(); ++c) {
      if (batch->columns[c].length() != batch->num_rows) {
        return Status::Internal("column {} has {} rows, batch {}", c, batch->columns[c].length(),
                                batch->num_rows);
      }
    }
    *rows += batch->num_rows;
  }
  return Status::OK();
}

// Renders one row of a column as text: {a: 1, b: [x, y]}, {k -> v}, null.
std::string Render(const ColumnVector& v, int64_t row) {
  if (v.IsNull(row)) return "null";
  switch (v.type().id) {
    case TypeId::kBoolean:
      return v.Value<uint8_t>(row) ? "true" : "false";
    case TypeId::kInt32:
    case TypeId::kDate:
      return std::to_string(v.Value<int32_t>(row));
    case TypeId::kInt64:
    case TypeId::kTimestamp:
    case TypeId::kTime:
      return std::to_string(v.Value<int64_t>(row));
    case TypeId::kFloat64:
      return fmt::format("{}", v.Value<double>(row));
    case TypeId::kFloat32:
      return fmt::format("{}", v.Value<float>(row));
    case TypeId::kString:
    case TypeId::kBinary:
      return std::string(v.StringValue(row));
    case TypeId::kStruct: {
      std::string out = "{";
      for (size_t i = 0; i < v.children().size(); ++i) {
        if (i) out += ", ";
        out += v.type().children[i].name + ": " + Render(v.children()[i], row);
      }
      return out + "}";
    }
    case TypeId::kList: {
      std::string out = "[";
      for (uint32_t i = v.offsets()[row]; i < v.offsets()[row + 1]; ++i) {
        if (i != v.offsets()[row]) out += ", ";
        out += Render(v.children()[0], i);
      }
      return out + "]";
    }
    case TypeId::kMap: {
      std::string out = "{";
      for (uint32_t i = v.offsets()[row]; i < v.offsets()[row + 1]; ++i) {
        if (i != v.offsets()[row]) out += ", ";
        out += Render(v.children()[0], i) + " -> " + Render(v.children()[1], i);
      }
      return out + "}";
    }
    default:
      return "?";
  }
}

// Files that are deliberately not Parquet data (e.g. zero-byte placeholders) are listed here
// with the reason, so the sweep still fails on any new failure.
bool ExpectedToFail(const std::string& path, const Status& st) {
  (void)path;
  return st.IsNotSupported();
}

TEST(FileReaderSharedTest, DecodesEverySharedParquetFile) {
  std::vector<std::string> files = SharedParquetFiles();
  if (files.empty()) GTEST_SKIP() << "LAKESYNC_SHARED_DIR/delta-tables not found";
  int ok = 0, not_supported = 0;
  std::vector<std::string> failures;
  std::map<std::string, int> unsupported_reasons;
  std::map<std::string, int64_t> census;  // what the corpus exercises, for the record
  for (const std::string& path : files) {
    auto reader = OpenLocal(path);
    Status st = reader.status();
    int64_t rows = 0;
    if (st.ok()) st = ReadAll(**reader, &rows);
    if (reader.ok()) {
      for (const RowGroup& rg : (*reader)->metadata().row_groups) {
        for (const ColumnChunk& cc : rg.columns) {
          if (!cc.meta_data) continue;
          census["codec " + CodecName(cc.meta_data->codec)]++;
          for (Encoding e : cc.meta_data->encodings) census["encoding " + EncodingName(e)]++;
          {
            // Count chunks whose first page carries a CRC (which the reader verifies).
            int64_t start =
                cc.meta_data->dictionary_page_offset && *cc.meta_data->dictionary_page_offset > 0
                    ? std::min(*cc.meta_data->dictionary_page_offset,
                               cc.meta_data->data_page_offset)
                    : cc.meta_data->data_page_offset;
            std::ifstream in(path, std::ios::binary);
            in.seekg(start);
            char hdr[256];
            in.read(hdr, sizeof(hdr));
            size_t hs;
            auto ph = ParsePageHeader(reinterpret_cast<const uint8_t*>(hdr),
                                      static_cast<size_t>(in.gcount()), &hs);
            if (ph.ok() && ph->crc) census["chunks whose first page has a CRC"]++;
          }
          for (const PageEncodingStats& ps : cc.meta_data->encoding_stats) {
            census["pages " + PageTypeName(ps.page_type) + " " + EncodingName(ps.encoding)] +=
                ps.count;
          }
        }
      }
    }
    if (st.ok() && rows != (*reader)->num_rows()) {
      st = Status::Internal("read {} rows, metadata says {}", rows, (*reader)->num_rows());
    }
    if (st.ok()) {
      ++ok;
    } else if (ExpectedToFail(path, st)) {
      ++not_supported;
      unsupported_reasons[st.message().substr(st.message().rfind(": ") + 2)]++;
    } else {
      failures.push_back(st.ToString());
    }
  }
  std::cout << "decoded " << ok << " of " << files.size() << " shared Parquet files; "
            << not_supported << " NotSupported\n";
  for (auto& [what, n] : census) std::cout << "  " << what << ": " << n << "\n";
  for (auto& [reason, n] : unsupported_reasons)
    std::cout << "  NotSupported x" << n << ": " << reason << "\n";
  for (size_t i = 0; i < failures.size() && i < 30; ++i)
    std::cout << "FAIL " << failures[i] << "\n";
  EXPECT_TRUE(failures.empty()) << failures.size() << " files failed";
}

TEST(FileReaderSharedTest, ReadsCheckpointStructsListsAndMaps) {
  const std::string path = SharedDir() +
                           "/delta-tables/delta-kernel-rs/kernel/tests/data/app-txn-checkpoint/"
                           "_delta_log/00000000000000000001.checkpoint.parquet";
  if (SharedDir().empty() || !fs::exists(path)) GTEST_SKIP() << "shared tables not found";
  auto reader = OpenLocal(path);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto cols = (*reader)->ColumnsByName({"txn", "add", "metaData"});
  ASSERT_TRUE(cols.ok()) << cols.status().ToString();
  EXPECT_TRUE((*reader)->ColumnsByName({"nope"}).status().IsNotFound());
  std::multiset<std::string> txns, adds, metas;
  for (int g = 0; g < (*reader)->num_row_groups(); ++g) {
    auto batch = (*reader)->ReadRowGroup(g, *cols);
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    ASSERT_EQ(batch->schema.size(), 3u);
    EXPECT_EQ(batch->schema[1].name, "add");
    EXPECT_EQ(batch->schema[1].type.id, TypeId::kStruct);
    for (int64_t r = 0; r < batch->num_rows; ++r) {
      if (batch->columns[0].IsValid(r)) txns.insert(Render(batch->columns[0], r));
      if (batch->columns[1].IsValid(r)) adds.insert(Render(batch->columns[1], r));
      if (batch->columns[2].IsValid(r)) metas.insert(Render(batch->columns[2], r));
    }
  }
  EXPECT_EQ(txns.size(), 2u);
  EXPECT_EQ(adds.size(), 4u);
  EXPECT_EQ(metas.size(), 1u);
  int found = 0;
  for (const auto& a : adds) {
    if (a.find("path: modified=2021-02-01/part-00001-7e32952f-35ad-423c-8926-dbd3d264b1ee-c000."
               "snappy.parquet, size: 810, modificationTime: 1713400874277") != std::string::npos &&
        a.find("partitionValues: {modified -> 2021-02-01}") != std::string::npos &&
        a.find("stats_parsed: {numRecords: 8, minValues: {id: A, value: 4}") != std::string::npos) {
      ++found;
    }
  }
  EXPECT_EQ(found, 1);
  EXPECT_NE(metas.begin()->find("partitionColumns: [modified]"), std::string::npos);
}

TEST(FileReaderSharedTest, ReadsSparkInt96Timestamps) {
  const std::string dir =
      SharedDir() +
      "/delta-tables/delta-kernel-rs/unpacked/golden_data/kernel-timestamp-int96/"
      "delta/part=1969-01-01 00%3A00%3A00";
  std::error_code ec;
  if (SharedDir().empty() || !fs::is_directory(dir, ec)) GTEST_SKIP() << "shared tables not found";
  std::string path;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".parquet" && e.path().filename().string().rfind("._", 0) != 0) {
      path = e.path().string();
    }
  }
  auto reader = OpenLocal(path);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->parquet_schema().leaves[1].physical_type, Type::INT96);
  EXPECT_EQ((*reader)->schema()[1].type, DataType::Timestamp(lakesync::TimeUnit::kMicros, true));
  auto batch = (*reader)->ReadRowGroup(0);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->num_rows, 1);
  // 1969-01-01T00:00:00Z: 365 days before the epoch.
  EXPECT_EQ(batch->columns[1].Value<int64_t>(0), -365LL * 86400 * 1000000);
}

// ---------------------------------------------------------------------------------------------
// Corruption: damaged copies of real files must fail cleanly, never crash.

std::string FirstSharedFile(const std::string& suffix) {
  for (const std::string& f : SharedParquetFiles()) {
    if (f.size() >= suffix.size() &&
        f.compare(f.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return f;
    }
  }
  return "";
}

Status OpenAndReadBytes(const std::string& bytes, const std::string& name = "mem.parquet") {
  auto reader = FileReader::Open(std::make_shared<BufferFile>(name, bytes));
  if (!reader.ok()) return reader.status();
  int64_t rows;
  return ReadAll(**reader, &rows);
}

const char* kCheckpoint =
    "/delta-tables/delta-kernel-rs/kernel/tests/data/app-txn-checkpoint/_delta_log/"
    "00000000000000000001.checkpoint.parquet";

TEST(FileReaderCorruptionTest, TruncatedFileIsCorruption) {
  if (SharedDir().empty() || !fs::exists(SharedDir() + kCheckpoint)) GTEST_SKIP();
  std::string bytes = ReadWholeFile(SharedDir() + kCheckpoint);
  ASSERT_TRUE(OpenAndReadBytes(bytes).ok());
  for (size_t keep : {size_t{0}, size_t{3}, size_t{11}, bytes.size() / 2, bytes.size() - 1}) {
    Status st = OpenAndReadBytes(bytes.substr(0, keep), "cut.parquet");
    EXPECT_TRUE(st.IsCorruption()) << keep << ": " << st.ToString();
    EXPECT_NE(st.message().find("cut.parquet"), std::string::npos) << st.ToString();
  }
}

TEST(FileReaderCorruptionTest, BadMagicAndFooterLength) {
  if (SharedDir().empty() || !fs::exists(SharedDir() + kCheckpoint)) GTEST_SKIP();
  const std::string good = ReadWholeFile(SharedDir() + kCheckpoint);
  std::string b = good;
  b[b.size() - 1] = 'X';
  EXPECT_TRUE(OpenAndReadBytes(b).IsCorruption());
  b = good;
  b[0] = 'X';
  EXPECT_TRUE(OpenAndReadBytes(b).IsCorruption());
  b = good;
  uint32_t huge = static_cast<uint32_t>(good.size());
  std::memcpy(&b[b.size() - 8], &huge, 4);
  Status st = OpenAndReadBytes(b);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_NE(st.message().find("footer length"), std::string::npos) << st.ToString();
}

TEST(FileReaderCorruptionTest, GarbagePageHeaderNamesFileRowGroupColumnAndPage) {
  if (SharedDir().empty() || !fs::exists(SharedDir() + kCheckpoint)) GTEST_SKIP();
  const std::string good = ReadWholeFile(SharedDir() + kCheckpoint);
  auto reader = FileReader::Open(std::make_shared<BufferFile>("ckpt.parquet", good));
  ASSERT_TRUE(reader.ok());
  const ColumnMetaData& m = *(*reader)->metadata().row_groups[0].columns[0].meta_data;
  int64_t first_page = m.dictionary_page_offset && *m.dictionary_page_offset > 0
                           ? std::min(*m.dictionary_page_offset, m.data_page_offset)
                           : m.data_page_offset;
  std::string b = good;
  for (int i = 0; i < 6; ++i) b[first_page + i] = static_cast<char>(0xff);
  Status st = OpenAndReadBytes(b, "ckpt.parquet");
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  const std::string& msg = st.message();
  EXPECT_NE(msg.find("ckpt.parquet"), std::string::npos) << msg;
  EXPECT_NE(msg.find("row group 0"), std::string::npos) << msg;
  EXPECT_NE(msg.find("column " + (*reader)->parquet_schema().leaves[0].dotted_path),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("page 0"), std::string::npos) << msg;
}

TEST(FileReaderCorruptionTest, DamagedCompressedDataIsCorruption) {
  if (SharedDir().empty() || !fs::exists(SharedDir() + kCheckpoint)) GTEST_SKIP();
  const std::string good = ReadWholeFile(SharedDir() + kCheckpoint);
  auto reader = FileReader::Open(std::make_shared<BufferFile>("x.parquet", good));
  ASSERT_TRUE(reader.ok());
  // Zero the body of every page of the first column: snappy must reject it.
  const ColumnMetaData& m = *(*reader)->metadata().row_groups[0].columns[0].meta_data;
  ASSERT_EQ(m.codec, CompressionCodec::SNAPPY);
  int64_t pos = m.dictionary_page_offset && *m.dictionary_page_offset > 0
                    ? std::min(*m.dictionary_page_offset, m.data_page_offset)
                    : m.data_page_offset;
  std::string b = good;
  size_t header_size;
  auto h = ParsePageHeader(reinterpret_cast<const uint8_t*>(b.data()) + pos, b.size() - pos,
                           &header_size);
  ASSERT_TRUE(h.ok());
  for (int32_t i = 0; i < h->compressed_page_size; ++i) b[pos + header_size + i] = '\xff';
  Status st = OpenAndReadBytes(b);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
}

// Flips random bytes and truncates at random points across several real files: every outcome
// must be OK (a flipped value byte) or a clean Corruption / NotSupported, never a crash.
TEST(FileReaderCorruptionTest, RandomDamageNeverCrashes) {
  std::vector<std::string> picks;
  for (const char* suffix : {"00000000000000000001.checkpoint.parquet", ".zstd.parquet",
                             ".snappy.parquet", ".gz.parquet", ".parquet"}) {
    std::string f = FirstSharedFile(suffix);
    if (!f.empty()) picks.push_back(f);
  }
  if (picks.empty()) GTEST_SKIP() << "shared tables not found";
  uint64_t seed = 42;
  auto next = [&]() {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(seed >> 33);
  };
  int outcomes[3] = {0, 0, 0};
  // LAKESYNC_PARQUET_DAMAGE_ITERS raises the count for longer (e.g. sanitizer) runs.
  const char* iters_env = std::getenv("LAKESYNC_PARQUET_DAMAGE_ITERS");
  const int iters = iters_env ? std::atoi(iters_env) : 300;
  for (const std::string& path : picks) {
    const std::string good = ReadWholeFile(path);
    for (int iter = 0; iter < iters; ++iter) {
      std::string b = good;
      int flips = 1 + next() % 4;
      for (int k = 0; k < flips; ++k) b[next() % b.size()] = static_cast<char>(next());
      if (iter % 10 == 0) b.resize(next() % b.size());
      Status st = OpenAndReadBytes(b);
      if (st.ok()) {
        ++outcomes[0];
      } else {
        EXPECT_TRUE(st.IsCorruption() || st.IsNotSupported()) << path << ": " << st.ToString();
        ++outcomes[st.IsCorruption() ? 1 : 2];
      }
    }
  }
  std::cout << "random damage: " << outcomes[0] << " still readable, " << outcomes[1]
            << " Corruption, " << outcomes[2] << " NotSupported\n";
}

// ---------------------------------------------------------------------------------------------
// Cross-check against the writers' own column statistics: for every column chunk with
// statistics, the decoded values must agree with min/max and null_count. This catches decoding
// errors a plain "no error" sweep cannot.

struct Bound {
  bool is_num = false;
  Int128 num = 0;
  double real = 0;
  bool is_real = false;
  std::string bytes;
};

bool IsUnsigned(TypeId id) {
  return id == TypeId::kUInt8 || id == TypeId::kUInt16 || id == TypeId::kUInt32 ||
         id == TypeId::kUInt64;
}

// Decodes a statistics value into the comparison domain of the leaf; false to skip.
bool StatValue(const LeafColumn& leaf, const std::string& s, Bound* b) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(s.data());
  const TypeId id = leaf.type.id;
  switch (leaf.physical_type) {
    case Type::BOOLEAN:
      if (s.size() != 1) return false;
      b->is_num = true;
      b->num = p[0];
      return true;
    case Type::INT32: {
      if (s.size() != 4) return false;
      int32_t v;
      std::memcpy(&v, p, 4);
      b->is_num = true;
      b->num = IsUnsigned(id) ? Int128(static_cast<uint32_t>(v)) : Int128(v);
      if (id == TypeId::kUInt8) b->num = static_cast<uint8_t>(v);
      if (id == TypeId::kUInt16) b->num = static_cast<uint16_t>(v);
      return true;
    }
    case Type::INT64: {
      if (s.size() != 8) return false;
      int64_t v;
      std::memcpy(&v, p, 8);
      b->is_num = true;
      b->num = IsUnsigned(id) ? Int128(static_cast<uint64_t>(v)) : Int128(v);
      return true;
    }
    case Type::FLOAT: {
      if (s.size() != 4) return false;
      float f;
      std::memcpy(&f, p, 4);
      b->is_real = true;
      b->real = f;
      return true;
    }
    case Type::DOUBLE: {
      if (s.size() != 8) return false;
      std::memcpy(&b->real, p, 8);
      b->is_real = true;
      return true;
    }
    case Type::BYTE_ARRAY:
    case Type::FIXED_LEN_BYTE_ARRAY:
      if (id == TypeId::kDecimal) {
        b->is_num = true;
        return DecimalFromBigEndian(p, s.size(), &b->num);
      }
      if (id == TypeId::kFloat16) return false;
      b->bytes = s;
      return true;
    case Type::INT96:
      return false;
  }
  return false;
}

Bound ValueAt(const ColumnVector& v, int64_t i) {
  Bound b;
  switch (v.type().id) {
    case TypeId::kBoolean:
    case TypeId::kUInt8:
      b.is_num = true, b.num = v.Value<uint8_t>(i);
      break;
    case TypeId::kInt8:
      b.is_num = true, b.num = v.Value<int8_t>(i);
      break;
    case TypeId::kInt16:
      b.is_num = true, b.num = v.Value<int16_t>(i);
      break;
    case TypeId::kUInt16:
      b.is_num = true, b.num = v.Value<uint16_t>(i);
      break;
    case TypeId::kInt32:
    case TypeId::kDate:
      b.is_num = true, b.num = v.Value<int32_t>(i);
      break;
    case TypeId::kUInt32:
      b.is_num = true, b.num = v.Value<uint32_t>(i);
      break;
    case TypeId::kInt64:
    case TypeId::kTime:
    case TypeId::kTimestamp:
      b.is_num = true, b.num = v.Value<int64_t>(i);
      break;
    case TypeId::kUInt64:
      b.is_num = true, b.num = v.Value<uint64_t>(i);
      break;
    case TypeId::kDecimal:
      b.is_num = true, b.num = v.Value<Int128>(i);
      break;
    case TypeId::kFloat32:
      b.is_real = true, b.real = v.Value<float>(i);
      break;
    case TypeId::kFloat64:
      b.is_real = true, b.real = v.Value<double>(i);
      break;
    case TypeId::kString:
    case TypeId::kBinary:
      b.bytes = std::string(v.StringValue(i));
      break;
    default:
      break;
  }
  return b;
}

// -1, 0, 1; reals compare as doubles (NaN never compared).
int Compare(const Bound& a, const Bound& b) {
  if (a.is_num) return a.num < b.num ? -1 : a.num > b.num ? 1 : 0;
  if (a.is_real) return a.real < b.real ? -1 : a.real > b.real ? 1 : 0;
  return a.bytes.compare(b.bytes) < 0 ? -1 : a.bytes.compare(b.bytes) > 0 ? 1 : 0;
}

TEST(FileReaderSharedTest, DecodedValuesMatchColumnStatistics) {
  std::vector<std::string> files = SharedParquetFiles();
  if (files.empty()) GTEST_SKIP() << "LAKESYNC_SHARED_DIR/delta-tables not found";
  int64_t chunks_checked = 0, bounds_checked = 0, nested_null_mismatch = 0;
  std::vector<std::string> failures;
  for (const std::string& path : files) {
    auto reader = OpenLocal(path);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    storage::LocalFileSystem lfs;
    auto file = lfs.OpenForRead(path);
    ASSERT_TRUE(file.ok());
    const ParquetSchema& schema = (*reader)->parquet_schema();
    const FileMetaData& md = (*reader)->metadata();
    for (size_t g = 0; g < md.row_groups.size(); ++g) {
      for (size_t c = 0; c < schema.leaves.size(); ++c) {
        const LeafColumn& leaf = schema.leaves[c];
        const ColumnChunk& chunk = md.row_groups[g].columns[c];
        if (!chunk.meta_data || !chunk.meta_data->statistics) continue;
        const Statistics& st = *chunk.meta_data->statistics;
        LeafData data;
        Status s = ReadColumnChunk(**file, chunk, leaf, &data);
        ASSERT_TRUE(s.ok()) << s.ToString();
        ++chunks_checked;
        const std::string where = fmt::format("{} rg {} col {}", path, g, leaf.dotted_path);
        if (st.null_count) {
          int64_t nulls = data.num_entries - data.values.length();
          if (leaf.type.id == TypeId::kNull) nulls = data.num_entries;
          if (nulls != *st.null_count) {
            if (leaf.max_rep > 0 || leaf.max_def > 1) {
              ++nested_null_mismatch;
            } else {
              failures.push_back(
                  fmt::format("{}: {} nulls, stats say {}", where, nulls, *st.null_count));
            }
          }
        }
        const ColumnVector& v = data.values;
        if (v.length() == 0 || leaf.type.id == TypeId::kNull) continue;
        std::optional<std::string> smin = st.min_value, smax = st.max_value;
        const bool legacy_ok =
            (leaf.physical_type == Type::INT32 || leaf.physical_type == Type::INT64 ||
             leaf.physical_type == Type::FLOAT || leaf.physical_type == Type::DOUBLE ||
             leaf.physical_type == Type::BOOLEAN) &&
            !IsUnsigned(leaf.type.id) && leaf.type.id != TypeId::kDecimal;
        if (!smin && legacy_ok) smin = st.min;
        if (!smax && legacy_ok) smax = st.max;
        Bound lo, hi;
        bool has_lo = smin && StatValue(leaf, *smin, &lo);
        bool has_hi = smax && StatValue(leaf, *smax, &hi);
        if (!has_lo && !has_hi) continue;
        Bound vmin = ValueAt(v, 0), vmax = vmin;
        bool has_nan = false;
        for (int64_t i = 0; i < v.length(); ++i) {
          Bound b = ValueAt(v, i);
          if (b.is_real && b.real != b.real) {
            has_nan = true;
            continue;
          }
          if (vmin.is_real && vmin.real != vmin.real) vmin = vmax = b;
          if (Compare(b, vmin) < 0) vmin = b;
          if (Compare(b, vmax) > 0) vmax = b;
        }
        if (has_nan && vmin.real != vmin.real) continue;
        ++bounds_checked;
        const bool exact = lo.is_num || lo.is_real;  // numbers: exact; bytes may be truncated
        if (has_lo && (exact ? Compare(vmin, lo) != 0 : Compare(vmin, lo) < 0)) {
          if (!(lo.is_real && lo.real == 0 && vmin.real == 0)) {
            failures.push_back(fmt::format("{}: min differs from statistics", where));
          }
        }
        if (has_hi && (exact ? Compare(vmax, hi) != 0 : Compare(vmax, hi) > 0)) {
          if (!(hi.is_real && hi.real == 0 && vmax.real == 0)) {
            failures.push_back(fmt::format("{}: max differs from statistics", where));
          }
        }
      }
    }
  }
  std::cout << "checked statistics of " << chunks_checked << " column chunks (" << bounds_checked
            << " with min/max); nested null_count mismatches: " << nested_null_mismatch << "\n";
  for (size_t i = 0; i < failures.size() && i < 30; ++i)
    std::cout << "FAIL " << failures[i] << "\n";
  EXPECT_TRUE(failures.empty()) << failures.size() << " mismatches";
}

}  // namespace
}  // namespace lakesync::parquet

namespace lakesync::parquet {
namespace {

// `bytes` with its footer replaced by `md` (data pages kept as they are).
std::string WithFooter(const std::string& bytes, const FileMetaData& md) {
  uint32_t old_len;
  std::memcpy(&old_len, bytes.data() + bytes.size() - 8, 4);
  std::string out = bytes.substr(0, bytes.size() - 8 - old_len);
  const std::string footer = SerializeFileMetaData(md);
  out += footer;
  const uint32_t len = static_cast<uint32_t>(footer.size());
  out.append(reinterpret_cast<const char*>(&len), 4);
  out += "PAR1";
  return out;
}

// Found by parquet_file_fuzz: a flat column chunk whose footer claims far more values than
// its row group has rows was decoded in full (seconds of work) before the row count check.
TEST(FileReaderCorruptionTest, FlatChunkClaimingMoreValuesThanRowsFailsBeforeDecoding) {
  if (SharedDir().empty() || !fs::exists(SharedDir() + kCheckpoint)) GTEST_SKIP();
  const std::string good = ReadWholeFile(SharedDir() + kCheckpoint);
  auto reader = FileReader::Open(std::make_shared<BufferFile>("ckpt.parquet", good));
  ASSERT_TRUE(reader.ok());
  FileMetaData md = (*reader)->metadata();
  const auto& leaves = (*reader)->parquet_schema().leaves;
  int flat = -1;
  for (const LeafColumn& leaf : leaves) {
    if (leaf.max_rep == 0) {
      flat = leaf.index;
      break;
    }
  }
  ASSERT_GE(flat, 0);
  md.row_groups[0].columns[flat].meta_data->num_values = int64_t{1} << 40;
  Status st = OpenAndReadBytes(WithFooter(good, md), "ckpt.parquet");
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_NE(st.message().find("column " + leaves[flat].dotted_path), std::string::npos) << st;
  EXPECT_NE(st.message().find("1099511627776 values"), std::string::npos) << st;
}

}  // namespace
}  // namespace lakesync::parquet
