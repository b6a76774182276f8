import { GetItemCommand, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionError, StateStoreError, ThrottledError } from '../../../pipeline/errors.js';
import { DynamoDbStateStore } from '../../../pipeline/state/dynamodb-state-store.js';
import { startDynalite, type DynaliteServer } from '../../harness/dynalite-server.js';
import { describeSourceFactsContract } from './source-facts-contract.js';
import { CONTRACT_NOW, describeStateStoreContract } from './state-store-contract.js';

describe('DynamoDbStateStore', () => {
  let dynamo: DynaliteServer;
  let tables = 0;

  beforeAll(async () => {
    dynamo = await startDynalite();
  });

  afterAll(async () => {
    await dynamo?.close();
  });

  // A table per test: every contract case starts from empty state.
  const newStore = async (clock: () => Date) => {
    tables += 1;
    const tableName = `state-${tables}`;
    await dynamo.createStateTable(tableName);
    return new DynamoDbStateStore({ client: dynamo.documentClient(), tableName, clock });
  };
  describeStateStoreContract(newStore);
  describeSourceFactsContract(newStore);

  it('stores the documented item shapes, with expires_at in epoch seconds for TTL', async () => {
    const store = new DynamoDbStateStore({ client: dynamo.documentClient(), tableName: dynamo.tableName, clock: () => CONTRACT_NOW });
    await store.putWatermark(
      { cluster: 'shape', table: 'stl_query' },
      {
        sealedThrough: new Date('2026-03-01T10:00:00Z'),
        gaps: [{ from: new Date('2026-02-01T00:00:00Z'), to: new Date('2026-02-02T00:00:00Z'), detectedAt: CONTRACT_NOW }],
      },
      0,
    );
    await store.acquireLease('shape-scope', 'run-a', 1_500, CONTRACT_NOW);
    const raw = dynamo.client();

    const watermark = await raw.send(new GetItemCommand({ TableName: dynamo.tableName, Key: { pk: { S: 'watermark#shape#stl_query' } } }));
    expect(watermark.Item).toMatchObject({
      pk: { S: 'watermark#shape#stl_query' },
      sealed_through: { S: '2026-03-01T10:00:00.000Z' },
      version: { N: '1' },
      updated_at: { S: CONTRACT_NOW.toISOString() },
      gaps: {
        L: [
          {
            M: {
              from: { S: '2026-02-01T00:00:00.000Z' },
              to: { S: '2026-02-02T00:00:00.000Z' },
              detected_at: { S: CONTRACT_NOW.toISOString() },
            },
          },
        ],
      },
    });
    const lease = await raw.send(new GetItemCommand({ TableName: dynamo.tableName, Key: { pk: { S: 'lease#shape-scope' } } }));
    const expiresMs = CONTRACT_NOW.getTime() + 1_500;
    expect(lease.Item).toMatchObject({
      owner: { S: 'run-a' },
      expires_at: { N: String(Math.ceil(expiresMs / 1000)) },
      expires_at_ms: { N: String(expiresMs) },
    });
  });

  it('omits sealed_through when nothing is sealed yet', async () => {
    const store = new DynamoDbStateStore({ client: dynamo.client(), tableName: dynamo.tableName });
    await store.putWatermark({ cluster: 'unsealed', table: 'stl_scan' }, { sealedThrough: null, gaps: [] }, 0);
    const item = await dynamo
      .client()
      .send(new GetItemCommand({ TableName: dynamo.tableName, Key: { pk: { S: 'watermark#unsealed#stl_scan' } } }));
    expect(item.Item).toBeDefined();
    expect(item.Item).not.toHaveProperty('sealed_through');
  });

  it('works over a low-level DynamoDBClient as well as a DocumentClient', async () => {
    const store = new DynamoDbStateStore({ client: dynamo.client(), tableName: dynamo.tableName });
    const written = await store.putWatermark({ cluster: 'low-level', table: 'stl_query' }, { sealedThrough: CONTRACT_NOW, gaps: [] }, 0);
    await expect(store.getWatermark({ cluster: 'low-level', table: 'stl_query' })).resolves.toEqual(written);
  });

  it('names the table in a non-retryable StateStoreError when the table does not exist', async () => {
    const store = new DynamoDbStateStore({ client: dynamo.documentClient(), tableName: 'no-such-table' });
    const error = await store.getWatermark({ cluster: 'prod', table: 'stl_query' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateStoreError);
    expect(error).toMatchObject({ retryable: false });
    expect((error as Error).message).toMatch(/no-such-table.*ResourceNotFoundException.*check the state table name/);
    expect((error as Error).cause).toBeDefined();
  });

  it('raises a retryable ConnectionError when DynamoDB cannot be reached', async () => {
    const client = dynamo.documentClient({ endpoint: 'http://127.0.0.1:1', maxAttempts: 1 });
    const store = new DynamoDbStateStore({ client, tableName: dynamo.tableName });
    const error = await store.acquireLease('scope', 'run-a', 1_000, CONTRACT_NOW).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ retryable: true });
  });

  it('turns throttling into a retryable ThrottledError', async () => {
    const documents = DynamoDBDocumentClient.from(dynamo.client());
    const mock = mockClient(documents);
    mock
      .on(PutCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: { httpStatusCode: 400, attempts: 3 } }));
    mock.on(GetCommand).rejects(Object.assign(new Error('internal'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } }));
    const store = new DynamoDbStateStore({ client: documents, tableName: dynamo.tableName });

    const throttled = await store
      .putWatermark({ cluster: 'prod', table: 'stl_query' }, { sealedThrough: null, gaps: [] }, 0)
      .catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(ThrottledError);
    expect(throttled).toMatchObject({ retryable: true });
    expect((throttled as Error).message).toContain('3 times');

    const failed = await store.getWatermark({ cluster: 'prod', table: 'stl_query' }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(StateStoreError);
    expect(failed).toMatchObject({ retryable: true });
    mock.restore();
  });

  it('names the action and table to grant when DynamoDB denies access', async () => {
    const documents = DynamoDBDocumentClient.from(dynamo.client());
    const mock = mockClient(documents);
    const denied = Object.assign(new Error('User is not authorized to perform: dynamodb:PutItem'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });
    mock.on(PutCommand).rejects(denied);
    const store = new DynamoDbStateStore({ client: documents, tableName: 'opslake-state' });

    const error = await store.acquireLease('cluster#prod', 'run-a', 1_000, CONTRACT_NOW).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateStoreError);
    expect(error).toMatchObject({ retryable: false, cause: denied });
    expect((error as StateStoreError).hint).toContain('check that the role may dynamodb:PutItem on table opslake-state');
    expect((error as Error).message).toContain('could not acquire lease lease#cluster#prod in DynamoDB table opslake-state');
    mock.restore();
  });
});
