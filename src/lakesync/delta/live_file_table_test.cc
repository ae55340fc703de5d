#include "lakesync/delta/live_file_table.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

namespace lakesync::delta {
namespace {

std::map<std::string, std::string> Contents(LiveFileTable& table) {
  std::map<std::string, std::string> out;
  table.ForEach([&](LiveFileTable::File& file) {
    EXPECT_TRUE(out.emplace(std::string(file.key), std::string(file.line)).second)
        << "key listed twice: " << file.key;
  });
  return out;
}

// Random puts (new keys and re-adds) and erases against a std::map, with hashes drawn from a
// few values so that probe runs are long, wrap around and are cut by erases; borrowed keys and
// lines live in a buffer that is overwritten after each PinBorrowed.
TEST(LiveFileTableTest, MatchesAMapUnderRandomPutsAndErasesWithCollidingHashes) {
  for (const size_t distinct_hashes : {size_t{1}, size_t{7}, size_t{1} << 40}) {
    std::mt19937_64 rng(42 + distinct_hashes);
    LiveFileTable table;
    std::map<std::string, std::string> model;
    // Low bits pick the home cell; the same high half makes the tag check pass too.
    auto hash_of = [&](const std::string& key) {
      const size_t h = std::hash<std::string>{}(key) % distinct_hashes;
      return h * 0x9E3779B97F4A7C15ull;
    };
    std::vector<std::string> buffer;  // borrowed memory of the current round
    for (int round = 0; round < 60; ++round) {
      buffer.clear();
      buffer.reserve(1000);  // never reallocated: the table points into it
      for (int op = 0; op < 500; ++op) {
        const std::string key = "part-" + std::to_string(rng() % 3000) + ".parquet";
        if (rng() % 2 == 0) {
          buffer.push_back(key);
          buffer.push_back("line " + std::to_string(round) + "." + std::to_string(op));
          const std::string& k = buffer[buffer.size() - 2];
          const std::string& line = buffer.back();
          table.PutBorrowed(k, hash_of(k), line, 1, round);
          model[key] = line;
        } else {
          table.Erase(key, hash_of(key));
          model.erase(key);
        }
      }
      table.PinBorrowed();
      for (auto& text : buffer) text.assign(text.size(), '#');  // the buffer is reused
      ASSERT_EQ(table.size(), model.size()) << "round " << round;
      ASSERT_EQ(Contents(table), model) << "round " << round;
    }
  }
}

TEST(LiveFileTableTest, AReAddedKeyReplacesTheOldFileAndEraseOfAnAbsentKeyIsANoOp) {
  LiveFileTable table;
  std::string a = "a.parquet", line1 = "one", line2 = "two";
  table.PutBorrowed(a, HashFileKey(a), line1, 1, 0);
  table.Erase("b.parquet", HashFileKey("b.parquet"));
  table.PutBorrowed(a, HashFileKey(a), line2, 2, 1);
  table.PinBorrowed();
  line1 = line2 = "xxx";
  ASSERT_EQ(table.size(), 1u);
  table.ForEach([](LiveFileTable::File& file) {
    EXPECT_EQ(file.line, "two");
    EXPECT_EQ(file.line_no, 2u);
    EXPECT_EQ(file.version, 1);
  });
  AddFile dv;
  dv.path = "a.parquet";
  dv.deletion_vector = DeletionVectorDescriptor{.storage_type = "u", .path_or_inline_dv = "ab"};
  table.PutFull(dv);  // another logical file: same path, a deletion vector
  EXPECT_EQ(table.size(), 2u);
  table.Erase(a, HashFileKey(a));
  ASSERT_EQ(table.size(), 1u);
  table.ForEach([](LiveFileTable::File& file) { EXPECT_TRUE(file.full->deletion_vector); });
}

}  // namespace
}  // namespace lakesync::delta
