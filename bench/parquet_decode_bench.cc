// Our side of bench/parquet_vs_duckdb.sh: decodes every column of every row group of a Parquet
// file on one thread into ColumnBatches and touches every value (sums into a sink, so nothing
// is optimised away), then prints the best wall time of N runs. Open, reads, decompression,
// decoding and record assembly are all inside the timed region, as DuckDB's query is.
//
//   parquet_decode_bench FILE [--repeat N] [--per-column]
//
// Output: `lakesync rows=R seconds=S rows_per_s=X cpu_seconds=C cpu_rows_per_s=Y checksum=K`
// (best wall time and best CPU time of the runs; CPU time is steadier on a shared machine);
// --per-column adds one line per top-level column with its best decode time (each column read
// alone), for profiling.
#include <fmt/format.h>

#include <sys/resource.h>
#include <algorithm>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "lakesync/common/column_batch.h"
#include "lakesync/common/macros.h"
#include "lakesync/parquet/batch_memory.h"
#include "lakesync/parquet/file_reader.h"
#include "lakesync/storage/local_file_system.h"

namespace lakesync {
namespace {

using Clock = std::chrono::steady_clock;

template <typename T>
uint64_t SumWords(const uint8_t* p, size_t bytes) {
  uint64_t s = 0;
  const size_t n = bytes / sizeof(T);
  for (size_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, p + i * sizeof(T), sizeof(T));
    s += static_cast<uint64_t>(v);
  }
  return s;
}

/// Folds every value of `col` (validity, fixed-width values, string offsets and bytes,
/// children) into a checksum.
uint64_t Touch(const ColumnVector& col) {
  uint64_t s = 0;
  for (uint8_t v : col.validity()) s += v;
  const PodVector<uint8_t>& values = col.values();
  switch (col.type().ValueWidth()) {
    case 1:
      s += SumWords<uint8_t>(values.data(), values.size());
      break;
    case 2:
      s += SumWords<uint16_t>(values.data(), values.size());
      break;
    case 4:
      s += SumWords<uint32_t>(values.data(), values.size());
      break;
    default:
      s += SumWords<uint64_t>(values.data(), values.size());
      break;
  }
  if (col.type().IsVarLength()) {
    // Every value's length (as MIN(length(s)) reads it) and every byte.
    const uint32_t* off = col.offsets().data();
    uint32_t min_len = std::numeric_limits<uint32_t>::max();
    for (int64_t i = 0; i < col.length(); ++i) min_len = std::min(min_len, off[i + 1] - off[i]);
    s += min_len;
    const PodVector<uint8_t>& bytes = col.bytes();
    s += SumWords<uint64_t>(bytes.data(), bytes.size());
    for (size_t i = bytes.size() / 8 * 8; i < bytes.size(); ++i) s += bytes[i];
  }
  for (const ColumnVector& child : col.children()) s += Touch(child);
  return s;
}

struct RunResult {
  int64_t rows = 0;
  uint64_t checksum = 0;
};

Status DecodeFile(const std::string& path, const std::vector<int>& columns, RunResult* out) {
  storage::LocalFileSystem fs;
  LAKESYNC_ASSIGN_OR_RETURN(auto file, fs.OpenForRead(path));
  parquet::ReaderOptions options;
  options.num_threads = 1;
  LAKESYNC_ASSIGN_OR_RETURN(auto reader, parquet::FileReader::Open(std::move(file), options));
  *out = RunResult{};
  for (int g = 0; g < reader->num_row_groups(); ++g) {
    LAKESYNC_ASSIGN_OR_RETURN(ColumnBatch batch, reader->ReadRowGroup(g, columns));
    out->rows += batch.num_rows;
    for (const ColumnVector& col : batch.columns) out->checksum += Touch(col);
  }
  return Status::OK();
}

/// CPU seconds (user + system) of this process so far.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec * 1e-6; };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

struct Timing {
  double wall = std::numeric_limits<double>::infinity();  // best of the runs
  double cpu = std::numeric_limits<double>::infinity();   // best of the runs
};

Result<Timing> Time(const std::string& path, const std::vector<int>& columns, int repeat,
                    RunResult* out) {
  Timing t;
  for (int r = 0; r < repeat; ++r) {
    const auto start = Clock::now();
    const double cpu_start = CpuSeconds();
    LAKESYNC_RETURN_NOT_OK(DecodeFile(path, columns, out));
    t.cpu = std::min(t.cpu, CpuSeconds() - cpu_start);
    t.wall = std::min(t.wall, std::chrono::duration<double>(Clock::now() - start).count());
  }
  return t;
}

int Main(int argc, char** argv) {
  parquet::RetainBatchMemory();  // as the lakesync binary does
  std::string path;
  int repeat = 3;
  bool per_column = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--repeat" && i + 1 < argc) {
      repeat = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--per-column") {
      per_column = true;
    } else if (!a.empty() && a[0] != '-' && path.empty()) {
      path = a;
    } else {
      fmt::print(stderr, "usage: parquet_decode_bench FILE [--repeat N] [--per-column]\n");
      return 2;
    }
  }
  if (path.empty()) {
    fmt::print(stderr, "usage: parquet_decode_bench FILE [--repeat N] [--per-column]\n");
    return 2;
  }
  RunResult result;
  auto seconds = Time(path, {}, repeat, &result);
  if (!seconds.ok()) {
    fmt::print(stderr, "parquet_decode_bench: {}\n", seconds.status().ToString());
    return 1;
  }
  const double rows = static_cast<double>(result.rows);
  fmt::print(
      "lakesync rows={} seconds={:.4f} rows_per_s={:.0f} cpu_seconds={:.4f} cpu_rows_per_s={:.0f} "
      "checksum={}\n",
      result.rows, seconds->wall, rows / seconds->wall, seconds->cpu, rows / seconds->cpu,
      result.checksum);
  if (per_column) {
    storage::LocalFileSystem fs;
    auto file = fs.OpenForRead(path);
    if (!file.ok()) return 1;
    auto reader = parquet::FileReader::Open(std::move(file).value());
    if (!reader.ok()) return 1;
    const auto& fields = (*reader)->schema();
    for (size_t c = 0; c < fields.size(); ++c) {
      RunResult one;
      auto s = Time(path, {static_cast<int>(c)}, repeat, &one);
      if (!s.ok()) {
        fmt::print(stderr, "parquet_decode_bench: {}\n", s.status().ToString());
        return 1;
      }
      fmt::print("  {:<24} {:>14} {:.4f} s wall {:.4f} s cpu\n", fields[c].name,
                 fields[c].type.ToString(), s->wall, s->cpu);
    }
  }
  return 0;
}

}  // namespace
}  // namespace lakesync

int main(int argc, char** argv) { return lakesync::Main(argc, argv); }
