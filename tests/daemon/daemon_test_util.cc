#include "daemon_test_util.h"

#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "api_test_util.h"
#include "deltagen/scenario.h"
#include "lakesync/storage/local_file_system.h"
#include "lakesync/testing/test_paths.h"

extern char** environ;

namespace lakesync::testing {

void SyncedTableTest::SetUp() {
  LAKESYNC_TEST_DATABASE(db);
  db_ = std::move(db);
  auto table = deltagen::Scenario::UserProfiles(2'000).Files(2).Run(
      std::make_shared<storage::LocalFileSystem>(), dir_.path() + "/up");
  ASSERT_TRUE(table.ok()) << table.status();
  table_ = std::move(table).value();
  auto engine = sync::SyncEngine::Open(db_->conninfo());
  ASSERT_TRUE(engine.ok()) << engine.status();
  engine_ = std::move(engine).value();
  auto conn = db_->Connect();
  ASSERT_TRUE(conn.ok()) << conn.status();
  conn_ = std::move(conn).value();
}

void SyncedTableTest::TearDown() {
  conn_.reset();
  engine_.reset();
}

void SyncedTableTest::CreateTable(sync::SchedulingPolicy policy) {
  sync::SyncedTableSpec spec;
  spec.name = "gold.up";
  spec.source = dir_.path() + "/up";
  spec.primary_key = {"user_id"};
  spec.policy = policy;
  auto created = engine_->Create(spec);
  ASSERT_TRUE(created.ok()) << created.status();
  ASSERT_TRUE(sync::IsOnline(created->state)) << created->message;
}

void SyncedTableTest::Commit(int round) {
  ASSERT_TRUE(
      table_->Update({.every = 40, .offset = round}, {deltagen::SetExpr::Parse("score", "+1")})
          .ok());
  ASSERT_TRUE(table_->Delete({.every = 300, .offset = round + 1}).ok());
}

bool SyncedTableTest::CaughtUp(std::chrono::milliseconds timeout) {
  return WaitUntil(
      [&] {
        auto s = engine_->Get("gold.up");
        return s.ok() && s->last_processed_version == table_->version();
      },
      timeout);
}

void SyncedTableTest::ExpectTargetEqualsSource() {
  auto rows = table_->CurrentRows();
  ASSERT_TRUE(rows.ok()) << rows.status();
  ExpectTableEquals(*conn_, "gold.up", *rows, "user_id");
}

std::vector<sync::LeaseInfo> SyncedTableTest::Leases() {
  auto l = sync::ListLeases(*conn_);
  return l.ok() ? *l : std::vector<sync::LeaseInfo>{};
}

ServeProcess::ServeProcess(const std::vector<std::string>& args, const std::string& log_path)
    : log_path_(log_path) {
  int out[2];
  if (::pipe(out) != 0) return;
  const std::string bin = BinaryDir() + "/lakesync";
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(bin.c_str()));
  std::string serve = "serve";
  argv.push_back(serve.data());
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  posix_spawn_file_actions_addopen(&actions, 2, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  pid_t pid = -1;
  if (posix_spawn(&pid, bin.c_str(), &actions, nullptr, argv.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  if (pid < 0) {
    ::close(out[0]);
    return;
  }
  pid_ = pid;
  // Reads stdout until the address line, then keeps draining it on a thread so the child
  // never blocks on a full pipe.
  FILE* f = ::fdopen(out[0], "r");
  char line[512];
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < until && ::fgets(line, sizeof line, f) != nullptr) {
    std::string s(line);
    const std::string marker = "listening on http://";
    size_t at = s.find(marker);
    if (at == std::string::npos) continue;
    size_t colon = s.rfind(':');
    if (colon != std::string::npos) port_ = std::atoi(s.c_str() + colon + 1);
    break;
  }
  std::thread([f] {
    char buf[512];
    while (::fgets(buf, sizeof buf, f) != nullptr) {
    }
    ::fclose(f);
  }).detach();
  if (port_ <= 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
}

ServeProcess::~ServeProcess() {
  if (pid_ > 0) Signal(SIGKILL);
}

int ServeProcess::Signal(int signal, bool wait) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  if (!wait) return 0;
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ServeProcess::Logs() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string HttpGet(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(5);
  client.set_read_timeout(10);
  auto res = client.Get(path);
  if (!res || res->status != 200) return "";
  return res->body;
}

double SampleValue(const std::string& text, const std::string& series) {
  size_t at = 0;
  while ((at = text.find(series + " ", at)) != std::string::npos) {
    if (at == 0 || text[at - 1] == '\n') return std::stod(text.substr(at + series.size() + 1));
    at += series.size();
  }
  return -1;
}

}  // namespace lakesync::testing
