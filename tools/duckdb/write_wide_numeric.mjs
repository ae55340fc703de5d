#!/usr/bin/env node
// Writes the wide numeric benchmark file of bench/parquet_vs_duckdb.sh with DuckDB's Parquet
// writer (COPY TO): ROWS rows x 64 columns of INT32, INT64, FLOAT, DOUBLE and DECIMAL
// (on INT32, INT64 and FIXED_LEN_BYTE_ARRAY), a quarter of them nullable (about 5% nulls),
// snappy, row groups of 500,000 rows. Low-cardinality columns come out dictionary-encoded,
// high-cardinality ones PLAIN (DuckDB's writer decides per column chunk), so both paths are
// measured. The values are a pure function of the row number: the same ROWS give the same file.
//
//   node tools/duckdb/write_wide_numeric.mjs OUT.parquet [--rows N]
import { DuckDBInstance } from '@duckdb/node-api';

function sqlString(s) {
  return "'" + s.replaceAll("'", "''") + "'";
}

// 64 column expressions over the row number `i`, named c00..c63.
function columns() {
  const kinds = [
    // [SQL type, expression of a pseudo-random uint64 h]
    ['INTEGER', (h) => `(${h} % 1000)::INTEGER`],                    // dictionary
    ['INTEGER', (h) => `(${h} % 2000000000)::INTEGER - 1000000000`], // plain
    ['BIGINT', (h) => `(${h} % 5000)::BIGINT`],                      // dictionary
    ['BIGINT', (h) => `(${h} >> 1)::BIGINT`],                        // plain
    ['FLOAT', (h) => `((${h} % 100000) / 7.0)::FLOAT`],
    ['DOUBLE', (h) => `(${h} % 1000) / 4.0`],                        // dictionary
    ['DOUBLE', (h) => `(${h} >> 11)::DOUBLE / 9007199254740992.0`],  // plain
    ['DECIMAL(9,2)', (h) => `((${h} % 100000000) / 100.0)::DECIMAL(9,2)`],
    ['DECIMAL(18,4)', (h) => `((${h} % 100000000000000) / 10000.0)::DECIMAL(18,4)`],
  ];
  const out = [];
  for (let k = 0; k < 64; ++k) {
    let kind = kinds[k % kinds.length];
    // Two columns of 38-digit decimals (FIXED_LEN_BYTE_ARRAY in DuckDB's files).
    if (k === 62 || k === 63) {
      kind = ['DECIMAL(38,6)', (h) => `((${h} % 1000000000000) / 1000000.0)::DECIMAL(38,6)`];
    }
    const h = `hash(i * 64 + ${k})`;
    let expr = kind[1](h);
    if (k % 4 === 3) expr = `CASE WHEN hash(i, ${k}) % 20 = 0 THEN NULL ELSE ${expr} END`;
    out.push(`(${expr})::${kind[0]} AS c${String(k).padStart(2, '0')}`);
  }
  return out;
}

async function main() {
  const args = process.argv.slice(2);
  let out = null;
  let rows = 2000000;
  for (let i = 0; i < args.length; ++i) {
    if (args[i] === '--rows') rows = Number(args[++i]);
    else out = args[i];
  }
  if (!out || !(rows > 0)) {
    console.error('usage: write_wide_numeric.mjs OUT.parquet [--rows N]');
    process.exit(2);
  }
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const select = `SELECT ${columns().join(', ')} FROM range(${rows}) t(i)`;
  await connection.run(
      `COPY (${select}) TO ${sqlString(out)} ` +
      `(FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 500000)`);
  console.log(`wrote ${out}: ${rows} rows x 64 columns`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
