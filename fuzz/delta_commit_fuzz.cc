// libFuzzer target: a Delta commit file. The bytes are read for snapshot replay
// (ParseCommitForReplay: adds and removes by key, with simdjson On-Demand) and in full
// (ParseActions); whenever the full parse accepts them, the replay must too and must find the
// same adds and removes in the same order. The commit is then applied after a fixed version 0
// (protocol and metadata) and the snapshot built, which reads the live adds' lines in full.
// Any crash, hang, sanitizer report or disagreement is a bug; errors are fine.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "lakesync/delta/log_parser.h"
#include "lakesync/delta/replay_parser.h"
#include "lakesync/delta/snapshot_builder.h"

namespace {

using namespace lakesync::delta;

// The keys of the adds ("+") and removes ("-") a parse found, in order.
std::vector<std::string> Keys(const std::vector<FileKey>& files,
                              const std::vector<Action>& actions) {
  std::vector<std::string> out;
  for (const FileKey& f : files) out.push_back((f.is_add ? "+" : "-") + std::string(f.key));
  for (const Action& a : actions) {
    if (const auto* add = std::get_if<AddFile>(&a)) {
      out.push_back("+" + LogicalFileKey(add->path, add->deletion_vector));
    } else if (const auto* remove = std::get_if<RemoveFile>(&a)) {
      out.push_back("-" + LogicalFileKey(remove->path, remove->deletion_vector));
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The replay reads the file in place, with its padding after it.
  std::string buffer(reinterpret_cast<const char*>(data), size);
  buffer.append(ReplayPadding(), '\0');
  const std::string_view contents(buffer.data(), size);
  ReplayCommit commit;
  const lakesync::Status replayed = ParseCommitForReplay(contents, "commit.json", &commit);
  auto full = ParseActions(contents, "commit.json", ParseOptions{.removes_as_keys = true});
  if (full.ok()) {
    if (!replayed.ok()) std::abort();  // the full parse accepted what replay refused
    if (Keys(commit.files, commit.actions) != Keys({}, *full)) std::abort();
  }
  if (!replayed.ok()) return 0;

  static const std::string kVersion0 =
      R"({"protocol":{"minReaderVersion":1,"minWriterVersion":2}})"
      "\n"
      R"({"metaData":{"id":"t","format":{"provider":"parquet","options":{}},"schemaString":"{\"type\":\"struct\",\"fields\":[{\"name\":\"a\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}}]}","partitionColumns":[],"configuration":{}}})"
      "\n";
  std::string first = kVersion0;
  first.append(ReplayPadding(), '\0');
  ReplayCommit zero;
  if (!ParseCommitForReplay(std::string_view(first.data(), kVersion0.size()), "0.json", &zero)
           .ok()) {
    std::abort();
  }
  SnapshotBuilder builder;
  if (!builder.ApplyCommit(0, zero, 0).ok() || !builder.ApplyCommit(1, commit, 0).ok()) {
    std::abort();  // in order and gap-free: applying cannot fail
  }
  builder.PinBorrowed();
  (void)builder.Build(nullptr, "/table");
  return 0;
}
