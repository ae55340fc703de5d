// Plain C++ mirrors of the structures in apache/parquet-format's parquet.thrift: the file
// footer (FileMetaData) and page headers. Field names follow the thrift names in snake_case;
// optional thrift fields are std::optional; enum values are the thrift numbers.
// metadata_codec.h turns these into and out of Thrift compact bytes.
// Thrift fields lakesync does not model (encryption, geospatial statistics, size statistics,
// column/offset index contents) are skipped on read and never written.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace lakesync::parquet {

enum class Type : int32_t {
  BOOLEAN = 0,
  INT32 = 1,
  INT64 = 2,
  INT96 = 3,
  FLOAT = 4,
  DOUBLE = 5,
  BYTE_ARRAY = 6,
  FIXED_LEN_BYTE_ARRAY = 7,
};

enum class ConvertedType : int32_t {
  UTF8 = 0,
  MAP = 1,
  MAP_KEY_VALUE = 2,
  LIST = 3,
  ENUM = 4,
  DECIMAL = 5,
  DATE = 6,
  TIME_MILLIS = 7,
  TIME_MICROS = 8,
  TIMESTAMP_MILLIS = 9,
  TIMESTAMP_MICROS = 10,
  UINT_8 = 11,
  UINT_16 = 12,
  UINT_32 = 13,
  UINT_64 = 14,
  INT_8 = 15,
  INT_16 = 16,
  INT_32 = 17,
  INT_64 = 18,
  JSON = 19,
  BSON = 20,
  INTERVAL = 21,
};

enum class FieldRepetitionType : int32_t {
  REQUIRED = 0,
  OPTIONAL = 1,
  REPEATED = 2,
};

enum class Encoding : int32_t {
  PLAIN = 0,
  GROUP_VAR_INT = 1,  // never used
  PLAIN_DICTIONARY = 2,
  RLE = 3,
  BIT_PACKED = 4,
  DELTA_BINARY_PACKED = 5,
  DELTA_LENGTH_BYTE_ARRAY = 6,
  DELTA_BYTE_ARRAY = 7,
  RLE_DICTIONARY = 8,
  BYTE_STREAM_SPLIT = 9,
};

enum class CompressionCodec : int32_t {
  UNCOMPRESSED = 0,
  SNAPPY = 1,
  GZIP = 2,
  LZO = 3,
  BROTLI = 4,
  LZ4 = 5,
  ZSTD = 6,
  LZ4_RAW = 7,
};

enum class PageType : int32_t {
  DATA_PAGE = 0,
  INDEX_PAGE = 1,
  DICTIONARY_PAGE = 2,
  DATA_PAGE_V2 = 3,
};

enum class BoundaryOrder : int32_t {
  UNORDERED = 0,
  ASCENDING = 1,
  DESCENDING = 2,
};

struct Statistics {
  std::optional<std::string> max;  // deprecated: signed comparison
  std::optional<std::string> min;
  std::optional<int64_t> null_count;
  std::optional<int64_t> distinct_count;
  std::optional<std::string> max_value;
  std::optional<std::string> min_value;
  std::optional<bool> is_max_value_exact;
  std::optional<bool> is_min_value_exact;
};

// ---- LogicalType: a thrift union; exactly one member is set.
struct StringType {};
struct MapType {};
struct ListType {};
struct EnumType {};
struct DecimalType {
  int32_t scale = 0;
  int32_t precision = 0;
};
struct DateType {};
enum class TimeUnitKind : uint8_t { MILLIS = 1, MICROS = 2, NANOS = 3 };
/// thrift union TimeUnit { 1: MilliSeconds MILLIS; 2: MicroSeconds MICROS; 3: NanoSeconds NANOS }
struct TimeUnit {
  TimeUnitKind kind = TimeUnitKind::MICROS;
};
struct TimeType {
  bool is_adjusted_to_utc = false;
  TimeUnit unit;
};
struct TimestampType {
  bool is_adjusted_to_utc = false;
  TimeUnit unit;
};
struct IntType {
  int8_t bit_width = 32;
  bool is_signed = true;
};
struct NullType {};  // thrift member UNKNOWN
struct JsonType {};
struct BsonType {};
struct UUIDType {};
struct Float16Type {};
struct VariantType {
  std::optional<int8_t> specification_version;
};
struct GeometryType {
  std::optional<std::string> crs;
};
struct GeographyType {
  std::optional<std::string> crs;
  std::optional<int32_t> algorithm;
};
/// A union member this code does not know (a newer format version): read as the physical type.
struct UnknownLogicalType {
  int16_t field_id = 0;
};

struct LogicalType {
  // The thrift field id of each alternative, in order: STRING=1 MAP=2 LIST=3 ENUM=4 DECIMAL=5
  // DATE=6 TIME=7 TIMESTAMP=8 INTEGER=10 UNKNOWN=11 JSON=12 BSON=13 UUID=14 FLOAT16=15
  // VARIANT=16 GEOMETRY=17 GEOGRAPHY=18.
  using Value =
      std::variant<StringType, MapType, ListType, EnumType, DecimalType, DateType, TimeType,
                   TimestampType, IntType, NullType, JsonType, BsonType, UUIDType, Float16Type,
                   VariantType, GeometryType, GeographyType, UnknownLogicalType>;
  Value value;

