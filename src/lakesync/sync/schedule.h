// Schedule: when a TRIGGERED or SNAPSHOT synced table is refreshed without being asked. Either
// an interval ("every 5m", "30s", "1h30m") counted from the start of the last run, or a
// 5-field cron expression in UTC ("*/15 * * * *", "0 3 * * MON-FRI", "@daily").
// Thread-safety: immutable after Parse.
#pragma once

#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>

#include "lakesync/common/result.h"

namespace lakesync::sync {

class Schedule {
 public:
  /// Accepted forms:
  ///  - interval: optional "every ", then one or more <number><unit> with unit s, m, h or d
  ///    ("5m", "every 1h30m", "90s"); at least one second.
  ///  - cron: "minute hour day-of-month month day-of-week", each `*`, a value, a range `a-b`,
  ///    a step `*/n` or `a-b/n`, or a comma list of those; months and weekdays also by
  ///    three-letter name (JAN, MON); weekday 0 and 7 are Sunday. When both day fields are
  ///    restricted a day matching either runs (as in Vixie cron). Macros: @hourly, @daily
  ///    (@midnight), @weekly, @monthly, @yearly (@annually). Times are UTC.
  /// InvalidArgument names the bad part.
  static Result<Schedule> Parse(std::string_view text);

  /// The first run time strictly after `after_ms` (ms since the epoch, UTC). For intervals,
  /// `after_ms` is the start of the last run. -1 when a cron expression never fires (Feb 30).
  int64_t NextAfter(int64_t after_ms) const;

  bool is_interval() const { return interval_ms_ > 0; }
  int64_t interval_ms() const { return interval_ms_; }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  int64_t interval_ms_ = 0;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;      // 1..31
  std::bitset<13> months_;    // 1..12
  std::bitset<7> weekdays_;   // 0 = Sunday
  bool any_day_ = false;      // day-of-month field was '*'
  bool any_weekday_ = false;  // day-of-week field was '*'
};

}  // namespace lakesync::sync
