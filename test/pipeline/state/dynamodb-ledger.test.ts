import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateStoreError } from '../../../pipeline/errors.js';
import { DynamoDbStateStore } from '../../../pipeline/state/dynamodb-state-store.js';
import { ledgerHash } from '../../../pipeline/state/ledger-records.js';
import { startDynalite, type DynaliteServer } from '../../harness/dynalite-server.js';
import { describeIngestionLedgerContract, ledgerEntry, trailKey } from './ingestion-ledger-contract.js';

describe('DynamoDbLedger (DynamoDbStateStore)', () => {
  let dynamo: DynaliteServer;
  let tables = 0;

  beforeAll(async () => {
    dynamo = await startDynalite();
  });

  afterAll(async () => {
    await dynamo?.close();
  });

  describeIngestionLedgerContract(async () => {
    tables += 1;
    const tableName = `ledger-${tables}`;
    await dynamo.createStateTable(tableName);
    return new DynamoDbStateStore({ client: dynamo.documentClient(), tableName });
  });

  it('stores one item per input, keyed by the hash of source and key, in the shard of its day', async () => {
    const store = new DynamoDbStateStore({ client: dynamo.documentClient(), tableName: dynamo.tableName });
    const key = trailKey('2026-03-01', 1);
    await store.putLedgerEntries([ledgerEntry(key)]);
    const hash = ledgerHash('trail-bucket', key);
    const { Item } = await dynamo.client().send(new GetItemCommand({ TableName: dynamo.tableName, Key: { pk: { S: `ledger#${hash}` } } }));
    expect(Item).toMatchObject({
      kind: { S: 'ledger' },
      ledger_key: { S: key },
      ledger_day_shard: { S: `2026-03-01#${Number.parseInt(hash.charAt(0), 16)}` },
      status: { S: 'ingested' },
      size: { N: '1234' },
    });
  });

  it('sends unprocessed keys and items again until DynamoDB takes them', async () => {
    const documents = DynamoDBDocumentClient.from(dynamo.client());
    const mock = mockClient(documents);
    const key = trailKey('2026-03-01', 1);
    const pk = `ledger#${ledgerHash('trail-bucket', key)}`;
    const item = { ...ledgerEntry(key) };
    mock
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { 'opslake-state': [{ PutRequest: { Item: { pk } } }] } })
      .resolves({});
    mock
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { 'opslake-state': [] }, UnprocessedKeys: { 'opslake-state': { Keys: [{ pk }] } } })
      .resolves({
        Responses: {
          'opslake-state': [{ pk, kind: 'ledger', ledger_key: key, source: item.source, status: 'ingested', day: item.day, size: 5 }],
        },
      });
    const store = new DynamoDbStateStore({ client: documents, tableName: 'opslake-state' });
    await store.putLedgerEntries([ledgerEntry(key)]);
    expect(mock.commandCalls(BatchWriteCommand)).toHaveLength(2);
    const found = await store.getLedgerEntries('trail-bucket', [key]);
    expect(found.get(key)).toMatchObject({ key, size: 5 });
    expect(mock.commandCalls(BatchGetCommand)).toHaveLength(2);
    expect(mock.commandCalls(BatchGetCommand)[1]?.args[0].input.RequestItems?.['opslake-state']?.Keys).toEqual([{ pk }]);
    mock.restore();
  });

  it('batches lookups by 100 keys and writes by 25 items', async () => {
    const documents = DynamoDBDocumentClient.from(dynamo.client());
    const mock = mockClient(documents);
    mock.on(BatchWriteCommand).resolves({});
    mock.on(BatchGetCommand).resolves({ Responses: { 'opslake-state': [] } });
    const store = new DynamoDbStateStore({ client: documents, tableName: 'opslake-state' });
    const keys = Array.from({ length: 230 }, (_, n) => trailKey('2026-03-01', n));
    await store.putLedgerEntries(keys.map((key) => ledgerEntry(key)));
    await store.getLedgerEntries('trail-bucket', keys);
    expect(mock.commandCalls(BatchWriteCommand).map((call) => call.args[0].input.RequestItems?.['opslake-state']?.length)).toEqual([
      25, 25, 25, 25, 25, 25, 25, 25, 25, 5,
    ]);
    expect(mock.commandCalls(BatchGetCommand).map((call) => call.args[0].input.RequestItems?.['opslake-state']?.Keys?.length)).toEqual([
      100, 100, 30,
    ]);
    mock.restore();
  });

  it('gives up with a retryable error when DynamoDB keeps leaving items unprocessed', async () => {
    const documents = DynamoDBDocumentClient.from(dynamo.client());
    const mock = mockClient(documents);
    mock
      .on(BatchWriteCommand)
      .callsFake((input: { RequestItems: Record<string, unknown[]> }) => ({ UnprocessedItems: input.RequestItems }));
    const store = new DynamoDbStateStore({ client: documents, tableName: 'opslake-state' });
    const error = await store.putLedgerEntries([ledgerEntry(trailKey('2026-03-01', 1))]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateStoreError);
    expect(error).toMatchObject({ retryable: true });
    expect((error as Error).message).toMatch(/still unprocessed after 8 BatchWriteItem calls/);
    mock.restore();
  }, 30_000);
});
