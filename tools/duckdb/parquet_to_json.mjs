#!/usr/bin/env node
// Dumps a Parquet file as canonical JSON (README.md, "Canonical JSON"), one object per row,
// with DuckDB (@duckdb/node-api) as the reader: an independent reference for
// `lakesync parquet cat`. The rendering works from DuckDB's raw values (days, micros, unscaled
// decimals, bytes), typed by the result's column types, so that it does not lean on either
// side's text formatting.
//
//   node tools/duckdb/parquet_to_json.mjs FILE [--columns a,b] [--limit N]
//
// As a module: openDuckDB(), dumpParquet(connection, file, {columns, limit}) -> async
// iterator of lines, renderValue(type, value) and helpers used by tests/duckdb.
import { DuckDBInstance, DuckDBTypeId } from '@duckdb/node-api';
import { pathToFileURL } from 'node:url';

// ---- text helpers (the same rules as src/lakesync/common/canonical_json.cc, written anew)

function pad(n, width) {
  return String(n).padStart(width, '0');
}

function yearText(y) {
  if (y >= 0 && y <= 9999) return pad(y, 4);
  return y < 0 ? '-' + pad(-y, 4) : '+' + String(y);
}

// Civil date of `days` since 1970-01-01 (proleptic Gregorian, astronomical years), computed
// through the Julian Day Number with the Fliegel-Van Flandern formulas, unlike the C++ side.
function civilFromDays(days) {
  const jdn = BigInt(days) + 2440588n;
  const fdiv = (a, b) => {
    const q = a / b;
    return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
  };
  const a = jdn + 32044n;
  const b = fdiv(4n * a + 3n, 146097n);
  const c = a - fdiv(146097n * b, 4n);
  const d = fdiv(4n * c + 3n, 1461n);
  const e = c - fdiv(1461n * d, 4n);
  const m = fdiv(5n * e + 2n, 153n);
  const day = e - fdiv(153n * m + 2n, 5n) + 1n;
  const month = m + 3n - 12n * fdiv(m, 10n);
  const year = 100n * b + d - 4800n + fdiv(m, 10n);
  return [Number(year), Number(month), Number(day)];
}

function dateText(days) {
  const [y, m, d] = civilFromDays(days);
  return `${yearText(y)}-${pad(m, 2)}-${pad(d, 2)}`;
}

// `ticks` (BigInt) since midnight at `perSecond` ticks per second, printed with `digits`
// fraction digits.
function clockText(ticks, perSecond, digits) {
  let sign = '';
  if (ticks < 0n) {
    sign = '-';
    ticks = -ticks;
  }
  const secs = ticks / perSecond;
  let frac = ticks % perSecond;
  const scaleUp = 10n ** BigInt(digits) / perSecond;  // millis printed with 6 digits
  frac *= scaleUp;
  return `${sign}${pad(secs / 3600n, 2)}:${pad((secs / 60n) % 60n, 2)}:${pad(secs % 60n, 2)}.${pad(frac, digits)}`;
}

function timestampText(ticks, perSecond, digits, utc) {
  const perDay = perSecond * 86400n;
  let days = ticks / perDay;
  let ofDay = ticks % perDay;
  if (ofDay < 0n) {
    ofDay += perDay;
    days -= 1n;
  }
  return `${dateText(days)}T${clockText(ofDay, perSecond, digits)}${utc ? 'Z' : ''}`;
}

function decimalText(unscaled, scale) {
  const negative = unscaled < 0n;
  let digits = (negative ? -unscaled : unscaled).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = digits.slice(0, digits.length - scale) + '.' + digits.slice(digits.length - scale);
  }
  return (negative ? '-' : '') + digits;
}

function doubleText(x) {
  if (Number.isNaN(x)) return '"NaN"';
  if (x === Infinity) return '"Infinity"';
  if (x === -Infinity) return '"-Infinity"';
  if (Object.is(x, -0)) return '-0';
  return String(x);  // ECMAScript's Number::toString is the shortest round-trip text
}

// |N * 10^K - x| scaled by a positive factor common to all candidates of one (K, x): exact,
// with x = M * 2^E taken from the float's bits.
function distance(N, K, M, E) {
  const two = E < 0 ? 1n : 2n ** BigInt(E);
  const ten = K < 0 ? 1n : 10n ** BigInt(K);
  const d = N * ten * (E < 0 ? 2n ** BigInt(-E) : 1n) - M * two * (K < 0 ? 10n ** BigInt(-K) : 1n);
  return d < 0n ? -d : d;
}

