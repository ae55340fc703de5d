// Structured logging: one line per event with a level, a message and key=value fields, to
// stderr. Text by default (`2026-11-25T15:14:11.123Z INFO sync finished table=public.t
// rows=5`), or one JSON object per line (`{"ts":...,"level":"info","msg":...,"table":...}`)
// for log shippers, chosen with --log-format json or LAKESYNC_LOG_FORMAT.
// Thread-safety: every function may be called from any thread; each line is written whole.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

#include "lakesync/common/result.h"

namespace lakesync::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class Format { kText, kJson };

/// "text" or "json". InvalidArgument names the accepted values.
Result<Format> ParseFormat(std::string_view name);
/// "debug", "info", "warn" or "error".
Result<Level> ParseLevel(std::string_view name);

void SetFormat(Format format);
/// Events below `level` are dropped (default info).
void SetLevel(Level level);
/// Applies LAKESYNC_LOG_FORMAT and LAKESYNC_LOG_LEVEL when set; errors name the variable.
Status ConfigureFromEnvironment();
/// Replaces stderr as the destination (each call gets one line with its '\n'); an empty
/// function restores stderr. For tests.
void SetSinkForTesting(std::function<void(std::string_view)> sink);

/// One key=value field. Numbers and booleans stay unquoted in JSON.
struct Field {
  enum class Kind { kString, kNumber, kBool };
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v) {}
  Field(std::string_view k, bool v) : key(k), value(v ? "true" : "false"), kind(Kind::kBool) {}
  template <typename T, typename = std::enable_if_t<std::is_arithmetic_v<T>>>
  Field(std::string_view k, T v) : key(k), value(NumberText(v)), kind(Kind::kNumber) {}
  Field(std::string_view k, const Status& s) : key(k), value(s.ToString()) {}

  std::string_view key;
  std::string value;
  Kind kind = Kind::kString;

 private:
  static std::string NumberText(double v);
  static std::string NumberText(int64_t v);
  template <typename T>
  static std::string NumberText(T v) {
    if constexpr (std::is_floating_point_v<T>) {
      return NumberText(static_cast<double>(v));
    } else {
      return NumberText(static_cast<int64_t>(v));
    }
  }
};

void Log(Level level, std::string_view message, std::initializer_list<Field> fields = {});
inline void Debug(std::string_view m, std::initializer_list<Field> f = {}) {
  Log(Level::kDebug, m, f);
}
inline void Info(std::string_view m, std::initializer_list<Field> f = {}) {
  Log(Level::kInfo, m, f);
}
inline void Warn(std::string_view m, std::initializer_list<Field> f = {}) {
  Log(Level::kWarn, m, f);
}
inline void Error(std::string_view m, std::initializer_list<Field> f = {}) {
  Log(Level::kError, m, f);
}

}  // namespace lakesync::log
