#include "lakesync/parquet/metadata_codec.h"

#include <fmt/format.h>

#include "lakesync/common/macros.h"
#include "lakesync/parquet/thrift_compact.h"

// Like LAKESYNC_RETURN_NOT_OK, but with a fresh variable name per use, so it nests inside the
// field callbacks (lambdas) without -Wshadow errors.
#define PQ_RETURN_NOT_OK_IMPL(name, expr)                 \
  do {                                                    \
    ::lakesync::Status name = ::lakesync::ToStatus(expr); \
    if (!name.ok()) return name;                          \
  } while (false)
#define PQ_RETURN_NOT_OK(expr) PQ_RETURN_NOT_OK_IMPL(LAKESYNC_CONCAT(_pq_st_, __COUNTER__), expr)

namespace lakesync::parquet {

using thrift::CompactReader;
using thrift::CompactWriter;
using thrift::WireType;

namespace {

// ---------------------------------------------------------------------------------------------
// Reading helpers

Status TypeMismatch(int16_t id, WireType got, const char* what) {
  return Status::Corruption("thrift: field {} of {} has wrong wire type {}", id, what,
                            static_cast<int>(got));
}

/// Reads a struct, calling `on_field(id, type)` for every field; the callback must consume the
/// field's value (or Skip it). `*seen` collects the ids below 64 that were present.
template <typename F>
Status ReadStruct(CompactReader& r, uint64_t* seen, F&& on_field) {
  PQ_RETURN_NOT_OK(r.BeginStruct());
  while (true) {
    WireType t = WireType::kStop;
    int16_t id{};
    PQ_RETURN_NOT_OK(r.ReadFieldBegin(&t, &id));
    if (t == WireType::kStop) break;
    if (id >= 0 && id < 64) *seen |= uint64_t{1} << id;
    PQ_RETURN_NOT_OK(on_field(id, t));
  }
  r.EndStruct();
  return Status::OK();
}

Status CheckRequired(uint64_t seen, std::initializer_list<int> ids, const char* what) {
  for (int id : ids) {
    if ((seen & (uint64_t{1} << id)) == 0) {
      return Status::Corruption("thrift: {} lacks required field {}", what, id);
    }
  }
  return Status::OK();
}

Status GetI32(CompactReader& r, WireType t, int16_t id, const char* what, int32_t* out) {
  if (t != WireType::kI32) return TypeMismatch(id, t, what);
  return r.ReadI32(out);
}
Status GetI64(CompactReader& r, WireType t, int16_t id, const char* what, int64_t* out) {
  // Some writers widen; accept any integer wire type.
  if (t == WireType::kI64) return r.ReadI64(out);
  if (t == WireType::kI32) {
    int32_t v{};
    PQ_RETURN_NOT_OK(r.ReadI32(&v));
    *out = v;
    return Status::OK();
  }
  return TypeMismatch(id, t, what);
}
template <typename T>
Status GetOptI32(CompactReader& r, WireType t, int16_t id, const char* what,
                 std::optional<T>* out) {
  int32_t v{};
  PQ_RETURN_NOT_OK(GetI32(r, t, id, what, &v));
  *out = static_cast<T>(v);
  return Status::OK();
}
Status GetOptI64(CompactReader& r, WireType t, int16_t id, const char* what,
                 std::optional<int64_t>* out) {
  int64_t v{};
  PQ_RETURN_NOT_OK(GetI64(r, t, id, what, &v));
  *out = v;
  return Status::OK();
}
template <typename E>
Status GetEnum(CompactReader& r, WireType t, int16_t id, const char* what, E* out) {
  int32_t v{};
  PQ_RETURN_NOT_OK(GetI32(r, t, id, what, &v));
  *out = static_cast<E>(v);
  return Status::OK();
}
Status GetString(CompactReader& r, WireType t, int16_t id, const char* what, std::string* out) {
  if (t != WireType::kBinary) return TypeMismatch(id, t, what);
  return r.ReadString(out);
}
Status GetOptString(CompactReader& r, WireType t, int16_t id, const char* what,
                    std::optional<std::string>* out) {
  std::string v;
  PQ_RETURN_NOT_OK(GetString(r, t, id, what, &v));
  *out = std::move(v);
  return Status::OK();
}
Status GetBool(CompactReader& r, WireType t, int16_t id, const char* what, bool* out) {
  if (t != WireType::kBoolTrue && t != WireType::kBoolFalse) return TypeMismatch(id, t, what);
  return r.ReadBool(t, out);
}
Status GetOptBool(CompactReader& r, WireType t, int16_t id, const char* what,
                  std::optional<bool>* out) {
  bool v{};
  PQ_RETURN_NOT_OK(GetBool(r, t, id, what, &v));
  *out = v;
  return Status::OK();
}

/// Reads a list whose elements `read_elem(elem_type)` consumes one at a time.
template <typename F>
Status GetList(CompactReader& r, WireType t, int16_t id, const char* what, F&& read_elem) {
  if (t != WireType::kList && t != WireType::kSet) return TypeMismatch(id, t, what);
  WireType et = WireType::kStop;
  int32_t n{};
  PQ_RETURN_NOT_OK(r.ReadListBegin(&et, &n));
  for (int32_t i = 0; i < n; ++i) PQ_RETURN_NOT_OK(read_elem(et));
  return Status::OK();
}

Status ExpectStruct(WireType t, int16_t id, const char* what) {
  if (t != WireType::kStruct) return TypeMismatch(id, t, what);
  return Status::OK();
}

// ---------------------------------------------------------------------------------------------
// Struct readers

Status ReadEmpty(CompactReader& r) { return r.Skip(WireType::kStruct); }

/// Reads an optional struct field with `read(r, &value)` and sets `*out` only when that succeeds.
template <typename T, typename ReadFn>
Status GetOptStruct(CompactReader& r, WireType t, int16_t id, const char* what, ReadFn&& read,
                    std::optional<T>* out) {
  PQ_RETURN_NOT_OK(ExpectStruct(t, id, what));
  T value;
  PQ_RETURN_NOT_OK(read(r, &value));
  *out = std::move(value);
  return Status::OK();
}

Status ReadStatistics(CompactReader& r, Statistics* s) {
  uint64_t seen = 0;
  const char* w = "Statistics";
  return ReadStruct(r, &seen, [&](int16_t id, WireType t) -> Status {
    switch (id) {
      case 1:
        return GetOptString(r, t, id, w, &s->max);
      case 2:
        return GetOptString(r, t, id, w, &s->min);
      case 3:
        return GetOptI64(r, t, id, w, &s->null_count);
      case 4:
        return GetOptI64(r, t, id, w, &s->distinct_count);
      case 5:
        return GetOptString(r, t, id, w, &s->max_value);
      case 6:
        return GetOptString(r, t, id, w, &s->min_value);
      case 7:
        return GetOptBool(r, t, id, w, &s->is_max_value_exact);
      case 8:
        return GetOptBool(r, t, id, w, &s->is_min_value_exact);
      default:
        return r.Skip(t);
    }
  });
}

Status ReadTimeUnit(CompactReader& r, TimeUnit* u) {
  uint64_t seen = 0;
  bool found = false;
  PQ_RETURN_NOT_OK(ReadStruct(r, &seen, [&](int16_t id, WireType t) -> Status {
    if (id >= 1 && id <= 3 && t == WireType::kStruct) {
      u->kind = static_cast<TimeUnitKind>(id);
      found = true;
    }
    return r.Skip(t);
  }));
  if (!found) return Status::Corruption("thrift: TimeUnit has no known member");
  return Status::OK();
}

template <typename T>
Status ReadTimeLike(CompactReader& r, T* out, const char* w) {
  uint64_t seen = 0;
  PQ_RETURN_NOT_OK(ReadStruct(r, &seen, [&](int16_t id, WireType t) -> Status {
    switch (id) {
      case 1:
        return GetBool(r, t, id, w, &out->is_adjusted_to_utc);
      case 2:
        PQ_RETURN_NOT_OK(ExpectStruct(t, id, w));
        return ReadTimeUnit(r, &out->unit);
      default:
        return r.Skip(t);
    }
  }));
  return CheckRequired(seen, {1, 2}, w);
}

Status ReadLogicalType(CompactReader& r, LogicalType* lt) {
  uint64_t seen = 0;
  bool found = false;
  PQ_RETURN_NOT_OK(ReadStruct(r, &seen, [&](int16_t id, WireType t) -> Status {
    if (t != WireType::kStruct || found) return r.Skip(t);
    found = true;
    switch (id) {
      case 1:
        lt->value = StringType{};
        return ReadEmpty(r);
      case 2:
        lt->value = MapType{};
        return ReadEmpty(r);
      case 3:
        lt->value = ListType{};
        return ReadEmpty(r);
      case 4:
        lt->value = EnumType{};
        return ReadEmpty(r);
      case 5: {
        DecimalType d;
        uint64_t s = 0;
        const char* w = "DecimalType";
        PQ_RETURN_NOT_OK(ReadStruct(r, &s, [&](int16_t fid, WireType ft) -> Status {
          if (fid == 1) return GetI32(r, ft, fid, w, &d.scale);
          if (fid == 2) return GetI32(r, ft, fid, w, &d.precision);
          return r.Skip(ft);
        }));
        PQ_RETURN_NOT_OK(CheckRequired(s, {1, 2}, w));
        lt->value = d;
        return Status::OK();
      }
      case 6:
        lt->value = DateType{};
        return ReadEmpty(r);
      case 7: {
        TimeType tt;
        PQ_RETURN_NOT_OK(ReadTimeLike(r, &tt, "TimeType"));
        lt->value = tt;
        return Status::OK();
      }
      case 8: {
        TimestampType tt;
        PQ_RETURN_NOT_OK(ReadTimeLike(r, &tt, "TimestampType"));
        lt->value = tt;
        return Status::OK();
      }
      case 10: {
        IntType it;
        uint64_t s = 0;
        const char* w = "IntType";
        PQ_RETURN_NOT_OK(ReadStruct(r, &s, [&](int16_t fid, WireType ft) -> Status {
          if (fid == 1) {
            if (ft != WireType::kByte) return TypeMismatch(fid, ft, w);
            return r.ReadByte(&it.bit_width);
          }
          if (fid == 2) return GetBool(r, ft, fid, w, &it.is_signed);
          return r.Skip(ft);
        }));
        PQ_RETURN_NOT_OK(CheckRequired(s, {1, 2}, w));
        lt->value = it;
        return Status::OK();
      }
      case 11:
        lt->value = NullType{};
        return ReadEmpty(r);
      case 12:
        lt->value = JsonType{};
        return ReadEmpty(r);
      case 13:
        lt->value = BsonType{};
        return ReadEmpty(r);
      case 14:
        lt->value = UUIDType{};
        return ReadEmpty(r);
      case 15:
        lt->value = Float16Type{};
        return ReadEmpty(r);
      case 16: {
        VariantType v;
        uint64_t s = 0;
        PQ_RETURN_NOT_OK(ReadStruct(r, &s, [&](int16_t fid, WireType ft) -> Status {
          if (fid == 1 && ft == WireType::kByte) {
            int8_t b{};
            PQ_RETURN_NOT_OK(r.ReadByte(&b));
            v.specification_version = b;
            return Status::OK();
          }
          return r.Skip(ft);
        }));
        lt->value = v;
        return Status::OK();
      }
      case 17: {
        GeometryType g;
        uint64_t s = 0;
        PQ_RETURN_NOT_OK(ReadStruct(r, &s, [&](int16_t fid, WireType ft) -> Status {
          if (fid == 1) return GetOptString(r, ft, fid, "GeometryType", &g.crs);
          return r.Skip(ft);
        }));
        lt->value = g;
        return Status::OK();
      }
      case 18: {
        GeographyType g;
        uint64_t s = 0;
        PQ_RETURN_NOT_OK(ReadStruct(r, &s, [&](int16_t fid, WireType ft) -> Status {
          if (fid == 1) return GetOptString(r, ft, fid, "GeographyType", &g.crs);
          if (fid == 2) return GetOptI32(r, ft, fid, "GeographyType", &g.algorithm);
          return r.Skip(ft);
        }));
        lt->value = g;
        return Status::OK();
      }
      default:
        lt->value = UnknownLogicalType{id};
        return r.Skip(t);
    }
  }));
  if (!found) lt->value = UnknownLogicalType{0};
  return Status::OK();
}

Status ReadSchemaElement(CompactReader& r, SchemaElement* e) {
  uint64_t seen = 0;
  const char* w = "SchemaElement";
  PQ_RETURN_NOT_OK(ReadStruct(r, &seen, [&](int16_t id, WireType t) -> Status {
    switch (id) {
      case 1: {
        Type v{};
        PQ_RETURN_NOT_OK(GetEnum(r, t, id, w, &v));
        e->type = v;
        return Status::OK();
      }
      case 2:
        return GetOptI32(r, t, id, w, &e->type_length);
      case 3: {
        FieldRepetitionType v{};
        PQ_RETURN_NOT_OK(GetEnum(r, t, id, w, &v));
        e->repetition_type = v;
        return Status::OK();
      }
      case 4:
        return GetString(r, t, id, w, &e->name);
      case 5:
        return GetOptI32(r, t, id, w, &e->num_children);
      case 6: {
        ConvertedType v{};
        PQ_RETURN_NOT_OK(GetEnum(r, t, id, w, &v));
        e->converted_type = v;
        return Status::OK();
      }
      case 7:
        return GetOptI32(r, t, id, w, &e->scale);
      case 8:
        return GetOptI32(r, t, id, w, &e->precision);
      case 9:
        return GetOptI32(r, t, id, w, &e->field_id);
      case 10: {
        PQ_RETURN_NOT_OK(ExpectStruct(t, id, w));
        LogicalType lt;
        PQ_RETURN_NOT_OK(ReadLogicalType(r, &lt));
        e->logical_type = std::move(lt);
        return Status::OK();
      }
      default:
        return r.Skip(t);
    }
  }));
  return CheckRequired(seen, {4}, w);
}

Status ReadKeyValue(CompactReader& r, KeyValue* kv) {
  uint64_t seen = 0;
  const char* w = "KeyValue";
  PQ_RETURN_NOT_OK(ReadStruct(r, &seen, [&](int16_t id, WireType t) -> Status {
    if (id == 1) return GetString(r, t, id, w, &kv->key);
    if (id == 2) return GetOptString(r, t, id, w, &kv->value);
    return r.Skip(t);
  }));
  return CheckRequired(seen, {1}, w);
}

Status GetKeyValueList(CompactReader& r, WireType t, int16_t id, const char* w,
                       std::vector<KeyValue>* out) {
  return GetList(r, t, id, w, [&](WireType et) -> Status {
    PQ_RETURN_NOT_OK(ExpectStruct(et, id, w));
    out->emplace_back();
    return ReadKeyValue(r, &out->back());
  });
}

Status ReadPageEncodingStats(CompactReader& r, PageEncodingStats* s) {
  uint64_t seen = 0;
  const char* w = "PageEncodingStats";
  PQ_RETURN_NOT_OK(ReadStruct(r, &seen, [&](int16_t id, WireType t) -> Status {
    if (id == 1) return GetEnum(r, t, id, w, &s->page_type);
    if (id == 2) return GetEnum(r, t, id, w, &s->encoding);
    if (id == 3) return GetI32(r, t, id, w, &s->count);
    return r.Skip(t);
  }));
  return CheckRequired(seen, {1, 2, 3}, w);
}

Status ReadColumnMetaData(CompactReader& r, ColumnMetaData* m) {
  uint64_t seen = 0;
  const char* w = "ColumnMetaData";
  PQ_RETURN_NOT_OK(ReadStruct(r, &seen, [&](int16_t id, WireType t) -> Status {
    switch (id) {
      case 1:
        return GetEnum(r, t, id, w, &m->type);
      case 2:
        return GetList(r, t, id, w, [&](WireType et) -> Status {
          Encoding e{};
          PQ_RETURN_NOT_OK(GetEnum(r, et, id, w, &e));
          m->encodings.push_back(e);
          return Status::OK();
        });
      case 3:
        return GetList(r, t, id, w, [&](WireType et) -> Status {
          m->path_in_schema.emplace_back();
          return GetString(r, et, id, w, &m->path_in_schema.back());
        });
      case 4:
        return GetEnum(r, t, id, w, &m->codec);
      case 5:
        return GetI64(r, t, id, w, &m->num_values);
      case 6:
        return GetI64(r, t, id, w, &m->total_uncompressed_size);
      case 7:
        return GetI64(r, t, id, w, &m->total_compressed_size);
      case 8:
        return GetKeyValueList(r, t, id, w, &m->key_value_metadata);
      case 9:
        return GetI64(r, t, id, w, &m->data_page_offset);
      case 10:
        return GetOptI64(r, t, id, w, &m->index_page_offset);
      case 11:
        return GetOptI64(r, t, id, w, &m->dictionary_page_offset);
      case 12:
        return GetOptStruct(r, t, id, w, ReadStatistics, &m->statistics);
      case 13:
        return GetList(r, t, id, w, [&](WireType et) -> Status {
          PQ_RETURN_NOT_OK(ExpectStruct(et, id, w));
          m->encoding_stats.emplace_back();
          return ReadPageEncodingStats(r, &m->encoding_stats.back());
        });
      case 14:
        return GetOptI64(r, t, id, w, &m->bloom_filter_offset);
      case 15:
        return GetOptI32(r, t, id, w, &m->bloom_filter_length);
      default:
        return r.Skip(t);
    }
  }));
  return CheckRequired(seen, {1, 3, 4, 5, 9}, w);
}

Status ReadColumnChunk(CompactReader& r, ColumnChunk* c) {
  uint64_t seen = 0;
  const char* w = "ColumnChunk";
  PQ_RETURN_NOT_OK(ReadStruct(r, &seen, [&](int16_t id, WireType t) -> Status {
    switch (id) {
      case 1:
        return GetOptString(r, t, id, w, &c->file_path);
      case 2:
        return GetI64(r, t, id, w, &c->file_offset);
      case 3:
        return GetOptStruct(r, t, id, w, ReadColumnMetaData, &c->meta_data);
      case 4:
        return GetOptI64(r, t, id, w, &c->offset_index_offset);
      case 5:
        return GetOptI32(r, t, id, w, &c->offset_index_length);
      case 6:
        return GetOptI64(r, t, id, w, &c->column_index_offset);
      case 7:
        return GetOptI32(r, t, id, w, &c->column_index_length);
      case 8:
      case 9:
        c->encrypted = true;
        return r.Skip(t);
      default:
        return r.Skip(t);
    }
  }));
  return Status::OK();  // file_offset is required but some writers omit it; it is unused
}

Status ReadRowGroup(CompactReader& r, RowGroup* g) {
  uint64_t seen = 0;
  const char* w = "RowGroup";
  PQ_RETURN_NOT_OK(ReadStruct(r, &seen, [&](int16_t id, WireType t) -> Status {
    switch (id) {
      case 1:
        return GetList(r, t, id, w, [&](WireType et) -> Status {
          PQ_RETURN_NOT_OK(ExpectStruct(et, id, w));
          g->columns.emplace_back();
          return ReadColumnChunk(r, &g->columns.back());
        });
      case 2:
        return GetI64(r, t, id, w, &g->total_byte_size);
      case 3:
        return GetI64(r, t, id, w, &g->num_rows);
      case 4:
        return GetList(r, t, id, w, [&](WireType et) -> Status {
          PQ_RETURN_NOT_OK(ExpectStruct(et, id, w));
          SortingColumn sc;
          uint64_t s = 0;
          PQ_RETURN_NOT_OK(ReadStruct(r, &s, [&](int16_t fid, WireType ft) -> Status {
            if (fid == 1) return GetI32(r, ft, fid, "SortingColumn", &sc.column_idx);
            if (fid == 2) return GetBool(r, ft, fid, "SortingColumn", &sc.descending);
            if (fid == 3) return GetBool(r, ft, fid, "SortingColumn", &sc.nulls_first);
            return r.Skip(ft);
          }));
          g->sorting_columns.push_back(sc);
          return Status::OK();
        });
      case 5:
        return GetOptI64(r, t, id, w, &g->file_offset);
      case 6:
        return GetOptI64(r, t, id, w, &g->total_compressed_size);
      case 7: {
        if (t != WireType::kI16 && t != WireType::kI32) return TypeMismatch(id, t, w);
        int16_t v{};
        PQ_RETURN_NOT_OK(r.ReadI16(&v));
        g->ordinal = v;
        return Status::OK();
      }
      default:
        return r.Skip(t);
    }
  }));
  return CheckRequired(seen, {1, 3}, w);
}

Status ReadFileMetaData(CompactReader& r, FileMetaData* f) {
  uint64_t seen = 0;
  const char* w = "FileMetaData";
  PQ_RETURN_NOT_OK(ReadStruct(r, &seen, [&](int16_t id, WireType t) -> Status {
    switch (id) {
      case 1:
        return GetI32(r, t, id, w, &f->version);
      case 2:
        return GetList(r, t, id, w, [&](WireType et) -> Status {
          PQ_RETURN_NOT_OK(ExpectStruct(et, id, w));
          f->schema.emplace_back();
          return ReadSchemaElement(r, &f->schema.back());
        });
      case 3:
        return GetI64(r, t, id, w, &f->num_rows);
      case 4:
        return GetList(r, t, id, w, [&](WireType et) -> Status {
          PQ_RETURN_NOT_OK(ExpectStruct(et, id, w));
          f->row_groups.emplace_back();
          return ReadRowGroup(r, &f->row_groups.back());
        });
      case 5:
        return GetKeyValueList(r, t, id, w, &f->key_value_metadata);
      case 6:
        return GetOptString(r, t, id, w, &f->created_by);
      case 7:
        return GetList(r, t, id, w, [&](WireType et) -> Status {
          PQ_RETURN_NOT_OK(ExpectStruct(et, id, w));
          ColumnOrder co;
          co.type_defined_order = false;
          uint64_t s = 0;
          PQ_RETURN_NOT_OK(ReadStruct(r, &s, [&](int16_t fid, WireType ft) -> Status {
            if (fid == 1 && ft == WireType::kStruct) co.type_defined_order = true;
            return r.Skip(ft);
          }));
          f->column_orders.push_back(co);
          return Status::OK();
        });
      case 8:
        f->encrypted = true;
        return r.Skip(t);
      default:
        return r.Skip(t);
    }
  }));
  return CheckRequired(seen, {2, 3, 4}, w);
}

Status ReadDataPageHeader(CompactReader& r, DataPageHeader* d) {
  uint64_t seen = 0;
  const char* w = "DataPageHeader";
  PQ_RETURN_NOT_OK(ReadStruct(r, &seen, [&](int16_t id, WireType t) -> Status {
    switch (id) {
      case 1:
        return GetI32(r, t, id, w, &d->num_values);
      case 2:
        return GetEnum(r, t, id, w, &d->encoding);
      case 3:
        return GetEnum(r, t, id, w, &d->definition_level_encoding);
      case 4:
        return GetEnum(r, t, id, w, &d->repetition_level_encoding);
      case 5:
        return GetOptStruct(r, t, id, w, ReadStatistics, &d->statistics);
      default:
        return r.Skip(t);
    }
  }));
  return CheckRequired(seen, {1, 2}, w);
}

Status ReadDictionaryPageHeader(CompactReader& r, DictionaryPageHeader* d) {
  uint64_t seen = 0;
  const char* w = "DictionaryPageHeader";
  PQ_RETURN_NOT_OK(ReadStruct(r, &seen, [&](int16_t id, WireType t) -> Status {
    if (id == 1) return GetI32(r, t, id, w, &d->num_values);
    if (id == 2) return GetEnum(r, t, id, w, &d->encoding);
    if (id == 3) return GetOptBool(r, t, id, w, &d->is_sorted);
    return r.Skip(t);
  }));
  return CheckRequired(seen, {1}, w);
}

Status ReadDataPageHeaderV2(CompactReader& r, DataPageHeaderV2* d) {
  uint64_t seen = 0;
  const char* w = "DataPageHeaderV2";
  PQ_RETURN_NOT_OK(ReadStruct(r, &seen, [&](int16_t id, WireType t) -> Status {
    switch (id) {
      case 1:
        return GetI32(r, t, id, w, &d->num_values);
      case 2:
        return GetI32(r, t, id, w, &d->num_nulls);
      case 3:
        return GetI32(r, t, id, w, &d->num_rows);
      case 4:
        return GetEnum(r, t, id, w, &d->encoding);
      case 5:
        return GetI32(r, t, id, w, &d->definition_levels_byte_length);
      case 6:
        return GetI32(r, t, id, w, &d->repetition_levels_byte_length);
      case 7:
        return GetOptBool(r, t, id, w, &d->is_compressed);
      case 8:
        return GetOptStruct(r, t, id, w, ReadStatistics, &d->statistics);
      default:
        return r.Skip(t);
    }
  }));
  return CheckRequired(seen, {1, 2, 3, 4, 5, 6}, w);
}

Status ReadPageHeaderStruct(CompactReader& r, PageHeader* h) {
  uint64_t seen = 0;
  const char* w = "PageHeader";
  PQ_RETURN_NOT_OK(ReadStruct(r, &seen, [&](int16_t id, WireType t) -> Status {
    switch (id) {
      case 1:
        return GetEnum(r, t, id, w, &h->type);
      case 2:
        return GetI32(r, t, id, w, &h->uncompressed_page_size);
      case 3:
        return GetI32(r, t, id, w, &h->compressed_page_size);
      case 4:
        return GetOptI32(r, t, id, w, &h->crc);
      case 5:
        return GetOptStruct(r, t, id, w, ReadDataPageHeader, &h->data_page_header);
      case 6:
        h->has_index_page_header = true;
        return r.Skip(t);
      case 7:
        return GetOptStruct(r, t, id, w, ReadDictionaryPageHeader, &h->dictionary_page_header);
      case 8:
        return GetOptStruct(r, t, id, w, ReadDataPageHeaderV2, &h->data_page_header_v2);
      default:
        return r.Skip(t);
    }
  }));
  return CheckRequired(seen, {1, 2, 3}, w);
}

// ---------------------------------------------------------------------------------------------
// Writers

void WriteStatistics(CompactWriter& w, const Statistics& s) {
  w.BeginStruct();
  if (s.max) w.WriteBinaryField(1, *s.max);
  if (s.min) w.WriteBinaryField(2, *s.min);
  if (s.null_count) w.WriteI64Field(3, *s.null_count);
  if (s.distinct_count) w.WriteI64Field(4, *s.distinct_count);
  if (s.max_value) w.WriteBinaryField(5, *s.max_value);
  if (s.min_value) w.WriteBinaryField(6, *s.min_value);
  if (s.is_max_value_exact) w.WriteBoolField(7, *s.is_max_value_exact);
  if (s.is_min_value_exact) w.WriteBoolField(8, *s.is_min_value_exact);
  w.EndStruct();
}

void WriteEmptyField(CompactWriter& w, int16_t id) {
  w.WriteFieldBegin(WireType::kStruct, id);
  w.BeginStruct();
  w.EndStruct();
}

void WriteTimeUnit(CompactWriter& w, int16_t id, const TimeUnit& u) {
  w.WriteFieldBegin(WireType::kStruct, id);
  w.BeginStruct();
  WriteEmptyField(w, static_cast<int16_t>(u.kind));
  w.EndStruct();
}

void WriteLogicalType(CompactWriter& w, const LogicalType& lt) {
  w.BeginStruct();
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, StringType>) {
          WriteEmptyField(w, 1);
        } else if constexpr (std::is_same_v<T, MapType>) {
          WriteEmptyField(w, 2);
        } else if constexpr (std::is_same_v<T, ListType>) {
          WriteEmptyField(w, 3);
        } else if constexpr (std::is_same_v<T, EnumType>) {
          WriteEmptyField(w, 4);
        } else if constexpr (std::is_same_v<T, DecimalType>) {
          w.WriteFieldBegin(WireType::kStruct, 5);
          w.BeginStruct();
          w.WriteI32Field(1, v.scale);
          w.WriteI32Field(2, v.precision);
          w.EndStruct();
        } else if constexpr (std::is_same_v<T, DateType>) {
          WriteEmptyField(w, 6);
        } else if constexpr (std::is_same_v<T, TimeType> || std::is_same_v<T, TimestampType>) {
          w.WriteFieldBegin(WireType::kStruct, std::is_same_v<T, TimeType> ? 7 : 8);
          w.BeginStruct();
          w.WriteBoolField(1, v.is_adjusted_to_utc);
          WriteTimeUnit(w, 2, v.unit);
          w.EndStruct();
        } else if constexpr (std::is_same_v<T, IntType>) {
          w.WriteFieldBegin(WireType::kStruct, 10);
          w.BeginStruct();
          w.WriteFieldBegin(WireType::kByte, 1);
          w.WriteByte(v.bit_width);
          w.WriteBoolField(2, v.is_signed);
          w.EndStruct();
        } else if constexpr (std::is_same_v<T, NullType>) {
          WriteEmptyField(w, 11);
        } else if constexpr (std::is_same_v<T, JsonType>) {
          WriteEmptyField(w, 12);
        } else if constexpr (std::is_same_v<T, BsonType>) {
          WriteEmptyField(w, 13);
        } else if constexpr (std::is_same_v<T, UUIDType>) {
          WriteEmptyField(w, 14);
        } else if constexpr (std::is_same_v<T, Float16Type>) {
          WriteEmptyField(w, 15);
        } else if constexpr (std::is_same_v<T, VariantType>) {
          w.WriteFieldBegin(WireType::kStruct, 16);
          w.BeginStruct();
          if (v.specification_version) {
            w.WriteFieldBegin(WireType::kByte, 1);
            w.WriteByte(*v.specification_version);
          }
          w.EndStruct();
        } else if constexpr (std::is_same_v<T, GeometryType>) {
          w.WriteFieldBegin(WireType::kStruct, 17);
          w.BeginStruct();
          if (v.crs) w.WriteBinaryField(1, *v.crs);
          w.EndStruct();
        } else if constexpr (std::is_same_v<T, GeographyType>) {
          w.WriteFieldBegin(WireType::kStruct, 18);
          w.BeginStruct();
          if (v.crs) w.WriteBinaryField(1, *v.crs);
          if (v.algorithm) w.WriteI32Field(2, *v.algorithm);
          w.EndStruct();
        } else {
          static_assert(std::is_same_v<T, UnknownLogicalType>);
          if (v.field_id > 0) WriteEmptyField(w, v.field_id);
        }
      },
      lt.value);
  w.EndStruct();
}

