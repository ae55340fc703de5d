#include "lakesync/parquet/statistics_filter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <set>

#include "lakesync/parquet/buffer_file.h"
#include "lakesync/parquet/file_reader.h"
#include "lakesync/parquet/test_util.h"
#include "lakesync/storage/local_file_system.h"
#include "lakesync/testing/test_paths.h"

namespace lakesync::parquet {
namespace {

namespace fs = std::filesystem;
using Op = ColumnPredicate::Op;
using ::lakesync::testing::SharedDir;

// Spark 3.5 (parquet-mr 1.13.1) wrote this five-row file with nested struct columns of every
// primitive type and min_value/max_value statistics with column orders.
constexpr char kSkippingTable[] =
    "/delta-tables/delta-kernel-rs/kernel/tests/data/"
    "parquet_row_group_skipping";

std::string FirstDataFile(const std::string& table) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(table, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("part-", 0) == 0 && e.path().extension() == ".parquet") return e.path();
  }
  return "";
}

std::unique_ptr<FileReader> Open(const std::string& path) {
  storage::LocalFileSystem lfs;
  auto file = lfs.OpenForRead(path);
  if (!file.ok()) return nullptr;
  auto reader =
      FileReader::Open(std::shared_ptr<storage::RandomAccessFile>(std::move(file).value()));
  return reader.ok() ? std::move(reader).value() : nullptr;
}

class SkippingFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string path = FirstDataFile(SharedDir() + kSkippingTable);
    if (SharedDir().empty() || path.empty()) GTEST_SKIP() << "no shared tables";
    reader_ = Open(path);
    ASSERT_NE(reader_, nullptr) << path;
    md_ = reader_->metadata();
    schema_ = reader_->parquet_schema();
  }

  // The answer for `p` on the (possibly edited) metadata; fails the test on an error.
  bool May(const ColumnPredicate& p) {
    auto r = RowGroupMayMatch(md_, schema_, 0, p);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() && *r;
  }
  int Leaf(const std::string& dotted) {
    for (const LeafColumn& l : schema_.leaves) {
      if (l.dotted_path == dotted) return l.index;
    }
    ADD_FAILURE() << dotted;
    return 0;
  }
  Statistics& Stats(const std::string& dotted) {
    return *md_.row_groups[0].columns[Leaf(dotted)].meta_data->statistics;
  }

  std::unique_ptr<FileReader> reader_;
  FileMetaData md_;
  ParquetSchema schema_;
};

ColumnPredicate Cmp(const std::string& c, Op op, Literal l) {
  return ColumnPredicate::Compare(c, op, std::move(l));
}

