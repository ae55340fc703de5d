// libFuzzer target: page decoding. Input bytes are a whole Parquet file, read through
// FileReader as lakesync reads table files: open (footer, schema), then every row group with
// every column (pages, decompression, levels, encodings, record assembly), once single-threaded
// and with CRC checks off so mutated pages reach the decoders; then each flat leaf alone through
// a projection, and the statistics filter on it (min/max/null_count of any bytes). Errors are
// fine; crashes, hangs, leaks and sanitizer reports are bugs.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "lakesync/parquet/buffer_file.h"
#include "lakesync/parquet/file_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lakesync::parquet;
  auto file = std::make_shared<BufferFile>("fuzz.parquet",
                                           std::string(reinterpret_cast<const char*>(data), size));
  ReaderOptions options;
  options.verify_page_checksums = false;
  auto reader = FileReader::Open(file, options);
  if (!reader.ok()) return 0;
  for (int g = 0; g < (*reader)->num_row_groups(); ++g) {
    // Decoding time follows the counts the footer claims (RLE turns a few bytes into a million
    // values, legitimately), so row groups claiming more than kMaxValues are skipped: they
    // cost seconds each under the sanitizers and find nothing smaller ones would not.
    constexpr int64_t kMaxValues = 200'000;
    const RowGroup& rg = (*reader)->metadata().row_groups[g];
    bool big = rg.num_rows > kMaxValues;
    for (const ColumnChunk& chunk : rg.columns) {
      big = big || (chunk.meta_data && chunk.meta_data->num_values > kMaxValues);
    }
    if (big) continue;
    auto batch = (*reader)->ReadRowGroup(g);
    if (batch.ok()) {
      // A batch that decodes must be consistent: every column as long as the row group.
      for (const auto& column : batch->columns) {
        if (column.length() != batch->num_rows) __builtin_trap();
      }
    }
    // The first few flat leaves: projected alone, and filtered by statistics with a literal of
    // every kind (the wrong kinds are InvalidArgument, which is fine).
    int leaves = 0;
    for (const LeafColumn& leaf : (*reader)->parquet_schema().leaves) {
      if (leaf.max_rep > 0 || ++leaves > 4) continue;
      auto projection = (*reader)->ProjectByPath({leaf.dotted_path});
      if (projection.ok()) {
        auto one = (*reader)->ReadRowGroup(g, *projection);
        if (one.ok() && one->columns.size() != 1) __builtin_trap();
      }
      using Op = ColumnPredicate::Op;
      const Literal literals[] = {Literal::Int(0), Literal::Double(0.5), Literal::Bytes("m"),
                                  Literal::Bool(true)};
      for (const Literal& l : literals) {
        for (Op op : {Op::kEq, Op::kLt, Op::kGe}) {
          (void)(*reader)->RowGroupMayMatch(g, {ColumnPredicate::Compare(leaf.dotted_path, op, l)});
        }
      }
      (void)(*reader)->RowGroupMayMatch(g, {ColumnPredicate::IsNull(leaf.dotted_path)});
      (void)(*reader)->RowGroupMayMatch(g, {ColumnPredicate::IsNotNull(leaf.dotted_path)});
    }
  }
  return 0;
}
