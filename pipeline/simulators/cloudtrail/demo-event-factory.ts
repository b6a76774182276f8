import type { SeededRandom } from '../seeded-random.js';
import { ec2Event, lambdaEvent, logsEvent } from './compute-events.js';
import { createPrincipals } from './demo-principals.js';
import { type DemoAccount, type DemoContext, type DemoRecord, type Principal, baseRecord } from './demo-record.js';
import { insightPair } from './insight-events.js';
import { redshiftDataEvent, redshiftEvent } from './redshift-events.js';
import { iamEvent, kmsEvent, secretsEvent, serviceEvent, stsEvent } from './security-events.js';
import { consoleActionEvent, federationEvent, signinEvent } from './sign-in-events.js';
import { dynamodbEvent, s3Event } from './storage-events.js';

/**
 * Builds realistic CloudTrail records for the demo and the benchmarks: many services, every
 * identity type, errors, console sign-ins with and without MFA, Redshift control-plane and Data
 * API calls against the demo clusters, data events with and without resource account ids.
 */
export class DemoEventFactory implements DemoContext {
  readonly random: SeededRandom;
  readonly #accounts: readonly DemoAccount[];
  readonly #principals = new Map<string, readonly Principal[]>();

  constructor(random: SeededRandom, accounts: readonly DemoAccount[]) {
    this.random = random;
    this.#accounts = accounts;
  }

  /** One event that happened in `account`/`region` at `time`. */
  event(account: DemoAccount, region: string, time: Date): DemoRecord {
    const r = this.random;
    const global = region === 'us-east-1';
    const redshift = account.clusters.length > 0;
    const kind = r.weighted<string>([
      [30, 's3'],
      [14, 'ec2'],
      [10, 'kms'],
      [redshift ? 8 : 0, 'redshift'],
      [redshift ? 14 : 0, 'redshiftData'],
      [6, 'lambda'],
      [5, 'dynamodb'],
      [4, 'secrets'],
      [4, 'logs'],
      [4, 'sts'],
      [global ? 4 : 0, 'iam'],
      [global ? 2 : 0, 'signin'],
      [global ? 1 : 0, 'federation'],
      [1, 'serviceEvent'],
      [1, 'consoleAction'],
    ]);
    // Drawn for every kind, even those that make their own: the draws are part of the sequence.
    const principal = r.pick(this.principalsOf(account));
    const base = baseRecord(r, account, region, time, principal);
    switch (kind) {
      case 's3':
        return s3Event(this, base, account, region);
      case 'ec2':
        return ec2Event(this, base, account, region);
      case 'kms':
        return kmsEvent(this, base, account, region);
      case 'redshift':
        return redshiftEvent(this, base, account, region);
      case 'redshiftData':
        return redshiftDataEvent(this, base, account, region, time);
      case 'lambda':
        return lambdaEvent(this, base, account, region);
      case 'dynamodb':
        return dynamodbEvent(this, base, account, region);
      case 'secrets':
        return secretsEvent(this, base, account, region);
      case 'logs':
        return logsEvent(this, base, region);
      case 'sts':
        return stsEvent(this, base, account, time);
      case 'iam':
        return iamEvent(this, base, account);
      case 'signin':
        return signinEvent(this, account, region, time);
      case 'federation':
        return federationEvent(this, account, region, time);
      case 'serviceEvent':
        return serviceEvent(this, account, region, time);
      default:
        return consoleActionEvent(this, account, region, time);
    }
  }

  /** The Start and End events of one Insight (an unusual API call rate). */
  insightPair(account: DemoAccount, region: string, start: Date, minutes: number): DemoRecord[] {
    return insightPair(this.random, account, region, start, minutes);
  }

  principalsOf(account: DemoAccount): readonly Principal[] {
    let list = this.#principals.get(account.id);
    if (list === undefined) {
      list = createPrincipals(this.random, account, this.#accounts);
      this.#principals.set(account.id, list);
    }
    return list;
  }
}