TEST_F(SkippingFileTest, ComparisonsSkipOutsideMinMax) {
  const std::string c = "numeric.ints.int16";  // 1000..1004
  EXPECT_FALSE(May(Cmp(c, Op::kLt, Literal::Int(1000))));
  EXPECT_TRUE(May(Cmp(c, Op::kLe, Literal::Int(1000))));
  EXPECT_FALSE(May(Cmp(c, Op::kGt, Literal::Int(1004))));
  EXPECT_TRUE(May(Cmp(c, Op::kGe, Literal::Int(1004))));
  EXPECT_FALSE(May(Cmp(c, Op::kEq, Literal::Int(999))));
  EXPECT_TRUE(May(Cmp(c, Op::kEq, Literal::Int(1002))));
  EXPECT_FALSE(May(ColumnPredicate::In(c, {Literal::Int(1), Literal::Int(2000)})));
  EXPECT_TRUE(May(ColumnPredicate::In(c, {Literal::Int(1), Literal::Int(1003)})));
  EXPECT_FALSE(May(ColumnPredicate::In(c, {})));

  EXPECT_FALSE(May(Cmp("numeric.ints.int64", Op::kGt, Literal::Int(1000000004))));
  EXPECT_FALSE(May(Cmp("chrono.date32", Op::kEq, Literal::Int(364))));  // 1970-12-31
  EXPECT_TRUE(May(Cmp("chrono.date32", Op::kEq, Literal::Int(365))));   // 1971-01-01
  // Decimals compare unscaled: decimal(32,3) in FIXED_LEN_BYTE_ARRAY, decimal(8,3) in INT32.
  EXPECT_FALSE(May(Cmp("numeric.decimals.decimal128", Op::kLt, Literal::Int(11128))));
  EXPECT_TRUE(May(Cmp("numeric.decimals.decimal128", Op::kLe, Literal::Int(11128))));
  EXPECT_FALSE(May(Cmp("numeric.decimals.decimal32", Op::kGt, Literal::Int(15032))));
  // Strings compare as unsigned bytes.
  EXPECT_FALSE(May(Cmp("varlen.utf8", Op::kGt, Literal::Bytes("e"))));
  EXPECT_TRUE(May(Cmp("varlen.utf8", Op::kGt, Literal::Bytes("d\xff"))));
  EXPECT_FALSE(May(Cmp("varlen.utf8", Op::kLt, Literal::Bytes("a"))));
  EXPECT_FALSE(May(Cmp("varlen.utf8", Op::kEq, Literal::Bytes("\xc3\xa9"))));
  // Floats: below the minimum is skipped; above the maximum is not (NaN is not in the
  // statistics and sorts above every number).
  EXPECT_FALSE(May(Cmp("numeric.floats.float64", Op::kLt, Literal::Double(1147))));
  EXPECT_TRUE(May(Cmp("numeric.floats.float32", Op::kEq, Literal::Int(140))));
  EXPECT_FALSE(May(Cmp("numeric.floats.float32", Op::kEq, Literal::Int(138))));
  EXPECT_TRUE(May(Cmp("numeric.floats.float32", Op::kGt, Literal::Double(2e6))));
  EXPECT_TRUE(May(Cmp("numeric.floats.float32", Op::kEq, Literal::Double(std::nan("")))));
  // INT96 has no defined order: never skipped.
  EXPECT_TRUE(
      May(Cmp("chrono.timestamp", Op::kLt, Literal::Int(std::numeric_limits<int64_t>::min()))));
}

TEST_F(SkippingFileTest, NullTestsUseNullCount) {
  EXPECT_TRUE(May(ColumnPredicate::IsNull("bool")));  // 3 of 5 rows are null
  EXPECT_TRUE(May(ColumnPredicate::IsNotNull("bool")));
  EXPECT_FALSE(May(ColumnPredicate::IsNull("numeric.ints.int8")));  // no nulls
  EXPECT_TRUE(May(ColumnPredicate::IsNotNull("numeric.ints.int8")));
  // All null: no comparison and no IS NOT NULL can match.
  Stats("numeric.ints.int8").null_count = 5;
  EXPECT_FALSE(May(ColumnPredicate::IsNotNull("numeric.ints.int8")));
  EXPECT_FALSE(May(Cmp("numeric.ints.int8", Op::kEq, Literal::Int(2))));
  EXPECT_TRUE(May(ColumnPredicate::IsNull("numeric.ints.int8")));
  // Without a null count nothing is known.
  Stats("numeric.ints.int8").null_count.reset();
  EXPECT_TRUE(May(ColumnPredicate::IsNull("numeric.ints.int8")));
}

TEST_F(SkippingFileTest, UnknownOrUnreliableOrdersNeverSkip) {
  // A column order this reader does not know: min/max mean nothing.
  ASSERT_FALSE(md_.column_orders.empty());
  md_.column_orders[Leaf("numeric.ints.int16")].type_defined_order = false;
  EXPECT_TRUE(May(Cmp("numeric.ints.int16", Op::kLt, Literal::Int(1000))));

  // No column orders (older writers): min_value/max_value and min/max were compared signed,
  // which holds for signed numbers but not for byte arrays or decimals in bytes.
  md_.column_orders.clear();
  EXPECT_FALSE(May(Cmp("numeric.ints.int32", Op::kLt, Literal::Int(1000000))));
  EXPECT_TRUE(May(Cmp("varlen.utf8", Op::kGt, Literal::Bytes("e"))));
  EXPECT_TRUE(May(Cmp("numeric.decimals.decimal128", Op::kLt, Literal::Int(11128))));
}

