#include "deltagen/all_types.h"

#include <cmath>
#include <limits>

#include "deltagen/fields.h"
#include "lakesync/common/macros.h"

namespace lakesync::deltagen {

namespace {

DataType P(TypeId id) { return DataType::Primitive(id); }

Int128 Pow10(int n) {
  Int128 v = 1;
  for (int i = 0; i < n; ++i) v *= 10;
  return v;
}

}  // namespace

std::vector<Field> AllTypesSchema(bool with_ntz) {
  std::vector<Field> s = {
      MakeField("id", P(TypeId::kInt64), false),
      MakeField("b", P(TypeId::kBoolean)),
      MakeField("i8", P(TypeId::kInt8)),
      MakeField("i16", P(TypeId::kInt16)),
      MakeField("i32", P(TypeId::kInt32)),
      MakeField("i64", P(TypeId::kInt64)),
      MakeField("f32", P(TypeId::kFloat32)),
      MakeField("f64", P(TypeId::kFloat64)),
      MakeField("d9", DataType::Decimal(9, 2)),
      MakeField("d18", DataType::Decimal(18, 6)),
      MakeField("d38", DataType::Decimal(38, 10)),
      MakeField("s", P(TypeId::kString)),
      MakeField("bin", P(TypeId::kBinary)),
      MakeField("dt", P(TypeId::kDate)),
      MakeField("ts", DataType::Timestamp(TimeUnit::kMicros, true)),
  };
  if (with_ntz) s.push_back(MakeField("ts_ntz", DataType::Timestamp(TimeUnit::kMicros, false)));
  s.push_back(MakeField("st", DataType::Struct({MakeField("x", P(TypeId::kInt32)),
                                                MakeField("y", P(TypeId::kString))})));
  s.push_back(MakeField("arr", DataType::List(MakeField("element", P(TypeId::kInt64)))));
  s.push_back(MakeField("m", DataType::Map(MakeField("key", P(TypeId::kString), false),
                                           MakeField("value", P(TypeId::kFloat64)))));
  return s;
}

std::vector<Value> AllTypesRow(int64_t id, uint64_t seed, bool with_ntz) {
  const uint64_t h = HashU64(seed * 0x9e3779b97f4a7c15ULL ^ static_cast<uint64_t>(id));
  auto null_if = [&](int col, Value v) {
    // Row 1 is all extremes, row 2 all nulls; otherwise about 1 in 10 per column.
    if (id == 2) return Value::Null();
    if (id > 2 && (HashU64(h + col) % 10) == 0) return Value::Null();
    return v;
  };
  const bool extreme = id == 1;
  const int64_t r = static_cast<int64_t>(h >> 1);
  std::vector<Value> row;
  row.push_back(Value::Int(id));
  row.push_back(null_if(1, Value::Bool(h & 1)));
  row.push_back(null_if(2, Value::Int(extreme ? -128 : static_cast<int8_t>(h >> 8))));
  row.push_back(null_if(3, Value::Int(extreme ? -32768 : static_cast<int16_t>(h >> 16))));
  row.push_back(null_if(4, Value::Int(extreme ? std::numeric_limits<int32_t>::min()
                                              : static_cast<int32_t>(h >> 20))));
  row.push_back(
      null_if(5, Value::Int(extreme ? std::numeric_limits<int64_t>::max() : r - (r >> 1))));
  const int special = static_cast<int>(id % 17);
  double f = static_cast<double>(static_cast<int32_t>(h >> 24)) / 1024.0;
  if (special == 3) f = -0.0;
  if (special == 5) f = std::numeric_limits<double>::quiet_NaN();
  if (special == 7) f = std::numeric_limits<double>::infinity();
  if (special == 11) f = -std::numeric_limits<double>::infinity();
  row.push_back(null_if(6, Value::Double(static_cast<float>(f))));
  row.push_back(null_if(7, Value::Double(extreme ? std::numeric_limits<double>::max() : f * 1.5)));
  row.push_back(null_if(
      8, Value::Decimal(extreme ? Pow10(9) - 1 : static_cast<int32_t>(h >> 40) - 8'000'000)));
  row.push_back(
      null_if(9, Value::Decimal(extreme ? -(Pow10(18) - 1) : r % 1'000'000'000'000'000LL)));
  row.push_back(null_if(
      10, Value::Decimal(extreme ? Pow10(38) - 1
                                 : static_cast<Int128>(r) * 1'000'000'007LL * (id % 2 ? -1 : 1))));
  static const char* kStrings[] = {"",        "plain",         "héllo wörld",    "日本語",
                                   "emoji 😀", "quote ' \" \\", "tab\tnewline\n", "a,b;c"};
  row.push_back(
      null_if(11, Value::String(std::string(kStrings[h % 8]) + (h % 3 ? std::to_string(id) : ""))));
  std::string bin;
  for (int k = 0; k < static_cast<int>(h % 6); ++k)
    bin.push_back(static_cast<char>((h >> (8 * k)) & 0xff));
  row.push_back(null_if(12, Value::String(bin)));
  row.push_back(null_if(
      13, Value::Int(extreme ? -719162 : static_cast<int32_t>(h % 40000) - 10000)));  // 0001-01-01
  row.push_back(
      null_if(14, Value::Int(extreme ? -62135596800000000LL
                                     : static_cast<int64_t>(h % 4'000'000'000'000'000ULL) -
                                           1'000'000'000'000'000LL)));
  if (with_ntz) {
    row.push_back(
        null_if(15, Value::Int(extreme ? 253402300799999999LL  // 9999-12-31 23:59:59.999999
                                       : static_cast<int64_t>(h % 2'000'000'000'000'000ULL))));
  }
  row.push_back(
      null_if(16, Value::Struct({h % 4 ? Value::Int(static_cast<int32_t>(h >> 33)) : Value::Null(),
                                 Value::String("y" + std::to_string(id))})));
  std::vector<Value> arr;
  for (int k = 0; k < static_cast<int>(id % 4); ++k)
    arr.push_back(k == 2 ? Value::Null() : Value::Int(id * 10 + k));
  row.push_back(null_if(17, Value::List(std::move(arr))));
  std::vector<std::pair<Value, Value>> m;
  for (int k = 0; k < static_cast<int>(id % 3); ++k) {
    m.emplace_back(Value::String("k" + std::to_string(k)),
                   k == 1 ? Value::Null() : Value::Double(id + k / 4.0));
  }
  row.push_back(null_if(18, Value::Map(std::move(m))));
  return row;
}

Result<std::unique_ptr<DeltaTableWriter>> WriteAllTypesTable(
    std::shared_ptr<storage::FileSystem> fs, const std::string& root,
    const AllTypesOptions& options) {
  DeltaTableOptions d;
  d.name = "all_types";
  d.schema = AllTypesSchema(options.with_ntz);
  if (!options.partition_by.empty()) d.partition_columns = {options.partition_by};
  d.change_data_feed = options.cdf;
  d.column_mapping = options.column_mapping;
  d.parquet = options.parquet;
  d.seed = options.seed;
  d.clock_ms = options.clock_ms;
  LAKESYNC_ASSIGN_OR_RETURN(auto w, DeltaTableWriter::Create(fs, root, d));
  CommitSpec commit;
  commit.operation = "WRITE";
  commit.operation_parameters = {{"mode", "ErrorIfExists"}, {"partitionBy", "[]"}};
  const int files = std::max(1, options.files);
  for (int k = 0; k < files; ++k) {
    const int64_t lo = 1 + options.rows * k / files;
    const int64_t hi = 1 + options.rows * (k + 1) / files;
    if (lo == hi) continue;
    std::vector<std::vector<Value>> rows;
    rows.reserve(hi - lo);
    for (int64_t id = lo; id < hi; ++id)
      rows.push_back(AllTypesRow(id, options.seed, options.with_ntz));
    LAKESYNC_ASSIGN_OR_RETURN(ColumnBatch batch, BuildBatch(d.schema, rows));
    LAKESYNC_ASSIGN_OR_RETURN(std::vector<AddAction> adds, w->WritePartitioned(std::move(batch)));
    for (AddAction& a : adds) commit.adds.push_back(std::move(a));
  }
  LAKESYNC_RETURN_NOT_OK(w->Commit(commit).status());
  return w;
}

}  // namespace lakesync::deltagen
