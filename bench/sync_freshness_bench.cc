// bench/sync_bench.sh, figure (3): continuous freshness. While `lakesync sync NAME
// --continuous` runs (started by the script), this commits one new row at a time to the Delta
// source with `deltagen change --insert 1` and measures, for each commit, the time from the
// commit file being written (its modification time) to the row being visible in PostgreSQL
// (polled every millisecond on one connection). Commits are spaced by a pseudo-random pause so
// they do not fall into step with the pipeline's listing interval.
//
//   sync_freshness_bench --dsn DSN --table NAME --source PATH --deltagen PATH
//                        [--key user_id] [--commits 50] [--timeout-s 30]
//
// Output: one line `freshness commits=N p50_s=X p90_s=Y p99_s=Z max_s=M mean_s=A`.
#include <fmt/format.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "lakesync/delta/snapshot.h"
#include "lakesync/pg/connection.h"
#include "lakesync/pg/ddl.h"
#include "lakesync/storage/file_system.h"

extern char** environ;

namespace {

using Clock = std::chrono::system_clock;

int Usage() {
  fmt::print(stderr,
             "usage: sync_freshness_bench --dsn DSN --table NAME --source PATH --deltagen PATH "
             "[--key COL] [--commits N] [--timeout-s S]\n");
  return 2;
}

// Runs a command and waits for it; its exit status (-1 when it could not start).
int Run(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const size_t i = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size()))) - 1;
  return v[std::min(i, v.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  std::string dsn, table, source, deltagen, key = "user_id";
  int commits = 50;
  int timeout_s = 30;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    const std::string v = argv[i + 1];
    if (a == "--dsn") {
      dsn = v;
    } else if (a == "--table") {
      table = v;
    } else if (a == "--source") {
      source = v;
    } else if (a == "--deltagen") {
      deltagen = v;
    } else if (a == "--key") {
      key = v;
    } else if (a == "--commits") {
      commits = std::atoi(v.c_str());
    } else if (a == "--timeout-s") {
      timeout_s = std::atoi(v.c_str());
    } else {
      return Usage();
    }
  }
  if (dsn.empty() || table.empty() || source.empty() || deltagen.empty() || commits < 1) {
    return Usage();
  }
  auto name = lakesync::pg::QualifiedName::Parse(table);
  auto conn = lakesync::pg::Connection::Open(dsn);
  auto fs = lakesync::storage::FileSystemForPath(source);
  if (!name.ok() || !conn.ok() || !fs.ok()) {
    fmt::print(stderr, "sync_freshness_bench: bad table, dsn or source\n");
    return 1;
  }
  const std::string probe = fmt::format("SELECT coalesce(max({}), 0) FROM {}",
                                        lakesync::pg::QuoteIdent(key), name->ToSql());
  auto max_key = [&]() -> int64_t {
    auto r = (*conn)->Query(probe);
    if (!r.ok()) return -1;
    auto v = r->GetInt64(0, 0);
    return v.ok() ? *v : -1;
  };

  std::mt19937 rng(42);
  std::uniform_int_distribution<int> pause_ms(100, 700);
  std::vector<double> latencies;
  for (int i = 0; i < commits; ++i) {
    const int64_t before = max_key();
    if (Run({deltagen, "-q", "change", "--table", source, "--insert", "1"}) != 0) {
      fmt::print(stderr, "sync_freshness_bench: deltagen change failed\n");
      return 1;
    }
    auto version = lakesync::delta::Snapshot::LatestVersion(**fs, source);
    struct stat st {};
    const std::string commit = fmt::format("{}/_delta_log/{:020d}.json", source, *version);
    if (!version.ok() || stat(commit.c_str(), &st) != 0) {
      fmt::print(stderr, "sync_freshness_bench: cannot stat {}\n", commit);
      return 1;
    }
    const auto written = Clock::time_point(std::chrono::duration_cast<Clock::duration>(
        std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
    const auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
    while (max_key() <= before) {
      if (Clock::now() > deadline) {
        fmt::print(stderr, "sync_freshness_bench: version {} not visible after {} s\n", *version,
                   timeout_s);
        return 1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    latencies.push_back(std::chrono::duration<double>(Clock::now() - written).count());
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
  }
  double sum = 0;
  for (double l : latencies) sum += l;
  fmt::print(
      "freshness commits={} p50_s={:.3f} p90_s={:.3f} p99_s={:.3f} max_s={:.3f} mean_s={:.3f}\n",
      latencies.size(), Percentile(latencies, 0.5), Percentile(latencies, 0.9),
      Percentile(latencies, 0.99), *std::max_element(latencies.begin(), latencies.end()),
      sum / static_cast<double>(latencies.size()));
  return 0;
}
