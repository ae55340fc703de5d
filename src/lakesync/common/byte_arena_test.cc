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

TEST(ByteArenaTest, ResetGivesBackTheBlocksBeyondWhatItKeeps) {
  ByteArena arena(100);
  std::vector<char*> first;
  for (int i = 0; i < 5; ++i) first.push_back(arena.Allocate(100));  // five blocks
  arena.Reset(250);                                                  // keeps two
  EXPECT_EQ(arena.Allocate(100), first[0]);
  EXPECT_EQ(arena.Allocate(100), first[1]);
  char* third = arena.Allocate(100);  // a new block
  std::memset(third, 1, 100);
  arena.Reset(0);
  char* fresh = arena.Allocate(10);
  std::memset(fresh, 2, 10);
  EXPECT_EQ(fresh[9], 2);
}

}  // namespace
}  // namespace lakesync
