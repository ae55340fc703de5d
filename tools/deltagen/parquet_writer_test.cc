#include "deltagen/parquet_writer.h"

#include <gtest/gtest.h>

#include <cmath>

#include "deltagen/column_builder.h"
#include "deltagen/compression.h"
#include "deltagen/test_util.h"
#include "lakesync/parquet/compression.h"
#include "lakesync/parquet/metadata_codec.h"

namespace lakesync::deltagen {
namespace {

using testing::ExpectRowsEqual;
using testing::MakeField;
using testing::ReadRows;
using testing::TempDir;
namespace pq = ::lakesync::parquet;

std::vector<Field> PrimitiveSchema() {
  return {
      MakeField("b", DataType::Primitive(TypeId::kBoolean)),
      MakeField("i8", DataType::Primitive(TypeId::kInt8)),
      MakeField("i16", DataType::Primitive(TypeId::kInt16)),
      MakeField("i32", DataType::Primitive(TypeId::kInt32), false),
      MakeField("i64", DataType::Primitive(TypeId::kInt64)),
      MakeField("f32", DataType::Primitive(TypeId::kFloat32)),
      MakeField("f64", DataType::Primitive(TypeId::kFloat64)),
      MakeField("d9", DataType::Decimal(9, 2)),
      MakeField("d18", DataType::Decimal(18, 4)),
      MakeField("d38", DataType::Decimal(38, 10)),
      MakeField("s", DataType::Primitive(TypeId::kString)),
      MakeField("bin", DataType::Primitive(TypeId::kBinary)),
      MakeField("date", DataType::Primitive(TypeId::kDate)),
      MakeField("ts", DataType::Timestamp(TimeUnit::kMicros, true)),
      MakeField("ts_ntz", DataType::Timestamp(TimeUnit::kMicros, false)),
  };
}

std::vector<std::vector<Value>> PrimitiveRows(int n) {
  std::vector<std::vector<Value>> rows;
  std::mt19937_64 rng(11);
  for (int i = 0; i < n; ++i) {
    const bool null = i % 7 == 3;
    auto maybe = [&](Value v) { return null ? Value::Null() : v; };
    const Int128 big =
        static_cast<Int128>(static_cast<int64_t>(rng())) * 1'000'000'007 * (i % 2 ? 1 : -1);
    rows.push_back({
        maybe(Value::Bool(i % 3 == 0)),
        maybe(Value::Int(static_cast<int8_t>(i))),
        maybe(Value::Int(static_cast<int16_t>(i * 37))),
        Value::Int(i % 50 - 25),  // required: few distinct -> dictionary
        maybe(Value::Int(static_cast<int64_t>(rng()))),
        maybe(Value::Double(static_cast<float>(i) / 4)),
        maybe(Value::Double(i % 11 == 0 ? -0.0 : std::sqrt(static_cast<double>(i)))),
        maybe(Value::Decimal(i * 101 - 5000)),
        maybe(Value::Decimal(static_cast<Int128>(i) * 123456789 - 99999)),
        maybe(Value::Decimal(big)),
        maybe(Value::String(i % 5 == 0 ? "" : "str" + std::to_string(i % 40))),
        maybe(Value::String(std::string("\0\xff", 2) + std::to_string(i))),
        maybe(Value::Int(18000 + i)),
        maybe(Value::Int(1'700'000'000'000'000LL + i * 1'000'123LL)),
        maybe(Value::Int(-5'000'000LL + i)),
    });
  }
  return rows;
}

Result<ParquetFileSummary> WriteRows(const std::string& path, const std::vector<Field>& schema,
                                     const std::vector<std::vector<Value>>& rows,
                                     const ParquetWriterOptions& options) {
  LAKESYNC_ASSIGN_OR_RETURN(ColumnBatch batch, BuildBatch(schema, rows));
  storage::LocalFileSystem fs;
  return WriteParquetFile(fs, path, schema, {&batch}, options);
}

struct Combo {
  pq::CompressionCodec codec;
  bool dictionary;
  bool v2;
};

class RoundTripTest : public ::testing::TestWithParam<Combo> {};

TEST_P(RoundTripTest, EveryPrimitiveTypeWithNulls) {
  TempDir dir;
  ParquetWriterOptions o;
  o.codec = GetParam().codec;
  o.dictionary = GetParam().dictionary;
  o.data_page_v2 = GetParam().v2;
  o.row_group_rows = 700;  // several row groups
  o.page_size = 512;       // several pages per chunk
  const auto rows = PrimitiveRows(2000);
  auto summary = WriteRows(dir.Join("t.parquet"), PrimitiveSchema(), rows, o);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->num_row_groups, 3);
  auto read = ReadRows(dir.Join("t.parquet"));
  ASSERT_TRUE(read.ok()) << read.status();
  ExpectRowsEqual(rows, *read);
}

INSTANTIATE_TEST_SUITE_P(Codecs, RoundTripTest,
                         ::testing::Values(Combo{pq::CompressionCodec::UNCOMPRESSED, true, false},
                                           Combo{pq::CompressionCodec::UNCOMPRESSED, false, false},
                                           Combo{pq::CompressionCodec::SNAPPY, true, false},
                                           Combo{pq::CompressionCodec::SNAPPY, false, true},
                                           Combo{pq::CompressionCodec::SNAPPY, true, true},
                                           Combo{pq::CompressionCodec::ZSTD, true, false},
                                           Combo{pq::CompressionCodec::ZSTD, false, true},
                                           Combo{pq::CompressionCodec::GZIP, true, false},
                                           Combo{pq::CompressionCodec::GZIP, false, true},
                                           Combo{pq::CompressionCodec::LZ4_RAW, true, false},
                                           Combo{pq::CompressionCodec::LZ4_RAW, true, true},
                                           Combo{pq::CompressionCodec::BROTLI, true, false},
                                           Combo{pq::CompressionCodec::BROTLI, false, true}));

std::vector<Field> NestedSchema() {
  const DataType i32 = DataType::Primitive(TypeId::kInt32);
  const DataType str = DataType::Primitive(TypeId::kString);
  const DataType i64 = DataType::Primitive(TypeId::kInt64);
  return {
      MakeField("id", i64, false),
      MakeField("st", DataType::Struct({MakeField("a", i32), MakeField("b", str, false)})),
      MakeField("ints", DataType::List(MakeField("element", i32))),
      MakeField("m", DataType::Map(MakeField("key", str, false), MakeField("value", i32))),
      MakeField("los", DataType::List(MakeField(
                           "element", DataType::Struct({MakeField("x", i64),
                                                        MakeField("y", DataType::List(MakeField(
                                                                           "element", str)))})))),
      MakeField("sm", DataType::Struct({MakeField(
                          "inner", DataType::Map(MakeField("key", str, false),
                                                 MakeField("value", DataType::List(MakeField(
                                                                        "element", i64)))))})),
  };
}

std::vector<std::vector<Value>> NestedRows(int n) {
  std::vector<std::vector<Value>> rows;
  for (int i = 0; i < n; ++i) {
    std::vector<Value> ints;
    for (int k = 0; k < i % 4; ++k) ints.push_back(k == 1 ? Value::Null() : Value::Int(i + k));
    std::vector<std::pair<Value, Value>> m;
    for (int k = 0; k < i % 3; ++k) {
      m.emplace_back(Value::String("k" + std::to_string(k)),
                     k == 2 ? Value::Null() : Value::Int(i * k));
    }
    std::vector<Value> los;
    for (int k = 0; k < i % 3; ++k) {
      std::vector<Value> y;
      for (int j = 0; j < (i + k) % 3; ++j) y.push_back(Value::String(std::to_string(j)));
      los.push_back(k == 1 && i % 2 ? Value::Null()
                                    : Value::Struct({Value::Int(i * 10 + k),
                                                     i % 5 == 0 ? Value::Null() : Value::List(y)}));
    }
    std::vector<std::pair<Value, Value>> inner;
    if (i % 4 != 0) {
      inner.emplace_back(Value::String("a"), Value::List({Value::Int(i), Value::Null()}));
      inner.emplace_back(Value::String("b"), i % 3 ? Value::List({}) : Value::Null());
    }
    rows.push_back({
        Value::Int(i),
        i % 6 == 1 ? Value::Null()
                   : Value::Struct({i % 4 ? Value::Int(i) : Value::Null(),
                                    Value::String("b" + std::to_string(i))}),
        i % 5 == 4 ? Value::Null() : Value::List(ints),
        i % 7 == 6 ? Value::Null() : Value::Map(m),
        i % 9 == 8 ? Value::Null() : Value::List(los),
        i % 8 == 7 ? Value::Null() : Value::Struct({Value::Map(inner)}),
    });
  }
  return rows;
}

TEST(ParquetWriterTest, NestedStructListMapRoundTrip) {
  for (bool v2 : {false, true}) {
    for (bool dict : {false, true}) {
      TempDir dir;
      ParquetWriterOptions o;
      o.data_page_v2 = v2;
      o.dictionary = dict;
      o.page_size = 256;
      o.row_group_rows = 150;
      const auto rows = NestedRows(500);
      auto summary = WriteRows(dir.Join("n.parquet"), NestedSchema(), rows, o);
      ASSERT_TRUE(summary.ok()) << summary.status();
      auto read = ReadRows(dir.Join("n.parquet"));
      ASSERT_TRUE(read.ok()) << read.status();
      ExpectRowsEqual(rows, *read);
    }
  }
}

// Reads the footer bytes of a file and parses them with the parquet module.
Result<pq::FileMetaData> Footer(const std::string& path) {
  storage::LocalFileSystem fs;
  LAKESYNC_ASSIGN_OR_RETURN(std::string data, fs.ReadFile(path));
  if (data.size() < 12 || data.substr(0, 4) != "PAR1" || data.substr(data.size() - 4) != "PAR1") {
    return Status::Corruption("no PAR1 magic");
  }
  uint32_t len;
  std::memcpy(&len, data.data() + data.size() - 8, 4);
  return pq::ParseFileMetaData(
      reinterpret_cast<const uint8_t*>(data.data()) + data.size() - 8 - len, len);
}

TEST(ParquetWriterTest, FooterParsesWithSchemaTypesAndStatistics) {
  TempDir dir;
  ParquetWriterOptions o;
  o.row_group_rows = 1000;
  const auto rows = PrimitiveRows(1500);
  ASSERT_TRUE(WriteRows(dir.Join("t.parquet"), PrimitiveSchema(), rows, o).ok());
  auto md = Footer(dir.Join("t.parquet"));
  ASSERT_TRUE(md.ok()) << md.status();
  EXPECT_EQ(md->num_rows, 1500);
  ASSERT_EQ(md->row_groups.size(), 2u);
  EXPECT_EQ(md->row_groups[0].num_rows, 1000);
  EXPECT_EQ(md->created_by.value_or(""), "lakesync deltagen");
  ASSERT_EQ(md->schema.size(), 16u);  // root + 15 columns
  EXPECT_EQ(md->schema[0].num_children, 15);
  auto element = [&](const std::string& name) -> const pq::SchemaElement& {
    for (const auto& e : md->schema) {
      if (e.name == name) return e;
    }
    ADD_FAILURE() << name;
    return md->schema[0];
  };
  EXPECT_EQ(element("i32").repetition_type, pq::FieldRepetitionType::REQUIRED);
  EXPECT_EQ(element("i64").repetition_type, pq::FieldRepetitionType::OPTIONAL);
  EXPECT_EQ(element("d9").type, pq::Type::INT32);
  EXPECT_EQ(element("d18").type, pq::Type::INT64);
  EXPECT_EQ(element("d38").type, pq::Type::FIXED_LEN_BYTE_ARRAY);
  EXPECT_EQ(element("d38").type_length, 16);
  EXPECT_EQ(element("d38").precision, 38);
  EXPECT_EQ(element("d38").scale, 10);
  EXPECT_EQ(element("s").converted_type, pq::ConvertedType::UTF8);
  ASSERT_TRUE(element("ts").logical_type.has_value());
  ASSERT_TRUE(element("ts").logical_type->Is<pq::TimestampType>());
  EXPECT_TRUE(element("ts").logical_type->Get<pq::TimestampType>()->is_adjusted_to_utc);
  EXPECT_EQ(element("ts").converted_type, pq::ConvertedType::TIMESTAMP_MICROS);
  EXPECT_FALSE(element("ts_ntz").logical_type->Get<pq::TimestampType>()->is_adjusted_to_utc);
  EXPECT_FALSE(element("ts_ntz").converted_type.has_value());
  EXPECT_EQ(element("i8").converted_type, pq::ConvertedType::INT_8);

  // i32 (column 3) holds i % 50 - 25: min -25, max 24, no nulls, dictionary-encoded.
  const pq::ColumnMetaData& i32 = *md->row_groups[0].columns[3].meta_data;
  EXPECT_EQ(i32.path_in_schema, std::vector<std::string>{"i32"});
  ASSERT_TRUE(i32.statistics.has_value());
  int32_t mn, mx;
  std::memcpy(&mn, i32.statistics->min_value->data(), 4);
  std::memcpy(&mx, i32.statistics->max_value->data(), 4);
  EXPECT_EQ(mn, -25);
  EXPECT_EQ(mx, 24);
  EXPECT_EQ(i32.statistics->null_count, 0);
  EXPECT_TRUE(i32.dictionary_page_offset.has_value());
  EXPECT_NE(std::find(i32.encodings.begin(), i32.encodings.end(), pq::Encoding::RLE_DICTIONARY),
            i32.encodings.end());
  // i64 (column 4): every 7th row from 3 is null.
  const pq::ColumnMetaData& i64 = *md->row_groups[0].columns[4].meta_data;
  int nulls = 0;
  for (int i = 0; i < 1000; ++i) nulls += i % 7 == 3;
  EXPECT_EQ(i64.statistics->null_count, nulls);
  EXPECT_EQ(i64.num_values, 1000);
}

TEST(ParquetWriterTest, DictionaryFallsBackToPlainWhenLarge) {
  TempDir dir;
  ParquetWriterOptions o;
  o.dictionary_page_limit = 4096;
  o.page_size = 1024;
  const std::vector<Field> schema = {MakeField("s", DataType::Primitive(TypeId::kString))};
  std::vector<std::vector<Value>> rows;
  for (int i = 0; i < 5000; ++i) rows.push_back({Value::String("unique-" + std::to_string(i))});
  ASSERT_TRUE(WriteRows(dir.Join("f.parquet"), schema, rows, o).ok());
  auto md = Footer(dir.Join("f.parquet"));
  ASSERT_TRUE(md.ok());
  const auto& cm = *md->row_groups[0].columns[0].meta_data;
  bool plain_data = false, dict_data = false;
  for (const auto& s : cm.encoding_stats) {
    plain_data |= s.page_type == pq::PageType::DATA_PAGE && s.encoding == pq::Encoding::PLAIN;
    dict_data |= s.encoding == pq::Encoding::RLE_DICTIONARY;
  }
  EXPECT_TRUE(plain_data);
  EXPECT_TRUE(dict_data);
  auto read = ReadRows(dir.Join("f.parquet"));
  ASSERT_TRUE(read.ok()) << read.status();
  ExpectRowsEqual(rows, *read);
}

TEST(ParquetWriterTest, SelectionAndSeveralBatchesMakeOneFile) {
  TempDir dir;
  const std::vector<Field> schema = {MakeField("x", DataType::Primitive(TypeId::kInt64))};
  std::vector<std::vector<Value>> rows;
  for (int i = 0; i < 100; ++i) rows.push_back({i % 10 == 0 ? Value::Null() : Value::Int(i)});
  auto batch = BuildBatch(schema, rows);
  ASSERT_TRUE(batch.ok());
  ColumnBatch odd = *batch;
  odd.selection = std::vector<uint32_t>{};
  for (uint32_t i = 1; i < 100; i += 2) odd.selection->push_back(i);
  ParquetWriterOptions o;
  o.row_group_rows = 64;
  auto w = ParquetWriter::Make(schema, o);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Write(*batch).ok());
  ASSERT_TRUE((*w)->Write(odd).ok());
  auto file = (*w)->Finish();
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->summary.num_rows, 150);
  EXPECT_EQ(file->summary.num_row_groups, 3);
  EXPECT_EQ(file->summary.leaves[0].null_count, 10);
  storage::LocalFileSystem fs;
  ASSERT_TRUE(fs.WriteFile(dir.Join("s.parquet"),
                           std::string_view(reinterpret_cast<const char*>(file->data.data()),
                                            file->data.size()))
                  .ok());
  std::vector<std::vector<Value>> expected = rows;
  for (uint32_t i = 1; i < 100; i += 2) expected.push_back(rows[i]);
  auto read = ReadRows(dir.Join("s.parquet"));
  ASSERT_TRUE(read.ok()) << read.status();
  ExpectRowsEqual(expected, *read);
}

TEST(ParquetWriterTest, RejectsMismatchedBatch) {
  const std::vector<Field> schema = {MakeField("x", DataType::Primitive(TypeId::kInt64))};
  auto w = ParquetWriter::Make(schema, {});
  ASSERT_TRUE(w.ok());
  auto batch =
      BuildBatch({MakeField("x", DataType::Primitive(TypeId::kString))}, {{Value::String("a")}});
  ASSERT_TRUE(batch.ok());
  EXPECT_TRUE((*w)->Write(*batch).IsInvalidArgument());
}

TEST(ParquetWriterTest, DecimalByteWidths) {
  EXPECT_EQ(DecimalByteWidth(1), 1);
  EXPECT_EQ(DecimalByteWidth(2), 1);
  EXPECT_EQ(DecimalByteWidth(3), 2);
  EXPECT_EQ(DecimalByteWidth(18), 8);
  EXPECT_EQ(DecimalByteWidth(19), 9);
  EXPECT_EQ(DecimalByteWidth(38), 16);
}

}  // namespace
}  // namespace lakesync::deltagen

