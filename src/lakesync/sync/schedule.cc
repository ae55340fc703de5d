#include "lakesync/sync/schedule.h"

#include <array>
#include <cctype>
#include <ctime>
#include <vector>

#include "lakesync/common/macros.h"
#include "lakesync/common/strings.h"

namespace lakesync::sync {
namespace {

constexpr std::array<std::string_view, 12> kMonthNames = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                          "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<std::string_view, 7> kDayNames = {"SUN", "MON", "TUE", "WED",
                                                       "THU", "FRI", "SAT"};

std::vector<std::string_view> SplitOn(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

std::vector<std::string_view> SplitSpaces(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

bool ParseInt(std::string_view s, int& out) {
  if (s.empty() || s.size() > 9) return false;
  out = 0;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

template <size_t N>
bool ParseValue(std::string_view s, const std::array<std::string_view, N>* names, int offset,
                int& out) {
  if (ParseInt(s, out)) return true;
  if (names == nullptr) return false;
  for (size_t i = 0; i < N; ++i) {
    if (EqualsIgnoreCase(s, (*names)[i])) {
      out = static_cast<int>(i) + offset;
      return true;
    }
  }
  return false;
}

// Sets in `bits` every value one cron field selects. `lo`..`hi` is the field's range.
template <size_t Bits, size_t N>
Status ParseField(std::string_view field, std::string_view what, int lo, int hi,
                  const std::array<std::string_view, N>* names, int name_offset,
                  std::bitset<Bits>& bits) {
  auto bad = [&](std::string_view part) {
    return Status::InvalidArgument(
        "cron {} field '{}': '{}' is not a value, range or step in {}-{}", what, field, part, lo,
        hi);
  };
  for (std::string_view part : SplitOn(field, ',')) {
    int step = 1;
    std::string_view range = part;
    if (size_t slash = part.find('/'); slash != std::string_view::npos) {
      if (!ParseInt(part.substr(slash + 1), step) || step == 0) return bad(part);
      range = part.substr(0, slash);
    }
    int first = lo;
    int last = hi;
    if (range != "*") {
      size_t dash = range.find('-');
      if (!ParseValue(range.substr(0, dash), names, name_offset, first)) return bad(part);
      if (dash != std::string_view::npos) {
        if (!ParseValue(range.substr(dash + 1), names, name_offset, last)) return bad(part);
      } else {
        last = part.find('/') != std::string_view::npos ? hi : first;  // "a/n" runs to the end
      }
    }
    if (first < lo || last > hi || first > last) return bad(part);
    for (int v = first; v <= last; v += step) bits.set(static_cast<size_t>(v));
  }
  return Status::OK();
}

// Interval text such as "1h30m"; 0 when it is not one.
int64_t ParseInterval(std::string_view s) {
  int64_t total = 0;
  size_t i = 0;
  if (s.empty()) return 0;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    int n = 0;
    if (i == start || i == s.size() || !ParseInt(s.substr(start, i - start), n)) return 0;
    int64_t unit = 0;
    switch (s[i]) {
      case 's':
        unit = 1000;
        break;
      case 'm':
        unit = 60'000;
        break;
      case 'h':
        unit = 3'600'000;
        break;
      case 'd':
        unit = 86'400'000;
        break;
      default:
        return 0;
    }
    total += n * unit;
    ++i;
  }
  return total;
}

std::string_view Macro(std::string_view s) {
  if (s == "@hourly") return "0 * * * *";
  if (s == "@daily" || s == "@midnight") return "0 0 * * *";
  if (s == "@weekly") return "0 0 * * 0";
  if (s == "@monthly") return "0 0 1 * *";
  if (s == "@yearly" || s == "@annually") return "0 0 1 1 *";
  return {};
}

}  // namespace

Result<Schedule> Schedule::Parse(std::string_view text) {
  Schedule s;
  s.text_ = std::string(text);
  std::vector<std::string_view> words = SplitSpaces(text);
  if (words.empty()) return Status::InvalidArgument("the schedule is empty");
  if (words.size() <= 2) {
    std::string_view interval = words.back();
    if (words.size() == 1 || EqualsIgnoreCase(words[0], "every")) {
      s.interval_ms_ = ParseInterval(interval);
      if (s.interval_ms_ >= 1000) return s;
      if (s.interval_ms_ > 0) {
        return Status::InvalidArgument("schedule '{}': the interval must be at least 1s", text);
      }
    }
    if (words.size() == 1 && !Macro(words[0]).empty()) {
      LAKESYNC_ASSIGN_OR_RETURN(s, Parse(Macro(words[0])));
      s.text_ = std::string(text);
      return s;
    }
    return Status::InvalidArgument(
        "schedule '{}' is neither an interval (\"every 5m\", \"30s\", \"1h30m\") nor a 5-field "
        "cron expression (\"*/15 * * * *\")",
        text);
  }
  if (words.size() != 5) {
    return Status::InvalidArgument(
        "cron schedule '{}' has {} fields; it needs 5: minute hour day-of-month month "
        "day-of-week",
        text, words.size());
  }
  const std::array<std::string_view, 0>* none = nullptr;
  LAKESYNC_RETURN_NOT_OK(ParseField(words[0], "minute", 0, 59, none, 0, s.minutes_));
  LAKESYNC_RETURN_NOT_OK(ParseField(words[1], "hour", 0, 23, none, 0, s.hours_));
  LAKESYNC_RETURN_NOT_OK(ParseField(words[2], "day-of-month", 1, 31, none, 0, s.days_));
  LAKESYNC_RETURN_NOT_OK(ParseField(words[3], "month", 1, 12, &kMonthNames, 1, s.months_));
  std::bitset<8> weekdays;
  LAKESYNC_RETURN_NOT_OK(ParseField(words[4], "day-of-week", 0, 7, &kDayNames, 0, weekdays));
  for (size_t d = 0; d < 7; ++d) s.weekdays_[d] = weekdays[d];
  if (weekdays[7]) s.weekdays_.set(0);
  s.any_day_ = words[2].starts_with('*');
  s.any_weekday_ = words[4].starts_with('*');
  return s;
}

int64_t Schedule::NextAfter(int64_t after_ms) const {
  if (is_interval()) return after_ms + interval_ms_;
  // Start at the next whole minute after `after_ms`.
  std::time_t t =
      static_cast<std::time_t>(after_ms >= 0 ? after_ms / 1000 : (after_ms - 999) / 1000);
  t = t - t % 60 + 60;
  std::tm tm{};
  // Within 5 years every satisfiable expression fires (Feb 29 needs at most 8 in theory, but
  // the Gregorian gap years 2100 etc. are far away); bail out after that.
  const std::time_t limit = t + std::time_t{5} * 366 * 86400;
  while (t < limit) {
    gmtime_r(&t, &tm);
    if (!months_[static_cast<size_t>(tm.tm_mon + 1)]) {
      // Jump to the first minute of the next month.
      tm.tm_mon += 1;
      tm.tm_mday = 1;
      tm.tm_hour = 0;
      tm.tm_min = 0;
      tm.tm_sec = 0;
      t = timegm(&tm);
      continue;
    }
    const bool dom = days_[static_cast<size_t>(tm.tm_mday)];
    const bool dow = weekdays_[static_cast<size_t>(tm.tm_wday)];
    const bool day_ok = (any_day_ || any_weekday_) ? (dom && dow) : (dom || dow);
    if (!day_ok) {
      t = t - (tm.tm_hour * 3600 + tm.tm_min * 60) + 86400;
      continue;
    }
    if (!hours_[static_cast<size_t>(tm.tm_hour)]) {
      t = t - tm.tm_min * 60 + 3600;
      continue;
    }
    if (!minutes_[static_cast<size_t>(tm.tm_min)]) {
      t += 60;
      continue;
    }
    return static_cast<int64_t>(t) * 1000;
  }
  return -1;
}

}  // namespace lakesync::sync