void WriteKeyValues(CompactWriter& w, int16_t id, const std::vector<KeyValue>& kvs) {
  w.WriteFieldBegin(WireType::kList, id);
  w.WriteListBegin(WireType::kStruct, static_cast<int32_t>(kvs.size()));
  for (const KeyValue& kv : kvs) {
    w.BeginStruct();
    w.WriteBinaryField(1, kv.key);
    if (kv.value) w.WriteBinaryField(2, *kv.value);
    w.EndStruct();
  }
}

void WriteSchemaElement(CompactWriter& w, const SchemaElement& e) {
  w.BeginStruct();
  if (e.type) w.WriteI32Field(1, static_cast<int32_t>(*e.type));
  if (e.type_length) w.WriteI32Field(2, *e.type_length);
  if (e.repetition_type) w.WriteI32Field(3, static_cast<int32_t>(*e.repetition_type));
  w.WriteBinaryField(4, e.name);
  if (e.num_children) w.WriteI32Field(5, *e.num_children);
  if (e.converted_type) w.WriteI32Field(6, static_cast<int32_t>(*e.converted_type));
  if (e.scale) w.WriteI32Field(7, *e.scale);
  if (e.precision) w.WriteI32Field(8, *e.precision);
  if (e.field_id) w.WriteI32Field(9, *e.field_id);
  if (e.logical_type) {
    w.WriteFieldBegin(WireType::kStruct, 10);
    WriteLogicalType(w, *e.logical_type);
  }
  w.EndStruct();
}

