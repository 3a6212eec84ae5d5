/**
 * How an artifact is previewed, from its name and first bytes: images as images, JSON
 * pretty-printed (MLflow's `log_table` files as tables), YAML and everything readable as
 * text; a file with NUL bytes is binary (no preview, a download).
 */

/** The preview of a file. */
export type PreviewKind = 'image' | 'json' | 'yaml' | 'text';

const IMAGE = /\.(png|jpe?g|gif|webp|bmp|ico|svg)$/i;

/** The kind a file's name says. */
export function previewKind(path: string): PreviewKind {
  if (IMAGE.test(path)) return 'image';
  if (/\.json$/i.test(path)) return 'json';
  if (/\.ya?ml$/i.test(path)) return 'yaml';
  return 'text';
}

/** True when the bytes are not text (a NUL in the first 8 KiB). */
export function looksBinary(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length, 8192);
  for (let i = 0; i < end; i++) if (bytes[i] === 0) return true;
  return false;
}

/** A table as MLflow's `log_table` writes it. */
export interface LoggedTable {
  columns: string[];
  data: unknown[][];
}

/** The table when `value` has `log_table`'s shape (`{"columns": [...], "data": [[...]]}`). */
export function asLoggedTable(value: unknown): LoggedTable | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { columns, data } = value as { columns?: unknown; data?: unknown };
  if (!Array.isArray(columns) || !Array.isArray(data)) return undefined;
  if (!data.every((row) => Array.isArray(row))) return undefined;
  return { columns: columns.map((c) => String(c)), data: data as unknown[][] };
}

/** A cell of a logged table as text (objects as JSON). */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
