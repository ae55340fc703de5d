#include "lakesync/parquet/statistics_filter.h"

#include <cmath>
#include <cstring>
#include <optional>

#include "lakesync/common/macros.h"
#include "lakesync/parquet/encoding.h"

namespace lakesync::parquet {

namespace {

// How a leaf's statistics compare; kNone: their order is undefined (no skipping on min/max).
enum class Domain : uint8_t { kNone, kInt, kFloat, kBytes, kBool };

// One bound or literal in its domain's representation.
struct Key {
  Int128 i = 0;
  double d = 0;
  std::string bytes;
};

bool IsUnsigned(const DataType& t) {
  return t.id == TypeId::kUInt8 || t.id == TypeId::kUInt16 || t.id == TypeId::kUInt32 ||
         t.id == TypeId::kUInt64;
}

Domain DomainOf(const LeafColumn& leaf, const SchemaElement& element) {
  if (leaf.physical_type == Type::INT96) return Domain::kNone;  // no defined order
  if (element.converted_type == ConvertedType::INTERVAL) return Domain::kNone;
  if (element.logical_type &&
      (element.logical_type->Is<VariantType>() || element.logical_type->Is<GeometryType>() ||
       element.logical_type->Is<GeographyType>() ||
       element.logical_type->Is<UnknownLogicalType>())) {
    return Domain::kNone;
  }
  switch (leaf.type.id) {
    case TypeId::kBoolean:
      return Domain::kBool;
    case TypeId::kFloat16:
    case TypeId::kFloat32:
    case TypeId::kFloat64:
      return Domain::kFloat;
    case TypeId::kString:
    case TypeId::kBinary:
      return Domain::kBytes;
    case TypeId::kDecimal:
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kUInt8:
    case TypeId::kUInt16:
    case TypeId::kUInt32:
    case TypeId::kUInt64:
    case TypeId::kDate:
    case TypeId::kTime:
    case TypeId::kTimestamp:
      return Domain::kInt;
    default:
      return Domain::kNone;
  }
}

// A statistics value (PLAIN bytes of the physical type) as a Key; nullopt when malformed.
std::optional<Key> DecodeStat(const LeafColumn& leaf, Domain domain, const std::string& s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  Key k;
  switch (leaf.physical_type) {
    case Type::BOOLEAN:
      if (s.size() != 1) return std::nullopt;
      k.i = p[0] != 0;
      return k;
    case Type::INT32: {
      if (s.size() != 4) return std::nullopt;
      uint32_t u;
      std::memcpy(&u, p, 4);
      k.i = IsUnsigned(leaf.type) ? Int128{u} : Int128{static_cast<int32_t>(u)};
      return k;
    }
    case Type::INT64: {
      if (s.size() != 8) return std::nullopt;
      uint64_t u;
      std::memcpy(&u, p, 8);
      k.i = IsUnsigned(leaf.type) ? Int128{u} : Int128{static_cast<int64_t>(u)};
      return k;
    }
    case Type::FLOAT: {
      if (s.size() != 4) return std::nullopt;
      float f;
      std::memcpy(&f, p, 4);
      k.d = f;
      return k;
    }
    case Type::DOUBLE:
      if (s.size() != 8) return std::nullopt;
      std::memcpy(&k.d, p, 8);
      return k;
    case Type::BYTE_ARRAY:
    case Type::FIXED_LEN_BYTE_ARRAY:
      if (domain == Domain::kInt) {  // a decimal: big-endian two's complement
        if (s.empty() || !DecimalFromBigEndian(p, s.size(), &k.i)) return std::nullopt;
        return k;
      }
      if (domain == Domain::kFloat) {  // FLOAT16: little-endian half
        if (s.size() != 2) return std::nullopt;
        uint16_t h;
        std::memcpy(&h, p, 2);
        k.d = HalfToFloat(h);
        return k;
      }
      k.bytes = s;
      return k;
    default:
      return std::nullopt;
  }
}

int Compare(Domain domain, const Key& a, const Key& b) {
  switch (domain) {
    case Domain::kFloat:
      return a.d < b.d ? -1 : (b.d < a.d ? 1 : 0);
    case Domain::kBytes: {
      // std::string compares chars as unsigned bytes (char_traits<char>), the order
      // Parquet's byte arrays sort in.
      const int c = a.bytes.compare(b.bytes);
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    default:
      return a.i < b.i ? -1 : (b.i < a.i ? 1 : 0);
  }
}

Result<Key> LiteralKey(const LeafColumn& leaf, Domain domain, const Literal& l) {
  Key k;
  switch (domain) {
    case Domain::kInt:
      if (l.kind != Literal::Kind::kInt) break;
      k.i = l.i;
      return k;
    case Domain::kBool:
      if (l.kind != Literal::Kind::kBool) break;
      k.i = l.b;
      return k;
    case Domain::kFloat:
      if (l.kind == Literal::Kind::kDouble) {
        k.d = l.d;
      } else if (l.kind == Literal::Kind::kInt) {
        k.d = static_cast<double>(l.i);
      } else {
        break;
      }
      return k;
    case Domain::kBytes:
      if (l.kind != Literal::Kind::kBytes) break;
      k.bytes = l.bytes;
      return k;
    case Domain::kNone:
      return k;  // never compared
  }
  return Status::InvalidArgument("column {} ({}) cannot be compared with this literal",
                                 leaf.dotted_path, leaf.type.ToString());
}

// Min and max usable under the format's sort-order rules, or nullopt.
std::optional<std::pair<Key, Key>> Bounds(const FileMetaData& md, const LeafColumn& leaf,
                                          Domain domain, const Statistics& st) {
  if (domain == Domain::kNone) return std::nullopt;
  const bool have_orders = !md.column_orders.empty();
  if (have_orders && (leaf.index >= static_cast<int>(md.column_orders.size()) ||
                      !md.column_orders[leaf.index].type_defined_order)) {
    return std::nullopt;  // an order this reader does not know
  }
  const std::string* min = nullptr;
  const std::string* max = nullptr;
  if (have_orders && st.min_value && st.max_value) {
    min = &*st.min_value;
    max = &*st.max_value;
  } else {
    // Deprecated min/max, or min_value/max_value without column orders: written with signed
    // comparisons, which only numeric signed columns share (byte arrays, unsigned integers and
    // decimals in bytes sort differently).
    const bool signed_numeric =
        !IsUnsigned(leaf.type) &&
        (leaf.physical_type == Type::BOOLEAN || leaf.physical_type == Type::INT32 ||
         leaf.physical_type == Type::INT64 || leaf.physical_type == Type::FLOAT ||
         leaf.physical_type == Type::DOUBLE);
    if (!signed_numeric) return std::nullopt;
    if (st.min_value && st.max_value) {
      min = &*st.min_value;
      max = &*st.max_value;
    } else if (st.min && st.max) {
      min = &*st.min;
      max = &*st.max;
    } else {
      return std::nullopt;
    }
  }
  auto lo = DecodeStat(leaf, domain, *min);
  auto hi = DecodeStat(leaf, domain, *max);
  if (!lo || !hi) return std::nullopt;
  // NaN bounds say nothing (the format's compatibility rules for floating point statistics).
  if (domain == Domain::kFloat && (std::isnan(lo->d) || std::isnan(hi->d))) return std::nullopt;
  if (Compare(domain, *lo, *hi) > 0) return std::nullopt;  // inconsistent: trust nothing
  return std::make_pair(std::move(*lo), std::move(*hi));
}

}  // namespace

Result<bool> RowGroupMayMatch(const FileMetaData& metadata, const ParquetSchema& schema,
                              int row_group, const ColumnPredicate& p) {
  if (row_group < 0 || row_group >= static_cast<int>(metadata.row_groups.size())) {
    return Status::InvalidArgument("row group {} out of range [0, {})", row_group,
                                   metadata.row_groups.size());
  }
  const LeafColumn* leaf = nullptr;
  for (const LeafColumn& l : schema.leaves) {
    if (l.dotted_path == p.column) {
      leaf = &l;
      break;
    }
  }
  if (!leaf) return Status::NotFound("no column '{}' to filter on", p.column);
  if (leaf->max_rep > 0) {
    return Status::InvalidArgument("column {} is inside a list or map: no statistics filter",
                                   p.column);
  }
  using Op = ColumnPredicate::Op;
  const bool null_test = p.op == Op::kIsNull || p.op == Op::kIsNotNull;
  if (null_test ? !p.values.empty() : (p.op != Op::kIn && p.values.size() != 1)) {
    return Status::InvalidArgument("predicate on {} has {} literals", p.column, p.values.size());
  }
  const RowGroup& rg = metadata.row_groups[row_group];
  if (leaf->element < 0 || leaf->element >= static_cast<int>(metadata.schema.size()) ||
      leaf->index >= static_cast<int>(rg.columns.size())) {
    return Status::InvalidArgument("the schema of column {} does not match the metadata", p.column);
  }
  const Domain domain = DomainOf(*leaf, metadata.schema[leaf->element]);
  std::vector<Key> keys;
  for (const Literal& l : p.values) {
    LAKESYNC_ASSIGN_OR_RETURN(Key k, LiteralKey(*leaf, domain, l));
    keys.push_back(std::move(k));
  }

  const ColumnChunk& chunk = rg.columns[leaf->index];
  if (!chunk.meta_data || !chunk.meta_data->statistics) return true;
  const Statistics& st = *chunk.meta_data->statistics;
  const std::optional<int64_t> nulls = st.null_count;
  if (p.op == Op::kIsNull) return !(nulls && *nulls == 0);
  const bool all_null = nulls && *nulls >= rg.num_rows;
  if (p.op == Op::kIsNotNull) return !all_null;
  if (all_null) return false;  // a null matches no comparison
  if (p.op == Op::kIn && keys.empty()) return false;

  auto bounds = Bounds(metadata, *leaf, domain, st);
  if (!bounds) return true;
  const Key& lo = bounds->first;
  const Key& hi = bounds->second;
  for (const Key& k : keys) {
    // NaN sorts above every number and is left out of min/max: a NaN literal, or a search
    // for values above a bound, cannot be settled by the statistics.
    if (domain == Domain::kFloat && std::isnan(k.d)) return true;
  }
  const bool floats = domain == Domain::kFloat;
  switch (p.op) {
    case Op::kEq:
      return Compare(domain, lo, keys[0]) <= 0 && Compare(domain, keys[0], hi) <= 0;
    case Op::kIn:
      for (const Key& k : keys) {
        if (Compare(domain, lo, k) <= 0 && Compare(domain, k, hi) <= 0) return true;
      }
      return false;
    case Op::kLt:
      return Compare(domain, lo, keys[0]) < 0;
    case Op::kLe:
      return Compare(domain, lo, keys[0]) <= 0;
    case Op::kGt:
      return floats || Compare(domain, hi, keys[0]) > 0;
    case Op::kGe:
      return floats || Compare(domain, hi, keys[0]) >= 0;
    default:
      return true;
  }
}

}  // namespace lakesync::parquet
