#include "lakesync/storage/s3_file_system.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>

#include "lakesync/common/macros.h"

namespace lakesync::storage {
namespace {

class S3File : public RandomAccessFile {
 public:
  // `size_unconfirmed`: the size came from the caller, not from the store, so every read
  // checks it.
  S3File(std::shared_ptr<S3Client> client, std::string path, std::string bucket, std::string key,
         int64_t size, bool size_unconfirmed)
      : client_(std::move(client)),
        path_(std::move(path)),
        bucket_(std::move(bucket)),
        key_(std::move(key)),
        size_(size),
        size_unconfirmed_(size_unconfirmed) {}

  const std::string& path() const override { return path_; }
  int64_t size() const override { return size_; }

  Status ReadAt(int64_t offset, int64_t length, uint8_t* out) const override {
    const ReadRequest one{offset, length, out};
    return ReadRanges(std::span<const ReadRequest>(&one, 1));
  }

  Status ReadRanges(std::span<const ReadRequest> ranges) const override {
    std::vector<S3Client::Range> parts;
    for (const ReadRequest& r : ranges) {
      if (r.offset < 0 || r.length < 0 || r.offset > size_ || r.length > size_ - r.offset) {
        return Status::Corruption(
            "read of {} bytes at offset {} is past the end of '{}' ({} bytes)", r.length, r.offset,
            path_, size_);
      }
      if (r.length > 0) parts.push_back({r.offset, r.length, r.out});
    }
    if (parts.empty()) return Status::OK();
    return client_->GetRanges(bucket_, key_, parts, size_unconfirmed_ ? size_ : -1);
  }

