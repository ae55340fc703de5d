// Parquet footer and page-header codec: FileMetaData / PageHeader (format.h) to and from Thrift
// compact bytes. Parsing is bounds-checked and reports malformed bytes as Corruption; unknown
// fields are skipped so files from newer writers still parse.
// Thread-safety: free functions without shared state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "lakesync/common/result.h"
#include "lakesync/parquet/format.h"

namespace lakesync::parquet {

/// Parses a serialized FileMetaData (the footer bytes between the data and the length word).
Result<FileMetaData> ParseFileMetaData(const uint8_t* data, size_t size);

/// Parses the page header at `data`; `*header_size` receives the bytes it took.
Result<PageHeader> ParsePageHeader(const uint8_t* data, size_t size, size_t* header_size);

std::string SerializeFileMetaData(const FileMetaData& metadata);
std::string SerializePageHeader(const PageHeader& header);

/// Names for error messages ("SNAPPY", "RLE_DICTIONARY"); the number for unknown values.
std::string TypeName(Type t);
std::string ConvertedTypeName(ConvertedType t);
std::string EncodingName(Encoding e);
std::string CodecName(CompressionCodec c);
std::string PageTypeName(PageType t);

}  // namespace lakesync::parquet
