#include "lakesync/common/metrics.h"

#include <gtest/gtest.h>

#include <thread>

namespace lakesync::metrics {
namespace {

TEST(MetricsRegistryTest, RendersCountersAndGaugesWithHelpTypeAndEscapedLabels) {
  Registry r;
  r.Declare("lakesync_rows_synced_total", Type::kCounter, "Rows written.\nSecond line");
  r.Declare("lakesync_lag_versions", Type::kGauge, "Versions behind");
  r.Add("lakesync_rows_synced_total", {{"table", "public.a\"b"}, {"database", "d\\1"}}, 5);
  r.Add("lakesync_rows_synced_total", {{"database", "d\\1"}, {"table", "public.a\"b"}}, 2);
  r.Set("lakesync_lag_versions", {{"table", "t"}}, 3);
  EXPECT_EQ(r.RenderPrometheus(),
            "# HELP lakesync_lag_versions Versions behind\n"
            "# TYPE lakesync_lag_versions gauge\n"
            "lakesync_lag_versions{table=\"t\"} 3\n"
            "# HELP lakesync_rows_synced_total Rows written.\\nSecond line\n"
            "# TYPE lakesync_rows_synced_total counter\n"
            "lakesync_rows_synced_total{database=\"d\\\\1\",table=\"public.a\\\"b\"} 7\n");
}

TEST(MetricsRegistryTest, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Registry r;
  r.Declare("d_seconds", Type::kHistogram, "Durations", {1, 5});
  r.Observe("d_seconds", {}, 0.5);
  r.Observe("d_seconds", {}, 1);  // le is inclusive
  r.Observe("d_seconds", {}, 7);
  EXPECT_EQ(r.RenderPrometheus(),
            "# HELP d_seconds Durations\n"
            "# TYPE d_seconds histogram\n"
            "d_seconds_bucket{le=\"1\"} 2\n"
            "d_seconds_bucket{le=\"5\"} 2\n"
            "d_seconds_bucket{le=\"+Inf\"} 3\n"
            "d_seconds_sum 8.5\n"
            "d_seconds_count 3\n");
  EXPECT_EQ(r.Value("d_seconds", {}), 3);
}

TEST(MetricsRegistryTest, RemoveSeriesDropsEverySeriesWithTheLabels) {
  Registry r;
  r.Set("g", {{"table", "a"}, {"database", "x"}}, 1);
  r.Set("g", {{"table", "b"}, {"database", "x"}}, 2);
  r.Add("c_total", {{"table", "a"}, {"database", "x"}});
  r.RemoveSeries({{"table", "a"}, {"database", "x"}});
  EXPECT_FALSE(r.Value("g", {{"table", "a"}, {"database", "x"}}).has_value());
  EXPECT_FALSE(r.Value("c_total", {{"database", "x"}, {"table", "a"}}).has_value());
  EXPECT_EQ(r.Value("g", {{"database", "x"}, {"table", "b"}}), 2);
  // A family without series renders nothing, not a dangling HELP line.
  EXPECT_EQ(r.RenderPrometheus().find("c_total"), std::string::npos);
}

TEST(MetricsRegistryTest, CountersNeverGoDownAndTypesAreNotMixed) {
  Registry r;
  r.Add("c_total", {}, 2);
  r.Add("c_total", {}, -1);
  r.Set("c_total", {}, 0);
  EXPECT_EQ(r.Value("c_total", {}), 2);
}

TEST(MetricsRegistryTest, ConcurrentIncrementsAreAllCounted) {
  Registry r;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) r.Add("c_total", {{"t", "x"}});
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(r.Value("c_total", {{"t", "x"}}), 4000);
}

}  // namespace
}  // namespace lakesync::metrics
