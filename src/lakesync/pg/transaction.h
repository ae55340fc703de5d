// Transaction: a BEGIN ... COMMIT block on a borrowed Connection that rolls back unless
// committed, so any early return (an error Status) leaves the database as it was.
// Thread-safety: none; used with its Connection from one thread.
#pragma once

#include <memory>

#include "lakesync/common/result.h"
#include "lakesync/common/status.h"
#include "lakesync/pg/connection.h"

namespace lakesync::pg {

enum class IsolationLevel { kReadCommitted, kRepeatableRead, kSerializable };

class Transaction {
 public:
  /// Sends BEGIN on `conn`. `conn` must outlive the Transaction.
  static Result<std::unique_ptr<Transaction>> Begin(
      Connection& conn, IsolationLevel isolation = IsolationLevel::kReadCommitted);

  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  /// Rolls back when neither Commit nor Rollback completed (errors are ignored: a lost
  /// connection has rolled back already).
  ~Transaction();

  /// Commits. Fails (and the work is gone) when an earlier statement failed, since PostgreSQL
  /// then answers COMMIT with ROLLBACK. REQUIRES: still active.
  Status Commit();
  /// Rolls back now. REQUIRES: still active.
  Status Rollback();

  bool active() const { return active_; }
  Connection& connection() const { return conn_; }

 private:
  explicit Transaction(Connection& conn) : conn_(conn) {}

  Connection& conn_;
  bool active_ = false;
};

}  // namespace lakesync::pg
