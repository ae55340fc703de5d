#include "deltagen/parquet_writer.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "deltagen/compression.h"
#include "lakesync/common/macros.h"
#include "lakesync/parquet/metadata_codec.h"

namespace lakesync::deltagen {

namespace pq = ::lakesync::parquet;

int32_t DecimalByteWidth(int32_t precision) {
  Int128 max = 1;
  for (int i = 0; i < precision; ++i) max *= 10;
  max -= 1;
  for (int32_t n = 1; n < 16; ++n) {
    const Int128 limit = static_cast<Int128>(1) << (8 * n - 1);
    if (max < limit) return n;
  }
  return 16;
}

Status PhysicalTypeFor(const DataType& type, pq::Type* physical, int32_t* type_length) {
  *type_length = 0;
  switch (type.id) {
    case TypeId::kBoolean:
      *physical = pq::Type::BOOLEAN;
      return Status::OK();
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kUInt8:
    case TypeId::kUInt16:
    case TypeId::kUInt32:
    case TypeId::kDate:
      *physical = pq::Type::INT32;
      return Status::OK();
    case TypeId::kInt64:
    case TypeId::kUInt64:
    case TypeId::kTime:
    case TypeId::kTimestamp:
      *physical = pq::Type::INT64;
      return Status::OK();
    case TypeId::kFloat32:
      *physical = pq::Type::FLOAT;
      return Status::OK();
    case TypeId::kFloat64:
      *physical = pq::Type::DOUBLE;
      return Status::OK();
    case TypeId::kFloat16:
      *physical = pq::Type::FIXED_LEN_BYTE_ARRAY;
      *type_length = 2;
      return Status::OK();
    case TypeId::kDecimal:
      if (type.precision < 1 || type.precision > 38 || type.scale < 0 ||
          type.scale > type.precision) {
        return Status::InvalidArgument("bad decimal({},{})", type.precision, type.scale);
      }
      if (type.precision <= 9) {
        *physical = pq::Type::INT32;
      } else if (type.precision <= 18) {
        *physical = pq::Type::INT64;
      } else {
        *physical = pq::Type::FIXED_LEN_BYTE_ARRAY;
        *type_length = DecimalByteWidth(type.precision);
      }
      return Status::OK();
    case TypeId::kString:
      *physical = pq::Type::BYTE_ARRAY;
      return Status::OK();
    case TypeId::kBinary:
      if (type.fixed_length > 0) {
        *physical = pq::Type::FIXED_LEN_BYTE_ARRAY;
        *type_length = type.fixed_length;
      } else {
        *physical = pq::Type::BYTE_ARRAY;
      }
      return Status::OK();
    default:
      return Status::NotSupported("deltagen cannot write {} to Parquet", type.ToString());
  }
}

namespace {

pq::TimeUnit ToParquetUnit(TimeUnit unit) {
  pq::TimeUnit u;
  u.kind = unit == TimeUnit::kMillis   ? pq::TimeUnitKind::MILLIS
           : unit == TimeUnit::kMicros ? pq::TimeUnitKind::MICROS
                                       : pq::TimeUnitKind::NANOS;
  return u;
}

// One leaf (primitive) column of the Parquet schema.
struct LeafInfo {
  std::vector<std::string> path;
  std::vector<std::string> field_path;
  std::vector<int> child_path;  // top-level column index, then child index per nested level
  DataType type;
  pq::Type physical = pq::Type::INT32;
  int32_t type_length = 0;
  int16_t max_def = 0;
  int16_t max_rep = 0;
  bool in_repeated = false;
  bool unsigned_order = false;
  bool decimal_flba = false;
  // FLOAT16: min/max would need half-float ordering; only null counts are written.
  bool no_min_max = false;
};

// Map keys are required in Parquet; the normalized schema says so, and shredding follows it.
void NormalizeField(Field* f) {
  if (f->type.id == TypeId::kMap && f->type.children.size() == 2) {
    f->type.children[0].nullable = false;
  }
  for (Field& c : f->type.children) NormalizeField(&c);
}

Status AddSchemaField(const Field& f, std::vector<pq::SchemaElement>* elements,
                      std::vector<LeafInfo>* leaves, LeafInfo prefix, int16_t def, int16_t rep,
                      pq::FieldRepetitionType repetition) {
  pq::SchemaElement e;
  e.name = f.name;
  e.repetition_type = repetition;
  if (f.field_id >= 0) e.field_id = f.field_id;
  if (repetition == pq::FieldRepetitionType::OPTIONAL) ++def;
  prefix.path.push_back(f.name);
  prefix.field_path.push_back(f.name);
  const DataType& t = f.type;
  switch (t.id) {
    case TypeId::kStruct: {
      if (t.children.empty()) return Status::NotSupported("empty struct '{}'", f.name);
      e.num_children = static_cast<int32_t>(t.children.size());
      elements->push_back(std::move(e));
      for (size_t i = 0; i < t.children.size(); ++i) {
        LeafInfo p = prefix;
        p.child_path.push_back(static_cast<int>(i));
        const Field& c = t.children[i];
        LAKESYNC_RETURN_NOT_OK(AddSchemaField(
            c, elements, leaves, std::move(p), def, rep,
            c.nullable ? pq::FieldRepetitionType::OPTIONAL : pq::FieldRepetitionType::REQUIRED));
      }
      return Status::OK();
    }
    case TypeId::kList:
    case TypeId::kMap: {
      const bool is_list = t.id == TypeId::kList;
      if (t.children.size() != (is_list ? 1u : 2u)) {
        return Status::InvalidArgument("malformed {} type '{}'", is_list ? "list" : "map", f.name);
      }
      e.num_children = 1;
      if (is_list) {
        e.converted_type = pq::ConvertedType::LIST;
        e.logical_type = pq::ListType{};
      } else {
        e.converted_type = pq::ConvertedType::MAP;
        e.logical_type = pq::MapType{};
      }
      elements->push_back(std::move(e));
      pq::SchemaElement group;
      group.name = is_list ? "list" : "key_value";
      group.repetition_type = pq::FieldRepetitionType::REPEATED;
      group.num_children = static_cast<int32_t>(t.children.size());
      elements->push_back(std::move(group));
      prefix.path.push_back(is_list ? "list" : "key_value");
      prefix.in_repeated = true;
      for (size_t i = 0; i < t.children.size(); ++i) {
        LeafInfo p = prefix;
        p.child_path.push_back(static_cast<int>(i));
        Field c = t.children[i];
        if (is_list) c.name = "element";
        LAKESYNC_RETURN_NOT_OK(AddSchemaField(
            c, elements, leaves, std::move(p), static_cast<int16_t>(def + 1),
            static_cast<int16_t>(rep + 1),
            c.nullable ? pq::FieldRepetitionType::OPTIONAL : pq::FieldRepetitionType::REQUIRED));
      }
      return Status::OK();
    }
    default:
      break;
  }
  LeafInfo leaf = std::move(prefix);
  LAKESYNC_RETURN_NOT_OK(PhysicalTypeFor(t, &leaf.physical, &leaf.type_length));
  leaf.type = t;
  leaf.max_def = def;
  leaf.max_rep = rep;
  e.type = leaf.physical;
  if (leaf.type_length > 0) e.type_length = leaf.type_length;
  auto set_int = [&](int8_t bits, bool is_signed, pq::ConvertedType ct) {
    e.logical_type = pq::IntType{bits, is_signed};
    e.converted_type = ct;
    leaf.unsigned_order = !is_signed;
  };
  switch (t.id) {
    case TypeId::kInt8:
      set_int(8, true, pq::ConvertedType::INT_8);
      break;
    case TypeId::kInt16:
      set_int(16, true, pq::ConvertedType::INT_16);
      break;
    case TypeId::kUInt8:
      set_int(8, false, pq::ConvertedType::UINT_8);
      break;
    case TypeId::kUInt16:
      set_int(16, false, pq::ConvertedType::UINT_16);
      break;
    case TypeId::kUInt32:
      set_int(32, false, pq::ConvertedType::UINT_32);
      break;
    case TypeId::kUInt64:
      set_int(64, false, pq::ConvertedType::UINT_64);
      break;
    case TypeId::kDate:
      e.logical_type = pq::DateType{};
      e.converted_type = pq::ConvertedType::DATE;
      break;
    case TypeId::kTime: {
      pq::TimeType tt;
      tt.is_adjusted_to_utc = t.utc;
      tt.unit = ToParquetUnit(t.unit);
      e.logical_type = tt;
      if (t.unit == TimeUnit::kMicros) e.converted_type = pq::ConvertedType::TIME_MICROS;
      if (t.unit == TimeUnit::kMillis) {
        return Status::NotSupported("time(millis) is INT32 in Parquet; write micros");
      }
      break;
    }
    case TypeId::kTimestamp: {
      pq::TimestampType tt;
      tt.is_adjusted_to_utc = t.utc;
      tt.unit = ToParquetUnit(t.unit);
      e.logical_type = tt;
      // Converted types mean "adjusted to UTC"; a local (NTZ) timestamp has none.
      if (t.utc && t.unit == TimeUnit::kMicros) {
        e.converted_type = pq::ConvertedType::TIMESTAMP_MICROS;
      }
      if (t.utc && t.unit == TimeUnit::kMillis) {
        e.converted_type = pq::ConvertedType::TIMESTAMP_MILLIS;
      }
      break;
    }
    case TypeId::kDecimal: {
      pq::DecimalType dt;
      dt.precision = t.precision;
      dt.scale = t.scale;
      e.logical_type = dt;
      e.converted_type = pq::ConvertedType::DECIMAL;
      e.precision = t.precision;
      e.scale = t.scale;
      leaf.decimal_flba = leaf.physical == pq::Type::FIXED_LEN_BYTE_ARRAY;
      break;
    }
    case TypeId::kFloat16:
      e.logical_type = pq::Float16Type{};
      leaf.no_min_max = true;
      break;
    case TypeId::kBinary:
      if (t.string_kind == StringKind::kBson) {
        e.logical_type = pq::BsonType{};
        e.converted_type = pq::ConvertedType::BSON;
      } else if (t.string_kind == StringKind::kUuid && leaf.type_length == 16) {
        e.logical_type = pq::UUIDType{};
      }
      break;
    case TypeId::kString:
      switch (t.string_kind) {
        case StringKind::kJson:
          e.logical_type = pq::JsonType{};
          e.converted_type = pq::ConvertedType::JSON;
          break;
        case StringKind::kEnum:
          e.logical_type = pq::EnumType{};
          e.converted_type = pq::ConvertedType::ENUM;
          break;
        default:
          e.logical_type = pq::StringType{};
          e.converted_type = pq::ConvertedType::UTF8;
          break;
      }
      break;
    default:
      break;
  }
  elements->push_back(std::move(e));
  leaves->push_back(std::move(leaf));
  return Status::OK();
}

// ---- Shredding: levels and value positions of one leaf for a range of rows.

struct LeafScratch {
  PodVector<int16_t> def;
  PodVector<int16_t> rep;
  PodVector<uint32_t> idx;  // positions in the leaf ColumnVector of the non-null values
  bool has_def = false;
  bool has_rep = false;

