/** What every error may carry besides its message. */
export interface OpslakeErrorOptions {
  readonly cause?: unknown;
  /** Whether trying the same work again later may succeed (throttling, a 5xx, a lost connection). */
  readonly retryable?: boolean;
  /** What to check next (a permission, a setting), for logs that show it apart from the message. */
  readonly hint?: string | undefined;
}

/**
 * Every error the pipeline raises. Each class sets `name`, keeps `cause`, and says whether a
 * caller may retry (`retryable`): handlers use it to choose between retry and dead-letter.
 */
export class OpslakeError extends Error {
  readonly retryable: boolean;
  readonly hint: string | undefined;

  constructor(message: string, options: OpslakeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OpslakeError';
    this.retryable = options.retryable ?? false;
    this.hint = options.hint;
  }
}

/** Thrown when a configuration value is missing or invalid; `parameter` names it (an SSM name or a YAML path). */
export class ConfigError extends OpslakeError {
  readonly parameter: string;

  constructor(parameter: string, problem: string, options: Omit<OpslakeErrorOptions, 'retryable'> = {}) {
    super(`${parameter}: ${problem}`, options);
    this.name = 'ConfigError';
    this.parameter = parameter;
  }
}

/** Thrown when an identifier (cluster, table, key segment) fails its pattern before it could reach SQL or a key. */
export class InvalidIdentifierError extends OpslakeError {
  constructor(kind: string, value: string, rule: string) {
    super(`invalid ${kind} ${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value)}: ${rule}`);
    this.name = 'InvalidIdentifierError';
  }
}

/** Thrown when a SQL statement fails, is aborted, or its result cannot be read. */
export class SqlStatementError extends OpslakeError {
  /** Data API statement id, when the statement ran through the Data API. */
  readonly statementId: string | undefined;
  /** The database's own message, when it gave one. */
  readonly databaseMessage: string | undefined;

  constructor(message: string, options: OpslakeErrorOptions & { statementId?: string; databaseMessage?: string } = {}) {
    super(message, options);
    this.name = 'SqlStatementError';
    this.statementId = options.statementId;
    this.databaseMessage = options.databaseMessage;
  }
}

/** Thrown when the backend kept throttling after every retry with backoff. */
export class ThrottledError extends OpslakeError {
  constructor(operation: string, attempts: number, options: Omit<OpslakeErrorOptions, 'retryable'> = {}) {
    super(`${operation} was throttled ${attempts} times; try again later or lower the concurrency`, {
      ...options,
      retryable: true,
    });
    this.name = 'ThrottledError';
  }
}

/** Thrown when a connection to a database or service cannot be made or is refused. */
export class ConnectionError extends OpslakeError {
  constructor(message: string, options: OpslakeErrorOptions = {}) {
    super(message, { retryable: true, ...options });
    this.name = 'ConnectionError';
  }
}

/** Thrown by a StateStore when another run holds the lease of a cluster. */
export class LeaseHeldError extends OpslakeError {
  readonly scope: string;
  readonly holder: string;
  readonly expiresAt: Date;
  /** When the holder last took or renewed the lease, when the store knows. */
  readonly renewedAt: Date | undefined;

  constructor(scope: string, holder: string, expiresAt: Date, renewedAt?: Date) {
    const seen = renewedAt === undefined ? '' : `, last renewed ${renewedAt.toISOString()}`;
    super(`another run (${holder}) holds the lease on ${scope} until ${expiresAt.toISOString()}${seen}`);
    this.name = 'LeaseHeldError';
    this.scope = scope;
    this.holder = holder;
    this.expiresAt = expiresAt;
    this.renewedAt = renewedAt;
  }
}

/** Thrown by a StateStore when a conditional write lost: the stored version is not the one read. */
export class StateConflictError extends OpslakeError {
  constructor(what: string, options: { cause?: unknown } = {}) {
    super(`${what} was changed by another run since it was read; nothing was written`, options);
    this.name = 'StateConflictError';
  }
}

/** Thrown by an ObjectStore when an object cannot be written, read, listed or deleted. */
export class ObjectStoreError extends OpslakeError {
  readonly key: string;

  constructor(message: string, key: string, options: OpslakeErrorOptions = {}) {
    super(message, options);
    this.name = 'ObjectStoreError';
    this.key = key;
  }
}

/** Thrown by an ObjectStore before any call when a key breaks the key rules (too long, a `..` segment, ...). */
export class InvalidObjectKeyError extends ObjectStoreError {
  constructor(message: string, key: string) {
    super(message, key);
    this.name = 'InvalidObjectKeyError';
  }
}

