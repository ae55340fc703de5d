#include "lakesync/parquet/metadata_codec.h"

#include <gtest/gtest.h>

#include "lakesync/parquet/thrift_compact.h"

namespace lakesync::parquet {
namespace {

using thrift::CompactReader;
using thrift::CompactWriter;
using thrift::WireType;

const uint8_t* Bytes(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

FileMetaData SampleMetadata() {
  FileMetaData f;
  f.version = 2;
  f.num_rows = 1234567890123LL;
  f.created_by = "lakesync test";
  SchemaElement root;
  root.name = "schema";
  root.num_children = 3;
  f.schema.push_back(root);
  SchemaElement id;
  id.name = "id";
  id.type = Type::INT64;
  id.repetition_type = FieldRepetitionType::REQUIRED;
  id.field_id = 7;
  f.schema.push_back(id);
  SchemaElement s;
  s.name = "s";
  s.type = Type::BYTE_ARRAY;
  s.repetition_type = FieldRepetitionType::OPTIONAL;
  s.converted_type = ConvertedType::UTF8;
  s.logical_type = StringType{};
  f.schema.push_back(s);
  SchemaElement d;
  d.name = "d";
  d.type = Type::FIXED_LEN_BYTE_ARRAY;
  d.type_length = 16;
  d.repetition_type = FieldRepetitionType::OPTIONAL;
  d.converted_type = ConvertedType::DECIMAL;
  d.scale = 4;
  d.precision = 38;
  d.logical_type = DecimalType{4, 38};
  f.schema.push_back(d);
  SchemaElement ts;
  ts.name = "ts";
  ts.type = Type::INT64;
  ts.logical_type = TimestampType{true, TimeUnit{TimeUnitKind::NANOS}};
  f.schema.push_back(ts);
  SchemaElement i8;
  i8.name = "i8";
  i8.type = Type::INT32;
  i8.logical_type = IntType{8, false};
  f.schema.push_back(i8);

  RowGroup g;
  g.num_rows = 10;
  g.total_byte_size = 999;
  g.ordinal = 0;
  g.file_offset = 4;
  ColumnChunk c;
  c.file_offset = 4;
  ColumnMetaData m;
  m.type = Type::INT64;
  m.encodings = {Encoding::PLAIN, Encoding::RLE_DICTIONARY};
  m.path_in_schema = {"id"};
  m.codec = CompressionCodec::ZSTD;
  m.num_values = 10;
  m.total_compressed_size = 100;
  m.total_uncompressed_size = 200;
  m.data_page_offset = 4;
  m.dictionary_page_offset = 4;
  Statistics st;
  st.min_value = std::string("\x01\x00\x00\x00\x00\x00\x00\x00", 8);
  st.max_value = std::string("\x09\x00\x00\x00\x00\x00\x00\x00", 8);
  st.null_count = 0;
  st.is_max_value_exact = true;
  m.statistics = st;
  m.encoding_stats.push_back({PageType::DATA_PAGE, Encoding::RLE_DICTIONARY, 1});
  c.meta_data = m;
  g.columns.push_back(c);
  f.row_groups.push_back(g);
  f.key_value_metadata.push_back({"k", std::string("v")});
  f.key_value_metadata.push_back({"novalue", std::nullopt});
  f.column_orders.push_back({});
  return f;
}

TEST(MetadataCodecTest, FileMetaDataRoundTrips) {
  FileMetaData f = SampleMetadata();
  std::string bytes = SerializeFileMetaData(f);
  auto parsed = ParseFileMetaData(Bytes(bytes), bytes.size());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->version, 2);
  EXPECT_EQ(parsed->num_rows, 1234567890123LL);
  EXPECT_EQ(parsed->created_by, "lakesync test");
  ASSERT_EQ(parsed->schema.size(), 6u);
  EXPECT_EQ(parsed->schema[0].num_children, 3);
  EXPECT_EQ(parsed->schema[1].field_id, 7);
  EXPECT_TRUE(parsed->schema[2].logical_type->Is<StringType>());
  const DecimalType* dec = parsed->schema[3].logical_type->Get<DecimalType>();
  ASSERT_NE(dec, nullptr);
  EXPECT_EQ(dec->precision, 38);
  EXPECT_EQ(dec->scale, 4);
  EXPECT_EQ(parsed->schema[3].type_length, 16);
  const TimestampType* ts = parsed->schema[4].logical_type->Get<TimestampType>();
  ASSERT_NE(ts, nullptr);
  EXPECT_TRUE(ts->is_adjusted_to_utc);
  EXPECT_EQ(ts->unit.kind, TimeUnitKind::NANOS);
  const IntType* it = parsed->schema[5].logical_type->Get<IntType>();
  ASSERT_NE(it, nullptr);
  EXPECT_EQ(it->bit_width, 8);
  EXPECT_FALSE(it->is_signed);
  ASSERT_EQ(parsed->row_groups.size(), 1u);
  const ColumnMetaData& m = *parsed->row_groups[0].columns[0].meta_data;
  EXPECT_EQ(m.codec, CompressionCodec::ZSTD);
  EXPECT_EQ(m.encodings.size(), 2u);
  EXPECT_EQ(m.path_in_schema, std::vector<std::string>{"id"});
  EXPECT_EQ(m.dictionary_page_offset, 4);
  EXPECT_EQ(m.statistics->max_value->size(), 8u);
  EXPECT_EQ(m.statistics->is_max_value_exact, true);
  EXPECT_EQ(m.encoding_stats.size(), 1u);
  EXPECT_EQ(parsed->row_groups[0].ordinal, 0);
  ASSERT_EQ(parsed->key_value_metadata.size(), 2u);
  EXPECT_EQ(parsed->key_value_metadata[1].value, std::nullopt);
  // Serializing again gives identical bytes.
  EXPECT_EQ(SerializeFileMetaData(*parsed), bytes);
}

TEST(MetadataCodecTest, PageHeadersRoundTrip) {
  PageHeader h;
  h.type = PageType::DATA_PAGE_V2;
  h.uncompressed_page_size = 100;
  h.compressed_page_size = 50;
  h.crc = -5;
  DataPageHeaderV2 v2;
  v2.num_values = 10;
  v2.num_nulls = 2;
  v2.num_rows = 10;
  v2.encoding = Encoding::DELTA_BINARY_PACKED;
  v2.definition_levels_byte_length = 3;
  v2.repetition_levels_byte_length = 0;
  v2.is_compressed = false;
  h.data_page_header_v2 = v2;
  std::string bytes = SerializePageHeader(h);
  bytes += "trailing page data";
  size_t header_size = 0;
  auto parsed = ParsePageHeader(Bytes(bytes), bytes.size(), &header_size);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(header_size, bytes.size() - 18);
  EXPECT_EQ(parsed->crc, -5);
  ASSERT_TRUE(parsed->data_page_header_v2.has_value());
  EXPECT_FALSE(parsed->data_page_header_v2->compressed());
  EXPECT_EQ(parsed->data_page_header_v2->encoding, Encoding::DELTA_BINARY_PACKED);

  PageHeader d;
  d.type = PageType::DICTIONARY_PAGE;
  d.uncompressed_page_size = 7;
  d.compressed_page_size = 7;
  d.dictionary_page_header = DictionaryPageHeader{3, Encoding::PLAIN_DICTIONARY, true};
  bytes = SerializePageHeader(d);
  parsed = ParsePageHeader(Bytes(bytes), bytes.size(), &header_size);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->dictionary_page_header->num_values, 3);
  EXPECT_EQ(parsed->dictionary_page_header->is_sorted, true);