  void Push(int16_t d, int16_t r, int64_t i) {
    if (has_def) def.push_back(d);
    if (has_rep) rep.push_back(r);
    if (i >= 0) idx.push_back(static_cast<uint32_t>(i));
  }
};

void Shred(const Field& field, const ColumnVector& col, int64_t i, const int* path, int16_t def,
           int16_t rep, int16_t rep_depth, LeafScratch* s) {
  if (field.nullable) {
    if (col.IsNull(i)) {
      s->Push(def, rep, -1);
      return;
    }
    ++def;
  }
  switch (field.type.id) {
    case TypeId::kStruct: {
      const int k = *path;
      Shred(field.type.children[k], col.children()[k], i, path + 1, def, rep, rep_depth, s);
      return;
    }
    case TypeId::kList:
    case TypeId::kMap: {
      const int k = *path;
      const uint32_t b = col.offsets()[i];
      const uint32_t e = col.offsets()[i + 1];
      if (b == e) {
        s->Push(def, rep, -1);
        return;
      }
      const int16_t depth = static_cast<int16_t>(rep_depth + 1);
      for (uint32_t j = b; j < e; ++j) {
        Shred(field.type.children[k], col.children()[k], j, path + 1, static_cast<int16_t>(def + 1),
              j == b ? rep : depth, depth, s);
      }
      return;
    }
    default:
      s->Push(def, rep, i);
  }
}

const ColumnVector* LeafVector(const ColumnBatch& batch, const LeafInfo& leaf) {
  const ColumnVector* v = &batch.columns[leaf.child_path[0]];
  for (size_t d = 1; d < leaf.child_path.size(); ++d) v = &v->children()[leaf.child_path[d]];
  return v;
}

// ---- Statistics of one column chunk, kept in typed form while values arrive.

int CompareSignedBigEndian(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
  const int8_t a0 = static_cast<int8_t>(a[0]);
  const int8_t b0 = static_cast<int8_t>(b[0]);
  if (a0 != b0) return a0 < b0 ? -1 : 1;
  const int c = a.substr(1).compare(b.substr(1));
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

struct ChunkStats {
  int64_t null_count = 0;
  bool has = false;
  int64_t imin = 0, imax = 0;
  uint64_t umin = 0, umax = 0;
  double dmin = 0, dmax = 0;
  std::string smin, smax;
};

// Encodes typed min/max as Parquet statistics bytes.
void EncodeStats(const LeafInfo& leaf, const ChunkStats& cs, std::string* min, std::string* max) {
  auto put = [](std::string* s, const void* p, size_t n) {
    s->assign(static_cast<const char*>(p), n);
  };
  switch (leaf.physical) {
    case pq::Type::BOOLEAN: {
      const uint8_t a = static_cast<uint8_t>(cs.imin), b = static_cast<uint8_t>(cs.imax);
      put(min, &a, 1);
      put(max, &b, 1);
      break;
    }
    case pq::Type::INT32: {
      int32_t a, b;
      if (leaf.unsigned_order) {
        a = static_cast<int32_t>(static_cast<uint32_t>(cs.umin));
        b = static_cast<int32_t>(static_cast<uint32_t>(cs.umax));
      } else {
        a = static_cast<int32_t>(cs.imin);
        b = static_cast<int32_t>(cs.imax);
      }
      put(min, &a, 4);
      put(max, &b, 4);
      break;
    }
    case pq::Type::INT64: {
      int64_t a = leaf.unsigned_order ? static_cast<int64_t>(cs.umin) : cs.imin;
      int64_t b = leaf.unsigned_order ? static_cast<int64_t>(cs.umax) : cs.imax;
      put(min, &a, 8);
      put(max, &b, 8);
      break;
    }
    case pq::Type::FLOAT: {
      float a = static_cast<float>(cs.dmin), b = static_cast<float>(cs.dmax);
      if (a == 0) a = -0.0f;  // the spec: a zero min is written as -0, a zero max as +0
      if (b == 0) b = 0.0f;
      put(min, &a, 4);
      put(max, &b, 4);
      break;
    }
    case pq::Type::DOUBLE: {
      double a = cs.dmin, b = cs.dmax;
      if (a == 0) a = -0.0;
      if (b == 0) b = 0.0;
      put(min, &a, 8);
      put(max, &b, 8);
      break;
    }
    default:
      *min = cs.smin;
      *max = cs.smax;
      break;
  }
}

// Compares two encoded statistics values of a leaf (for merging row groups).
int CompareEncoded(const LeafInfo& leaf, const std::string& a, const std::string& b) {
  auto cmp = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  switch (leaf.physical) {
    case pq::Type::BOOLEAN:
      return cmp(static_cast<uint8_t>(a[0]), static_cast<uint8_t>(b[0]));
    case pq::Type::INT32: {
      int32_t x, y;
      std::memcpy(&x, a.data(), 4);
      std::memcpy(&y, b.data(), 4);
      if (leaf.unsigned_order) return cmp(static_cast<uint32_t>(x), static_cast<uint32_t>(y));
      return cmp(x, y);
    }
    case pq::Type::INT64: {
      int64_t x, y;
      std::memcpy(&x, a.data(), 8);
      std::memcpy(&y, b.data(), 8);
      if (leaf.unsigned_order) return cmp(static_cast<uint64_t>(x), static_cast<uint64_t>(y));
      return cmp(x, y);
    }
    case pq::Type::FLOAT: {
      float x, y;
      std::memcpy(&x, a.data(), 4);
      std::memcpy(&y, b.data(), 4);
      return cmp(x, y);
    }
    case pq::Type::DOUBLE: {
      double x, y;
      std::memcpy(&x, a.data(), 8);
      std::memcpy(&y, b.data(), 8);
      return cmp(x, y);
    }
    default:
      if (leaf.decimal_flba) return CompareSignedBigEndian(a, b);
      return a.compare(b) < 0 ? -1 : (a.compare(b) > 0 ? 1 : 0);
  }
}

// ---- Physical values of one leaf for a range of rows.

struct PhysicalValues {
  Bytes fixed;                        // BOOLEAN (1 byte each), INT32, INT64, FLOAT, DOUBLE
  PodVector<std::string_view> views;  // BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY
  Bytes flba_storage;                 // big-endian decimals the views point into
  size_t count = 0;
};

template <typename From, typename To>
void GatherAs(const ColumnVector& v, const PodVector<uint32_t>& idx, Bytes* out) {
  out->resize(idx.size() * sizeof(To));
  To* dst = reinterpret_cast<To*>(out->data());
  const From* src = v.data<From>();
  for (size_t i = 0; i < idx.size(); ++i) dst[i] = static_cast<To>(src[idx[i]]);
}

Status Gather(const LeafInfo& leaf, const ColumnVector& v, const PodVector<uint32_t>& idx,
              PhysicalValues* out) {
  out->count = idx.size();
  out->fixed.clear();
  out->views.clear();
  out->flba_storage.clear();
  switch (leaf.type.id) {
    case TypeId::kBoolean:
    case TypeId::kUInt8:
      if (leaf.type.id == TypeId::kBoolean) {
        GatherAs<uint8_t, uint8_t>(v, idx, &out->fixed);
      } else {
        GatherAs<uint8_t, int32_t>(v, idx, &out->fixed);
      }
      return Status::OK();
    case TypeId::kInt8:
      GatherAs<int8_t, int32_t>(v, idx, &out->fixed);
      return Status::OK();
    case TypeId::kInt16:
      GatherAs<int16_t, int32_t>(v, idx, &out->fixed);
      return Status::OK();
    case TypeId::kUInt16:
      GatherAs<uint16_t, int32_t>(v, idx, &out->fixed);
      return Status::OK();
    case TypeId::kInt32:
    case TypeId::kUInt32:
    case TypeId::kDate:
    case TypeId::kFloat32:
      GatherAs<int32_t, int32_t>(v, idx, &out->fixed);
      return Status::OK();
    case TypeId::kInt64:
    case TypeId::kUInt64:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kFloat64:
      GatherAs<int64_t, int64_t>(v, idx, &out->fixed);
      return Status::OK();
    case TypeId::kDecimal:
      if (leaf.physical == pq::Type::INT32) {
        GatherAs<Int128, int32_t>(v, idx, &out->fixed);
      } else if (leaf.physical == pq::Type::INT64) {
        GatherAs<Int128, int64_t>(v, idx, &out->fixed);
      } else {
        const int w = leaf.type_length;
        out->flba_storage.resize(idx.size() * w);
        const Int128* src = v.data<Int128>();
        for (size_t i = 0; i < idx.size(); ++i) {
          UInt128 x = static_cast<UInt128>(src[idx[i]]);
          uint8_t* dst = out->flba_storage.data() + i * w;
          for (int b = w - 1; b >= 0; --b) {
            dst[b] = static_cast<uint8_t>(x);
            x >>= 8;
          }
        }
        out->views.resize(idx.size());
        for (size_t i = 0; i < idx.size(); ++i) {
          out->views[i] =
              std::string_view(reinterpret_cast<const char*>(out->flba_storage.data() + i * w), w);
        }
      }
      return Status::OK();
    case TypeId::kFloat16: {
      out->flba_storage.resize(idx.size() * 2);
      const float* src = v.data<float>();
      for (size_t i = 0; i < idx.size(); ++i) {
        const uint16_t h = FloatToHalf(src[idx[i]]);
        std::memcpy(out->flba_storage.data() + i * 2, &h, 2);  // little-endian bits
      }
      out->views.resize(idx.size());
      for (size_t i = 0; i < idx.size(); ++i) {
        out->views[i] =
            std::string_view(reinterpret_cast<const char*>(out->flba_storage.data() + i * 2), 2);
      }
      return Status::OK();
    }
    case TypeId::kString:
    case TypeId::kBinary:
      out->views.resize(idx.size());
      for (size_t i = 0; i < idx.size(); ++i) {
        out->views[i] = v.StringValue(idx[i]);
        if (leaf.type_length > 0 && out->views[i].size() != static_cast<size_t>(leaf.type_length)) {
          return Status::InvalidArgument("column {}: value of {} bytes in fixed_len {}",
                                         leaf.path.back(), out->views[i].size(), leaf.type_length);
        }
      }
      return Status::OK();
    default:
      return Status::NotSupported("deltagen cannot write {}", leaf.type.ToString());
  }
}

// ---- One column chunk: pages are encoded and compressed as values arrive.

class ChunkWriter {
 public:
  ChunkWriter(const LeafInfo& leaf, const ParquetWriterOptions& options)
      : leaf_(leaf),
        options_(options),
        fixed_width_(leaf.physical == pq::Type::INT32 || leaf.physical == pq::Type::FLOAT ? 4
                     : leaf.physical == pq::Type::BOOLEAN                                 ? 1
                                                                                          : 8),
        fixed_dict_(leaf.physical == pq::Type::INT32 || leaf.physical == pq::Type::FLOAT ? 4 : 8) {
    StartChunk();
  }

  Status Add(const LeafScratch& s, const PhysicalValues& values);
  // Writes the chunk (dictionary page first) to `file` and returns its metadata.
  Result<pq::ColumnChunk> FinishChunk(Bytes* file, LeafStats* file_stats);

 private:
  bool is_binary() const {
    return leaf_.physical == pq::Type::BYTE_ARRAY ||
           leaf_.physical == pq::Type::FIXED_LEN_BYTE_ARRAY;
  }
  void StartChunk();
  void AddValues(const PhysicalValues& v, size_t first, size_t n);
  void UpdateStats(const PhysicalValues& v, size_t first, size_t n);
  size_t EstimatedPageBytes() const;
  Status FlushPage();
  Status AppendPage(const pq::PageHeader& header, const Bytes& body);
  Status CompressPage(const uint8_t* data, size_t size, Bytes* out) const {
    const bool raw = options_.lz4_raw_blocks && options_.codec == pq::CompressionCodec::LZ4;
    return Compress(raw ? pq::CompressionCodec::LZ4_RAW : options_.codec, data, size, out);
  }

  const LeafInfo& leaf_;
  const ParquetWriterOptions& options_;
  const int fixed_width_;

  // Current page.
  PodVector<int16_t> def_, rep_;
  Bytes plain_;
  PodVector<uint32_t> indices_;
  int64_t page_levels_ = 0, page_values_ = 0, page_rows_ = 0;

  // Current chunk.
  bool dict_mode_ = false;
  bool dict_pages_ = false;
  FixedDictionary fixed_dict_;
  BinaryDictionary binary_dict_;
  Bytes pages_;
  int64_t num_values_ = 0, uncompressed_ = 0, compressed_ = 0;
  std::set<pq::Encoding> encodings_;
  int32_t plain_pages_ = 0, dict_data_pages_ = 0, delta_pages_ = 0;
  ChunkStats stats_;

  // Scratch.
  Bytes body_, levels_, compressed_buf_;
};

void ChunkWriter::StartChunk() {
  dict_mode_ = options_.dictionary && leaf_.physical != pq::Type::BOOLEAN;
  dict_pages_ = false;
  fixed_dict_.Reset();
  binary_dict_.Reset();
  pages_.clear();
  num_values_ = uncompressed_ = compressed_ = 0;
  encodings_.clear();
  plain_pages_ = dict_data_pages_ = delta_pages_ = 0;
  stats_ = ChunkStats{};
}

void ChunkWriter::UpdateStats(const PhysicalValues& v, size_t first, size_t n) {
  if (n == 0 || !options_.statistics || leaf_.no_min_max) return;
  ChunkStats& s = stats_;
  switch (leaf_.physical) {
    case pq::Type::BOOLEAN:
    case pq::Type::INT32:
    case pq::Type::INT64: {
      for (size_t i = first; i < first + n; ++i) {
        int64_t x;
        if (leaf_.physical == pq::Type::BOOLEAN) {
          x = v.fixed[i];
        } else if (leaf_.physical == pq::Type::INT32) {
          int32_t y;
          std::memcpy(&y, v.fixed.data() + i * 4, 4);
          x = leaf_.unsigned_order ? static_cast<int64_t>(static_cast<uint32_t>(y)) : y;
        } else {
          std::memcpy(&x, v.fixed.data() + i * 8, 8);
        }
        if (leaf_.unsigned_order) {
          const uint64_t u = static_cast<uint64_t>(x);
          if (!s.has || u < s.umin) s.umin = u;
          if (!s.has || u > s.umax) s.umax = u;
        } else {
          if (!s.has || x < s.imin) s.imin = x;
          if (!s.has || x > s.imax) s.imax = x;
        }
        s.has = true;
      }
      return;
    }
    case pq::Type::FLOAT:
    case pq::Type::DOUBLE: {
      for (size_t i = first; i < first + n; ++i) {
        double x;
        if (leaf_.physical == pq::Type::FLOAT) {
          float f;
          std::memcpy(&f, v.fixed.data() + i * 4, 4);
          x = f;
        } else {
          std::memcpy(&x, v.fixed.data() + i * 8, 8);
        }
        if (std::isnan(x)) continue;
        if (!s.has || x < s.dmin) s.dmin = x;
        if (!s.has || x > s.dmax) s.dmax = x;
        s.has = true;
      }
      return;
    }
    default: {
      size_t i = first;
      if (!s.has) {
        s.smin.assign(v.views[i]);
        s.smax.assign(v.views[i]);
        s.has = true;
        ++i;
      }
      for (; i < first + n; ++i) {
        const std::string_view x = v.views[i];
        if (leaf_.decimal_flba) {
          if (CompareSignedBigEndian(x, s.smin) < 0) s.smin.assign(x);
          if (CompareSignedBigEndian(x, s.smax) > 0) s.smax.assign(x);
        } else {
          if (x < std::string_view(s.smin)) s.smin.assign(x);
          if (x > std::string_view(s.smax)) s.smax.assign(x);
        }
      }
      return;
    }
  }
}

void ChunkWriter::AddValues(const PhysicalValues& v, size_t first, size_t n) {
  UpdateStats(v, first, n);
  if (dict_mode_) {
    const size_t old = indices_.size();
    indices_.resize(old + n);
    uint32_t* dst = indices_.data() + old;
    if (is_binary()) {
      for (size_t i = 0; i < n; ++i) dst[i] = binary_dict_.GetOrInsert(v.views[first + i]);
    } else {
      const uint8_t* src = v.fixed.data() + first * fixed_width_;
      for (size_t i = 0; i < n; ++i) {
        uint64_t bits = 0;
        std::memcpy(&bits, src + i * fixed_width_, fixed_width_);
        dst[i] = fixed_dict_.GetOrInsert(bits);
      }
    }
    return;
  }
  if (leaf_.physical == pq::Type::BYTE_ARRAY) {
    for (size_t i = 0; i < n; ++i) {
      const std::string_view s = v.views[first + i];
      AppendLE<uint32_t>(&plain_, static_cast<uint32_t>(s.size()));
      AppendBytes(&plain_, s.data(), s.size());
    }
  } else if (leaf_.physical == pq::Type::FIXED_LEN_BYTE_ARRAY) {
    for (size_t i = 0; i < n; ++i) {
      AppendBytes(&plain_, v.views[first + i].data(), v.views[first + i].size());
    }
  } else {
    AppendBytes(&plain_, v.fixed.data() + first * fixed_width_, n * fixed_width_);
  }
}

size_t ChunkWriter::EstimatedPageBytes() const {
  size_t bytes = (def_.size() + rep_.size()) / 4;
  if (dict_mode_) {
    const size_t dict_size = is_binary() ? binary_dict_.size() : fixed_dict_.size();
    bytes += indices_.size() * static_cast<size_t>(std::max(1, BitWidth(dict_size))) / 8;
  } else if (leaf_.physical == pq::Type::BOOLEAN) {
    bytes += plain_.size() / 8;
  } else {
    bytes += plain_.size();
  }
  return bytes;
}

Status ChunkWriter::Add(const LeafScratch& s, const PhysicalValues& values) {
  const size_t n_levels = s.has_def ? s.def.size() : values.count;
  size_t level = 0;
  size_t value = 0;
  constexpr size_t kStep = 4096;
  while (level < n_levels) {
    size_t end = std::min(n_levels, level + kStep);
    // Pages end at record boundaries (repetition level 0).
    if (s.has_rep) {
      while (end < n_levels && s.rep[end] != 0) ++end;
    }
    size_t n_values = end - level;
    if (s.has_def) {
      n_values = 0;
      for (size_t i = level; i < end; ++i) n_values += s.def[i] == leaf_.max_def;
      def_.insert(def_.end(), s.def.begin() + level, s.def.begin() + end);
      stats_.null_count += static_cast<int64_t>((end - level) - n_values);
    }
    if (s.has_rep) {
      rep_.insert(rep_.end(), s.rep.begin() + level, s.rep.begin() + end);
      for (size_t i = level; i < end; ++i) page_rows_ += s.rep[i] == 0;
    } else {
      page_rows_ += static_cast<int64_t>(end - level);
    }
    AddValues(values, value, n_values);
    page_levels_ += static_cast<int64_t>(end - level);
    page_values_ += static_cast<int64_t>(n_values);
    value += n_values;
    level = end;
    if (dict_mode_) {
      const size_t dict_bytes = is_binary() ? binary_dict_.plain_size() : fixed_dict_.plain_size();
      if (static_cast<int64_t>(dict_bytes) > options_.dictionary_page_limit) {
        LAKESYNC_RETURN_NOT_OK(FlushPage());
        dict_mode_ = false;  // the rest of this chunk is PLAIN
        continue;
      }
    }
    if (static_cast<int64_t>(EstimatedPageBytes()) >= options_.page_size) {
      LAKESYNC_RETURN_NOT_OK(FlushPage());
    }
  }
  return Status::OK();
}

Status ChunkWriter::AppendPage(const pq::PageHeader& header, const Bytes& body) {
  const std::string h = pq::SerializePageHeader(header);
  AppendBytes(&pages_, h.data(), h.size());
  AppendBytes(&pages_, body.data(), body.size());
  uncompressed_ += static_cast<int64_t>(h.size()) + header.uncompressed_page_size;
  compressed_ += static_cast<int64_t>(h.size()) + header.compressed_page_size;
  return Status::OK();
}

Status ChunkWriter::FlushPage() {
  if (page_levels_ == 0) return Status::OK();
  // Values.
  body_.clear();
  pq::Encoding encoding = pq::Encoding::PLAIN;
  if (dict_mode_ && page_values_ > 0) {
    const size_t dict_size = is_binary() ? binary_dict_.size() : fixed_dict_.size();
    const int width = BitWidth(dict_size > 0 ? dict_size - 1 : 0);
    body_.push_back(static_cast<uint8_t>(width));
    EncodeRleHybrid(indices_.data(), indices_.size(), width, &body_);
    encoding = pq::Encoding::RLE_DICTIONARY;
    dict_pages_ = true;
    ++dict_data_pages_;
  } else if (options_.delta_byte_array && is_binary()) {
    // The page's values were gathered PLAIN; re-read them as views to encode.
    PodVector<std::string_view> views;
    views.reserve(static_cast<size_t>(page_values_));
    const char* p = reinterpret_cast<const char*>(plain_.data());
    const char* end = p + plain_.size();
    while (p < end) {
      size_t len = static_cast<size_t>(leaf_.type_length);
      if (leaf_.physical == pq::Type::BYTE_ARRAY) {
        uint32_t n;
        std::memcpy(&n, p, 4);
        p += 4;
        len = n;
      }
      views.push_back(std::string_view(p, len));
      p += len;
    }
    EncodeDeltaByteArray(views.data(), views.size(), &body_);
    encoding = pq::Encoding::DELTA_BYTE_ARRAY;
    ++delta_pages_;
  } else {
    if (leaf_.physical == pq::Type::BOOLEAN) {
      EncodePlainBooleans(plain_.data(), plain_.size(), &body_);
    } else {
      AppendBytes(&body_, plain_.data(), plain_.size());
    }
    ++plain_pages_;
  }
  encodings_.insert(encoding);
  // Levels.
  levels_.clear();
  const int rep_width = BitWidth(leaf_.max_rep);
  const int def_width = BitWidth(leaf_.max_def);
  size_t rep_bytes = 0, def_bytes = 0;
  pq::PageHeader header;
  if (!options_.data_page_v2) {
    if (leaf_.max_rep > 0) EncodeRleHybridWithLength(rep_.data(), rep_.size(), rep_width, &levels_);
    if (leaf_.max_def > 0) EncodeRleHybridWithLength(def_.data(), def_.size(), def_width, &levels_);
    if (leaf_.max_rep > 0 || leaf_.max_def > 0) encodings_.insert(pq::Encoding::RLE);
    // v1: levels and values are compressed together.
    levels_.insert(levels_.end(), body_.begin(), body_.end());
    compressed_buf_.clear();
    LAKESYNC_RETURN_NOT_OK(CompressPage(levels_.data(), levels_.size(), &compressed_buf_));
    header.type = pq::PageType::DATA_PAGE;
    header.uncompressed_page_size = static_cast<int32_t>(levels_.size());
    header.compressed_page_size = static_cast<int32_t>(compressed_buf_.size());
    pq::DataPageHeader dph;
    dph.num_values = static_cast<int32_t>(page_levels_);
    dph.encoding = encoding;
    dph.definition_level_encoding = pq::Encoding::RLE;
    dph.repetition_level_encoding = pq::Encoding::RLE;
    header.data_page_header = dph;
  } else {
    if (leaf_.max_rep > 0) {
      EncodeRleHybrid(rep_.data(), rep_.size(), rep_width, &levels_);
      rep_bytes = levels_.size();
    }
    if (leaf_.max_def > 0) {
      EncodeRleHybrid(def_.data(), def_.size(), def_width, &levels_);
      def_bytes = levels_.size() - rep_bytes;
    }
    if (leaf_.max_rep > 0 || leaf_.max_def > 0) encodings_.insert(pq::Encoding::RLE);
    compressed_buf_.clear();
    AppendBytes(&compressed_buf_, levels_.data(), levels_.size());
    const bool compress = options_.codec != pq::CompressionCodec::UNCOMPRESSED;
    LAKESYNC_RETURN_NOT_OK(CompressPage(body_.data(), body_.size(), &compressed_buf_));
    header.type = pq::PageType::DATA_PAGE_V2;
    header.uncompressed_page_size = static_cast<int32_t>(levels_.size() + body_.size());
    header.compressed_page_size = static_cast<int32_t>(compressed_buf_.size());
    pq::DataPageHeaderV2 v2;
    v2.num_values = static_cast<int32_t>(page_levels_);
    v2.num_nulls = static_cast<int32_t>(page_levels_ - page_values_);
    v2.num_rows = static_cast<int32_t>(page_rows_);
    v2.encoding = encoding;
    v2.definition_levels_byte_length = static_cast<int32_t>(def_bytes);
    v2.repetition_levels_byte_length = static_cast<int32_t>(rep_bytes);
    v2.is_compressed = compress;
    header.data_page_header_v2 = v2;
  }
  LAKESYNC_RETURN_NOT_OK(AppendPage(header, compressed_buf_));
  num_values_ += page_levels_;
  def_.clear();
  rep_.clear();
  plain_.clear();
  indices_.clear();
  page_levels_ = page_values_ = page_rows_ = 0;
  return Status::OK();
}

Result<pq::ColumnChunk> ChunkWriter::FinishChunk(Bytes* file, LeafStats* file_stats) {
  LAKESYNC_RETURN_NOT_OK(FlushPage());
  pq::ColumnMetaData md;
  md.type = leaf_.physical;
  md.path_in_schema = leaf_.path;
  md.codec = options_.codec;
  md.num_values = num_values_;
  const int64_t chunk_start = static_cast<int64_t>(file->size());
  int64_t dict_total_uncompressed = 0, dict_total_compressed = 0;
  if (dict_pages_) {
    body_.clear();
    if (is_binary()) {
      if (leaf_.physical == pq::Type::FIXED_LEN_BYTE_ARRAY) {
        binary_dict_.EncodePlainFixed(&body_);
      } else {
        binary_dict_.EncodePlain(&body_);
      }
    } else {
      fixed_dict_.EncodePlain(&body_);
    }
    compressed_buf_.clear();
    LAKESYNC_RETURN_NOT_OK(CompressPage(body_.data(), body_.size(), &compressed_buf_));
    pq::PageHeader header;
    header.type = pq::PageType::DICTIONARY_PAGE;
    header.uncompressed_page_size = static_cast<int32_t>(body_.size());
    header.compressed_page_size = static_cast<int32_t>(compressed_buf_.size());
    pq::DictionaryPageHeader dh;
    dh.num_values = static_cast<int32_t>(is_binary() ? binary_dict_.size() : fixed_dict_.size());
    dh.encoding = pq::Encoding::PLAIN;
    header.dictionary_page_header = dh;
    const std::string h = pq::SerializePageHeader(header);
    AppendBytes(file, h.data(), h.size());
    AppendBytes(file, compressed_buf_.data(), compressed_buf_.size());
    dict_total_uncompressed = static_cast<int64_t>(h.size() + body_.size());
    dict_total_compressed = static_cast<int64_t>(h.size() + compressed_buf_.size());
    md.dictionary_page_offset = chunk_start;
    encodings_.insert(pq::Encoding::PLAIN);
    md.encoding_stats.push_back({pq::PageType::DICTIONARY_PAGE, pq::Encoding::PLAIN, 1});
  }
  md.data_page_offset = static_cast<int64_t>(file->size());
  AppendBytes(file, pages_.data(), pages_.size());
  md.total_uncompressed_size = uncompressed_ + dict_total_uncompressed;
  md.total_compressed_size = compressed_ + dict_total_compressed;
  md.encodings.assign(encodings_.begin(), encodings_.end());
  const pq::PageType data_type =
      options_.data_page_v2 ? pq::PageType::DATA_PAGE_V2 : pq::PageType::DATA_PAGE;
  if (plain_pages_ > 0) md.encoding_stats.push_back({data_type, pq::Encoding::PLAIN, plain_pages_});
  if (dict_data_pages_ > 0) {
    md.encoding_stats.push_back({data_type, pq::Encoding::RLE_DICTIONARY, dict_data_pages_});
  }
  if (delta_pages_ > 0) {
    md.encoding_stats.push_back({data_type, pq::Encoding::DELTA_BYTE_ARRAY, delta_pages_});
  }
  if (options_.statistics) {
    pq::Statistics st;
    st.null_count = stats_.null_count;
    file_stats->null_count += stats_.null_count;
    if (stats_.has) {
      std::string mn, mx;
      EncodeStats(leaf_, stats_, &mn, &mx);
      if (!file_stats->has_min_max) {
        file_stats->min = mn;
        file_stats->max = mx;
        file_stats->has_min_max = true;
      } else {
        if (CompareEncoded(leaf_, mn, file_stats->min) < 0) file_stats->min = mn;
        if (CompareEncoded(leaf_, mx, file_stats->max) > 0) file_stats->max = mx;
      }
      st.min_value = std::move(mn);
      st.max_value = std::move(mx);
    }
    md.statistics = std::move(st);
  }
  pq::ColumnChunk cc;
  cc.file_offset = chunk_start;
  cc.meta_data = std::move(md);
  StartChunk();
  return cc;
}

}  // namespace

// ---- ParquetWriter

struct ParquetWriter::Impl {
  ParquetWriterOptions options;
  std::vector<Field> normalized;
  std::vector<pq::SchemaElement> elements;
  std::vector<LeafInfo> leaves;
  std::vector<std::unique_ptr<ChunkWriter>> chunks;
  std::vector<LeafStats> file_stats;
  std::vector<pq::RowGroup> row_groups;
  Bytes file;
  int64_t rg_rows = 0;
  int64_t total_rows = 0;
  bool finished = false;
  LeafScratch scratch;
  PhysicalValues values;

