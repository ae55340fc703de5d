#include "deltagen/delta_writer.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <chrono>
#include <cmath>

#include "deltagen/column_builder.h"
#include "deltagen/fields.h"
#include "deltagen/json_util.h"
#include "lakesync/common/macros.h"

namespace lakesync::deltagen {

namespace pq = ::lakesync::parquet;

// ---- Text forms

std::string FormatDate(int32_t days) {
  using namespace std::chrono;
  const year_month_day ymd{sys_days{std::chrono::days{days}}};
  return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

std::string FormatTimestamp(int64_t micros, bool utc, bool with_t, int fraction_digits) {
  int64_t days = micros / 86'400'000'000LL;
  int64_t rem = micros % 86'400'000'000LL;
  if (rem < 0) {
    rem += 86'400'000'000LL;
    --days;
  }
  const int64_t secs = rem / 1'000'000;
  const int64_t frac = rem % 1'000'000;
  std::string out = fmt::format("{}{}{:02d}:{:02d}:{:02d}", FormatDate(static_cast<int32_t>(days)),
                                with_t ? 'T' : ' ', secs / 3600, (secs / 60) % 60, secs % 60);
  if (fraction_digits == 3) {
    out += fmt::format(".{:03d}", frac / 1000);
  } else if (fraction_digits == 6) {
    out += fmt::format(".{:06d}", frac);
  }
  if (utc && with_t) out += 'Z';
  return out;
}

namespace {

std::string DecimalText(Int128 unscaled, int32_t scale) {
  const bool neg = unscaled < 0;
  UInt128 mag = neg ? static_cast<UInt128>(-(unscaled + 1)) + 1 : static_cast<UInt128>(unscaled);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(mag % 10)));
    mag /= 10;
  } while (mag != 0);
  if (scale > 0) {
    while (static_cast<int32_t>(digits.size()) <= scale) digits.insert(digits.begin(), '0');
    digits.insert(digits.end() - scale, '.');
  }
  return neg ? "-" + digits : digits;
}

Result<std::string> TypeJson(const DataType& t, const std::map<int32_t, std::string>* physical) {
  switch (t.id) {
    case TypeId::kBoolean:
      return std::string("\"boolean\"");
    case TypeId::kInt8:
      return std::string("\"byte\"");
    case TypeId::kInt16:
      return std::string("\"short\"");
    case TypeId::kInt32:
      return std::string("\"integer\"");
    case TypeId::kInt64:
      return std::string("\"long\"");
    case TypeId::kFloat32:
      return std::string("\"float\"");
    case TypeId::kFloat64:
      return std::string("\"double\"");
    case TypeId::kDecimal:
      return fmt::format("\"decimal({},{})\"", t.precision, t.scale);
    case TypeId::kString:
      return std::string("\"string\"");
    case TypeId::kBinary:
      return std::string("\"binary\"");
    case TypeId::kDate:
      return std::string("\"date\"");
    case TypeId::kTimestamp:
      if (t.unit != TimeUnit::kMicros) {
        return Status::NotSupported("Delta timestamps are microseconds");
      }
      return std::string(t.utc ? "\"timestamp\"" : "\"timestamp_ntz\"");
    case TypeId::kStruct: {
      LAKESYNC_ASSIGN_OR_RETURN(std::string s, DeltaSchemaJson(t.children, physical));
      return s;
    }
    case TypeId::kList: {
      LAKESYNC_ASSIGN_OR_RETURN(std::string e, TypeJson(t.children[0].type, physical));
      return fmt::format(R"({{"type":"array","elementType":{},"containsNull":{}}})", e,
                         t.children[0].nullable);
    }
    case TypeId::kMap: {
      LAKESYNC_ASSIGN_OR_RETURN(std::string k, TypeJson(t.children[0].type, physical));
      LAKESYNC_ASSIGN_OR_RETURN(std::string v, TypeJson(t.children[1].type, physical));
      return fmt::format(R"({{"type":"map","keyType":{},"valueType":{},"valueContainsNull":{}}})",
                         k, v, t.children[1].nullable);
    }
    default:
      return Status::NotSupported("Delta has no type for {}", t.ToString());
  }
}

// Numbers struct fields depth-first (column mapping ids), through lists and maps.
void AssignColumnIds(std::vector<Field>* fields, int32_t* next);
void AssignTypeIds(DataType* t, int32_t* next) {
  if (t->id == TypeId::kStruct) {
    AssignColumnIds(&t->children, next);
  } else {
    for (Field& c : t->children) AssignTypeIds(&c.type, next);
  }
}
void AssignColumnIds(std::vector<Field>* fields, int32_t* next) {
  for (Field& f : *fields) {
    f.field_id = ++*next;
    AssignTypeIds(&f.type, next);
  }
}

// `f` with struct field names replaced by their physical names (field ids kept).
Field PhysicalField(Field f, const std::map<int32_t, std::string>& physical) {
  if (auto it = physical.find(f.field_id); it != physical.end()) f.name = it->second;
  for (Field& c : f.type.children) {
    if (f.type.id == TypeId::kStruct) {
      c = PhysicalField(std::move(c), physical);
    } else {
      // list element / map key and value: keep the name, map the structs inside.
      Field inner = PhysicalField(c, physical);
      inner.name = c.name;
      c = std::move(inner);
    }
  }
  return f;
}

bool HasNtz(const DataType& t) {
  if (t.id == TypeId::kTimestamp && !t.utc) return true;
  for (const Field& c : t.children) {
    if (HasNtz(c.type)) return true;
  }
  return false;
}