TEST_F(SkippingFileTest, DeprecatedMinMaxOnlyForSignedNumbers) {
  // Move int32's and utf8's bounds to the deprecated fields.
  for (const char* c : {"numeric.ints.int32", "varlen.utf8"}) {
    Statistics& st = Stats(c);
    st.min = st.min_value;
    st.max = st.max_value;
    st.min_value.reset();
    st.max_value.reset();
  }
  EXPECT_FALSE(May(Cmp("numeric.ints.int32", Op::kLt, Literal::Int(1000000))));
  EXPECT_TRUE(May(Cmp("varlen.utf8", Op::kGt, Literal::Bytes("e"))));

  // An unsigned column: its deprecated (signed) bounds are unusable, its min_value/max_value
  // (unsigned order) are used.
  md_.schema[schema_.leaves[Leaf("numeric.ints.int32")].element].logical_type =
      LogicalType(IntType{32, false});
  auto rebuilt = BuildSchema(md_);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status();
  schema_ = *rebuilt;
  EXPECT_TRUE(May(Cmp("numeric.ints.int32", Op::kLt, Literal::Int(1000000))));
  Statistics& st = Stats("numeric.ints.int32");
  st.min_value = st.min;
  st.max_value = st.max;
  EXPECT_FALSE(May(Cmp("numeric.ints.int32", Op::kLt, Literal::Int(1000000))));
  // 0xFFFFFFFF is 4294967295 unsigned, above every value.
  const uint32_t big = 0xffffffff;
  st.max_value = std::string(reinterpret_cast<const char*>(&big), 4);
  EXPECT_TRUE(May(Cmp("numeric.ints.int32", Op::kGt, Literal::Int(4000000000))));
  EXPECT_FALSE(May(Cmp("numeric.ints.int32", Op::kGt, Literal::Int(4294967295))));
}

TEST_F(SkippingFileTest, NanBoundsAreIgnored) {
  Statistics& st = Stats("numeric.floats.float64");
  const double nan = std::nan("");
  st.max_value = std::string(reinterpret_cast<const char*>(&nan), 8);
  EXPECT_TRUE(May(Cmp("numeric.floats.float64", Op::kLt, Literal::Double(1147))));
}

TEST_F(SkippingFileTest, BadPredicatesAreErrors) {
  auto unknown = RowGroupMayMatch(md_, schema_, 0, ColumnPredicate::IsNull("nope"));
  EXPECT_TRUE(unknown.status().IsNotFound()) << unknown.status();
  auto kind =
      RowGroupMayMatch(md_, schema_, 0, Cmp("numeric.ints.int16", Op::kEq, Literal::Bytes("1000")));
  EXPECT_TRUE(kind.status().IsInvalidArgument()) << kind.status();
  ColumnPredicate two = Cmp("numeric.ints.int16", Op::kEq, Literal::Int(1));
  two.values.push_back(Literal::Int(2));
  EXPECT_TRUE(RowGroupMayMatch(md_, schema_, 0, two).status().IsInvalidArgument());
  EXPECT_TRUE(RowGroupMayMatch(md_, schema_, 1, ColumnPredicate::IsNull("bool"))
                  .status()
                  .IsInvalidArgument());
  // Through FileReader: an AND of predicates, errors name the file.
  auto both = reader_->RowGroupsMayMatch({Cmp("numeric.ints.int8", Op::kGe, Literal::Int(0)),
                                          Cmp("varlen.utf8", Op::kEq, Literal::Bytes("z"))});
  ASSERT_TRUE(both.ok()) << both.status();
  EXPECT_TRUE(both->empty());
  auto one = reader_->RowGroupsMayMatch({Cmp("numeric.ints.int8", Op::kGe, Literal::Int(0))});
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, std::vector<int>{0});
  auto err = reader_->RowGroupsMayMatch({ColumnPredicate::IsNull("nope")});
  EXPECT_NE(err.status().message().find(".parquet"), std::string::npos) << err.status();
}

// ---- Soundness on every shared file: a row group the filter skips holds no matching row.

