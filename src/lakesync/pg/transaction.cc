#include "lakesync/pg/transaction.h"

#include "lakesync/common/macros.h"

namespace lakesync::pg {

Result<std::unique_ptr<Transaction>> Transaction::Begin(Connection& conn,
                                                        IsolationLevel isolation) {
  const char* sql = "BEGIN";
  switch (isolation) {
    case IsolationLevel::kReadCommitted:
      sql = "BEGIN ISOLATION LEVEL READ COMMITTED";
      break;
    case IsolationLevel::kRepeatableRead:
      sql = "BEGIN ISOLATION LEVEL REPEATABLE READ";
      break;
    case IsolationLevel::kSerializable:
      sql = "BEGIN ISOLATION LEVEL SERIALIZABLE";
      break;
  }
  LAKESYNC_RETURN_NOT_OK(conn.Exec(sql));
  std::unique_ptr<Transaction> txn(new Transaction(conn));
  txn->active_ = true;
  return txn;
}

Transaction::~Transaction() {
  if (!active_) return;
  if (conn_.in_copy()) (void)conn_.AbortCopy("transaction rolled back");
  if (conn_.IsOk()) (void)conn_.Exec("ROLLBACK");
}

Status Transaction::Commit() {
  if (!active_) return Status::Internal("Commit: the transaction is no longer active");
  active_ = false;
  if (conn_.in_copy()) {
    (void)conn_.AbortCopy("COMMIT during COPY");
    (void)conn_.Exec("ROLLBACK");
    return Status::Internal("Commit: a COPY was still in progress; rolled back");
  }
  LAKESYNC_ASSIGN_OR_RETURN(QueryResult result, conn_.Query("COMMIT"));
  if (result.command_tag() != "COMMIT") {
    return Status::IOError(
        "COMMIT rolled back the transaction (server answered {}): an earlier statement failed",
        result.command_tag());
  }
  return Status::OK();
}

Status Transaction::Rollback() {
  if (!active_) return Status::Internal("Rollback: the transaction is no longer active");
  active_ = false;
  if (conn_.in_copy()) (void)conn_.AbortCopy("transaction rolled back");
  return conn_.Exec("ROLLBACK");
}

}  // namespace lakesync::pg
