// Helpers for the daemon tests: a fixture with a test database, a deltagen user_profiles
// source and a synced table of it, and `lakesync serve` processes whose address the test reads
// from their first line of output.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "deltagen/user_profiles.h"
#include "lakesync/pg/connection.h"
#include "lakesync/sync/lease.h"
#include "lakesync/sync/sync_engine.h"
#include "lakesync/testing/pg_test_env.h"
#include "table_assertions.h"

namespace lakesync::testing {

/// A test database, a 2,000-row user_profiles Delta table (2 files, change data feed on) and
/// an engine, connection and helpers for the synced table gold.up of it.
class SyncedTableTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  /// Creates gold.up with `policy` and loads it. REQUIRES: SetUp succeeded.
  void CreateTable(sync::SchedulingPolicy policy);
  /// Commits to the source: updates user_id % 40 == round (+1 score), then deletes
  /// user_id % 300 == round + 1 (50 and 7 rows for round 0).
  void Commit(int round);
  /// Waits (up to `timeout`) until gold.up's last processed version is the source's latest.
  bool CaughtUp(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  /// gtest failures unless gold.up holds exactly the source's current rows.
  void ExpectTargetEqualsSource();
  /// The leases with time left.
  std::vector<sync::LeaseInfo> Leases();

  TempDir dir_;
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<deltagen::UserProfilesTable> table_;
  std::unique_ptr<sync::SyncEngine> engine_;
  std::unique_ptr<pg::Connection> conn_;
};

/// A `lakesync serve` child process. Its stderr (the logs) goes to a file shown on failure.
class ServeProcess {
 public:
  /// Starts `lakesync serve ARGS...` and waits (30 s at most) for its "listening on
  /// http://HOST:PORT" line. pid() is -1 when it did not start or never printed it.
  explicit ServeProcess(const std::vector<std::string>& args, const std::string& log_path);
  ~ServeProcess();  // SIGKILLs it if still running
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  /// Sends `signal` and, when `wait`, returns the exit code (-1: ended by a signal).
  int Signal(int signal, bool wait = true);
  /// The logs written so far.
  std::string Logs() const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_path_;
};

/// GET http://127.0.0.1:PORT/PATH; the body, or "" when the request failed.
std::string HttpGet(int port, const std::string& path);

/// The value of the Prometheus sample `series` (name{labels...} exactly as rendered) in
/// `text`, or -1 when absent.
double SampleValue(const std::string& text, const std::string& series);

}  // namespace lakesync::testing
