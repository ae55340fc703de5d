#include "lakesync/sync/schedule.h"

#include <gtest/gtest.h>

#include <ctime>

namespace lakesync::sync {
namespace {

// ms since the epoch of a UTC civil time.
int64_t Utc(int year, int month, int day, int hour, int minute, int second = 0) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

TEST(ScheduleTest, IntervalsCountFromTheLastStart) {
  for (const char* text : {"every 5m", "5m", "EVERY 300s", "4m60s"}) {
    auto s = Schedule::Parse(text);
    ASSERT_TRUE(s.ok()) << text << ": " << s.status();
    EXPECT_TRUE(s->is_interval());
    EXPECT_EQ(s->NextAfter(1'000'000), 1'000'000 + 300'000) << text;
  }
  EXPECT_EQ(Schedule::Parse("1h30m")->interval_ms(), 5'400'000);
  EXPECT_EQ(Schedule::Parse("2d")->interval_ms(), 172'800'000);
}

TEST(ScheduleTest, CronFiresAtTheNextMatchingMinuteInUtc) {
  auto every15 = Schedule::Parse("*/15 * * * *");
  ASSERT_TRUE(every15.ok()) << every15.status();
  EXPECT_EQ(every15->NextAfter(Utc(2026, 3, 1, 10, 7, 30)), Utc(2026, 3, 1, 10, 15));
  // Strictly after: a run that started exactly at a firing time does not fire again.
  EXPECT_EQ(every15->NextAfter(Utc(2026, 3, 1, 10, 15)), Utc(2026, 3, 1, 10, 30));
  EXPECT_EQ(every15->NextAfter(Utc(2026, 12, 31, 23, 50)), Utc(2027, 1, 1, 0, 0));

  auto weekdays = Schedule::Parse("0 3 * * MON-FRI");
  ASSERT_TRUE(weekdays.ok()) << weekdays.status();
  // 2026-11-27 is a Friday: the next run after Friday 04:00 is Monday 03:00.
  EXPECT_EQ(weekdays->NextAfter(Utc(2026, 11, 27, 4, 0)), Utc(2026, 11, 30, 3, 0));

  auto monthly = Schedule::Parse("30 2 31 jan,mar *");
  ASSERT_TRUE(monthly.ok()) << monthly.status();
  EXPECT_EQ(monthly->NextAfter(Utc(2026, 2, 1, 0, 0)), Utc(2026, 3, 31, 2, 30));

  auto daily = Schedule::Parse("@daily");
  ASSERT_TRUE(daily.ok());
  EXPECT_EQ(daily->NextAfter(Utc(2026, 5, 5, 12, 0)), Utc(2026, 5, 6, 0, 0));
}

TEST(ScheduleTest, BothDayFieldsRestrictedMeansEither) {
  // Vixie cron: the 1st of the month or any Sunday. 2026-11-01 is a Sunday, 11-08 too.
  auto s = Schedule::Parse("0 0 1 * 0");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->NextAfter(Utc(2026, 11, 2, 0, 0)), Utc(2026, 11, 8, 0, 0));
  EXPECT_EQ(s->NextAfter(Utc(2026, 11, 29, 1, 0)), Utc(2026, 12, 1, 0, 0));
  // Sunday as 7.
  EXPECT_EQ(Schedule::Parse("0 0 * * 7")->NextAfter(Utc(2026, 11, 2, 0, 0)),
            Utc(2026, 11, 8, 0, 0));
}

TEST(ScheduleTest, ImpossibleDateNeverFires) {
  auto s = Schedule::Parse("0 0 30 2 *");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->NextAfter(Utc(2026, 1, 1, 0, 0)), -1);
}

TEST(ScheduleTest, BadSchedulesNameTheProblem) {
  struct Case {
    const char* text;
    const char* expect;
  } cases[] = {
      {"", "empty"},
      {"5", "neither an interval"},
      {"every 5x", "neither an interval"},
      {"500ms", "neither an interval"},
      {"0s", "neither an interval"},
      {"* * * *", "has 4 fields"},
      {"60 * * * *", "minute field '60'"},
      {"* 24 * * *", "hour field"},
      {"* * 0 * *", "day-of-month field"},
      {"* * * FOO *", "month field 'FOO'"},
      {"*/0 * * * *", "'*/0'"},
      {"5-1 * * * *", "'5-1'"},
  };
  for (const auto& c : cases) {
    auto s = Schedule::Parse(c.text);
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_TRUE(s.status().IsInvalidArgument());
    EXPECT_NE(s.status().message().find(c.expect), std::string::npos)
        << c.text << ": " << s.status();
  }
}

}  // namespace
}  // namespace lakesync::sync
