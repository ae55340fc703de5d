// libFuzzer target: the footer. Input bytes are a serialized FileMetaData (what sits between
// the data pages and the length word); they go through the Thrift compact decoder and schema
// resolution, and the schema's leaves through the lakesync type mapping. The same bytes are
// also parsed as a page header. Any crash, hang or sanitizer report is a bug; errors are fine.
#include <cstddef>
#include <cstdint>

#include "lakesync/parquet/metadata_codec.h"
#include "lakesync/parquet/schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lakesync::parquet;
  auto md = ParseFileMetaData(data, size);
  if (md.ok()) {
    auto schema = BuildSchema(*md);
    // Writing back what was read must not trip over anything the reader accepted.
    (void)SerializeFileMetaData(*md);
    (void)schema;
  }
  size_t header_size = 0;
  auto header = ParsePageHeader(data, size, &header_size);
  if (header.ok() && header_size > size) __builtin_trap();  // the header overran its input
  return 0;
}
