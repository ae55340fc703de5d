#include "lakesync/common/byte_arena.h"

#include <algorithm>

namespace lakesync {

char* ByteArena::Allocate(size_t n) {
  while (block_ < blocks_.size()) {
    Block& block = blocks_[block_];
    if (block.size - used_ >= n) {
      char* out = block.data.get() + used_;
      used_ += n;
      return out;
    }
    ++block_;
    used_ = 0;
  }
  // A larger request gets a block of its own size, kept for later rounds like the others.
  const size_t size = std::max(n, block_size_);
  blocks_.push_back(Block{std::unique_ptr<char[]>(new char[size]), size});
  block_ = blocks_.size() - 1;
  used_ = n;
  return blocks_.back().data.get();
}

void ByteArena::Reset(size_t keep_bytes) {
  size_t kept = 0, n = 0;
  while (n < blocks_.size() && kept + blocks_[n].size <= keep_bytes) kept += blocks_[n++].size;
  blocks_.resize(n);
  block_ = 0;
  used_ = 0;
}

}  // namespace lakesync
