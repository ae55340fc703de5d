// libFuzzer target: the footer. Input bytes are a serialized FileMetaData (what sits between
// the data pages and the length word); they go through the Thrift compact decoder and schema
// resolution, and the schema's leaves through the lakesync type mapping; the statistics filter
// then judges every row group by the (fuzzed) statistics. The same bytes are also parsed as a
// page header. Any crash, hang or sanitizer report is a bug; errors are fine.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "lakesync/parquet/metadata_codec.h"
#include "lakesync/parquet/schema.h"
#include "lakesync/parquet/statistics_filter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lakesync::parquet;
  auto md = ParseFileMetaData(data, size);
  if (md.ok()) {
    auto schema = BuildSchema(*md);
    // Writing back what was read must not trip over anything the reader accepted.
    (void)SerializeFileMetaData(*md);
    if (schema.ok()) {
      using Op = ColumnPredicate::Op;
      const Literal literals[] = {Literal::Int(-1), Literal::Double(1e300), Literal::Bytes("\xff"),
                                  Literal::Bool(false)};
      const size_t groups = std::min<size_t>(md->row_groups.size(), 8);
      for (size_t g = 0; g < groups; ++g) {
        for (const LeafColumn& leaf : schema->leaves) {
          if (leaf.max_rep > 0) continue;
          for (const Literal& l : literals) {
            for (Op op : {Op::kEq, Op::kLe, Op::kGt}) {
              (void)RowGroupMayMatch(*md, *schema, static_cast<int>(g),
                                     ColumnPredicate::Compare(leaf.dotted_path, op, l));
            }
          }
          (void)RowGroupMayMatch(*md, *schema, static_cast<int>(g),
                                 ColumnPredicate::IsNotNull(leaf.dotted_path));
        }
      }
    }
  }
  size_t header_size = 0;
  auto header = ParsePageHeader(data, size, &header_size);
  if (header.ok() && header_size > size) __builtin_trap();  // the header overran its input
  return 0;
}
