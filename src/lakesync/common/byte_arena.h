// ByteArena: bump allocation of byte buffers that all die together, reused round after round
// without returning memory to malloc (a log replay reads 100k+ commit files through one).
// Thread-safety: none; one thread uses an arena at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace lakesync {

class ByteArena {
 public:
  explicit ByteArena(size_t block_size = size_t{1} << 20) : block_size_(block_size) {}

  /// `n` bytes, valid until Reset (or the arena's destruction); not initialised.
  char* Allocate(size_t n);
  /// Frees every allocation at once; keeps blocks of up to `keep_bytes` in all for the next
  /// round and gives the rest back (one large round must not hold memory for good).
  void Reset(size_t keep_bytes = SIZE_MAX);

 private:
  struct Block {
    std::unique_ptr<char[]> data;
    size_t size = 0;
  };
  size_t block_size_;
  std::vector<Block> blocks_;
  size_t block_ = 0;  // the block allocations come from
  size_t used_ = 0;   // bytes used of that block
};

}  // namespace lakesync