// Shortest decimal that reads back (as float32) to the same float; of two shortest ones the
// closer to the float's exact value, and on an exact tie the one with the even last digit
// (what the C++ side's fmt prints).
function floatText(x) {
  if (!Number.isFinite(x) || x === 0) return doubleText(x);
  const sign = x < 0 ? '-' : '';
  const a = Math.abs(x);
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, a);
  const bits = view.getUint32(0);
  const biased = bits >>> 23;
  const fraction = bits & 0x7fffff;
  const M = BigInt(biased === 0 ? fraction : fraction | 0x800000);
  const E = (biased === 0 ? 1 : biased) - 127 - 23;
  for (let p = 1; p <= 9; ++p) {
    const [digits, exp] = a.toExponential(p - 1).split('e');
    const N = BigInt(digits.replace('.', ''));
    const K = Number(exp) - (p - 1);
    let best = null;
    for (const n of [N - 1n, N, N + 1n]) {
      if (n <= 0n || Math.fround(Number(`${n}e${K}`)) !== a) continue;
      const d = distance(n, K, M, E);
      if (best === null || d < best.d || (d === best.d && n % 2n === 0n)) best = { n, d };
    }
    if (best) return sign + String(Number(`${best.n}e${K}`));
  }
  return sign + String(a);
}

function uuidText(uint128) {
  const hex = uint128.toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const q = (s) => JSON.stringify(s);

// ---- values

// How lakesync types INT96 (Spark's legacy timestamps): see LeafDataType in
// src/lakesync/parquet/schema.cc (kTimestamp, microseconds, adjusted to UTC). DuckDB reads INT96
// as a plain TIMESTAMP (no zone), so those values get the UTC marker here.
const INT96_AS = { perSecond: 1000000n, digits: 6, utc: true };

// Where a value sits, to tell INT96 leaves apart: `int96` holds "top\0leaf" for each INT96
// leaf (top-level column and leaf name); inside lists and maps the leaf name is '*'.
const NO_CONTEXT = { int96: new Set(), top: '', name: '' };

function isInt96(ctx) {
  if (ctx.int96.size === 0) return false;
  if (ctx.name === '*') {
    for (const k of ctx.int96) if (k.startsWith(ctx.top + '\0')) return true;
    return false;
  }
  return ctx.int96.has(ctx.top + '\0' + ctx.name);
}

/** Canonical JSON text of one DuckDB value of DuckDB type `type`. */
export function renderValue(type, v, ctx = NO_CONTEXT) {
  if (v === null || v === undefined) return 'null';
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return v ? 'true' : 'false';
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return String(v);
    case DuckDBTypeId.FLOAT:
      return floatText(v);
    case DuckDBTypeId.DOUBLE:
      return doubleText(v);
    case DuckDBTypeId.DECIMAL:
      return q(decimalText(v.value, type.scale));
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.ENUM:
      return q(String(v));
    case DuckDBTypeId.BLOB:
      return q(Buffer.from(v.bytes).toString('base64'));
    case DuckDBTypeId.UUID:
      return q(uuidText(v.toUint128()));
    case DuckDBTypeId.DATE:
      return q(dateText(v.days));
    case DuckDBTypeId.TIME:
      return q(clockText(v.micros, 1000000n, 6));
    case DuckDBTypeId.TIME_NS:
      return q(clockText(v.nanos, 1000000000n, 9));
    case DuckDBTypeId.TIME_TZ:
      // Parquet TIME with isAdjustedToUTC; canonical times carry no zone (offset is 0 here).
      return q(clockText(v.micros, 1000000n, 6) + (v.offset === 0 ? '' : `@${v.offset}`));
    case DuckDBTypeId.TIMESTAMP:
      if (isInt96(ctx)) {
        const ticks = (v.micros * INT96_AS.perSecond) / 1000000n;
        return q(timestampText(ticks, INT96_AS.perSecond, INT96_AS.digits, INT96_AS.utc));
      }
      return q(timestampText(v.micros, 1000000n, 6, false));
    case DuckDBTypeId.TIMESTAMP_TZ:
      return q(timestampText(v.micros, 1000000n, 6, true));
    case DuckDBTypeId.TIMESTAMP_MS:
      return q(timestampText(v.millis, 1000n, 6, false));
    case DuckDBTypeId.TIMESTAMP_S:
      return q(timestampText(v.seconds, 1n, 6, false));
    case DuckDBTypeId.TIMESTAMP_NS:
      return q(timestampText(v.nanos, 1000000000n, 9, false));
    case DuckDBTypeId.INTERVAL: {
      // Parquet INTERVAL is FIXED_LEN_BYTE_ARRAY(12): months, days, millis (little-endian
      // uint32); canonical JSON prints fixed-length bytes as base64, so rebuild them.
      const b = Buffer.alloc(12);
      b.writeUInt32LE(v.months >>> 0, 0);
      b.writeUInt32LE(v.days >>> 0, 4);
      b.writeUInt32LE(Number(BigInt.asUintN(32, v.micros / 1000n)), 8);
      return q(b.toString('base64'));
    }
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
    {
      const inner = { ...ctx, name: '*' };
      return '[' + v.items.map((item) => renderValue(type.valueType, item, inner)).join(',') + ']';
    }
    case DuckDBTypeId.STRUCT:
      return (
        '{' +
        type.entryNames
          .map(
            (name, i) =>
              q(name) +
              ':' +
              renderValue(type.entryTypes[i], v.entries[name], ctx.name === '*' ? ctx : { ...ctx, name }),
          )
          .join(',') +
        '}'
      );
    case DuckDBTypeId.MAP:
      return (
        '{' +
        v.entries
          .map(({ key, value }) => {
            const inner = { ...ctx, name: '*' };
            const k = renderValue(type.keyType, key, inner);
            return (k.startsWith('"') ? k : q(k)) + ':' + renderValue(type.valueType, value, inner);
          })
          .join(',') +
        '}'
      );
    case DuckDBTypeId.SQLNULL:
      return 'null';
    default:
      throw new Error(`no canonical form for DuckDB type ${type.toString()}`);
  }
}

