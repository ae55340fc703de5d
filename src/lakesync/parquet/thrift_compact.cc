#include "lakesync/parquet/thrift_compact.h"

#include <cstring>
#include <limits>

#include "lakesync/common/macros.h"

namespace lakesync::parquet::thrift {

namespace {

uint64_t ZigZagEncode(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t ZigZagDecode(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

bool IsValidWireType(uint8_t t) { return t <= static_cast<uint8_t>(WireType::kStruct); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// CompactReader

Status CompactReader::ReadVarint(uint64_t* out) {
  uint64_t result = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos_ >= end_) return Status::Corruption("thrift: truncated varint");
    uint8_t b = *pos_++;
    if (shift == 63 && (b & 0x7e) != 0) return Status::Corruption("thrift: varint overflow");
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *out = result;
      return Status::OK();
    }
  }
  return Status::Corruption("thrift: varint longer than 10 bytes");
}

Status CompactReader::BeginStruct() {
  if (last_field_id_stack_.size() >= static_cast<size_t>(kMaxDepth)) {
    return Status::Corruption("thrift: nesting deeper than {}", kMaxDepth);
  }
  last_field_id_stack_.push_back(last_field_id_);
  last_field_id_ = 0;
  return Status::OK();
}

void CompactReader::EndStruct() {
  if (!last_field_id_stack_.empty()) {
    last_field_id_ = last_field_id_stack_.back();
    last_field_id_stack_.pop_back();
  }
}

Status CompactReader::ReadFieldBegin(WireType* type, int16_t* id) {
  if (pos_ >= end_) return Status::Corruption("thrift: truncated struct");
  uint8_t b = *pos_++;
  uint8_t t = b & 0x0f;
  if (t == 0) {
    *type = WireType::kStop;
    *id = 0;
    return Status::OK();
  }
  if (!IsValidWireType(t)) return Status::Corruption("thrift: invalid field type {}", t);
  uint8_t delta = b >> 4;
  int32_t field_id{};
  if (delta != 0) {
    field_id = last_field_id_ + delta;
  } else {
    uint64_t v{};
    LAKESYNC_RETURN_NOT_OK(ReadVarint(&v));
    int64_t z = ZigZagDecode(v);
    field_id = static_cast<int32_t>(z);
    if (z != field_id) return Status::Corruption("thrift: field id out of range");
  }
  if (field_id > std::numeric_limits<int16_t>::max() ||
      field_id < std::numeric_limits<int16_t>::min()) {
    return Status::Corruption("thrift: field id out of range");
  }
  last_field_id_ = static_cast<int16_t>(field_id);
  *type = static_cast<WireType>(t);
  *id = last_field_id_;
  return Status::OK();
}

Status CompactReader::ReadBool(WireType field_type, bool* out) {
  if (field_type == WireType::kBoolTrue) {
    *out = true;
  } else if (field_type == WireType::kBoolFalse) {
    *out = false;
  } else {
    return Status::Corruption("thrift: expected a bool field");
  }
  return Status::OK();
}

Status CompactReader::ReadBoolElement(bool* out) {
  if (pos_ >= end_) return Status::Corruption("thrift: truncated bool");
  *out = (*pos_++ == 1);
  return Status::OK();
}

Status CompactReader::ReadByte(int8_t* out) {
  if (pos_ >= end_) return Status::Corruption("thrift: truncated byte");
  *out = static_cast<int8_t>(*pos_++);
  return Status::OK();
}

Status CompactReader::ReadI16(int16_t* out) {
  uint64_t v{};
  LAKESYNC_RETURN_NOT_OK(ReadVarint(&v));
  int64_t z = ZigZagDecode(v);
  if (z < std::numeric_limits<int16_t>::min() || z > std::numeric_limits<int16_t>::max()) {
    return Status::Corruption("thrift: i16 out of range");
  }
  *out = static_cast<int16_t>(z);
  return Status::OK();
}

Status CompactReader::ReadI32(int32_t* out) {
  uint64_t v{};
  LAKESYNC_RETURN_NOT_OK(ReadVarint(&v));
  int64_t z = ZigZagDecode(v);
  if (z < std::numeric_limits<int32_t>::min() || z > std::numeric_limits<int32_t>::max()) {
    return Status::Corruption("thrift: i32 out of range");
  }
  *out = static_cast<int32_t>(z);
  return Status::OK();
}

Status CompactReader::ReadI64(int64_t* out) {
  uint64_t v{};
  LAKESYNC_RETURN_NOT_OK(ReadVarint(&v));
  *out = ZigZagDecode(v);
  return Status::OK();
}

Status CompactReader::ReadDouble(double* out) {
  if (end_ - pos_ < 8) return Status::Corruption("thrift: truncated double");
  std::memcpy(out, pos_, 8);
  pos_ += 8;
  return Status::OK();
}

Status CompactReader::ReadBinary(std::string_view* out) {
  uint64_t len{};
  LAKESYNC_RETURN_NOT_OK(ReadVarint(&len));
  if (len > static_cast<uint64_t>(end_ - pos_)) {
    return Status::Corruption("thrift: binary length {} past the end of the buffer", len);
  }
  *out = std::string_view(reinterpret_cast<const char*>(pos_), len);
  pos_ += len;
  return Status::OK();
}

Status CompactReader::ReadString(std::string* out) {
  std::string_view v;
  LAKESYNC_RETURN_NOT_OK(ReadBinary(&v));
  out->assign(v);
  return Status::OK();
}

Status CompactReader::ReadListBegin(WireType* elem_type, int32_t* size) {
  if (pos_ >= end_) return Status::Corruption("thrift: truncated list header");
  uint8_t b = *pos_++;
  uint8_t t = b & 0x0f;
  if (t == 0 || !IsValidWireType(t)) return Status::Corruption("thrift: invalid list type {}", t);
  uint64_t n = b >> 4;
  if (n == 15) LAKESYNC_RETURN_NOT_OK(ReadVarint(&n));
  // Every element takes at least one byte, so a size above the remaining bytes is garbage.
  if (n > static_cast<uint64_t>(end_ - pos_)) {
    return Status::Corruption("thrift: list size {} exceeds the remaining bytes", n);
  }
  *elem_type = static_cast<WireType>(t);
  *size = static_cast<int32_t>(n);
  return Status::OK();
}

Status CompactReader::ReadMapBegin(WireType* key_type, WireType* value_type, int32_t* size) {
  uint64_t n{};
  LAKESYNC_RETURN_NOT_OK(ReadVarint(&n));
  if (n == 0) {
    *size = 0;
    *key_type = *value_type = WireType::kStop;
    return Status::OK();
  }
  if (pos_ >= end_) return Status::Corruption("thrift: truncated map header");
  uint8_t b = *pos_++;
  uint8_t kt = b >> 4, vt = b & 0x0f;
  if (kt == 0 || vt == 0 || !IsValidWireType(kt) || !IsValidWireType(vt)) {
    return Status::Corruption("thrift: invalid map types");
  }
  if (n > static_cast<uint64_t>(end_ - pos_)) {
    return Status::Corruption("thrift: map size {} exceeds the remaining bytes", n);
  }
  *key_type = static_cast<WireType>(kt);
  *value_type = static_cast<WireType>(vt);
  *size = static_cast<int32_t>(n);
  return Status::OK();
}

Status CompactReader::Skip(WireType type) { return SkipAtDepth(type, 0); }

Status CompactReader::SkipAtDepth(WireType type, int depth) {
  if (depth + static_cast<int>(last_field_id_stack_.size()) > kMaxDepth) {
    return Status::Corruption("thrift: nesting deeper than {}", kMaxDepth);
  }
  switch (type) {
    case WireType::kBoolTrue:
    case WireType::kBoolFalse:
      return Status::OK();  // a bool field's value is in its header
    case WireType::kByte: {
      int8_t v{};
      return ReadByte(&v);
    }
    case WireType::kI16:
    case WireType::kI32:
    case WireType::kI64: {
      uint64_t v{};
      return ReadVarint(&v);
    }
    case WireType::kDouble: {
      double v{};
      return ReadDouble(&v);
    }
    case WireType::kBinary: {
      std::string_view v;
      return ReadBinary(&v);
    }
    case WireType::kList:
    case WireType::kSet: {
      WireType et = WireType::kStop;
      int32_t n{};
      LAKESYNC_RETURN_NOT_OK(ReadListBegin(&et, &n));
      for (int32_t i = 0; i < n; ++i) {
        if (et == WireType::kBoolTrue || et == WireType::kBoolFalse) {
          bool b{};
          LAKESYNC_RETURN_NOT_OK(ReadBoolElement(&b));
        } else {
          LAKESYNC_RETURN_NOT_OK(SkipAtDepth(et, depth + 1));
        }
      }
      return Status::OK();
    }
    case WireType::kMap: {
      WireType kt = WireType::kStop, vt = WireType::kStop;
      int32_t n{};
      LAKESYNC_RETURN_NOT_OK(ReadMapBegin(&kt, &vt, &n));
      for (int32_t i = 0; i < n; ++i) {
        for (WireType t : {kt, vt}) {
          if (t == WireType::kBoolTrue || t == WireType::kBoolFalse) {
            bool b{};
            LAKESYNC_RETURN_NOT_OK(ReadBoolElement(&b));
          } else {
            LAKESYNC_RETURN_NOT_OK(SkipAtDepth(t, depth + 1));
          }
        }
      }
      return Status::OK();
    }
    case WireType::kStruct: {
      LAKESYNC_RETURN_NOT_OK(BeginStruct());
      while (true) {
        WireType ft = WireType::kStop;
        int16_t id{};
        LAKESYNC_RETURN_NOT_OK(ReadFieldBegin(&ft, &id));
        if (ft == WireType::kStop) break;
        LAKESYNC_RETURN_NOT_OK(SkipAtDepth(ft, depth + 1));
      }
      EndStruct();
      return Status::OK();
    }
    case WireType::kStop:
      break;
  }
  return Status::Corruption("thrift: cannot skip type {}", static_cast<int>(type));
}

// ---------------------------------------------------------------------------------------------
// CompactWriter

void CompactWriter::WriteVarint(uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<char>(v));
}

void CompactWriter::BeginStruct() {
  last_field_id_stack_.push_back(last_field_id_);
  last_field_id_ = 0;
}

void CompactWriter::EndStruct() {
  out_.push_back(0);
  if (!last_field_id_stack_.empty()) {
    last_field_id_ = last_field_id_stack_.back();
    last_field_id_stack_.pop_back();
  }
}

void CompactWriter::WriteFieldBegin(WireType type, int16_t id) {
  int delta = id - last_field_id_;
  if (delta > 0 && delta <= 15) {
    out_.push_back(static_cast<char>((delta << 4) | static_cast<uint8_t>(type)));
  } else {
    out_.push_back(static_cast<char>(type));
    WriteVarint(ZigZagEncode(id));
  }
  last_field_id_ = id;
}

void CompactWriter::WriteBoolField(int16_t id, bool value) {
  WriteFieldBegin(value ? WireType::kBoolTrue : WireType::kBoolFalse, id);
}

void CompactWriter::WriteByte(int8_t v) { out_.push_back(static_cast<char>(v)); }
void CompactWriter::WriteI16(int16_t v) { WriteVarint(ZigZagEncode(v)); }
void CompactWriter::WriteI32(int32_t v) { WriteVarint(ZigZagEncode(v)); }
void CompactWriter::WriteI64(int64_t v) { WriteVarint(ZigZagEncode(v)); }

void CompactWriter::WriteDouble(double v) {
  char buf[8];
  std::memcpy(buf, &v, 8);
  out_.append(buf, 8);
}

void CompactWriter::WriteBinary(std::string_view v) {
  WriteVarint(v.size());
  out_.append(v);
}

void CompactWriter::WriteListBegin(WireType elem_type, int32_t size) {
  if (size < 15) {
    out_.push_back(static_cast<char>((size << 4) | static_cast<uint8_t>(elem_type)));
  } else {
    out_.push_back(static_cast<char>(0xf0 | static_cast<uint8_t>(elem_type)));
    WriteVarint(static_cast<uint64_t>(size));
  }
}

void CompactWriter::WriteBoolElement(bool v) { out_.push_back(v ? 1 : 2); }

}  // namespace lakesync::parquet::thrift