 private:
  std::shared_ptr<S3Client> client_;
  std::string path_;
  std::string bucket_;
  std::string key_;
  int64_t size_;
  bool size_unconfirmed_;
};

std::mutex g_default_mu;
std::optional<S3Options> g_default_options;
std::map<std::string, std::shared_ptr<FileSystem>> g_instances;

std::string Fingerprint(const S3Options& o) {
  return fmt::format("{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}", o.endpoint, o.connect_to,
                     o.ca_bundle, o.region, o.path_style ? (*o.path_style ? 1 : 0) : -1,
                     o.credentials.access_key_id, o.credentials.secret_access_key,
                     o.credentials.session_token, o.max_attempts, o.max_parallel_requests,
                     o.read_part_bytes, o.list_page_size);
}

}  // namespace

Result<std::shared_ptr<S3FileSystem>> S3FileSystem::Make(S3Options options) {
  LAKESYNC_ASSIGN_OR_RETURN(auto client, S3Client::Make(std::move(options)));
  return std::shared_ptr<S3FileSystem>(new S3FileSystem(std::move(client)));
}

Result<std::unique_ptr<RandomAccessFile>> S3FileSystem::OpenForRead(const std::string& path) {
  LAKESYNC_ASSIGN_OR_RETURN(auto parts, ParseS3Url(path));
  auto& [bucket, key] = parts;
  if (key.empty()) return Status::InvalidArgument("'{}' names a bucket, not a file", path);
  LAKESYNC_ASSIGN_OR_RETURN(auto head, client_->HeadObject(bucket, key));
  if (!head.exists) return Status::NotFound("cannot open '{}': no such object", path);
  return std::unique_ptr<RandomAccessFile>(
      std::make_unique<S3File>(client_, path, bucket, key, head.size, false));
}

Result<std::unique_ptr<RandomAccessFile>> S3FileSystem::OpenForReadKnownSize(
    const std::string& path, int64_t size) {
  LAKESYNC_ASSIGN_OR_RETURN(auto parts, ParseS3Url(path));
  auto& [bucket, key] = parts;
  if (key.empty()) return Status::InvalidArgument("'{}' names a bucket, not a file", path);
  if (size < 0) return Status::InvalidArgument("'{}': negative size {}", path, size);
  return std::unique_ptr<RandomAccessFile>(
      std::make_unique<S3File>(client_, path, bucket, key, size, true));
}

Result<FileInfo> S3FileSystem::GetFileInfo(const std::string& path) {
  LAKESYNC_ASSIGN_OR_RETURN(auto parts, ParseS3Url(path));
  auto& [bucket, key] = parts;
  FileInfo info;
  info.path = path;
  if (!key.empty()) {
    LAKESYNC_ASSIGN_OR_RETURN(auto head, client_->HeadObject(bucket, key));
    if (head.exists) {
      info.exists = true;
      info.size = head.size;
      info.mtime_ms = head.mtime_ms;
      return info;
    }
  }
  // Not an object: a directory when some key lies under it.
  auto page = client_->ListObjects(bucket, key.empty() ? "" : key + "/", "/", "", "", 1);
  if (!page.ok()) {
    if (page.status().IsNotFound()) return info;  // no such bucket: absent too
    return page.status();
  }
  if (key.empty() || !page->objects.empty() || !page->common_prefixes.empty()) {
    info.exists = true;
    info.is_dir = true;
  }
  return info;
}

Result<std::vector<FileInfo>> S3FileSystem::List(const std::string& dir,
                                                 const std::string& start_after_name) {
  LAKESYNC_ASSIGN_OR_RETURN(auto parts, ParseS3Url(dir));
  auto& [bucket, key] = parts;
  const std::string prefix = key.empty() ? "" : key + "/";
  const std::string start_after = start_after_name.empty() ? "" : prefix + start_after_name;
  std::vector<FileInfo> out;
  std::string token;
  do {
    auto page = client_->ListObjects(bucket, prefix, "/", token.empty() ? start_after : "", token);
    if (!page.ok()) {
      // A missing bucket lists nothing, as a missing local directory does.
      if (page.status().IsNotFound()) return out;
      return page.status();
    }
    for (S3ListedObject& obj : page->objects) {
      if (obj.key.size() <= prefix.size()) continue;  // the "dir/" marker object itself
      FileInfo info;
      info.path = JoinPath(dir, std::string_view(obj.key).substr(prefix.size()));
      info.exists = true;
      info.size = obj.size;
      info.mtime_ms = obj.mtime_ms;
      out.push_back(std::move(info));
    }
    for (std::string& p : page->common_prefixes) {
      std::string_view name = std::string_view(p).substr(std::min(prefix.size(), p.size()));
      while (!name.empty() && name.back() == '/') name.remove_suffix(1);
      if (name.empty()) continue;
      if (!start_after_name.empty() && std::string(name) <= start_after_name) continue;
      FileInfo info;
      info.path = JoinPath(dir, name);
      info.exists = true;
      info.is_dir = true;
      out.push_back(std::move(info));
    }
    token = page->truncated ? page->next_continuation_token : "";
  } while (!token.empty());
  std::sort(out.begin(), out.end(),
            [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
  return out;
}

Result<std::vector<FileInfo>> S3FileSystem::ListDir(const std::string& dir) {
  return List(dir, "");
}

Result<std::vector<FileInfo>> S3FileSystem::ListDirAfter(const std::string& dir,
                                                         const std::string& start_after_name) {
  return List(dir, start_after_name);
}

Status S3FileSystem::WriteFile(const std::string& path, std::string_view contents) {
  LAKESYNC_ASSIGN_OR_RETURN(auto parts, ParseS3Url(path));
  if (parts.second.empty()) return Status::InvalidArgument("'{}' names a bucket, not a file", path);
  return client_->PutObject(parts.first, parts.second, contents);
}

Status S3FileSystem::CreateDirs(const std::string& dir) {
  LAKESYNC_ASSIGN_OR_RETURN(auto parts, ParseS3Url(dir));
  (void)parts;
  return Status::OK();
}

Status S3FileSystem::DeleteFile(const std::string& path) {
  LAKESYNC_ASSIGN_OR_RETURN(auto parts, ParseS3Url(path));
  if (parts.second.empty()) return Status::InvalidArgument("'{}' names a bucket, not a file", path);
  return client_->DeleteObject(parts.first, parts.second);
}

Result<std::string> S3FileSystem::ReadFile(const std::string& path) {
  LAKESYNC_ASSIGN_OR_RETURN(auto parts, ParseS3Url(path));
  if (parts.second.empty()) return Status::InvalidArgument("'{}' names a bucket, not a file", path);
  return client_->GetObject(parts.first, parts.second);
}

Result<FileInfo> S3FileSystem::ReadFileInto(const std::string& path,
                                            const std::function<char*(size_t)>& allocate) {
  LAKESYNC_ASSIGN_OR_RETURN(auto parts, ParseS3Url(path));
  if (parts.second.empty()) return Status::InvalidArgument("'{}' names a bucket, not a file", path);
  int64_t mtime_ms = -1;
  LAKESYNC_ASSIGN_OR_RETURN(std::string body,
                            client_->GetObject(parts.first, parts.second, &mtime_ms));
  char* out = allocate(body.size());
  if (!body.empty()) std::memcpy(out, body.data(), body.size());
  return FileInfo{.path = path,
                  .exists = true,
                  .size = static_cast<int64_t>(body.size()),
                  .mtime_ms = mtime_ms};
}

void SetDefaultS3Options(std::optional<S3Options> options) {
  std::lock_guard<std::mutex> lock(g_default_mu);
  g_default_options = std::move(options);
}

Result<std::shared_ptr<FileSystem>> DefaultS3FileSystem() {
  std::optional<S3Options> options;
  {
    std::lock_guard<std::mutex> lock(g_default_mu);
    options = g_default_options;
  }
  if (!options) {
    LAKESYNC_ASSIGN_OR_RETURN(S3Options env, S3Options::FromEnvironment());
    options = std::move(env);
  }
  const std::string key = Fingerprint(*options);
  std::lock_guard<std::mutex> lock(g_default_mu);
  auto it = g_instances.find(key);
  if (it != g_instances.end()) return it->second;
  LAKESYNC_ASSIGN_OR_RETURN(auto fs, S3FileSystem::Make(std::move(*options)));
  g_instances[key] = fs;
  return std::shared_ptr<FileSystem>(fs);
}

}  // namespace lakesync::storage
