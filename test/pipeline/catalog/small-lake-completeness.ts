import { type Row, SMALL_LAKE, ts } from './small-lake-facts.js';

/** Rows of `cloudtrail_completeness` as `opslake cloudtrail verify` writes them: a day that checks out, a day with findings. */
export function completenessRows(): Map<string, Row[]> {
  const { account, region } = SMALL_LAKE;
  const [day1, day2] = SMALL_LAKE.days;
  const hash = (digit: string) => digit.repeat(64);
  const base = (day: string, hour: number) => ({
    account,
    region,
    day,
    hour: ts(day, hour),
    source: 'acme-trail',
    verified_at: ts(day2, 23, 30),
    ledger_status: 'ingested',
    detail: null,
  });
  const log = (day: string, name: string) =>
    `AWSLogs/${account}/CloudTrail/${region}/${day.replaceAll('-', '/')}/${account}_CloudTrail_${region}_${name}.json.gz`;
  const digestKey = (day: string, hour: number) =>
    `AWSLogs/${account}/CloudTrail-Digest/${region}/${day.replaceAll('-', '/')}/` +
    `${account}_CloudTrail-Digest_${region}_t_${region}_${day.replaceAll('-', '')}T${String(hour + 1).padStart(2, '0')}0031Z.json.gz`;
  const verified = (day: string, hour: number, name: string): Row => ({
    ...base(day, hour),
    kind: 'log',
    status: 'verified',
    finding: false,
    file_key: log(day, name),
    digest_key: digestKey(day, hour),
    expected_sha256: hash('a'),
    actual_sha256: hash('a'),
  });
  const rows: Row[] = [
    verified(day1, 9, '20240304T0910Z_a'),
    verified(day1, 9, '20240304T0940Z_b'),
    verified(day2, 2, '20240305T0215Z_c'),
    {
      ...base(day2, 2),
      kind: 'log',
      status: 'missing',
      finding: true,
      file_key: SMALL_LAKE.completeness.missing,
      digest_key: digestKey(day2, 2),
      expected_sha256: hash('b'),
      actual_sha256: null,
      ledger_status: null,
      detail: 'named by a digest; no ingestion of it is recorded',
    },
    {
      ...base(day2, 2),
      kind: 'log',
      status: 'hash-mismatch',
      finding: true,
      file_key: SMALL_LAKE.completeness.changed,
      digest_key: digestKey(day2, 2),
      expected_sha256: hash('c'),
      actual_sha256: hash('d'),
      detail: 'its content is not what CloudTrail delivered: the SHA-256 differs from the digest',
    },
    ...[
      [day1, 9, 'digest-verified', false],
      [day2, 2, 'signature-invalid', true],
    ].map(([day, hour, status, finding]) => ({
      ...base(String(day), Number(hour)),
      kind: 'digest',
      status: String(status),
      finding: Boolean(finding),
      file_key: digestKey(String(day), Number(hour)),
      digest_key: null,
      expected_sha256: null,
      actual_sha256: null,
      ledger_status: null,
      detail: finding ? 'the signature does not match the digest: it was forged or the digest was altered' : null,
    })),
  ];
  return new Map([['cloudtrail_completeness', rows]]);
}
