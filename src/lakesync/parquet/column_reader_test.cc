// Synthetic column chunks and files, built page by page from the spec, for what the shared
// corpus does not exercise: every codec, the DELTA_* / BYTE_STREAM_SPLIT / RLE-boolean
// encodings, data page v2, and nested record assembly with hand-computed levels.
#include "lakesync/parquet/column_reader.h"

#include <brotli/encode.h>
#include <gtest/gtest.h>
#include <lz4.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <ctime>

#include "lakesync/parquet/encoding.h"
#include "lakesync/parquet/file_reader.h"
#include "lakesync/parquet/metadata_codec.h"

namespace lakesync::parquet {
namespace {

// ---- Test-side encoders.

void PutUleb(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

/// The hybrid as a single bit-packed run (always valid).
std::string BitPackedHybrid(const std::vector<uint32_t>& v, int width) {
  std::string out;
  size_t groups = (v.size() + 7) / 8;
  PutUleb(&out, (groups << 1) | 1);
  std::string bits(groups * static_cast<size_t>(width), '\0');
  uint64_t bit = 0;
  for (size_t i = 0; i < groups * 8; ++i) {
    uint32_t x = i < v.size() ? v[i] : 0;
    for (int b = 0; b < width; ++b, ++bit) {
      if ((x >> b) & 1) bits[bit / 8] = static_cast<char>(bits[bit / 8] | (1 << (bit % 8)));
    }
  }
  return out + bits;
}

std::string WithLength(const std::string& s) {
  uint32_t n = static_cast<uint32_t>(s.size());
  return std::string(reinterpret_cast<const char*>(&n), 4) + s;
}

template <typename T>
std::string PlainFixed(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

std::string PlainStrings(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += WithLength(s);
  return out;
}

/// DELTA_BINARY_PACKED with one block of 128 values in 4 miniblocks per 128 values.
std::string DeltaBinaryPacked(const std::vector<int64_t>& v) {
  std::string out;
  PutUleb(&out, 128);
  PutUleb(&out, 4);
  PutUleb(&out, v.size());
  auto zz = [](int64_t x) {
    return (static_cast<uint64_t>(x) << 1) ^ static_cast<uint64_t>(x >> 63);
  };
  PutUleb(&out, zz(v.empty() ? 0 : v[0]));
  for (size_t i = 1; i < v.size(); i += 128) {
    size_t end = std::min(v.size(), i + 128);
    int64_t min_delta = v[i] - v[i - 1];
    for (size_t j = i; j < end; ++j) min_delta = std::min(min_delta, v[j] - v[j - 1]);
    PutUleb(&out, zz(min_delta));
    // Fixed width 32 for every miniblock keeps the encoder trivial.
    for (int m = 0; m < 4; ++m) out.push_back(32);
    for (size_t m = 0; m < 4 && i + m * 32 < end; ++m) {
      for (size_t k = 0; k < 32; ++k) {
        size_t j = i + m * 32 + k;
        uint32_t d = j < end ? static_cast<uint32_t>((v[j] - v[j - 1]) - min_delta) : 0;
        out.append(reinterpret_cast<const char*>(&d), 4);
      }
    }
  }
  return out;
}

std::string Compress(CompressionCodec codec, const std::string& raw) {
  switch (codec) {
    case CompressionCodec::UNCOMPRESSED:
      return raw;
    case CompressionCodec::SNAPPY: {
      std::string out;
      snappy::Compress(raw.data(), raw.size(), &out);
      return out;
    }
    case CompressionCodec::GZIP: {
      z_stream zs;
      std::memset(&zs, 0, sizeof(zs));
      deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
      std::string out(deflateBound(&zs, raw.size()) + 32, '\0');
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
      zs.avail_in = static_cast<uInt>(raw.size());
      zs.next_out = reinterpret_cast<Bytef*>(out.data());
      zs.avail_out = static_cast<uInt>(out.size());
      deflate(&zs, Z_FINISH);
      out.resize(zs.total_out);
      deflateEnd(&zs);
      return out;
    }
    case CompressionCodec::ZSTD: {
      std::string out(ZSTD_compressBound(raw.size()), '\0');
      out.resize(ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), 3));
      return out;
    }
    case CompressionCodec::LZ4_RAW:
    case CompressionCodec::LZ4: {
      std::string block(static_cast<size_t>(LZ4_compressBound(static_cast<int>(raw.size()))), '\0');
      block.resize(static_cast<size_t>(LZ4_compress_default(
          raw.data(), block.data(), static_cast<int>(raw.size()), static_cast<int>(block.size()))));
      if (codec == CompressionCodec::LZ4_RAW) return block;
      auto be32 = [](uint32_t v) {
        std::string s(4, '\0');
        for (int i = 0; i < 4; ++i) s[i] = static_cast<char>(v >> (24 - 8 * i));
        return s;
      };
      return be32(static_cast<uint32_t>(raw.size())) + be32(static_cast<uint32_t>(block.size())) +
             block;
    }
    case CompressionCodec::BROTLI: {
      size_t n = BrotliEncoderMaxCompressedSize(raw.size()) + 64;
      std::string out(n, '\0');
      BrotliEncoderCompress(5, 22, BROTLI_MODE_GENERIC, raw.size(),
                            reinterpret_cast<const uint8_t*>(raw.data()), &n,
                            reinterpret_cast<uint8_t*>(out.data()));
      out.resize(n);
      return out;
    }
    default:
      return raw;
  }
}

struct ChunkBuilder {
  CompressionCodec codec = CompressionCodec::UNCOMPRESSED;
  std::string bytes;
  int64_t num_values = 0;
  bool has_dict = false;