// A decoded non-null value as the filter's literal for its column.
std::optional<Literal> LiteralAt(const ColumnVector& v, int64_t row) {
  switch (v.type().id) {
    case TypeId::kBoolean:
      return Literal::Bool(v.Value<uint8_t>(row) != 0);
    case TypeId::kInt8:
      return Literal::Int(v.Value<int8_t>(row));
    case TypeId::kInt16:
      return Literal::Int(v.Value<int16_t>(row));
    case TypeId::kInt32:
    case TypeId::kDate:
      return Literal::Int(v.Value<int32_t>(row));
    case TypeId::kUInt8:
      return Literal::Int(v.Value<uint8_t>(row));
    case TypeId::kUInt16:
      return Literal::Int(v.Value<uint16_t>(row));
    case TypeId::kUInt32:
      return Literal::Int(v.Value<uint32_t>(row));
    case TypeId::kUInt64:
      return Literal::Int(v.Value<uint64_t>(row));
    case TypeId::kInt64:
    case TypeId::kTime:
    case TypeId::kTimestamp:
      return Literal::Int(v.Value<int64_t>(row));
    case TypeId::kDecimal:
      return Literal::Int(v.Value<Int128>(row));
    case TypeId::kFloat16:
    case TypeId::kFloat32:
      return Literal::Double(v.Value<float>(row));
    case TypeId::kFloat64:
      return Literal::Double(v.Value<double>(row));
    case TypeId::kString:
    case TypeId::kBinary:
      return Literal::Bytes(std::string(v.StringValue(row)));
    default:
      return std::nullopt;
  }
}

// -1/0/1 with NaN above every number.
int Order(const Literal& a, const Literal& b) {
  switch (a.kind) {
    case Literal::Kind::kDouble: {
      const bool an = std::isnan(a.d), bn = std::isnan(b.d);
      if (an || bn) return an == bn ? 0 : (an ? 1 : -1);
      return a.d < b.d ? -1 : (b.d < a.d ? 1 : 0);
    }
    case Literal::Kind::kBytes:
      return a.bytes < b.bytes ? -1 : (b.bytes < a.bytes ? 1 : 0);
    case Literal::Kind::kBool:
      return a.b == b.b ? 0 : (a.b ? 1 : -1);
    default:
      return a.i < b.i ? -1 : (b.i < a.i ? 1 : 0);
  }
}

bool Matches(Op op, const Literal& value, const Literal& literal) {
  const int c = Order(value, literal);
  switch (op) {
    case Op::kEq:
      return c == 0;
    case Op::kLt:
      return c < 0;
    case Op::kLe:
      return c <= 0;
    case Op::kGt:
      return c > 0;
    default:
      return c >= 0;
  }
}

