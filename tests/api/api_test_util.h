// Helpers for the REST API tests: a configuration pointing at the fixture PostgreSQL and a
// lakehouse folder, JSON answers read by JSON pointer, and polling until a condition holds.
#pragma once

#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "lakesync/config/config.h"
#include "lakesync/testing/pg_test_env.h"

namespace lakesync::testing {

/// The text of a lakesync.toml with instance "pg" (the test database's server), database
/// catalog "lb" (-> that database), lakehouse catalog "lake" (-> `lake_root`), and the API on
/// loopback with token "tok".
std::string ApiConfigText(const TestDatabase& db, const std::string& lake_root);

/// Runs `lakesync ARGS` (this build's binary) with the LAKESYNC_* target variables cleared;
/// its exit code, its stdout and stderr in `out`.
int RunLakesync(const std::string& args, std::string* out);

/// Rows in `table`, or -1 when it cannot be counted (e.g. it does not exist).
int64_t CountRows(pg::Connection& conn, const std::string& table);

/// One parsed JSON document; members read by JSON pointer ("/a/0/b").
class JsonDoc {
 public:
  explicit JsonDoc(const std::string& text);
  bool ok() const { return ok_; }
  /// The string (or the JSON text of a non-string) at `pointer`; nullopt when absent.
  std::optional<std::string> Str(const std::string& pointer) const;
  std::optional<int64_t> Int(const std::string& pointer) const;
  /// Elements of the array at `pointer` (0 when absent).
  size_t Size(const std::string& pointer) const;

 private:
  std::string text_;
  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
  bool ok_ = false;
};

/// Calls `done` every 50 ms until it returns true or `timeout` passes; returns its last answer.
bool WaitUntil(const std::function<bool()>& done,
               std::chrono::milliseconds timeout = std::chrono::seconds(60));

/// The connections the last "sync finished" line of `logs` says its run held at once (its
/// engine's and its load's extra ones; the product's own figure, whereas sampling
/// pg_stat_activity may miss a short load); -1 when there is no such line.
int RunConnections(const std::string& logs);

/// Collects the process's log lines (and still prints them) from construction until it dies.
class CapturedLogs {
 public:
  CapturedLogs();
  ~CapturedLogs();
  CapturedLogs(const CapturedLogs&) = delete;
  CapturedLogs& operator=(const CapturedLogs&) = delete;
  std::string Text() const;

 private:
  mutable std::mutex mu_;
  std::string text_;
};

/// Watches pg_stat_activity from its own connection, as fast as the server answers, for the
/// most lakesync connections (application_name "lakesync" or "lakesync ...") open at once in
/// the database `conninfo` names, from construction until Stop.
class PeakLakesyncConnections {
 public:
  explicit PeakLakesyncConnections(const std::string& conninfo);
  ~PeakLakesyncConnections() { Stop(); }
  PeakLakesyncConnections(const PeakLakesyncConnections&) = delete;
  PeakLakesyncConnections& operator=(const PeakLakesyncConnections&) = delete;
  /// Stops watching; the peak seen (0 when the watcher could not connect).
  int Stop();

 private:
  std::unique_ptr<pg::Connection> conn_;
  std::atomic<bool> stop_{false};
  std::atomic<int> peak_{0};
  std::thread thread_;
};

}  // namespace lakesync::testing
