import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { hashPassword, hashToken } from '../../auth/index.js';
import { usageError } from '../cli-error.js';
import type { CliContext } from '../context.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Adds `auth hash-password` and `auth hash-token` to the program: the hashes a users file stores. */
export function registerAuthCommand(program: Command, ctx: CliContext): void {
  const auth = program
    .command('auth')
    .description('make the hashes of a users file for `agentrack server --auth`');
  auth
    .command('hash-password')
    .description('read a password on standard input, print its scrypt hash (the password_hash of a user)')
    .action(
      ctx.action(async () => {
        const password = await readStdin();
        if (password === '') throw usageError('hash-password: give the password on standard input');
        ctx.io.stdout(`${await hashPassword(password)}\n`);
        return 0;
      }),
    );
  auth
    .command('hash-token')
    .description(
      'read a token on standard input (or --generate one), print its SHA-256 (the token_sha256 of a user)',
    )
    .option('--generate', 'generate a random token and print it, then its hash')
    .action(
      ctx.action(async (options: { generate?: boolean }) => {
        const token = options.generate ? randomBytes(24).toString('base64url') : await readStdin();
        if (token === '') throw usageError('hash-token: give the token on standard input, or --generate');
        if (options.generate) ctx.io.stdout(`token: ${token}\n`);
        ctx.io.stdout(`${options.generate ? 'token_sha256: ' : ''}${hashToken(token)}\n`);
        return 0;
      }),
    );
}
