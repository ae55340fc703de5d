// S3-specific behaviour against s3rver on loopback: retries of server errors, throttling,
// stalls and refused connections (through a fault-injecting HTTP proxy in front of s3rver),
// error messages naming the object and S3's error code, parallel part reads, and
// FileSystemForPath configured from the environment.
#include "lakesync/storage/s3_file_system.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <random>
#include <thread>

#include "lakesync/common/strings.h"
#include "lakesync/testing/s3_server.h"

namespace lakesync::storage {
namespace {

// A loopback HTTP proxy to s3rver that answers the first `failures` requests with
// `fail_status` (and an S3 error body), or stalls them, then forwards faithfully.
class FaultyProxy {
 public:
  FaultyProxy(const std::string& upstream_endpoint, int failures, int fail_status,
              bool stall = false)
      : failures_(failures), fail_status_(fail_status), stall_(stall) {
    const std::string hostport = upstream_endpoint.substr(upstream_endpoint.find("//") + 2);
    upstream_host_ = hostport.substr(0, hostport.find(':'));
    upstream_port_ = std::stoi(hostport.substr(hostport.find(':') + 1));
    server_.Get(".*",
                [this](const httplib::Request& req, httplib::Response& res) { Handle(req, res); });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FaultyProxy() {
    server_.stop();
    thread_.join();
  }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_; }
  /// The headers of the last request that reached the proxy.
  httplib::Headers last_headers() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_headers_;
  }

 private:
  void Handle(const httplib::Request& req, httplib::Response& res) {
    ++requests_;
    {
      std::lock_guard<std::mutex> lock(mu_);
      last_headers_ = req.headers;
    }
    if (failures_-- > 0) {
      if (stall_) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2500));
        return;
      }
      res.status = fail_status_;
      res.set_content(
          "<?xml version=\"1.0\"?><Error><Code>SlowDown</Code><Message>Please reduce your "
          "request rate.</Message></Error>",
          "application/xml");
      return;
    }
    httplib::Client upstream(upstream_host_, upstream_port_);
    upstream.set_url_encode(false);
    httplib::Headers headers;
    for (const char* name :
         {"Host", "Range", "Authorization", "x-amz-date", "x-amz-content-sha256"}) {
      if (req.has_header(name)) headers.emplace(name, req.get_header_value(name));
    }
    // HEAD is forwarded as GET so the proxy's answer carries the object's Content-Length.
    auto r = upstream.Get(req.target, headers);
    if (!r) {
      res.status = 502;
      return;
    }
    res.status = r->status;
    for (const char* name : {"Last-Modified", "Content-Range", "ETag"}) {
      if (r->has_header(name)) res.set_header(name, r->get_header_value(name));
    }
    res.set_content(r->body, r->get_header_value("Content-Type"));
  }

  std::atomic<int> failures_;
  int fail_status_;
  bool stall_;
  std::atomic<int> requests_{0};
  std::mutex mu_;
  httplib::Headers last_headers_;
  std::string upstream_host_;
  int upstream_port_ = 0;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

// A header's value (names compared case-insensitively), or "" when absent. A plain scan:
// lookups in httplib::Headers misbehaved against Debian's prebuilt cpp-httplib.
std::string HeaderValue(const httplib::Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return "";
}

class S3FileSystemTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto s = testing::S3Server::Start({"lakesync"});
    if (s.ok()) {
      server_ = std::move(s).value();
    } else {
      status_ = s.status();
    }
  }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override {
    if (status_.IsNotFound()) GTEST_SKIP() << status_;
    ASSERT_TRUE(server_) << status_;
    auto fs = S3FileSystem::Make(server_->Options());
    ASSERT_TRUE(fs.ok()) << fs.status();
    fs_ = *fs;
  }
  std::shared_ptr<S3FileSystem> Through(const std::string& endpoint, int max_attempts) {
    S3Options o = server_->Options();
    o.endpoint = endpoint;
    o.max_attempts = max_attempts;
    o.stall_timeout_ms = 1000;
    return *S3FileSystem::Make(o);
  }

  static inline std::unique_ptr<testing::S3Server> server_;
  static inline Status status_;
  std::shared_ptr<S3FileSystem> fs_;
};

