#include "lakesync/testing/s3_server.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace lakesync::testing {
namespace {

namespace fs = std::filesystem;

// The first "S3rver listening on ADDRESS:PORT" line of the server's output, or "".
std::string ListeningAddress(const std::string& log_file) {
  std::ifstream in(log_file);
  std::string line;
  while (std::getline(in, line)) {
    const std::string marker = "listening on ";
    const size_t at = line.find(marker);
    if (at != std::string::npos) return line.substr(at + marker.size());
  }
  return "";
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::string SourceDir() {
  const char* v = std::getenv("LAKESYNC_SOURCE_DIR");
  return v && *v ? v : LAKESYNC_TEST_SOURCE_DIR;
}

Result<std::unique_ptr<S3Server>> S3Server::Start(const std::vector<std::string>& buckets,
                                                  bool tls) {
  const std::string script = SourceDir() + "/node_modules/s3rver/bin/s3rver.js";
  if (!fs::exists(script)) {
    return Status::NotFound("s3rver is not installed ({} missing; run npm install)", script);
  }
  if (std::system("command -v node >/dev/null 2>&1") != 0) {
    return Status::NotFound("node is not on the PATH (needed to run s3rver)");
  }
  char tmpl[] = "/tmp/lakesync_s3rver_XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) return Status::IOError("mkdtemp failed");
  const std::string dir = tmpl;
  const std::string log_file = dir + "/s3rver.log";
  // s3rver encrypts LIST continuation tokens with DES, which Node 17+ (OpenSSL 3) only offers
  // through the legacy provider; without it every truncated listing fails with HTTP 500.
  std::vector<std::string> args = {"node",        "--openssl-legacy-provider",
                                   script,        "-d",
                                   dir + "/data", "-a",
                                   "127.0.0.1",   "-p",
                                   "0",           "--silent"};
  std::string ca_file;
  if (tls) {
    ca_file = dir + "/cert.pem";
    const std::string cmd = fmt::format(
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout {0}/key.pem -out {1} -days 2 "
        "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1,DNS:localhost "
        ">{0}/openssl.log 2>&1",
        dir, ca_file);
    if (std::system(cmd.c_str()) != 0) {
      return Status::Unavailable("cannot make a test certificate: {}",
                                 ReadAll(dir + "/openssl.log"));
    }
    for (const std::string& a :
         {std::string("--key"), dir + "/key.pem", std::string("--cert"), ca_file}) {
      args.push_back(a);
    }
  }
  for (const std::string& b : buckets) {
    args.push_back("--configure-bucket");
    args.push_back(b);
  }
  const pid_t pid = ::fork();
  if (pid < 0) return Status::IOError("fork failed");
  if (pid == 0) {
    const int fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp("node", argv.data());
    ::_exit(127);
  }
  std::unique_ptr<S3Server> server(new S3Server(pid, dir, ""));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string address = ListeningAddress(log_file);
    if (!address.empty()) {
      server->endpoint_ = (tls ? "https://" : "http://") + address;
      server->ca_file_ = ca_file;
      return server;
    }
    int wstatus = 0;
    if (::waitpid(pid, &wstatus, WNOHANG) == pid) {
      server->pid_ = -1;
      return Status::Unavailable("s3rver exited before listening: {}", ReadAll(log_file));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Status::Unavailable("s3rver did not listen within 20 s: {}", ReadAll(log_file));
}

S3Server::~S3Server() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int wstatus = 0;
    ::waitpid(pid_, &wstatus, 0);
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

storage::S3Options S3Server::Options() const {
  storage::S3Options o;
  o.endpoint = endpoint_;
  o.region = "us-east-1";
  o.path_style = true;
  o.credentials = {"S3RVER", "S3RVER", ""};
  o.ca_bundle = ca_file_;
  // Loopback answers fast; keep failing tests fast too.
  o.initial_backoff_ms = 20;
  o.max_backoff_ms = 200;
  return o;
}

std::string S3Server::ObjectFile(const std::string& bucket, const std::string& key) const {
  return dir_ + "/data/" + bucket + "/" + key + "._S3rver_object";
}

}  // namespace lakesync::testing
