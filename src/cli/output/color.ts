/** ANSI styles the CLI uses. */
const STYLES = { red: 31, green: 32, yellow: 33, bold: 1, dim: 2 } as const;

/** A style name of {@link Paint}. */
export type Style = keyof typeof STYLES;

/** Wraps text in ANSI styles, or returns it unchanged when colors are off. */
export type Paint = Readonly<Record<Style, (text: string) => string>> & { readonly enabled: boolean };

/**
 * Whether to color a stream: only a terminal, only without `NO_COLOR` in the environment
 * (any value, even empty, turns colors off) and only without `--no-color`.
 */
export function colorEnabled(isTTY: boolean | undefined, env: NodeJS.ProcessEnv, flag: boolean): boolean {
  return isTTY === true && env.NO_COLOR === undefined && flag;
}

/** The painter for a stream whose colors are on or off. */
export function createPaint(enabled: boolean): Paint {
  const style = (code: number) => (text: string) => (enabled ? `\u001b[${code}m${text}\u001b[0m` : text);
  return {
    enabled,
    red: style(STYLES.red),
    green: style(STYLES.green),
    yellow: style(STYLES.yellow),
    bold: style(STYLES.bold),
    dim: style(STYLES.dim),
  };
}

const ANSI_SEQUENCE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** The length of text as a terminal shows it, without its ANSI styles. */
export function visibleLength(text: string): number {
  return [...text.replace(ANSI_SEQUENCE, '')].length;
}
