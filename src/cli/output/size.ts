const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'];

/**
 * A size in bytes for people: bytes below 1 KiB, else one decimal in KiB, MiB, GiB or TiB;
 * `-` when absent.
 *
 * @example formatSize(119) // '119 B'
 * @example formatSize(20 * 1024 * 1024) // '20.0 MiB'
 */
export function formatSize(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '-';
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1023.95 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${UNITS[unit]}`;
}
