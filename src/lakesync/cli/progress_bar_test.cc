#include "lakesync/cli/progress_bar.h"

#include <gtest/gtest.h>

namespace lakesync::cli {
namespace {

TEST(ProgressBarTest, RendersRowsRateAndEta) {
  EXPECT_EQ(ProgressBar::Render({4'500'000, 10'000'000, 500'000}, 10),
            "[####------]  45%  4,500,000 / 10,000,000 rows  500,000 rows/s  ETA 0:11");
  EXPECT_EQ(ProgressBar::Render({10, 10, 5}, 4), "[####] 100%  10 / 10 rows  5 rows/s");
  EXPECT_EQ(ProgressBar::Render({1'234'567, -1, 0}), "1,234,567 rows");
  EXPECT_EQ(ProgressBar::Render({0, 3'600'000, 1'000}, 2),
            "[--]   0%  0 / 3,600,000 rows  1,000 rows/s  ETA 1:00:00");
}

}  // namespace
}  // namespace lakesync::cli