TEST_F(S3FileSystemTest, ServerErrorsAreRetriedUntilTheyPass) {
  ASSERT_TRUE(fs_->WriteFile("s3://lakesync/retry/a.json", "{\"a\":1}").ok());
  for (int status : {500, 503, 429}) {
    FaultyProxy proxy(server_->endpoint(), 2, status);
    auto fs = Through(proxy.endpoint(), 5);
    auto text = fs->ReadFile("s3://lakesync/retry/a.json");
    ASSERT_TRUE(text.ok()) << status << ": " << text.status();
    EXPECT_EQ(*text, "{\"a\":1}");
    EXPECT_EQ(proxy.requests(), 3) << "2 failed GETs, then the GET that passes";
  }
}

TEST_F(S3FileSystemTest, PersistentServerErrorsEndUnavailableNamingObjectAndCode) {
  ASSERT_TRUE(fs_->WriteFile("s3://lakesync/retry/b.json", "{}").ok());
  auto file = fs_->OpenForRead("s3://lakesync/retry/b.json");
  ASSERT_TRUE(file.ok());
  FaultyProxy proxy(server_->endpoint(), 1000, 503);
  auto fs = Through(proxy.endpoint(), 3);
  auto listing = fs->ListDir("s3://lakesync/retry");
  ASSERT_FALSE(listing.ok());
  EXPECT_TRUE(listing.status().IsUnavailable()) << listing.status();
  EXPECT_NE(listing.status().message().find("SlowDown"), std::string::npos) << listing.status();
  EXPECT_NE(listing.status().message().find("after 3 tries"), std::string::npos)
      << listing.status();
  EXPECT_NE(listing.status().message().find("s3://lakesync"), std::string::npos)
      << listing.status();
  EXPECT_EQ(proxy.requests(), 3);
}

TEST_F(S3FileSystemTest, StalledResponseTimesOutAndIsRetried) {
  ASSERT_TRUE(fs_->WriteFile("s3://lakesync/retry/stall.json", "stall").ok());
  FaultyProxy proxy(server_->endpoint(), 1, 0, /*stall=*/true);
  auto fs = Through(proxy.endpoint(), 3);
  auto text = fs->ReadFile("s3://lakesync/retry/stall.json");
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, "stall");
}

TEST_F(S3FileSystemTest, AnonymousRequestsAreUnsignedAndSessionTokensSigned) {
  ASSERT_TRUE(fs_->WriteFile("s3://lakesync/auth/a.txt", "anon").ok());
  FaultyProxy proxy(server_->endpoint(), 0, 0);
  S3Options o = server_->Options();
  o.endpoint = proxy.endpoint();
  o.credentials = {};
  auto anonymous = *S3FileSystem::Make(o);
  EXPECT_EQ(*anonymous->ReadFile("s3://lakesync/auth/a.txt"), "anon");
  EXPECT_EQ(HeaderValue(proxy.last_headers(), "Authorization"), "");

  o.credentials = {"S3RVER", "S3RVER", "the-session-token"};
  auto with_token = *S3FileSystem::Make(o);
  EXPECT_EQ(*with_token->ReadFile("s3://lakesync/auth/a.txt"), "anon");
  const httplib::Headers h = proxy.last_headers();
  EXPECT_EQ(HeaderValue(h, "x-amz-security-token"), "the-session-token");
  const std::string auth = HeaderValue(h, "Authorization");
  EXPECT_TRUE(auth.starts_with("AWS4-HMAC-SHA256 Credential=S3RVER/")) << auth;
  EXPECT_NE(auth.find("/us-east-1/s3/aws4_request"), std::string::npos) << auth;
  EXPECT_NE(auth.find("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"),
            std::string::npos)
      << auth;
}

