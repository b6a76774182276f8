import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileConfigSource } from '../../../pipeline/config/file-config-source.js';
import { Secret } from '../../../pipeline/config/secret.js';
import { ConfigError } from '../../../pipeline/errors.js';

const PASSWORD = 'c0rrect-h0rse-battery';
/** A parser that quotes the text around a fault may show only part of it. */
const PASSWORD_START = PASSWORD.slice(0, 6);

const YAML_CONFIG = `# opslake local configuration
lake: ./lake
state: ./state
catalog: ./catalog.duckdb
export: { slotMinutes: 30, latenessMinutes: 10, concurrency: 2 }
clusters:
  - name: analytics
    kind: provisioned
    clusterIdentifier: analytics-prod
    database: dev
    dbUser: opslake
    tables: [stl_query, stl_scan]
    pglite: ./clusters/analytics
  - name: billing
    kind: serverless
    postgres: postgres://opslake@db.example.com:5432/dev
    passwordEnv: BILLING_PASSWORD
    enabled: false
`;

let dir: string;

async function write(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
  return path;
}

async function failure(source: FileConfigSource): Promise<ConfigError> {
  const error: unknown = await source.load().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opslake-config-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('FileConfigSource', () => {
  it('reads YAML and resolves relative paths against the folder of the file', async () => {
    const path = await write('site/opslake.yaml', YAML_CONFIG);
    const config = await new FileConfigSource(path, { env: { BILLING_PASSWORD: PASSWORD } }).load();
    const site = join(dir, 'site');
    expect(config.lake).toBe(join(site, 'lake'));
    expect(config.state).toBe(join(site, 'state'));
    expect(config.catalog).toBe(join(site, 'catalog.duckdb'));
    expect(config.export).toEqual({ slotMinutes: 30, latenessMinutes: 10, concurrency: 2 });
    expect(config.clusters.map((cluster) => cluster.name)).toEqual(['analytics', 'billing']);
    expect(config.clusters[0]).toMatchObject({
      clusterIdentifier: 'analytics-prod',
      auth: { type: 'db-user', dbUser: 'opslake' },
      tables: ['stl_query', 'stl_scan'],
      enabled: true,
      connection: { type: 'pglite', dataDir: join(site, 'clusters', 'analytics') },
    });
    expect(config.clusters[1]).toMatchObject({ kind: 'serverless', workgroupName: 'billing', auth: { type: 'iam' }, enabled: false });
    expect(Object.isFrozen(config.clusters[1]?.connection)).toBe(true);
  });

  it('reads the password named by passwordEnv from the injected environment and never shows it', async () => {
    const path = await write('secret/opslake.yaml', YAML_CONFIG);
    const config = await new FileConfigSource(path, { env: { BILLING_PASSWORD: PASSWORD } }).load();
    const connection = config.clusters[1]?.connection;
    if (connection?.type !== 'postgres') throw new Error(`expected a postgres connection, got ${connection?.type}`);
    expect(connection.url).toBe('postgres://opslake@db.example.com:5432/dev');
    expect(connection.password).toBeInstanceOf(Secret);
    expect(connection.password?.reveal()).toBe(PASSWORD);
    expect(JSON.stringify(config)).not.toContain(PASSWORD_START);
    expect(inspect(config, { depth: null })).not.toContain(PASSWORD_START);
    expect(String(connection.password)).not.toContain(PASSWORD_START);
  });

  it('reads nothing from the process environment', async () => {
    const path = await write('noenv/opslake.yaml', YAML_CONFIG);
    process.env.BILLING_PASSWORD = PASSWORD;
    try {
      const error = await failure(new FileConfigSource(path));
      expect(error.parameter).toBe(`${path}: clusters[1].passwordEnv`);
      expect(error.message).toContain('names the environment variable BILLING_PASSWORD, which is not set');
    } finally {
      delete process.env.BILLING_PASSWORD;
    }
  });

  it('reads JSON of the same shape, with relative paths resolved the same way', async () => {
    const path = await write(
      'json/config/opslake.json',
      JSON.stringify({
        lake: '../lake',
        state: 'dynamodb://opslake-state',
        clusters: [{ name: 'analytics', kind: 'provisioned', dbUser: 'opslake', pglite: 'pg' }],
      }),
    );
    const config = await new FileConfigSource(path).load();
    expect(config.lake).toBe(join(dir, 'json', 'lake'));
    expect(config.state).toBe('dynamodb://opslake-state');
    expect(config.clusters[0]?.connection).toEqual({ type: 'pglite', dataDir: join(dir, 'json', 'config', 'pg') });
  });

  it('reads a .yml file and a JSON file that starts with a byte-order mark', async () => {
    const yml = await write('ext/opslake.yml', 'lake: s3://my-lake/lake\n');
    expect((await new FileConfigSource(yml).load()).lake).toBe('s3://my-lake/lake');
    const json = await write('ext/opslake.json', '\uFEFF{"lake": "./lake"}');
    expect((await new FileConfigSource(json).load()).lake).toBe(join(dir, 'ext', 'lake'));
  });

  it('names the file and the path inside it when a value is invalid', async () => {
    const path = await write(
      'invalid/opslake.yaml',
      'clusters:\n  - { name: a, kind: provisioned, dbUser: x }\n  - name: b\n    kind: provisioned\n    dbUser: x\n    tables: [stl_query, stl_scan, stl_foo]\n',
    );
    const error = await failure(new FileConfigSource(path));
    expect(error.parameter).toBe(`${path}: clusters[1].tables[2]`);
    expect(error.message).toContain('"stl_foo" is not an exportable table; choose from stl_query');
  });

  it('says where it looked and how to create a file when there is none', async () => {
    const error = await failure(new FileConfigSource(join(dir, 'missing', 'opslake.yaml')));
    expect(error.parameter).toBe(join(dir, 'missing', 'opslake.yaml'));
    expect(error.message).toContain(`no configuration file at ${join(dir, 'missing', 'opslake.yaml')}`);
    expect(error.message).toContain('opslake demo');
  });

  it('names a relative path as it was given and shows where it resolved to', async () => {
    const error = await failure(new FileConfigSource('no-such-folder/opslake.yaml'));
    expect(error.parameter).toBe('no-such-folder/opslake.yaml');
    expect(error.message).toContain(join(process.cwd(), 'no-such-folder', 'opslake.yaml'));
  });

  it('refuses a folder and a file that is neither YAML nor JSON', async () => {
    await mkdir(join(dir, 'folder.yaml'), { recursive: true });
    expect((await failure(new FileConfigSource(join(dir, 'folder.yaml')))).message).toContain('is a folder');
    const toml = await write('opslake.toml', 'lake = "./lake"\n');
    expect((await failure(new FileConfigSource(toml))).message).toContain('name the file with .yaml, .yml or .json');
  });

  it('reports a YAML syntax error with its line, without quoting the text around it', async () => {
    const path = await write('syntax/opslake.yaml', `lake: ./lake\nclusters:\n  - name: a\n   password: ${PASSWORD}\n`);
    const error = await failure(new FileConfigSource(path));
    expect(error.parameter).toBe(`${path}:4`);
    expect(error.message).toMatch(/YAML syntax error at line 4, column \d+: /);
    expect(inspect(error, { depth: null })).not.toContain(PASSWORD_START);
  });

  it('reports a YAML syntax error that the parser would describe by quoting the source', async () => {
    const path = await write('syntax/quoted.yaml', `lake: ./lake\npassword: |x ${PASSWORD}\n  text\n`);
    const error = await failure(new FileConfigSource(path));
    expect(error.parameter).toBe(`${path}:2`);
    expect(error.message).toContain('unexpected text (UNEXPECTED_TOKEN)');
    expect(inspect(error, { depth: null })).not.toContain(PASSWORD_START);
  });

  it('refuses a key written twice', async () => {
    const path = await write('syntax/twice.yaml', 'lake: ./a\nstate: ./s\nlake: ./b\n');
    const error = await failure(new FileConfigSource(path));
    expect(error.parameter).toBe(`${path}:3`);
    expect(error.message).toContain('Map keys must be unique');
  });

  it('reports a JSON syntax error without quoting the text around it', async () => {
    const path = await write('syntax/opslake.json', `{"lake": "./lake",\n "clusters": [{"name": "a", "password": ${PASSWORD}}]}`);
    const error = await failure(new FileConfigSource(path));
    expect(error.parameter.startsWith(path)).toBe(true);
    expect(error.message).toMatch(/JSON syntax error at line 2|is not valid JSON/);
    expect(inspect(error, { depth: null })).not.toContain(PASSWORD_START);
  });

  it('refuses an empty file and says what belongs in it', async () => {
    const path = await write('empty/opslake.yaml', '# nothing yet\n');
    const error = await failure(new FileConfigSource(path));
    expect(error.parameter).toBe(path);
    expect(error.message).toContain('is empty; expected keys lake, state and clusters');
  });

  it('refuses a password written in the file or in the URL and points to passwordEnv', async () => {
    const inFile = await write(
      'pw/in-file.yaml',
      `clusters:\n  - { name: a, kind: provisioned, dbUser: x, postgres: "postgres://db/dev", password: ${PASSWORD} }\n`,
    );
    const inUrl = await write(
      'pw/in-url.yaml',
      `clusters:\n  - { name: a, kind: provisioned, dbUser: x, postgres: "postgres://x:${PASSWORD}@db/dev" }\n`,
    );
    for (const path of [inFile, inUrl]) {
      const error = await failure(new FileConfigSource(path));
      expect(error.message).toContain('passwordEnv');
      expect(inspect(error, { depth: null })).not.toContain(PASSWORD_START);
    }
  });
});
