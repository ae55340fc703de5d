// S3Client: the S3 REST calls lakesync needs (HEAD, ranged GET, ListObjectsV2, PUT, DELETE,
// CreateBucket) against any S3-compatible endpoint, signed with SigV4 when credentials are
// set. Every call retries 5xx, 429, timeouts and connection errors with exponential backoff
// and jitter, re-signing each try; what is still failing after the last try is Unavailable.
// Errors name the s3:// object (or bucket) and S3's error code.
// Thread-safety: all methods are const and may be called from any number of threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lakesync/common/result.h"
#include "lakesync/storage/http_client.h"
#include "lakesync/storage/s3_options.h"
#include "lakesync/storage/s3_xml.h"

namespace lakesync::storage {

class S3Client {
 public:
  /// InvalidArgument for an endpoint that is not http(s)://host[:port][/path].
  static Result<std::shared_ptr<S3Client>> Make(S3Options options);

  const S3Options& options() const { return options_; }

  struct ObjectHead {
    bool exists = false;
    int64_t size = 0;
    int64_t mtime_ms = 0;
  };
  /// exists=false (not an error) for a missing key.
  Result<ObjectHead> HeadObject(const std::string& bucket, const std::string& key) const;

  struct Range {
    int64_t offset = 0;
    int64_t length = 0;
    uint8_t* out = nullptr;
  };
  /// Reads every range of one object, large ones split into options().read_part_bytes parts,
  /// up to options().max_parallel_requests requests in flight. REQUIRES: ranges inside the
  /// object (the caller checks against its size). `object_size` >= 0 is the size the caller
  /// took without asking the store (a Delta log gives it): each response's Content-Range
  /// must confirm it, else a Corruption error names both sizes.
  Status GetRanges(const std::string& bucket, const std::string& key, std::span<const Range> ranges,
                   int64_t object_size = -1) const;

  /// Requests sent so far, retries included: GETs, HEADs, or ("other") every other method.
  int64_t requests(std::string_view method) const;

  /// The whole object in one GET; NotFound naming it when missing. `mtime_ms`, when given,
  /// receives its Last-Modified time (-1 when the store does not send one).
  Result<std::string> GetObject(const std::string& bucket, const std::string& key,
                                int64_t* mtime_ms = nullptr) const;

  /// One ListObjectsV2 page; `max_keys` <= 0 means options().list_page_size.
  Result<S3ListPage> ListObjects(const std::string& bucket, const std::string& prefix,
                                 const std::string& delimiter, const std::string& start_after,
                                 const std::string& continuation_token, int max_keys = 0) const;

  Status PutObject(const std::string& bucket, const std::string& key, std::string_view body) const;
  Status DeleteObject(const std::string& bucket, const std::string& key) const;
  /// Creates a bucket (tests and tools); an existing bucket you own is fine.
  Status CreateBucket(const std::string& bucket) const;

 private:
  struct Op;
  S3Client(S3Options options, std::string scheme, std::string host, std::string base_path);

  bool PathStyle(const std::string& bucket) const;
  /// Runs every op with retries; each op's status is set; returns the first error.
  Status Execute(std::span<Op> ops) const;
  void Prepare(Op& op) const;
  /// OK, a final error, or Unavailable for one worth retrying.
  Status Classify(const Op& op, int attempt) const;

  S3Options options_;
  std::string scheme_;     // "http" or "https"
  std::string host_;       // host[:port]
  std::string base_path_;  // "" or "/path" of the endpoint
  std::unique_ptr<HttpClient> http_;
  mutable std::atomic<int64_t> gets_{0}, heads_{0}, others_{0};
};

/// "s3://bucket/key" (or s3a://) split into bucket and key (key may be empty).
/// InvalidArgument for anything else or an empty bucket.
Result<std::pair<std::string, std::string>> ParseS3Url(std::string_view url);

}  // namespace lakesync::storage
