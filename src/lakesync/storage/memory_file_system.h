// MemoryFileSystem: a FileSystem held in memory, for tests. It behaves like an object store:
// files are whole byte strings keyed by path, directories exist while files lie under them
// (CreateDirs also records an empty one), and opened files keep reading the contents they
// were opened with.
// Thread-safety: safe from any thread (one mutex).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "lakesync/storage/file_system.h"

namespace lakesync::storage {

class MemoryFileSystem : public FileSystem {
 public:
  Result<std::unique_ptr<RandomAccessFile>> OpenForRead(const std::string& path) override;
  Result<FileInfo> GetFileInfo(const std::string& path) override;
  Result<std::vector<FileInfo>> ListDir(const std::string& dir) override;
  Status WriteFile(const std::string& path, std::string_view contents) override;
  Status CreateDirs(const std::string& dir) override;
  Status DeleteFile(const std::string& path) override;

 private:
  struct Entry {
    std::shared_ptr<const std::string> data;
    int64_t mtime_ms = 0;
  };
  std::mutex mu_;
  std::map<std::string, Entry> files_;
  std::set<std::string> dirs_;
};

}  // namespace lakesync::storage
