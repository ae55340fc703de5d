#include "deltagen/user_profiles.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <charconv>
#include <cmath>

#include "deltagen/compression.h"
#include "deltagen/fields.h"
#include "deltagen/json_util.h"
#include "lakesync/common/macros.h"

namespace lakesync::deltagen {

namespace {

constexpr const char* kDomains[] = {"example.com", "mail.test", "corp.example", "inbox.test",
                                    "users.example"};
constexpr const char* kFirst[] = {
    "Ada",     "Alan",   "Grace",     "Linus",   "Ken",   "Barbara", "Donald", "Edsger",
    "Frances", "John",   "Margaret",  "Niklaus", "Radia", "Tim",     "Vint",   "Yukihiro",
    "Anita",   "Bjarne", "Carol",     "Dennis",  "Edgar", "Fran",    "Guido",  "Hedy",
    "Ivan",    "Jean",   "Katherine", "Leslie",  "Mary",  "Nancy",   "Ole",    "Peter"};
constexpr const char* kLast[] = {
    "Lovelace", "Turing",    "Hopper", "Torvalds",   "Thompson", "Liskov",  "Knuth",
    "Dijkstra", "Allen",     "Backus", "Hamilton",   "Wirth",    "Perlman", "Berners",
    "Cerf",     "Matsumoto", "Borg",   "Stroustrup", "Shaw",     "Ritchie", "Codd",
    "Bilas",    "Rossum",    "Lamarr", "Sutherland", "Sammet",   "Johnson", "Lamport",
    "Kenyon",   "Lynch",     "Dahl",   "Naur"};
// Skewed towards a few countries, as real data is.
constexpr const char* kCountries[] = {"US", "US", "US", "US", "US", "DE", "DE", "GB", "GB",
                                      "FR", "FR", "IN", "IN", "IN", "BR", "JP", "CA", "AU",
                                      "ES", "IT", "NL", "SE", "MX", "KR", "PL"};
constexpr int64_t kEpoch2020Seconds = 1'577'836'800;  // 2020-01-01T00:00:00Z

inline uint64_t Rand(uint64_t seed, int64_t id, uint64_t salt) {
  return HashU64(seed * 0x9e3779b97f4a7c15ULL ^ static_cast<uint64_t>(id) * 0xd6e8feb86659fd93ULL ^
                 salt * 0xa0761d6478bd642fULL);
}

template <size_t N>
void AppendCString(ColumnVector* col, const char* const (&pool)[N], uint64_t r) {
  const char* s = pool[r % N];
  AppendBytes(&col->bytes(), s, std::strlen(s));
}

}  // namespace

std::vector<Field> UserProfilesSchema() {
  return {
      MakeField("user_id", DataType::Primitive(TypeId::kInt64), false),
      MakeField("email", DataType::Primitive(TypeId::kString)),
      MakeField("name", DataType::Primitive(TypeId::kString)),
      MakeField("country", DataType::Primitive(TypeId::kString)),
      MakeField("age", DataType::Primitive(TypeId::kInt32)),
      MakeField("score", DataType::Primitive(TypeId::kFloat64)),
      MakeField("created_at", DataType::Timestamp(TimeUnit::kMicros, true)),
      MakeField("is_active", DataType::Primitive(TypeId::kBoolean)),
      MakeField("balance", DataType::Decimal(12, 2)),
  };
}

ColumnBatch GenerateUserProfiles(int64_t lo, int64_t hi, uint64_t seed) {
  ColumnBatch batch;
  batch.schema = UserProfilesSchema();
  const int64_t n = std::max<int64_t>(0, hi - lo);
  batch.num_rows = n;
  for (const Field& f : batch.schema) {
    ColumnVector col(f.type);
    col.set_length(n);
    batch.columns.push_back(std::move(col));
  }
  std::vector<ColumnVector>& c = batch.columns;
  ColumnVector &user_id = c[0], &email = c[1], &name = c[2], &country = c[3], &age = c[4],
               &score = c[5], &created_at = c[6], &is_active = c[7], &balance = c[8];
  // Nullable columns: validity from a per-column null rate (percent).
  auto nulls = [&](ColumnVector& col, uint64_t salt, int percent) {
    col.validity().resize(n);
    for (int64_t i = 0; i < n; ++i) {
      col.validity()[i] = (Rand(seed, lo + i, salt) % 100) >= static_cast<uint64_t>(percent);
    }
  };
  nulls(email, 101, 1);
  nulls(name, 102, 2);
  nulls(country, 103, 1);
  nulls(age, 104, 3);
  nulls(score, 105, 2);
  nulls(balance, 106, 5);

  user_id.values().resize(n * 8);
  int64_t* ids = user_id.mutable_data<int64_t>();
  for (int64_t i = 0; i < n; ++i) ids[i] = lo + i;

  auto strings = [&](ColumnVector& col, auto&& fill) {
    col.offsets().resize(n + 1);
    col.offsets()[0] = 0;
    for (int64_t i = 0; i < n; ++i) {
      if (col.validity()[i]) fill(i);
      col.offsets()[i + 1] = static_cast<uint32_t>(col.bytes().size());
    }
  };
  email.bytes().reserve(n * 26);
  strings(email, [&](int64_t i) {
    char buf[64];
    const uint64_t r = Rand(seed, lo + i, 1);
    const char* end = fmt::format_to(buf, "user{}@{}", lo + i, kDomains[r % 5]);
    AppendBytes(&email.bytes(), buf, end - buf);
  });
  name.bytes().reserve(n * 14);
  strings(name, [&](int64_t i) {
    const uint64_t r = Rand(seed, lo + i, 2);
    AppendCString(&name, kFirst, r);
    name.bytes().push_back(' ');
    AppendCString(&name, kLast, r >> 20);
  });
  country.bytes().reserve(n * 2);
  strings(country, [&](int64_t i) { AppendCString(&country, kCountries, Rand(seed, lo + i, 3)); });

  age.values().resize(n * 4);
  score.values().resize(n * 8);
  created_at.values().resize(n * 8);
  is_active.values().resize(n);
  balance.values().resize(n * 16);
  int32_t* ages = age.mutable_data<int32_t>();
  double* scores = score.mutable_data<double>();
  int64_t* created = created_at.mutable_data<int64_t>();
  uint8_t* active = is_active.mutable_data<uint8_t>();
  Int128* balances = balance.mutable_data<Int128>();
  for (int64_t i = 0; i < n; ++i) {
    const int64_t id = lo + i;
    ages[i] = age.validity()[i] ? 18 + static_cast<int32_t>(Rand(seed, id, 4) % 73) : 0;
    scores[i] = score.validity()[i] ? static_cast<double>(Rand(seed, id, 5) % 100'000) / 100.0 : 0;
    created[i] = (kEpoch2020Seconds + static_cast<int64_t>(Rand(seed, id, 6) % (5 * 365 * 86400))) *
                 1'000'000;
    active[i] = (Rand(seed, id, 7) % 100) < 80;
    balances[i] =
        balance.validity()[i]
            ? static_cast<Int128>(static_cast<int64_t>(Rand(seed, id, 8) % 10'100'000) - 100'000)
            : 0;
  }
  for (ColumnVector& col : batch.columns) col.CompactValidity();
  return batch;
}

// ---- Predicates and SET expressions

std::string RowPredicate::ToSql() const {
  return fmt::format("user_id % {} = {}", every, every > 0 ? offset % every : offset);
}

SetExpr SetExpr::Parse(std::string column, std::string_view value) {
  SetExpr e;
  e.column = std::move(column);
  auto parse_number = [](std::string_view s, double* out) {
    if (s.empty()) return false;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return ec == std::errc() && p == s.data() + s.size();
  };
  double d;
  if (value == "null") {
    e.kind = Kind::kNull;
  } else if (value == "!") {
    e.kind = Kind::kToggle;
  } else if (value == "true" || value == "false") {
    e.kind = Kind::kLiteralBool;
    e.flag = value == "true";
  } else if (!value.empty() && value[0] == '+' && parse_number(value.substr(1), &d)) {
    e.kind = Kind::kAdd;
    e.number = d;
  } else if (!value.empty() && value[0] == '-' && parse_number(value.substr(1), &d)) {
    e.kind = Kind::kAdd;
    e.number = -d;
  } else if (!value.empty() && value[0] == '*' && parse_number(value.substr(1), &d)) {
    e.kind = Kind::kMul;
    e.number = d;
  } else if (!value.empty() && value[0] == '=') {
    return Parse(e.column, value.substr(1));  // "=..." forces a literal: "=-1" sets -1
  } else if (parse_number(value, &d)) {
    e.kind = Kind::kLiteralNumber;
    e.number = d;
    e.text = std::string(value);
  } else {
    e.kind = Kind::kLiteralString;
    e.text = std::string(value);
  }
  return e;
}

std::string SetExpr::ToJson() const {
  switch (kind) {
    case Kind::kNull:
      return "null";
    case Kind::kToggle:
      return "\"!\"";
    case Kind::kLiteralBool:
      return flag ? "true" : "false";
    case Kind::kAdd:
      return number < 0 ? JsonQuote(fmt::format("{}", number))
                        : JsonQuote(fmt::format("+{}", number));
    case Kind::kMul:
      return JsonQuote(fmt::format("*{}", number));
    case Kind::kLiteralNumber:
      return text.empty() ? fmt::format("{}", number) : text;
    case Kind::kLiteralString:
      return JsonQuote(text);
  }
  return "null";
}

Status ApplySet(ColumnBatch* batch, const std::vector<SetExpr>& set,
                const PodVector<uint8_t>& mask) {
  const int64_t n = batch->num_rows;
  for (const SetExpr& e : set) {
    const int idx = batch->FieldIndex(e.column);
    if (idx < 0) return Status::InvalidArgument("no column '{}' to update", e.column);
    if (!batch->schema[idx].nullable && e.kind == SetExpr::Kind::kNull) {
      return Status::InvalidArgument("column '{}' is not nullable", e.column);
    }
    if (e.column == "user_id") return Status::InvalidArgument("user_id is the key; not updatable");
    ColumnVector& col = batch->columns[idx];
    const TypeId t = col.type().id;
    auto set_valid = [&](int64_t i, bool valid) {
      if (!valid) col.MaterializeValidity();
      if (col.has_nulls()) col.validity()[i] = valid ? 1 : 0;
    };
    const bool numeric = t == TypeId::kInt32 || t == TypeId::kInt64 || t == TypeId::kFloat64 ||
                         t == TypeId::kDecimal || t == TypeId::kTimestamp;
    if (t == TypeId::kString) {
      if (e.kind != SetExpr::Kind::kLiteralString && e.kind != SetExpr::Kind::kLiteralNumber &&
          e.kind != SetExpr::Kind::kNull) {
        return Status::InvalidArgument("column '{}' is a string: set a literal or null", e.column);
      }
      const bool null = e.kind == SetExpr::Kind::kNull;
      PodVector<uint32_t> offsets(n + 1);
      Bytes bytes;
      bytes.reserve(col.bytes().size());
      offsets[0] = 0;
      for (int64_t i = 0; i < n; ++i) {
        if (mask[i]) {
          set_valid(i, !null);
          if (!null) AppendBytes(&bytes, e.text.data(), e.text.size());
        } else {
          const std::string_view s = col.StringValue(i);
          AppendBytes(&bytes, s.data(), s.size());
        }
        offsets[i + 1] = static_cast<uint32_t>(bytes.size());
      }
      col.offsets() = std::move(offsets);
      col.bytes() = std::move(bytes);
    } else if (t == TypeId::kBoolean) {
      uint8_t* v = col.mutable_data<uint8_t>();
      for (int64_t i = 0; i < n; ++i) {
        if (!mask[i]) continue;
        switch (e.kind) {
          case SetExpr::Kind::kNull:
            set_valid(i, false);
            break;
          case SetExpr::Kind::kLiteralBool:
            v[i] = e.flag;
            set_valid(i, true);
            break;
          case SetExpr::Kind::kToggle:
            v[i] = !v[i];
            break;
          default:
            return Status::InvalidArgument("column '{}' is boolean: set true, false, ! or null",
                                           e.column);
        }
      }
    } else if (numeric) {
      if (e.kind != SetExpr::Kind::kAdd && e.kind != SetExpr::Kind::kMul &&
          e.kind != SetExpr::Kind::kLiteralNumber && e.kind != SetExpr::Kind::kNull) {
        return Status::InvalidArgument("column '{}' is numeric: set +n, -n, *n, a number or null",
                                       e.column);
      }
      const double scale = t == TypeId::kDecimal     ? std::pow(10.0, col.type().scale)
                           : t == TypeId::kTimestamp ? 1e6  // timestamps: n is in seconds
                                                     : 1.0;
      for (int64_t i = 0; i < n; ++i) {
        if (!mask[i]) continue;
        if (e.kind == SetExpr::Kind::kNull) {
          set_valid(i, false);
          continue;
        }
        const bool arithmetic = e.kind == SetExpr::Kind::kAdd || e.kind == SetExpr::Kind::kMul;
        if (arithmetic && col.IsNull(i)) continue;  // NULL + 1 is NULL
        auto apply = [&](double x) {
          if (e.kind == SetExpr::Kind::kAdd) return x + e.number * scale;
          if (e.kind == SetExpr::Kind::kMul) return x * e.number;
          return e.number * scale;
        };
        // Results must fit the column type (an out-of-range value would be bad test data).
        auto out_of_range = [&](double v) {
          return Status::InvalidArgument("update of '{}' gives {}, out of range for {}", e.column,
                                         v, col.type().ToString());
        };
        switch (t) {
          case TypeId::kInt32: {
            const double v = std::round(apply(col.Value<int32_t>(i)));
            if (!(v >= -2147483648.0 && v <= 2147483647.0)) return out_of_range(v);
            col.mutable_data<int32_t>()[i] = static_cast<int32_t>(v);
            break;
          }
          case TypeId::kInt64:
          case TypeId::kTimestamp: {
            const double v = std::round(apply(static_cast<double>(col.Value<int64_t>(i))));
            if (!(std::fabs(v) < 9.2e18)) return out_of_range(v);
            col.mutable_data<int64_t>()[i] = static_cast<int64_t>(v);
            break;
          }
          case TypeId::kFloat64:
            col.mutable_data<double>()[i] = apply(col.Value<double>(i));
            break;
          default: {
            const double v = std::round(apply(static_cast<double>(col.Value<Int128>(i))));
            const int precision = col.type().precision;
            if (!(std::fabs(v) < std::min(9.2e18, std::pow(10.0, precision)))) {
              return out_of_range(v / scale);
            }
            col.mutable_data<Int128>()[i] = static_cast<int64_t>(v);
            break;
          }
        }
        set_valid(i, true);
      }
    } else {
      return Status::NotSupported("cannot update column '{}' of type {}", e.column,
                                  col.type().ToString());
    }
  }
  return Status::OK();
}

// ---- UserProfilesTable

namespace {

DeltaTableOptions TableOptionsFor(const UserProfilesOptions& o) {
  DeltaTableOptions d;
  d.name = o.name;
  d.schema = UserProfilesSchema();
  if (!o.partition_by.empty()) d.partition_columns = {o.partition_by};
  d.change_data_feed = o.cdf;
  d.deletion_vectors = o.deletion_vectors;
  d.column_mapping = o.column_mapping;
  d.parquet = o.parquet;
  d.seed = o.seed;
  d.clock_ms = o.clock_ms;
  return d;
}

std::string CodecText(parquet::CompressionCodec c) {
  switch (c) {
    case parquet::CompressionCodec::SNAPPY:
      return "snappy";
    case parquet::CompressionCodec::ZSTD:
      return "zstd";
    case parquet::CompressionCodec::GZIP:
      return "gzip";
    case parquet::CompressionCodec::LZ4_RAW:
      return "lz4_raw";
    case parquet::CompressionCodec::BROTLI:
      return "brotli";
    default:
      return "none";
  }
}

PartitionValues PvFor(const UserProfilesOptions& o, const std::optional<std::string>& value) {
  if (o.partition_by.empty()) return {};
  return {{o.partition_by, value}};
}

ColumnVector ChangeTypeColumn(int64_t rows, const char* type) {
  return ColumnVector::Constant(DataType::Primitive(TypeId::kString), rows, std::string(type));
}

void AddChangeType(ColumnBatch* batch, const char* type) {
  Field f;
  f.name = "_change_type";
  f.type = DataType::Primitive(TypeId::kString);
  batch->schema.push_back(f);
  batch->columns.push_back(ChangeTypeColumn(batch->num_rows, type));
}

std::vector<uint32_t> RowsWhere(const PodVector<uint8_t>& mask) {
  std::vector<uint32_t> rows;
  for (size_t i = 0; i < mask.size(); ++i) {
    if (mask[i]) rows.push_back(static_cast<uint32_t>(i));
  }
  return rows;
}

}  // namespace

std::string ColumnMappingText(ColumnMapping mode) {
  switch (mode) {
    case ColumnMapping::kName:
      return "name";
    case ColumnMapping::kId:
      return "id";
    case ColumnMapping::kNone:
      break;
  }
  return "none";
}

Status ParseColumnMapping(std::string_view text, ColumnMapping* mode) {
  if (text == "none") {
    *mode = ColumnMapping::kNone;
  } else if (text == "name") {
    *mode = ColumnMapping::kName;
  } else if (text == "id") {
    *mode = ColumnMapping::kId;
  } else {
    return Status::InvalidArgument("column mapping '{}' is not none, name or id", text);
  }
  return Status::OK();
}

Result<ColumnBatch> UserProfilesTable::Materialize(const FileState& f, size_t op_count,
                                                   PodVector<uint8_t>* live) const {
  ColumnBatch batch = GenerateUserProfiles(f.lo, f.hi, options_.seed);
  const int64_t n = batch.num_rows;
  live->assign(n, 1);
  const int part = options_.partition_by.empty() ? -1 : batch.FieldIndex(options_.partition_by);
  if (!options_.partition_by.empty()) {
    if (part < 0) return Status::InvalidArgument("no column '{}'", options_.partition_by);
    const ColumnVector& pc = batch.columns[part];
    for (int64_t i = 0; i < n; ++i) {
      (*live)[i] = PartitionValueString(pc, i) == f.partition;
    }
  }
  PodVector<uint8_t> mask;
  for (size_t k = f.birth; k < op_count; ++k) {
    const TableOp& op = ops_[k];
    if (op.kind == TableOp::Kind::kInsert) continue;
    mask.assign(n, 0);
    for (int64_t i = 0; i < n; ++i) mask[i] = (*live)[i] && op.where.Matches(f.lo + i);
    const bool moved_out =
        std::find(f.moved_out_ops.begin(), f.moved_out_ops.end(), k) != f.moved_out_ops.end();
    if (std::find(f.keep_only_ops.begin(), f.keep_only_ops.end(), k) != f.keep_only_ops.end()) {
      for (int64_t i = 0; i < n; ++i) (*live)[i] = mask[i];
    }
    if (op.kind == TableOp::Kind::kUpdate && !moved_out) {
      LAKESYNC_RETURN_NOT_OK(ApplySet(&batch, op.set, mask));
    } else {
      for (int64_t i = 0; i < n; ++i) (*live)[i] = (*live)[i] && !mask[i];
    }
  }
  if (part >= 0) {
    batch.schema.erase(batch.schema.begin() + part);
    batch.columns.erase(batch.columns.begin() + part);
  }
  return batch;
}

Status UserProfilesTable::WriteNewRows(int64_t lo, int64_t hi, int files, size_t birth,
                                       std::vector<AddAction>* adds) {
  files = std::max(1, files);
  const int64_t n = hi - lo;
  for (int k = 0; k < files; ++k) {
    const int64_t a = lo + n * k / files;
    const int64_t b = lo + n * (k + 1) / files;
    if (a == b) continue;
    std::vector<AddAction> written;
    if (options_.partition_by.empty()) {
      // Generated one row group at a time: memory stays bounded however big the file.
      const int64_t step = std::max<int64_t>(1, options_.parquet.row_group_rows);
      ColumnBatch chunk;
      int64_t pos = a;
      auto next = [&]() -> Result<const ColumnBatch*> {
        if (pos >= b) return nullptr;
        const int64_t end = std::min(b, pos + step);
        chunk = GenerateUserProfiles(pos, end, options_.seed);
        pos = end;
        return &chunk;
      };
      LAKESYNC_ASSIGN_OR_RETURN(AddAction add, writer_->WriteDataFile(next, {}));
      written.push_back(std::move(add));
    } else {
      LAKESYNC_ASSIGN_OR_RETURN(
          written, writer_->WritePartitioned(GenerateUserProfiles(a, b, options_.seed)));
    }
    for (AddAction& add : written) {
      FileState f;
      f.path = add.path;
      f.lo = a;
      f.hi = b;
      f.birth = birth;
      f.written_at = birth;
      if (!add.partition_values.empty()) f.partition = add.partition_values[0].second;
      files_.push_back(std::move(f));
      adds->push_back(std::move(add));
    }
  }
  return Status::OK();
}

Result<std::unique_ptr<UserProfilesTable>> UserProfilesTable::Create(
    std::shared_ptr<storage::FileSystem> fs, const std::string& root, UserProfilesOptions options) {
  if (options.rows < 0) return Status::InvalidArgument("rows must be >= 0");
  if (!options.partition_by.empty() && options.partition_by != "country") {
    return Status::InvalidArgument("user_profiles can be partitioned by country only");
  }
  std::unique_ptr<UserProfilesTable> t(new UserProfilesTable());
  t->fs_ = fs;
  t->root_ = root;
  t->options_ = std::move(options);
  LAKESYNC_ASSIGN_OR_RETURN(t->writer_,
                            DeltaTableWriter::Create(fs, root, TableOptionsFor(t->options_)));
  CommitSpec commit;
  commit.operation = "WRITE";
  commit.operation_parameters = {
      {"mode", "ErrorIfExists"},
      {"partitionBy",
       t->options_.partition_by.empty() ? "[]" : "[\"" + t->options_.partition_by + "\"]"}};
  LAKESYNC_RETURN_NOT_OK(
      t->WriteNewRows(1, t->options_.rows + 1, t->options_.files, 0, &commit.adds));
  t->next_id_ = t->options_.rows + 1;
  LAKESYNC_RETURN_NOT_OK(t->writer_->Commit(commit).status());
  LAKESYNC_RETURN_NOT_OK(t->SaveState());
  return t;
}

Result<int64_t> UserProfilesTable::RewriteFiles(const TableOp& op) {
  const bool update = op.kind == TableOp::Kind::kUpdate;
  if (update) {
    for (const SetExpr& e : op.set) {
      if (e.column == options_.partition_by) {
        return Status::NotSupported("cannot update partition column '{}'", e.column);
      }
    }
  }
  if (op.where.every <= 0) return Status::InvalidArgument("'every' must be positive");
  ops_.push_back(op);
  const size_t k = ops_.size() - 1;
  CommitSpec commit;
  commit.operation = update ? "UPDATE" : "DELETE";
  commit.operation_parameters = {{"predicate", "[\"(" + op.where.ToSql() + ")\"]"}};
  std::vector<FileState> next_files;
  PodVector<uint8_t> live, mask;
  for (const FileState& f : files_) {
    auto ops_before = Materialize(f, k, &live);
    if (!ops_before.ok()) {
      ops_.pop_back();
      return ops_before.status();
    }
    ColumnBatch old = std::move(ops_before).value();
    const int64_t n = old.num_rows;
    mask.assign(n, 0);
    int64_t affected = 0;
    for (int64_t i = 0; i < n; ++i) {
      mask[i] = live[i] && op.where.Matches(f.lo + i);
      affected += mask[i];
    }
    if (affected == 0) {
      next_files.push_back(f);
      continue;
    }
    auto it = writer_->active_files().find(f.path);
    if (it == writer_->active_files().end()) {
      ops_.pop_back();
      return Status::Internal("state names {} but the log does not", f.path);
    }
    const PartitionValues pv = PvFor(options_, f.partition);
    // Replaces the file by a new one holding `batch`'s selected rows, written by this operation.
    auto rewrite = [&](const ColumnBatch& batch) -> Status {
      LAKESYNC_ASSIGN_OR_RETURN(AddAction add, writer_->WriteDataFile(batch, pv));
      FileState nf = f;
      nf.path = add.path;
      nf.written_at = k + 1;
      next_files.push_back(nf);
      commit.adds.push_back(std::move(add));
      return Status::OK();
    };
    commit.removes.push_back(writer_->RemoveFor(it->second));
    std::vector<uint32_t> changed = RowsWhere(mask);
    ColumnBatch neu;
    if (update) {
      neu = old;
      Status st = ApplySet(&neu, op.set, mask);
      if (!st.ok()) {
        ops_.pop_back();
        return st;
      }
    }
    for (int64_t i = 0; i < n; ++i) live[i] = live[i] && !mask[i];
    std::vector<uint32_t> remaining = RowsWhere(live);
    if (options_.deletion_vectors) {
      // Merge-on-read: the file stays; its deletion vector marks every row gone since it was
      // written, by position in the file. An UPDATE's new row versions go to a new file.
      FileState kept = f;
      if (update) kept.moved_out_ops.push_back(k);
      if (!remaining.empty()) {
        PodVector<uint8_t> written;
        LAKESYNC_ASSIGN_OR_RETURN(ColumnBatch unused, Materialize(f, f.written_at, &written));
        (void)unused;
        std::vector<uint64_t> deleted;
        uint64_t pos = 0;
        for (int64_t i = 0; i < n; ++i) {
          if (!written[i]) continue;
          if (!live[i]) deleted.push_back(pos);
          ++pos;
        }
        LAKESYNC_ASSIGN_OR_RETURN(DeletionVectorDescriptor dv,
                                  writer_->WriteDeletionVector(deleted));
        commit.adds.push_back(writer_->WithDeletionVector(it->second, std::move(dv)));
        next_files.push_back(kept);
      }
      if (update) {
        neu.selection = changed;
        LAKESYNC_ASSIGN_OR_RETURN(AddAction add, writer_->WriteDataFile(neu, pv));
        FileState nf = f;
        nf.path = add.path;
        nf.written_at = k + 1;
        // The rows f held then, that op k matched: f's history still applies to them.
        nf.keep_only_ops.push_back(k);
        next_files.push_back(nf);
        commit.adds.push_back(std::move(add));
      }
    } else if (update) {
      for (int64_t i = 0; i < n; ++i) live[i] = live[i] || mask[i];
      neu.selection = RowsWhere(live);
      LAKESYNC_RETURN_NOT_OK(rewrite(neu));
    } else if (!remaining.empty()) {
      old.selection = std::move(remaining);
      LAKESYNC_RETURN_NOT_OK(rewrite(old));
    }
    if (options_.cdf) {
      old.selection = changed;
      if (update) {
        neu.selection = changed;
        AddChangeType(&old, "update_preimage");
        AddChangeType(&neu, "update_postimage");
        LAKESYNC_ASSIGN_OR_RETURN(CdcAction cdc, writer_->WriteCdcFile({&old, &neu}, pv));
        commit.cdcs.push_back(std::move(cdc));
      } else if (!options_.deletion_vectors) {
        // With deletion vectors a DELETE writes no change data: readers take the deleted rows
        // from the change of the file's deletion vector (as Spark's DV deletes leave it).
        AddChangeType(&old, "delete");
        LAKESYNC_ASSIGN_OR_RETURN(CdcAction cdc, writer_->WriteCdcFile({&old}, pv));
        commit.cdcs.push_back(std::move(cdc));
      }
    }
  }
  // Data files no commit names are garbage only; the state stays consistent with the log.
  auto version = writer_->Commit(commit);
  if (!version.ok()) {
    ops_.pop_back();
    return version.status();
  }
  files_ = std::move(next_files);
  LAKESYNC_RETURN_NOT_OK(SaveState());
  return version;
}

Result<int64_t> UserProfilesTable::Update(const RowPredicate& where,
                                          const std::vector<SetExpr>& set) {
  if (set.empty()) return Status::InvalidArgument("an update needs at least one SET");
  TableOp op;
  op.kind = TableOp::Kind::kUpdate;
  op.where = where;
  op.set = set;
  return RewriteFiles(op);
}

Result<int64_t> UserProfilesTable::Delete(const RowPredicate& where) {
  TableOp op;
  op.kind = TableOp::Kind::kDelete;
  op.where = where;
  return RewriteFiles(op);
}

Result<int64_t> UserProfilesTable::Insert(int64_t rows, int files) {
  if (rows <= 0) return Status::InvalidArgument("insert needs rows > 0");
  TableOp op;
  op.kind = TableOp::Kind::kInsert;
  op.rows = rows;
  op.first_id = next_id_;
  ops_.push_back(op);
  CommitSpec commit;
  commit.operation = "WRITE";
  commit.operation_parameters = {{"mode", "Append"}, {"partitionBy", "[]"}};
  const size_t saved_files = files_.size();
  Status st = WriteNewRows(next_id_, next_id_ + rows, files, ops_.size(), &commit.adds);
  Result<int64_t> version = st.ok() ? writer_->Commit(commit) : Result<int64_t>(st);
  if (!version.ok()) {
    ops_.pop_back();
    files_.resize(saved_files);
    return version.status();
  }
  next_id_ += rows;
  LAKESYNC_RETURN_NOT_OK(SaveState());
  return version;
}

Status UserProfilesTable::Checkpoint(int parts) { return writer_->Checkpoint(parts); }

Result<std::vector<ColumnBatch>> UserProfilesTable::CurrentRows() const {
  std::vector<ColumnBatch> out;
  PodVector<uint8_t> live;
  for (const FileState& f : files_) {
    LAKESYNC_ASSIGN_OR_RETURN(ColumnBatch b, Materialize(f, ops_.size(), &live));
    b.selection = RowsWhere(live);
    out.push_back(std::move(b));
  }
  return out;
}

Result<int64_t> UserProfilesTable::CountRows() const {
  LAKESYNC_ASSIGN_OR_RETURN(std::vector<ColumnBatch> batches, CurrentRows());
  int64_t n = 0;
  for (const ColumnBatch& b : batches) n += b.num_selected();
  return n;
}

// ---- State file

std::string UserProfilesTable::StateJson() const {
  const ParquetWriterOptions& p = options_.parquet;
  std::string s = fmt::format(
      R"({{"kind":"user_profiles","version":{},"name":{},"seed":{},"rows":{},"files":{},"cdf":{},"partition_by":{},"codec":"{}","dictionary":{},"row_group_rows":{},"page_size":{},"data_page_v2":{},"deletion_vectors":{},"column_mapping":"{}","next_id":{})",
      writer_->version(), JsonQuote(options_.name), options_.seed, options_.rows, options_.files,
      options_.cdf, JsonQuote(options_.partition_by), CodecText(p.codec), p.dictionary,
      p.row_group_rows, p.page_size, p.data_page_v2, options_.deletion_vectors,
      ColumnMappingText(options_.column_mapping), next_id_);
  if (options_.clock_ms) s += fmt::format(R"(,"clock_ms":{})", *options_.clock_ms);
  s += ",\n\"ops\":[";
  for (size_t i = 0; i < ops_.size(); ++i) {
    const TableOp& op = ops_[i];
    s += i > 0 ? ",\n" : "\n";
    switch (op.kind) {
      case TableOp::Kind::kUpdate: {
        s += fmt::format(R"({{"update":{{"every":{},"offset":{},"set":{{)", op.where.every,
                         op.where.offset);
        for (size_t j = 0; j < op.set.size(); ++j) {
          if (j > 0) s += ",";
          s += JsonQuote(op.set[j].column) + ":" + op.set[j].ToJson();
        }
        s += "}}}";
        break;
      }
      case TableOp::Kind::kDelete:
        s += fmt::format(R"({{"delete":{{"every":{},"offset":{}}}}})", op.where.every,
                         op.where.offset);
        break;
      case TableOp::Kind::kInsert:
        s += fmt::format(R"({{"insert":{{"rows":{},"first_id":{}}}}})", op.rows, op.first_id);
        break;
    }
  }
  s += "],\n\"data_files\":[";
  for (size_t i = 0; i < files_.size(); ++i) {
    const FileState& f = files_[i];
    s += i > 0 ? ",\n" : "\n";
    s += fmt::format(R"({{"path":{},"lo":{},"hi":{},"birth":{},"written_at":{})", JsonQuote(f.path),
                     f.lo, f.hi, f.birth, f.written_at);
    if (!options_.partition_by.empty()) {
      s += R"(,"partition":)" + (f.partition ? JsonQuote(*f.partition) : std::string("null"));
    }
    if (!f.keep_only_ops.empty()) {
      s += fmt::format(R"(,"keep_only_ops":[{}])", fmt::join(f.keep_only_ops, ","));
    }
    if (!f.moved_out_ops.empty()) {
      s += fmt::format(R"(,"moved_out_ops":[{}])", fmt::join(f.moved_out_ops, ","));
    }
    s += "}";
  }
  s += "]}\n";
  return s;
}

Status UserProfilesTable::SaveState() {
  return fs_->WriteFile(storage::JoinPath(root_, kStateFile), StateJson());
}

namespace {

// Parses one SET value from the state file or a scenario (JSON string, number, bool, null).
SetExpr SetFromJson(std::string column, simdjson::dom::element v) {
  std::string_view s;
  if (v.get(s) == simdjson::SUCCESS) {
    return SetExpr::Parse(std::move(column), s.empty() ? std::string_view("=") : s);
  }
  bool b;
  if (v.get(b) == simdjson::SUCCESS) return SetExpr::Parse(std::move(column), b ? "true" : "false");
  if (v.is_null()) return SetExpr::Parse(std::move(column), "null");
  return SetExpr::Parse(std::move(column), simdjson::minify(v));
}

}  // namespace

Result<std::unique_ptr<UserProfilesTable>> UserProfilesTable::Open(
    std::shared_ptr<storage::FileSystem> fs, const std::string& root) {
  const std::string state_path = storage::JoinPath(root, kStateFile);
  LAKESYNC_ASSIGN_OR_RETURN(storage::FileInfo info, fs->GetFileInfo(state_path));
  if (!info.exists) {
    return Status::NotFound("{} has no {}: not a table written by deltagen user-profiles", root,
                            kStateFile);
  }
  LAKESYNC_ASSIGN_OR_RETURN(std::string text, fs->ReadFile(state_path));
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(text).get(doc) != simdjson::SUCCESS) {
    return Status::Corruption("{}: malformed JSON", state_path);
  }
  std::unique_ptr<UserProfilesTable> t(new UserProfilesTable());
  t->fs_ = fs;
  t->root_ = root;
  UserProfilesOptions& o = t->options_;
  std::string_view sv;
  int64_t i64 = 0;
  uint64_t u64 = 0;
  bool b = false;
  int64_t state_version = -1;
  auto bad = [&](const char* what) { return Status::Corruption("{}: bad '{}'", state_path, what); };
  if (doc["kind"].get(sv) != simdjson::SUCCESS) return bad("kind");
  if (sv != "user_profiles") {
    return Status::NotSupported("{} is a deltagen '{}' table; changes work on user_profiles only",
                                root, std::string(sv));
  }
  if (doc["version"].get(state_version) != simdjson::SUCCESS) return bad("version");
  if (doc["name"].get(sv) == simdjson::SUCCESS) o.name = std::string(sv);
  if (doc["seed"].get(u64) != simdjson::SUCCESS) return bad("seed");
  o.seed = u64;
  if (doc["rows"].get(i64) == simdjson::SUCCESS) o.rows = i64;
  if (doc["files"].get(i64) == simdjson::SUCCESS) o.files = static_cast<int>(i64);
  if (doc["cdf"].get(b) == simdjson::SUCCESS) o.cdf = b;
  if (doc["partition_by"].get(sv) == simdjson::SUCCESS) o.partition_by = std::string(sv);
  if (doc["codec"].get(sv) == simdjson::SUCCESS) {
    LAKESYNC_RETURN_NOT_OK(ParseCodec(sv, &o.parquet.codec));
  }
  if (doc["dictionary"].get(b) == simdjson::SUCCESS) o.parquet.dictionary = b;
  if (doc["row_group_rows"].get(i64) == simdjson::SUCCESS) o.parquet.row_group_rows = i64;
  if (doc["page_size"].get(i64) == simdjson::SUCCESS) o.parquet.page_size = i64;
  if (doc["data_page_v2"].get(b) == simdjson::SUCCESS) o.parquet.data_page_v2 = b;
  if (doc["deletion_vectors"].get(b) == simdjson::SUCCESS) o.deletion_vectors = b;
  if (doc["column_mapping"].get(sv) == simdjson::SUCCESS) {
    LAKESYNC_RETURN_NOT_OK(ParseColumnMapping(sv, &o.column_mapping));
  }
  if (doc["clock_ms"].get(i64) == simdjson::SUCCESS) o.clock_ms = i64;
  if (doc["next_id"].get(i64) != simdjson::SUCCESS) return bad("next_id");
  t->next_id_ = i64;
  simdjson::dom::array arr;
  if (doc["ops"].get(arr) != simdjson::SUCCESS) return bad("ops");
  for (simdjson::dom::element e : arr) {
    TableOp op;
    simdjson::dom::element body;
    if (e["update"].get(body) == simdjson::SUCCESS) {
      op.kind = TableOp::Kind::kUpdate;
      simdjson::dom::object set;
      if (body["set"].get(set) != simdjson::SUCCESS) return bad("ops.update.set");
      for (auto [k, v] : set) op.set.push_back(SetFromJson(std::string(k), v));
    } else if (e["delete"].get(body) == simdjson::SUCCESS) {
      op.kind = TableOp::Kind::kDelete;
    } else if (e["insert"].get(body) == simdjson::SUCCESS) {
      op.kind = TableOp::Kind::kInsert;
      if (body["rows"].get(op.rows) != simdjson::SUCCESS) return bad("ops.insert.rows");
      if (body["first_id"].get(op.first_id) != simdjson::SUCCESS) return bad("ops.insert.first_id");
    } else {
      return bad("ops");
    }
    if (op.kind != TableOp::Kind::kInsert) {
      if (body["every"].get(op.where.every) != simdjson::SUCCESS) return bad("ops.every");
      if (body["offset"].get(op.where.offset) != simdjson::SUCCESS) op.where.offset = 0;
    }
    t->ops_.push_back(std::move(op));
  }
  if (doc["data_files"].get(arr) != simdjson::SUCCESS) return bad("data_files");
  for (simdjson::dom::element e : arr) {
    FileState f;
    if (e["path"].get(sv) != simdjson::SUCCESS) return bad("data_files.path");
    f.path = std::string(sv);
    if (e["lo"].get(f.lo) != simdjson::SUCCESS || e["hi"].get(f.hi) != simdjson::SUCCESS ||
        e["birth"].get(i64) != simdjson::SUCCESS) {
      return bad("data_files");
    }
    f.birth = static_cast<size_t>(i64);
    f.written_at = f.birth;
    if (e["written_at"].get(i64) == simdjson::SUCCESS) f.written_at = static_cast<size_t>(i64);
    if (e["partition"].get(sv) == simdjson::SUCCESS) f.partition = std::string(sv);
    for (auto [key, list] : {std::pair{"keep_only_ops", &f.keep_only_ops},
                             std::pair{"moved_out_ops", &f.moved_out_ops}}) {
      simdjson::dom::array ops;
      if (e[key].get(ops) != simdjson::SUCCESS) continue;
      for (simdjson::dom::element m : ops) {
        if (m.get(u64) != simdjson::SUCCESS) return bad("data_files");
        list->push_back(static_cast<size_t>(u64));
      }
    }
    t->files_.push_back(std::move(f));
  }
  LAKESYNC_ASSIGN_OR_RETURN(t->writer_, DeltaTableWriter::Open(fs, root, TableOptionsFor(o)));
  if (t->writer_->version() != state_version) {
    return Status::Conflict(
        "{}: the Delta log is at version {} but {} describes version {}; the table was changed "
        "by another writer",
        root, t->writer_->version(), kStateFile, state_version);
  }
  return t;
}

}  // namespace lakesync::deltagen
