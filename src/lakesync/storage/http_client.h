// HttpClient: plain HTTP(S) requests over libcurl, many in flight at once. Each Perform runs a
// batch on one curl multi handle taken from a pool, so connections (and TLS sessions) are
// reused across batches. It knows nothing of S3: signing, retries and error meaning are the
// caller's (s3_client.h).
// Thread-safety: Perform may be called from several threads at once (each takes its own multi
// handle from the pool).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace lakesync::storage {

struct HttpRequest {
  std::string method;  // GET, HEAD, PUT, DELETE
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string_view body;             // PUT only; must outlive Perform
  /// A 2xx body goes here when set (exactly `out_length` bytes expected); otherwise into
  /// HttpResponse::body.
  uint8_t* out = nullptr;
  int64_t out_length = 0;
  /// When the server answers a ranged GET with the whole object (200), skip this many bytes.
  int64_t skip_on_full_response = 0;
};

struct HttpResponse {
  int curl_code = 0;  // 0 when the exchange completed (whatever its HTTP status)
  std::string curl_error;
  long status = 0;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;           // bodies without `out` (whole), error bodies (first 16 MiB)
  int64_t out_bytes = 0;      // bytes written to `out`
  bool out_overflow = false;  // more than out_length bytes arrived

  /// The transfer failed in a way that a later try may not (refused or reset connection,
  /// timeout, truncated transfer, name resolution).
  bool TransportRetryable() const;
};

struct HttpClientOptions {
  int64_t connect_timeout_ms = 10000;
  int64_t stall_timeout_ms = 30000;
  int max_parallel = 8;
  /// PEM file of trusted certificate authorities (empty: the system's).
  std::string ca_file;
  /// "host:port" to connect to instead of the URL's host (empty: the URL's host).
  std::string connect_to;
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// Runs every request, at most options.max_parallel at a time; (*responses)[i] answers
  /// requests[i]. Never fails as a whole: each response says what happened to its request.
  void Perform(const std::vector<HttpRequest*>& requests, std::vector<HttpResponse>* responses);

 private:
  void* TakeMulti();
  void ReturnMulti(void* multi);
  void* TakeEasy();
  void ReturnEasy(void* easy);

  HttpClientOptions options_;
  void* connect_to_ = nullptr;  // curl_slist* for CURLOPT_CONNECT_TO, or null
  std::mutex mu_;
  std::vector<void*> idle_multis_;  // CURLM*
  std::vector<void*> idle_easies_;  // CURL*
};

}  // namespace lakesync::storage
