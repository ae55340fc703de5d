// LiveFileTable: the live files of a snapshot replay by logical file key. An open-addressing
// index over a slot array, so that applying a long log's million adds and removes allocates
// nothing per action: an add read by key only borrows its key and JSON line from the replay's
// read buffers, and PinBorrowed copies only those still live before the buffers are reused.
// Thread-safety: none; one replay owns a table.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "lakesync/delta/actions.h"

namespace lakesync::delta {

class LiveFileTable {
 public:
  struct File {
    std::string_view key;  // into `owned`, full->path or a borrowed buffer
    /// An add read by key only: its JSON line (ParseAddLine reads it); empty when `full`.
    std::string_view line;
    std::unique_ptr<AddFile> full;  // an add read in full (checkpoints, log compactions)
    std::unique_ptr<char[]> owned;  // the key and line, once pinned or built
    size_t hash = 0;
    int64_t version = -1;  // the commit that added it, to name it in errors about `line`
    uint32_t line_no = 0;
    uint32_t generation = 0;  // bumped when the slot is reused, to spot stale borrow records
    bool live = false;
    bool borrowed = false;
  };

  /// Adds (or replaces) the file `key`, read by key only. `key` and `line` stay borrowed
  /// until PinBorrowed: the caller keeps them valid until then.
  void PutBorrowed(std::string_view key, size_t hash, std::string_view line, uint32_t line_no,
                   int64_t version);
  /// Adds (or replaces) a file read in full.
  void PutFull(AddFile add);
  /// Drops the file `key`, if live.
  void Erase(std::string_view key, size_t hash);
  /// Copies the key and line of every live file still borrowed into memory of its own.
  void PinBorrowed();

  size_t size() const { return size_; }
  /// Calls fn(File&) for every live file, in no particular order.
  template <typename Fn>
  void ForEach(Fn&& fn) {
    for (File& file : slots_) {
      if (file.live) fn(file);
    }
  }
  void Clear();

 private:
  static constexpr size_t kNotFound = ~size_t{0};
  // An index cell: 0 when empty, else the high half of the key's hash (a cheap first check)
  // over the slot number + 1.
  static uint64_t Cell(size_t hash, uint32_t slot) {
    return (static_cast<uint64_t>(hash >> 32) << 32) | (static_cast<uint64_t>(slot) + 1);
  }
  static uint32_t SlotOf(uint64_t cell) { return static_cast<uint32_t>(cell) - 1; }

  size_t FindCell(std::string_view key, size_t hash) const;
  // The slot for `key`: its live slot (cleared for new contents) or a fresh one.
  File& Claim(std::string_view key, size_t hash);
  void EraseCell(size_t cell);
  void Grow();

  std::vector<uint64_t> index_;  // size a power of two, at most half full
  std::vector<File> slots_;
  std::vector<uint32_t> free_;                           // slots of erased files
  std::vector<std::pair<uint32_t, uint32_t>> borrowed_;  // (slot, generation)
  size_t size_ = 0;
};

}  // namespace lakesync::delta
