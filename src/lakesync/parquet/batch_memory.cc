#include "lakesync/parquet/batch_memory.h"

#if __has_include(<malloc.h>)
#include <malloc.h>
#endif

namespace lakesync::parquet {

void RetainBatchMemory() {
#if defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
  // 32 MiB is glibc's ceiling for the mmap threshold; setting both values also turns off its
  // dynamic threshold, which otherwise trims the heap whenever a batch is freed.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

}  // namespace lakesync::parquet