// Hive's partition-folder escaping of a value.
std::string EscapePartitionValue(std::string_view v) {
  std::string out;
  for (char ch : v) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f ||
        std::string_view("\"#%'*/:=?\\{[]^").find(ch) != std::string_view::npos) {
      out += fmt::format("%{:02X}", c);
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

// A relative path as a URI path (what add.path holds).
std::string UriEncodePath(std::string_view p) {
  std::string out;
  for (char ch : p) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || std::string_view("-._~/=").find(ch) != std::string_view::npos) {
      out.push_back(ch);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

void AppendPartitionValuesJson(std::string* out, const PartitionValues& pv) {
  out->push_back('{');
  for (size_t i = 0; i < pv.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(out, pv[i].first);
    out->push_back(':');
    if (pv[i].second) {
      AppendJsonString(out, *pv[i].second);
    } else {
      out->append("null");
    }
  }
  out->push_back('}');
}

// The JSON value of a statistics bound for Delta, or "" when Delta keeps none for the type.
std::string StatValueJson(const LeafStats& leaf, const std::string& bytes, bool is_max) {
  const DataType& t = leaf.type;
  auto i32 = [&] {
    int32_t v;
    std::memcpy(&v, bytes.data(), 4);
    return v;
  };
  auto i64 = [&] {
    int64_t v;
    std::memcpy(&v, bytes.data(), 8);
    return v;
  };
  switch (t.id) {
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
      return fmt::format("{}", i32());
    case TypeId::kInt64:
      return fmt::format("{}", i64());
    case TypeId::kFloat32: {
      float f;
      std::memcpy(&f, bytes.data(), 4);
      if (!std::isfinite(f)) return "";
      return fmt::format("{}", f);
    }
    case TypeId::kFloat64: {
      double d;
      std::memcpy(&d, bytes.data(), 8);
      if (!std::isfinite(d)) return "";
      return fmt::format("{}", d);
    }
    case TypeId::kDecimal: {
      Int128 v = 0;
      if (bytes.size() == 4) {
        v = i32();
      } else if (bytes.size() == 8) {
        v = i64();
      } else {
        // big-endian two's complement
        v = static_cast<int8_t>(bytes[0]) < 0 ? -1 : 0;
        for (unsigned char c : bytes) v = static_cast<Int128>((static_cast<UInt128>(v) << 8) | c);
      }
      return DecimalText(v, t.scale);
    }
    case TypeId::kDate:
      return JsonQuote(FormatDate(i32()));
    case TypeId::kTimestamp: {
      int64_t us = i64();
      if (t.unit == TimeUnit::kMillis) us *= 1000;
      if (t.unit == TimeUnit::kNanos) us /= 1000;
      // Stats keep milliseconds: round the max up so it still bounds every value.
      if (is_max && us % 1000 != 0) us += 1000 - ((us % 1000) + 1000) % 1000;
      return JsonQuote(FormatTimestamp(us, t.utc, true, 3));
    }
    case TypeId::kString: {
      // Like Spark, keep at most 32 characters: a prefix still bounds from below; a cut max
      // would not bound from above, so it is left out.
      constexpr int kMaxChars = 32;
      size_t pos = 0;
      int chars = 0;
      while (pos < bytes.size() && chars < kMaxChars) {
        const unsigned char c = static_cast<unsigned char>(bytes[pos]);
        pos += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        ++chars;
      }
      if (pos >= bytes.size()) return JsonQuote(std::string_view(bytes));
      if (is_max) return "";
      return JsonQuote(std::string_view(bytes).substr(0, pos));
    }
    default:
      return "";
  }
}

// Writes {"a":v,"s":{"b":v}} from leaves with paths; `values[i]` empty = skip.
void AppendNested(std::string* out, const std::vector<const LeafStats*>& leaves,
                  const std::vector<std::string>& values, size_t depth) {
  out->push_back('{');
  bool first = true;
  for (size_t i = 0; i < leaves.size(); ++i) {
    if (values[i].empty()) continue;
    const auto& path = leaves[i]->field_path;
    // Skip leaves whose parent group at this depth was already written.
    bool seen = false;
    for (size_t j = 0; j < i && !seen; ++j) {
      if (values[j].empty()) continue;
      const auto& pj = leaves[j]->field_path;
      seen = pj.size() > depth + 1 && path.size() > depth + 1 && pj[depth] == path[depth];
    }
    if (seen) continue;
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(out, path[depth]);
    out->push_back(':');
    if (path.size() == depth + 1) {
      out->append(values[i]);
      continue;
    }
    std::vector<const LeafStats*> sub;
    std::vector<std::string> sub_values;
    for (size_t j = i; j < leaves.size(); ++j) {
      const auto& pj = leaves[j]->field_path;
      if (pj.size() > depth + 1 && pj[depth] == path[depth]) {
        sub.push_back(leaves[j]);
        sub_values.push_back(values[j]);
      }
    }
    AppendNested(out, sub, sub_values, depth + 1);
  }
  out->push_back('}');
}

}  // namespace

Result<std::string> DeltaSchemaJson(const std::vector<Field>& fields,
                                    const std::map<int32_t, std::string>* physical) {
  std::string out = R"({"type":"struct","fields":[)";
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back(',');
    LAKESYNC_ASSIGN_OR_RETURN(std::string t, TypeJson(fields[i].type, physical));
    std::string metadata = "{}";
    if (physical != nullptr && physical->count(fields[i].field_id)) {
      metadata =
          fmt::format(R"({{"delta.columnMapping.id":{},"delta.columnMapping.physicalName":{}}})",
                      fields[i].field_id, JsonQuote(physical->at(fields[i].field_id)));
    }
    out += R"({"name":)" + JsonQuote(fields[i].name) + R"(,"type":)" + t +
           fmt::format(R"(,"nullable":{},"metadata":{}}})", fields[i].nullable, metadata);
  }
  out += "]}";
  return out;
}

