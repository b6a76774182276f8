import { DEFAULT_COMPACTION_SETTINGS, type CompactionSettings, validateCompactionSettings } from './compaction-settings.js';
import { ConfigLocation, describeType, quote } from './config-location.js';
import { asRecord, checkKeys, field, optional } from './config-fields.js';
import type { ClusterConfig, ExportSettings, OpslakeConfig } from './opslake-config.js';
import { type ClusterOrigin, type Environment, validateCluster } from './validate-cluster.js';
import { validateExportSettings } from './validate-export-settings.js';
import { validateCatalog, validateLake, validateState } from './validate-locations.js';

/**
 * The one validator behind every ConfigSource: plain data (parsed YAML, JSON, SSM documents) in,
 * a deep-frozen OpslakeConfig out, or a ConfigError naming the exact parameter and saying what
 * is allowed. It is pure: nothing here touches SQL, keys, files or the network, so a hostile
 * value is refused before anything else can happen to it.
 */

// The validators of the parts, for the sources that assemble a configuration from parts (SSM).
export { type ClusterOrigin, type Environment, validateCluster } from './validate-cluster.js';
export { validateExportSettings } from './validate-export-settings.js';
export { validateCatalog, validateLake, validateState } from './validate-locations.js';

export interface ValidateConfigOptions {
  /** How the whole document is named in errors: the file as the user gave it (`opslake.yaml`). */
  readonly source: string;
  /** Folder against which relative paths (lake, state, catalog, pglite) resolve; kept as written when absent. */
  readonly baseDir?: string;
  /** Where `passwordEnv` is looked up; nothing is read from the process environment. */
  readonly env?: Environment;
}

const TOP_LEVEL_KEYS = ['lake', 'state', 'catalog', 'export', 'compaction', 'clusters'] as const;

/** Validates a whole configuration document (the shape of `opslake.yaml`). */
export function validateConfig(raw: unknown, options: ValidateConfigOptions): OpslakeConfig {
  const at = new ConfigLocation(options.source);
  if (raw === undefined || raw === null) {
    throw at.error('is empty; expected keys lake, state and clusters (run "opslake demo" to see a complete example)');
  }
  const record = asRecord(raw, at);
  checkKeys(record, TOP_LEVEL_KEYS, at);

  const clustersAt = at.key('clusters');
  const rawClusters = field(record, 'clusters', at) ?? [];
  if (!Array.isArray(rawClusters)) {
    throw clustersAt.error(`expected a list of clusters, got ${describeType(rawClusters)}`);
  }
  const clusters = rawClusters.map((rawCluster, position) => {
    const clusterAt = clustersAt.index(position);
    const origin: ClusterOrigin = { source: 'file', baseDir: options.baseDir, env: options.env };
    return { cluster: validateCluster(rawCluster, clusterAt, origin), at: clusterAt };
  });

  return buildConfig({
    clusters,
    export: validateExportSettings(field(record, 'export', at), at.key('export')),
    compaction: validateCompactionSettings(field(record, 'compaction', at), at.key('compaction')),
    lake: optional(field(record, 'lake', at), (value) => validateLake(value, at.key('lake'), options.baseDir)),
    state: optional(field(record, 'state', at), (value) => validateState(value, at.key('state'), options.baseDir)),
    catalog: optional(field(record, 'catalog', at), (value) => validateCatalog(value, at.key('catalog'), options.baseDir)),
  });
}

export interface ConfigParts {
  readonly clusters: ReadonlyArray<{ readonly cluster: ClusterConfig; readonly at: ConfigLocation }>;
  readonly export: ExportSettings;
  /** Absent: the defaults. */
  readonly compaction?: CompactionSettings;
  readonly lake?: string | undefined;
  readonly state?: string | undefined;
  readonly catalog?: string | undefined;
}

/** Puts validated parts together: cluster names must be unique; the result is deep-frozen. */
export function buildConfig(parts: ConfigParts): OpslakeConfig {
  const firstSeen = new Map<string, ConfigLocation>();
  for (const { cluster, at } of parts.clusters) {
    const earlier = firstSeen.get(cluster.name);
    // Names key the lake partitions, the state and the metrics: two sources under one name
    // would overwrite each other's objects and watermarks.
    if (earlier)
      throw at.key('name').error(`${quote(cluster.name)} is already the name of ${earlier.toString()}; cluster names must be unique`);
    firstSeen.set(cluster.name, at);
  }
  const config: OpslakeConfig = {
    clusters: parts.clusters.map(({ cluster }) => cluster),
    export: { ...parts.export },
    compaction: { ...(parts.compaction ?? DEFAULT_COMPACTION_SETTINGS) },
    ...(parts.lake === undefined ? {} : { lake: parts.lake }),
    ...(parts.state === undefined ? {} : { state: parts.state }),
    ...(parts.catalog === undefined ? {} : { catalog: parts.catalog }),
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
