import type { RegistryClient } from '../client/registry-client.js';
import type { ModelVersion, RegisteredModel } from '../entities/index.js';
import { quote } from './queries.js';

/** A registered model and all its versions. */
export interface RegisteredVersions {
  model: RegisteredModel;
  /** Every version, newest first, each with the aliases that point at it. */
  versions: ModelVersion[];
}

/**
 * A registered model and every one of its versions, newest first, each with its `aliases`
 * (MLflow's searches leave them out; they come from the model's). RESOURCE_DOES_NOT_EXIST
 * when there is no such model.
 *
 * @example const { versions } = await registeredVersions(client.registry, 'health_monitor_agent');
 */
export async function registeredVersions(
  registry: RegistryClient,
  name: string,
): Promise<RegisteredVersions> {
  const model = await registry.getRegisteredModel(name);
  const aliases = new Map<string, string[]>();
  for (const { alias, version } of model.aliases ?? [])
    aliases.set(version, [...(aliases.get(version) ?? []), alias]);
  const found = await searchVersions(registry, model);
  const versions = found
    .map((v) => ({ ...v, aliases: [...(aliases.get(v.version) ?? [])].sort() }))
    .sort((a, b) => Number(b.version) - Number(a.version));
  return { model, versions };
}

async function searchVersions(registry: RegistryClient, model: RegisteredModel): Promise<ModelVersion[]> {
  const versions: ModelVersion[] = [];
  for await (const version of registry.iterateModelVersions({
    filter: `name = ${quote(model.name, 'registered model name')}`,
    maxResults: 1000,
  })) {
    versions.push(version);
  }
  return versions;
}