std::optional<std::string> PartitionValueString(const ColumnVector& col, int64_t row) {
  if (col.IsNull(row)) return std::nullopt;
  const DataType& t = col.type();
  switch (t.id) {
    case TypeId::kBoolean:
      return col.Value<uint8_t>(row) ? "true" : "false";
    case TypeId::kInt8:
      return std::to_string(col.Value<int8_t>(row));
    case TypeId::kInt16:
      return std::to_string(col.Value<int16_t>(row));
    case TypeId::kInt32:
      return std::to_string(col.Value<int32_t>(row));
    case TypeId::kInt64:
      return std::to_string(col.Value<int64_t>(row));
    case TypeId::kFloat32:
      return fmt::format("{}", col.Value<float>(row));
    case TypeId::kFloat64:
      return fmt::format("{}", col.Value<double>(row));
    case TypeId::kDecimal:
      return DecimalText(col.Value<Int128>(row), t.scale);
    case TypeId::kDate:
      return FormatDate(col.Value<int32_t>(row));
    case TypeId::kTimestamp:
      // PROTOCOL.md recommends ISO8601 adjusted to UTC for timestamps; NTZ has no zone.
      return FormatTimestamp(col.Value<int64_t>(row), t.utc, t.utc, 6);
    case TypeId::kString:
    case TypeId::kBinary:
      // An empty partition value means null in Delta (Spark writes "" as null too).
      if (col.StringValue(row).empty()) return std::nullopt;
      return std::string(col.StringValue(row));
    default:
      return std::nullopt;
  }
}

std::string StatsJson(const ParquetFileSummary& summary) {
  std::string out = fmt::format(R"({{"numRecords":{})", summary.num_rows);
  std::vector<const LeafStats*> leaves;
  std::vector<std::string> mins, maxs, nulls;
  for (const LeafStats& l : summary.leaves) {
    if (l.in_repeated) continue;
    leaves.push_back(&l);
    const bool mm = l.has_min_max;
    mins.push_back(mm ? StatValueJson(l, l.min, false) : "");
    maxs.push_back(mm ? StatValueJson(l, l.max, true) : "");
    nulls.push_back(std::to_string(l.null_count));
  }
  out += R"(,"minValues":)";
  AppendNested(&out, leaves, mins, 0);
  out += R"(,"maxValues":)";
  AppendNested(&out, leaves, maxs, 0);
  out += R"(,"nullCount":)";
  AppendNested(&out, leaves, nulls, 0);
  out += "}";
  return out;
}

// ---- DeltaTableWriter

DeltaTableWriter::DeltaTableWriter(std::shared_ptr<storage::FileSystem> fs, std::string root,
                                   DeltaTableOptions options)
    : fs_(std::move(fs)), root_(std::move(root)), options_(std::move(options)) {}

Status DeltaTableWriter::Init() {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
  for (const std::string& p : options_.partition_columns) {
    bool found = false;
    for (const Field& f : options_.schema) found = found || f.name == p;
    if (!found) return Status::InvalidArgument("partition column '{}' is not in the schema", p);
  }
  for (const Field& f : options_.schema) {
    for (const std::string& p : options_.partition_columns) {
      if (f.name == p && (f.type.IsNested() || f.type.id == TypeId::kBinary)) {
        return Status::InvalidArgument("partition column '{}' must be a primitive type", p);
      }
    }
  }
  if (options_.column_mapping != ColumnMapping::kNone) {
    int32_t next_id = 0;
    AssignColumnIds(&options_.schema, &next_id);
    for (int32_t id = 1; id <= next_id; ++id) {
      const uint64_t a = HashU64(options_.seed * 0x2545f4914f6cdd1dULL + static_cast<uint64_t>(id));
      const uint64_t b = HashU64(a);
      physical_names_[id] =
          fmt::format("col-{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}", a >> 32, (a >> 16) & 0xffff,
                      a & 0xfff, 8 + (b >> 62), (b >> 20) & 0xfff, b & 0xffffffffffffULL);
    }
    config_.emplace_back("delta.columnMapping.mode",
                         options_.column_mapping == ColumnMapping::kName ? "name" : "id");
    config_.emplace_back("delta.columnMapping.maxColumnId", std::to_string(next_id));
  }
  if (options_.change_data_feed)
    config_.insert(config_.begin(), {"delta.enableChangeDataFeed", "true"});
  if (options_.deletion_vectors) config_.emplace_back("delta.enableDeletionVectors", "true");
  for (const auto& [k, v] : options_.configuration) {
    bool dup = false;
    for (const auto& [k2, v2] : config_) dup = dup || k2 == k;
    if (!dup) config_.emplace_back(k, v);
  }
  for (const std::string& p : options_.partition_columns) {
    std::string key = p;
    for (const Field& f : options_.schema) {
      if (f.name == p && physical_names_.count(f.field_id)) key = physical_names_[f.field_id];
    }
    partition_keys_.push_back(std::move(key));
  }
  for (const Field& f : options_.schema) {
    bool is_partition = false;
    for (const std::string& p : options_.partition_columns)
      is_partition = is_partition || f.name == p;
    if (!is_partition) data_schema_.push_back(PhysicalField(f, physical_names_));
  }
  if (data_schema_.empty()) return Status::InvalidArgument("a table needs a non-partition column");
  LAKESYNC_RETURN_NOT_OK(SchemaString().status());
  uint64_t h = HashU64(options_.seed ^ 0x5eedULL);
  table_id_ = fmt::format("{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}", h >> 32, (h >> 16) & 0xffff,
                          h & 0xfff, (h >> 20) & 0xfff, HashU64(h) & 0xffffffffffffULL);
  return Status::OK();
}

Result<std::unique_ptr<DeltaTableWriter>> DeltaTableWriter::Create(
    std::shared_ptr<storage::FileSystem> fs, std::string root, DeltaTableOptions options) {
  std::unique_ptr<DeltaTableWriter> w(
      new DeltaTableWriter(std::move(fs), std::move(root), std::move(options)));
  LAKESYNC_RETURN_NOT_OK(w->Init());
  LAKESYNC_ASSIGN_OR_RETURN(storage::FileInfo info,
                            w->fs_->GetFileInfo(storage::JoinPath(w->root_, "_delta_log")));
  if (info.exists) return Status::Conflict("{} already holds a Delta table", w->root_);
  LAKESYNC_RETURN_NOT_OK(w->fs_->CreateDirs(storage::JoinPath(w->root_, "_delta_log")));
  w->created_time_ = w->NowMs();
  return w;
}

