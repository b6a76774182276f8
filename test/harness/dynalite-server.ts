import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * dynalite (the DynamoDB wire protocol, in memory) for adapter tests, in the test process.
 *
 * ```ts
 * let dynamo: DynaliteServer;
 * beforeAll(async () => { dynamo = await startDynalite(); });
 * afterAll(() => dynamo?.close());
 * const store = new DynamoDbStateStore({ client: dynamo.documentClient(), tableName: dynamo.tableName });
 * ```
 *
 * Known dynalite gaps: `ReturnValuesOnConditionCheckFailure` is ignored, `TransactWriteItems`
 * is not implemented, and TTL never deletes anything.
 */
export interface DynaliteServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** The state table created at start: partition key `pk` (string), no sort key, the ledger's index `ledger-by-day`. */
  readonly tableName: string;
  /** A low-level client for this server (us-east-1, dummy credentials); `overrides` are merged last. */
  client(overrides?: Partial<DynamoDBClientConfig>): DynamoDBClient;
  /** A DocumentClient over a new low-level client, dropping undefined attributes. */
  documentClient(overrides?: Partial<DynamoDBClientConfig>): DynamoDBDocumentClient;
  /** Creates another table with the state table's key schema, and waits until it is active. */
  createStateTable(name: string): Promise<void>;
  /** Stops the server. Safe to call twice. */
  close(): Promise<void>;
}

export interface StartDynaliteOptions {
  /** Name of the state table created at start. Default `opslake-state`. */
  readonly tableName?: string;
}

type DynaliteFactory = (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;

/** Client settings for a local DynamoDB stand-in; exported for tests that build their own client. */
export function dynaliteClientConfig(endpoint: string): DynamoDBClientConfig {
  return {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'DYNALITE', secretAccessKey: 'DYNALITE' },
  };
}

/** Starts dynalite on 127.0.0.1 on a free port and creates the state table. */
export async function startDynalite(options: StartDynaliteOptions = {}): Promise<DynaliteServer> {
  // dynalite is CommonJS without type declarations.
  const dynalite = createRequire(import.meta.url)('dynalite') as DynaliteFactory;
  // Tables become ACTIVE at once instead of after dynalite's default half second.
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients: DynamoDBClient[] = [];
  let closed: Promise<void> | undefined;

  const client = (overrides: Partial<DynamoDBClientConfig> = {}): DynamoDBClient => {
    const created = new DynamoDBClient({ ...dynaliteClientConfig(endpoint), ...overrides });
    clients.push(created);
    return created;
  };

  const createStateTable = async (name: string): Promise<void> => {
    const admin = client();
    await admin.send(
      new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'ledger_day_shard', AttributeType: 'S' },
          { AttributeName: 'ledger_key', AttributeType: 'S' },
        ],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        // The ledger's sparse index, as infra declares it (infra/stacks/storage-stack.ts).
        GlobalSecondaryIndexes: [
          {
            IndexName: 'ledger-by-day',
            KeySchema: [
              { AttributeName: 'ledger_day_shard', KeyType: 'HASH' },
              { AttributeName: 'ledger_key', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
    // With createTableMs 0 the table turns ACTIVE on dynalite's next timer tick.
    for (;;) {
      const { Table } = await admin.send(new DescribeTableCommand({ TableName: name }));
      const indexes = Table?.GlobalSecondaryIndexes ?? [];
      if (Table?.TableStatus === 'ACTIVE' && indexes.every((index) => index.IndexStatus === 'ACTIVE')) return;
      await new Promise((resolveTick) => setImmediate(resolveTick));
    }
  };

  const tableName = options.tableName ?? 'opslake-state';
  try {
    await createStateTable(tableName);
  } catch (error) {
    server.close();
    throw error;
  }

  return {
    endpoint,
    tableName,
    client,
    documentClient: (overrides) => DynamoDBDocumentClient.from(client(overrides), { marshallOptions: { removeUndefinedValues: true } }),
    createStateTable,
    close() {
      closed ??= (async () => {
        for (const created of clients) created.destroy();
        await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      })();
      return closed;
    },
  };
}
