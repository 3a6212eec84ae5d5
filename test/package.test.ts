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

  it('loads the native SQLite driver and pg only when a URI names their database', () => {
    // Records what the process loads: CommonJS modules (better-sqlite3 and pg are) and native addons.
    const script = `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const addons = [];
      const dlopen = process.dlopen;
      process.dlopen = function (module, filename, ...rest) {
        addons.push(filename);
        return dlopen.call(this, module, filename, ...rest);
      };
      const has = (folder) => Object.keys(require.cache).some((file) => file.includes('/node_modules/' + folder + '/'));
      const loaded = () => ({
        sqlite: has('better-sqlite3'),
        addon: addons.some((file) => file.includes('better_sqlite3')),
        pg: has('pg'),
      });
      const steps = {};
      const agentrack = await import('agentrack');
      steps.imported = loaded();
      const rest = await agentrack.TrackingClient.open('http://127.0.0.1:9');
      await rest.close();
      steps.rest = loaded();
      steps.postgresError = await agentrack.openStore('postgresql://me:s3cret@127.0.0.1:9/x').then(
        (store) => store.close().then(() => 'opened'),
        (error) => error.code + ': ' + error.message,
      );
      steps.postgres = loaded();
      const sqlite = await agentrack.TrackingClient.open('sqlite:///:memory:');
      await sqlite.close();
      steps.sqlite = loaded();
      console.log(JSON.stringify(steps));
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, AGENTRACK_TRACKING_URI: '', MLFLOW_TRACKING_URI: '', MLFLOW_REGISTRY_URI: '' },
    });
    expect(result.stderr).toBe('');
    const steps = JSON.parse(result.stdout) as Record<
      string,
      { sqlite: boolean; addon: boolean; pg: boolean }
    > & {
      postgresError: string;
    };
    expect(steps.imported).toEqual({ sqlite: false, addon: false, pg: false });
    expect(steps.rest).toEqual({ sqlite: false, addon: false, pg: false });
    // Opening PostgreSQL loads pg and no SQLite (and never shows the password).
    expect(steps.postgres).toEqual({ sqlite: false, addon: false, pg: true });
    expect(steps.postgresError).toMatch(
      /^TEMPORARILY_UNAVAILABLE: .*postgresql:\/\/me:\*\*\*@127\.0\.0\.1:9\/x/,
    );
    expect(steps.postgresError).not.toContain('s3cret');
    expect(steps.sqlite).toMatchObject({ sqlite: true, addon: true });
  });

  it('declares the agentrack binary', () => {
    expect(pkg.bin.agentrack).toBe('dist/cli/main.js');
    expect(readFileSync(`${root}src/cli/main.ts`, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
  });
});
