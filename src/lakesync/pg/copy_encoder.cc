#include "lakesync/pg/copy_encoder.h"

#include <fmt/format.h>

#include <bit>
#include <cstring>
#include <numeric>

#include "lakesync/common/macros.h"
#include "lakesync/pg/value_format_internal.h"

namespace lakesync::pg {
namespace {

// PostgreSQL's limits, from its datetime headers: Julian day 0 (4714-11-24 BC) up to but
// excluding 5874898-01-01 for dates; 4714-11-24 BC up to but excluding 294277-01-01 for
// timestamps (microseconds since 2000-01-01).
constexpr int64_t kUnixEpochJulian = 2440588;
constexpr int64_t kDateMinUnixDays = -kUnixEpochJulian;                // 4714-11-24 BC
constexpr int64_t kDateEndUnixDays = 2147483494LL - kUnixEpochJulian;  // 5874898-01-01
constexpr int64_t kPgEpochUnixDays = 10957;                            // 2000-01-01
constexpr int64_t kPgEpochUnixMicros = kPgEpochUnixDays * 86400LL * 1000000;
constexpr int64_t kTimestampMinPg = -211813488000000000LL;  // 4714-11-24 00:00 BC
constexpr int64_t kTimestampEndPg = 9223371331200000000LL;  // 294277-01-01 00:00
constexpr int64_t kMicrosPerDay = 86400LL * 1000000;
constexpr size_t kMaxFieldBytes = 0x3FFFFFFF;  // PostgreSQL's 1 GB limit on one value
constexpr int16_t kMaxColumns = 1600;

constexpr uint8_t kSignature[11] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xFF, '\r', '\n', 0};

template <typename U>
inline void StoreBE(uint8_t* p, U v) {
  static_assert(std::is_unsigned_v<U>);
  if constexpr (std::endian::native == std::endian::little) {
    if constexpr (sizeof(U) == 2) v = __builtin_bswap16(v);
    if constexpr (sizeof(U) == 4) v = __builtin_bswap32(v);
    if constexpr (sizeof(U) == 8) v = __builtin_bswap64(v);
  }
  std::memcpy(p, &v, sizeof(U));
}

inline void StoreNull(uint8_t* p) { StoreBE<uint32_t>(p, 0xFFFFFFFFu); }

template <typename T>
inline T Load(const uint8_t* values, int64_t row) {
  T v;
  std::memcpy(&v, values + row * sizeof(T), sizeof(T));
  return v;
}

// What one column of one batch needs while it is encoded.
struct ColumnJob {
  const Field* field = nullptr;  // target field (its name is used in errors)
  const PgType* target = nullptr;
  const ColumnVector* col = nullptr;
  CopyEncoding encoding = CopyEncoding::kNull;
  std::string* var_bytes = nullptr;        // pre-encoded values (numeric, nested jsonb)
  PodVector<int32_t>* var_lens = nullptr;  // their lengths, -1 for null
};

struct BatchRows {
  const uint32_t* rows;
  int64_t n;
  const RowDescriber* describe;
};

Status RowError(const ColumnJob& job, const BatchRows& br, int64_t row, std::string_view problem,
                StatusCode code = StatusCode::kInvalidArgument) {
  const std::string who =
      (br.describe != nullptr && *br.describe) ? (*br.describe)(row) : fmt::format("row {}", row);
  return Status(code, fmt::format("column \"{}\" at {}: {}", job.field->name, who, problem));
}

const uint8_t* Validity(const ColumnVector& col) {
  return col.validity().empty() ? nullptr : col.validity().data();
}

// ---- measure: adds each row's field size to sizes[k] and rejects values PostgreSQL refuses.

void MeasureFixed(const ColumnJob& job, const BatchRows& br, int64_t* sizes, int width) {
  const uint8_t* validity = Validity(*job.col);
  const int64_t full = 4 + width;
  if (validity == nullptr) {
    for (int64_t k = 0; k < br.n; ++k) sizes[k] += full;
  } else {
    for (int64_t k = 0; k < br.n; ++k) sizes[k] += validity[br.rows[k]] ? full : 4;
  }
}

Status CheckDates(const ColumnJob& job, const BatchRows& br) {
  const uint8_t* validity = Validity(*job.col);
  const uint8_t* values = job.col->values().data();
  for (int64_t k = 0; k < br.n; ++k) {
    const uint32_t r = br.rows[k];
    if (validity != nullptr && !validity[r]) continue;
    const int64_t d = Load<int32_t>(values, r);
    if (d < kDateMinUnixDays || d >= kDateEndUnixDays) {
      return RowError(job, br, r,
                      fmt::format("date {} days from 1970-01-01 is outside PostgreSQL's date range "
                                  "(4714-11-24 BC to 5874897-12-31)",
                                  d));
    }
  }
  return Status::OK();
}

Status CheckTimestamps(const ColumnJob& job, const BatchRows& br) {
  const uint8_t* validity = Validity(*job.col);
  const uint8_t* values = job.col->values().data();
  const TimeUnit unit = job.col->type().unit;
  for (int64_t k = 0; k < br.n; ++k) {
    const uint32_t r = br.rows[k];
    if (validity != nullptr && !validity[r]) continue;
    const int64_t v = Load<int64_t>(values, r);
    int64_t micros;
    if (!internal::ToMicros(v, unit, micros) || micros < kTimestampMinPg + kPgEpochUnixMicros ||
        micros - kPgEpochUnixMicros >= kTimestampEndPg) {
      return RowError(job, br, r,
                      fmt::format("timestamp {} ({} since 1970) is outside PostgreSQL's timestamp "
                                  "range (4714-11-24 BC to 294276-12-31)",
                                  v,
                                  unit == TimeUnit::kMillis   ? "ms"
                                  : unit == TimeUnit::kMicros ? "us"
                                                              : "ns"));
    }
  }
  return Status::OK();
}

Status CheckTimes(const ColumnJob& job, const BatchRows& br) {
  const uint8_t* validity = Validity(*job.col);
  const uint8_t* values = job.col->values().data();
  const TimeUnit unit = job.col->type().unit;
  for (int64_t k = 0; k < br.n; ++k) {
    const uint32_t r = br.rows[k];
    if (validity != nullptr && !validity[r]) continue;
    const int64_t v = Load<int64_t>(values, r);
    int64_t micros;
    if (!internal::ToMicros(v, unit, micros) || micros < 0 || micros > kMicrosPerDay) {
      return RowError(job, br, r, fmt::format("time {} is not a time of day", v));
    }
  }
  return Status::OK();
}

Status MeasureStrings(const ColumnJob& job, const BatchRows& br, int64_t* sizes, bool validate,
                      int extra) {
  const ColumnVector& col = *job.col;
  const uint8_t* validity = Validity(col);
  const uint32_t* offsets = col.offsets().data();
  const size_t data_size = col.bytes().size();
  const char* data = reinterpret_cast<const char*>(col.bytes().data());
  for (int64_t k = 0; k < br.n; ++k) {
    const uint32_t r = br.rows[k];
    if (validity != nullptr && !validity[r]) {
      sizes[k] += 4;
      continue;
    }
    const uint32_t begin = offsets[r];
    const uint32_t end = offsets[r + 1];
    if (end < begin || end > data_size) {
      return RowError(job, br, r, "string offsets do not fit the column data",
                      StatusCode::kCorruption);
    }
    const size_t len = end - begin;
    if (len + extra > kMaxFieldBytes) {
      return RowError(job, br, r, fmt::format("value of {} bytes exceeds PostgreSQL's 1 GB", len));
    }
    if (validate) {
      const std::string_view text(data + begin, len);
      std::string problem = internal::TextProblem(text);
      if (problem.empty() && job.encoding == CopyEncoding::kJsonTextToJsonb) {
        problem = internal::JsonProblem(text);
        if (!problem.empty()) problem = "invalid JSON: " + problem;
      }
      if (!problem.empty()) return RowError(job, br, r, problem);
    }
    sizes[k] += 4 + extra + static_cast<int64_t>(len);
  }
  return Status::OK();
}

// 10^p for p <= 38 as UInt128 (the largest precision an Int128 decimal holds).
UInt128 Pow10(int p) {
  UInt128 v = 1;
  for (int i = 0; i < p; ++i) v *= 10;
  return v;
}

Status EncodeNumerics(const ColumnJob& job, const BatchRows& br, int64_t* sizes) {
  const ColumnVector& col = *job.col;
  const uint8_t* validity = Validity(col);
  const uint8_t* values = col.values().data();
  std::string& bytes = *job.var_bytes;
  PodVector<int32_t>& lens = *job.var_lens;
  bytes.resize(static_cast<size_t>(br.n) * internal::kMaxNumericBytes);
  lens.resize(br.n);
  auto* out = reinterpret_cast<uint8_t*>(bytes.data());
  size_t used = 0;
  if (job.encoding == CopyEncoding::kUInt64ToNumeric) {
    for (int64_t k = 0; k < br.n; ++k) {
      const uint32_t r = br.rows[k];
      if (validity != nullptr && !validity[r]) {
        lens[k] = -1;
        sizes[k] += 4;
        continue;
      }
      const size_t len = internal::EncodeNumeric(Load<uint64_t>(values, r), false, 0, out + used);
      used += len;
      lens[k] = static_cast<int32_t>(len);
      sizes[k] += 4 + static_cast<int64_t>(len);
    }
  } else {
    const int scale = col.type().scale;
    // Values wider than the target precision would fail the server's typmod check; catch them
    // here so the error names the row.
    const int precision =
        job.field->type.id == TypeId::kDecimal ? job.field->type.precision : col.type().precision;
    const bool check_precision = precision > 0 && precision <= 38;
    const UInt128 limit = check_precision ? Pow10(precision) : 0;
    for (int64_t k = 0; k < br.n; ++k) {
      const uint32_t r = br.rows[k];
      if (validity != nullptr && !validity[r]) {
        lens[k] = -1;
        sizes[k] += 4;
        continue;
      }
      const Int128 v = Load<Int128>(values, r);
      const bool negative = v < 0;
      const UInt128 mag =
          negative ? static_cast<UInt128>(0) - static_cast<UInt128>(v) : static_cast<UInt128>(v);
      if (check_precision && mag >= limit) {
        std::string text;
        internal::AppendDecimalText(v, scale, text);
        return RowError(job, br, r,
                        fmt::format("{} does not fit numeric({},{})", text, precision, scale));
      }
      const size_t len = internal::EncodeNumeric(mag, negative, scale, out + used);
      used += len;
      lens[k] = static_cast<int32_t>(len);
      sizes[k] += 4 + static_cast<int64_t>(len);
    }
  }
  bytes.resize(used);
  return Status::OK();
}

Status RenderNested(const ColumnJob& job, const BatchRows& br, int64_t* sizes) {
  const ColumnVector& col = *job.col;
  const uint8_t* validity = Validity(col);
  std::string& bytes = *job.var_bytes;
  PodVector<int32_t>& lens = *job.var_lens;
  bytes.clear();
  lens.resize(br.n);
  for (int64_t k = 0; k < br.n; ++k) {
    const uint32_t r = br.rows[k];
    if (validity != nullptr && !validity[r]) {
      lens[k] = -1;
      sizes[k] += 4;
      continue;
    }
    const size_t before = bytes.size();
    bytes.push_back('\x01');  // jsonb binary format version
    Status st = internal::AppendJsonValue(col, r, bytes);
    if (!st.ok()) return RowError(job, br, r, st.message(), st.code());
    const size_t len = bytes.size() - before;
    if (len > kMaxFieldBytes) {
      return RowError(job, br, r, fmt::format("JSON of {} bytes exceeds PostgreSQL's 1 GB", len));
    }
    lens[k] = static_cast<int32_t>(len);
    sizes[k] += 4 + static_cast<int64_t>(len);
  }
  return Status::OK();
}

Status Measure(const ColumnJob& job, const BatchRows& br, int64_t* sizes) {
  switch (job.encoding) {
    case CopyEncoding::kNull:
      for (int64_t k = 0; k < br.n; ++k) sizes[k] += 4;
      return Status::OK();
    case CopyEncoding::kBoolean:
      MeasureFixed(job, br, sizes, 1);
      return Status::OK();
    case CopyEncoding::kInt8ToInt2:
    case CopyEncoding::kInt16ToInt2:
    case CopyEncoding::kUInt8ToInt2:
      MeasureFixed(job, br, sizes, 2);
      return Status::OK();
    case CopyEncoding::kInt32ToInt4:
    case CopyEncoding::kUInt16ToInt4:
    case CopyEncoding::kFloat32ToFloat4:
      MeasureFixed(job, br, sizes, 4);
      return Status::OK();
    case CopyEncoding::kInt64ToInt8:
    case CopyEncoding::kUInt32ToInt8:
    case CopyEncoding::kFloat64ToFloat8:
      MeasureFixed(job, br, sizes, 8);
      return Status::OK();
    case CopyEncoding::kDate:
      LAKESYNC_RETURN_NOT_OK(CheckDates(job, br));
      MeasureFixed(job, br, sizes, 4);
      return Status::OK();
    case CopyEncoding::kTime:
      LAKESYNC_RETURN_NOT_OK(CheckTimes(job, br));
      MeasureFixed(job, br, sizes, 8);
      return Status::OK();
    case CopyEncoding::kTimestamp:
      LAKESYNC_RETURN_NOT_OK(CheckTimestamps(job, br));
      MeasureFixed(job, br, sizes, 8);
      return Status::OK();
    case CopyEncoding::kText:
      return MeasureStrings(job, br, sizes, /*validate=*/true, 0);
    case CopyEncoding::kJsonTextToJsonb:
      return MeasureStrings(job, br, sizes, /*validate=*/true, 1);
    case CopyEncoding::kBytea:
      return MeasureStrings(job, br, sizes, /*validate=*/false, 0);
    case CopyEncoding::kUInt64ToNumeric:
    case CopyEncoding::kDecimalToNumeric:
      return EncodeNumerics(job, br, sizes);
    case CopyEncoding::kNestedToJsonb:
      return RenderNested(job, br, sizes);
  }
  return Status::Internal("unhandled COPY encoding");
}

// ---- write: each field goes to pos[k] in its row, which then advances.

// Src is the stored type; Conv maps it to the unsigned big-endian payload of Width bytes.
template <typename Src, typename Conv>
void WriteFixed(const ColumnJob& job, const BatchRows& br, uint8_t* out, int64_t* pos, Conv conv) {
  using Payload = decltype(conv(Src{}));
  constexpr uint32_t kWidth = sizeof(Payload);
  const uint8_t* validity = Validity(*job.col);
  const uint8_t* values = job.col->values().data();
  for (int64_t k = 0; k < br.n; ++k) {
    const uint32_t r = br.rows[k];
    uint8_t* p = out + pos[k];
    if (validity != nullptr && !validity[r]) {
      StoreNull(p);
      pos[k] += 4;
      continue;
    }
    StoreBE<uint32_t>(p, kWidth);
    StoreBE<Payload>(p + 4, conv(Load<Src>(values, r)));
    pos[k] += 4 + kWidth;
  }
}

template <TimeUnit kUnit>
int64_t MicrosOf(int64_t v) {
  if constexpr (kUnit == TimeUnit::kMillis) {
    return v * 1000;  // overflow excluded by the range check
  } else if constexpr (kUnit == TimeUnit::kMicros) {
    return v;
  } else {
    int64_t q = v / 1000;
    if (v % 1000 < 0) --q;
    return q;
  }
}

template <TimeUnit kUnit>
void WriteTimestamps(const ColumnJob& job, const BatchRows& br, uint8_t* out, int64_t* pos) {
  WriteFixed<int64_t>(job, br, out, pos, [](int64_t v) {
    return static_cast<uint64_t>(MicrosOf<kUnit>(v) - kPgEpochUnixMicros);
  });
}

template <TimeUnit kUnit>
void WriteTimes(const ColumnJob& job, const BatchRows& br, uint8_t* out, int64_t* pos) {
  WriteFixed<int64_t>(job, br, out, pos,
                      [](int64_t v) { return static_cast<uint64_t>(MicrosOf<kUnit>(v)); });
}

void WriteStrings(const ColumnJob& job, const BatchRows& br, uint8_t* out, int64_t* pos,
                  bool jsonb) {
  const ColumnVector& col = *job.col;
  const uint8_t* validity = Validity(col);
  const uint32_t* offsets = col.offsets().data();
  const uint8_t* data = col.bytes().data();
  const uint32_t extra = jsonb ? 1 : 0;
  for (int64_t k = 0; k < br.n; ++k) {
    const uint32_t r = br.rows[k];
    uint8_t* p = out + pos[k];
    if (validity != nullptr && !validity[r]) {
      StoreNull(p);
      pos[k] += 4;
      continue;
    }
    const uint32_t begin = offsets[r];
    const uint32_t len = offsets[r + 1] - begin;
    StoreBE<uint32_t>(p, len + extra);
    if (jsonb) p[4] = 1;
    if (len != 0) std::memcpy(p + 4 + extra, data + begin, len);
    pos[k] += 4 + extra + len;
  }
}

void WritePreEncoded(const ColumnJob& job, const BatchRows& br, uint8_t* out, int64_t* pos) {
  const char* src = job.var_bytes->data();
  const int32_t* lens = job.var_lens->data();
  for (int64_t k = 0; k < br.n; ++k) {
    uint8_t* p = out + pos[k];
    const int32_t len = lens[k];
    if (len < 0) {
      StoreNull(p);
      pos[k] += 4;
      continue;
    }
    StoreBE<uint32_t>(p, static_cast<uint32_t>(len));
    std::memcpy(p + 4, src, len);
    src += len;
    pos[k] += 4 + len;
  }
}

void Write(const ColumnJob& job, const BatchRows& br, uint8_t* out, int64_t* pos) {
  switch (job.encoding) {
    case CopyEncoding::kNull:
      for (int64_t k = 0; k < br.n; ++k) {
        StoreNull(out + pos[k]);
        pos[k] += 4;
      }
      return;
    case CopyEncoding::kBoolean:
      WriteFixed<uint8_t>(job, br, out, pos,
                          [](uint8_t v) { return static_cast<uint8_t>(v != 0 ? 1 : 0); });
      return;
    case CopyEncoding::kInt8ToInt2:
      WriteFixed<int8_t>(job, br, out, pos, [](int8_t v) { return static_cast<uint16_t>(v); });
      return;
    case CopyEncoding::kInt16ToInt2:
      WriteFixed<int16_t>(job, br, out, pos, [](int16_t v) { return static_cast<uint16_t>(v); });
      return;
    case CopyEncoding::kUInt8ToInt2:
      WriteFixed<uint8_t>(job, br, out, pos, [](uint8_t v) { return static_cast<uint16_t>(v); });
      return;
    case CopyEncoding::kInt32ToInt4:
      WriteFixed<int32_t>(job, br, out, pos, [](int32_t v) { return static_cast<uint32_t>(v); });
      return;
    case CopyEncoding::kUInt16ToInt4:
      WriteFixed<uint16_t>(job, br, out, pos, [](uint16_t v) { return static_cast<uint32_t>(v); });
      return;
    case CopyEncoding::kInt64ToInt8:
      WriteFixed<int64_t>(job, br, out, pos, [](int64_t v) { return static_cast<uint64_t>(v); });
      return;
    case CopyEncoding::kUInt32ToInt8:
      WriteFixed<uint32_t>(job, br, out, pos, [](uint32_t v) { return static_cast<uint64_t>(v); });
      return;
    case CopyEncoding::kFloat32ToFloat4:
      WriteFixed<float>(job, br, out, pos, [](float v) { return std::bit_cast<uint32_t>(v); });
      return;
    case CopyEncoding::kFloat64ToFloat8:
      WriteFixed<double>(job, br, out, pos, [](double v) { return std::bit_cast<uint64_t>(v); });
      return;
    case CopyEncoding::kDate:
      WriteFixed<int32_t>(job, br, out, pos, [](int32_t v) {
        return static_cast<uint32_t>(static_cast<int32_t>(v - kPgEpochUnixDays));
      });
      return;
    case CopyEncoding::kTime:
      switch (job.col->type().unit) {
        case TimeUnit::kMillis:
          return WriteTimes<TimeUnit::kMillis>(job, br, out, pos);
        case TimeUnit::kMicros:
          return WriteTimes<TimeUnit::kMicros>(job, br, out, pos);
        case TimeUnit::kNanos:
          return WriteTimes<TimeUnit::kNanos>(job, br, out, pos);
      }
      return;
    case CopyEncoding::kTimestamp:
      switch (job.col->type().unit) {
        case TimeUnit::kMillis:
          return WriteTimestamps<TimeUnit::kMillis>(job, br, out, pos);
        case TimeUnit::kMicros:
          return WriteTimestamps<TimeUnit::kMicros>(job, br, out, pos);
        case TimeUnit::kNanos:
          return WriteTimestamps<TimeUnit::kNanos>(job, br, out, pos);
      }
      return;
    case CopyEncoding::kText:
    case CopyEncoding::kBytea:
      WriteStrings(job, br, out, pos, /*jsonb=*/false);
      return;
    case CopyEncoding::kJsonTextToJsonb:
      WriteStrings(job, br, out, pos, /*jsonb=*/true);
      return;
    case CopyEncoding::kUInt64ToNumeric:
    case CopyEncoding::kDecimalToNumeric:
    case CopyEncoding::kNestedToJsonb:
      WritePreEncoded(job, br, out, pos);
      return;
  }
}

// The batch column's type must land in the target column's PostgreSQL type.
bool Compatible(const PgType& source, const DataType& source_type, const PgType& target,
                const DataType& target_type) {
  if (source.name == target.name) return true;
  return source.encoding == CopyEncoding::kDecimalToNumeric &&
         target.encoding == CopyEncoding::kDecimalToNumeric &&
         source_type.scale == target_type.scale && source_type.precision <= target_type.precision;
}

// Checks that the column's buffers cover `num_rows` rows, so the loops need no bounds checks.
Status CheckShape(const ColumnVector& col, const Field& field, int64_t num_rows) {
  auto bad = [&](std::string_view what) {
    return Status::Corruption("column \"{}\": {} (batch of {} rows)", field.name, what, num_rows);
  };
  if (col.length() < num_rows) return bad(fmt::format("only {} rows", col.length()));
  if (!col.validity().empty() && col.validity().size() < static_cast<size_t>(num_rows)) {
    return bad("validity shorter than the batch");
  }
  const DataType& t = col.type();
  if (t.id == TypeId::kNull || t.IsNested()) return Status::OK();
  if (t.IsVarLength()) {
    if (num_rows > 0 && col.offsets().size() < static_cast<size_t>(num_rows) + 1) {
      return bad("offsets shorter than the batch");
    }
    return Status::OK();
  }
  if (col.values().size() < static_cast<size_t>(num_rows) * t.ValueWidth()) {
    return bad("values shorter than the batch");
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<CopyBinaryEncoder>> CopyBinaryEncoder::Make(std::vector<Field> fields) {
  if (fields.empty()) return Status::InvalidArgument("COPY needs at least one column");
  if (fields.size() > static_cast<size_t>(kMaxColumns)) {
    return Status::InvalidArgument("COPY of {} columns exceeds PostgreSQL's {}", fields.size(),
                                   kMaxColumns);
  }
  std::vector<PgType> types;
  types.reserve(fields.size());
  for (size_t i = 0; i < fields.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (fields[j].name == fields[i].name) {
        return Status::InvalidArgument("COPY names column \"{}\" twice", fields[i].name);
      }
    }
  }
  for (const Field& f : fields) {
    auto t = MapType(f.type);
    if (!t.ok()) return t.status().WithContext(fmt::format("column \"{}\"", f.name));
    types.push_back(std::move(t).value());
  }
  std::unique_ptr<CopyBinaryEncoder> enc(
      new CopyBinaryEncoder(std::move(fields), std::move(types)));
  enc->var_bytes_.resize(enc->fields_.size());
  enc->var_lens_.resize(enc->fields_.size());
  return enc;
}

void CopyBinaryEncoder::AppendHeader() {
  const size_t at = buffer_.size();
  buffer_.resize(at + sizeof(kSignature) + 8);
  std::memcpy(buffer_.data() + at, kSignature, sizeof(kSignature));
  StoreBE<uint32_t>(buffer_.data() + at + 11, 0);  // flags: no OIDs
  StoreBE<uint32_t>(buffer_.data() + at + 15, 0);  // header extension length
}

void CopyBinaryEncoder::AppendTrailer() {
  const size_t at = buffer_.size();
  buffer_.resize(at + 2);
  StoreBE<uint16_t>(buffer_.data() + at, 0xFFFF);
}

Status CopyBinaryEncoder::AppendBatch(const ColumnBatch& batch, const RowDescriber& describe_row) {
  return AppendRows(batch, 0, batch.num_selected(), describe_row);
}

Status CopyBinaryEncoder::AppendRows(const ColumnBatch& batch, int64_t begin, int64_t end,
                                     const RowDescriber& describe_row) {
  if (begin < 0 || end < begin || end > batch.num_selected()) {
    return Status::InvalidArgument("rows [{}, {}) of a batch with {} selected rows", begin, end,
                                   batch.num_selected());
  }
  if (batch.num_rows < 0 || batch.num_rows > static_cast<int64_t>(UINT32_MAX)) {
    return Status::InvalidArgument("batch of {} rows", batch.num_rows);
  }
  if (batch.columns.size() != batch.schema.size()) {
    return Status::Corruption("batch has {} columns for {} fields", batch.columns.size(),
                              batch.schema.size());
  }

  // Resolve and check each target column once for the whole batch.
  std::vector<ColumnJob> jobs(fields_.size());
  for (size_t j = 0; j < fields_.size(); ++j) {
    const Field& field = fields_[j];
    const int idx = batch.FieldIndex(field.name);
    if (idx < 0) return Status::InvalidArgument("batch has no column \"{}\"", field.name);
    const ColumnVector& col = batch.columns[idx];
    auto source = MapType(col.type());
    if (!source.ok()) return source.status().WithContext(fmt::format("column \"{}\"", field.name));
    if (!Compatible(*source, col.type(), types_[j], field.type)) {
      return Status::InvalidArgument("column \"{}\" is {} ({}) but the target column is {}",
                                     field.name, col.type().ToString(), source->name,
                                     types_[j].name);
    }
    LAKESYNC_RETURN_NOT_OK(CheckShape(col, field, batch.num_rows));
    jobs[j] = ColumnJob{&field, &types_[j], &col, source->encoding, &var_bytes_[j], &var_lens_[j]};
  }

  const uint32_t* rows;
  const int64_t n = end - begin;
  if (batch.selection.has_value()) {
    rows = batch.selection->data() + begin;
    for (int64_t k = 0; k < n; ++k) {
      if (rows[k] >= batch.num_rows) {
        return Status::Corruption("selection names row {} of a {}-row batch", rows[k],
                                  batch.num_rows);
      }
    }
  } else {
    if (static_cast<int64_t>(all_rows_.size()) < end) {
      all_rows_.resize(end);
      std::iota(all_rows_.begin(), all_rows_.end(), 0u);
    }
    rows = all_rows_.data() + begin;
  }
  if (n == 0) return Status::OK();
  const BatchRows br{rows, n, &describe_row};

  // Pass 1: sizes of every row (and every check) before the buffer changes.
  positions_.resize(n);
  int64_t* pos = positions_.data();
  std::fill(pos, pos + n, int64_t{2});  // the field count
  for (const ColumnJob& job : jobs) LAKESYNC_RETURN_NOT_OK(Measure(job, br, pos));

  // Row starts, each row's field count, then pass 2: every column writes its fields.
  const size_t base = buffer_.size();
  int64_t total = 0;
  for (int64_t k = 0; k < n; ++k) {
    const int64_t size = pos[k];
    pos[k] = static_cast<int64_t>(base) + total;
    total += size;
  }
  buffer_.resize(base + static_cast<size_t>(total));
  uint8_t* out = buffer_.data();
  const auto ncols = static_cast<uint16_t>(fields_.size());
  for (int64_t k = 0; k < n; ++k) {
    StoreBE<uint16_t>(out + pos[k], ncols);
    pos[k] += 2;
  }
  for (const ColumnJob& job : jobs) Write(job, br, out, pos);
  rows_encoded_ += n;
  return Status::OK();
}

}  // namespace lakesync::pg
