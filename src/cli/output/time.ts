/**
 * An epoch-milliseconds time as ISO 8601 in UTC to the second, or `-` when absent.
 *
 * @example formatTime(Date.UTC(2026, 10, 26, 10, 15)) // '2026-11-26T10:15:00Z'
 */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return '-';
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
