// S3Options: where and how lakesync talks to an S3-compatible store (endpoint, region,
// addressing style, credentials, retries, parallelism), and how they are found the way the AWS
// CLI and SDKs find them: environment variables first, then the shared ~/.aws files.
// Thread-safety: plain values; the loaders read the environment and files, nothing else.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "lakesync/common/result.h"
#include "lakesync/storage/sigv4.h"

namespace lakesync::storage {

struct S3Options {
  /// "https://host[:port]" or "http://127.0.0.1:9000"; empty = AWS S3 in `region`.
  std::string endpoint;
  std::string region = "us-east-1";
  /// Path-style ("endpoint/bucket/key") instead of virtual-hosted ("bucket.endpoint/key").
  /// Unset: path-style for IP-address and localhost endpoints (no DNS for bucket names there)
  /// and for bucket names with dots over https (the wildcard certificate does not cover them).
  std::optional<bool> path_style;
  /// Anonymous (unsigned) requests when empty.
  AwsCredentials credentials;
  /// PEM file of the certificate authorities trusted for https endpoints (a private CA or a
  /// self-signed store); empty: the system's.
  std::string ca_bundle;
  /// "host:port" that every connection goes to, whatever host name the URL names (curl's
  /// CONNECT_TO): for endpoints reachable only by address, and tests of virtual-hosted
  /// addressing on loopback. Empty: connect to the URL's host.
  std::string connect_to;

  /// Tries per request; 5xx, 429, timeouts and connection errors are retried with exponential
  /// backoff (with jitter), then reported as Unavailable.
  int max_attempts = 5;
  int64_t initial_backoff_ms = 100;
  int64_t max_backoff_ms = 5000;
  int64_t connect_timeout_ms = 10000;
  /// A transfer that moves no byte for this long fails (and is retried).
  int64_t stall_timeout_ms = 30000;
  /// Requests in flight at once for one batch of reads.
  int max_parallel_requests = 8;
  /// Ranged reads larger than this are split into parts fetched in parallel.
  int64_t read_part_bytes = int64_t{8} << 20;
  /// Keys per LIST page (S3 returns at most 1000); smaller values are for tests.
  int list_page_size = 1000;

  /// The options the environment and the shared AWS files describe:
  ///   credentials  AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN), else the
  ///                profile AWS_PROFILE (default "default") of AWS_SHARED_CREDENTIALS_FILE
  ///                (default ~/.aws/credentials), else of AWS_CONFIG_FILE (~/.aws/config)
  ///   region       AWS_REGION, AWS_DEFAULT_REGION, the profile's `region` in the config file
  ///   endpoint     AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's `endpoint_url`
  ///   path style   AWS_S3_FORCE_PATH_STYLE=true|false
  ///   CA bundle    AWS_CA_BUNDLE, the profile's `ca_bundle`
  /// InvalidArgument for a malformed file, a profile named but absent, or half a key pair.
  /// `getenv` is for tests; by default the process environment.
  static Result<S3Options> FromEnvironment(
      const std::function<std::optional<std::string>(const std::string&)>& getenv = {});
};

/// The sections of an AWS-style INI file ("[default]", "[profile x]" or "[x]") with their
/// key = value pairs; nested (indented) sub-settings are skipped. InvalidArgument naming the
/// line for text outside a section or a line without '='.
Result<std::map<std::string, std::map<std::string, std::string>>> ParseAwsIni(
    const std::string& text, const std::string& file_name);

}  // namespace lakesync::storage
