import type { LogAttributes } from '@aws-lambda-powertools/logger/types';

/**
 * The part of Powertools' Logger the Lambda handlers use: a message and structured fields.
 * Narrow so that a test passes a recorder; the deployed handlers pass the Logger itself.
 */
export interface JobLogger {
  info(message: string, ...extra: LogAttributes[]): void;
  warn(message: string, ...extra: LogAttributes[]): void;
  error(message: string, ...extra: LogAttributes[]): void;
  /** Keys added to every later line, such as the request id. */
  appendKeys?(keys: LogAttributes): void;
}