void WriteColumnMetaData(CompactWriter& w, const ColumnMetaData& m) {
  w.BeginStruct();
  w.WriteI32Field(1, static_cast<int32_t>(m.type));
  w.WriteFieldBegin(WireType::kList, 2);
  w.WriteListBegin(WireType::kI32, static_cast<int32_t>(m.encodings.size()));
  for (Encoding e : m.encodings) w.WriteI32(static_cast<int32_t>(e));
  w.WriteFieldBegin(WireType::kList, 3);
  w.WriteListBegin(WireType::kBinary, static_cast<int32_t>(m.path_in_schema.size()));
  for (const std::string& p : m.path_in_schema) w.WriteBinary(p);
  w.WriteI32Field(4, static_cast<int32_t>(m.codec));
  w.WriteI64Field(5, m.num_values);
  w.WriteI64Field(6, m.total_uncompressed_size);
  w.WriteI64Field(7, m.total_compressed_size);
  if (!m.key_value_metadata.empty()) WriteKeyValues(w, 8, m.key_value_metadata);
  w.WriteI64Field(9, m.data_page_offset);
  if (m.index_page_offset) w.WriteI64Field(10, *m.index_page_offset);
  if (m.dictionary_page_offset) w.WriteI64Field(11, *m.dictionary_page_offset);
  if (m.statistics) {
    w.WriteFieldBegin(WireType::kStruct, 12);
    WriteStatistics(w, *m.statistics);
  }
  if (!m.encoding_stats.empty()) {
    w.WriteFieldBegin(WireType::kList, 13);
    w.WriteListBegin(WireType::kStruct, static_cast<int32_t>(m.encoding_stats.size()));
    for (const PageEncodingStats& s : m.encoding_stats) {
      w.BeginStruct();
      w.WriteI32Field(1, static_cast<int32_t>(s.page_type));
      w.WriteI32Field(2, static_cast<int32_t>(s.encoding));
      w.WriteI32Field(3, s.count);
      w.EndStruct();
    }
  }
  if (m.bloom_filter_offset) w.WriteI64Field(14, *m.bloom_filter_offset);
  if (m.bloom_filter_length) w.WriteI32Field(15, *m.bloom_filter_length);
  w.EndStruct();
}