/** Thrown by an ObjectStore `get` when the object does not exist. */
export class ObjectNotFoundError extends ObjectStoreError {
  constructor(key: string, options: { cause?: unknown } = {}) {
    super(`object not found: ${key}`, key, options);
    this.name = 'ObjectNotFoundError';
  }
}

/** Thrown when Parquet cannot be written or read by the columnar engine. */
export class LakeWriteError extends OpslakeError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'LakeWriteError';
  }
}

/**
 * Thrown when an object in a lake partition cannot be compacted (truncated, not Parquet, columns
 * of another schema): compaction of that partition stops, the partition stays as readers saw it,
 * and the run goes on with the others. `key` names the object to look at.
 */
export class BadLakeObjectError extends OpslakeError {
  readonly key: string;

  constructor(key: string, problem: string, options: { cause?: unknown } = {}) {
    super(`${key}: ${problem}; move or delete the object, then compact again`, options);
    this.name = 'BadLakeObjectError';
    this.key = key;
  }
}

/** Thrown when an input file (a CloudTrail log, say) cannot be read; the input is quarantined. */
export class UnreadableInputError extends OpslakeError {
  readonly reason: string;

  constructor(reason: string, message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'UnreadableInputError';
    this.reason = reason;
  }
}

/**
 * Thrown when the public keys of CloudTrail's digest signatures cannot be had: a PEM file that
 * is missing or holds no RSA public key, CloudTrail's ListPublicKeys refused or out of reach.
 */
export class DigestKeyError extends OpslakeError {
  constructor(message: string, options: OpslakeErrorOptions = {}) {
    super(message, options);
    this.name = 'DigestKeyError';
  }
}

/** Thrown when a query run by a QueryEngine fails (Athena FAILED/CANCELLED, a DuckDB error, a timeout). */
export class QueryFailedError extends OpslakeError {
  readonly queryId: string | undefined;

  constructor(message: string, options: OpslakeErrorOptions & { queryId?: string } = {}) {
    super(message, options);
    this.name = 'QueryFailedError';
    this.queryId = options.queryId;
  }
}

/**
 * Thrown when Athena (Trino) SQL uses a function or form that the DuckDB dialect layer has no
 * translation for, before DuckDB runs it; `functionName` and `line` (1-based, in the SQL as given)
 * say where. The query can still run in Athena.
 */
export class UnsupportedSqlError extends QueryFailedError {
  readonly functionName: string;
  readonly line: number;
  readonly problem: string;

  constructor(functionName: string, line: number, problem: string, options: { query?: string; cause?: unknown } = {}) {
    super(`${options.query ? `${options.query}: ` : ''}line ${line}: ${functionName}: ${problem}`, { cause: options.cause });
    this.name = 'UnsupportedSqlError';
    this.functionName = functionName;
    this.line = line;
    this.problem = problem;
  }
}

/**
 * A run that stopped starting work at its deadline (Lambda's remaining time); everything done
 * before it is committed. Returned, not thrown, in a cluster's export result (`stopped`): the run
 * succeeded as far as it went, and `retryable` says the next run goes on from there.
 */
export class DeadlineReachedError extends OpslakeError {
  constructor(what: string) {
    super(`stopped before the deadline while ${what}; finished work is committed`, { retryable: true });
    this.name = 'DeadlineReachedError';
  }
}

/** Thrown by a StateStore when its backend (a DynamoDB table, a state folder) cannot be read or written. */
export class StateStoreError extends OpslakeError {
  constructor(message: string, options: OpslakeErrorOptions = {}) {
    super(message, options);
    this.name = 'StateStoreError';
  }
}

/** Thrown by a Catalog when a table or partition cannot be created, updated or read (Glue, DuckDB views). */
export class CatalogError extends OpslakeError {
  /** The catalog table concerned, when there is one. */
  readonly table: string | undefined;

  constructor(message: string, options: OpslakeErrorOptions & { table?: string } = {}) {
    super(message, options);
    this.name = 'CatalogError';
    this.table = options.table;
  }
}

/** Thrown when a query of `queries/` is unknown, its file is malformed, or a parameter is missing or invalid. */
export class QueryDefinitionError extends OpslakeError {
  /** The query file (or name) concerned. */
  readonly query: string;

  constructor(query: string, problem: string, options: { cause?: unknown } = {}) {
    super(`${query}: ${problem}`, options);
    this.name = 'QueryDefinitionError';
    this.query = query;
  }
}

/**
 * Thrown when a queue message is not a notification of new objects (S3, SNS-wrapped or
 * CloudTrail's own); it goes to the dead-letter queue.
 */
export class InvalidNotificationError extends OpslakeError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'InvalidNotificationError';
  }
}
