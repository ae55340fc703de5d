#include "lakesync/storage/local_file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "lakesync/common/macros.h"

namespace lakesync::storage {
namespace {

std::string LocalPath(const std::string& path) {
  return path.starts_with("file://") ? path.substr(7) : path;
}

Status ErrnoStatus(int err, std::string_view what, const std::string& path) {
  if (err == ENOENT || err == ENOTDIR) {
    return Status::NotFound("{} '{}': {}", what, path, std::strerror(err));
  }
  if (err == EINTR || err == EAGAIN) {
    return Status::Unavailable("{} '{}': {}", what, path, std::strerror(err));
  }
  return Status::IOError("{} '{}': {}", what, path, std::strerror(err));
}

class LocalFile : public RandomAccessFile {
 public:
  LocalFile(std::string path, int fd, int64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~LocalFile() override { ::close(fd_); }
  LocalFile(const LocalFile&) = delete;
  LocalFile& operator=(const LocalFile&) = delete;

  const std::string& path() const override { return path_; }
  int64_t size() const override { return size_; }

  Status ReadAt(int64_t offset, int64_t length, uint8_t* out) const override {
    if (offset < 0 || length < 0 || offset > size_ || length > size_ - offset) {
      return Status::Corruption("read of {} bytes at offset {} is past the end of '{}' ({} bytes)",
                                length, offset, path_, size_);
    }
    int64_t done = 0;
    while (done < length) {
      ssize_t n = ::pread(fd_, out + done, static_cast<size_t>(length - done), offset + done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus(errno, "cannot read", path_);
      }
      if (n == 0) {
        return Status::Corruption("'{}' ended at {} bytes while reading {} bytes at offset {}",
                                  path_, offset + done, length, offset);
      }
      done += n;
    }
    return Status::OK();
  }

 private:
  std::string path_;
  int fd_;
  int64_t size_;
};

struct OpenedFile {
  int fd;
  int64_t size;
  int64_t mtime_ms;
};

int64_t MtimeMs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
}

// Opens `path` for reading and takes its size from the open descriptor (one open + fstat, no
// second path walk); a directory is InvalidArgument. The caller owns (closes) the descriptor.
Result<OpenedFile> OpenRegularFile(const std::string& path) {
  LAKESYNC_RETURN_NOT_OK(CheckPath(path));
  const std::string local = LocalPath(path);
  int fd = ::open(local.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "cannot open", path);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoStatus(err, "cannot stat", path);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument("'{}' is a directory, not a file", path);
  }
  return OpenedFile{fd, static_cast<int64_t>(st.st_size), MtimeMs(st)};
}

}  // namespace

Result<std::unique_ptr<RandomAccessFile>> LocalFileSystem::OpenForRead(const std::string& path) {
  LAKESYNC_ASSIGN_OR_RETURN(OpenedFile file, OpenRegularFile(path));
  return std::unique_ptr<RandomAccessFile>(std::make_unique<LocalFile>(path, file.fd, file.size));
}

