import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
  exports: Record<string, unknown>;
  bin: Record<string, string>;
};

function importFromPackage(specifier: string): { code: number | null; stdout: string; stderr: string } {
  const script = `const m = await import(${JSON.stringify(specifier)}); console.log(Object.keys(m).sort().join(','));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout.trim(), stderr: result.stderr };
}

describe('the published package', () => {
  it.each(Object.keys(pkg.exports).filter((k) => k !== './package.json'))(
    'resolves the subpath export %s',
    (subpath) => {
      const result = importFromPackage(subpath === '.' ? 'agentrack' : `agentrack/${subpath.slice(2)}`);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout.length).toBeGreaterThan(0);
    },
  );

  it('exports the TrackingClient and the error helpers from the root', () => {
    const names = importFromPackage('agentrack').stdout.split(',');
    expect(names).toEqual(
      expect.arrayContaining(['TrackingClient', 'AgentrackError', 'isAgentrackError', 'toMlflowJson']),
    );
  });

  it('declares the agentrack binary', () => {
    expect(pkg.bin.agentrack).toBe('dist/cli/main.js');
    expect(readFileSync(`${root}src/cli/main.ts`, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
  });
});
