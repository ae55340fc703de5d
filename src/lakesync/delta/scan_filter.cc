#include "lakesync/delta/scan_filter.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <optional>

#include "lakesync/common/macros.h"
#include "lakesync/common/strings.h"
#include "lakesync/delta/column_convert.h"
#include "lakesync/delta/partition_values.h"
#include "lakesync/delta/snapshot.h"
#include "lakesync/parquet/file_reader.h"

namespace lakesync::delta {

using parquet::ColumnPredicate;
using parquet::Literal;
using Op = ColumnPredicate::Op;

struct ScanFilter::Resolved {
  ColumnPredicate predicate;
  DataType type;                        // the leaf's table type
  std::vector<Field> fields;            // logical fields from the top level to the leaf
  std::vector<ColumnMeta> metas;        // parallel to `fields`
  std::vector<std::string> stats_path;  // keys in minValues/maxValues/nullCount
  bool partition = false;
  std::string partition_key;
};

ScanFilter::~ScanFilter() = default;

namespace {

// What is known about one column's values in a file (or row set).
struct Bounds {
  std::optional<Literal> lo, hi;
  bool hi_is_prefix = false;  // hi is a string prefix: values may be hi + anything
  bool hi_may_hide_nan = false;
  bool no_null = false;
  bool all_null = false;
};

bool IsFloat(const DataType& t) {
  return t.id == TypeId::kFloat16 || t.id == TypeId::kFloat32 || t.id == TypeId::kFloat64;
}

bool IsIntLike(const DataType& t) {
  switch (t.id) {
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kDate:
    case TypeId::kTimestamp:
    case TypeId::kDecimal:
      return true;
    default:
      return false;
  }
}

double AsDouble(const Literal& l, int32_t scale) {
  if (l.kind == Literal::Kind::kDouble) return l.d;
  return static_cast<double>(l.i) / std::pow(10.0, scale);
}

// <0, 0, >0 like a three-way comparison; NaN sorts above every number.
int Compare(const Literal& a, const Literal& b, int32_t scale) {
  if (a.kind == Literal::Kind::kBytes)
    return a.bytes.compare(b.bytes) < 0 ? -1 : (a.bytes == b.bytes ? 0 : 1);
  if (a.kind == Literal::Kind::kBool) return static_cast<int>(a.b) - static_cast<int>(b.b);
  if (a.kind == Literal::Kind::kInt && b.kind == Literal::Kind::kInt) {
    return a.i < b.i ? -1 : (a.i == b.i ? 0 : 1);
  }
  const double x = AsDouble(a, scale), y = AsDouble(b, scale);
  if (std::isnan(x) || std::isnan(y))
    return std::isnan(x) == std::isnan(y) ? 0 : (std::isnan(x) ? 1 : -1);
  return x < y ? -1 : (x == y ? 0 : 1);
}

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

// True when every value of the column is below `v` (strictly when `strict`).
bool AllBelow(const Bounds& b, const Literal& v, int32_t scale, bool strict) {
  if (!b.hi || b.hi_may_hide_nan) return false;
  if (b.hi_is_prefix) {
    return b.hi->bytes < v.bytes && !StartsWith(v.bytes, b.hi->bytes);
  }
  const int c = Compare(*b.hi, v, scale);
  return strict ? c < 0 : c <= 0;
}

// True when every value of the column is above `v` (strictly when `strict`).
bool AllAbove(const Bounds& b, const Literal& v, int32_t scale, bool strict) {
  if (!b.lo) return false;
  const int c = Compare(*b.lo, v, scale);
  return strict ? c > 0 : c >= 0;
}

bool IsNanLiteral(const Literal& v) { return v.kind == Literal::Kind::kDouble && std::isnan(v.d); }

// The field named `name` among `fields` (exact, then case-insensitive), or -1.
int FindFieldIndex(const std::vector<Field>& fields, std::string_view name) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == name) return static_cast<int>(i);
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    if (EqualsIgnoreCase(fields[i].name, name)) return static_cast<int>(i);
  }
  return -1;
}

