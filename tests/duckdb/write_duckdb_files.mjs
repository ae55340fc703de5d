#!/usr/bin/env node
// Writes Parquet files with DuckDB's own writer, one per codec and format version, for the
// cross-check: DuckDB's v2 files use encodings the shared tables and deltagen lack
// (DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, BYTE_STREAM_SPLIT, DATA_PAGE_V2), and the
// table covers unsigned integers, decimals on INT32/INT64/FIXED_LEN_BYTE_ARRAY, UUID,
// nanosecond and millisecond timestamps, NaN and infinities, nested lists, structs and maps,
// with nulls at every level and several row groups.
//   node tests/duckdb/write_duckdb_files.mjs OUT_DIR
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const out = process.argv[2];
if (!out) {
  console.error('usage: write_duckdb_files.mjs OUT_DIR');
  process.exit(2);
}
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });

// Null when i % k == 0, so each column has nulls at its own rows.
const n = (k, expr) => `CASE WHEN i % ${k} = 0 THEN NULL ELSE ${expr} END`;
const select = `
SELECT
  i::INTEGER AS id,
  ${n(11, 'i % 2 = 0')} AS flag,
  ${n(13, '(i % 256 - 128)::TINYINT')} AS i8,
  ${n(17, '(i * 7 % 65536 - 32768)::SMALLINT')} AS i16,
  ${n(19, '(i * 2654435761 % 4294967296 - 2147483648)::INTEGER')} AS i32,
  ${n(23, 'CASE WHEN i = 1 THEN -9223372036854775808 WHEN i = 2 THEN 9223372036854775807 ELSE (i::HUGEINT * 6364136223846793005) % 9223372036854775807 END::BIGINT')} AS i64,
  ${n(29, '(i % 256)::UTINYINT')} AS u8,
  ${n(31, '(i * 40503 % 65536)::USMALLINT')} AS u16,
  ${n(37, '(i * 2654435761 % 4294967296)::UINTEGER')} AS u32,
  ${n(41, 'CASE WHEN i = 1 THEN 18446744073709551615 ELSE i::HUGEINT * 11400714819323198485 % 18446744073709551616 END::UBIGINT')} AS u64,
  ${n(43, "CASE i % 50 WHEN 1 THEN 'nan'::FLOAT WHEN 2 THEN 'inf'::FLOAT WHEN 3 THEN '-inf'::FLOAT WHEN 4 THEN -0.0::FLOAT ELSE (i * 1.1 - 700)::FLOAT / 3 END")} AS f32,
  ${n(47, "CASE i % 60 WHEN 1 THEN 'nan'::DOUBLE WHEN 2 THEN 'inf'::DOUBLE WHEN 3 THEN 1e300 WHEN 4 THEN 5e-324 ELSE (i * 1.1 - 700)::DOUBLE / 7 END")} AS f64,
  ${n(53, '(((i * 37) % 20000 - 10000) / 100)::DECIMAL(4,2)')} AS dec4_2,
  ${n(59, '(((i * 7919) % 2000000 - 1000000)::DECIMAL(18,6) / 1000 + 0.000001)::DECIMAL(18,6)')} AS dec18_6,
  ${n(61, "('-12345678901234567890.1234567890'::DECIMAL(38,10) * ((i % 5) - 2) + i)")} AS dec38_10,
  ${n(67, "CASE i % 6 WHEN 0 THEN '' WHEN 1 THEN 'caf\u00e9 \u{1F600}' WHEN 2 THEN 'quote \" back \\\\ nl ' || chr(10) || ' tab ' || chr(9) || ' bell ' || chr(7) ELSE 'row ' || i::VARCHAR END")} AS s,
  ${n(71, "CASE WHEN i % 3 = 0 THEN ''::BLOB ELSE ('\\x00\\xFF' || i::VARCHAR)::BLOB END")} AS b,
  ${n(73, "md5(i::VARCHAR)::UUID")} AS u,
  ${n(79, "DATE '1970-01-01' + ((i * 97) % 800000 - 400000)::INTEGER")} AS d,
  ${n(83, "TIME '00:00:00' + to_microseconds((i * 1234567891) % 86400000000)")} AS t,
  ${n(89, "TIMESTAMP '1970-01-01' + to_microseconds((i * 987654321987) % 4000000000000000 - 2000000000000000)")} AS ts,
  ${n(97, "(TIMESTAMP '2000-01-01' + to_microseconds(i * 3600000123))::TIMESTAMPTZ")} AS tstz,
  ${n(101, "make_timestamp_ns(1700000000000000000 + i * 123456789)")} AS tsns,
  ${n(103, "(TIMESTAMP '1999-12-31 23:00:00' + to_milliseconds(i * 1001))::TIMESTAMP_MS")} AS tsms,
  ${n(7, "CASE WHEN i % 5 = 0 THEN []::INTEGER[] ELSE [i, NULL, -i] END")} AS ints,
  ${n(9, "[['a' || i::VARCHAR, NULL], NULL, []]")} AS nested_strings,
  ${n(5, "{'x': i, 'y': CASE WHEN i % 2 = 0 THEN NULL ELSE ['p', 'q'] END, 'z': {'w': i::DOUBLE / 4}}")} AS st,
  ${n(8, "MAP {'k' || (i % 3)::VARCHAR: i, 'other': NULL}")} AS m,
  ${n(10, "MAP {i: [i::DECIMAL(10,2) / 8]}")} AS m_int_key,
  ${n(12, "[{'a': i, 'b': 'x'}, NULL]")} AS list_of_structs
FROM range(0, 3000) r(i)`;

const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
const connection = await instance.connect();
const written = [];
for (const codec of ['uncompressed', 'snappy', 'gzip', 'zstd', 'lz4_raw', 'brotli']) {
  for (const version of ['v1', 'v2']) {
    const file = path.join(out, `duckdb-${codec}-${version}.parquet`);
    await connection.run(
      `COPY (${select}) TO '${file}' (FORMAT parquet, COMPRESSION ${codec}, ` +
        `PARQUET_VERSION ${version}, ROW_GROUP_SIZE 1024)`,
    );
    written.push(file);
  }
}
console.log(`wrote ${written.length} files to ${out}`);