  PageHeader v1;
  v1.type = PageType::DATA_PAGE;
  v1.uncompressed_page_size = 70000;
  v1.compressed_page_size = 123;
  v1.data_page_header = DataPageHeader{5, Encoding::RLE_DICTIONARY, Encoding::RLE,
                                       Encoding::BIT_PACKED, std::nullopt};
  bytes = SerializePageHeader(v1);
  parsed = ParsePageHeader(Bytes(bytes), bytes.size(), &header_size);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->uncompressed_page_size, 70000);
  EXPECT_EQ(parsed->data_page_header->repetition_level_encoding, Encoding::BIT_PACKED);
}

TEST(MetadataCodecTest, EveryTruncationIsACleanError) {
  std::string bytes = SerializeFileMetaData(SampleMetadata());
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto parsed = ParseFileMetaData(Bytes(bytes), n);
    ASSERT_FALSE(parsed.ok()) << n;
    EXPECT_TRUE(parsed.status().IsCorruption()) << parsed.status().ToString();
  }
}

TEST(MetadataCodecTest, GarbageNeverCrashes) {
  std::string bytes = SerializeFileMetaData(SampleMetadata());
  uint32_t seed = 1;
  for (int iter = 0; iter < 3000; ++iter) {
    std::string b = bytes;
    for (int k = 0; k < 3; ++k) {
      seed = seed * 1103515245 + 12345;
      b[(seed >> 8) % b.size()] = static_cast<char>(seed >> 24);
    }
    auto parsed = ParseFileMetaData(Bytes(b), b.size());
    if (!parsed.ok()) {
      EXPECT_TRUE(parsed.status().IsCorruption());
    }
  }
}