// ---- files

export async function openDuckDB() {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  // The footer is read twice per file (parquet_schema, then read_parquet).
  await connection.run('SET parquet_metadata_cache = true');
  return connection;
}

function sqlString(s) {
  return "'" + s.replaceAll("'", "''") + "'";
}

function sqlIdentifier(s) {
  return '"' + s.replaceAll('"', '""') + '"';
}

// "top\0leaf" for each INT96 leaf of the file (from its footer, depth-first with child counts).
async function int96Leaves(connection, file) {
  const reader = await connection.runAndReadAll(
    `SELECT name, type, num_children FROM parquet_schema(${sqlString(file)})`,
  );
  const out = new Set();
  const rows = reader.getRows();
  // Skip the root; then walk the tree, remembering each node's top-level ancestor.
  let i = 1;
  const walk = (top) => {
    const [name, type, children] = rows[i++];
    const t = top ?? name;
    if (type === 'INT96') out.add(t + '\0' + name);
    for (let c = 0; c < Number(children ?? 0); ++c) walk(t);
  };
  while (i < rows.length) walk(undefined);
  return out;
}

/**
 * Lines of canonical JSON for the rows of `file`. Columns in file order unless
 * `options.columns` names them; at most `options.limit` rows when given.
 */
export async function* dumpParquet(connection, file, options = {}) {
  const select = options.columns?.length ? options.columns.map(sqlIdentifier).join(', ') : '*';
  let sql = `SELECT ${select} FROM read_parquet(${sqlString(file)}, hive_partitioning = false)`;
  if (options.limit !== undefined && options.limit >= 0) sql += ` LIMIT ${Number(options.limit)}`;
  const int96 = await int96Leaves(connection, file);
  const result = await connection.stream(sql);
  const names = result.columnNames();
  const types = result.columnTypes();
  const keys = names.map((n) => q(n) + ':');
  const contexts = names.map((n) => ({ int96, top: n, name: n }));
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    for (const row of chunk.getRows()) {
      let line = '{';
      for (let i = 0; i < row.length; ++i) {
        if (i) line += ',';
        line += keys[i] + renderValue(types[i], row[i], contexts[i]);
      }
      yield line + '}';
    }
  }
}

async function main(argv) {
  const args = argv.slice(2);
  const options = {};
  let file;
  for (let i = 0; i < args.length; ++i) {
    if (args[i] === '--columns') options.columns = args[++i].split(',');
    else if (args[i] === '--limit') options.limit = Number(args[++i]);
    else if (!file) file = args[i];
    else throw new Error(`unexpected argument ${args[i]}`);
  }
  if (!file) {
    process.stderr.write('usage: parquet_to_json.mjs FILE [--columns a,b] [--limit N]\n');
    return 2;
  }
  const connection = await openDuckDB();
  let out = '';
  for await (const line of dumpParquet(connection, file, options)) {
    out += line + '\n';
    if (out.length > 1 << 20) {
      process.stdout.write(out);
      out = '';
    }
  }
  process.stdout.write(out);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`parquet_to_json: ${err.message}\n`);
      process.exitCode = 1;
    },
  );
}