namespace lakesync::deltagen {
namespace {

bool HasEncoding(const pq::ColumnMetaData& md, pq::Encoding e) {
  return std::find(md.encodings.begin(), md.encodings.end(), e) != md.encodings.end();
}

TEST(ParquetWriterTest, DeltaByteArrayPagesRoundTrip) {
  DataType fixed = DataType::Primitive(TypeId::kBinary);
  fixed.fixed_length = 3;
  const std::vector<Field> schema = {MakeField("s", DataType::Primitive(TypeId::kString)),
                                     MakeField("f", fixed),
                                     MakeField("d38", DataType::Decimal(38, 2))};
  std::vector<std::vector<Value>> rows;
  for (int i = 0; i < 3000; ++i) {
    rows.push_back({i % 9 == 0 ? Value::Null() : Value::String("user/" + std::to_string(i / 3)),
                    i % 5 == 0 ? Value::Null() : Value::String("k" + std::to_string(10 + i % 90)),
                    Value::Decimal(static_cast<Int128>(i) * 1'000'000'000'000 - 7)});
  }
  for (bool v2 : {false, true}) {
    TempDir dir;
    ParquetWriterOptions o;
    o.dictionary = false;
    o.delta_byte_array = true;
    o.data_page_v2 = v2;
    o.page_size = 2048;
    ASSERT_TRUE(WriteRows(dir.Join("t.parquet"), schema, rows, o).ok());
    auto md = Footer(dir.Join("t.parquet"));
    ASSERT_TRUE(md.ok()) << md.status();
    for (const auto& chunk : md->row_groups[0].columns) {
      EXPECT_TRUE(HasEncoding(*chunk.meta_data, pq::Encoding::DELTA_BYTE_ARRAY));
      EXPECT_FALSE(HasEncoding(*chunk.meta_data, pq::Encoding::PLAIN));
    }
    auto read = ReadRows(dir.Join("t.parquet"));
    ASSERT_TRUE(read.ok()) << read.status();
    ExpectRowsEqual(rows, *read);
  }
}

TEST(ParquetWriterTest, Lz4HadoopFramesAndBareBlocksReadBack) {
  // A 200 KiB page is three Hadoop frames (64 KiB each at most).
  Bytes input;
  for (int i = 0; i < 200 * 1024; ++i) input.push_back(static_cast<uint8_t>((i * 7) % 251));
  Bytes framed;
  ASSERT_TRUE(Compress(pq::CompressionCodec::LZ4, input.data(), input.size(), &framed).ok());
  int frames = 0;
  for (size_t pos = 0; pos + 8 <= framed.size(); ++frames) {
    const uint32_t csize = static_cast<uint32_t>(framed[pos + 4]) << 24 |
                           static_cast<uint32_t>(framed[pos + 5]) << 16 |
                           static_cast<uint32_t>(framed[pos + 6]) << 8 | framed[pos + 7];
    pos += 8 + csize;
  }
  EXPECT_EQ(frames, 4);  // 64 + 64 + 64 + 8 KiB
  Bytes back(input.size());
  ASSERT_TRUE(pq::Decompress(pq::CompressionCodec::LZ4, framed.data(), framed.size(), back.data(),
                             back.size())
                  .ok());
  EXPECT_EQ(back, input);

  const auto rows = PrimitiveRows(3000);
  for (bool bare : {false, true}) {
    TempDir dir;
    ParquetWriterOptions o;
    o.codec = pq::CompressionCodec::LZ4;
    o.lz4_raw_blocks = bare;
    o.dictionary = false;
    ASSERT_TRUE(WriteRows(dir.Join("t.parquet"), PrimitiveSchema(), rows, o).ok());
    auto md = Footer(dir.Join("t.parquet"));
    ASSERT_TRUE(md.ok());
    EXPECT_EQ(md->row_groups[0].columns[0].meta_data->codec, pq::CompressionCodec::LZ4);
    auto read = ReadRows(dir.Join("t.parquet"));
    ASSERT_TRUE(read.ok()) << read.status();
    ExpectRowsEqual(rows, *read);
  }
}

// Types DuckDB reads lossily or not at all (nanosecond UTC times, BSON) checked against values
// stated here, through lakesync's reader.
TEST(ParquetWriterTest, Float16NanosUnsignedEnumJsonBsonUuidReadBackExactly) {
  DataType time_ns = DataType::Primitive(TypeId::kTime);
  time_ns.unit = TimeUnit::kNanos;
  time_ns.utc = true;
  DataType e = DataType::Primitive(TypeId::kString);
  e.string_kind = StringKind::kEnum;
  DataType j = DataType::Primitive(TypeId::kString);
  j.string_kind = StringKind::kJson;
  DataType bson = DataType::Primitive(TypeId::kBinary);
  bson.string_kind = StringKind::kBson;
  DataType uuid = DataType::Primitive(TypeId::kBinary);
  uuid.string_kind = StringKind::kUuid;
  uuid.fixed_length = 16;
  std::vector<Field> schema = {
      MakeField("f16", DataType::Primitive(TypeId::kFloat32)),  // retyped below
      MakeField("t", time_ns),
      MakeField("ts", DataType::Timestamp(TimeUnit::kNanos, true)),
      MakeField("u64", DataType::Primitive(TypeId::kUInt64)),
      MakeField("u32", DataType::Primitive(TypeId::kUInt32)),
      MakeField("e", e),
      MakeField("j", j),
      MakeField("bs", bson),
      MakeField("uu", uuid),
  };
  const std::string doc("\x0c\x00\x00\x00\x10x\x00\x07\x00\x00\x00\x00", 12);
  const std::string id("\x12\x34\x56\x78\x9a\xbc\xde\xf0\x01\x23\x45\x67\x89\xab\xcd\xef", 16);
  const std::vector<std::vector<Value>> rows = {
      {Value::Double(-2.5), Value::Int(86'399'999'999'999), Value::Int(1'700'000'000'123'456'789),
       Value::Int(-1), Value::Int(4294967295LL), Value::String("BLUE"),
       Value::String("{\"a\":[1,null]}"), Value::String(doc), Value::String(id)},
      {Value::Double(65504), Value::Int(1), Value::Int(-1), Value::Int(0), Value::Int(0),
       Value::String(""), Value::String("null"), Value::String(""), Value::String(id)},
      {Value::Null(), Value::Null(), Value::Null(), Value::Null(), Value::Null(), Value::Null(),
       Value::Null(), Value::Null(), Value::Null()},
  };
  auto batch = BuildBatch(schema, rows);
  ASSERT_TRUE(batch.ok()) << batch.status();
  schema[0].type = DataType::Primitive(TypeId::kFloat16);
  batch->columns[0].mutable_type() = schema[0].type;
  batch->schema = schema;
  TempDir dir;
  storage::LocalFileSystem fs;
  ASSERT_TRUE(WriteParquetFile(fs, dir.Join("t.parquet"), schema, {&*batch}, {}).ok());

  auto reader = testing::OpenParquet(dir.Join("t.parquet"));
  ASSERT_TRUE(reader.ok()) << reader.status();
  const auto& s = (*reader)->schema();
  EXPECT_EQ(s[0].type.id, TypeId::kFloat16);
  EXPECT_EQ(s[1].type.id, TypeId::kTime);
  EXPECT_EQ(s[1].type.unit, TimeUnit::kNanos);
  EXPECT_EQ(s[2].type.unit, TimeUnit::kNanos);
  EXPECT_TRUE(s[2].type.utc);
  EXPECT_EQ(s[3].type.id, TypeId::kUInt64);
  EXPECT_EQ(s[5].type.string_kind, StringKind::kEnum);
  EXPECT_EQ(s[6].type.string_kind, StringKind::kJson);
  EXPECT_EQ(s[7].type.string_kind, StringKind::kBson);
  EXPECT_EQ(s[8].type.string_kind, StringKind::kUuid);
  auto b = (*reader)->ReadRowGroup(0);
  ASSERT_TRUE(b.ok()) << b.status();
  const auto& c = b->columns;
  EXPECT_EQ(c[0].data<float>()[0], -2.5f);
  EXPECT_EQ(c[0].data<float>()[1], 65504.0f);
  EXPECT_EQ(c[1].data<int64_t>()[0], 86'399'999'999'999);
  EXPECT_EQ(c[2].data<int64_t>()[0], 1'700'000'000'123'456'789);
  EXPECT_EQ(c[2].data<int64_t>()[1], -1);
  EXPECT_EQ(c[3].data<uint64_t>()[0], UINT64_MAX);
  EXPECT_EQ(c[4].data<uint32_t>()[0], UINT32_MAX);
  EXPECT_EQ(c[5].StringValue(0), "BLUE");
  EXPECT_EQ(c[6].StringValue(0), "{\"a\":[1,null]}");
  EXPECT_EQ(c[7].StringValue(0), doc);
  EXPECT_EQ(c[7].StringValue(1), "");
  EXPECT_EQ(c[8].StringValue(1), id);
  for (const ColumnVector& col : c) EXPECT_TRUE(col.IsNull(2));
}

}  // namespace
}  // namespace lakesync::deltagen
