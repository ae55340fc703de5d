#include "lakesync/common/strings.h"

#include <gtest/gtest.h>

namespace lakesync {
namespace {

TEST(EqualsIgnoreCaseTest, IgnoresAsciiCase) {
  EXPECT_TRUE(EqualsIgnoreCase("true", "TRUE"));
  EXPECT_TRUE(EqualsIgnoreCase("Decimal", "dEcImAl"));
  EXPECT_TRUE(EqualsIgnoreCase("", ""));
}

TEST(EqualsIgnoreCaseTest, DifferentTextOrLengthIsNotEqual) {
  EXPECT_FALSE(EqualsIgnoreCase("true", "tru"));
  EXPECT_FALSE(EqualsIgnoreCase("true", "trve"));
  EXPECT_FALSE(EqualsIgnoreCase("", "x"));
}

TEST(EqualsIgnoreCaseTest, NonLettersMustMatchExactly) {
  EXPECT_TRUE(EqualsIgnoreCase("a_1", "A_1"));
  EXPECT_FALSE(EqualsIgnoreCase("a_1", "a-1"));
  EXPECT_FALSE(EqualsIgnoreCase("\xc3\xa9", "\xc3\x89"));  // non-ASCII bytes are not folded
}

}  // namespace
}  // namespace lakesync