namespace {

// Reads an optional field; an absent or mistyped one leaves `*out` unchanged.
template <typename T>
void GetOptional(simdjson::simdjson_result<simdjson::dom::element> r, T* out) {
  T v;
  if (r.get(v) == simdjson::SUCCESS) *out = v;
}

std::optional<DeletionVectorDescriptor> ParseDv(
    simdjson::simdjson_result<simdjson::dom::element> r) {
  simdjson::dom::element e;
  if (r.get(e) != simdjson::SUCCESS || !e.is_object()) return std::nullopt;
  DeletionVectorDescriptor d;
  std::string_view sv;
  if (e["storageType"].get(sv) == simdjson::SUCCESS) d.storage_type = std::string(sv);
  if (e["pathOrInlineDv"].get(sv) == simdjson::SUCCESS) d.path_or_inline_dv = std::string(sv);
  int64_t v = 0;
  if (e["offset"].get(v) == simdjson::SUCCESS) d.offset = static_cast<int32_t>(v);
  if (e["sizeInBytes"].get(v) == simdjson::SUCCESS) d.size_in_bytes = static_cast<int32_t>(v);
  GetOptional(e["cardinality"], &d.cardinality);
  return d;
}

PartitionValues ParsePartitionValues(simdjson::dom::element e) {
  PartitionValues pv;
  simdjson::dom::object obj;
  if (e.get(obj) != simdjson::SUCCESS) return pv;
  for (auto [k, v] : obj) {
    std::string_view s;
    if (v.get(s) == simdjson::SUCCESS) {
      pv.emplace_back(std::string(k), std::string(s));
    } else {
      pv.emplace_back(std::string(k), std::nullopt);
    }
  }
  return pv;
}

}  // namespace

Result<std::unique_ptr<DeltaTableWriter>> DeltaTableWriter::Open(
    std::shared_ptr<storage::FileSystem> fs, std::string root, DeltaTableOptions options) {
  std::unique_ptr<DeltaTableWriter> w(
      new DeltaTableWriter(std::move(fs), std::move(root), std::move(options)));
  LAKESYNC_RETURN_NOT_OK(w->Init());
  const std::string log_dir = storage::JoinPath(w->root_, "_delta_log");
  LAKESYNC_ASSIGN_OR_RETURN(std::vector<storage::FileInfo> entries, w->fs_->ListDir(log_dir));
  simdjson::dom::parser parser;
  int64_t expected = 0;
  for (const storage::FileInfo& e : entries) {
    const std::string name(storage::BaseName(e.path));
    if (name.size() != 25 || name.substr(20) != ".json") continue;
    const int64_t v = std::stoll(name.substr(0, 20));
    if (v != expected) {
      return Status::NotSupported("{}: commit {} is missing (deltagen replays JSON commits only)",
                                  w->root_, expected);
    }
    ++expected;
    LAKESYNC_ASSIGN_OR_RETURN(std::string text, w->fs_->ReadFile(e.path));
    size_t pos = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string::npos) nl = text.size();
      std::string_view line(text.data() + pos, nl - pos);
      pos = nl + 1;
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      simdjson::dom::element doc;
      if (parser.parse(line.data(), line.size()).get(doc) != simdjson::SUCCESS) {
        return Status::Corruption("{}: malformed JSON line", e.path);
      }
      simdjson::dom::element a;
      if (doc["add"].get(a) == simdjson::SUCCESS) {
        AddAction add;
        std::string_view sv;
        if (a["path"].get(sv) != simdjson::SUCCESS) return Status::Corruption("add without path");
        add.path = std::string(sv);
        add.partition_values = ParsePartitionValues(a["partitionValues"]);
        GetOptional(a["size"], &add.size);
        GetOptional(a["modificationTime"], &add.modification_time);
        GetOptional(a["dataChange"], &add.data_change);
        if (a["stats"].get(sv) == simdjson::SUCCESS) add.stats = std::string(sv);
        add.deletion_vector = ParseDv(a["deletionVector"]);
        w->tombstones_.erase(add.path);
        w->active_[add.path] = std::move(add);
      } else if (doc["remove"].get(a) == simdjson::SUCCESS) {
        RemoveAction rm;
        std::string_view sv;
        if (a["path"].get(sv) != simdjson::SUCCESS) return Status::Corruption("remove w/o path");
        rm.path = std::string(sv);
        GetOptional(a["deletionTimestamp"], &rm.deletion_timestamp);
        GetOptional(a["dataChange"], &rm.data_change);
        GetOptional(a["extendedFileMetadata"], &rm.extended_file_metadata);
        GetOptional(a["size"], &rm.size);
        rm.partition_values = ParsePartitionValues(a["partitionValues"]);
        rm.deletion_vector = ParseDv(a["deletionVector"]);
        w->active_.erase(rm.path);
        w->tombstones_[rm.path] = std::move(rm);
      } else if (doc["metaData"].get(a) == simdjson::SUCCESS) {
        std::string_view sv;
        if (a["id"].get(sv) == simdjson::SUCCESS) w->table_id_ = std::string(sv);
        GetOptional(a["createdTime"], &w->created_time_);
      }
    }
    w->version_ = v;
  }
  if (w->version_ < 0) return Status::NotFound("{} has no Delta commits", w->root_);
  return w;
}

int64_t DeltaTableWriter::NowMs() {
  int64_t now;
  if (options_.clock_ms) {
    now = *options_.clock_ms + (version_ + 1) * 1000;
  } else {
    now = std::chrono::duration_cast<std::chrono::milliseconds>(
              std::chrono::system_clock::now().time_since_epoch())
              .count();
  }
  if (now <= last_clock_) now = last_clock_ + 1;
  last_clock_ = now;
  return now;
}

