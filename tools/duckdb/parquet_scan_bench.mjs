#!/usr/bin/env node
// The DuckDB side of bench/parquet_vs_duckdb.sh: scans a Parquet file single-threaded
// (SET threads=1) with one aggregate per column, so that every value of every column is
// decoded, and prints the best wall time of the query alone.
//
//   node tools/duckdb/parquet_scan_bench.mjs FILE [--repeat N] [--show-sql]
//
// Output, one line: `duckdb rows=R seconds=S rows_per_s=X cpu_seconds=C cpu_rows_per_s=Y`
// (best wall time and best CPU time of the N runs; the CPU time is the whole process's, user +
// system, which while the query runs is DuckDB's one worker thread).
// Aggregates by type: numbers and decimals SUM, strings and blobs MIN(length()) and
// COUNT, booleans COUNT_IF, dates/times/timestamps MAX; nested columns COUNT of their JSON
// text length is not used (the benchmark files are flat).
import { DuckDBInstance } from '@duckdb/node-api';

function sqlString(s) {
  return "'" + s.replaceAll("'", "''") + "'";
}

function sqlIdentifier(s) {
  return '"' + s.replaceAll('"', '""') + '"';
}

// One or two aggregates that read every value of a column of DuckDB type `type`.
function aggregatesFor(name, type) {
  const c = sqlIdentifier(name);
  const t = type.toUpperCase();
  if (t === 'VARCHAR' || t === 'BLOB') return [`MIN(length(${c}))`, `COUNT(${c})`];
  if (t === 'BOOLEAN') return [`COUNT_IF(${c})`, `COUNT(${c})`];
  if (/^(DATE|TIME|TIMESTAMP)/.test(t)) return [`MAX(${c})`, `COUNT(${c})`];
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL)/.test(t)) {
    return [`SUM(${c})`, `COUNT(${c})`];
  }
  return [`COUNT(${c})`];
}

async function main() {
  const args = process.argv.slice(2);
  let file = null;
  let repeat = 3;
  let showSql = false;
  for (let i = 0; i < args.length; ++i) {
    if (args[i] === '--repeat') repeat = Number(args[++i]);
    else if (args[i] === '--show-sql') showSql = true;
    else file = args[i];
  }
  if (!file || !(repeat >= 1)) {
    console.error('usage: parquet_scan_bench.mjs FILE [--repeat N] [--show-sql]');
    process.exit(2);
  }
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  await connection.run('SET threads=1');
  const source = `read_parquet(${sqlString(file)})`;
  const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
  const aggregates = [];
  for (const row of described.getRowObjects()) {
    aggregates.push(...aggregatesFor(String(row.column_name), String(row.column_type)));
  }
  const sql = `SELECT COUNT(*), ${aggregates.join(', ')} FROM ${source}`;
  if (showSql) console.error(sql);
  let best = Infinity;
  let bestCpu = Infinity;
  let rows = 0;
  for (let r = 0; r < repeat; ++r) {
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    const result = await connection.runAndReadAll(sql);
    const cpu = process.cpuUsage(cpuStart);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    rows = Number(result.getRows()[0][0]);
    best = Math.min(best, seconds);
    bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1e6);
  }
  console.log(
      `duckdb rows=${rows} seconds=${best.toFixed(4)} rows_per_s=${Math.round(rows / best)} ` +
      `cpu_seconds=${bestCpu.toFixed(4)} cpu_rows_per_s=${Math.round(rows / bestCpu)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