// False only when no row with these bounds can satisfy `p`.
bool MayMatch(const Bounds& b, const ColumnPredicate& p, const DataType& type) {
  const int32_t scale = type.id == TypeId::kDecimal ? type.scale : 0;
  if (p.op == Op::kIsNull) return !b.no_null;
  if (p.op == Op::kIsNotNull) return !b.all_null;
  if (b.all_null) return false;  // a null satisfies no comparison
  auto eq_may_match = [&](const Literal& v) {
    // A NaN bound from stats is not reliable; only exact bounds settle NaN equality.
    if (IsNanLiteral(v) && b.hi_may_hide_nan) return true;
    return !AllAbove(b, v, scale, true) && !AllBelow(b, v, scale, true);
  };
  switch (p.op) {
    case Op::kEq:
      return eq_may_match(p.values[0]);
    case Op::kIn:
      for (const auto& v : p.values) {
        if (eq_may_match(v)) return true;
      }
      return false;
    case Op::kLt:
      return !AllAbove(b, p.values[0], scale, false);
    case Op::kLe:
      return !AllAbove(b, p.values[0], scale, true);
    case Op::kGt:
      return !AllBelow(b, p.values[0], scale, false);
    case Op::kGe:
      return !AllBelow(b, p.values[0], scale, true);
    default:
      return true;
  }
}

// A literal of the table's representation from the stored bytes of a partition value.
std::optional<Literal> FromStored(const DataType& t, const std::string& s) {
  auto read = [&](auto v) {
    std::memcpy(&v, s.data(), std::min(sizeof(v), s.size()));
    return v;
  };
  switch (t.id) {
    case TypeId::kBoolean:
      return Literal::Bool(read(uint8_t{0}) != 0);
    case TypeId::kInt8:
      return Literal::Int(read(int8_t{0}));
    case TypeId::kInt16:
      return Literal::Int(read(int16_t{0}));
    case TypeId::kInt32:
    case TypeId::kDate:
      return Literal::Int(read(int32_t{0}));
    case TypeId::kInt64:
    case TypeId::kTimestamp:
      return Literal::Int(read(int64_t{0}));
    case TypeId::kDecimal:
      return Literal::Int(read(Int128{0}));
    case TypeId::kFloat32:
      return Literal::Double(read(float{0}));
    case TypeId::kFloat64:
      return Literal::Double(read(double{0}));
    case TypeId::kString:
    case TypeId::kBinary:
      return Literal::Bytes(s);
    default:
      return std::nullopt;
  }
}

// One stats bound (minValues/maxValues entry) as a literal, widened to stay a bound; nullopt
// when it cannot be trusted. `upper`: the bound is a maximum.
std::optional<Literal> FromStats(const DataType& t, simdjson::dom::element e, bool upper) {
  switch (t.id) {
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64: {
      int64_t v = 0;
      if (e.get(v) != simdjson::SUCCESS) return std::nullopt;
      return Literal::Int(v);
    }
    case TypeId::kDate: {
      std::string_view s;
      if (e.get(s) != simdjson::SUCCESS) return std::nullopt;
      auto d = ParseDate(s.substr(0, 10));
      if (!d.ok()) return std::nullopt;
      return Literal::Int(*d);
    }
    case TypeId::kTimestamp: {
      if (t.unit != TimeUnit::kMicros) return std::nullopt;
      std::string_view s;
      if (e.get(s) != simdjson::SUCCESS) return std::nullopt;
      auto us = ParseTimestampMicros(s);
      if (!us.ok()) return std::nullopt;
      // Stats keep milliseconds (truncated): widen by one millisecond either way.
      return Literal::Int(upper ? *us + 999 : *us - 999);
    }
    case TypeId::kDecimal:
    case TypeId::kFloat32:
    case TypeId::kFloat64: {
      double v = 0;
      if (e.get(v) != simdjson::SUCCESS || std::isnan(v)) return std::nullopt;
      if (t.id == TypeId::kDecimal) {
        // A JSON double is not exact for wide decimals: widen by a relative and a unit margin.
        const double margin = std::fabs(v) * 1e-9 + std::pow(10.0, -t.scale);
        v = upper ? v + margin : v - margin;
      } else if (t.id == TypeId::kFloat32) {
        // The writer printed a float; its parse may land a hair inside the true bound.
        v = upper ? std::nextafter(static_cast<double>(static_cast<float>(v)), HUGE_VAL) +
                        std::fabs(v) * 1e-7
                  : std::nextafter(static_cast<double>(static_cast<float>(v)), -HUGE_VAL) -
                        std::fabs(v) * 1e-7;
      }
      return Literal::Double(v);
    }
    case TypeId::kString: {
      if (t.string_kind != StringKind::kPlain) return std::nullopt;
      std::string_view s;
      if (e.get(s) != simdjson::SUCCESS) return std::nullopt;
      return Literal::Bytes(std::string(s));
    }
    case TypeId::kBoolean: {
      bool v = false;
      if (e.get(v) != simdjson::SUCCESS) return std::nullopt;
      return Literal::Bool(v);
    }
    default:
      return std::nullopt;
  }
}

