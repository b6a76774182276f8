import type { SeededRandom } from '../seeded-random.js';

/** A CloudTrail record as the demo writes it (plain JSON). */
export type DemoRecord = Record<string, unknown>;

export interface DemoAccount {
  readonly id: string;
  readonly alias: string;
  /** Redshift clusters that live in this account (control-plane and Data API calls name them). */
  readonly clusters: readonly string[];
}

/** Who makes a call: the identity block, how they reach AWS and from where. */
export interface Principal {
  readonly identity: Record<string, unknown>;
  readonly console?: boolean;
  readonly agent: string;
  readonly ip: string;
}

/**
 * What every event builder draws from. All of them share one random stream, so the order in
 * which they draw is part of the trail: the same seed gives the same bytes only as long as it
 * stays the same.
 */
export interface DemoContext {
  readonly random: SeededRandom;
  /** The principals of an account, made once, when the account is first seen. */
  principalsOf(account: DemoAccount): readonly Principal[];
}

export interface FinishOptions {
  /** `[errorCode, errorMessage]` of a call that failed. */
  readonly error?: readonly [string, string] | undefined;
  /** The call may come through a VPC endpoint. */
  readonly vpce?: boolean;
}

const TLS = [
  { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256' },
  { tlsVersion: 'TLSv1.2', cipherSuite: 'ECDHE-RSA-AES128-GCM-SHA256' },
  { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_256_GCM_SHA384', keyExchange: 'X25519MLKEM768' },
] as const;

/** CloudTrail's eventTime form: `YYYY-MM-DDTHH:MM:SSZ`. */
export function iso(time: Date): string {
  return `${time.toISOString().slice(0, 19)}Z`;
}

/** The members every API call has, before the service fills in its own. */
export function baseRecord(r: SeededRandom, account: DemoAccount, region: string, time: Date, principal: Principal): DemoRecord {
  return {
    eventVersion: r.pick(['1.08', '1.09', '1.10', '1.11']),
    userIdentity: principal.identity,
    eventTime: iso(time),
    eventSource: '',
    eventName: '',
    awsRegion: region,
    sourceIPAddress: principal.ip,
    userAgent: principal.agent,
    requestParameters: null,
    responseElements: null,
    requestID: r.uuid(),
    eventID: r.uuid(),
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: account.id,
    eventCategory: 'Management',
    ...(principal.console ? { sessionCredentialFromConsole: 'true' } : {}),
  };
}

/** Adds what a call's delivery adds: its error, a VPC endpoint, a rare addendum, the TLS details. */
export function finishRecord(r: SeededRandom, event: DemoRecord, host: string, options: FinishOptions = {}): DemoRecord {
  const out: DemoRecord = { ...event };
  if (options.error) {
    out.errorCode = options.error[0];
    out.errorMessage = options.error[1];
    out.responseElements = null;
  }
  if (options.vpce && r.chance(0.3)) {
    out.vpcEndpointId = `vpce-${r.chars(17, '0123456789abcdef')}`;
    out.vpcEndpointAccountId = event.recipientAccountId;
  }
  if (r.chance(0.002)) out.addendum = { reason: 'DELIVERY_DELAY' };
  out.tlsDetails = { ...r.pick(TLS), clientProvidedHostHeader: host };
  return out;
}

/** Now and then a call fails: denied (with the service's own message), throttled, or invalid. */
export function maybeError(r: SeededRandom, denied: string): readonly [string, string] | undefined {
  if (!r.chance(0.04)) return undefined;
  return r.weighted<readonly [string, string]>([
    [5, ['AccessDenied', denied]],
    [2, ['ThrottlingException', 'Rate exceeded']],
    [1, ['ValidationException', "Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000"]],
  ]);
}

/** A public IPv4 address. */
export function publicIp(r: SeededRandom): string {
  return `${r.int(3, 223)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`;
}
