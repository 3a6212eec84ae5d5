/** A trace's (or span's) state as a badge: OK green, ERROR red, anything else amber. */
export function TraceStateBadge({ state }: { state: string }) {
  const kind = state === 'OK' ? 'ok' : state === 'ERROR' ? 'bad' : 'warn';
  const text = state === 'STATE_UNSPECIFIED' ? 'UNSPECIFIED' : state.replace('_', ' ');
  return <span className={`badge ${kind}`}>{text}</span>;
}
