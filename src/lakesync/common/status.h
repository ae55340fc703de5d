// Status: the outcome of an operation that returns no value. Errors are values in lakesync:
// every module API returns Status or Result<T>, and callers decide by code, never by text.
// Thread-safety: a Status is an immutable value; copies may be used from any thread.
#pragma once

#include <fmt/format.h>

#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace lakesync {

/// What the caller can do about an error (never what went wrong inside).
enum class StatusCode {
  kOk = 0,
  kNotFound,         // a named thing does not exist
  kInvalidArgument,  // the caller's input is wrong; retrying will not help
  kCorruption,       // stored data is malformed (bad Parquet page, bad Delta log)
  kNotSupported,     // valid input that lakesync does not handle (yet)
  kIOError,          // a storage or network operation failed, not known to be transient
  kUnavailable,      // transient: retry with backoff
  kConflict,         // lost a race (lease, concurrent commit, unique key)
  kInternal,         // a bug in lakesync
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message);

  static Status OK() { return Status(); }

  template <typename... Args>
  static Status NotFound(fmt::format_string<Args...> f, Args&&... args) {
    return Status(StatusCode::kNotFound, fmt::format(f, std::forward<Args>(args)...));
  }
  template <typename... Args>
  static Status InvalidArgument(fmt::format_string<Args...> f, Args&&... args) {
    return Status(StatusCode::kInvalidArgument, fmt::format(f, std::forward<Args>(args)...));
  }
  template <typename... Args>
  static Status Corruption(fmt::format_string<Args...> f, Args&&... args) {
    return Status(StatusCode::kCorruption, fmt::format(f, std::forward<Args>(args)...));
  }
  template <typename... Args>
  static Status NotSupported(fmt::format_string<Args...> f, Args&&... args) {
    return Status(StatusCode::kNotSupported, fmt::format(f, std::forward<Args>(args)...));
  }
  template <typename... Args>
  static Status IOError(fmt::format_string<Args...> f, Args&&... args) {
    return Status(StatusCode::kIOError, fmt::format(f, std::forward<Args>(args)...));
  }
  template <typename... Args>
  static Status Unavailable(fmt::format_string<Args...> f, Args&&... args) {
    return Status(StatusCode::kUnavailable, fmt::format(f, std::forward<Args>(args)...));
  }
  template <typename... Args>
  static Status Conflict(fmt::format_string<Args...> f, Args&&... args) {
    return Status(StatusCode::kConflict, fmt::format(f, std::forward<Args>(args)...));
  }
  template <typename... Args>
  static Status Internal(fmt::format_string<Args...> f, Args&&... args) {
    return Status(StatusCode::kInternal, fmt::format(f, std::forward<Args>(args)...));
  }

  bool ok() const { return state_ == nullptr; }
  StatusCode code() const { return state_ ? state_->code : StatusCode::kOk; }
  /// The message without the code name; empty when OK.
  const std::string& message() const;
  /// True when retrying the same operation later may succeed.
  bool IsRetryable() const { return code() == StatusCode::kUnavailable; }

  bool IsNotFound() const { return code() == StatusCode::kNotFound; }
  bool IsInvalidArgument() const { return code() == StatusCode::kInvalidArgument; }
  bool IsCorruption() const { return code() == StatusCode::kCorruption; }
  bool IsNotSupported() const { return code() == StatusCode::kNotSupported; }
  bool IsIOError() const { return code() == StatusCode::kIOError; }
  bool IsUnavailable() const { return code() == StatusCode::kUnavailable; }
  bool IsConflict() const { return code() == StatusCode::kConflict; }

  /// The same error with "context: " put before its message (e.g. the file being read).
  Status WithContext(std::string_view context) const;

  /// "Corruption: message", or "OK".
  std::string ToString() const;

 private:
  struct State {
    StatusCode code;
    std::string message;
  };
  // Null when OK, so an OK status costs one pointer and no allocation.
  std::shared_ptr<const State> state_;
};

inline bool operator==(const Status& a, const Status& b) {
  return a.code() == b.code() && a.message() == b.message();
}

inline std::ostream& operator<<(std::ostream& os, const Status& s) { return os << s.ToString(); }

}  // namespace lakesync

template <>
struct fmt::formatter<lakesync::Status> : fmt::formatter<std::string> {
  auto format(const lakesync::Status& s, fmt::format_context& ctx) const {
    return fmt::formatter<std::string>::format(s.ToString(), ctx);
  }
};
