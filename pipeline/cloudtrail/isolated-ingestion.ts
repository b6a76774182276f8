import { awsErrorDetails } from '../aws/aws-error-details.js';
import {
  ConnectionError,
  InvalidIdentifierError,
  InvalidObjectKeyError,
  LakeWriteError,
  OpslakeError,
  ThrottledError,
  UnreadableInputError,
} from '../errors.js';
import type { ObjectStore } from '../ports/object-store.js';
import type { FileOutcome } from './cloudtrail-file-outcome.js';
import type { CloudTrailIngester } from './cloudtrail-ingester.js';
import { quarantineInput } from './cloudtrail-quarantine.js';
import { ledgerSourceName } from './ledger-source.js';
import { type CloudTrailInputRef, ingestRecorded, ledgerEntryOf, type RecordedIngestionOptions } from './recorded-ingestion.js';
import type { UnreadableReason } from './raw-record.js';

/** Why an input that failed alone may pass when it is tried again. */
export type TemporaryCause = 'throttling' | 'network' | 'service' | 'permission' | 'unknown';

/** An input that failed alone for a cause retrying may cure: no ledger entry, tried again by the next run or delivery. */
export interface FailedInput {
  readonly status: 'failed';
  readonly key: string;
  readonly message: string;
  readonly cause: TemporaryCause;
  readonly error: unknown;
}

export type IsolatedOutcome = FileOutcome | FailedInput;

export interface IsolatedIngestionOptions extends RecordedIngestionOptions {
  /** The lake, where `_quarantine/` is. */
  readonly lake: ObjectStore;
  /** Where quarantine copies wait on their way; default the system's temp folder. */
  readonly tempDirectory: string;
}

/**
 * Ingests a batch so that one input can never make another fail (DESIGN.md §4, batch isolation):
 * the batch is tried whole (the fast way); when it fails, each input is tried alone. An input
 * that fails alone for a reason in its content (DuckDB refuses a value or runs out of memory on
 * it, a partition value cannot form a key) is quarantined whole with that reason and recorded
 * in the ledger, like an unreadable file; one that fails for a reason retrying may cure
 * (throttling, the network, a 5xx, a permission) comes back as `failed`, with no ledger entry,
 * so the next run (or SQS delivery) tries it again. Returns one outcome per input, in order;
 * never throws for one input's sake.
 */
export async function ingestIsolated(
  ingester: CloudTrailIngester,
  source: ObjectStore,
  inputs: readonly CloudTrailInputRef[],
  options: IsolatedIngestionOptions,
): Promise<IsolatedOutcome[]> {
  try {
    return await ingestRecorded(ingester, source, inputs, options);
  } catch (error) {
    return retryAlone(inputs, error, source, options, {
      attempt: async (input) => (await ingestRecorded(ingester, source, [input], options))[0],
      // A quarantined input is final: its entry keeps the next run from reading it again.
      record: async (input, quarantined, now) => {
        const info = input.size === undefined ? await source.head(input.key) : undefined;
        const sized = info ? { ...input, size: info.size, ...(input.etag || !info.etag ? {} : { etag: info.etag }) } : input;
        await options.ledger.putLedgerEntries([ledgerEntryOf(ledgerSourceName(source), sized, quarantined, now.toISOString())]);
      },
    });
  }
}

/** Where the inputs of a failed batch are quarantined, and how one is tried alone and its quarantine recorded. */
export interface RetryAloneOptions {
  /** The lake, where `_quarantine/` is. */
  readonly lake: ObjectStore;
  readonly tempDirectory: string;
  readonly clock?: () => Date;
}

export interface AloneSteps {
  /** Ingests one input alone; throws as the batch did when it fails. */
  readonly attempt: (input: CloudTrailInputRef) => Promise<FileOutcome | undefined>;
  /** Makes a quarantine final (the ledger entry); a failure here leaves the input for a retry. */
  readonly record?: (input: CloudTrailInputRef, quarantined: FileOutcome, now: Date) => Promise<void>;
}