  Status WriteSlice(const ColumnBatch& batch, int64_t begin, int64_t end);
  Status FinishRowGroup();
};

ParquetWriter::ParquetWriter(std::vector<Field> schema, std::unique_ptr<Impl> impl)
    : schema_(std::move(schema)), impl_(std::move(impl)) {}
ParquetWriter::~ParquetWriter() = default;

Result<std::unique_ptr<ParquetWriter>> ParquetWriter::Make(std::vector<Field> schema,
                                                           ParquetWriterOptions options) {
  if (schema.empty()) return Status::InvalidArgument("a Parquet schema needs a column");
  if (options.row_group_rows <= 0 || options.page_size <= 0) {
    return Status::InvalidArgument("row_group_rows and page_size must be positive");
  }
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->normalized = schema;
  pq::SchemaElement root;
  root.name = "spark_schema";
  root.num_children = static_cast<int32_t>(schema.size());
  impl->elements.push_back(root);
  for (size_t i = 0; i < impl->normalized.size(); ++i) {
    Field& f = impl->normalized[i];
    NormalizeField(&f);
    LeafInfo prefix;
    prefix.child_path.push_back(static_cast<int>(i));
    LAKESYNC_RETURN_NOT_OK(AddSchemaField(
        f, &impl->elements, &impl->leaves, std::move(prefix), 0, 0,
        f.nullable ? pq::FieldRepetitionType::OPTIONAL : pq::FieldRepetitionType::REQUIRED));
  }
  for (const LeafInfo& leaf : impl->leaves) {
    impl->chunks.push_back(std::make_unique<ChunkWriter>(leaf, impl->options));
    LeafStats st;
    st.path = leaf.path;
    st.field_path = leaf.field_path;
    st.type = leaf.type;
    st.in_repeated = leaf.in_repeated;
    impl->file_stats.push_back(std::move(st));
  }
  AppendBytes(&impl->file, "PAR1", 4);
  return std::unique_ptr<ParquetWriter>(new ParquetWriter(std::move(schema), std::move(impl)));
}

Status ParquetWriter::Write(const ColumnBatch& batch) {
  Impl& m = *impl_;
  if (m.finished) return Status::Internal("ParquetWriter::Write after Finish");
  if (batch.columns.size() != schema_.size()) {
    return Status::InvalidArgument("batch has {} columns, the file schema {}", batch.columns.size(),
                                   schema_.size());
  }
  for (size_t i = 0; i < schema_.size(); ++i) {
    const ColumnVector& c = batch.columns[i];
    if (c.type().id != schema_[i].type.id) {
      return Status::InvalidArgument("column {} is {}, the schema says {}", schema_[i].name,
                                     c.type().ToString(), schema_[i].type.ToString());
    }
    if (c.length() < batch.num_rows) {
      return Status::InvalidArgument("column {} has {} rows, the batch {}", schema_[i].name,
                                     c.length(), batch.num_rows);
    }
  }
  const int64_t n = batch.num_selected();
  int64_t pos = 0;
  while (pos < n) {
    const int64_t take = std::min(n - pos, m.options.row_group_rows - m.rg_rows);
    LAKESYNC_RETURN_NOT_OK(m.WriteSlice(batch, pos, pos + take));
    m.rg_rows += take;
    m.total_rows += take;
    pos += take;
    if (m.rg_rows == m.options.row_group_rows) LAKESYNC_RETURN_NOT_OK(m.FinishRowGroup());
  }
  return Status::OK();
}

Status ParquetWriter::Impl::WriteSlice(const ColumnBatch& batch, int64_t begin, int64_t end) {
  const std::vector<uint32_t>* sel = batch.selection ? &*batch.selection : nullptr;
  for (size_t l = 0; l < leaves.size(); ++l) {
    const LeafInfo& leaf = leaves[l];
    LeafScratch& s = scratch;
    s.def.clear();
    s.rep.clear();
    s.idx.clear();
    s.has_def = leaf.max_def > 0;
    s.has_rep = leaf.max_rep > 0;
    const int top = leaf.child_path[0];
    const Field& field = normalized[top];
    const ColumnVector& col = batch.columns[top];
    if (leaf.child_path.size() == 1) {
      // Flat column: the definition level is the validity byte.
      const int64_t n = end - begin;
      s.idx.reserve(n);
      if (s.has_def) s.def.resize(n);
      const bool nulls = field.nullable && col.has_nulls();
      for (int64_t r = 0; r < n; ++r) {
        const uint32_t row = sel ? (*sel)[begin + r] : static_cast<uint32_t>(begin + r);
        if (nulls && col.validity()[row] == 0) {
          s.def[r] = 0;
        } else {
          if (s.has_def) s.def[r] = 1;
          s.idx.push_back(row);
        }
      }
    } else {
      for (int64_t r = begin; r < end; ++r) {
        const uint32_t row = sel ? (*sel)[r] : static_cast<uint32_t>(r);
        Shred(field, col, row, leaf.child_path.data() + 1, 0, 0, 0, &s);
      }
    }
    LAKESYNC_RETURN_NOT_OK(Gather(leaf, *LeafVector(batch, leaf), s.idx, &values));
    LAKESYNC_RETURN_NOT_OK(chunks[l]->Add(s, values));
  }
  return Status::OK();
}

Status ParquetWriter::Impl::FinishRowGroup() {
  if (rg_rows == 0) return Status::OK();
  pq::RowGroup rg;
  rg.num_rows = rg_rows;
  rg.file_offset = static_cast<int64_t>(file.size());
  int64_t total_uncompressed = 0, total_compressed = 0;
  for (size_t l = 0; l < leaves.size(); ++l) {
    LAKESYNC_ASSIGN_OR_RETURN(pq::ColumnChunk cc, chunks[l]->FinishChunk(&file, &file_stats[l]));
    total_uncompressed += cc.meta_data->total_uncompressed_size;
    total_compressed += cc.meta_data->total_compressed_size;
    rg.columns.push_back(std::move(cc));
  }
  rg.total_byte_size = total_uncompressed;
  rg.total_compressed_size = total_compressed;
  rg.ordinal = static_cast<int16_t>(row_groups.size());
  row_groups.push_back(std::move(rg));
  rg_rows = 0;
  return Status::OK();
}

Result<ParquetFile> ParquetWriter::Finish() {
  Impl& m = *impl_;
  if (m.finished) return Status::Internal("ParquetWriter::Finish called twice");
  m.finished = true;
  LAKESYNC_RETURN_NOT_OK(m.FinishRowGroup());
  pq::FileMetaData md;
  md.version = 1;
  md.schema = m.elements;
  md.num_rows = m.total_rows;
  md.row_groups = std::move(m.row_groups);
  md.key_value_metadata = m.options.key_value_metadata;
  md.created_by = m.options.created_by;
  md.column_orders.assign(m.leaves.size(), pq::ColumnOrder{});
  const std::string footer = pq::SerializeFileMetaData(md);
  AppendBytes(&m.file, footer.data(), footer.size());
  AppendLE<uint32_t>(&m.file, static_cast<uint32_t>(footer.size()));
  AppendBytes(&m.file, "PAR1", 4);
  ParquetFile out;
  out.summary.num_rows = m.total_rows;
  out.summary.num_row_groups = static_cast<int64_t>(md.row_groups.size());
  out.summary.file_size = static_cast<int64_t>(m.file.size());
  out.summary.leaves = std::move(m.file_stats);
  out.data = std::move(m.file);
  return out;
}

Result<ParquetFileSummary> WriteParquetFile(storage::FileSystem& fs, const std::string& path,
                                            const std::vector<Field>& schema,
                                            const std::vector<const ColumnBatch*>& batches,
                                            const ParquetWriterOptions& options) {
  LAKESYNC_ASSIGN_OR_RETURN(auto writer, ParquetWriter::Make(schema, options));
  for (const ColumnBatch* b : batches) LAKESYNC_RETURN_NOT_OK(writer->Write(*b));
  LAKESYNC_ASSIGN_OR_RETURN(ParquetFile file, writer->Finish());
  LAKESYNC_RETURN_NOT_OK(fs.WriteFile(
      path, std::string_view(reinterpret_cast<const char*>(file.data.data()), file.data.size())));
  return std::move(file.summary);
}

}  // namespace lakesync::deltagen
