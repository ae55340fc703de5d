#include "api_test_util.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "lakesync/common/logging.h"
#include "lakesync/testing/test_paths.h"
#include "table_assertions.h"

namespace lakesync::testing {

namespace {

// A TOML basic string holding `s`.
std::string TomlString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string ApiConfigText(const TestDatabase& db, const std::string& lake_root) {
  return fmt::format(R"(
[api]
listen = "127.0.0.1:0"
tokens = ["tok"]

[instances.pg]
conninfo = {}
max_connections = 4

[database_catalogs.lb]
instance = "pg"
database = {}

[lakehouse_catalogs.lake]
root = {}
)",
                     TomlString(db.admin_conninfo()), TomlString(db.name()), TomlString(lake_root));
}

int RunLakesync(const std::string& args, std::string* out) {
  out->clear();
  return RunCommand(
      fmt::format("env -u LAKESYNC_DSN -u LAKESYNC_HOST -u LAKESYNC_CONFIG -u LAKESYNC_TOKEN "
                  "{}/lakesync {}",
                  BinaryDir(), args),
      out);
}

int64_t CountRows(pg::Connection& conn, const std::string& table) {
  auto rows = QueryRows(conn, "SELECT count(*) FROM " + table);
  return rows.ok() && !rows->empty() && (*rows)[0][0] ? std::stoll(*(*rows)[0][0]) : -1;
}

JsonDoc::JsonDoc(const std::string& text) : text_(text) {
  ok_ = parser_.parse(text_).get(root_) == simdjson::SUCCESS;
}

std::optional<std::string> JsonDoc::Str(const std::string& pointer) const {
  if (!ok_) return std::nullopt;
  simdjson::dom::element e;
  if (root_.at_pointer(pointer).get(e) != simdjson::SUCCESS) return std::nullopt;
  std::string_view s;
  if (e.get(s) == simdjson::SUCCESS) return std::string(s);
  return simdjson::minify(e);
}

std::optional<int64_t> JsonDoc::Int(const std::string& pointer) const {
  if (!ok_) return std::nullopt;
  int64_t v;
  if (root_.at_pointer(pointer).get(v) != simdjson::SUCCESS) return std::nullopt;
  return v;
}

size_t JsonDoc::Size(const std::string& pointer) const {
  if (!ok_) return 0;
  simdjson::dom::array a;
  if (root_.at_pointer(pointer).get(a) != simdjson::SUCCESS) return 0;
  return a.size();
}

bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

int RunConnections(const std::string& logs) {
  const size_t line = logs.rfind("sync finished");
  if (line == std::string::npos) return -1;
  const std::string key = "connections=";
  const size_t at = logs.find(key, line);
  if (at == std::string::npos || at > logs.find('\n', line)) return -1;
  return std::atoi(logs.c_str() + at + key.size());
}

CapturedLogs::CapturedLogs() {
  log::SetSinkForTesting([this](std::string_view line) {
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::lock_guard lock(mu_);
    text_.append(line);
  });
}

CapturedLogs::~CapturedLogs() { log::SetSinkForTesting({}); }

std::string CapturedLogs::Text() const {
  std::lock_guard lock(mu_);
  return text_;
}

PeakLakesyncConnections::PeakLakesyncConnections(const std::string& conninfo) {
  auto conn = pg::Connection::Open(conninfo);
  EXPECT_TRUE(conn.ok()) << conn.status();
  if (!conn.ok()) return;
  conn_ = std::move(conn).value();
  thread_ = std::thread([this] {
    while (!stop_) {
      auto rows =
          QueryRows(*conn_,
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
                    "(application_name = 'lakesync' OR application_name LIKE 'lakesync %')");
      if (!rows.ok() || rows->empty()) continue;
      peak_ = std::max(peak_.load(), std::stoi((*rows)[0][0].value_or("0")));
    }
  });
}

int PeakLakesyncConnections::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  return peak_;
}

}  // namespace lakesync::testing
