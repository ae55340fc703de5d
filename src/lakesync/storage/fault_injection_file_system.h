// FaultInjectionFileSystem: wraps another FileSystem and fails chosen reads with a retryable
// (Unavailable) error, so tests can check that callers retry, or report, a transient storage
// failure. Reads are counted across every file opened through the wrapper (ReadAt calls, and
// each range of a ReadRanges call).
// Thread-safety: as the wrapped FileSystem; the counters are atomic.
#pragma once

#include <atomic>
#include <memory>

#include "lakesync/storage/file_system.h"

namespace lakesync::storage {

class FaultInjectionFileSystem : public FileSystem {
 public:
  explicit FaultInjectionFileSystem(std::shared_ptr<FileSystem> base) : base_(std::move(base)) {}

  /// The n-th read from now on (1 = the next one) fails once; 0 disarms.
  void FailNthRead(int64_t n);
  /// Reads so far (failed ones included).
  int64_t reads() const { return state_->reads.load(); }
  /// Reads failed so far.
  int64_t injected_failures() const { return state_->failures.load(); }

  Result<std::unique_ptr<RandomAccessFile>> OpenForRead(const std::string& path) override;
  Result<FileInfo> GetFileInfo(const std::string& path) override {
    return base_->GetFileInfo(path);
  }
  Result<std::vector<FileInfo>> ListDir(const std::string& dir) override {
    return base_->ListDir(dir);
  }
  Result<std::vector<FileInfo>> ListDirAfter(const std::string& dir,
                                             const std::string& start_after_name) override {
    return base_->ListDirAfter(dir, start_after_name);
  }
  Result<std::vector<FileInfo>> ListNamesAfter(const std::string& dir,
                                               const std::string& start_after_name) override {
    return base_->ListNamesAfter(dir, start_after_name);
  }
  Status WriteFile(const std::string& path, std::string_view contents) override {
    return base_->WriteFile(path, contents);
  }
  Status CreateDirs(const std::string& dir) override { return base_->CreateDirs(dir); }
  Status DeleteFile(const std::string& path) override { return base_->DeleteFile(path); }

  /// Shared with the files opened through the wrapper (they may outlive it).
  struct State {
    std::atomic<int64_t> reads{0};
    std::atomic<int64_t> fail_at{0};  // the read number that fails; 0 = none
    std::atomic<int64_t> failures{0};
  };

 private:
  std::shared_ptr<FileSystem> base_;
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace lakesync::storage