void WriteColumnChunk(CompactWriter& w, const ColumnChunk& c) {
  w.BeginStruct();
  if (c.file_path) w.WriteBinaryField(1, *c.file_path);
  w.WriteI64Field(2, c.file_offset);
  if (c.meta_data) {
    w.WriteFieldBegin(WireType::kStruct, 3);
    WriteColumnMetaData(w, *c.meta_data);
  }
  if (c.offset_index_offset) w.WriteI64Field(4, *c.offset_index_offset);
  if (c.offset_index_length) w.WriteI32Field(5, *c.offset_index_length);
  if (c.column_index_offset) w.WriteI64Field(6, *c.column_index_offset);
  if (c.column_index_length) w.WriteI32Field(7, *c.column_index_length);
  w.EndStruct();
}

void WriteRowGroup(CompactWriter& w, const RowGroup& g) {
  w.BeginStruct();
  w.WriteFieldBegin(WireType::kList, 1);
  w.WriteListBegin(WireType::kStruct, static_cast<int32_t>(g.columns.size()));
  for (const ColumnChunk& c : g.columns) WriteColumnChunk(w, c);
  w.WriteI64Field(2, g.total_byte_size);
  w.WriteI64Field(3, g.num_rows);
  if (!g.sorting_columns.empty()) {
    w.WriteFieldBegin(WireType::kList, 4);
    w.WriteListBegin(WireType::kStruct, static_cast<int32_t>(g.sorting_columns.size()));
    for (const SortingColumn& s : g.sorting_columns) {
      w.BeginStruct();
      w.WriteI32Field(1, s.column_idx);
      w.WriteBoolField(2, s.descending);
      w.WriteBoolField(3, s.nulls_first);
      w.EndStruct();
    }
  }
  if (g.file_offset) w.WriteI64Field(5, *g.file_offset);
  if (g.total_compressed_size) w.WriteI64Field(6, *g.total_compressed_size);
  if (g.ordinal) {
    w.WriteFieldBegin(WireType::kI16, 7);
    w.WriteI16(*g.ordinal);
  }
  w.EndStruct();
}

}  // namespace