std::optional<simdjson::dom::element> AtPath(simdjson::dom::element root, std::string_view key,
                                             const std::vector<std::string>& path) {
  simdjson::dom::element e;
  if (root.at_key(key).get(e) != simdjson::SUCCESS) return std::nullopt;
  for (const auto& part : path) {
    if (e.at_key(part).get(e) != simdjson::SUCCESS) return std::nullopt;
  }
  if (e.is_null()) return std::nullopt;
  return e;
}

Status CheckLiteral(const ColumnPredicate& p, const DataType& t) {
  size_t want = p.op == Op::kIn ? p.values.size() : 1;
  if (p.op == Op::kIsNull || p.op == Op::kIsNotNull) want = 0;
  if (p.values.size() != want || (p.op == Op::kIn && p.values.empty())) {
    return Status::InvalidArgument("filter on column '{}': wrong number of values ({})", p.column,
                                   p.values.size());
  }
  for (const auto& v : p.values) {
    bool ok = false;
    if (IsIntLike(t)) ok = v.kind == Literal::Kind::kInt;
    if (IsFloat(t)) ok = v.kind == Literal::Kind::kInt || v.kind == Literal::Kind::kDouble;
    if (t.IsVarLength()) ok = v.kind == Literal::Kind::kBytes;
    if (t.id == TypeId::kBoolean) ok = v.kind == Literal::Kind::kBool;
    if (!ok) {
      return Status::InvalidArgument("filter on column '{}' of type {}: a value of the wrong kind",
                                     p.column, DeltaTypeName(t));
    }
  }
  return Status::OK();
}

}  // namespace

Result<std::shared_ptr<const ScanFilter>> ScanFilter::Make(
    const Snapshot& snapshot, const std::vector<ColumnPredicate>& predicates) {
  auto filter = std::shared_ptr<ScanFilter>(new ScanFilter());
  filter->mode_ = snapshot.column_mapping_mode();
  const TableSchema& schema = snapshot.schema();
  for (const auto& p : predicates) {
    Resolved r;
    r.predicate = p;
    // Walk the dotted path; a name may itself hold dots, so at each level take the field named
    // by the whole rest, else the longest field name followed by '.'.
    std::vector<Field> level = schema.fields;
    const std::vector<Field>* fields = &level;
    std::vector<ColumnMeta> metas = schema.metas;
    std::string_view rest = p.column;
    int top = -1;
    while (true) {
      int best = -1;
      size_t best_len = 0;
      bool whole = false;
      for (size_t i = 0; i < fields->size() && !whole; ++i) {
        const std::string& name = (*fields)[i].name;
        if (EqualsIgnoreCase(name, rest)) {
          best = static_cast<int>(i);
          whole = true;
        } else if (rest.size() > name.size() && rest[name.size()] == '.' &&
                   EqualsIgnoreCase(rest.substr(0, name.size()), name) && name.size() >= best_len) {
          best = static_cast<int>(i);
          best_len = name.size();
        }
      }
      if (best < 0) {
        return Status::InvalidArgument("filter column '{}' is not in Delta table {}", p.column,
                                       snapshot.table_root());
      }
      if (top < 0) top = best;
      r.fields.push_back((*fields)[best]);
      r.metas.push_back(best < static_cast<int>(metas.size()) ? metas[best] : ColumnMeta{});
      if (whole) break;
      rest.remove_prefix(best_len + 1);
      if (r.fields.back().type.id != TypeId::kStruct) {
        return Status::InvalidArgument("filter column '{}': '{}' is not a struct", p.column,
                                       r.fields.back().name);
      }
      level = r.fields.back().type.children;
      metas = r.metas.back().children;
    }
    r.type = r.fields.back().type;
    if (r.type.IsNested()) {
      return Status::InvalidArgument("filter column '{}' is a {}, not a primitive column", p.column,
                                     DeltaTypeName(r.type));
    }
    LAKESYNC_RETURN_NOT_OK(CheckLiteral(p, r.type));
    for (size_t i = 0; i < r.fields.size(); ++i) {
      const bool physical =
          filter->mode_ != ColumnMappingMode::kNone && !r.metas[i].physical_name.empty();
      r.stats_path.push_back(physical ? r.metas[i].physical_name : r.fields[i].name);
    }
    if (r.fields.size() == 1) {
      for (const auto& part : snapshot.partition_columns()) {
        if (EqualsIgnoreCase(part, r.fields[0].name)) r.partition = true;
      }
      r.partition_key = schema.PhysicalName(top, filter->mode_);
    }
    filter->predicates_.push_back(std::move(r));
  }
  return std::shared_ptr<const ScanFilter>(std::move(filter));
}