std::string DeltaTableWriter::NextUuid() {
  const uint64_t a =
      HashU64(options_.seed * 0x9e3779b97f4a7c15ULL + static_cast<uint64_t>(version_ + 2));
  const uint64_t b = HashU64(a ^ (++uuid_counter_ * 0xbf58476d1ce4e5b9ULL));
  const uint64_t c = HashU64(b + 0x94d049bb133111ebULL);
  return fmt::format("{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}", b >> 32, (b >> 16) & 0xffff,
                     b & 0xfff, 8 + (c >> 62), (c >> 20) & 0xfff, c & 0xffffffffffffULL);
}

std::string DeltaTableWriter::FileSuffix() const {
  switch (options_.parquet.codec) {
    case pq::CompressionCodec::SNAPPY:
      return ".snappy.parquet";
    case pq::CompressionCodec::ZSTD:
      return ".zstd.parquet";
    case pq::CompressionCodec::GZIP:
      return ".gz.parquet";
    case pq::CompressionCodec::LZ4_RAW:
      return ".lz4raw.parquet";
    case pq::CompressionCodec::BROTLI:
      return ".br.parquet";
    default:
      return ".parquet";
  }
}

std::vector<Field> DeltaTableWriter::cdc_schema() const {
  std::vector<Field> s = data_schema_;
  Field f;
  f.name = "_change_type";
  f.type = DataType::Primitive(TypeId::kString);
  f.nullable = true;
  s.push_back(std::move(f));
  return s;
}

namespace {

std::string PartitionDir(const PartitionValues& pv) {
  std::string dir;
  for (const auto& [k, v] : pv) {
    dir += EscapePartitionValue(k) + "=" +
           (v ? EscapePartitionValue(*v) : std::string("__HIVE_DEFAULT_PARTITION__")) + "/";
  }
  return dir;
}

}  // namespace

namespace {

DeltaTableWriter::BatchSource FromList(std::vector<const ColumnBatch*> batches) {
  return [batches, i = size_t{0}]() mutable -> Result<const ColumnBatch*> {
    return i < batches.size() ? batches[i++] : nullptr;
  };
}

}  // namespace

Result<AddAction> DeltaTableWriter::WriteFileAt(const std::string& rel_dir, const std::string& name,
                                                const std::vector<Field>& schema,
                                                const BatchSource& next, const PartitionValues& pv,
                                                ParquetFileSummary* summary) {
  const std::string rel = rel_dir + name;
  const std::string full = storage::JoinPath(root_, rel);
  if (!rel_dir.empty()) LAKESYNC_RETURN_NOT_OK(fs_->CreateDirs(storage::JoinPath(root_, rel_dir)));
  {
    ParquetWriterOptions popts = options_.parquet;
    // Spark records the file's schema (as a StructType JSON) in the footer.
    if (auto spark_schema = DeltaSchemaJson(schema); spark_schema.ok()) {
      popts.key_value_metadata.push_back(
          {"org.apache.spark.sql.parquet.row.metadata", std::move(spark_schema).value()});
    }
    LAKESYNC_ASSIGN_OR_RETURN(auto writer, ParquetWriter::Make(schema, popts));
    while (true) {
      LAKESYNC_ASSIGN_OR_RETURN(const ColumnBatch* batch, next());
      if (batch == nullptr) break;
      LAKESYNC_RETURN_NOT_OK(writer->Write(*batch));
    }
    LAKESYNC_ASSIGN_OR_RETURN(ParquetFile file, writer->Finish());
    LAKESYNC_RETURN_NOT_OK(fs_->WriteFile(
        full, std::string_view(reinterpret_cast<const char*>(file.data.data()), file.data.size())));
    *summary = std::move(file.summary);
  }
  AddAction add;
  add.path = UriEncodePath(rel);
  // Callers may name partition columns logically; the log keys them by physical name.
  add.partition_values = pv;
  for (auto& [key, value] : add.partition_values) {
    for (size_t i = 0; i < options_.partition_columns.size() && i < partition_keys_.size(); ++i) {
      if (key == options_.partition_columns[i]) key = partition_keys_[i];
    }
  }
  add.size = summary->file_size;
  add.modification_time = NowMs();
  add.num_records = summary->num_rows;
  return add;
}

Result<AddAction> DeltaTableWriter::WriteDataFile(const ColumnBatch& batch,
                                                  const PartitionValues& pv) {
  return WriteDataFile(FromList({&batch}), pv);
}

Result<AddAction> DeltaTableWriter::WriteDataFile(const BatchSource& next,
                                                  const PartitionValues& pv) {
  if (pv.size() != options_.partition_columns.size()) {
    return Status::InvalidArgument("{} partition values for {} partition columns", pv.size(),
                                   options_.partition_columns.size());
  }
  const std::string name =
      fmt::format("part-{:05d}-{}-c000{}", file_counter_++, NextUuid(), FileSuffix());
  ParquetFileSummary summary;
  LAKESYNC_ASSIGN_OR_RETURN(AddAction add,
                            WriteFileAt(PartitionDir(pv), name, data_schema_, next, pv, &summary));
  add.stats = StatsJson(summary);
  return add;
}

Result<CdcAction> DeltaTableWriter::WriteCdcFile(const std::vector<const ColumnBatch*>& batches,
                                                 const PartitionValues& pv) {
  const std::string name =
      fmt::format("cdc-{:05d}-{}.c000{}", file_counter_++, NextUuid(), FileSuffix());
  ParquetFileSummary summary;
  LAKESYNC_ASSIGN_OR_RETURN(AddAction add,
                            WriteFileAt("_change_data/" + PartitionDir(pv), name, cdc_schema(),
                                        FromList(batches), pv, &summary));
  CdcAction cdc;
  cdc.path = add.path;
  cdc.partition_values = add.partition_values;
  cdc.size = add.size;
  return cdc;
}

