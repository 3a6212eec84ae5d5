import type { VerifyRow } from '../../copy/verify.js';
import { formatTable } from './table.js';

/** A verification (`agentrack copy`, `agentrack restore`) as a table: each kind's count and checksum on both sides. */
export function verificationTable(rows: readonly VerifyRow[]): string {
  return formatTable(
    ['KIND', 'FROM', 'TO', 'FROM CHECKSUM', 'TO CHECKSUM', ''],
    rows.map((row) => [
      row.kind,
      row.from.count.toLocaleString('en-US'),
      row.to.count.toLocaleString('en-US'),
      row.from.checksum.slice(0, 12),
      row.to.checksum.slice(0, 12),
      row.equal ? 'ok' : 'DIFFERENT',
    ]),
  );
}
