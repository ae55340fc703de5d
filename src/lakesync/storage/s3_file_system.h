// S3FileSystem: FileSystem over any S3-compatible object store. Paths are "s3://bucket/key"
// (s3a:// too); "directories" are key prefixes ending at '/', listed with ListObjectsV2
// (delimiter '/', every continuation page). Files are read with ranged GETs; ReadRanges and
// large reads fetch several parts at once.
// Thread-safety: safe from any thread; files share the filesystem's connection pool and may be
// read concurrently.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "lakesync/storage/file_system.h"
#include "lakesync/storage/s3_client.h"
#include "lakesync/storage/s3_options.h"

namespace lakesync::storage {

class S3FileSystem : public FileSystem {
 public:
  /// No I/O; InvalidArgument for a malformed endpoint.
  static Result<std::shared_ptr<S3FileSystem>> Make(S3Options options);

  const S3Client& client() const { return *client_; }

  Result<std::unique_ptr<RandomAccessFile>> OpenForRead(const std::string& path) override;
  /// No request: every read checks the size in the response's Content-Range.
  Result<std::unique_ptr<RandomAccessFile>> OpenForReadKnownSize(const std::string& path,
                                                                 int64_t size) override;
  Result<FileInfo> GetFileInfo(const std::string& path) override;
  Result<std::vector<FileInfo>> ListDir(const std::string& dir) override;
  Result<std::vector<FileInfo>> ListDirAfter(const std::string& dir,
                                             const std::string& start_after_name) override;
  /// One PUT (atomic on S3: readers see the old object or the new one).
  Status WriteFile(const std::string& path, std::string_view contents) override;
  /// Nothing to do: prefixes exist when keys under them do.
  Status CreateDirs(const std::string& dir) override;
  Status DeleteFile(const std::string& path) override;
  /// One GET of the whole object.
  Result<std::string> ReadFile(const std::string& path) override;
  /// One GET; the mtime is the response's Last-Modified.
  Result<FileInfo> ReadFileInto(const std::string& path,
                                const std::function<char*(size_t)>& allocate) override;

 private:
  explicit S3FileSystem(std::shared_ptr<S3Client> client) : client_(std::move(client)) {}
  Result<std::vector<FileInfo>> List(const std::string& dir, const std::string& start_after_name);

  std::shared_ptr<S3Client> client_;
};

/// Options FileSystemForPath uses for s3:// paths from now on (e.g. from a config file);
/// nullopt goes back to S3Options::FromEnvironment().
void SetDefaultS3Options(std::optional<S3Options> options);

/// The S3FileSystem FileSystemForPath hands out: one per distinct set of options, shared, so
/// connections are reused across commands of one process.
Result<std::shared_ptr<FileSystem>> DefaultS3FileSystem();

}  // namespace lakesync::storage