Result<std::vector<AddAction>> DeltaTableWriter::WritePartitioned(ColumnBatch batch) {
  std::vector<AddAction> out;
  if (options_.partition_columns.empty()) {
    LAKESYNC_ASSIGN_OR_RETURN(AddAction add, WriteDataFile(batch, {}));
    out.push_back(std::move(add));
    return out;
  }
  std::vector<int> part_idx;
  for (const std::string& p : options_.partition_columns) {
    const int idx = batch.FieldIndex(p);
    if (idx < 0) return Status::InvalidArgument("batch lacks partition column '{}'", p);
    part_idx.push_back(idx);
  }
  // Group rows by their partition values, in first-seen order.
  std::map<std::string, size_t> group_of;
  std::vector<PartitionValues> group_values;
  std::vector<std::vector<uint32_t>> group_rows;
  const int64_t n = batch.num_selected();
  for (int64_t r = 0; r < n; ++r) {
    const uint32_t row = batch.selection ? (*batch.selection)[r] : static_cast<uint32_t>(r);
    PartitionValues pv;
    std::string key;
    for (size_t k = 0; k < part_idx.size(); ++k) {
      auto v = PartitionValueString(batch.columns[part_idx[k]], row);
      key += v ? "1" + *v : "0";
      key.push_back('\0');
      pv.emplace_back(partition_keys_[k], std::move(v));
    }
    auto [it, inserted] = group_of.emplace(key, group_rows.size());
    if (inserted) {
      group_values.push_back(std::move(pv));
      group_rows.emplace_back();
    }
    group_rows[it->second].push_back(row);
  }
  ColumnBatch data;
  for (size_t c = 0; c < batch.columns.size(); ++c) {
    if (std::find(part_idx.begin(), part_idx.end(), static_cast<int>(c)) != part_idx.end()) {
      continue;
    }
    data.schema.push_back(batch.schema.empty() ? Field{} : batch.schema[c]);
    data.columns.push_back(std::move(batch.columns[c]));
  }
  data.num_rows = batch.num_rows;
  for (size_t g = 0; g < group_rows.size(); ++g) {
    data.selection = std::move(group_rows[g]);
    LAKESYNC_ASSIGN_OR_RETURN(AddAction add, WriteDataFile(data, group_values[g]));
    out.push_back(std::move(add));
  }
  return out;
}

RemoveAction DeltaTableWriter::RemoveFor(const AddAction& add) const {
  RemoveAction rm;
  rm.path = add.path;
  rm.deletion_timestamp = last_clock_ > 0 ? last_clock_ : add.modification_time;
  rm.data_change = true;
  rm.extended_file_metadata = true;
  rm.partition_values = add.partition_values;
  rm.size = add.size;
  rm.deletion_vector = add.deletion_vector;
  return rm;
}

Result<DeletionVectorDescriptor> DeltaTableWriter::WriteDeletionVector(
    const std::vector<uint64_t>& rows) {
  const std::string text = NextUuid();
  std::string bytes;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] == '-') continue;
    bytes.push_back(static_cast<char>(std::stoi(text.substr(i, 2), nullptr, 16)));
    ++i;
  }
  // A two-letter folder, like Spark's random prefixes.
  const std::string prefix{static_cast<char>('a' + static_cast<unsigned char>(bytes[0]) % 26),
                           static_cast<char>('a' + static_cast<unsigned char>(bytes[1]) % 26)};
  return WriteDeletionVectorFile(*fs_, root_, rows, bytes, prefix);
}

AddAction DeltaTableWriter::WithDeletionVector(const AddAction& add,
                                               DeletionVectorDescriptor dv) const {
  AddAction out = add;
  out.deletion_vector = std::move(dv);
  out.data_change = true;
  // numRecords stays the physical count; the bounds may now be wide.
  if (out.stats.find("\"tightBounds\"") == std::string::npos) {
    const size_t comma = out.stats.find(',');
    if (comma != std::string::npos) out.stats.insert(comma, R"(,"tightBounds":false)");
  }
  return out;
}

Result<std::string> DeltaTableWriter::SchemaString() const {
  return DeltaSchemaJson(options_.schema, physical_names_.empty() ? nullptr : &physical_names_);
}

std::string DeltaTableWriter::ProtocolJson() const {
  bool ntz = false;
  for (const Field& f : options_.schema) ntz = ntz || HasNtz(f.type);
  const bool cm = options_.column_mapping != ColumnMapping::kNone;
  const bool dv = options_.deletion_vectors;
  if (ntz || dv) {
    // Table features: every feature in use is listed.
    std::vector<std::string> reader;
    if (cm) reader.push_back("columnMapping");
    if (dv) reader.push_back("deletionVectors");
    if (ntz) reader.push_back("timestampNtz");
    std::vector<std::string> writer = reader;
    if (options_.change_data_feed) writer.push_back("changeDataFeed");
    auto list = [](const std::vector<std::string>& v) {
      std::string out = "[";
      for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + JsonQuote(v[i]);
      return out + "]";
    };
    return fmt::format(
        R"({{"protocol":{{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":{},"writerFeatures":{}}}}})",
        list(reader), list(writer));
  }
  if (cm) return R"({"protocol":{"minReaderVersion":2,"minWriterVersion":5}})";
  return fmt::format(R"({{"protocol":{{"minReaderVersion":1,"minWriterVersion":{}}}}})",
                     options_.change_data_feed ? 4 : 2);
}