TEST(ThriftCompactTest, SkipsUnknownFieldsOfEveryType) {
  CompactWriter w;
  w.BeginStruct();
  w.WriteI32Field(1, 2);  // version
  w.WriteFieldBegin(WireType::kList, 2);
  w.WriteListBegin(WireType::kStruct, 0);
  w.WriteI64Field(3, 5);
  w.WriteFieldBegin(WireType::kList, 4);
  w.WriteListBegin(WireType::kStruct, 0);
  // Unknown fields with every wire type.
  w.WriteBoolField(20, true);
  w.WriteFieldBegin(WireType::kByte, 21);
  w.WriteByte(3);
  w.WriteFieldBegin(WireType::kI16, 22);
  w.WriteI16(-300);
  w.WriteFieldBegin(WireType::kDouble, 23);
  w.WriteDouble(1.5);
  w.WriteFieldBegin(WireType::kList, 24);
  w.WriteListBegin(WireType::kBoolTrue, 2);
  w.WriteBoolElement(true);
  w.WriteBoolElement(false);
  w.WriteFieldBegin(WireType::kMap, 25);
  std::string& buf = const_cast<std::string&>(w.buffer());
  buf.push_back(1);                                 // one entry
  buf.push_back(static_cast<char>((8 << 4) | 12));  // binary -> struct
  w.WriteBinary("key");
  w.BeginStruct();
  w.WriteI32Field(1, 9);
  w.EndStruct();
  w.WriteFieldBegin(WireType::kStruct, 200);  // long-form field id
  w.BeginStruct();
  w.WriteBinaryField(1, "x");
  w.EndStruct();
  w.EndStruct();
  std::string bytes = w.Release();
  auto parsed = ParseFileMetaData(Bytes(bytes), bytes.size());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->num_rows, 5);
}

TEST(ThriftCompactTest, DeepNestingIsRejected) {
  std::string bytes;
  for (int i = 0; i < 1000; ++i) bytes.push_back(static_cast<char>((1 << 4) | 12));
  CompactReader r(Bytes(bytes), bytes.size());
  Status st = r.Skip(WireType::kStruct);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  auto parsed = ParseFileMetaData(Bytes(bytes), bytes.size());
  EXPECT_TRUE(parsed.status().IsCorruption());
}

TEST(ThriftCompactTest, HugeListSizeIsRejected) {
  std::string bytes;
  bytes.push_back(static_cast<char>((2 << 4) | 9));  // field 2, list
  bytes.push_back(static_cast<char>(0xfc));          // size follows, element struct
  for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>(0xff));
  bytes.push_back(0x0f);
  auto parsed = ParseFileMetaData(Bytes(bytes), bytes.size());
  EXPECT_TRUE(parsed.status().IsCorruption());
}

TEST(ThriftCompactTest, IntegersRoundTrip) {
  CompactWriter w;
  const std::vector<int64_t> values = {0, 1, -1, 63, -64, int64_t{1} << 40, INT64_MAX, INT64_MIN};
  for (int64_t v : values) w.WriteI64(v);
  w.WriteI32(INT32_MIN);
  w.WriteI16(INT16_MAX);
  std::string bytes = w.Release();
  CompactReader r(Bytes(bytes), bytes.size());
  for (int64_t v : values) {
    int64_t got;
    ASSERT_TRUE(r.ReadI64(&got).ok());
    EXPECT_EQ(got, v);
  }
  int32_t i32;
  ASSERT_TRUE(r.ReadI32(&i32).ok());
  EXPECT_EQ(i32, INT32_MIN);
  int16_t i16;
  ASSERT_TRUE(r.ReadI16(&i16).ok());
  EXPECT_EQ(i16, INT16_MAX);
  EXPECT_EQ(r.position(), bytes.size());
  EXPECT_TRUE(r.ReadI16(&i16).IsCorruption());
}

}  // namespace
}  // namespace lakesync::parquet