// Virtual-hosted addressing: the bucket travels in the host name ("lakesync.s3....") and not
// in the path. Connections go to a loopback proxy whatever the name (connect_to); it records
// the Host header and forwards it to s3rver, which serves *.s3.*.amazonaws.com hosts as buckets.
TEST_F(S3FileSystemTest, VirtualHostedAddressingPutsTheBucketInTheHostName) {
  ASSERT_TRUE(fs_->WriteFile("s3://lakesync/vhost/dir/a b=1.json", "virtual").ok());
  FaultyProxy proxy(server_->endpoint(), 0, 0);
  const std::string port = proxy.endpoint().substr(proxy.endpoint().rfind(':') + 1);
  S3Options o = server_->Options();
  o.endpoint = "http://s3.us-east-1.amazonaws.com:" + port;
  o.connect_to = "127.0.0.1:" + port;
  o.path_style.reset();  // a DNS name: virtual-hosted by default
  auto fs = *S3FileSystem::Make(o);
  auto listing = fs->ListDir("s3://lakesync/vhost/dir");
  ASSERT_TRUE(listing.ok()) << listing.status();
  ASSERT_EQ(listing->size(), 1u);
  EXPECT_EQ((*listing)[0].path, "s3://lakesync/vhost/dir/a b=1.json");
  auto text = fs->ReadFile("s3://lakesync/vhost/dir/a b=1.json");
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, "virtual");
  EXPECT_EQ(HeaderValue(proxy.last_headers(), "Host"),
            "lakesync.s3.us-east-1.amazonaws.com:" + port);
  // Path-style forced: the bucket moves into the path, the host is the endpoint's.
  o.path_style = true;
  EXPECT_EQ(*(*S3FileSystem::Make(o))->ReadFile("s3://lakesync/vhost/dir/a b=1.json"), "virtual");
  EXPECT_EQ(HeaderValue(proxy.last_headers(), "Host"), "s3.us-east-1.amazonaws.com:" + port);
}

// https with a private CA: trusted through ca_bundle (AWS_CA_BUNDLE), refused without it.
TEST(S3TlsTest, HttpsEndpointWithAPrivateCertificateAuthority) {
  auto server = testing::S3Server::Start({"secure"}, /*tls=*/true);
  if (!server.ok() && server.status().IsNotFound()) GTEST_SKIP() << server.status();
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_TRUE((*server)->endpoint().starts_with("https://"));
  auto fs = *S3FileSystem::Make((*server)->Options());
  ASSERT_TRUE(fs->WriteFile("s3://secure/a.json", "{\"tls\":true}").ok());
  EXPECT_EQ(*fs->ReadFile("s3://secure/a.json"), "{\"tls\":true}");
  auto listing = fs->ListDir("s3://secure");
  ASSERT_TRUE(listing.ok()) << listing.status();
  EXPECT_EQ(listing->size(), 1u);

  S3Options untrusting = (*server)->Options();
  untrusting.ca_bundle.clear();
  Status st = (*S3FileSystem::Make(untrusting))->ReadFile("s3://secure/a.json").status();
  EXPECT_TRUE(st.IsIOError()) << st;  // a certificate problem is not transient
  EXPECT_NE(st.message().find("s3://secure/a.json"), std::string::npos) << st;
}

TEST_F(S3FileSystemTest, RefusedConnectionsEndUnavailableAfterTheLastTry) {
  // A port nobody listens on: bind, read the port, close.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  auto fs = Through("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)), 3);
  Status st = fs->OpenForRead("s3://lakesync/some/key.parquet").status();
  EXPECT_TRUE(st.IsUnavailable()) << st;
  EXPECT_NE(st.message().find("s3://lakesync/some/key.parquet"), std::string::npos) << st;
  EXPECT_NE(st.message().find("after 3 tries"), std::string::npos) << st;
}

TEST_F(S3FileSystemTest, ObjectGoneAfterOpenIsNotFoundWithTheS3Code) {
  ASSERT_TRUE(fs_->WriteFile("s3://lakesync/gone/x.parquet", "PAR1....PAR1").ok());
  auto file = fs_->OpenForRead("s3://lakesync/gone/x.parquet");
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(fs_->DeleteFile("s3://lakesync/gone/x.parquet").ok());
  uint8_t buf[4];
  Status st = (*file)->ReadAt(0, 4, buf);
  EXPECT_TRUE(st.IsNotFound()) << st;
  EXPECT_NE(st.message().find("s3://lakesync/gone/x.parquet"), std::string::npos) << st;
  EXPECT_NE(st.message().find("NoSuchKey"), std::string::npos) << st;
}