TEST(StatisticsFilterSharedTest, SkippedRowGroupsHoldNoMatchingRow) {
  const fs::path root = fs::path(SharedDir()) / "delta-tables";
  std::error_code ec;
  if (SharedDir().empty() || !fs::is_directory(root, ec)) GTEST_SKIP() << "no shared tables";
  int64_t checked = 0, skipped = 0;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const std::string name = it->path().filename().string();
    if (it->path().extension() != ".parquet" || name.rfind("._", 0) == 0) continue;
    auto reader = Open(it->path().string());
    if (!reader) continue;  // files the reader rejects are the sweep test's business
    const ParquetSchema& schema = reader->parquet_schema();
    for (int g = 0; g < reader->num_row_groups(); ++g) {
      // The few million-row groups add seconds and nothing the others do not check.
      if (reader->metadata().row_groups[g].num_rows > 100'000) continue;
      auto batch = reader->ReadRowGroup(g);
      if (!batch.ok()) continue;
      for (size_t f = 0; f < schema.fields.size(); ++f) {
        if (schema.fields[f].kind != SchemaNode::Kind::kLeaf) continue;
        const std::string& column = schema.leaves[schema.fields[f].leaf].dotted_path;
        const ColumnVector& v = batch->columns[f];
        std::vector<Literal> values;
        int64_t nulls = 0;
        for (int64_t r = 0; r < v.length(); ++r) {
          if (v.IsNull(r)) {
            ++nulls;
          } else if (auto l = LiteralAt(v, r)) {
            values.push_back(std::move(*l));
          }
        }
        if (values.size() + nulls != static_cast<size_t>(v.length())) continue;  // untyped
        auto may = [&](const ColumnPredicate& p) {
          auto r = reader->RowGroupMayMatch(g, {p});
          EXPECT_TRUE(r.ok()) << it->path() << " " << column << ": " << r.status();
          ++checked;
          if (r.ok() && !*r) ++skipped;
          return !r.ok() || *r;
        };
        EXPECT_TRUE(nulls == 0 || may(ColumnPredicate::IsNull(column))) << it->path() << column;
        EXPECT_TRUE(values.empty() || may(ColumnPredicate::IsNotNull(column)))
            << it->path() << " " << column;
        if (values.empty()) continue;
        const auto [lo, hi] =
            std::minmax_element(values.begin(), values.end(),
                                [](const Literal& a, const Literal& b) { return Order(a, b) < 0; });
        std::vector<Literal> probes = {*lo, *hi, values[values.size() / 2]};
        if (lo->kind == Literal::Kind::kInt) {
          probes.push_back(Literal::Int(lo->i - 1));
          probes.push_back(Literal::Int(hi->i + 1));
        } else if (lo->kind == Literal::Kind::kDouble && std::isfinite(lo->d)) {
          probes.push_back(Literal::Double(lo->d - 1));
        } else if (lo->kind == Literal::Kind::kBytes) {
          probes.push_back(Literal::Bytes(hi->bytes + "\x01"));
        }
        for (const Literal& probe : probes) {
          for (Op op : {Op::kEq, Op::kLt, Op::kLe, Op::kGt, Op::kGe}) {
            const bool any = std::any_of(values.begin(), values.end(),
                                         [&](const Literal& x) { return Matches(op, x, probe); });
            if (any) {
              EXPECT_TRUE(may(ColumnPredicate::Compare(column, op, probe)))
                  << it->path() << " row group " << g << " " << column << " op "
                  << static_cast<int>(op);
            } else {
              may(ColumnPredicate::Compare(column, op, probe));
            }
          }
        }
      }
    }
  }
  // The filter must also be useful: out-of-range probes on real statistics are skipped.
  EXPECT_GT(checked, 1000);
  EXPECT_GT(skipped, checked / 20) << skipped << " of " << checked;
  std::printf("%lld predicates checked, %lld row groups skipped\n", static_cast<long long>(checked),
              static_cast<long long>(skipped));
}

}  // namespace
}  // namespace lakesync::parquet

namespace lakesync::parquet {
namespace {

using Op = ColumnPredicate::Op;

// Many real row groups (Spark's files of one table merged): an equality on `id` keeps the row
// groups holding that id and skips most others.
TEST(StatisticsFilterManyRowGroupsTest, EqualityKeepsExactlyTheCandidateRowGroups) {
  const std::string bytes = testing::ManyRowGroupFile();
  if (bytes.empty()) GTEST_SKIP() << "no shared tables";
  auto reader = FileReader::Open(std::make_shared<BufferFile>("merged.parquet", bytes));
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto id = (*reader)->ProjectByPath({"id"});
  ASSERT_TRUE(id.ok());
  std::map<int32_t, std::set<int>> groups_of;  // id -> row groups holding it
  for (int g = 0; g < (*reader)->num_row_groups(); ++g) {
    auto batch = (*reader)->ReadRowGroup(g, *id);
    ASSERT_TRUE(batch.ok());
    const ColumnVector& v = batch->columns[0];
    for (int64_t r = 0; r < v.length(); ++r) {
      if (!v.IsNull(r)) groups_of[v.Value<int32_t>(r)].insert(g);
    }
  }
  ASSERT_FALSE(groups_of.empty());
  int64_t kept = 0, total = 0;
  for (const auto& [value, holders] : groups_of) {
    auto may = (*reader)->RowGroupsMayMatch(
        {ColumnPredicate::Compare("id", Op::kEq, Literal::Int(value))});
    ASSERT_TRUE(may.ok()) << may.status();
    for (int g : holders) {
      EXPECT_NE(std::find(may->begin(), may->end(), g), may->end()) << value << " in " << g;
    }
    kept += static_cast<int64_t>(may->size());
    total += (*reader)->num_row_groups();
  }
  EXPECT_LT(kept, total / 2) << kept << " of " << total;
}

}  // namespace
}  // namespace lakesync::parquet