bool ScanFilter::FileMayMatch(const AddFile& file) const {
  // One parser per thread: its buffers are reused from file to file.
  thread_local simdjson::dom::parser parser;
  std::optional<simdjson::dom::element> stats;
  bool stats_tried = false;
  for (const auto& r : predicates_) {
    Bounds b;
    if (r.partition) {
      auto it = file.partition_values.find(r.partition_key);
      if (it == file.partition_values.end()) {
        for (auto p = file.partition_values.begin(); p != file.partition_values.end(); ++p) {
          if (EqualsIgnoreCase(p->first, r.partition_key)) it = p;
        }
      }
      std::optional<std::string> text;
      if (it != file.partition_values.end()) text = it->second;
      auto stored = EncodePartitionValue(r.type, text);
      if (!stored.ok()) continue;  // the scan reports it
      if (!*stored) {
        b.all_null = true;
      } else {
        b.no_null = true;
        b.lo = FromStored(r.type, **stored);
        b.hi = b.lo;
      }
      if (!MayMatch(b, r.predicate, r.type)) return false;
      continue;
    }
    if (!stats_tried) {
      stats_tried = true;
      if (file.stats && !file.stats->empty()) {
        simdjson::dom::element doc;
        if (parser.parse(file.stats->data(), file.stats->size()).get(doc) == simdjson::SUCCESS &&
            doc.is_object()) {
          stats = doc;
        }
      }
    }
    if (!stats) continue;  // no usable stats: the file may match
    std::optional<int64_t> num_records, null_count;
    if (auto e = AtPath(*stats, "numRecords", {})) {
      int64_t n = 0;
      if (e->get(n) == simdjson::SUCCESS) num_records = n;
    }
    if (auto e = AtPath(*stats, "nullCount", r.stats_path)) {
      int64_t n = 0;
      if (e->get(n) == simdjson::SUCCESS) null_count = n;
    }
    if (null_count && *null_count == 0) b.no_null = true;
    // With a deletion vector the two counts may cover different row sets: do not equate them.
    if (null_count && num_records && *null_count == *num_records && !file.deletion_vector) {
      b.all_null = true;
    }
    if (auto e = AtPath(*stats, "minValues", r.stats_path)) b.lo = FromStats(r.type, *e, false);
    if (auto e = AtPath(*stats, "maxValues", r.stats_path)) {
      b.hi = FromStats(r.type, *e, true);
      // Writers cut long strings to a prefix (some then append a high character): either way
      // max + anything bounds the values.
      b.hi_is_prefix = r.type.id == TypeId::kString;
      b.hi_may_hide_nan = IsFloat(r.type);
    }
    if (b.lo && b.hi && b.lo->kind != b.hi->kind) b.lo.reset(), b.hi.reset();
    if (!MayMatch(b, r.predicate, r.type)) return false;
  }
  return true;
}

