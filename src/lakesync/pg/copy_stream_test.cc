#include "lakesync/pg/copy_stream.h"

#include <gtest/gtest.h>

#include "lakesync/pg/transaction.h"
#include "lakesync/testing/column_builder.h"
#include "lakesync/testing/pg_test_env.h"

namespace lakesync::pg {
namespace {

using ::lakesync::testing::FixedColumn;
using ::lakesync::testing::MakeBatch;
using ::lakesync::testing::QueryRows;
using ::lakesync::testing::Rows;
using ::lakesync::testing::StringColumn;

const Field kId{"id", DataType::Primitive(TypeId::kInt64)};
const Field kName{"name", DataType::Primitive(TypeId::kString)};

ColumnBatch Batch(int64_t first, int64_t n, const char* name = "x") {
  std::vector<std::optional<int64_t>> ids;
  std::vector<std::optional<std::string>> names;
  for (int64_t i = 0; i < n; ++i) {
    ids.push_back(first + i);
    names.push_back(name);
  }
  return MakeBatch(
      {{kId, FixedColumn<int64_t>(kId.type, ids)}, {kName, StringColumn(kName.type, names)}});
}

class CopyStreamTest : public ::lakesync::testing::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto sql = CreateTableSql(table_, {kId, kName}, {"id"});
    ASSERT_TRUE(sql.ok());
    ASSERT_TRUE(conn_->Exec(*sql).ok());
  }

  std::string Count() {
    auto rows = QueryRows(*conn_, "SELECT count(*) FROM t");
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? *(*rows)[0][0] : "";
  }

  const QualifiedName table_{"public", "t"};
};

TEST_F(CopyStreamTest, FlushesAsItGoesAndCountsRows) {
  auto stream = CopyStream::Begin(*conn_, table_, {kId, kName}, /*flush_bytes=*/1000);
  ASSERT_TRUE(stream.ok()) << stream.status().ToString();
  for (int b = 0; b < 10; ++b) ASSERT_TRUE((*stream)->Write(Batch(b * 100, 100)).ok());
  EXPECT_GT((*stream)->bytes_sent(), 0);
  EXPECT_EQ((*stream)->rows_written(), 1000);
  auto n = (*stream)->Finish();
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 1000);
  EXPECT_EQ(Count(), "1000");
  EXPECT_FALSE((*stream)->Finish().ok());  // once
}

// One batch far larger than flush_bytes goes out in pieces: what is still unsent never grows
// much past flush_bytes, and every row (with a selection) arrives once.
TEST_F(CopyStreamTest, LargeBatchIsSentInPiecesNearFlushBytes) {
  auto stream = CopyStream::Begin(*conn_, table_, {kId, kName}, /*flush_bytes=*/4096);
  ASSERT_TRUE(stream.ok()) << stream.status().ToString();
  ColumnBatch batch = Batch(0, 50'000);
  batch.selection.emplace();
  for (uint32_t i = 0; i < 50'000; i += 2) batch.selection->push_back(i);
  ASSERT_TRUE((*stream)->Write(batch).ok());
  EXPECT_EQ((*stream)->rows_written(), 25'000);
  // 25,000 rows of 19 bytes (count, id, name): all but the last piece sent during Write.
  EXPECT_GT((*stream)->bytes_sent(), 25'000 * 19 - 2 * 4096);
  EXPECT_LT((*stream)->peak_buffered_bytes(), 2u * 4096);
  auto n = (*stream)->Finish();
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 25'000);
  auto odd = QueryRows(*conn_, "SELECT count(*) FROM t WHERE id % 2 = 1");
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ(*(*odd)[0][0], "0");
  EXPECT_EQ(Count(), "25000");
}

TEST_F(CopyStreamTest, BadRowAbortsTheCopyAndKeepsNothing) {
  auto stream = CopyStream::Begin(*conn_, table_, {kId, kName}, /*flush_bytes=*/1);
  ASSERT_TRUE(stream.ok());
  ASSERT_TRUE((*stream)->Write(Batch(0, 10)).ok());
  Status st = (*stream)->Write(Batch(10, 5, "bad\xff"),
                               [](int64_t row) { return "id=" + std::to_string(10 + row); });
  EXPECT_TRUE(st.IsInvalidArgument()) << st.ToString();
  EXPECT_NE(st.message().find("id=10"), std::string::npos) << st.ToString();
  EXPECT_FALSE(conn_->in_copy());
  EXPECT_FALSE((*stream)->Write(Batch(20, 1)).ok());
  EXPECT_EQ(Count(), "0");
}

TEST_F(CopyStreamTest, AbandonedStreamAbortsAndInTransactionRollsBack) {
  {
    auto txn = Transaction::Begin(*conn_);
    ASSERT_TRUE(txn.ok());
    auto stream = CopyStream::Begin(*conn_, table_, {kId, kName}, /*flush_bytes=*/1);
    ASSERT_TRUE(stream.ok());
    ASSERT_TRUE((*stream)->Write(Batch(0, 10)).ok());
  }  // stream, then transaction, dropped
  EXPECT_FALSE(conn_->in_copy());
  EXPECT_EQ(Count(), "0");
}

TEST_F(CopyStreamTest, DuplicateKeyIsConflictAtFinish) {
  auto stream = CopyStream::Begin(*conn_, table_, {kId, kName});
  ASSERT_TRUE(stream.ok());
  ASSERT_TRUE((*stream)->Write(Batch(0, 3)).ok());
  ASSERT_TRUE((*stream)->Write(Batch(2, 3)).ok());
  auto n = (*stream)->Finish();
  ASSERT_FALSE(n.ok());
  EXPECT_TRUE(n.status().IsConflict()) << n.status().ToString();
  EXPECT_EQ(Count(), "0");
}

TEST_F(CopyStreamTest, MissingTableIsNotFound) {
  auto stream = CopyStream::Begin(*conn_, QualifiedName{"public", "nope"}, {kId});
  EXPECT_TRUE(stream.status().IsNotFound()) << stream.status().ToString();
  EXPECT_FALSE(conn_->in_copy());
}

}  // namespace
}  // namespace lakesync::pg
