#include "lakesync/storage/memory_file_system.h"

#include <chrono>
#include <cstring>

#include "lakesync/common/macros.h"

namespace lakesync::storage {
namespace {

std::string Normalize(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return std::string(path);
}

class MemoryFile : public RandomAccessFile {
 public:
  MemoryFile(std::string path, std::shared_ptr<const std::string> data)
      : path_(std::move(path)), data_(std::move(data)) {}
  const std::string& path() const override { return path_; }
  int64_t size() const override { return static_cast<int64_t>(data_->size()); }
  Status ReadAt(int64_t offset, int64_t length, uint8_t* out) const override {
    if (offset < 0 || length < 0 || offset > size() || length > size() - offset) {
      return Status::Corruption("read of {} bytes at offset {} is past the end of '{}' ({} bytes)",
                                length, offset, path_, size());
    }
    if (length > 0) std::memcpy(out, data_->data() + offset, static_cast<size_t>(length));
    return Status::OK();
  }

 private:
  std::string path_;
  std::shared_ptr<const std::string> data_;
};

}  // namespace

Result<std::unique_ptr<RandomAccessFile>> MemoryFileSystem::OpenForRead(const std::string& path) {
  LAKESYNC_RETURN_NOT_OK(CheckPath(path));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(Normalize(path));
  if (it == files_.end()) {
    if (dirs_.count(Normalize(path))) {
      return Status::InvalidArgument("'{}' is a directory, not a file", path);
    }
    return Status::NotFound("cannot open '{}': no such file", path);
  }
  return std::unique_ptr<RandomAccessFile>(std::make_unique<MemoryFile>(path, it->second.data));
}

Result<FileInfo> MemoryFileSystem::GetFileInfo(const std::string& path) {
  LAKESYNC_RETURN_NOT_OK(CheckPath(path));
  std::lock_guard<std::mutex> lock(mu_);
  FileInfo info;
  info.path = path;
  const std::string p = Normalize(path);
  if (auto it = files_.find(p); it != files_.end()) {
    info.exists = true;
    info.size = static_cast<int64_t>(it->second.data->size());
    info.mtime_ms = it->second.mtime_ms;
    return info;
  }
  const std::string prefix = p + "/";
  auto below = files_.lower_bound(prefix);
  auto dir_below = dirs_.lower_bound(prefix);
  if (dirs_.count(p) || (below != files_.end() && below->first.starts_with(prefix)) ||
      (dir_below != dirs_.end() && dir_below->starts_with(prefix))) {
    info.exists = true;
    info.is_dir = true;
  }
  return info;
}

Result<std::vector<FileInfo>> MemoryFileSystem::ListDir(const std::string& dir) {
  LAKESYNC_RETURN_NOT_OK(CheckPath(dir));
  std::lock_guard<std::mutex> lock(mu_);
  const std::string prefix = Normalize(dir) + "/";
  std::map<std::string, FileInfo> out;  // by name
  for (auto it = files_.lower_bound(prefix); it != files_.end() && it->first.starts_with(prefix);
       ++it) {
    const std::string rest = it->first.substr(prefix.size());
    const size_t slash = rest.find('/');
    FileInfo info;
    info.exists = true;
    if (slash == std::string::npos) {
      info.path = JoinPath(dir, rest);
      info.size = static_cast<int64_t>(it->second.data->size());
      info.mtime_ms = it->second.mtime_ms;
    } else {
      info.path = JoinPath(dir, rest.substr(0, slash));
      info.is_dir = true;
    }
    out.emplace(info.path, info);
  }
  for (auto it = dirs_.lower_bound(prefix); it != dirs_.end() && it->starts_with(prefix); ++it) {
    const std::string rest = it->substr(prefix.size());
    FileInfo info;
    info.exists = true;
    info.is_dir = true;
    info.path = JoinPath(dir, rest.substr(0, rest.find('/')));
    out.emplace(info.path, info);
  }
  std::vector<FileInfo> sorted;
  for (auto& [path, info] : out) sorted.push_back(std::move(info));
  return sorted;
}

Status MemoryFileSystem::WriteFile(const std::string& path, std::string_view contents) {
  LAKESYNC_RETURN_NOT_OK(CheckPath(path));
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::lock_guard<std::mutex> lock(mu_);
  files_[Normalize(path)] = Entry{std::make_shared<const std::string>(contents), now};
  return Status::OK();
}

Status MemoryFileSystem::CreateDirs(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mu_);
  dirs_.insert(Normalize(dir));
  return Status::OK();
}

Status MemoryFileSystem::DeleteFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (files_.erase(Normalize(path)) == 0) {
    return Status::NotFound("cannot delete '{}': no such file", path);
  }
  return Status::OK();
}

}  // namespace lakesync::storage
