// Helpers for the daemon tests: waiting for a condition, and `lakesync serve` processes whose
// address the test reads from their first line of output.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace lakesync::testing {

/// Polls `done` every 50 ms until it returns true (true) or `timeout` passed (false).
bool WaitFor(std::chrono::milliseconds timeout, const std::function<bool()>& done);

/// A `lakesync serve` child process. Its stderr (the logs) goes to a file shown on failure.
class ServeProcess {
 public:
  /// Starts `lakesync serve ARGS...` and waits (30 s at most) for its "listening on
  /// http://HOST:PORT" line. pid() is -1 when it did not start or never printed it.
  explicit ServeProcess(const std::vector<std::string>& args, const std::string& log_path);
  ~ServeProcess();  // SIGKILLs it if still running
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  /// Sends `signal` and, when `wait`, returns the exit code (-1: ended by a signal).
  int Signal(int signal, bool wait = true);
  /// The logs written so far.
  std::string Logs() const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_path_;
};

/// GET http://127.0.0.1:PORT/PATH; the body, or "" when the request failed.
std::string HttpGet(int port, const std::string& path);

/// The value of the Prometheus sample `series` (name{labels...} exactly as rendered) in
/// `text`, or -1 when absent.
double SampleValue(const std::string& text, const std::string& series);

}  // namespace lakesync::testing