Result<FileInfo> LocalFileSystem::ReadFileInto(const std::string& path,
                                               const std::function<char*(size_t)>& allocate) {
  LAKESYNC_ASSIGN_OR_RETURN(OpenedFile file, OpenRegularFile(path));
  const int fd = file.fd;
  const size_t size = static_cast<size_t>(file.size);
  char* out = allocate(size);
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::read(fd, out + done, size - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return ErrnoStatus(err, "cannot read", path);
    }
    if (n == 0) {
      ::close(fd);
      return Status::Corruption("'{}' ended at {} bytes while reading {} bytes", path, done, size);
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return FileInfo{.path = path, .exists = true, .size = file.size, .mtime_ms = file.mtime_ms};
}

Result<std::string> LocalFileSystem::ReadFile(const std::string& path) {
  std::string out;
  LAKESYNC_RETURN_NOT_OK(ReadFileInto(path, [&out](size_t n) {
                           out.resize(n);
                           return out.data();
                         }).status());
  return out;
}

namespace {

// stat(2) of `path`, or of `name` inside the open directory `dir_fd` when that is >= 0 (listing
// a directory: no walk of the whole path per entry).
Result<FileInfo> StatInfo(const std::string& path, int dir_fd, const char* name) {
  FileInfo info;
  info.path = path;
  struct stat st;
  const int rc =
      dir_fd >= 0 ? ::fstatat(dir_fd, name, &st, 0) : ::stat(LocalPath(path).c_str(), &st);
  if (rc != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return info;
    return ErrnoStatus(errno, "cannot stat", path);
  }
  info.exists = true;
  info.is_dir = S_ISDIR(st.st_mode);
  info.size = st.st_size;
  info.mtime_ms = MtimeMs(st);
  return info;
}

}  // namespace

Result<FileInfo> LocalFileSystem::GetFileInfo(const std::string& path) {
  LAKESYNC_RETURN_NOT_OK(CheckPath(path));
  return StatInfo(path, -1, nullptr);
}

Result<std::vector<FileInfo>> LocalFileSystem::List(const std::string& dir,
                                                    std::string_view start_after_name,
                                                    bool details) {
  LAKESYNC_RETURN_NOT_OK(CheckPath(dir));
  std::vector<FileInfo> out;
  DIR* d = ::opendir(LocalPath(dir).c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return out;
    return ErrnoStatus(errno, "cannot list", dir);
  }
  // Names first, sorted, then the paths: sorting full paths compared their common prefix
  // again and again. Without details, only a symlink or an unknown entry type needs a stat.
  std::vector<std::pair<std::string, unsigned char>> names;
  while (struct dirent* e = ::readdir(d)) {
    std::string_view name(e->d_name);
    if (name == "." || name == ".." || name <= start_after_name) continue;
    names.emplace_back(name, e->d_type);
  }
  std::sort(names.begin(), names.end());
  out.reserve(names.size());
  for (const auto& [name, type] : names) {
    if (details || type == DT_UNKNOWN || type == DT_LNK) {
      auto info = StatInfo(JoinPath(dir, name), ::dirfd(d), name.c_str());
      if (!info.ok()) {
        ::closedir(d);
        return info.status();
      }
      if (!info->exists) continue;  // raced with a delete: skip
      if (!details) info->size = info->mtime_ms = -1;
      out.push_back(std::move(*info));
    } else {
      out.push_back(FileInfo{.path = JoinPath(dir, name),
                             .exists = true,
                             .is_dir = type == DT_DIR,
                             .size = -1,
                             .mtime_ms = -1});
    }
  }
  ::closedir(d);
  return out;
}

Result<std::vector<FileInfo>> LocalFileSystem::ListDir(const std::string& dir) {
  return List(dir, {}, true);
}

Result<std::vector<FileInfo>> LocalFileSystem::ListDirAfter(const std::string& dir,
                                                            const std::string& start_after_name) {
  return List(dir, start_after_name, true);
}

Result<std::vector<FileInfo>> LocalFileSystem::ListNamesAfter(const std::string& dir,
                                                              const std::string& start_after_name) {
  return List(dir, start_after_name, false);
}

Status LocalFileSystem::WriteFile(const std::string& path, std::string_view contents) {
  LAKESYNC_RETURN_NOT_OK(CheckPath(path));
  const std::string local = LocalPath(path);
  const std::string tmp = local + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus(errno, "cannot create", tmp);
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return ErrnoStatus(err, "cannot write", tmp);
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return ErrnoStatus(errno, "cannot close", tmp);
  if (::rename(tmp.c_str(), local.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return ErrnoStatus(err, "cannot rename into", path);
  }
  return Status::OK();
}

Status LocalFileSystem::CreateDirs(const std::string& dir) {
  LAKESYNC_RETURN_NOT_OK(CheckPath(dir));
  std::error_code ec;
  std::filesystem::create_directories(LocalPath(dir), ec);
  if (ec) return Status::IOError("cannot create directory '{}': {}", dir, ec.message());
  return Status::OK();
}

Status LocalFileSystem::DeleteFile(const std::string& path) {
  LAKESYNC_RETURN_NOT_OK(CheckPath(path));
  if (::unlink(LocalPath(path).c_str()) != 0) return ErrnoStatus(errno, "cannot delete", path);
  return Status::OK();
}

}  // namespace lakesync::storage
