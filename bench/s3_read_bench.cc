// S3 read throughput against s3rver on loopback: the same 64 MiB object read as 1 MiB ranges
// one request at a time, as one ReadRanges call (8 requests in flight), and as one large read
// split into parts; plus small-object latency (ReadFile, one GET). Prints MB/s per mode and the
// ratio to the sequential reads. Loopback s3rver (single-threaded Node) bounds the absolute
// figures; the ratios show what keeping requests in flight buys.
// Usage: s3_read_bench [MiB]   (needs node and node_modules/s3rver, as the tests do)
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "lakesync/storage/s3_file_system.h"
#include "lakesync/testing/s3_server.h"

using namespace lakesync;

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t mib = argc > 1 ? std::atoll(argv[1]) : 64;
  const int64_t size = mib << 20;
  auto server = testing::S3Server::Start({"bench"});
  if (!server.ok()) {
    fmt::print(stderr, "cannot start s3rver: {}\n", server.status().ToString());
    return 1;
  }
  auto fs = storage::S3FileSystem::Make((*server)->Options());
  if (!fs.ok()) return 1;
  std::string data(static_cast<size_t>(size), '\0');
  std::mt19937_64 rng(1);
  for (size_t i = 0; i + 8 <= data.size(); i += 8) {
    const uint64_t v = rng();
    std::memcpy(&data[i], &v, 8);
  }
  if (Status st = (*fs)->WriteFile("s3://bench/big.bin", data); !st.ok()) {
    fmt::print(stderr, "upload failed: {}\n", st.ToString());
    return 1;
  }
  auto file = (*fs)->OpenForRead("s3://bench/big.bin");
  if (!file.ok()) return 1;
  std::vector<uint8_t> buf(static_cast<size_t>(size));
  constexpr int64_t kRange = 1 << 20;
  const double mb = static_cast<double>(size) / 1e6;

  auto t = std::chrono::steady_clock::now();
  for (int64_t off = 0; off < size; off += kRange) {
    if (!(*file)->ReadAt(off, kRange, buf.data() + off).ok()) return 1;
  }
  const double sequential = Seconds(t);

  std::vector<storage::ReadRequest> reqs;
  for (int64_t off = 0; off < size; off += kRange) reqs.push_back({off, kRange, buf.data() + off});
  t = std::chrono::steady_clock::now();
  if (!(*file)->ReadRanges(reqs).ok()) return 1;
  const double ranges = Seconds(t);

  t = std::chrono::steady_clock::now();
  if (!(*file)->ReadAt(0, size, buf.data()).ok()) return 1;
  const double parts = Seconds(t);
  const bool same = std::memcmp(buf.data(), data.data(), data.size()) == 0;

  constexpr int kSmall = 200;
  for (int i = 0; i < kSmall; ++i) {
    if (!(*fs)->WriteFile(fmt::format("s3://bench/log/{:020}.json", i), "{\"add\":{}}").ok()) {
      return 1;
    }
  }
  t = std::chrono::steady_clock::now();
  for (int i = 0; i < kSmall; ++i) {
    if (!(*fs)->ReadFile(fmt::format("s3://bench/log/{:020}.json", i)).ok()) return 1;
  }
  const double small = Seconds(t);

  fmt::print("object {} MiB on s3rver (loopback), bytes verified: {}\n", mib, same ? "yes" : "NO");
  fmt::print("{:<44} {:>9.1f} MB/s\n", "1 MiB ReadAt calls, one at a time", mb / sequential);
  fmt::print("{:<44} {:>9.1f} MB/s  ({:.2f}x)\n", "1 MiB ranges in one ReadRanges (8 in flight)",
             mb / ranges, sequential / ranges);
  fmt::print("{:<44} {:>9.1f} MB/s  ({:.2f}x)\n", "one ReadAt split into 8 MiB parts", mb / parts,
             sequential / parts);
  fmt::print("{:<44} {:>9.2f} ms each\n", "small object ReadFile (one GET)", small * 1e3 / kSmall);
  return same ? 0 : 1;
}
