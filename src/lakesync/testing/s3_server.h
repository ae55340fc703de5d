// S3Server: a throwaway S3-compatible server on loopback for tests: s3rver (npm, in the
// checkout's node_modules) on a free port, storing into a fresh temporary directory, with the
// buckets it was asked for. Stopped (SIGTERM) and its directory removed when the object dies.
// Thread-safety: one test (or test suite) owns it; the server itself takes concurrent requests.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "lakesync/common/result.h"
#include "lakesync/storage/s3_options.h"

namespace lakesync::testing {

class S3Server {
 public:
  /// Starts s3rver and waits (up to 20 s) until it listens. NotFound when node or
  /// node_modules/s3rver is missing (callers skip), Unavailable when it does not come up.
  /// `tls`: serve https with a fresh self-signed certificate for 127.0.0.1 (openssl CLI);
  /// Options() then trusts exactly that certificate.
  static Result<std::unique_ptr<S3Server>> Start(
      const std::vector<std::string>& buckets = {"lakesync"}, bool tls = false);
  ~S3Server();
  S3Server(const S3Server&) = delete;
  S3Server& operator=(const S3Server&) = delete;

  /// "http://127.0.0.1:PORT" (https with tls).
  const std::string& endpoint() const { return endpoint_; }
  /// Options for talking to this server: its endpoint, path-style, s3rver's built-in key pair.
  storage::S3Options Options() const;
  /// The file in which s3rver keeps the bytes of `bucket`/`key` (its modification time is the
  /// object's Last-Modified).
  std::string ObjectFile(const std::string& bucket, const std::string& key) const;

 private:
  S3Server(pid_t pid, std::string dir, std::string endpoint)
      : pid_(pid), dir_(std::move(dir)), endpoint_(std::move(endpoint)) {}

  pid_t pid_;
  std::string dir_;  // temporary root: data/ holds the buckets
  std::string endpoint_;
  std::string ca_file_;  // the self-signed certificate, with tls
};

/// The checkout's root (where node_modules lies).
std::string SourceDir();

}  // namespace lakesync::testing