std::string DeltaTableWriter::MetadataJson() const {
  std::string out = R"({"metaData":{"id":)" + JsonQuote(table_id_);
  if (!options_.name.empty()) out += R"(,"name":)" + JsonQuote(options_.name);
  out += R"(,"format":{"provider":"parquet","options":{}},"schemaString":)";
  out += JsonQuote(SchemaString().value_or("{}"));
  out += R"(,"partitionColumns":[)";
  for (size_t i = 0; i < options_.partition_columns.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendJsonString(&out, options_.partition_columns[i]);
  }
  out += R"(],"configuration":{)";
  bool first = true;
  auto conf = [&](const std::string& k, const std::string& v) {
    if (!first) out.push_back(',');
    first = false;
    AppendJsonString(&out, k);
    out.push_back(':');
    AppendJsonString(&out, v);
  };
  for (const auto& [k, v] : config_) conf(k, v);
  out += fmt::format(R"(}},"createdTime":{}}}}})", created_time_);
  return out;
}

Result<int64_t> DeltaTableWriter::Commit(const CommitSpec& commit) {
  const int64_t version = version_ + 1;
  const int64_t now = NowMs();
  std::string log;
  // commitInfo first, as Spark writes it.
  log += fmt::format(R"({{"commitInfo":{{"timestamp":{},"operation":{},"operationParameters":{{)",
                     now, JsonQuote(commit.operation));
  for (size_t i = 0; i < commit.operation_parameters.size(); ++i) {
    if (i > 0) log.push_back(',');
    AppendJsonString(&log, commit.operation_parameters[i].first);
    log.push_back(':');
    AppendJsonString(&log, commit.operation_parameters[i].second);
  }
  int64_t num_added_rows = 0;
  for (const AddAction& a : commit.adds) num_added_rows += a.num_records;
  log += "}";
  if (version_ >= 0) log += fmt::format(R"(,"readVersion":{})", version_);
  log += fmt::format(
      R"(,"isolationLevel":"Serializable","isBlindAppend":{},"operationMetrics":{{"numFiles":"{}","numRemovedFiles":"{}","numOutputRows":"{}"}},"engineInfo":"lakesync-deltagen","txnId":{}}}}})",
      commit.removes.empty() && commit.cdcs.empty(), commit.adds.size(), commit.removes.size(),
      num_added_rows, JsonQuote(NextUuid()));
  log.push_back('\n');
  if (version == 0) {
    log += ProtocolJson() + "\n" + MetadataJson() + "\n";
  }
  for (const RemoveAction& r : commit.removes) {
    log +=
        R"({"remove":{"path":)" + JsonQuote(r.path) +
        fmt::format(
            R"(,"deletionTimestamp":{},"dataChange":{},"extendedFileMetadata":{},"partitionValues":)",
            r.deletion_timestamp, r.data_change, r.extended_file_metadata);
    AppendPartitionValuesJson(&log, r.partition_values);
    log += fmt::format(R"(,"size":{})", r.size);
    if (r.deletion_vector) log += R"(,"deletionVector":)" + r.deletion_vector->ToJson();
    log += "}}";
    log.push_back('\n');
  }
  for (const AddAction& a : commit.adds) {
    log += R"({"add":{"path":)" + JsonQuote(a.path) + R"(,"partitionValues":)";
    AppendPartitionValuesJson(&log, a.partition_values);
    log += fmt::format(R"(,"size":{},"modificationTime":{},"dataChange":{})", a.size,
                       a.modification_time, a.data_change);
    if (!a.stats.empty()) log += R"(,"stats":)" + JsonQuote(a.stats);
    if (a.deletion_vector) log += R"(,"deletionVector":)" + a.deletion_vector->ToJson();
    log += "}}\n";
  }
  for (const CdcAction& c : commit.cdcs) {
    log += R"({"cdc":{"path":)" + JsonQuote(c.path) + R"(,"partitionValues":)";
    AppendPartitionValuesJson(&log, c.partition_values);
    log += fmt::format(R"(,"size":{},"dataChange":false}}}})", c.size);
    log.push_back('\n');
  }
  const std::string path =
      storage::JoinPath(root_, fmt::format("_delta_log/{:020d}.json", version));
  LAKESYNC_ASSIGN_OR_RETURN(storage::FileInfo info, fs_->GetFileInfo(path));
  if (info.exists) return Status::Conflict("{} already exists", path);
  LAKESYNC_RETURN_NOT_OK(fs_->WriteFile(path, log));
  version_ = version;
  for (const RemoveAction& r : commit.removes) {
    active_.erase(r.path);
    tombstones_[r.path] = r;
  }
  for (const AddAction& a : commit.adds) {
    tombstones_.erase(a.path);
    active_[a.path] = a;
  }
  return version;
}

// ---- Checkpoints

namespace {

DataType Str() { return DataType::Primitive(TypeId::kString); }
DataType I64() { return DataType::Primitive(TypeId::kInt64); }
DataType I32() { return DataType::Primitive(TypeId::kInt32); }
DataType Bool() { return DataType::Primitive(TypeId::kBoolean); }
DataType StrMap() {
  return DataType::Map(MakeField("key", Str(), false), MakeField("value", Str()));
}
DataType StrList() { return DataType::List(MakeField("element", Str())); }

DataType DvType() {
  return DataType::Struct({MakeField("storageType", Str()), MakeField("pathOrInlineDv", Str()),
                           MakeField("offset", I32()), MakeField("sizeInBytes", I32()),
                           MakeField("cardinality", I64())});
}

Value DvValue(const std::optional<DeletionVectorDescriptor>& dv) {
  if (!dv) return Value::Null();
  return Value::Struct({Value::String(dv->storage_type), Value::String(dv->path_or_inline_dv),
                        dv->offset ? Value::Int(*dv->offset) : Value::Null(),
                        Value::Int(dv->size_in_bytes), Value::Int(dv->cardinality)});
}

std::vector<Field> CheckpointSchema() {
  return {
      MakeField("txn",
                DataType::Struct({MakeField("appId", Str()), MakeField("version", I64(), false),
                                  MakeField("lastUpdated", I64())})),
      MakeField("add",
                DataType::Struct(
                    {MakeField("path", Str()), MakeField("partitionValues", StrMap()),
                     MakeField("size", I64(), false), MakeField("modificationTime", I64(), false),
                     MakeField("dataChange", Bool(), false), MakeField("stats", Str()),
                     MakeField("tags", StrMap()), MakeField("deletionVector", DvType())})),
      MakeField("remove",
                DataType::Struct({MakeField("path", Str()), MakeField("deletionTimestamp", I64()),
                                  MakeField("dataChange", Bool(), false),
                                  MakeField("extendedFileMetadata", Bool()),
                                  MakeField("partitionValues", StrMap()), MakeField("size", I64()),
                                  MakeField("deletionVector", DvType())})),
      MakeField(
          "metaData",
          DataType::Struct(
              {MakeField("id", Str()), MakeField("name", Str()), MakeField("description", Str()),
               MakeField("format", DataType::Struct({MakeField("provider", Str()),
                                                     MakeField("options", StrMap())})),
               MakeField("schemaString", Str()), MakeField("partitionColumns", StrList()),
               MakeField("configuration", StrMap()), MakeField("createdTime", I64())})),
      MakeField("protocol", DataType::Struct({MakeField("minReaderVersion", I32(), false),
                                              MakeField("minWriterVersion", I32(), false),
                                              MakeField("readerFeatures", StrList()),
                                              MakeField("writerFeatures", StrList())})),
  };
}

Value PvValue(const PartitionValues& pv) { return Value::StringMap(pv); }

}  // namespace

