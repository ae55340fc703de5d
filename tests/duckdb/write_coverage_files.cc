// Writes the Parquet files that close the cross-check's coverage gaps, with deltagen's
// ParquetWriter: DELTA_BYTE_ARRAY pages (BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY), the deprecated
// LZ4 codec in Hadoop framing (multi-frame pages included) and as bare LZ4 blocks (the raw
// fallback), FLOAT16, TIME and TIMESTAMP in nanoseconds with and without isAdjustedToUTC,
// unsigned INT(8..64) up to their maxima, ENUM, JSON, BSON and UUID; nulls in every column,
// several row groups and pages, data pages v1 and v2.
//   write_coverage_files OUT_DIR
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "deltagen/column_builder.h"
#include "deltagen/fields.h"
#include "deltagen/parquet_writer.h"
#include "lakesync/common/macros.h"
#include "lakesync/storage/local_file_system.h"

namespace lakesync::deltagen {
namespace {

DataType P(TypeId id) { return DataType::Primitive(id); }

DataType Kind(TypeId id, StringKind kind, int32_t fixed_length = -1) {
  DataType t = P(id);
  t.string_kind = kind;
  t.fixed_length = fixed_length;
  return t;
}

DataType Time(TimeUnit unit, bool utc) {
  DataType t = P(TypeId::kTime);
  t.unit = unit;
  t.utc = utc;
  return t;
}

// FLOAT16 columns are built as float32 (the same storage) and retyped: the row builder has no
// half-float case.
constexpr int kFloat16Column = 5;

std::vector<Field> Schema() {
  return {
      MakeField("id", P(TypeId::kInt64), false),
      MakeField("u8", P(TypeId::kUInt8)),
      MakeField("u16", P(TypeId::kUInt16)),
      MakeField("u32", P(TypeId::kUInt32)),
      MakeField("u64", P(TypeId::kUInt64)),
      MakeField("f16", P(TypeId::kFloat32)),  // retyped to kFloat16
      MakeField("t_ns", Time(TimeUnit::kNanos, false)),
      MakeField("t_ns_utc", Time(TimeUnit::kNanos, true)),
      MakeField("ts_ns", DataType::Timestamp(TimeUnit::kNanos, false)),
      MakeField("ts_ns_utc", DataType::Timestamp(TimeUnit::kNanos, true)),
      MakeField("e", Kind(TypeId::kString, StringKind::kEnum)),
      MakeField("j", Kind(TypeId::kString, StringKind::kJson)),
      MakeField("uu", Kind(TypeId::kBinary, StringKind::kUuid, 16)),
      MakeField("s", P(TypeId::kString)),
      MakeField("fixed5", Kind(TypeId::kBinary, StringKind::kPlain, 5)),
  };
}

uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

std::vector<Value> Row(int64_t i) {
  const uint64_t h = Mix(static_cast<uint64_t>(i) + 1);
  // Column c is null when (i + c) % 7 == 0, so every column has nulls at its own rows.
  auto v = [&](int c, Value value) { return (i + c) % 7 == 0 ? Value::Null() : value; };
  const bool top = i % 11 == 1;  // the type's maximum
  static const float kHalves[] = {0.0f,
                                  -0.0f,
                                  1.0f,
                                  -2.5f,
                                  65504.0f,
                                  -65504.0f,
                                  6.103515625e-05f,         // smallest normal
                                  5.9604644775390625e-08f,  // smallest subnormal
                                  std::numeric_limits<float>::infinity(),
                                  -std::numeric_limits<float>::infinity(),
                                  std::numeric_limits<float>::quiet_NaN(),
                                  0.333251953125f};
  constexpr int64_t kNanosPerDay = 86'400'000'000'000;
  static const char* kEnum[] = {"RED", "GREEN", "BLUE", "ULTRAVIOLET"};
  // Strings that share prefixes with their predecessor, so DELTA_BYTE_ARRAY has work to do.
  std::string s = i % 13 == 0 ? std::string()
                              : "https://example.com/users/" + std::to_string(i / 5) +
                                    "/caf\xc3\xa9/" + std::to_string(h % 1000);
  std::string uuid(16, '\0');
  for (int b = 0; b < 16; ++b) uuid[b] = static_cast<char>(Mix(h + b) >> 7);
  std::string fixed = "k" + std::to_string(10000 + i % 9000).substr(1);
  return {
      Value::Int(i),
      v(1, Value::Int(top ? 255 : static_cast<int64_t>(h % 256))),
      v(2, Value::Int(top ? 65535 : static_cast<int64_t>(h % 65536))),
      v(3, Value::Int(top ? 4294967295LL : static_cast<int64_t>(h % 4294967296ULL))),
      v(4, Value::Int(top ? -1 : static_cast<int64_t>(h))),  // bits of uint64 (max: all ones)
      v(5, i % 3 == 0 ? Value::Double(kHalves[i % 12]) : Value::Double((i % 400) * 0.125 - 25)),
      v(6, Value::Int(top ? kNanosPerDay - 1 : static_cast<int64_t>(h % kNanosPerDay))),
      v(7, Value::Int(static_cast<int64_t>(Mix(h) % kNanosPerDay))),
      v(8, Value::Int(static_cast<int64_t>(h % 4'000'000'000'000'000'000ULL) -
                      2'000'000'000'000'000'000LL)),
      // The latest nanosecond timestamp but one: DuckDB reads INT64_MAX as 'infinity'.
      v(9, Value::Int(top ? std::numeric_limits<int64_t>::max() - 1
                          : 1'700'000'000'000'000'000LL + i * 123'456'789)),
      v(10, Value::String(kEnum[h % 4])),
      v(11, Value::String("{\"id\":" + std::to_string(i) + ",\"tags\":[\"a\",null],\"x\":1.5}")),
      v(12, Value::String(uuid)),
      v(13, Value::String(s)),
      v(14, Value::String(fixed)),
  };
}

struct Variant {
  const char* name;
  parquet::CompressionCodec codec;
  bool dictionary;
  bool delta_byte_array;
  bool v2;
  bool lz4_raw_blocks;
  int64_t page_size;
};

Status Write(storage::FileSystem& fs, const std::string& path, const std::vector<Field>& schema,
             const ColumnBatch& batch, const ParquetWriterOptions& options) {
  auto summary = WriteParquetFile(fs, path, schema, {&batch}, options);
  return summary.ok() ? Status::OK() : summary.status().WithContext(path);
}

Status Run(const std::string& out) {
  using parquet::CompressionCodec;
  const Variant variants[] = {
      {"delta-byte-array-v1-uncompressed", CompressionCodec::UNCOMPRESSED, false, true, false,
       false, 8 << 10},
      {"delta-byte-array-v2-zstd", CompressionCodec::ZSTD, false, true, true, false, 8 << 10},
      {"delta-byte-array-v2-snappy-big-pages", CompressionCodec::SNAPPY, false, true, true, false,
       1 << 20},
      {"dict-v1-lz4-hadoop", CompressionCodec::LZ4, true, false, false, false, 8 << 10},
      // One page per chunk holds > 64 KiB: several Hadoop frames per page.
      {"plain-v2-lz4-hadoop-big-pages", CompressionCodec::LZ4, false, false, true, false, 1 << 20},
      {"plain-v1-lz4-raw-fallback", CompressionCodec::LZ4, false, false, false, true, 8 << 10},
      {"delta-byte-array-v2-lz4-raw-fallback", CompressionCodec::LZ4, false, true, true, true,
       8 << 10},
      {"dict-v2-gzip", CompressionCodec::GZIP, true, false, true, false, 8 << 10},
  };
  std::vector<std::vector<Value>> rows;
  for (int64_t i = 0; i < 3000; ++i) rows.push_back(Row(i));
  const std::vector<Field> schema = Schema();
  auto batch = BuildBatch(schema, rows);
  LAKESYNC_RETURN_NOT_OK(batch.status());
  batch->columns[kFloat16Column].mutable_type() = P(TypeId::kFloat16);
  std::vector<Field> written = schema;
  written[kFloat16Column].type = P(TypeId::kFloat16);
  batch->schema = written;

  storage::LocalFileSystem fs;
  LAKESYNC_RETURN_NOT_OK(fs.CreateDirs(out + "/lz4-raw-twins"));
  for (const Variant& v : variants) {
    ParquetWriterOptions options;
    options.codec = v.codec;
    options.dictionary = v.dictionary;
    options.delta_byte_array = v.delta_byte_array;
    options.data_page_v2 = v.v2;
    options.lz4_raw_blocks = v.lz4_raw_blocks;
    options.page_size = v.page_size;
    // Big pages come with one row group, so a string page holds more than one 64 KiB frame.
    options.row_group_rows = v.page_size > (64 << 10) ? 3000 : 1100;
    const std::string name = std::string("coverage-") + v.name + ".parquet";
    LAKESYNC_RETURN_NOT_OK(Write(fs, out + "/" + name, written, *batch, options));
    if (v.codec == CompressionCodec::LZ4) {
      // DuckDB has no LZ4 (Hadoop) reader: the cross-check compares with this twin.
      options.codec = CompressionCodec::LZ4_RAW;
      options.lz4_raw_blocks = false;
      LAKESYNC_RETURN_NOT_OK(Write(fs, out + "/lz4-raw-twins/" + name, written, *batch, options));
    }
  }
  // BSON in its own file: DuckDB rejects the BSON converted type (and so the whole file).
  std::vector<std::vector<Value>> bson_rows;
  for (int64_t i = 0; i < 50; ++i) {
    std::string doc = std::string("\x10\x00\x00\x00\x10id\x00", 8);
    const int32_t id = static_cast<int32_t>(i);
    doc.append(reinterpret_cast<const char*>(&id), 4);
    doc.push_back('\0');
    bson_rows.push_back({Value::Int(i), i % 7 == 3 ? Value::Null() : Value::String(doc)});
  }
  const std::vector<Field> bson_schema = {
      MakeField("id", P(TypeId::kInt64), false),
      MakeField("bs", Kind(TypeId::kBinary, StringKind::kBson))};
  LAKESYNC_ASSIGN_OR_RETURN(ColumnBatch bson, BuildBatch(bson_schema, bson_rows));
  LAKESYNC_RETURN_NOT_OK(
      Write(fs, out + "/coverage-bson.parquet", bson_schema, bson, ParquetWriterOptions{}));
  return Status::OK();
}

int Main(const std::string& out) {
  Status st = Run(out);
  if (!st.ok()) {
    std::fprintf(stderr, "write_coverage_files: %s\n", st.ToString().c_str());
    return 1;
  }
  std::printf("wrote the coverage files to %s\n", out.c_str());
  return 0;
}

}  // namespace
}  // namespace lakesync::deltagen

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: write_coverage_files OUT_DIR\n");
    return 2;
  }
  return lakesync::deltagen::Main(argv[1]);
}
