#include "lakesync/common/logging.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <mutex>

#include "lakesync/common/value_text.h"

namespace lakesync::log {
namespace {

std::atomic<Format> g_format{Format::kText};
std::atomic<Level> g_level{Level::kInfo};
std::mutex g_mu;  // guards g_sink and keeps lines whole
std::function<void(std::string_view)>* g_sink = nullptr;

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

std::string Timestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
}

// logfmt quoting: bare when the value has no space, quote, '=' or control character.
void AppendTextValue(std::string_view v, std::string& out) {
  bool bare = !v.empty();
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) bare = false;
  }
  if (bare) {
    out += v;
  } else {
    AppendJsonString(v, out);
  }
}

void WriteLine(const std::string& line) {
  std::lock_guard lock(g_mu);
  if (g_sink != nullptr) {
    (*g_sink)(line);
    return;
  }
  // One write per line so lines of different threads and processes never interleave.
  size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(STDERR_FILENO, line.data() + done, line.size() - done);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

}  // namespace

std::string Field::NumberText(double v) { return fmt::format("{}", v); }
std::string Field::NumberText(int64_t v) { return std::to_string(v); }

Result<Format> ParseFormat(std::string_view name) {
  if (name == "text") return Format::kText;
  if (name == "json") return Format::kJson;
  return Status::InvalidArgument("unknown log format '{}': use text or json", name);
}

Result<Level> ParseLevel(std::string_view name) {
  for (Level l : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    if (LevelName(l) == name) return l;
  }
  return Status::InvalidArgument("unknown log level '{}': use debug, info, warn or error", name);
}

void SetFormat(Format format) { g_format.store(format); }
void SetLevel(Level level) { g_level.store(level); }

Status ConfigureFromEnvironment() {
  if (const char* f = std::getenv("LAKESYNC_LOG_FORMAT"); f != nullptr && *f != '\0') {
    auto format = ParseFormat(f);
    if (!format.ok())
      return Status::InvalidArgument("LAKESYNC_LOG_FORMAT: {}", format.status().message());
    SetFormat(*format);
  }
  if (const char* l = std::getenv("LAKESYNC_LOG_LEVEL"); l != nullptr && *l != '\0') {
    auto level = ParseLevel(l);
    if (!level.ok())
      return Status::InvalidArgument("LAKESYNC_LOG_LEVEL: {}", level.status().message());
    SetLevel(*level);
  }
  return Status::OK();
}

void SetSinkForTesting(std::function<void(std::string_view)> sink) {
  std::lock_guard lock(g_mu);
  delete g_sink;
  g_sink = sink ? new std::function<void(std::string_view)>(std::move(sink)) : nullptr;
}

void Log(Level level, std::string_view message, std::initializer_list<Field> fields) {
  if (level < g_level.load()) return;
  std::string line;
  line.reserve(128);
  if (g_format.load() == Format::kJson) {
    line += "{\"ts\":\"";
    line += Timestamp();
    line += "\",\"level\":\"";
    line += LevelName(level);
    line += "\",\"msg\":";
    AppendJsonString(message, line);
    for (const Field& f : fields) {
      line += ',';
      AppendJsonString(f.key, line);
      line += ':';
      // JSON has no inf or nan: those go as strings.
      const bool finite = f.value.find_first_of("in") == std::string::npos;
      if (f.kind == Field::Kind::kString || (f.kind == Field::Kind::kNumber && !finite)) {
        AppendJsonString(f.value, line);
      } else {
        line += f.value;
      }
    }
    line += "}\n";
  } else {
    line += Timestamp();
    line += ' ';
    for (char c : LevelName(level)) line += static_cast<char>(c - 'a' + 'A');
    line += ' ';
    line += message;
    for (const Field& f : fields) {
      line += ' ';
      line += f.key;
      line += '=';
      AppendTextValue(f.value, line);
    }
    line += '\n';
  }
  WriteLine(line);
}

}  // namespace lakesync::log
