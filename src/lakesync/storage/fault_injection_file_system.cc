#include "lakesync/storage/fault_injection_file_system.h"

#include "lakesync/common/macros.h"

namespace lakesync::storage {
namespace {

class FaultInjectionFile : public RandomAccessFile {
 public:
  FaultInjectionFile(std::unique_ptr<RandomAccessFile> base,
                     std::shared_ptr<FaultInjectionFileSystem::State> state)
      : base_(std::move(base)), state_(std::move(state)) {}

  const std::string& path() const override { return base_->path(); }
  int64_t size() const override { return base_->size(); }

  Status ReadAt(int64_t offset, int64_t length, uint8_t* out) const override {
    LAKESYNC_RETURN_NOT_OK(MaybeFail(offset, length));
    return base_->ReadAt(offset, length, out);
  }

  Status ReadRanges(std::span<const ReadRequest> ranges) const override {
    for (const ReadRequest& r : ranges) LAKESYNC_RETURN_NOT_OK(MaybeFail(r.offset, r.length));
    return base_->ReadRanges(ranges);
  }

 private:
  Status MaybeFail(int64_t offset, int64_t length) const {
    const int64_t n = ++state_->reads;
    int64_t target = n;
    if (state_->fail_at.compare_exchange_strong(target, 0)) {
      ++state_->failures;
      return Status::Unavailable("injected fault: read #{} of {} bytes at offset {} of '{}'", n,
                                 length, offset, path());
    }
    return Status::OK();
  }

  std::unique_ptr<RandomAccessFile> base_;
  std::shared_ptr<FaultInjectionFileSystem::State> state_;
};

}  // namespace

void FaultInjectionFileSystem::FailNthRead(int64_t n) {
  state_->fail_at = n <= 0 ? 0 : state_->reads.load() + n;
}

Result<std::unique_ptr<RandomAccessFile>> FaultInjectionFileSystem::OpenForRead(
    const std::string& path) {
  LAKESYNC_ASSIGN_OR_RETURN(auto file, base_->OpenForRead(path));
  return std::unique_ptr<RandomAccessFile>(
      std::make_unique<FaultInjectionFile>(std::move(file), state_));
}

}  // namespace lakesync::storage