TEST_F(S3FileSystemTest, MissingBucketIsAbsentForInfoAndListingAndNotFoundForReads) {
  auto info = fs_->GetFileInfo("s3://no-such-bucket/t/_delta_log");
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_FALSE(info->exists);
  auto root = fs_->GetFileInfo("s3://no-such-bucket");
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_FALSE(root->exists);
  auto listing = fs_->ListDir("s3://no-such-bucket/t/_delta_log");
  ASSERT_TRUE(listing.ok()) << listing.status();
  EXPECT_TRUE(listing->empty());
  Status st = fs_->ReadFile("s3://no-such-bucket/t/_delta_log/00000000000000000000.json").status();
  EXPECT_TRUE(st.IsNotFound()) << st;
  EXPECT_NE(st.message().find("no-such-bucket"), std::string::npos) << st;
}

TEST_F(S3FileSystemTest, UnknownAccessKeyIsAnIOErrorWithTheS3Code) {
  S3Options o = server_->Options();
  o.credentials = {"NOT-A-KEY", "secret", ""};
  auto fs = *S3FileSystem::Make(o);
  Status st = fs->ListDir("s3://lakesync/anything").status();
  EXPECT_TRUE(st.IsIOError()) << st;
  EXPECT_NE(st.message().find("InvalidAccessKeyId"), std::string::npos) << st;
}

TEST_F(S3FileSystemTest, LargeReadsAreFetchedInParallelParts) {
  S3Options o = server_->Options();
  o.read_part_bytes = 64 << 10;
  auto fs = *S3FileSystem::Make(o);
  std::string data(1 << 20, '\0');
  std::mt19937 rng(3);
  for (char& c : data) c = static_cast<char>(rng());
  ASSERT_TRUE(fs->WriteFile("s3://lakesync/parts/big.bin", data).ok());
  auto file = fs->OpenForRead("s3://lakesync/parts/big.bin");
  ASSERT_TRUE(file.ok());
  auto all = (*file)->ReadRange(1, (1 << 20) - 2);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(std::string(all->begin(), all->end()), data.substr(1, data.size() - 2));
  auto whole = fs->ReadFile("s3://lakesync/parts/big.bin");
  ASSERT_TRUE(whole.ok());
  EXPECT_TRUE(*whole == data);
}

TEST_F(S3FileSystemTest, FileSystemForPathUsesTheEnvironment) {
  ASSERT_TRUE(fs_->WriteFile("s3://lakesync/env/t.txt", "from env").ok());
  ::setenv("AWS_ENDPOINT_URL_S3", server_->endpoint().c_str(), 1);
  ::setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
  auto fs = FileSystemForPath("s3://lakesync/env");
  ::unsetenv("AWS_ENDPOINT_URL_S3");
  ::unsetenv("AWS_ACCESS_KEY_ID");
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  ASSERT_TRUE(fs.ok()) << fs.status();
  ASSERT_NE(dynamic_cast<S3FileSystem*>(fs->get()), nullptr);
  auto text = (*fs)->ReadFile("s3://lakesync/env/t.txt");
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, "from env");
  EXPECT_TRUE(FileSystemForPath("s3:///no-bucket").ok());  // the filesystem; paths fail on use
  EXPECT_TRUE((*fs)->OpenForRead("s3:///key").status().IsInvalidArgument());
}

TEST_F(S3FileSystemTest, SetDefaultOptionsOverridesTheEnvironment) {
  ASSERT_TRUE(fs_->WriteFile("s3://lakesync/cfg/t.txt", "configured").ok());
  SetDefaultS3Options(server_->Options());
  auto fs = FileSystemForPath("s3://lakesync/cfg");
  SetDefaultS3Options(std::nullopt);
  ASSERT_TRUE(fs.ok()) << fs.status();
  EXPECT_EQ(*(*fs)->ReadFile("s3://lakesync/cfg/t.txt"), "configured");
}

TEST(S3UrlTest, BucketAndKey) {
  EXPECT_EQ(*ParseS3Url("s3://b/k/x.json"),
            std::make_pair(std::string("b"), std::string("k/x.json")));
  EXPECT_EQ(*ParseS3Url("s3a://b/dir/"), std::make_pair(std::string("b"), std::string("dir")));
  EXPECT_EQ(*ParseS3Url("s3://b"), std::make_pair(std::string("b"), std::string()));
  EXPECT_TRUE(ParseS3Url("s3:///k").status().IsInvalidArgument());
  EXPECT_TRUE(ParseS3Url("/local").status().IsInvalidArgument());
}

}  // namespace
}  // namespace lakesync::storage
