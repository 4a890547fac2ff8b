/**
 * danfojs DataFrames and Series as {@link HtmlTableInput} tables, recognised by their
 * shape (so this module does not load danfojs, which takes seconds).
 */

/** The parts of a danfojs DataFrame a table needs. */
export interface DataFrameLike {
  /** Column names. */
  columns: readonly string[];
  /** Row labels. */
  index: readonly (string | number)[];
  /** One array per row. */
  values: readonly (readonly unknown[])[];
}

/** The parts of a danfojs Series a table needs. */
export interface SeriesLike {
  /** Row labels. */
  index: readonly (string | number)[];
  /** One value per row. */
  values: readonly unknown[];
}

const className = (v: object): string => (v.constructor as { name?: string } | undefined)?.name ?? '';

/** True for a danfojs DataFrame (or anything with its `columns`, `index` and 2-D `values`). */
export function isDataFrameLike(v: unknown): v is DataFrameLike {
  if (v === null || typeof v !== 'object') return false;
  const d = v as Partial<Record<'columns' | 'index' | 'values', unknown>>;
  return className(v) === 'DataFrame' && Array.isArray(d.columns) && Array.isArray(d.index) && Array.isArray(d.values);
}

/** True for a danfojs Series. */
export function isSeriesLike(v: unknown): v is SeriesLike {
  if (v === null || typeof v !== 'object') return false;
  const d = v as Partial<Record<'index' | 'values', unknown>>;
  return className(v) === 'Series' && Array.isArray(d.index) && Array.isArray(d.values);
}

/** Options of {@link dataFrameTable}. */
export interface DataFrameTableArgs {
  /** Header of the index column, or null to leave the index out. Default `''` (an index column without a header). */
  indexHeader?: string | null;
  /** Show at most this many rows (the first ones); a last row says how many were left out. Default 200. */
  maxRows?: number;
}

/** A DataFrame or Series as `{ columns, rows }`, with the index as the first column. */
export function dataFrameTable(df: DataFrameLike | SeriesLike, args: DataFrameTableArgs = {}): { columns: string[]; rows: unknown[][] } {
  const indexHeader = args.indexHeader === undefined ? '' : args.indexHeader;
  const maxRows = args.maxRows ?? 200;
  const series = isSeriesLike(df);
  const seriesName = series && 'columns' in df && Array.isArray(df.columns) && df.columns.length === 1 ? String(df.columns[0]) : 'value';
  const columns = series ? [seriesName] : [...(df as DataFrameLike).columns].map(String);
  const values: unknown[][] = series ? (df as SeriesLike).values.map((v) => [v]) : (df as DataFrameLike).values.map((r) => [...r]);
  const withIndex = (row: unknown[], i: number): unknown[] => (indexHeader === null ? row : [df.index[i], ...row]);
  const rows = values.slice(0, maxRows).map(withIndex);
  const header = indexHeader === null ? columns : [indexHeader, ...columns];
  if (values.length > maxRows) rows.push(header.map((_, j) => (j === 0 ? `… ${values.length - maxRows} more rows` : null)));
  return { columns: header, rows };
}
