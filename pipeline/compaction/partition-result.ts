/** What compacting one partition did (one line of `opslake compact`'s summary). */
export interface PartitionResult {
  readonly table: string;
  /** `k=v/.../` under the table. */
  readonly path: string;
  /** `planned`: what a dry run would do; `unchanged`: nothing new; `failed`: see `error`, readers see what they saw. */
  readonly status: 'compacted' | 'unchanged' | 'planned' | 'failed';
  readonly generation?: string;
  /** Objects read (the current generation's parts and the new live objects) and written. */
  readonly inputs: number;
  readonly fresh: number;
  readonly outputs: number;
  readonly rowsIn: number;
  readonly rowsOut: number;
  readonly duplicatesRemoved: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly seconds: number;
  /** Superseded objects deleted by this run. */
  readonly deleted: number;
  /** Superseded objects wait for the grace period (a later run deletes them). */
  readonly cleanupPending: boolean;
  readonly error?: { readonly message: string; readonly key?: string };
}
