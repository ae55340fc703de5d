// LocalFileSystem: FileSystem over POSIX files (pread for random access).
// Thread-safety: stateless; safe from any thread.
#pragma once

#include "lakesync/storage/file_system.h"

namespace lakesync::storage {

class LocalFileSystem : public FileSystem {
 public:
  Result<std::unique_ptr<RandomAccessFile>> OpenForRead(const std::string& path) override;
  Result<FileInfo> GetFileInfo(const std::string& path) override;
  Result<std::vector<FileInfo>> ListDir(const std::string& dir) override;
  /// open + fstat + read + close, with no file object in between (log replay reads 100k+
  /// small commit files this way).
  Result<std::string> ReadFile(const std::string& path) override;
  Status WriteFile(const std::string& path, std::string_view contents) override;
  Status CreateDirs(const std::string& dir) override;
  Status DeleteFile(const std::string& path) override;
};

}  // namespace lakesync::storage
