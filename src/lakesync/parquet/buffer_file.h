// BufferFile: a RandomAccessFile over bytes already in memory, so a Parquet file that was just
// written, fetched whole, or built by a test or fuzzer can be read without touching storage.
// Thread-safety: immutable after construction; ReadAt may be called from several threads.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "lakesync/storage/file_system.h"

namespace lakesync::parquet {

class BufferFile : public storage::RandomAccessFile {
 public:
  /// `path` only names the bytes in error messages.
  BufferFile(std::string path, std::string bytes)
      : path_(std::move(path)), bytes_(std::move(bytes)) {}

  const std::string& path() const override { return path_; }
  int64_t size() const override { return static_cast<int64_t>(bytes_.size()); }
  Status ReadAt(int64_t offset, int64_t length, uint8_t* out) const override {
    if (offset < 0 || length < 0 || offset > size() || length > size() - offset) {
      return Status::Corruption("read [{}, +{}) past the end of {}", offset, length, path_);
    }
    if (length > 0) std::memcpy(out, bytes_.data() + offset, static_cast<size_t>(length));
    return Status::OK();
  }

 private:
  std::string path_;
  std::string bytes_;
};

}  // namespace lakesync::parquet
