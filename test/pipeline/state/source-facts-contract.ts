import { beforeEach, describe, expect, it } from 'vitest';
import { StateConflictError, StateStoreError } from '../../../pipeline/errors.js';
import type { SourceAccess, StateStore, TableSchemaUpdate } from '../../../pipeline/ports/state-store.js';
import { CONTRACT_NOW } from './state-store-contract.js';

/**
 * What every StateStore adapter owes the export besides watermarks, leases and dialects: the
 * recorded columns of custom tables (versioned, conditional) and each source's last access check.
 */
export function describeSourceFactsContract(createStore: (clock: () => Date) => Promise<StateStore>): void {
  describe('StateStore contract: custom tables and access', () => {
    let store: StateStore;
    const schema: TableSchemaUpdate = {
      table: 'custom_slow',
      timeColumn: 'end_time',
      columns: [
        { name: 'query_id', type: 'BIGINT', sourceType: 'int8' },
        { name: 'end_time', type: 'TIMESTAMP', sourceType: 'timestamp' },
      ],
    };
    const access: SourceAccess = {
      cluster: 'prod-east',
      level: 'own-rows',
      user: 'opslake',
      reason: 'restricted',
      checkedAt: CONTRACT_NOW,
    };

    beforeEach(async () => {
      store = await createStore(() => CONTRACT_NOW);
    });

    it('records a custom table once at version 1, then only from the version it read', async () => {
      await expect(store.getTableSchema('custom_slow')).resolves.toBeNull();
      const first = await store.putTableSchema(schema, 0);
      expect(first).toEqual({ ...schema, version: 1, updatedAt: CONTRACT_NOW });
      await expect(store.getTableSchema('custom_slow')).resolves.toEqual(first);
      await expect(store.putTableSchema(schema, 0)).rejects.toBeInstanceOf(StateConflictError);
      const grown = { ...schema, columns: [...schema.columns, { name: 'label', type: 'VARCHAR' as const, sourceType: 'varchar' }] };
      await expect(store.putTableSchema(grown, 1)).resolves.toMatchObject({ version: 2, columns: grown.columns });
      expect((await store.listTableSchemas()).map((stored) => [stored.table, stored.version])).toEqual([['custom_slow', 2]]);
    });

    it('refuses a table that is not custom_<name> or a column that is not a lake column', async () => {
      await expect(store.putTableSchema({ ...schema, table: 'stl_query' as 'custom_x' }, 0)).rejects.toBeInstanceOf(StateStoreError);
      const badColumn = { name: 'Bad Name', type: 'BIGINT' as const, sourceType: 'int8' };
      await expect(store.putTableSchema({ ...schema, columns: [badColumn] }, 0)).rejects.toBeInstanceOf(StateStoreError);
      await expect(store.listTableSchemas()).resolves.toEqual([]);
    });

    it("keeps each source's last access check, replacing the one before", async () => {
      await store.recordSourceAccess({ ...access, cluster: 'zeta', level: 'superuser' });
      await store.recordSourceAccess(access);
      await store.recordSourceAccess({ ...access, level: 'unrestricted', reason: 'granted sys:monitor' });
      expect(await store.listSourceAccess()).toEqual([
        { ...access, level: 'unrestricted', reason: 'granted sys:monitor' },
        { ...access, cluster: 'zeta', level: 'superuser' },
      ]);
      await expect(store.recordSourceAccess({ ...access, reason: 'a\nb' })).rejects.toBeInstanceOf(StateStoreError);
    });
  });
}