std::vector<bool> ScanFilter::RowGroupsMayMatch(const parquet::FileReader& reader) const {
  std::vector<ColumnPredicate> file_predicates;
  for (const auto& r : predicates_) {
    if (r.partition) continue;
    const std::vector<Field>* fields = &reader.schema();
    std::string path;
    bool found = true;
    for (size_t i = 0; i < r.fields.size() && found; ++i) {
      const int idx = FindFileField(*fields, r.fields[i], r.metas[i], mode_);
      if (idx < 0 || (*fields)[idx].name.find('.') != std::string::npos) {
        found = false;
        break;
      }
      const Field& f = (*fields)[idx];
      path += (i ? "." : "") + f.name;
      if (i + 1 == r.fields.size()) {
        found = f.type == r.type;  // same representation for the literals
      } else {
        found = f.type.id == TypeId::kStruct;
        fields = &f.type.children;
      }
    }
    if (!found) continue;
    ColumnPredicate p = r.predicate;
    p.column = path;
    file_predicates.push_back(std::move(p));
  }
  std::vector<bool> out(static_cast<size_t>(reader.num_row_groups()), true);
  if (file_predicates.empty()) return out;
  for (int rg = 0; rg < reader.num_row_groups(); ++rg) {
    for (const auto& p : file_predicates) {
      auto may = reader.RowGroupMayMatch(rg, std::vector<ColumnPredicate>{p});
      if (may.ok() && !*may) out[rg] = false;
    }
  }
  return out;
}

std::vector<std::string> ScanFilter::TopLevelColumns() const {
  std::vector<std::string> out;
  for (const auto& r : predicates_) out.push_back(r.fields[0].name);
  return out;
}

Status ScanFilter::SelectMatching(ColumnBatch* batch) const {
  // Locate each predicate's leaf in the batch: top-level column, then struct children.
  std::vector<std::vector<const ColumnVector*>> chains;
  for (const auto& r : predicates_) {
    std::vector<const ColumnVector*> chain;
    int idx = -1;
    for (size_t i = 0; i < batch->schema.size(); ++i) {
      if (EqualsIgnoreCase(batch->schema[i].name, r.fields[0].name)) idx = static_cast<int>(i);
    }
    if (idx < 0 || static_cast<size_t>(idx) >= batch->columns.size()) {
      return Status::InvalidArgument("filter column '{}' is not among the scanned columns",
                                     r.predicate.column);
    }
    chain.push_back(&batch->columns[idx]);
    for (size_t level = 1; level < r.fields.size(); ++level) {
      const ColumnVector& parent = *chain.back();
      const int child = FindFieldIndex(parent.type().children, r.fields[level].name);
      if (child < 0 || static_cast<size_t>(child) >= parent.children().size()) {
        return Status::InvalidArgument("filter column '{}' is not among the scanned columns",
                                       r.predicate.column);
      }
      chain.push_back(&parent.children()[child]);
    }
    chains.push_back(std::move(chain));
  }
  std::vector<uint32_t> keep;
  const int64_t n = batch->num_selected();
  for (int64_t k = 0; k < n; ++k) {
    const uint32_t row = batch->selection ? (*batch->selection)[k] : static_cast<uint32_t>(k);
    bool match = true;
    for (size_t i = 0; i < predicates_.size() && match; ++i) {
      Bounds b;  // exact bounds of one value: MayMatch is then exact
      bool is_null = false;
      for (const ColumnVector* col : chains[i]) is_null = is_null || col->IsNull(row);
      if (is_null) {
        b.all_null = true;
      } else {
        const ColumnVector& leaf = *chains[i].back();
        const int width = leaf.type().ValueWidth();
        const std::string stored =
            leaf.type().IsVarLength()
                ? std::string(leaf.StringValue(row))
                : std::string(reinterpret_cast<const char*>(leaf.values().data()) +
                                  static_cast<size_t>(row) * width,
                              static_cast<size_t>(width));
        b.no_null = true;
        b.lo = FromStored(predicates_[i].type, stored);
        b.hi = b.lo;
        if (!b.lo)
          return Status::NotSupported("cannot filter column '{}' of type {}",
                                      predicates_[i].predicate.column,
                                      DeltaTypeName(predicates_[i].type));
      }
      match = MayMatch(b, predicates_[i].predicate, predicates_[i].type);
    }
    if (match) keep.push_back(row);
  }
  batch->selection = std::move(keep);
  return Status::OK();
}

