import { afterAll, beforeAll, describe } from 'vitest';
import { DynamoDbStateStore } from '../../../pipeline/state/dynamodb-state-store.js';
import { startDynalite, type DynaliteServer } from '../../harness/dynalite-server.js';
import { describeCompactionStateContract } from './compaction-state-contract.js';

describe('DynamoDbCompactionState (DynamoDbStateStore)', () => {
  let dynamo: DynaliteServer;
  let tables = 0;

  beforeAll(async () => {
    dynamo = await startDynalite();
  });

  afterAll(async () => {
    await dynamo?.close();
  });

  describeCompactionStateContract(async () => {
    tables += 1;
    const tableName = `compaction-${tables}`;
    await dynamo.createStateTable(tableName);
    return new DynamoDbStateStore({ client: dynamo.documentClient(), tableName });
  });
});