Status DeltaTableWriter::Checkpoint(int parts) {
  if (version_ < 0) return Status::InvalidArgument("nothing committed to checkpoint");
  if (parts < 1) parts = 1;
  const std::vector<Field> schema = CheckpointSchema();
  std::vector<std::vector<Value>> rows;
  auto row_with = [&](size_t column, Value v) {
    std::vector<Value> row(schema.size());
    row[column] = std::move(v);
    rows.push_back(std::move(row));
  };
  // protocol
  {
    simdjson::dom::parser parser;
    const std::string pj = ProtocolJson();
    simdjson::dom::element doc;
    if (parser.parse(pj).get(doc) != simdjson::SUCCESS) return Status::Internal("protocol json");
    int64_t rv = 1, wv = 2;
    GetOptional(doc["protocol"]["minReaderVersion"], &rv);
    GetOptional(doc["protocol"]["minWriterVersion"], &wv);
    auto features = [&](const char* key) {
      simdjson::dom::array arr;
      if (doc["protocol"][key].get(arr) != simdjson::SUCCESS) return Value::Null();
      std::vector<Value> items;
      for (auto e : arr) items.push_back(Value::String(std::string(e.get_string().value())));
      return Value::List(std::move(items));
    };
    row_with(4, Value::Struct({Value::Int(rv), Value::Int(wv), features("readerFeatures"),
                               features("writerFeatures")}));
  }
  // metaData
  {
    LAKESYNC_ASSIGN_OR_RETURN(std::string schema_string, SchemaString());
    std::vector<Value> pcols;
    for (const auto& p : options_.partition_columns) pcols.push_back(Value::String(p));
    std::vector<std::pair<std::string, std::optional<std::string>>> conf;
    for (const auto& [k, v] : config_) conf.emplace_back(k, v);
    row_with(3, Value::Struct({Value::String(table_id_),
                               options_.name.empty() ? Value::Null() : Value::String(options_.name),
                               Value::Null(),
                               Value::Struct({Value::String("parquet"), Value::StringMap({})}),
                               Value::String(schema_string), Value::List(std::move(pcols)),
                               Value::StringMap(conf), Value::Int(created_time_)}));
  }
  for (const auto& [path, a] : active_) {
    row_with(1,
             Value::Struct({Value::String(a.path), PvValue(a.partition_values), Value::Int(a.size),
                            Value::Int(a.modification_time), Value::Bool(false),
                            a.stats.empty() ? Value::Null() : Value::String(a.stats), Value::Null(),
                            DvValue(a.deletion_vector)}));
  }
  for (const auto& [path, r] : tombstones_) {
    row_with(2, Value::Struct({Value::String(r.path), Value::Int(r.deletion_timestamp),
                               Value::Bool(false), Value::Bool(r.extended_file_metadata),
                               PvValue(r.partition_values), Value::Int(r.size),
                               DvValue(r.deletion_vector)}));
  }
  ParquetWriterOptions popts = options_.parquet;
  popts.row_group_rows = 1 << 20;
  int64_t total_size = 0;
  const size_t per_part = (rows.size() + parts - 1) / parts;
  for (int p = 0; p < parts; ++p) {
    const size_t b = std::min(rows.size(), p * per_part);
    const size_t e = std::min(rows.size(), b + per_part);
    std::vector<std::vector<Value>> part_rows(rows.begin() + b, rows.begin() + e);
    LAKESYNC_ASSIGN_OR_RETURN(ColumnBatch batch, BuildBatch(schema, part_rows));
    const std::string name =
        parts == 1 ? fmt::format("_delta_log/{:020d}.checkpoint.parquet", version_)
                   : fmt::format("_delta_log/{:020d}.checkpoint.{:010d}.{:010d}.parquet", version_,
                                 p + 1, parts);
    LAKESYNC_ASSIGN_OR_RETURN(
        ParquetFileSummary s,
        WriteParquetFile(*fs_, storage::JoinPath(root_, name), schema, {&batch}, popts));
    total_size += s.file_size;
  }
  std::string last = fmt::format(R"({{"version":{},"size":{})", version_, rows.size());
  if (parts > 1) last += fmt::format(R"(,"parts":{})", parts);
  last += fmt::format(R"(,"sizeInBytes":{},"numOfAddFiles":{}}})", total_size, active_.size());
  last.push_back('\n');
  return fs_->WriteFile(storage::JoinPath(root_, "_delta_log/_last_checkpoint"), last);
}

}  // namespace lakesync::deltagen
