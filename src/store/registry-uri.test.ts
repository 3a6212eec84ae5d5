import { describe, expect, it } from 'vitest';
import { parseRegistryUri, resolveRegistryUri } from './registry-uri.js';

describe('registry URIs', () => {
  it('are the argument, else MLFLOW_REGISTRY_URI, else none (the tracking store’s own registry)', () => {
    expect(resolveRegistryUri('databricks-uc', { MLFLOW_REGISTRY_URI: 'databricks' })).toBe('databricks-uc');
    expect(resolveRegistryUri(undefined, { MLFLOW_REGISTRY_URI: ' databricks-uc ' })).toBe('databricks-uc');
    expect(resolveRegistryUri(undefined, { MLFLOW_REGISTRY_URI: '' })).toBeUndefined();
    expect(resolveRegistryUri(undefined, {})).toBeUndefined();
  });

  it('name Unity Catalog’s registry, or any tracking URI’s store', () => {
    expect(parseRegistryUri('databricks-uc')).toEqual({
      kind: 'databricks-uc',
      path: '',
      uri: 'databricks-uc',
    });
    expect(parseRegistryUri('databricks-uc://prod')).toEqual({
      kind: 'databricks-uc',
      path: 'prod',
      uri: 'databricks-uc://prod',
    });
    expect(parseRegistryUri('databricks')).toEqual({ kind: 'databricks', path: '', uri: 'databricks' });
    expect(parseRegistryUri('http://127.0.0.1:5000/')).toEqual({
      kind: 'rest',
      path: 'http://127.0.0.1:5000',
      uri: 'http://127.0.0.1:5000/',
    });
    expect(parseRegistryUri('sqlite:////data/registry.db')).toMatchObject({
      kind: 'sqlite',
      path: '/data/registry.db',
    });
  });

  it('refuses what names no registry, saying it is the registry URI', () => {
    expect(() => parseRegistryUri('databricks-uc:prod')).toThrow(
      "Invalid Unity Catalog registry URI 'databricks-uc:prod': use databricks-uc or databricks-uc://<profile>.",
    );
    expect(() => parseRegistryUri('ftp://host/registry')).toThrow(
      /^Invalid registry URI \(MLFLOW_REGISTRY_URI or registryUri\): Unsupported tracking URI scheme 'ftp'/,
    );
  });
});
