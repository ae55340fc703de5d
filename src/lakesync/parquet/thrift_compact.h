// Thrift compact protocol (as used by Parquet footers and page headers): a bounds-checked
// reader that reports every malformed input as a Corruption Status, and a writer.
// The reader never reads past its buffer, limits struct/container nesting, and can skip any
// field it does not know. Only the subset Parquet needs is modelled: no messages, no services.
// Thread-safety: a reader or writer is used by one thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lakesync/common/status.h"

namespace lakesync::parquet::thrift {

/// Compact protocol wire types (the low nibble of a field header).
enum class WireType : uint8_t {
  kStop = 0,
  kBoolTrue = 1,
  kBoolFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
};

class CompactReader {
 public:
  static constexpr int kMaxDepth = 64;

  CompactReader(const uint8_t* data, size_t size) : pos_(data), begin_(data), end_(data + size) {}

  /// Bytes consumed so far.
  size_t position() const { return static_cast<size_t>(pos_ - begin_); }

  /// Enters a struct (resets the field-id delta base); fails past kMaxDepth.
  Status BeginStruct();
  void EndStruct();
  /// Reads a field header; `*type` is kStop at the end of the struct. For bool fields the value
  /// is in the type: call ReadBool afterwards, which consumes nothing.
  Status ReadFieldBegin(WireType* type, int16_t* id);

  Status ReadBool(WireType field_type, bool* out);  // a bool field (value in the header)
  Status ReadBoolElement(bool* out);                // a bool inside a list (one byte)
  Status ReadByte(int8_t* out);
  Status ReadI16(int16_t* out);
  Status ReadI32(int32_t* out);
  Status ReadI64(int64_t* out);
  Status ReadDouble(double* out);
  /// A length-prefixed byte string; the view points into the input buffer.
  Status ReadBinary(std::string_view* out);
  Status ReadString(std::string* out);
  /// A list or set header. `*size` is checked against the remaining bytes.
  Status ReadListBegin(WireType* elem_type, int32_t* size);
  Status ReadMapBegin(WireType* key_type, WireType* value_type, int32_t* size);

  /// Skips one value of `type` (any type, nested to kMaxDepth).
  Status Skip(WireType type);

 private:
  Status ReadVarint(uint64_t* out);
  Status SkipAtDepth(WireType type, int depth);

  const uint8_t* pos_;
  const uint8_t* begin_;
  const uint8_t* end_;
  std::vector<int16_t> last_field_id_stack_;
  int16_t last_field_id_ = 0;
};

class CompactWriter {
 public:
  void BeginStruct();
  void EndStruct();  // writes the stop byte
  void WriteFieldBegin(WireType type, int16_t id);
  void WriteBoolField(int16_t id, bool value);
  void WriteByte(int8_t v);
  void WriteI16(int16_t v);
  void WriteI32(int32_t v);
  void WriteI64(int64_t v);
  void WriteDouble(double v);
  void WriteBinary(std::string_view v);
  void WriteListBegin(WireType elem_type, int32_t size);
  void WriteBoolElement(bool v);

  void WriteI32Field(int16_t id, int32_t v) {
    WriteFieldBegin(WireType::kI32, id);
    WriteI32(v);
  }
  void WriteI64Field(int16_t id, int64_t v) {
    WriteFieldBegin(WireType::kI64, id);
    WriteI64(v);
  }
  void WriteBinaryField(int16_t id, std::string_view v) {
    WriteFieldBegin(WireType::kBinary, id);
    WriteBinary(v);
  }

  const std::string& buffer() const { return out_; }
  std::string Release() { return std::move(out_); }

 private:
  void WriteVarint(uint64_t v);

  std::string out_;
  std::vector<int16_t> last_field_id_stack_;
  int16_t last_field_id_ = 0;
};

}  // namespace lakesync::parquet::thrift