Result<FileMetaData> ParseFileMetaData(const uint8_t* data, size_t size) {
  CompactReader r(data, size);
  FileMetaData f;
  PQ_RETURN_NOT_OK(ReadFileMetaData(r, &f));
  return f;
}

Result<PageHeader> ParsePageHeader(const uint8_t* data, size_t size, size_t* header_size) {
  CompactReader r(data, size);
  PageHeader h;
  PQ_RETURN_NOT_OK(ReadPageHeaderStruct(r, &h));
  *header_size = r.position();
  return h;
}

std::string SerializeFileMetaData(const FileMetaData& f) {
  CompactWriter w;
  w.BeginStruct();
  w.WriteI32Field(1, f.version);
  w.WriteFieldBegin(WireType::kList, 2);
  w.WriteListBegin(WireType::kStruct, static_cast<int32_t>(f.schema.size()));
  for (const SchemaElement& e : f.schema) WriteSchemaElement(w, e);
  w.WriteI64Field(3, f.num_rows);
  w.WriteFieldBegin(WireType::kList, 4);
  w.WriteListBegin(WireType::kStruct, static_cast<int32_t>(f.row_groups.size()));
  for (const RowGroup& g : f.row_groups) WriteRowGroup(w, g);
  if (!f.key_value_metadata.empty()) WriteKeyValues(w, 5, f.key_value_metadata);
  if (f.created_by) w.WriteBinaryField(6, *f.created_by);
  if (!f.column_orders.empty()) {
    w.WriteFieldBegin(WireType::kList, 7);
    w.WriteListBegin(WireType::kStruct, static_cast<int32_t>(f.column_orders.size()));
    for (const ColumnOrder& co : f.column_orders) {
      w.BeginStruct();
      if (co.type_defined_order) WriteEmptyField(w, 1);
      w.EndStruct();
    }
  }
  w.EndStruct();
  return w.Release();
}

