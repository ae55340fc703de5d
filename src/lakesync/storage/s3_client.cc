#include "lakesync/storage/s3_client.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <random>
#include <thread>

#include "lakesync/common/macros.h"
#include "lakesync/storage/file_system.h"
#include "lakesync/storage/sigv4.h"

namespace lakesync::storage {

struct S3Client::Op {
  std::string method;
  std::string bucket;
  std::string key;
  std::vector<std::pair<std::string, std::string>> query;
  std::string range;  // "bytes=a-b" or ""
  std::string_view body;
  uint8_t* out = nullptr;
  int64_t out_length = 0;
  int64_t range_offset = 0;
  int64_t object_size = -1;  // GetRanges' object_size: checked against Content-Range

  HttpRequest request;
  HttpResponse response;
  Status status;

  /// "s3://bucket/key" (or the bucket) for messages.
  std::string Name() const { return "s3://" + bucket + (key.empty() ? "" : "/" + key); }
};

namespace {

bool IsIpOrLocalhost(std::string_view host) {
  const size_t colon = host.rfind(':');
  if (colon != std::string_view::npos && host.find(']') == std::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (host == "localhost" || host.starts_with('[')) return true;
  return !host.empty() && std::all_of(host.begin(), host.end(),
                                      [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

bool RetryableS3Code(std::string_view code) {
  return code == "SlowDown" || code == "InternalError" || code == "ServiceUnavailable" ||
         code == "RequestTimeout" || code == "Throttling" || code == "ThrottlingException";
}

}  // namespace

Result<std::pair<std::string, std::string>> ParseS3Url(std::string_view url) {
  LAKESYNC_RETURN_NOT_OK(CheckPath(url));
  std::string_view rest;
  if (url.starts_with("s3://")) {
    rest = url.substr(5);
  } else if (url.starts_with("s3a://")) {
    rest = url.substr(6);
  } else {
    return Status::InvalidArgument("'{}' is not an s3:// URL", url);
  }
  const size_t slash = rest.find('/');
  std::string bucket(rest.substr(0, slash));
  std::string key(slash == std::string_view::npos ? "" : rest.substr(slash + 1));
  if (bucket.empty()) return Status::InvalidArgument("'{}' names no bucket", url);
  while (!key.empty() && key.back() == '/') key.pop_back();
  return std::make_pair(std::move(bucket), std::move(key));
}

S3Client::S3Client(S3Options options, std::string scheme, std::string host, std::string base_path)
    : options_(std::move(options)),
      scheme_(std::move(scheme)),
      host_(std::move(host)),
      base_path_(std::move(base_path)),
      http_(std::make_unique<HttpClient>(HttpClientOptions{
          options_.connect_timeout_ms, options_.stall_timeout_ms, options_.max_parallel_requests,
          options_.ca_bundle, options_.connect_to})) {}

Result<std::shared_ptr<S3Client>> S3Client::Make(S3Options options) {
  std::string scheme = "https", host, base;
  if (options.endpoint.empty()) {
    host = "s3." + options.region + ".amazonaws.com";
  } else {
    std::string_view ep = options.endpoint;
    const size_t sep = ep.find("://");
    if (sep == std::string_view::npos) {
      return Status::InvalidArgument("S3 endpoint '{}' must start with http:// or https://",
                                     options.endpoint);
    }
    scheme = std::string(ep.substr(0, sep));
    if (scheme != "http" && scheme != "https") {
      return Status::InvalidArgument("S3 endpoint '{}' must start with http:// or https://",
                                     options.endpoint);
    }
    ep.remove_prefix(sep + 3);
    const size_t slash = ep.find('/');
    host = std::string(ep.substr(0, slash));
    if (slash != std::string_view::npos) base = std::string(ep.substr(slash));
    while (!base.empty() && base.back() == '/') base.pop_back();
    if (host.empty())
      return Status::InvalidArgument("S3 endpoint '{}' has no host", options.endpoint);
  }
  if (options.max_attempts < 1) options.max_attempts = 1;
  if (options.read_part_bytes < 1) options.read_part_bytes = int64_t{8} << 20;
  if (options.list_page_size < 1 || options.list_page_size > 1000) options.list_page_size = 1000;
  return std::shared_ptr<S3Client>(
      new S3Client(std::move(options), std::move(scheme), std::move(host), std::move(base)));
}

bool S3Client::PathStyle(const std::string& bucket) const {
  if (options_.path_style) return *options_.path_style;
  return IsIpOrLocalhost(host_) || (scheme_ == "https" && bucket.find('.') != std::string::npos);
}

void S3Client::Prepare(Op& op) const {
  std::string host = host_, path;
  if (PathStyle(op.bucket)) {
    path = base_path_ + "/" + UriEncode(op.bucket, true);
    if (!op.key.empty()) path += "/" + UriEncode(op.key, false);
  } else {
    host = op.bucket + "." + host_;
    path = base_path_ + "/" + UriEncode(op.key, false);
  }
  const std::string amz_date = AmzDate(std::chrono::system_clock::now());
  SigV4Request sig;
  sig.method = op.method;
  sig.canonical_uri = path;
  sig.query = op.query;
  sig.payload_hash = op.method == "PUT" ? HexSha256(op.body) : HexSha256("");
  sig.headers = {
      {"host", host}, {"x-amz-date", amz_date}, {"x-amz-content-sha256", sig.payload_hash}};
  if (!op.range.empty()) sig.headers.emplace_back("range", op.range);
  if (!options_.credentials.session_token.empty()) {
    sig.headers.emplace_back("x-amz-security-token", options_.credentials.session_token);
  }
  HttpRequest& req = op.request;
  req = HttpRequest{};
  req.method = op.method;
  req.url = scheme_ + "://" + host + path;
  const std::string query = CanonicalQueryString(op.query);
  if (!query.empty()) req.url += "?" + query;
  for (const auto& [name, value] : sig.headers) req.headers.push_back(name + ": " + value);
  if (!options_.credentials.anonymous()) {
    req.headers.push_back("Authorization: " + AuthorizationHeader(sig, options_.credentials,
                                                                  options_.region, "s3", amz_date));
  }
  req.body = op.body;
  req.out = op.out;
  req.out_length = op.out_length;
  req.skip_on_full_response = op.range_offset;
}

Status S3Client::Classify(const Op& op, int attempt) const {
  const HttpResponse& r = op.response;
  const std::string tries = attempt > 1 ? fmt::format(" (after {} tries)", attempt) : "";
  if (r.curl_code != 0) {
    const std::string what = fmt::format("{} {} at {}://{}: {}{}", op.method, op.Name(), scheme_,
                                         host_, r.curl_error, tries);
    return r.TransportRetryable() ? Status::Unavailable("{}", what) : Status::IOError("{}", what);
  }
  if (op.object_size >= 0 && (r.status == 416 || (r.status >= 200 && r.status < 300))) {
    // "bytes a-b/total"; a 416 ("bytes */total") means the object is shorter than the range.
    auto header = r.headers.find("content-range");
    std::string_view range;
    if (header != r.headers.end()) range = header->second;
    const size_t slash = range.rfind('/');
    int64_t total = -1;
    if (slash != std::string_view::npos) {
      std::from_chars(range.data() + slash + 1, range.data() + range.size(), total);
    } else if (auto length = r.headers.find("content-length");
               r.status == 200 && length != r.headers.end()) {
      // A store that ignores Range sends the whole object.
      const std::string& text = length->second;
      std::from_chars(text.data(), text.data() + text.size(), total);
    }
    if (r.status == 416 || (total >= 0 && total != op.object_size)) {
      return Status::Corruption(
          "{} has {} bytes, not the {} the table's log gives for it (HTTP {} for {})", op.Name(),
          total >= 0 ? std::to_string(total) : "fewer", op.object_size, r.status, op.range);
    }
  }
  if (r.status >= 200 && r.status < 300) {
    if (op.out != nullptr && r.out_bytes != op.out_length) {
      return Status::Unavailable("GET {} ({}): received {} of {} bytes{}", op.Name(), op.range,
                                 r.out_bytes, op.out_length, tries);
    }
    return Status::OK();
  }
  const S3ErrorBody err = ParseS3Error(r.body);
  const std::string code = err.code.empty() ? "" : " " + err.code;
  const std::string message = err.message.empty() ? "" : ": " + err.message;
  const std::string what =
      fmt::format("{} {}: HTTP {}{}{}{}", op.method, op.Name(), r.status, code, message, tries);
  if (r.status >= 500 || r.status == 429 || r.status == 408 || RetryableS3Code(err.code)) {
    return Status::Unavailable("{}", what);
  }
  if (r.status == 404) {
    if (err.code == "NoSuchBucket")
      return Status::NotFound("bucket '{}' does not exist ({})", op.bucket, what);
    return Status::NotFound("{}", what);
  }
  if (r.status == 416) return Status::Corruption("{} (range {})", what, op.range);
  if (r.status == 301 || err.code == "AuthorizationHeaderMalformed") {
    return Status::InvalidArgument("{} (is region '{}' the bucket's region?)", what,
                                   options_.region);
  }
  if (r.status == 403) {
    return Status::IOError("{} (check the credentials: AWS_ACCESS_KEY_ID/AWS_PROFILE)", what);
  }
  return Status::IOError("{}", what);
}

Status S3Client::Execute(std::span<Op> ops) const {
  std::vector<size_t> pending(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) pending[i] = i;
  thread_local std::mt19937_64 rng{std::random_device{}()};
  for (int attempt = 1; !pending.empty(); ++attempt) {
    std::vector<HttpRequest*> requests;
    for (size_t i : pending) {
      Prepare(ops[i]);
      requests.push_back(&ops[i].request);
      auto& counter = ops[i].method == "GET" ? gets_ : ops[i].method == "HEAD" ? heads_ : others_;
      counter.fetch_add(1, std::memory_order_relaxed);
    }
    std::vector<HttpResponse> responses;
    http_->Perform(requests, &responses);
    std::vector<size_t> retry;
    for (size_t j = 0; j < pending.size(); ++j) {
      Op& op = ops[pending[j]];
      op.response = std::move(responses[j]);
      op.status = Classify(op, attempt);
      if (op.status.IsUnavailable() && attempt < options_.max_attempts) retry.push_back(pending[j]);
    }
    pending = std::move(retry);
    if (pending.empty()) break;
    const int64_t cap = std::min<int64_t>(options_.max_backoff_ms,
                                          options_.initial_backoff_ms << std::min(attempt - 1, 20));
    std::uniform_int_distribution<int64_t> jitter(cap / 2, std::max<int64_t>(cap, 1));
    std::this_thread::sleep_for(std::chrono::milliseconds(jitter(rng)));
  }
  for (const Op& op : ops) LAKESYNC_RETURN_NOT_OK(op.status);
  return Status::OK();
}

int64_t S3Client::requests(std::string_view method) const {
  if (method == "GET") return gets_.load();
  if (method == "HEAD") return heads_.load();
  return others_.load();
}

Result<S3Client::ObjectHead> S3Client::HeadObject(const std::string& bucket,
                                                  const std::string& key) const {
  Op op;
  op.method = "HEAD";
  op.bucket = bucket;
  op.key = key;
  Status st = Execute(std::span<Op>(&op, 1));
  ObjectHead head;
  if (st.IsNotFound()) return head;
  LAKESYNC_RETURN_NOT_OK(st);
  head.exists = true;
  const auto& h = op.response.headers;
  auto len = h.find("content-length");
  if (len == h.end()) return Status::IOError("HEAD {}: no Content-Length", op.Name());
  try {
    head.size = std::stoll(len->second);
  } catch (...) {
    return Status::IOError("HEAD {}: bad Content-Length '{}'", op.Name(), len->second);
  }
  auto mod = h.find("last-modified");
  if (mod != h.end()) {
    auto t = ParseS3TimeMs(mod->second);
    if (t.ok()) head.mtime_ms = *t;
  }
  return head;
}

Status S3Client::GetRanges(const std::string& bucket, const std::string& key,
                           std::span<const Range> ranges, int64_t object_size) const {
  std::vector<Op> ops;
  for (const Range& r : ranges) {
    for (int64_t done = 0; done < r.length; done += options_.read_part_bytes) {
      const int64_t n = std::min(options_.read_part_bytes, r.length - done);
      Op op;
      op.method = "GET";
      op.bucket = bucket;
      op.key = key;
      op.range_offset = r.offset + done;
      op.range = fmt::format("bytes={}-{}", op.range_offset, op.range_offset + n - 1);
      op.out = r.out + done;
      op.out_length = n;
      op.object_size = object_size;
      ops.push_back(std::move(op));
    }
  }
  return Execute(ops);
}

Result<std::string> S3Client::GetObject(const std::string& bucket, const std::string& key,
                                        int64_t* mtime_ms) const {
  Op op;
  op.method = "GET";
  op.bucket = bucket;
  op.key = key;
  LAKESYNC_RETURN_NOT_OK(Execute(std::span<Op>(&op, 1)));
  if (mtime_ms != nullptr) {
    *mtime_ms = -1;
    auto mod = op.response.headers.find("last-modified");
    if (mod != op.response.headers.end()) {
      auto t = ParseS3TimeMs(mod->second);
      if (t.ok()) *mtime_ms = *t;
    }
  }
  // curl fails a body shorter than its Content-Length (CURLE_PARTIAL_FILE, retried).
  return std::move(op.response.body);
}

Result<S3ListPage> S3Client::ListObjects(const std::string& bucket, const std::string& prefix,
                                         const std::string& delimiter,
                                         const std::string& start_after,
                                         const std::string& continuation_token,
                                         int max_keys) const {
  Op op;
  op.method = "GET";
  op.bucket = bucket;
  op.query = {{"list-type", "2"},
              {"max-keys", std::to_string(max_keys > 0 ? max_keys : options_.list_page_size)}};
  if (!prefix.empty()) op.query.emplace_back("prefix", prefix);
  if (!delimiter.empty()) op.query.emplace_back("delimiter", delimiter);
  if (!start_after.empty()) op.query.emplace_back("start-after", start_after);
  if (!continuation_token.empty()) op.query.emplace_back("continuation-token", continuation_token);
  Status st = Execute(std::span<Op>(&op, 1));
  if (!st.ok()) return st.WithContext(fmt::format("listing prefix '{}'", prefix));
  auto page = ParseListObjectsV2(op.response.body);
  if (!page.ok())
    return page.status().WithContext(fmt::format("listing s3://{}/{}", bucket, prefix));
  return page;
}

Status S3Client::PutObject(const std::string& bucket, const std::string& key,
                           std::string_view body) const {
  Op op;
  op.method = "PUT";
  op.bucket = bucket;
  op.key = key;
  op.body = body;
  return Execute(std::span<Op>(&op, 1));
}

Status S3Client::DeleteObject(const std::string& bucket, const std::string& key) const {
  Op op;
  op.method = "DELETE";
  op.bucket = bucket;
  op.key = key;
  return Execute(std::span<Op>(&op, 1));
}

Status S3Client::CreateBucket(const std::string& bucket) const {
  Op op;
  op.method = "PUT";
  op.bucket = bucket;
  Status st = Execute(std::span<Op>(&op, 1));
  if (!st.ok() && ParseS3Error(op.response.body).code == "BucketAlreadyOwnedByYou") {
    return Status::OK();
  }
  return st;
}

}  // namespace lakesync::storage
