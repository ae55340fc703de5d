// Our side of bench/sync_bench.sh, figure (1): one snapshot load of a Delta table into
// PostgreSQL through sync::LoadSnapshot (the path `lakesync create` and full refreshes take),
// with the loader's knobs on the command line so their effect can be measured. Everything a
// load does is inside the timed region: reading the Delta log, decoding Parquet, COPY over
// the connections, building the primary key, the swap and its commit.
//
//   sync_load_bench --dsn DSN --source PATH --target NAME --key COL [--connections N]
//                   [--decoders N] [--decode-threads N] [--unlogged] [--index-memory 256MB]
//                   [--chunk-bytes N]
//
// Output, one line: `lakesync_snapshot rows=R seconds=S rows_per_s=X copy_seconds=C
// connections=N peak_rss_mib=M cpu_seconds=U` (peak RSS and CPU time of this process).
#include <fmt/format.h>
#include <sys/resource.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "lakesync/parquet/batch_memory.h"
#include "lakesync/sync/snapshot_loader.h"

namespace {

int Usage() {
  fmt::print(stderr,
             "usage: sync_load_bench --dsn DSN --source PATH --target NAME --key COL "
             "[--connections N] [--decoders N] [--decode-threads N] [--unlogged] "
             "[--index-memory SIZE] "
             "[--chunk-bytes N]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  lakesync::parquet::RetainBatchMemory();  // as the lakesync command does
  lakesync::sync::SnapshotLoadOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--unlogged") {
      options.unlogged_load = true;
      continue;
    }
    if ((v = value()) == nullptr) return Usage();
    if (a == "--dsn") {
      options.conninfo = v;
    } else if (a == "--source") {
      options.source = v;
    } else if (a == "--target") {
      options.target = v;
    } else if (a == "--key") {
      options.primary_key.push_back(v);
    } else if (a == "--connections") {
      options.max_connections = std::atoi(v);
      options.bytes_per_connection = 1;  // use them all, whatever the table's size
    } else if (a == "--decoders") {
      options.decoders = std::atoi(v);
    } else if (a == "--decode-threads") {
      options.decode_threads = std::atoi(v);
    } else if (a == "--index-memory") {
      options.index_build_memory = v;
    } else if (a == "--chunk-bytes") {
      options.copy_chunk_bytes = static_cast<size_t>(std::atoll(v));
    } else {
      return Usage();
    }
  }
  if (options.conninfo.empty() || options.source.empty() || options.target.empty() ||
      options.primary_key.empty()) {
    return Usage();
  }
  auto loaded = lakesync::sync::LoadSnapshot(options);
  if (!loaded.ok()) {
    fmt::print(stderr, "sync_load_bench: {}\n", loaded.status().ToString());
    return 1;
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                     static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  fmt::print(
      "lakesync_snapshot rows={} seconds={:.2f} rows_per_s={:.0f} copy_seconds={:.2f} "
      "connections={} peak_rss_mib={:.0f} cpu_seconds={:.2f}\n",
      loaded->rows_loaded, loaded->seconds,
      static_cast<double>(loaded->rows_loaded) / loaded->seconds, loaded->copy_seconds,
      loaded->connections, static_cast<double>(usage.ru_maxrss) / 1024.0, cpu);
  return 0;
}