std::string SerializePageHeader(const PageHeader& h) {
  CompactWriter w;
  w.BeginStruct();
  w.WriteI32Field(1, static_cast<int32_t>(h.type));
  w.WriteI32Field(2, h.uncompressed_page_size);
  w.WriteI32Field(3, h.compressed_page_size);
  if (h.crc) w.WriteI32Field(4, *h.crc);
  if (h.data_page_header) {
    const DataPageHeader& d = *h.data_page_header;
    w.WriteFieldBegin(WireType::kStruct, 5);
    w.BeginStruct();
    w.WriteI32Field(1, d.num_values);
    w.WriteI32Field(2, static_cast<int32_t>(d.encoding));
    w.WriteI32Field(3, static_cast<int32_t>(d.definition_level_encoding));
    w.WriteI32Field(4, static_cast<int32_t>(d.repetition_level_encoding));
    if (d.statistics) {
      w.WriteFieldBegin(WireType::kStruct, 5);
      WriteStatistics(w, *d.statistics);
    }
    w.EndStruct();
  }
  if (h.has_index_page_header) WriteEmptyField(w, 6);
  if (h.dictionary_page_header) {
    const DictionaryPageHeader& d = *h.dictionary_page_header;
    w.WriteFieldBegin(WireType::kStruct, 7);
    w.BeginStruct();
    w.WriteI32Field(1, d.num_values);
    w.WriteI32Field(2, static_cast<int32_t>(d.encoding));
    if (d.is_sorted) w.WriteBoolField(3, *d.is_sorted);
    w.EndStruct();
  }
  if (h.data_page_header_v2) {
    const DataPageHeaderV2& d = *h.data_page_header_v2;
    w.WriteFieldBegin(WireType::kStruct, 8);
    w.BeginStruct();
    w.WriteI32Field(1, d.num_values);
    w.WriteI32Field(2, d.num_nulls);
    w.WriteI32Field(3, d.num_rows);
    w.WriteI32Field(4, static_cast<int32_t>(d.encoding));
    w.WriteI32Field(5, d.definition_levels_byte_length);
    w.WriteI32Field(6, d.repetition_levels_byte_length);
    if (d.is_compressed) w.WriteBoolField(7, *d.is_compressed);
    if (d.statistics) {
      w.WriteFieldBegin(WireType::kStruct, 8);
      WriteStatistics(w, *d.statistics);
    }
    w.EndStruct();
  }
  w.EndStruct();
  return w.Release();
}