Result<ColumnPredicate> ScanFilter::ParsePredicate(const Snapshot& snapshot,
                                                   std::string_view text) {
  auto trim = [](std::string_view v) {
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
    return v;
  };
  auto upper = [](std::string_view v) {
    std::string u(v);
    for (auto& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return u;
  };
  const std::string_view all = trim(text);
  const std::string up = upper(all);
  ColumnPredicate p;
  std::vector<std::string_view> values;
  size_t pos;
  if (up.size() > 12 && up.ends_with(" IS NOT NULL")) {
    p.op = Op::kIsNotNull;
    p.column = std::string(trim(all.substr(0, all.size() - 12)));
  } else if (up.size() > 8 && up.ends_with(" IS NULL")) {
    p.op = Op::kIsNull;
    p.column = std::string(trim(all.substr(0, all.size() - 8)));
  } else if ((pos = up.find(" IN ")) != std::string::npos && all.back() == ')') {
    p.op = Op::kIn;
    p.column = std::string(trim(all.substr(0, pos)));
    std::string_view list = trim(all.substr(pos + 4));
    if (list.empty() || list.front() != '(') {
      return Status::InvalidArgument("filter '{}': IN needs a list in parentheses", text);
    }
    list = list.substr(1, list.size() - 2);
    // Values are split at commas outside single quotes.
    size_t start = 0;
    bool quoted = false;
    for (size_t i = 0; i <= list.size(); ++i) {
      if (i < list.size() && list[i] == '\'') quoted = !quoted;
      if (i == list.size() || (list[i] == ',' && !quoted)) {
        values.push_back(trim(list.substr(start, i - start)));
        start = i + 1;
      }
    }
  } else {
    pos = all.find_first_of("<>=");
    if (pos == std::string_view::npos || pos == 0) {
      return Status::InvalidArgument(
          "filter '{}' is not 'column OP value' (OP: = < <= > >= IN IS NULL IS NOT NULL)", text);
    }
    size_t len = 1;
    const char c = all[pos];
    const bool eq_next = pos + 1 < all.size() && all[pos + 1] == '=';
    if (c == '=') {
      p.op = Op::kEq;
    } else if (c == '<') {
      p.op = eq_next ? Op::kLe : Op::kLt;
      len += eq_next;
    } else {
      p.op = eq_next ? Op::kGe : Op::kGt;
      len += eq_next;
    }
    p.column = std::string(trim(all.substr(0, pos)));
    values.push_back(trim(all.substr(pos + len)));
  }
  // The column's type, through the same resolution Make does.
  ColumnPredicate probe = ColumnPredicate::IsNull(p.column);
  LAKESYNC_ASSIGN_OR_RETURN(auto resolved, Make(snapshot, {probe}));
  const DataType& type = resolved->predicates_[0].type;
  for (std::string_view v : values) {
    if (v.size() >= 2 && v.front() == '\'' && v.back() == '\'') v = v.substr(1, v.size() - 2);
    if (v.empty() && !type.IsVarLength()) {
      return Status::InvalidArgument("filter '{}': a value is missing", text);
    }
    auto stored = EncodePartitionValue(type, std::string(v));
    if (!stored.ok()) {
      return stored.status().WithContext(
          fmt::format("filter '{}' on column of type {}", text, DeltaTypeName(type)));
    }
    std::optional<Literal> literal =
        *stored ? FromStored(type, **stored) : std::optional<Literal>(Literal::Bytes(""));
    if (!literal) {
      return Status::InvalidArgument("filter '{}': cannot compare a column of type {}", text,
                                     DeltaTypeName(type));
    }
    p.values.push_back(std::move(*literal));
  }
  return p;
}

}  // namespace lakesync::delta