  void DictionaryPage(const std::string& plain, int32_t n) {
    std::string c = Compress(codec, plain);
    PageHeader h;
    h.type = PageType::DICTIONARY_PAGE;
    h.uncompressed_page_size = static_cast<int32_t>(plain.size());
    h.compressed_page_size = static_cast<int32_t>(c.size());
    h.dictionary_page_header = DictionaryPageHeader{n, Encoding::PLAIN, std::nullopt};
    bytes += SerializePageHeader(h) + c;
    has_dict = true;
  }
  /// v1: levels are hybrid-encoded with a length prefix, then the values; all compressed.
  void PageV1(int32_t n, const std::vector<uint32_t>& rep, int rep_width,
              const std::vector<uint32_t>& def, int def_width, Encoding enc,
              const std::string& values) {
    std::string raw;
    if (!rep.empty()) raw += WithLength(BitPackedHybrid(rep, rep_width));
    if (!def.empty()) raw += WithLength(BitPackedHybrid(def, def_width));
    raw += values;
    std::string c = Compress(codec, raw);
    PageHeader h;
    h.type = PageType::DATA_PAGE;
    h.uncompressed_page_size = static_cast<int32_t>(raw.size());
    h.compressed_page_size = static_cast<int32_t>(c.size());
    h.data_page_header = DataPageHeader{n, enc, Encoding::RLE, Encoding::RLE, std::nullopt};
    bytes += SerializePageHeader(h) + c;
    num_values += n;
  }
  /// v2: levels uncompressed without a prefix; only the values are compressed.
  void PageV2(int32_t n, int32_t nulls, const std::vector<uint32_t>& def, int def_width,
              Encoding enc, const std::string& values, bool compressed = true) {
    std::string d = def.empty() ? "" : BitPackedHybrid(def, def_width);
    std::string c = compressed ? Compress(codec, values) : values;
    PageHeader h;
    h.type = PageType::DATA_PAGE_V2;
    h.uncompressed_page_size = static_cast<int32_t>(d.size() + values.size());
    h.compressed_page_size = static_cast<int32_t>(d.size() + c.size());
    DataPageHeaderV2 v2;
    v2.num_values = n;
    v2.num_nulls = nulls;
    v2.num_rows = n;
    v2.encoding = enc;
    v2.definition_levels_byte_length = static_cast<int32_t>(d.size());
    v2.repetition_levels_byte_length = 0;
    v2.is_compressed = compressed;
    h.data_page_header_v2 = v2;
    bytes += SerializePageHeader(h) + d + c;
    num_values += n;
  }
  ColumnMetaData Meta(Type type) const {
    ColumnMetaData m;
    m.type = type;
    m.codec = codec;
    m.num_values = num_values;
    m.total_compressed_size = static_cast<int64_t>(bytes.size());
    m.total_uncompressed_size = static_cast<int64_t>(bytes.size());
    return m;
  }
};

LeafColumn Leaf(Type physical, DataType type, int16_t max_def, int16_t max_rep = 0) {
  LeafColumn l;
  l.physical_type = physical;
  l.type = std::move(type);
  l.max_def = max_def;
  l.max_rep = max_rep;
  l.dotted_path = "c";
  l.path = {"c"};
  return l;
}

Status Decode(const ChunkBuilder& b, const LeafColumn& leaf, LeafData* out) {
  return DecodeColumnChunk(reinterpret_cast<const uint8_t*>(b.bytes.data()), b.bytes.size(),
                           b.Meta(leaf.physical_type), leaf, out);
}

// ---- Codecs and page versions

class CodecTest : public ::testing::TestWithParam<CompressionCodec> {};

TEST_P(CodecTest, DecodesV1AndV2PagesWithNulls) {
  ChunkBuilder b;
  b.codec = GetParam();
  // Page 1 (v1): 1, null, 3, 4.  Page 2 (v2): null, 6, then 100 more values.
  b.PageV1(4, {}, 0, {1, 0, 1, 1}, 1, Encoding::PLAIN, PlainFixed<int64_t>({1, 3, 4}));
  std::vector<uint32_t> def = {0, 1};
  std::vector<int64_t> vals = {6};
  for (int i = 0; i < 100; ++i) {
    def.push_back(1);
    vals.push_back(1000 + i);
  }
  b.PageV2(static_cast<int32_t>(def.size()), 1, def, 1, Encoding::PLAIN, PlainFixed(vals));
  LeafData out;
  Status st = Decode(b, Leaf(Type::INT64, DataType::Primitive(TypeId::kInt64), 1), &out);
  ASSERT_TRUE(st.ok()) << CodecName(GetParam()) << ": " << st.ToString();
  EXPECT_EQ(out.num_entries, 106);
  ASSERT_EQ(out.values.length(), 104);
  EXPECT_EQ(out.values.Value<int64_t>(0), 1);
  EXPECT_EQ(out.values.Value<int64_t>(2), 4);
  EXPECT_EQ(out.values.Value<int64_t>(3), 6);
  EXPECT_EQ(out.values.Value<int64_t>(103), 1099);
  EXPECT_EQ(out.def[1], 0);
  EXPECT_EQ(out.def[4], 0);
}

TEST_P(CodecTest, DamagedPayloadIsCorruption) {
  if (GetParam() == CompressionCodec::UNCOMPRESSED) GTEST_SKIP();
  ChunkBuilder b;
  b.codec = GetParam();
  std::vector<int64_t> vals(200);
  for (size_t i = 0; i < vals.size(); ++i) vals[i] = static_cast<int64_t>(i * 7);
  b.PageV1(200, {}, 0, {}, 0, Encoding::PLAIN, PlainFixed(vals));
  // Damage the compressed bytes after the page header.
  size_t header_size;
  ASSERT_TRUE(ParsePageHeader(reinterpret_cast<const uint8_t*>(b.bytes.data()), b.bytes.size(),
                              &header_size)
                  .ok());
  for (size_t i = header_size; i < b.bytes.size(); i += 3) b.bytes[i] = static_cast<char>(0xA5);
  LeafData out;
  Status st = Decode(b, Leaf(Type::INT64, DataType::Primitive(TypeId::kInt64), 0), &out);
  if (st.ok()) {
    // Some codecs cannot detect every damage; the values must then at least be complete.
    EXPECT_EQ(out.values.length(), 200);
  } else {
    EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  }
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, CodecTest,
                         ::testing::Values(CompressionCodec::UNCOMPRESSED, CompressionCodec::SNAPPY,
                                           CompressionCodec::GZIP, CompressionCodec::ZSTD,
                                           CompressionCodec::LZ4_RAW, CompressionCodec::LZ4,
                                           CompressionCodec::BROTLI));

TEST(ColumnReaderTest, UnsupportedCodecIsNotSupported) {
  ChunkBuilder b;
  b.PageV1(1, {}, 0, {}, 0, Encoding::PLAIN, PlainFixed<int64_t>({1}));
  ColumnMetaData m = b.Meta(Type::INT64);
  m.codec = CompressionCodec::LZO;
  LeafData out;
  Status st = DecodeColumnChunk(reinterpret_cast<const uint8_t*>(b.bytes.data()), b.bytes.size(), m,
                                Leaf(Type::INT64, DataType::Primitive(TypeId::kInt64), 0), &out);
  EXPECT_TRUE(st.IsNotSupported());
  EXPECT_EQ(st.message(), "unsupported codec LZO");
}

// ---- Encodings

TEST(ColumnReaderTest, DictionaryStrings) {
  ChunkBuilder b;
  b.codec = CompressionCodec::SNAPPY;
  b.DictionaryPage(PlainStrings({"red", "green", "blue"}), 3);
  std::string idx = std::string(1, 2) + BitPackedHybrid({2, 0, 1, 1, 2}, 2);
  b.PageV1(6, {}, 0, {1, 1, 0, 1, 1, 1}, 1, Encoding::RLE_DICTIONARY, idx);
  LeafData out;
  ASSERT_TRUE(
      Decode(b, Leaf(Type::BYTE_ARRAY, DataType::Primitive(TypeId::kString), 1), &out).ok());
  ASSERT_EQ(out.values.length(), 5);
  EXPECT_EQ(out.values.StringValue(0), "blue");
  EXPECT_EQ(out.values.StringValue(1), "red");
  EXPECT_EQ(out.values.StringValue(4), "blue");

  ChunkBuilder bad;
  bad.DictionaryPage(PlainStrings({"red"}), 1);
  bad.PageV1(2, {}, 0, {}, 0, Encoding::RLE_DICTIONARY,
             std::string(1, 2) + BitPackedHybrid({0, 3}, 2));
  Status st = Decode(bad, Leaf(Type::BYTE_ARRAY, DataType::Primitive(TypeId::kString), 0), &out);
  EXPECT_TRUE(st.IsCorruption());
  EXPECT_NE(st.message().find("page 1"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("dictionary index 3 out of range"), std::string::npos);
}

TEST(ColumnReaderTest, DeltaEncodingsAndByteStreamSplit) {
  // DELTA_LENGTH_BYTE_ARRAY strings.
  {
    ChunkBuilder b;
    std::vector<std::string> s = {"alpha", "", "gamma-ray"};
    b.PageV2(3, 0, {}, 0, Encoding::DELTA_LENGTH_BYTE_ARRAY,
             DeltaBinaryPacked({5, 0, 9}) + "alphagamma-ray");
    LeafData out;
    ASSERT_TRUE(
        Decode(b, Leaf(Type::BYTE_ARRAY, DataType::Primitive(TypeId::kString), 0), &out).ok());
    for (int i = 0; i < 3; ++i) EXPECT_EQ(out.values.StringValue(i), s[i]);
  }
  // DELTA_BYTE_ARRAY on FIXED_LEN_BYTE_ARRAY(3).
  {
    ChunkBuilder b;
    b.PageV1(3, {}, 0, {}, 0, Encoding::DELTA_BYTE_ARRAY,
             DeltaBinaryPacked({0, 2, 1}) + DeltaBinaryPacked({3, 1, 2}) + "abcdez");
    LeafData out;
    DataType t = DataType::Primitive(TypeId::kBinary);
    t.fixed_length = 3;
    LeafColumn leaf = Leaf(Type::FIXED_LEN_BYTE_ARRAY, t, 0);
    leaf.type_length = 3;
    Status st = Decode(b, leaf, &out);
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(out.values.StringValue(0), "abc");
    EXPECT_EQ(out.values.StringValue(1), "abd");
    EXPECT_EQ(out.values.StringValue(2), "aez");
  }
  // DELTA_BINARY_PACKED INT32 across several blocks.
  {
    ChunkBuilder b;
    std::vector<int64_t> v;
    for (int i = 0; i < 300; ++i) v.push_back((i * 37) % 101 - 50);
    b.PageV1(300, {}, 0, {}, 0, Encoding::DELTA_BINARY_PACKED, DeltaBinaryPacked(v));
    LeafData out;
    ASSERT_TRUE(Decode(b, Leaf(Type::INT32, DataType::Primitive(TypeId::kInt32), 0), &out).ok());
    for (int i = 0; i < 300; ++i) ASSERT_EQ(out.values.Value<int32_t>(i), v[i]);
  }
  // BYTE_STREAM_SPLIT doubles.
  {
    std::vector<double> v = {1.25, -3.5, 1e300};
    std::string raw = PlainFixed(v), split(raw.size(), '\0');
    for (size_t i = 0; i < 3; ++i) {
      for (size_t j = 0; j < 8; ++j) split[j * 3 + i] = raw[i * 8 + j];
    }
    ChunkBuilder b;
    b.codec = CompressionCodec::ZSTD;
    b.PageV2(3, 0, {}, 0, Encoding::BYTE_STREAM_SPLIT, split);
    LeafData out;
    ASSERT_TRUE(Decode(b, Leaf(Type::DOUBLE, DataType::Primitive(TypeId::kFloat64), 0), &out).ok());
    for (int i = 0; i < 3; ++i) EXPECT_EQ(out.values.Value<double>(i), v[i]);
  }
  // RLE booleans (data page v2) with a length prefix.
  {
    ChunkBuilder b;
    b.PageV2(5, 0, {}, 0, Encoding::RLE, WithLength(BitPackedHybrid({1, 0, 0, 1, 1}, 1)), false);
    LeafData out;
    ASSERT_TRUE(
        Decode(b, Leaf(Type::BOOLEAN, DataType::Primitive(TypeId::kBoolean), 0), &out).ok());
    std::vector<uint8_t> got(out.values.values().begin(), out.values.values().end());
    EXPECT_EQ(got, (std::vector<uint8_t>{1, 0, 0, 1, 1}));
  }
}

TEST(ColumnReaderTest, ConvertsDecimalsInt96AndNarrowInts) {
  {
    ChunkBuilder b;
    b.PageV1(2, {}, 0, {}, 0, Encoding::PLAIN, PlainStrings({std::string("\x30\x39", 2), "\xff"}));
    LeafData out;
    ASSERT_TRUE(Decode(b, Leaf(Type::BYTE_ARRAY, DataType::Decimal(10, 2), 0), &out).ok());
    EXPECT_TRUE(out.values.Value<Int128>(0) == 12345);
    EXPECT_TRUE(out.values.Value<Int128>(1) == -1);
  }
  {
    ChunkBuilder b;
    b.PageV1(2, {}, 0, {}, 0, Encoding::PLAIN, PlainFixed<int32_t>({-7, 300}));
    LeafData out;
    ASSERT_TRUE(Decode(b, Leaf(Type::INT32, DataType::Decimal(5, 1), 0), &out).ok());
    EXPECT_TRUE(out.values.Value<Int128>(0) == -7);
    ChunkBuilder b8;
    b8.PageV1(2, {}, 0, {}, 0, Encoding::PLAIN, PlainFixed<int32_t>({-7, 100}));
    ASSERT_TRUE(Decode(b8, Leaf(Type::INT32, DataType::Primitive(TypeId::kInt8), 0), &out).ok());
    EXPECT_EQ(out.values.Value<int8_t>(0), -7);
    EXPECT_EQ(out.values.Value<int8_t>(1), 100);
  }
  {
    std::string int96(12, '\0');
    uint64_t nanos = 5999;
    uint32_t day = 2440589;
    std::memcpy(&int96[0], &nanos, 8);
    std::memcpy(&int96[8], &day, 4);
    ChunkBuilder b;
    b.PageV1(1, {}, 0, {}, 0, Encoding::PLAIN, int96);
    LeafData out;
    LeafColumn leaf = Leaf(Type::INT96, DataType::Timestamp(lakesync::TimeUnit::kMicros, true), 0);
    ASSERT_TRUE(Decode(b, leaf, &out).ok());
    EXPECT_EQ(out.values.Value<int64_t>(0), 86400000000LL + 5);
  }
}

TEST(ColumnReaderTest, MisstatedCountsAreCorruption) {
  ChunkBuilder b;
  b.PageV1(3, {}, 0, {}, 0, Encoding::PLAIN, PlainFixed<int64_t>({1, 2}));  // 2 values for 3
  LeafData out;
  EXPECT_TRUE(
      Decode(b, Leaf(Type::INT64, DataType::Primitive(TypeId::kInt64), 0), &out).IsCorruption());
  // Definition levels as an RLE run of value 2 when the maximum is 1.
  ChunkBuilder c;
  std::string rle;
  PutUleb(&rle, 2 << 1);
  rle.push_back(2);
  c.PageV1(2, {}, 0, {}, 0, Encoding::PLAIN, WithLength(rle) + PlainFixed<int64_t>({1, 2}));
  EXPECT_TRUE(
      Decode(c, Leaf(Type::INT64, DataType::Primitive(TypeId::kInt64), 1), &out).IsCorruption());
}

// ---- A whole synthetic file with nested columns.

class BufferFile : public storage::RandomAccessFile {
 public:
  explicit BufferFile(std::string bytes) : bytes_(std::move(bytes)) {}
  const std::string& path() const override { return path_; }
  int64_t size() const override { return static_cast<int64_t>(bytes_.size()); }
  Status ReadAt(int64_t offset, int64_t length, uint8_t* out) const override {
    if (offset < 0 || length < 0 || offset + length > size()) return Status::Corruption("short");
    std::memcpy(out, bytes_.data() + offset, static_cast<size_t>(length));
    return Status::OK();
  }

 private:
  std::string path_ = "synthetic.parquet";
  std::string bytes_;
};

SchemaElement Group(const std::string& name, int children, std::optional<FieldRepetitionType> rep,
                    std::optional<ConvertedType> ct = std::nullopt) {
  SchemaElement e;
  e.name = name;
  e.num_children = children;
  e.repetition_type = rep;
  e.converted_type = ct;
  return e;
}

SchemaElement Prim(const std::string& name, Type t, FieldRepetitionType rep,
                   std::optional<ConvertedType> ct = std::nullopt) {
  SchemaElement e;
  e.name = name;
  e.type = t;
  e.repetition_type = rep;
  e.converted_type = ct;
  return e;
}

// A whole Parquet file with one row group of `num_rows` rows: "PAR1", the chunks' bytes in
// order, then `md` (the row group added) as the footer. Column c has physical type types[c] and,
// when `paths` has an entry for it, path_in_schema paths[c].
std::string OneRowGroupFile(FileMetaData md, int64_t num_rows,
                            const std::vector<ChunkBuilder>& chunks, const std::vector<Type>& types,
                            const std::vector<std::vector<std::string>>& paths = {}) {
  std::string file = "PAR1";
  RowGroup rg;
  rg.num_rows = num_rows;
  for (size_t c = 0; c < chunks.size(); ++c) {
    ColumnChunk cc;
    ColumnMetaData m = chunks[c].Meta(types[c]);
    if (c < paths.size()) m.path_in_schema = paths[c];
    m.data_page_offset = static_cast<int64_t>(file.size());
    cc.file_offset = m.data_page_offset;
    cc.meta_data = m;
    rg.columns.push_back(cc);
    file += chunks[c].bytes;
  }
  md.row_groups.push_back(rg);
  std::string footer = SerializeFileMetaData(md);
  uint32_t len = static_cast<uint32_t>(footer.size());
  file += footer + std::string(reinterpret_cast<const char*>(&len), 4) + "PAR1";
  return file;
}

std::string Render(const ColumnVector& v, int64_t row) {
  if (v.IsNull(row)) return "null";
  switch (v.type().id) {
    case TypeId::kInt32:
      return std::to_string(v.Value<int32_t>(row));
    case TypeId::kInt64:
      return std::to_string(v.Value<int64_t>(row));
    case TypeId::kString:
      return std::string(v.StringValue(row));
    case TypeId::kStruct: {
      std::string out = "{";
      for (size_t i = 0; i < v.children().size(); ++i) {
        out += (i ? ", " : "") + v.type().children[i].name + ": " + Render(v.children()[i], row);
      }
      return out + "}";
    }
    case TypeId::kList:
    case TypeId::kMap: {
      std::string out = v.type().id == TypeId::kList ? "[" : "{";
      for (uint32_t i = v.offsets()[row]; i < v.offsets()[row + 1]; ++i) {
        out += i != v.offsets()[row] ? ", " : "";
        out += Render(v.children()[0], i);
        if (v.type().id == TypeId::kMap) out += " -> " + Render(v.children()[1], i);
      }
      return out + (v.type().id == TypeId::kList ? "]" : "}");
    }
    default:
      return "?";
  }
}

TEST(FileReaderSyntheticTest, AssemblesListsMapsStructsAndLegacyRepeated) {
  FileMetaData md;
  md.schema = {
      Group("schema", 5, std::nullopt),
      Prim("id", Type::INT32, FieldRepetitionType::REQUIRED),
      Group("tags", 1, FieldRepetitionType::OPTIONAL, ConvertedType::LIST),
      Group("list", 1, FieldRepetitionType::REPEATED),
      Prim("element", Type::BYTE_ARRAY, FieldRepetitionType::OPTIONAL, ConvertedType::UTF8),
      Group("m", 1, FieldRepetitionType::OPTIONAL, ConvertedType::MAP),
      Group("key_value", 2, FieldRepetitionType::REPEATED),
      Prim("key", Type::BYTE_ARRAY, FieldRepetitionType::REQUIRED, ConvertedType::UTF8),
      Prim("value", Type::INT32, FieldRepetitionType::OPTIONAL),
      Group("s", 2, FieldRepetitionType::OPTIONAL),
      Prim("a", Type::INT32, FieldRepetitionType::OPTIONAL),
      Prim("b", Type::INT64, FieldRepetitionType::REQUIRED),
      Prim("nums", Type::INT32, FieldRepetitionType::REPEATED),
  };
  md.schema[1].field_id = 11;
  md.num_rows = 4;
  // Rows:
  //  0: id=1 tags=[a, null, b] m={x -> 1, y -> null} s={a: 5, b: 6}    nums=[1, 2]
  //  1: id=2 tags=null         m=null                s=null             nums=[]
  //  2: id=3 tags=[]           m={}                  s={a: null, b: 7}  nums=[3]
  //  3: id=4 tags=[c]          m={z -> 3}            s={a: 8, b: 9}     nums=[]
  std::vector<ChunkBuilder> chunks(7);
  chunks[0].codec = CompressionCodec::SNAPPY;
  chunks[0].PageV1(2, {}, 0, {}, 0, Encoding::PLAIN, PlainFixed<int32_t>({1, 2}));
  chunks[0].PageV1(2, {}, 0, {}, 0, Encoding::PLAIN, PlainFixed<int32_t>({3, 4}));
  chunks[1].PageV1(6, {0, 1, 1, 0, 0, 0}, 1, {3, 2, 3, 0, 1, 3}, 2, Encoding::PLAIN,
                   PlainStrings({"a", "b", "c"}));
  chunks[2].PageV1(5, {0, 1, 0, 0, 0}, 1, {2, 2, 0, 1, 2}, 2, Encoding::PLAIN,
                   PlainStrings({"x", "y", "z"}));
  chunks[3].PageV1(5, {0, 1, 0, 0, 0}, 1, {3, 2, 0, 1, 3}, 2, Encoding::PLAIN,
                   PlainFixed<int32_t>({1, 3}));
  chunks[4].PageV1(4, {}, 0, {2, 0, 1, 2}, 2, Encoding::PLAIN, PlainFixed<int32_t>({5, 8}));
  chunks[5].PageV1(4, {}, 0, {1, 0, 1, 1}, 1, Encoding::PLAIN, PlainFixed<int64_t>({6, 7, 9}));
  chunks[6].PageV1(5, {0, 1, 0, 0, 0}, 1, {1, 1, 0, 1, 0}, 1, Encoding::PLAIN,
                   PlainFixed<int32_t>({1, 2, 3}));
  const std::vector<Type> types = {Type::INT32, Type::BYTE_ARRAY, Type::BYTE_ARRAY, Type::INT32,
                                   Type::INT32, Type::INT64,      Type::INT32};
  const std::vector<std::vector<std::string>> paths = {{"id"},
                                                       {"tags", "list", "element"},
                                                       {"m", "key_value", "key"},
                                                       {"m", "key_value", "value"},
                                                       {"s", "a"},
                                                       {"s", "b"},
                                                       {"nums"}};
  const std::string file = OneRowGroupFile(md, 4, chunks, types, paths);

  auto reader = FileReader::Open(std::make_shared<BufferFile>(file), ReaderOptions{2});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  ASSERT_EQ((*reader)->schema().size(), 5u);
  EXPECT_EQ((*reader)->schema()[1].type.ToString(), "array<string>");
  EXPECT_EQ((*reader)->schema()[2].type.ToString(), "map<string,integer>");
  EXPECT_EQ((*reader)->schema()[3].type.ToString(), "struct<a:integer,b:long>");
  EXPECT_EQ((*reader)->schema()[4].type.ToString(), "array<integer>");
  EXPECT_FALSE((*reader)->schema()[0].nullable);
  auto by_id = (*reader)->ColumnsByFieldId({11});
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(*by_id, std::vector<int>{0});
  EXPECT_TRUE((*reader)->ColumnsByFieldId({99}).status().IsNotFound());

  auto batch = (*reader)->ReadRowGroup(0);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  std::vector<std::string> rows;
  for (int64_t r = 0; r < batch->num_rows; ++r) {
    std::string row;
    for (size_t c = 0; c < batch->columns.size(); ++c) {
      row += (c ? " " : "") + batch->schema[c].name + "=" + Render(batch->columns[c], r);
    }
    rows.push_back(row);
  }
  EXPECT_EQ(rows[0], "id=1 tags=[a, null, b] m={x -> 1, y -> null} s={a: 5, b: 6} nums=[1, 2]");
  EXPECT_EQ(rows[1], "id=2 tags=null m=null s=null nums=[]");
  EXPECT_EQ(rows[2], "id=3 tags=[] m={} s={a: null, b: 7} nums=[3]");
  EXPECT_EQ(rows[3], "id=4 tags=[c] m={z -> 3} s={a: 8, b: 9} nums=[]");

  // Projection keeps the requested order.
  auto cols = (*reader)->ColumnsByName({"s", "id"});
  ASSERT_TRUE(cols.ok());
  auto projected = (*reader)->ReadRowGroup(0, *cols);
  ASSERT_TRUE(projected.ok());
  EXPECT_EQ(projected->schema[0].name, "s");
  EXPECT_EQ(Render(projected->columns[1], 3), "4");
}

}  // namespace
}  // namespace lakesync::parquet

namespace lakesync::parquet {
namespace {

// Throughput check, run by hand on a Release build:
//   lakesync_parquet_test --gtest_also_run_disabled_tests --gtest_filter='*Throughput*'
TEST(FileReaderBenchmark, DISABLED_Throughput) {
  const int64_t kRows = 4 << 20, kPage = 1 << 16;
  const int kCols = 5;
  std::vector<ChunkBuilder> chunks(kCols);
  for (auto& c : chunks) c.codec = CompressionCodec::SNAPPY;
  uint64_t seed = 1;
  auto rnd = [&]() {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return seed >> 33;
  };
  std::vector<std::string> dict;
  for (int i = 0; i < 1000; ++i) dict.push_back("customer-name-" + std::to_string(i * 7919));
  chunks[2].DictionaryPage(PlainStrings(dict), 1000);
  for (int64_t start = 0; start < kRows; start += kPage) {
    std::vector<int64_t> ids(kPage);
    std::vector<double> prices;
    std::vector<uint32_t> def(kPage), sdef(kPage), idx;
    std::vector<std::string> plain_strings;
    std::vector<int64_t> dates(kPage);
    for (int64_t i = 0; i < kPage; ++i) {
      ids[i] = start + i;
      def[i] = rnd() % 10 != 0;
      if (def[i]) prices.push_back(static_cast<double>(rnd() % 100000) / 100);
      sdef[i] = rnd() % 20 != 0;
      if (sdef[i]) idx.push_back(static_cast<uint32_t>(rnd() % 1000));
      dates[i] = 18000 + (start + i) / 1000;
      if (i % 4 == 0) plain_strings.push_back("comment " + std::to_string(rnd()));
    }
    chunks[0].PageV1(kPage, {}, 0, {}, 0, Encoding::PLAIN, PlainFixed(ids));
    chunks[1].PageV1(kPage, {}, 0, def, 1, Encoding::PLAIN, PlainFixed(prices));
    chunks[2].PageV1(kPage, {}, 0, sdef, 1, Encoding::RLE_DICTIONARY,
                     std::string(1, 10) + BitPackedHybrid(idx, 10));
    chunks[3].PageV1(kPage, {}, 0, {}, 0, Encoding::DELTA_BINARY_PACKED, DeltaBinaryPacked(dates));
    std::vector<uint32_t> pdef(kPage, 0);
    for (int64_t i = 0; i < kPage; i += 4) pdef[i] = 1;
    chunks[4].PageV1(kPage, {}, 0, pdef, 1, Encoding::PLAIN, PlainStrings(plain_strings));
  }
  FileMetaData md;
  md.schema = {
      Group("schema", kCols, std::nullopt),
      Prim("id", Type::INT64, FieldRepetitionType::REQUIRED),
      Prim("price", Type::DOUBLE, FieldRepetitionType::OPTIONAL),
      Prim("name", Type::BYTE_ARRAY, FieldRepetitionType::OPTIONAL, ConvertedType::UTF8),
      Prim("day", Type::INT32, FieldRepetitionType::REQUIRED, ConvertedType::DATE),
      Prim("comment", Type::BYTE_ARRAY, FieldRepetitionType::OPTIONAL, ConvertedType::UTF8)};
  md.num_rows = kRows;
  const std::vector<Type> types = {Type::INT64, Type::DOUBLE, Type::BYTE_ARRAY, Type::INT32,
                                   Type::BYTE_ARRAY};
  std::vector<std::vector<std::string>> paths;
  for (int c = 0; c < kCols; ++c) paths.push_back({md.schema[c + 1].name});
  const std::string file = OneRowGroupFile(md, kRows, chunks, types, paths);
  auto reader = FileReader::Open(std::make_shared<BufferFile>(file));
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  // BENCH_COLUMN=<index> profiles one column with many repetitions.
  const char* only = std::getenv("BENCH_COLUMN");
  for (int c = -1; c < kCols; ++c) {
    if (only && c != std::atoi(only)) continue;
    std::vector<int> cols;
    if (c >= 0) cols.push_back(c);
    double best = 1e9;
    for (int rep = 0; rep < (only ? 40 : 5); ++rep) {
      // CPU time, not wall time: the machine is shared.
      std::clock_t t0 = std::clock();
      auto batch = (*reader)->ReadRowGroup(0, cols);
      std::clock_t t1 = std::clock();
      ASSERT_TRUE(batch.ok()) << batch.status().ToString();
      best = std::min(best, static_cast<double>(t1 - t0) / CLOCKS_PER_SEC);
    }
    std::cout << (c < 0 ? std::string("all columns") : md.schema[c + 1].name) << ": " << best * 1000
              << " ms, " << kRows / best / 1e6 << " M rows/s (" << file.size() / 1e6
              << " MB file)\n";
  }
}

}  // namespace
}  // namespace lakesync::parquet

namespace lakesync::parquet {
namespace {

TEST(ColumnReaderTest, PageCrcIsVerified) {
  ChunkBuilder b;
  b.codec = CompressionCodec::SNAPPY;
  b.PageV1(3, {}, 0, {}, 0, Encoding::PLAIN, PlainFixed<int64_t>({7, 8, 9}));
  size_t hs;
  auto h = ParsePageHeader(reinterpret_cast<const uint8_t*>(b.bytes.data()), b.bytes.size(), &hs);
  ASSERT_TRUE(h.ok());
  const std::string body = b.bytes.substr(hs);
  PageHeader with_crc = *h;
  with_crc.crc = static_cast<int32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
  b.bytes = SerializePageHeader(with_crc) + body;
  LeafColumn leaf = Leaf(Type::INT64, DataType::Primitive(TypeId::kInt64), 0);
  LeafData out;
  ASSERT_TRUE(Decode(b, leaf, &out).ok());
  with_crc.crc = *with_crc.crc ^ 1;
  b.bytes = SerializePageHeader(with_crc) + body;
  Status st = Decode(b, leaf, &out);
  EXPECT_TRUE(st.IsCorruption());
  EXPECT_NE(st.message().find("CRC mismatch"), std::string::npos) << st.ToString();
  // Verification can be turned off.
  EXPECT_TRUE(DecodeColumnChunk(reinterpret_cast<const uint8_t*>(b.bytes.data()), b.bytes.size(),
                                b.Meta(Type::INT64), leaf, &out, /*verify_checksums=*/false)
                  .ok());
}

}  // namespace
}  // namespace lakesync::parquet

namespace lakesync::parquet {
namespace {

// Nested assembly throughput: optional list<optional int64>, 2M rows of 0..7 elements.
TEST(FileReaderBenchmark, DISABLED_NestedThroughput) {
  const int64_t kRows = 2 << 20, kRowsPerPage = 1 << 14;
  ChunkBuilder b;
  b.codec = CompressionCodec::SNAPPY;
  uint64_t seed = 3;
  auto rnd = [&]() {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return seed >> 33;
  };
  int64_t entries_total = 0;
  for (int64_t start = 0; start < kRows; start += kRowsPerPage) {
    std::vector<uint32_t> rep, def;
    std::vector<int64_t> vals;
    for (int64_t r = 0; r < kRowsPerPage; ++r) {
      uint64_t kind = rnd() % 10;
      if (kind == 0) {  // null list
        rep.push_back(0), def.push_back(0);
        continue;
      }
      int n = static_cast<int>(rnd() % 8);
      if (n == 0) {  // empty list
        rep.push_back(0), def.push_back(1);
        continue;
      }
      for (int i = 0; i < n; ++i) {
        rep.push_back(i == 0 ? 0 : 1);
        bool null_elem = rnd() % 16 == 0;
        def.push_back(null_elem ? 2 : 3);
        if (!null_elem) vals.push_back(static_cast<int64_t>(rnd()));
      }
    }
    b.PageV1(static_cast<int32_t>(rep.size()), rep, 1, def, 2, Encoding::PLAIN, PlainFixed(vals));
    entries_total += static_cast<int64_t>(rep.size());
  }
  FileMetaData md;
  md.schema = {Group("schema", 1, std::nullopt),
               Group("xs", 1, FieldRepetitionType::OPTIONAL, ConvertedType::LIST),
               Group("list", 1, FieldRepetitionType::REPEATED),
               Prim("element", Type::INT64, FieldRepetitionType::OPTIONAL)};
  md.num_rows = kRows;
  const std::string file =
      OneRowGroupFile(md, kRows, {b}, {Type::INT64}, {{"xs", "list", "element"}});
  auto reader = FileReader::Open(std::make_shared<BufferFile>(file));
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  double best = 1e9;
  for (int rep = 0; rep < 5; ++rep) {
    std::clock_t t0 = std::clock();
    auto batch = (*reader)->ReadRowGroup(0);
    std::clock_t t1 = std::clock();
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    best = std::min(best, static_cast<double>(t1 - t0) / CLOCKS_PER_SEC);
  }
  std::cout << "list<int64>: " << best * 1000 << " ms for " << kRows << " rows / " << entries_total
            << " level entries: " << entries_total / best / 1e6 << " M entries/s\n";
}

}  // namespace
}  // namespace lakesync::parquet

namespace lakesync::parquet {
namespace {

TEST(FileReaderSyntheticTest, LegacyMapAndTwoLevelListForms) {
  FileMetaData md;
  md.schema = {
      Group("schema", 4, std::nullopt),
      // Legacy: MAP_KEY_VALUE on the outer group.
      Group("m1", 1, FieldRepetitionType::OPTIONAL, ConvertedType::MAP_KEY_VALUE),
      Group("map", 2, FieldRepetitionType::REPEATED),
      Prim("key", Type::BYTE_ARRAY, FieldRepetitionType::REQUIRED, ConvertedType::UTF8),
      Prim("value", Type::INT32, FieldRepetitionType::OPTIONAL),
      // A key-only map (a set).
      Group("set1", 1, FieldRepetitionType::OPTIONAL, ConvertedType::MAP),
      Group("key_value", 1, FieldRepetitionType::REPEATED),
      Prim("key", Type::INT32, FieldRepetitionType::REQUIRED),
      // Two-level lists: "<name>_tuple" and "array" repeated groups are the elements.
      Group("pairs", 1, FieldRepetitionType::OPTIONAL, ConvertedType::LIST),
      Group("pairs_tuple", 1, FieldRepetitionType::REPEATED),
      Prim("a", Type::INT32, FieldRepetitionType::REQUIRED),
      Group("arr", 1, FieldRepetitionType::OPTIONAL, ConvertedType::LIST),
      Group("array", 1, FieldRepetitionType::REPEATED),
      Prim("x", Type::INT32, FieldRepetitionType::REQUIRED),
  };
  md.num_rows = 2;
  std::vector<ChunkBuilder> chunks(5);
  chunks[0].PageV1(2, {0, 0}, 1, {2, 0}, 2, Encoding::PLAIN, PlainStrings({"k1"}));
  chunks[1].PageV1(2, {0, 0}, 1, {3, 0}, 2, Encoding::PLAIN, PlainFixed<int32_t>({1}));
  chunks[2].PageV1(3, {0, 1, 0}, 1, {2, 2, 1}, 2, Encoding::PLAIN, PlainFixed<int32_t>({5, 6}));
  chunks[3].PageV1(3, {0, 1, 0}, 1, {2, 2, 1}, 2, Encoding::PLAIN, PlainFixed<int32_t>({1, 2}));
  chunks[4].PageV1(2, {0, 0}, 1, {2, 0}, 2, Encoding::PLAIN, PlainFixed<int32_t>({3}));
  const std::vector<Type> types = {Type::BYTE_ARRAY, Type::INT32, Type::INT32, Type::INT32,
                                   Type::INT32};
  const std::string file = OneRowGroupFile(md, 2, chunks, types);

  auto reader = FileReader::Open(std::make_shared<BufferFile>(file));
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  const auto& schema = (*reader)->schema();
  EXPECT_EQ(schema[0].type.ToString(), "map<string,integer>");
  EXPECT_EQ(schema[1].type.id, TypeId::kMap);
  EXPECT_EQ(schema[1].type.children[1].type.id, TypeId::kNull);
  EXPECT_EQ(schema[2].type.ToString(), "array<struct<a:integer>>");
  EXPECT_EQ(schema[3].type.ToString(), "array<struct<x:integer>>");
  auto batch = (*reader)->ReadRowGroup(0);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  auto row = [&](int64_t r) {
    std::string out;
    for (size_t c = 0; c < batch->columns.size(); ++c) {
      out += (c ? " " : "") + batch->schema[c].name + "=" + Render(batch->columns[c], r);
    }
    return out;
  };
  EXPECT_EQ(row(0), "m1={k1 -> 1} set1={5 -> null, 6 -> null} pairs=[{a: 1}, {a: 2}] arr=[{x: 3}]");
  EXPECT_EQ(row(1), "m1=null set1={} pairs=[] arr=null");
}

}  // namespace
}  // namespace lakesync::parquet
