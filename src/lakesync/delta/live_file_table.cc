#include "lakesync/delta/live_file_table.h"

#include <cstring>

namespace lakesync::delta {

size_t LiveFileTable::FindCell(std::string_view key, size_t hash) const {
  if (index_.empty()) return kNotFound;
  const size_t mask = index_.size() - 1;
  const uint64_t tag = static_cast<uint64_t>(hash >> 32);
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const uint64_t cell = index_[i];
    if (cell == 0) return kNotFound;
    if ((cell >> 32) == tag) {
      const File& file = slots_[SlotOf(cell)];
      if (file.hash == hash && file.key == key) return i;
    }
  }
}

void LiveFileTable::Grow() {
  std::vector<uint64_t> old = std::move(index_);
  index_.assign(old.empty() ? 1024 : old.size() * 2, 0);
  const size_t mask = index_.size() - 1;
  for (const uint64_t cell : old) {
    if (cell == 0) continue;
    size_t i = slots_[SlotOf(cell)].hash & mask;
    while (index_[i] != 0) i = (i + 1) & mask;
    index_[i] = cell;
  }
}

LiveFileTable::File& LiveFileTable::Claim(std::string_view key, size_t hash) {
  if (const size_t at = FindCell(key, hash); at != kNotFound) {
    File& file = slots_[SlotOf(index_[at])];
    const uint32_t generation = file.generation + 1;
    file = File{};
    file.generation = generation;
    file.live = true;
    file.hash = hash;
    return file;
  }
  if ((size_ + 1) * 2 > index_.size()) Grow();
  uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  const size_t mask = index_.size() - 1;
  size_t i = hash & mask;
  while (index_[i] != 0) i = (i + 1) & mask;
  index_[i] = Cell(hash, slot);
  ++size_;
  File& file = slots_[slot];
  file.live = true;
  file.hash = hash;
  return file;
}

void LiveFileTable::PutBorrowed(std::string_view key, size_t hash, std::string_view line,
                                uint32_t line_no, int64_t version) {
  File& file = Claim(key, hash);
  file.key = key;
  file.line = line;
  file.line_no = line_no;
  file.version = version;
  file.borrowed = true;
  borrowed_.emplace_back(static_cast<uint32_t>(&file - slots_.data()), file.generation);
}

void LiveFileTable::PutFull(AddFile add) {
  auto full = std::make_unique<AddFile>(std::move(add));
  std::unique_ptr<char[]> owned;
  std::string_view key = full->path;
  if (full->deletion_vector) {
    const std::string logical = LogicalFileKey(full->path, full->deletion_vector);
    owned = std::make_unique<char[]>(logical.size());
    std::memcpy(owned.get(), logical.data(), logical.size());
    key = std::string_view(owned.get(), logical.size());
  }
  File& file = Claim(key, HashFileKey(key));
  file.full = std::move(full);
  file.owned = std::move(owned);
  file.key = key;
}

void LiveFileTable::EraseCell(size_t at) {
  const uint32_t slot = SlotOf(index_[at]);
  File& file = slots_[slot];
  const uint32_t generation = file.generation + 1;
  file = File{};
  file.generation = generation;
  free_.push_back(slot);
  --size_;
  // Backward-shift deletion: move later cells of the probe run into the hole when their home
  // cell does not lie (cyclically) between the hole and them, so lookups never need tombstones.
  const size_t mask = index_.size() - 1;
  size_t hole = at;
  for (size_t i = (at + 1) & mask; index_[i] != 0; i = (i + 1) & mask) {
    const size_t home = slots_[SlotOf(index_[i])].hash & mask;
    const bool stays = hole <= i ? (hole < home && home <= i) : (hole < home || home <= i);
    if (stays) continue;
    index_[hole] = index_[i];
    hole = i;
  }
  index_[hole] = 0;
}

void LiveFileTable::Erase(std::string_view key, size_t hash) {
  if (const size_t at = FindCell(key, hash); at != kNotFound) EraseCell(at);
}

void LiveFileTable::PinBorrowed() {
  for (const auto& [slot, generation] : borrowed_) {
    File& file = slots_[slot];
    if (!file.live || !file.borrowed || file.generation != generation) continue;
    file.owned = std::make_unique<char[]>(file.key.size() + file.line.size());
    char* out = file.owned.get();
    std::memcpy(out, file.key.data(), file.key.size());
    if (!file.line.empty()) std::memcpy(out + file.key.size(), file.line.data(), file.line.size());
    file.key = std::string_view(out, file.key.size());
    file.line = std::string_view(out + file.key.size(), file.line.size());
    file.borrowed = false;
  }
  borrowed_.clear();
}

void LiveFileTable::Clear() {
  index_.clear();
  slots_.clear();
  free_.clear();
  borrowed_.clear();
  size_ = 0;
}

}  // namespace lakesync::delta
