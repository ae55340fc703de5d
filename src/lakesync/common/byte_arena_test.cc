#include "lakesync/common/byte_arena.h"

#include <gtest/gtest.h>

#include <cstring>
#include <set>

namespace lakesync {
namespace {

TEST(ByteArenaTest, AllocationsDoNotOverlapAndResetReusesTheBlocks) {
  ByteArena arena(64);
  std::set<char*> first_round;
  for (int round = 0; round < 3; ++round) {
    arena.Reset();
    std::vector<std::pair<char*, size_t>> blocks;
    for (size_t n : {10, 50, 3, 200, 64, 0, 1, 63}) {
      char* p = arena.Allocate(n);
      std::memset(p, static_cast<int>(n), n);
      blocks.emplace_back(p, n);
      if (round == 0) first_round.insert(p);
      if (round > 0) {
        EXPECT_TRUE(first_round.contains(p)) << "round " << round << ", " << n;
      }
    }
    // Every allocation still holds what was written to it: none overlaps another.
    for (auto [p, n] : blocks) {
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(p[i], static_cast<char>(n));
    }
  }
}

}  // namespace
}  // namespace lakesync
