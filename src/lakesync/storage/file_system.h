// FileSystem: the one seam through which lakesync reads (and tools write) table files, so the
// same reader works on local disk, S3 and in-memory test stores. Paths are plain strings:
// local paths, or URLs with a scheme (s3://bucket/key).
// Thread-safety: implementations are safe to call from several threads; a RandomAccessFile
// supports concurrent ReadAt calls.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lakesync/common/pod_vector.h"
#include "lakesync/common/result.h"

namespace lakesync::storage {

/// What a listing or a stat says about a path. Missing is data, not an error.
struct FileInfo {
  std::string path;  // full path, as the FileSystem names it
  bool exists = false;
  bool is_dir = false;
  int64_t size = 0;
  int64_t mtime_ms = 0;  // modification time, milliseconds since the epoch
};

/// One range of a RandomAccessFile::ReadRanges call: `length` bytes at `offset` into `out`.
struct ReadRequest {
  int64_t offset = 0;
  int64_t length = 0;
  uint8_t* out = nullptr;
};

class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  /// The path this file was opened from (for error messages).
  virtual const std::string& path() const = 0;
  virtual int64_t size() const = 0;
  /// Reads exactly `length` bytes at `offset` into `out`; a short file is a Corruption error.
  virtual Status ReadAt(int64_t offset, int64_t length, uint8_t* out) const = 0;
  /// Reads several ranges as ReadAt would, returning the first error. Object stores fetch
  /// them concurrently (one round trip for all instead of one per range); the default reads
  /// them one after another.
  virtual Status ReadRanges(std::span<const ReadRequest> ranges) const;
  /// Convenience: ReadAt into a new buffer.
  Result<PodVector<uint8_t>> ReadRange(int64_t offset, int64_t length) const;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  virtual Result<std::unique_ptr<RandomAccessFile>> OpenForRead(const std::string& path) = 0;
  /// OpenForRead of a file whose size the caller knows (a Delta add action gives it): object
  /// stores skip the request for the size (a HEAD per data file). A file of another size is a
  /// Corruption error naming both sizes; object stores (and a missing object's NotFound) tell
  /// at the first read.
  virtual Result<std::unique_ptr<RandomAccessFile>> OpenForReadKnownSize(const std::string& path,
                                                                         int64_t size);
  /// Information about one path; `exists` is false (and the status OK) when it is absent.
  virtual Result<FileInfo> GetFileInfo(const std::string& path) = 0;
  /// The entries directly inside `dir`, sorted by path; an absent dir lists as empty.
  virtual Result<std::vector<FileInfo>> ListDir(const std::string& dir) = 0;
  /// Entries inside `dir` whose names sort at or after `start_after_name` (exclusive), sorted.
  /// Object stores answer this without listing what comes before.
  virtual Result<std::vector<FileInfo>> ListDirAfter(const std::string& dir,
                                                     const std::string& start_after_name);
  /// ListDirAfter for callers that need only names: `size` and `mtime_ms` are -1 where the
  /// store would need a call per entry to learn them (a local disk; object stores list them
  /// anyway). A log replay lists 100k+ commit files so and learns their times as it reads them.
  virtual Result<std::vector<FileInfo>> ListNamesAfter(const std::string& dir,
                                                       const std::string& start_after_name);
  /// Writes a whole file, atomically where the store allows (create-then-rename locally).
  virtual Status WriteFile(const std::string& path, std::string_view contents) = 0;
  /// Creates `dir` and its parents; an existing dir is fine.
  virtual Status CreateDirs(const std::string& dir) = 0;
  virtual Status DeleteFile(const std::string& path) = 0;

  /// Reads a whole file (object stores: one request, no size lookup first).
  virtual Result<std::string> ReadFile(const std::string& path);
  /// Reads a whole file into memory the caller provides: `allocate(n)` returns n writable
  /// bytes (a caller keeping many files places them in one arena, with a parser's padding).
  /// Returns the file's size and, where the read learns it for free, its mtime_ms (else -1).
  virtual Result<FileInfo> ReadFileInto(const std::string& path,
                                        const std::function<char*(size_t)>& allocate);
};

/// InvalidArgument when `path` holds a NUL byte: POSIX calls would silently cut it there and
/// object stores would look up another key, so every FileSystem refuses it.
Status CheckPath(std::string_view path);

/// Joins a directory and a relative name with exactly one '/'.
std::string JoinPath(std::string_view dir, std::string_view name);
/// The last component of a path.
std::string_view BaseName(std::string_view path);

/// The FileSystem for a path or URL ("s3://..." or a local path), and the path within it.
Result<std::shared_ptr<FileSystem>> FileSystemForPath(const std::string& path);

}  // namespace lakesync::storage
