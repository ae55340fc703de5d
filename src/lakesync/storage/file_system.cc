#include "lakesync/storage/file_system.h"

#include <algorithm>
#include <cstring>

#include "lakesync/common/macros.h"
#include "lakesync/storage/local_file_system.h"
#include "lakesync/storage/s3_file_system.h"

namespace lakesync::storage {

Result<PodVector<uint8_t>> RandomAccessFile::ReadRange(int64_t offset, int64_t length) const {
  PodVector<uint8_t> buf(static_cast<size_t>(length));
  LAKESYNC_RETURN_NOT_OK(ReadAt(offset, length, buf.data()));
  return buf;
}

Status RandomAccessFile::ReadRanges(std::span<const ReadRequest> ranges) const {
  for (const ReadRequest& r : ranges) LAKESYNC_RETURN_NOT_OK(ReadAt(r.offset, r.length, r.out));
  return Status::OK();
}

Result<std::unique_ptr<RandomAccessFile>> FileSystem::OpenForReadKnownSize(const std::string& path,
                                                                           int64_t size) {
  LAKESYNC_ASSIGN_OR_RETURN(auto file, OpenForRead(path));
  if (file->size() != size) {
    return Status::Corruption("{} has {} bytes, not the {} the table's log gives for it", path,
                              file->size(), size);
  }
  return file;
}

Result<std::vector<FileInfo>> FileSystem::ListDirAfter(const std::string& dir,
                                                       const std::string& start_after_name) {
  LAKESYNC_ASSIGN_OR_RETURN(auto all, ListDir(dir));
  std::vector<FileInfo> out;
  for (auto& info : all) {
    if (BaseName(info.path) > start_after_name) out.push_back(std::move(info));
  }
  return out;
}

Result<std::vector<FileInfo>> FileSystem::ListNamesAfter(const std::string& dir,
                                                         const std::string& start_after_name) {
  return ListDirAfter(dir, start_after_name);
}

Result<std::string> FileSystem::ReadFile(const std::string& path) {
  LAKESYNC_ASSIGN_OR_RETURN(auto file, OpenForRead(path));
  std::string out(static_cast<size_t>(file->size()), '\0');
  LAKESYNC_RETURN_NOT_OK(file->ReadAt(0, file->size(), reinterpret_cast<uint8_t*>(out.data())));
  return out;
}

Result<FileInfo> FileSystem::ReadFileInto(const std::string& path,
                                          const std::function<char*(size_t)>& allocate) {
  LAKESYNC_ASSIGN_OR_RETURN(auto contents, ReadFile(path));
  char* out = allocate(contents.size());
  if (!contents.empty()) std::memcpy(out, contents.data(), contents.size());
  return FileInfo{
      .path = path, .exists = true, .size = static_cast<int64_t>(contents.size()), .mtime_ms = -1};
}

Status CheckPath(std::string_view path) {
  const size_t nul = path.find('\0');
  if (nul == std::string_view::npos) return Status::OK();
  return Status::InvalidArgument("path '{}' holds a NUL byte at offset {}", path.substr(0, nul),
                                 nul);
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string out(dir);
  while (!out.empty() && out.back() == '/') out.pop_back();
  size_t start = 0;
  while (start < name.size() && name[start] == '/') ++start;
  out += '/';
  out += name.substr(start);
  return out;
}

std::string_view BaseName(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  auto pos = path.rfind('/');
  return pos == std::string_view::npos ? path : path.substr(pos + 1);
}

Result<std::shared_ptr<FileSystem>> FileSystemForPath(const std::string& path) {
  if (path.starts_with("s3://") || path.starts_with("s3a://")) {
    return DefaultS3FileSystem();
  }
  if (path.find("://") != std::string::npos && !path.starts_with("file://")) {
    return Status::NotSupported("unsupported URL scheme in '{}'", path);
  }
  return std::shared_ptr<FileSystem>(std::make_shared<LocalFileSystem>());
}

}  // namespace lakesync::storage