/**
 * The inputs of a batch that failed with `batchError`, each tried alone: an input that fails
 * alone for a reason in its content is quarantined whole with that reason; one that fails for a
 * reason retrying may cure comes back as `failed`. One outcome per input, in order.
 */
export async function retryAlone(
  inputs: readonly CloudTrailInputRef[],
  batchError: unknown,
  source: ObjectStore,
  options: RetryAloneOptions,
  steps: AloneSteps,
): Promise<IsolatedOutcome[]> {
  const outcomes = new Array<IsolatedOutcome>(inputs.length);
  const alone: Array<{ index: number; input: CloudTrailInputRef; error: unknown }> = [];
  for (const [index, input] of inputs.entries()) {
    try {
      if (inputs.length === 1) throw batchError;
      const outcome = await steps.attempt(input);
      if (outcome !== undefined) outcomes[index] = outcome;
    } catch (error) {
      alone.push({ index, input, error });
    }
  }
  // Every input of a batch refused by the engine alone says more about the engine (its memory
  // limit) than about the inputs: none is quarantined for it.
  const engineDown = inputs.length > 1 && alone.length === inputs.length && alone.every(({ error }) => isEngineFailure(error));
  for (const { index, input, error } of alone)
    outcomes[index] = engineDown ? failed(input, error) : await settle(source, input, error, options, steps);
  return outcomes;
}

/** The reason an input that failed alone is quarantined for; undefined when retrying may cure the failure. */
export function permanentReason(error: unknown): UnreadableReason | undefined {
  for (const found of causes(error)) {
    if (found instanceof UnreadableInputError) return found.reason as UnreadableReason;
    if (found instanceof InvalidObjectKeyError || found instanceof InvalidIdentifierError) return 'invalid-partition-value';
    // A full or unwritable temp folder is the machine's fault, not the input's.
    if (isEngineRefusal(found)) return 'engine-refused';
  }
  return undefined;
}

/** DuckDB refused the input's rows (a value, its memory limit); a full or unwritable temp folder is the machine's fault instead. */
function isEngineRefusal(error: unknown): boolean {
  return error instanceof LakeWriteError && !/IO Error|No space left|Permission denied/i.test(error.message);
}

function isEngineFailure(error: unknown): boolean {
  return [...causes(error)].some(isEngineRefusal);
}

/** What kind of temporary failure an error is, for the summary and the logs. */
export function temporaryCause(error: unknown): TemporaryCause {
  for (const found of causes(error)) {
    if (found instanceof ThrottledError) return 'throttling';
    if (found instanceof ConnectionError) return 'network';
    if (found instanceof OpslakeError) continue;
    const code = (found as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'EACCES' || code === 'EPERM') return 'permission';
    const { kind } = awsErrorDetails(found);
    if (kind === 'throttled') return 'throttling';
    if (kind === 'unreachable') return 'network';
    if (kind === 'transient') return 'service';
    if (kind === 'access-denied' || kind === 'credentials') return 'permission';
  }
  return 'unknown';
}

async function settle(
  source: ObjectStore,
  input: CloudTrailInputRef,
  error: unknown,
  options: RetryAloneOptions,
  steps: AloneSteps,
): Promise<IsolatedOutcome> {
  const reason = permanentReason(error);
  if (reason === undefined) return failed(input, error);
  try {
    const message = `failed alone: ${firstLine(error)}`;
    const now = (options.clock ?? (() => new Date()))();
    const quarantined = await quarantineInput(source, input.key, new UnreadableInputError(reason, message, { cause: error }), {
      lake: options.lake,
      now,
      tempRoot: options.tempDirectory,
    });
    await steps.record?.(input, quarantined, now);
    return quarantined;
  } catch (quarantineError) {
    return failed(input, quarantineError);
  }
}

function failed(input: CloudTrailInputRef, error: unknown): FailedInput {
  return { status: 'failed', key: input.key, message: firstLine(error), cause: temporaryCause(error), error };
}

function* causes(error: unknown): Generator<unknown> {
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 6; depth += 1) {
    yield current;
    current = current instanceof Error ? current.cause : undefined;
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const end = message.indexOf('\n');
  return end < 0 ? message : message.slice(0, end);
}
