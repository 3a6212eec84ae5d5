import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './temp-dir.js';

const FIXTURE = fileURLToPath(new URL('../../test/fixtures/s3-server.mjs', import.meta.url));

/** A real S3-protocol server (s3rver) in its own process on a free loopback port. */
export interface S3TestServer {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** The bucket it was started with. */
  bucket: string;
  /** What a client needs in its environment to reach it (endpoint and s3rver's credentials). */
  env: Record<string, string>;
  /** How many multipart uploads of `bucket` still have parts stored. */
  pendingUploads: () => number;
  stop: () => Promise<void>;
}

/** Starts s3rver (test/fixtures/s3-server.mjs) with bucket `bucket`, storing in a fresh temporary folder. */
export async function startS3Server(bucket = 'artifacts'): Promise<S3TestServer> {
  const dir = tempDir('agentrack-s3rver-');
  const child = spawn(process.execPath, ['--openssl-legacy-provider', FIXTURE, dir.path, bucket], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let port: number;
  try {
    port = await listeningPort(child);
  } catch (error) {
    child.kill('SIGKILL');
    dir.remove();
    throw error;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const uploads = join(dir.path, bucket, '._S3rver_uploads');
  return {
    endpoint,
    bucket,
    env: { MLFLOW_S3_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' },
    pendingUploads: () => (existsSync(uploads) ? readdirSync(uploads).length : 0),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      dir.remove();
    },
  };
}

function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`s3rver did not start within 30 s: ${stderr}`)), 30_000);
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited with ${code} before listening: ${stderr}`));
    });
  });
}