  LogicalType() = default;
  template <typename T>
  LogicalType(T v) : value(std::move(v)) {}  // NOLINT(google-explicit-constructor)

  template <typename T>
  bool Is() const {
    return std::holds_alternative<T>(value);
  }
  template <typename T>
  const T* Get() const {
    return std::get_if<T>(&value);
  }
};

struct SchemaElement {
  std::optional<Type> type;  // absent for groups
  std::optional<int32_t> type_length;
  std::optional<FieldRepetitionType> repetition_type;  // absent only for the root
  std::string name;
  std::optional<int32_t> num_children;
  std::optional<ConvertedType> converted_type;
  std::optional<int32_t> scale;
  std::optional<int32_t> precision;
  std::optional<int32_t> field_id;
  std::optional<LogicalType> logical_type;
};

struct KeyValue {
  std::string key;
  std::optional<std::string> value;
};

struct SortingColumn {
  int32_t column_idx = 0;
  bool descending = false;
  bool nulls_first = false;
};

struct PageEncodingStats {
  PageType page_type = PageType::DATA_PAGE;
  Encoding encoding = Encoding::PLAIN;
  int32_t count = 0;
};

struct ColumnMetaData {
  Type type = Type::BOOLEAN;
  std::vector<Encoding> encodings;
  std::vector<std::string> path_in_schema;
  CompressionCodec codec = CompressionCodec::UNCOMPRESSED;
  int64_t num_values = 0;
  int64_t total_uncompressed_size = 0;
  int64_t total_compressed_size = 0;
  std::vector<KeyValue> key_value_metadata;  // thrift optional; empty = absent
  int64_t data_page_offset = 0;
  std::optional<int64_t> index_page_offset;
  std::optional<int64_t> dictionary_page_offset;
  std::optional<Statistics> statistics;
  std::vector<PageEncodingStats> encoding_stats;  // thrift optional; empty = absent
  std::optional<int64_t> bloom_filter_offset;
  std::optional<int32_t> bloom_filter_length;
};

struct ColumnChunk {
  std::optional<std::string> file_path;
  int64_t file_offset = 0;
  std::optional<ColumnMetaData> meta_data;
  std::optional<int64_t> offset_index_offset;
  std::optional<int32_t> offset_index_length;
  std::optional<int64_t> column_index_offset;
  std::optional<int32_t> column_index_length;
  /// Set when the chunk carries crypto_metadata or encrypted_column_metadata (not supported).
  bool encrypted = false;
};

struct RowGroup {
  std::vector<ColumnChunk> columns;
  int64_t total_byte_size = 0;
  int64_t num_rows = 0;
  std::vector<SortingColumn> sorting_columns;  // thrift optional; empty = absent
  std::optional<int64_t> file_offset;
  std::optional<int64_t> total_compressed_size;
  std::optional<int16_t> ordinal;
};

/// thrift union ColumnOrder { 1: TypeDefinedOrder TYPE_ORDER }; false = an unknown order.
struct ColumnOrder {
  bool type_defined_order = true;
};

struct FileMetaData {
  int32_t version = 1;
  std::vector<SchemaElement> schema;  // depth-first, root first
  int64_t num_rows = 0;
  std::vector<RowGroup> row_groups;
  std::vector<KeyValue> key_value_metadata;  // thrift optional; empty = absent
  std::optional<std::string> created_by;
  std::vector<ColumnOrder> column_orders;  // thrift optional; empty = absent
  /// Set when the footer carries encryption_algorithm (plaintext-footer encrypted files).
  bool encrypted = false;
};

struct DataPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::PLAIN;
  Encoding definition_level_encoding = Encoding::RLE;
  Encoding repetition_level_encoding = Encoding::RLE;
  std::optional<Statistics> statistics;
};

struct DictionaryPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::PLAIN;
  std::optional<bool> is_sorted;
};

struct DataPageHeaderV2 {
  int32_t num_values = 0;
  int32_t num_nulls = 0;
  int32_t num_rows = 0;
  Encoding encoding = Encoding::PLAIN;
  int32_t definition_levels_byte_length = 0;
  int32_t repetition_levels_byte_length = 0;
  std::optional<bool> is_compressed;  // thrift default true
  std::optional<Statistics> statistics;

  bool compressed() const { return is_compressed.value_or(true); }
};

struct PageHeader {
  PageType type = PageType::DATA_PAGE;
  int32_t uncompressed_page_size = 0;
  int32_t compressed_page_size = 0;
  std::optional<int32_t> crc;
  std::optional<DataPageHeader> data_page_header;
  bool has_index_page_header = false;  // IndexPageHeader has no fields
  std::optional<DictionaryPageHeader> dictionary_page_header;
  std::optional<DataPageHeaderV2> data_page_header_v2;
};

}  // namespace lakesync::parquet
