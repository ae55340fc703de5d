// ScanOptions::filter on the real tables of $LAKESYNC_SHARED_DIR/delta-tables: a soundness
// sweep (for every table and predicates built from its own values, a filtered scan returns
// every row that matches: no skipped file or row group held one) and checks that partition
// values, stats and row-group statistics really skip files and row groups.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "lakesync/delta/partition_values.h"
#include "lakesync/delta/scan_filter.h"
#include "lakesync/delta/table_rows_test_util.h"
#include "lakesync/testing/shared_tables.h"

namespace lakesync::delta {
namespace {

using parquet::ColumnPredicate;
using parquet::Literal;
using Op = ColumnPredicate::Op;
using testing::Has;
using testing::SharedTablesDir;

// A leaf column the sweep filters on: a top-level primitive or a field of a top-level struct.
struct Leaf {
  std::string path;
  DataType type;
  int top = -1;
  int child = -1;  // -1: the top-level column itself
};

bool Filterable(const DataType& t) {
  switch (t.id) {
    case TypeId::kBoolean:
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kDate:
    case TypeId::kDecimal:
    case TypeId::kFloat32:
    case TypeId::kFloat64:
    case TypeId::kString:
    case TypeId::kBinary:
      return true;
    case TypeId::kTimestamp:
      return t.unit == TimeUnit::kMicros;
    default:
      return false;
  }
}

// The value of one row as a literal in the table's representation; nullopt for null.
std::optional<Literal> ValueAt(const ColumnVector& col, int64_t row) {
  if (col.IsNull(row)) return std::nullopt;
  switch (col.type().id) {
    case TypeId::kBoolean:
      return Literal::Bool(col.Value<uint8_t>(row) != 0);
    case TypeId::kInt8:
      return Literal::Int(col.Value<int8_t>(row));
    case TypeId::kInt16:
      return Literal::Int(col.Value<int16_t>(row));
    case TypeId::kInt32:
    case TypeId::kDate:
      return Literal::Int(col.Value<int32_t>(row));
    case TypeId::kInt64:
    case TypeId::kTimestamp:
      return Literal::Int(col.Value<int64_t>(row));
    case TypeId::kDecimal:
      return Literal::Int(col.Value<Int128>(row));
    case TypeId::kFloat32:
      return Literal::Double(col.Value<float>(row));
    case TypeId::kFloat64:
      return Literal::Double(col.Value<double>(row));
    default:
      return Literal::Bytes(std::string(col.StringValue(row)));
  }
}

// Three-way comparison of two literals of one kind; NaN above every number.
int Cmp(const Literal& a, const Literal& b) {
  switch (a.kind) {
    case Literal::Kind::kInt:
      return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
    case Literal::Kind::kDouble:
      if (std::isnan(a.d) || std::isnan(b.d)) return std::isnan(a.d) - std::isnan(b.d);
      return a.d < b.d ? -1 : (a.d > b.d ? 1 : 0);
    case Literal::Kind::kBool:
      return static_cast<int>(a.b) - static_cast<int>(b.b);
    case Literal::Kind::kBytes:
      return a.bytes < b.bytes ? -1 : (a.bytes > b.bytes ? 1 : 0);
  }
  return 0;
}

// SQL semantics: a null matches only IS NULL.
bool Matches(const std::optional<Literal>& v, const ColumnPredicate& p) {
  if (p.op == Op::kIsNull) return !v;
  if (!v) return false;
  switch (p.op) {
    case Op::kIsNotNull:
      return true;
    case Op::kEq:
      return Cmp(*v, p.values[0]) == 0;
    case Op::kLt:
      return Cmp(*v, p.values[0]) < 0;
    case Op::kLe:
      return Cmp(*v, p.values[0]) <= 0;
    case Op::kGt:
      return Cmp(*v, p.values[0]) > 0;
    case Op::kGe:
      return Cmp(*v, p.values[0]) >= 0;
    case Op::kIn:
      return std::any_of(p.values.begin(), p.values.end(),
                         [&](const Literal& l) { return Cmp(*v, l) == 0; });
    default:
      return false;
  }
}

std::vector<Leaf> Leaves(const Snapshot& snapshot) {
  std::vector<Leaf> out;
  const auto& fields = snapshot.schema().fields;
  for (size_t i = 0; i < fields.size(); ++i) {
    const Field& f = fields[i];
    if (Filterable(f.type)) out.push_back({f.name, f.type, static_cast<int>(i), -1});
    if (f.type.id == TypeId::kStruct) {
      for (size_t j = 0; j < f.type.children.size(); ++j) {
        const Field& c = f.type.children[j];
        if (Filterable(c.type) && f.name.find('.') == std::string::npos) {
          out.push_back({f.name + "." + c.name, c.type, static_cast<int>(i), static_cast<int>(j)});
        }
      }
    }
  }
  return out;
}

struct Rows {
  std::vector<std::vector<std::optional<Literal>>> values;  // per leaf, per row
  int64_t row_groups_skipped = 0;
  size_t files_skipped = 0;
  size_t files_read = 0;
  int64_t selected = 0;  // rows ScanFilter::SelectMatching kept (with a filter)
};

Result<Rows> ReadLeaves(const Snapshot& snapshot, const std::vector<Leaf>& leaves,
                        ScanOptions options) {
  std::shared_ptr<const ScanFilter> filter;
  if (!options.filter.empty()) {
    LAKESYNC_ASSIGN_OR_RETURN(filter, ScanFilter::Make(snapshot, options.filter));
  }
  LAKESYNC_ASSIGN_OR_RETURN(auto scan, Scan::Make(snapshot, std::move(options)));
  LAKESYNC_ASSIGN_OR_RETURN(auto it, scan->Open());
  Rows out;
  out.values.resize(leaves.size());
  out.files_skipped = scan->files_skipped();
  out.files_read = scan->files().size();
  while (true) {
    LAKESYNC_ASSIGN_OR_RETURN(auto batch, it->Next());
    if (!batch) break;
    const int64_t n =
        batch->selection ? static_cast<int64_t>(batch->selection->size()) : batch->num_rows;
    for (int64_t k = 0; k < n; ++k) {
      const int64_t row = batch->selection ? (*batch->selection)[k] : k;
      for (size_t l = 0; l < leaves.size(); ++l) {
        const ColumnVector& top = batch->columns[leaves[l].top];
        if (leaves[l].child < 0) {
          out.values[l].push_back(ValueAt(top, row));
        } else if (top.IsNull(row)) {
          out.values[l].push_back(std::nullopt);
        } else {
          out.values[l].push_back(ValueAt(top.children()[leaves[l].child], row));
        }
      }
    }
    if (filter) {
      LAKESYNC_RETURN_NOT_OK(filter->SelectMatching(&*batch));
      out.selected += batch->num_selected();
    }
  }
  out.row_groups_skipped = it->row_groups_skipped();
  return out;
}

// Predicates on `leaf` built from its values: comparisons with the smallest, middle and
// largest value (and just outside them for integers), null tests, an IN list.
std::vector<ColumnPredicate> PredicatesFor(const Leaf& leaf,
                                           std::vector<std::optional<Literal>> values) {
  std::vector<Literal> present;
  for (auto& v : values) {
    if (v) present.push_back(*v);
  }
  std::sort(present.begin(), present.end(),
            [](const Literal& a, const Literal& b) { return Cmp(a, b) < 0; });
  std::vector<ColumnPredicate> out{ColumnPredicate::IsNull(leaf.path),
                                   ColumnPredicate::IsNotNull(leaf.path)};
  if (present.empty()) {
    if (leaf.type.IsVarLength())
      out.push_back(ColumnPredicate::Compare(leaf.path, Op::kEq, Literal::Bytes("x")));
    return out;
  }
  std::vector<Literal> probes{present.front(), present[present.size() / 2], present.back()};
  if (present.front().kind == Literal::Kind::kInt) {
    probes.push_back(Literal::Int(present.front().i - 1));
    probes.push_back(Literal::Int(present.back().i + 1));
  }
  if (present.front().kind == Literal::Kind::kBytes) {
    probes.push_back(Literal::Bytes(present.back().bytes + "~"));
    probes.push_back(Literal::Bytes(present.front().bytes.substr(0, 1)));
  }
  for (const auto& v : probes) {
    for (Op op : {Op::kEq, Op::kLt, Op::kLe, Op::kGt, Op::kGe}) {
      out.push_back(ColumnPredicate::Compare(leaf.path, op, v));
    }
  }
  out.push_back(ColumnPredicate::In(leaf.path, {present.front(), present.back()}));
  return out;
}

struct SweepTotals {
  int tables = 0;
  int predicates = 0;
  size_t files_skipped = 0;
  size_t files_with_dv_skipped = 0;
  int64_t row_groups_skipped = 0;
};

// For every filterable leaf of `snapshot` and predicates from its values: the filtered scan
// returns as many matching rows as the full scan (no skipped file or row group held one).
void Sweep(const Snapshot& snapshot, SweepTotals* totals) {
  const std::vector<Leaf> leaves = Leaves(snapshot);
  if (leaves.empty()) return;
  auto all = ReadLeaves(snapshot, leaves, {});
  if (!all.ok() || all->values[0].size() > 50000) return;  // tables that fail: other tests
  ++totals->tables;
  for (size_t l = 0; l < leaves.size() && l < 8; ++l) {
    for (const auto& p : PredicatesFor(leaves[l], all->values[l])) {
      ScanOptions options;
      options.filter = {p};
      auto filtered = ReadLeaves(snapshot, leaves, options);
      ASSERT_TRUE(filtered.ok()) << snapshot.table_root() << " " << p.column << ": "
                                 << filtered.status();
      const auto expected = std::count_if(all->values[l].begin(), all->values[l].end(),
                                          [&](const auto& v) { return Matches(v, p); });
      const auto got = std::count_if(filtered->values[l].begin(), filtered->values[l].end(),
                                     [&](const auto& v) { return Matches(v, p); });
      ASSERT_EQ(got, expected) << snapshot.table_root() << ": predicate on '" << p.column << "' op "
                               << static_cast<int>(p.op) << " lost matching rows";
      EXPECT_EQ(filtered->selected, expected) << snapshot.table_root() << ": SelectMatching on '"
                                              << p.column << "' op " << static_cast<int>(p.op);
      ++totals->predicates;
      totals->files_skipped += filtered->files_skipped;
      totals->row_groups_skipped += filtered->row_groups_skipped;
      size_t dv_files = 0, dv_kept = 0;
      for (const auto& f : snapshot.files()) dv_files += f.deletion_vector.has_value();
      auto scan = Scan::Make(snapshot, options);
      ASSERT_TRUE(scan.ok());
      for (const auto& f : (*scan)->files()) dv_kept += f.deletion_vector.has_value();
      totals->files_with_dv_skipped += dv_files - dv_kept;
    }
  }
}

TEST(ScanFilterSharedTablesTest, SkippedFilesAndRowGroupsHoldNoMatchingRow) {
  const std::string dir = SharedTablesDir();
  if (dir.empty()) GTEST_SKIP() << "LAKESYNC_SHARED_DIR/delta-tables not found";
  auto fs = std::make_shared<storage::LocalFileSystem>();
  SweepTotals totals;
  for (const auto& row : testing::LoadManifest(dir)) {
    const std::string root = dir + "/" + row.at("path");
    // A hand-made fixture whose stats describe a ts_col its data files do not have (stats say
    // nullCount 0, the files read as nulls): skipping by its stats is right by the protocol.
    if (Has(root, "kernel/tests/data/parsed-stats")) continue;
    // delta-rs issue 1374: delta-rs 0.11 wrote timestamp stats that do not bound the data (the
    // fixture keeps the wrong stats); every reader that trusts stats skips its rows.
    if (Has(root, "tests/data/issue_1374")) continue;
    auto snap = Snapshot::Open(fs, root);
    if (!snap.ok() || (*snap)->files().size() > 200) continue;
    Sweep(**snap, &totals);
    if (HasFatalFailure()) return;
  }
  std::cout << totals.tables << " tables, " << totals.predicates << " predicates, "
            << totals.files_skipped << " files and " << totals.row_groups_skipped
            << " row groups skipped\n";
  EXPECT_GT(totals.tables, 20);
  EXPECT_GT(totals.files_skipped, 0u);
  EXPECT_GT(totals.files_with_dv_skipped, 0u);
  EXPECT_GT(totals.row_groups_skipped, 0);
}

int RunQuiet(const std::string& command) {
  return std::system((command + " > /dev/null 2>&1").c_str());
}

// deltagen tables: deletion vectors (stats with tightBounds=false after deletes), column
// mapping name and id (physical names in stats and Parquet), partitions, many row groups.
TEST(ScanFilterDeltagenTest, GeneratedTablesSkipSoundly) {
  const std::string deltagen = testing::BinaryDir() + "/tools/deltagen/deltagen";
  if (!std::filesystem::exists(deltagen)) GTEST_SKIP() << deltagen << " is not built";
  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("lakesync-scan-filter-" + std::to_string(::getpid())))
                              .string();
  std::filesystem::remove_all(dir);
  ASSERT_EQ(RunQuiet(deltagen + " user-profiles --out " + dir + "/dv --rows 3000 --files 4 " +
                     "--row-group-rows 250 --deletion-vectors --column-mapping name --seed 7"),
            0);
  ASSERT_EQ(RunQuiet(deltagen + " change --table " + dir + "/dv --delete-every 5 --update-every 7"),
            0);
  ASSERT_EQ(RunQuiet(deltagen + " user-profiles --out " + dir + "/part --rows 2000 --files 3 " +
                     "--row-group-rows 300 --partition-by country --column-mapping id --seed 3"),
            0);
  ASSERT_EQ(RunQuiet(deltagen + " all-types --out " + dir + "/types --rows 300 --files 3"), 0);
  SweepTotals totals;
  for (const char* name : {"dv", "part", "types"}) {
    auto snap = Snapshot::Open(std::make_shared<storage::LocalFileSystem>(), dir + "/" + name);
    ASSERT_TRUE(snap.ok()) << snap.status();
    const int before = totals.tables;
    Sweep(**snap, &totals);
    if (HasFatalFailure()) return;
    EXPECT_EQ(totals.tables, before + 1) << name << " did not scan";
  }
  EXPECT_GT(totals.files_skipped, 0u);
  EXPECT_GT(totals.files_with_dv_skipped, 0u);
  EXPECT_GT(totals.row_groups_skipped, 0);
  std::filesystem::remove_all(dir);
}

Result<std::unique_ptr<Snapshot>> OpenShared(const std::string& rel) {
  return Snapshot::Open(std::make_shared<storage::LocalFileSystem>(), SharedTablesDir() + rel);
}

TEST(ScanFilterSharedTablesTest, PartitionValuesSkipFiles) {
  if (SharedTablesDir().empty()) GTEST_SKIP() << "LAKESYNC_SHARED_DIR/delta-tables not found";
  auto snap = OpenShared("/delta-kernel-rs/kernel/tests/data/basic_partitioned");
  ASSERT_TRUE(snap.ok()) << snap.status();
  const size_t total = (*snap)->files().size();
  auto eq = Scan::Make(
      **snap, {.filter = {ColumnPredicate::Compare("letter", Op::kEq, Literal::Bytes("a"))}});
  ASSERT_TRUE(eq.ok()) << eq.status();
  EXPECT_GT((*eq)->files_skipped(), 0u);
  EXPECT_EQ((*eq)->files().size() + (*eq)->files_skipped(), total);
  for (const auto& f : (*eq)->files()) EXPECT_EQ(f.partition_values.at("letter"), "a");
  auto null = Scan::Make(**snap, {.filter = {ColumnPredicate::IsNull("letter")}});
  ASSERT_TRUE(null.ok()) << null.status();
  ASSERT_EQ((*null)->files().size(), 1u);  // the one file with {"letter": null}

  auto bad = Scan::Make(**snap,
                        {.filter = {ColumnPredicate::Compare("letter", Op::kEq, Literal::Int(1))}});
  EXPECT_TRUE(bad.status().IsInvalidArgument()) << bad.status();
  auto unknown = Scan::Make(**snap, {.filter = {ColumnPredicate::IsNull("nope")}});
  EXPECT_TRUE(unknown.status().IsInvalidArgument()) << unknown.status();
}

TEST(ScanFilterSharedTablesTest, ParsedPredicatesSelectExactlyTheMatchingRows) {
  if (SharedTablesDir().empty()) GTEST_SKIP() << "LAKESYNC_SHARED_DIR/delta-tables not found";
  auto snap = OpenShared("/delta-kernel-rs/kernel/tests/data/basic_partitioned");
  ASSERT_TRUE(snap.ok()) << snap.status();
  const std::vector<Leaf> leaves = Leaves(**snap);
  auto all = ReadLeaves(**snap, leaves, {});
  ASSERT_TRUE(all.ok()) << all.status();
  for (const char* text : {"number >= 4", "number<2", "letter = 'a'", "letter IN ('a', 'e')",
                           "letter IS NULL", "a_float IS NOT NULL", "a_float > 2.5"}) {
    auto p = ScanFilter::ParsePredicate(**snap, text);
    ASSERT_TRUE(p.ok()) << text << ": " << p.status();
    size_t leaf = 0;
    while (leaf < leaves.size() && leaves[leaf].path != p->column) ++leaf;
    ASSERT_LT(leaf, leaves.size()) << text;
    const auto expected = std::count_if(all->values[leaf].begin(), all->values[leaf].end(),
                                        [&](const auto& v) { return Matches(v, *p); });
    auto filter = ScanFilter::Make(**snap, {*p});
    ASSERT_TRUE(filter.ok()) << filter.status();
    auto scan = Scan::Make(**snap, {.filter = {*p}});
    ASSERT_TRUE(scan.ok()) << scan.status();
    auto it = (*scan)->Open();
    ASSERT_TRUE(it.ok());
    int64_t got = 0;
    while (true) {
      auto batch = (*it)->Next();
      ASSERT_TRUE(batch.ok()) << batch.status();
      if (!*batch) break;
      ASSERT_TRUE((*filter)->SelectMatching(&**batch).ok());
      got += (*batch)->num_selected();
    }
    EXPECT_EQ(got, expected) << text;
    EXPECT_GT(expected, 0) << text;
  }
  for (const char* bad : {"number", "number = abc", "nope = 1", "number IN 1, 2", "= 3"}) {
    EXPECT_TRUE(ScanFilter::ParsePredicate(**snap, bad).status().IsInvalidArgument()) << bad;
  }
}

TEST(ScanFilterSharedTablesTest, MillisecondStatsKeepTheirBoundaryFiles) {
  if (SharedTablesDir().empty()) GTEST_SKIP() << "LAKESYNC_SHARED_DIR/delta-tables not found";
  // Three files with ts_col stats 1970-01-01T00:00:0N.000Z (milliseconds).
  auto snap = OpenShared("/delta-kernel-rs/kernel/tests/data/timestamp-truncation-stats");
  ASSERT_TRUE(snap.ok()) << snap.status();
  const std::vector<Leaf> leaves = Leaves(**snap);
  auto all = ReadLeaves(**snap, leaves, {});
  ASSERT_TRUE(all.ok()) << all.status();
  size_t ts = 0;
  while (ts < leaves.size() && leaves[ts].path != "ts_col") ++ts;
  ASSERT_LT(ts, leaves.size());
  for (const auto& v : all->values[ts]) {
    if (!v) continue;
    ColumnPredicate p = ColumnPredicate::Compare("ts_col", Op::kEq, *v);
    auto filtered = ReadLeaves(**snap, leaves, {.filter = {p}});
    ASSERT_TRUE(filtered.ok()) << filtered.status();
    EXPECT_GT(filtered->files_skipped, 0u) << "ts_col = " << static_cast<int64_t>(v->i);
    EXPECT_EQ(std::count_if(filtered->values[ts].begin(), filtered->values[ts].end(),
                            [&](const auto& x) { return Matches(x, p); }),
              std::count_if(all->values[ts].begin(), all->values[ts].end(),
                            [&](const auto& x) { return Matches(x, p); }));
  }
}

TEST(ScanFilterSharedTablesTest, ColumnMappingStatsUsePhysicalNames) {
  if (SharedTablesDir().empty()) GTEST_SKIP() << "LAKESYNC_SHARED_DIR/delta-tables not found";
  int checked = 0;
  for (const auto& row : testing::LoadManifest(SharedTablesDir())) {
    if (row.at("column_mapping") != "name" && row.at("column_mapping") != "id") continue;
    auto snap = OpenShared("/" + row.at("path"));
    if (!snap.ok() || (*snap)->files().size() < 2) continue;
    const std::vector<Leaf> leaves = Leaves(**snap);
    auto all = ReadLeaves(**snap, leaves, {});
    if (!all.ok() || leaves.empty()) continue;
    // Some predicate on some column skips a file: stats were found under physical names.
    for (size_t l = 0; l < leaves.size(); ++l) {
      for (const auto& p : PredicatesFor(leaves[l], all->values[l])) {
        auto filtered = ReadLeaves(**snap, leaves, {.filter = {p}});
        ASSERT_TRUE(filtered.ok()) << filtered.status();
        if (filtered->files_skipped > 0) ++checked;
      }
    }
  }
  EXPECT_GT(checked, 0) << "no column-mapping table skipped a file";
}

}  // namespace
}  // namespace lakesync::delta