// ---------------------------------------------------------------------------------------------
// Names

std::string TypeName(Type t) {
  static const char* kNames[] = {"BOOLEAN", "INT32",  "INT64",      "INT96",
                                 "FLOAT",   "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"};
  int v = static_cast<int>(t);
  return v >= 0 && v < 8 ? kNames[v] : fmt::format("type {}", v);
}

std::string ConvertedTypeName(ConvertedType t) {
  static const char* kNames[] = {"UTF8",
                                 "MAP",
                                 "MAP_KEY_VALUE",
                                 "LIST",
                                 "ENUM",
                                 "DECIMAL",
                                 "DATE",
                                 "TIME_MILLIS",
                                 "TIME_MICROS",
                                 "TIMESTAMP_MILLIS",
                                 "TIMESTAMP_MICROS",
                                 "UINT_8",
                                 "UINT_16",
                                 "UINT_32",
                                 "UINT_64",
                                 "INT_8",
                                 "INT_16",
                                 "INT_32",
                                 "INT_64",
                                 "JSON",
                                 "BSON",
                                 "INTERVAL"};
  int v = static_cast<int>(t);
  return v >= 0 && v < 22 ? kNames[v] : fmt::format("converted type {}", v);
}

std::string EncodingName(Encoding e) {
  static const char* kNames[] = {
      "PLAIN",          "GROUP_VAR_INT",       "PLAIN_DICTIONARY",        "RLE",
      "BIT_PACKED",     "DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY",
      "RLE_DICTIONARY", "BYTE_STREAM_SPLIT"};
  int v = static_cast<int>(e);
  return v >= 0 && v < 10 ? kNames[v] : fmt::format("encoding {}", v);
}

std::string CodecName(CompressionCodec c) {
  static const char* kNames[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO",
                                 "BROTLI",       "LZ4",    "ZSTD", "LZ4_RAW"};
  int v = static_cast<int>(c);
  return v >= 0 && v < 8 ? kNames[v] : fmt::format("codec {}", v);
}

std::string PageTypeName(PageType t) {
  static const char* kNames[] = {"DATA_PAGE", "INDEX_PAGE", "DICTIONARY_PAGE", "DATA_PAGE_V2"};
  int v = static_cast<int>(t);
  return v >= 0 && v < 4 ? kNames[v] : fmt::format("page type {}", v);
}

}  // namespace lakesync::parquet
