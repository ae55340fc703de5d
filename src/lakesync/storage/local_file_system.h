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
  /// Stats only the entries after `start_after_name`.
  Result<std::vector<FileInfo>> ListDirAfter(const std::string& dir,
                                             const std::string& start_after_name) override;
  /// readdir alone: a stat only where the entry's type does not tell a file from a directory
  /// (a symlink, or a file system that does not report types).
  Result<std::vector<FileInfo>> ListNamesAfter(const std::string& dir,
                                               const std::string& start_after_name) override;
  /// open + fstat + read + close, with no file object in between (log replay reads 100k+
  /// small commit files this way).
  Result<std::string> ReadFile(const std::string& path) override;
  /// The same syscalls as ReadFile, into the caller's memory; the mtime comes from the fstat.
  Result<FileInfo> ReadFileInto(const std::string& path,
                                const std::function<char*(size_t)>& allocate) override;
  Status WriteFile(const std::string& path, std::string_view contents) override;
  Status CreateDirs(const std::string& dir) override;
  Status DeleteFile(const std::string& path) override;

 private:
  // The entries of `dir` named after `start_after_name`, sorted; stat'ed when `details`.
  Result<std::vector<FileInfo>> List(const std::string& dir, std::string_view start_after_name,
                                     bool details);
};

}  // namespace lakesync::storage
