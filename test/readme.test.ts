import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRunFilter } from '../src/query/index.js';
import { freshDatabase } from '../src/testing/postgres.js';
import { tempDir } from '../src/testing/temp-dir.js';
import { cleanEnv } from './cli/helpers.js';
import { linkAgentrack } from './package-link.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const README = readFileSync(join(root, 'README.md'), 'utf8');

/** A fenced code block of the README, and the skip marker (`<!-- readme-test: skip: why -->`) above it. */
interface Block {
  lang: string;
  code: string;
  line: number;
  skip?: string;
}

function readmeBlocks(text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i] as string);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i] as string);
    // The nearest non-blank line above (the formatter puts a blank line after a comment).
    let above = '';
    for (let j = start - 1; j >= 0 && above === ''; j--) above = (lines[j] as string).trim();
    const skip = /^<!-- readme-test: skip: (.+) -->$/.exec(above)?.[1];
    blocks.push({ lang: open[1] ?? '', code: body.join('\n'), line: start + 1, ...(skip ? { skip } : {}) });
  }
  return blocks;
}

const blocks = readmeBlocks(README);
const tsBlocks = blocks.filter((b) => b.lang === 'ts' && !b.skip);
const shBlocks = blocks.filter((b) => b.lang === 'sh' && !b.skip);
const jsonBlocks = blocks.filter((b) => b.lang === 'json' && !b.skip);
// `text` blocks hold run filters, several on a line two or more spaces apart.
const filterBlocks = blocks.filter((b) => b.lang === 'text' && !b.skip);

/**
 * A project folder as a newcomer's would be after the README's first command, in this repository:
 * `agentrack` importable and on `npx`'s path, the examples beside it.
 */
function newcomerProject(path: string): void {
  writeFileSync(join(path, 'package.json'), JSON.stringify({ name: 'readme-check', type: 'module' }));
  linkAgentrack(path);
  mkdirSync(join(path, 'node_modules', '.bin'));
  symlinkSync(join(root, 'dist', 'cli', 'main.js'), join(path, 'node_modules', '.bin', 'agentrack'));
  chmodSync(join(root, 'dist', 'cli', 'main.js'), 0o755);
  symlinkSync(join(root, 'examples'), join(path, 'examples'), 'dir');
}

describe('README code blocks', () => {
  let dir: ReturnType<typeof tempDir>;
  // The PostgreSQL blocks read the database from DATABASE_URL, as a reader sets it: each block
  // gets an empty database of its own on the run's PostgreSQL (test/setup/postgres.ts).
  const databases = new Map<number, string>();
  const databaseUrl = (block: Block): string => databases.get(block.line) ?? '';
  beforeAll(async () => {
    dir = tempDir('agentrack-readme-');
    for (const block of [...tsBlocks, ...shBlocks]) {
      if (block.code.includes('DATABASE_URL')) databases.set(block.line, (await freshDatabase()).url);
    }
  });
  afterAll(() => dir.remove());

  it('has only blocks this test runs or skips with a reason', () => {
    const unchecked = blocks.filter((b) => !b.skip && !['ts', 'sh', 'json', 'text'].includes(b.lang));
    expect(unchecked.map((b) => `README.md:${b.line} (${b.lang || 'no language'})`)).toEqual([]);
    expect(tsBlocks.length).toBeGreaterThanOrEqual(2);
    expect(shBlocks.length).toBeGreaterThanOrEqual(2);
  });

  it('names only paths of this repository that exist', () => {
    const paths = [...README.matchAll(/[`(]((?:src|test|bench|examples|ui|\.ci)\/[\w./-]*)[`)]/g)].map(
      (m) => m[1] as string,
    );
    expect(paths.length).toBeGreaterThan(3);
    expect(paths.filter((p) => !existsSync(join(root, p)))).toEqual([]);
  });

  it('type-checks every TypeScript block against the package, strictly', () => {
    const project = join(dir.path, 'typecheck');
    mkdirSync(project);
    newcomerProject(project);
    const files = tsBlocks.map((block) => {
      const file = join(project, `readme-${block.line}.ts`);
      writeFileSync(file, block.code);
      return file;
    });
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noUncheckedIndexedAccess: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file
        ? `${d.file.fileName.slice(project.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
        : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    expect(diagnostics).toEqual([]);
  });

  it.each(tsBlocks.map((b) => [b.line, b] as const))(
    'runs the TypeScript block at README.md:%i in a fresh folder',
    (_line, block) => {
      const project = join(dir.path, `ts-${block.line}`);
      mkdirSync(project);
      newcomerProject(project);
      const js = ts.transpileModule(block.code, {
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
      }).outputText;
      writeFileSync(join(project, 'block.mjs'), js);
      const result = spawnSync(process.execPath, ['block.mjs'], {
        cwd: project,
        encoding: 'utf8',
        env: cleanEnv({ NO_COLOR: '1', DATABASE_URL: databaseUrl(block) }),
        timeout: 60_000,
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    },
  );

  it.each(shBlocks.map((b) => [b.line, b] as const))(
    'runs the shell block at README.md:%i as written',
    (_line, block) => {
      const project = join(dir.path, `sh-${block.line}`);
      mkdirSync(project);
      newcomerProject(project);
      const result = spawnSync('bash', ['-euo', 'pipefail', '-c', block.code], {
        cwd: project,
        encoding: 'utf8',
        env: cleanEnv({ NO_COLOR: '1', DATABASE_URL: databaseUrl(block) }),
        timeout: 120_000,
      });
      expect(result.stderr, result.stdout).not.toMatch(/command not found|No such file/);
      expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    },
  );

  it.each(jsonBlocks.map((b) => [b.line, b] as const))(
    'parses the JSON block at README.md:%i',
    (_line, block) => {
      expect(() => JSON.parse(block.code) as unknown).not.toThrow();
    },
  );

  it.each(filterBlocks.map((b) => [b.line, b] as const))(
    'parses every run filter of the block at README.md:%i',
    (_line, block) => {
      const filters = block.code.split('\n').flatMap((line) => line.trim().split(/\s{2,}/));
      expect(filters.length).toBeGreaterThan(0);
      for (const filter of filters) expect(() => parseRunFilter(filter), filter).not.toThrow();
    },
  );
});
