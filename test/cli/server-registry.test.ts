import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../src/testing/temp-dir.js';
import { agentrack } from './helpers.js';

describe('agentrack server: the model registry', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => {
    dir.remove();
  });

  it('refuses an MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX that is no regular expression, before it listens', () => {
    const result = agentrack(['server', '--port', '0'], {
      cwd: dir.path,
      env: { MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX: '^mlflow-artifacts:/(' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^error: MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX: not a regular expression: /m,
    );
    expect(result.stderr).not.toContain('listening');
  });
});
