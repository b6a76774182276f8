import { describe, it } from 'vitest';
import { cluster, expectRejected, type InvalidCase, SOURCE } from './validate-config-support.js';

/** Documents refused for their shape, their export settings or their lake, state and catalog locations. */
describe('validateConfig', () => {
  describe('rejects invalid configurations, naming the parameter', () => {
    const invalid: InvalidCase[] = [
      { what: 'nothing at all', raw: null, parameter: SOURCE, message: 'is empty' },
      { what: 'a list at the top', raw: [cluster()], parameter: SOURCE, message: 'expected an object of key: value pairs, got a list' },
      {
        what: 'an unknown top-level key',
        raw: { clusterz: [] },
        parameter: `${SOURCE}: clusterz`,
        message: 'unknown key "clusterz" (did you mean clusters?)',
      },
      {
        what: 'an own __proto__ key',
        raw: JSON.parse('{"__proto__": {"polluted": true}}'),
        parameter: `${SOURCE}: __proto__`,
        message: 'unknown key "__proto__"',
      },
      {
        what: 'a misspelt export key',
        raw: { export: { slotMinute: 30 } },
        parameter: `${SOURCE}: export.slotMinute`,
        message: 'did you mean slotMinutes?',
      },
      {
        what: 'slots that do not divide a day',
        raw: { export: { slotMinutes: 7 } },
        parameter: `${SOURCE}: export.slotMinutes`,
        message: 'does not divide a day (1440 minutes), so slots would cross UTC midnight; choose one of 5, 6, 8, 9, 10',
      },
      {
        what: 'slots shorter than 5 minutes',
        raw: { export: { slotMinutes: 4 } },
        parameter: `${SOURCE}: export.slotMinutes`,
        message: '4 is out of range; choose a whole number from 5 to 1440',
      },
      {
        what: 'slots longer than a day',
        raw: { export: { slotMinutes: 2880 } },
        parameter: `${SOURCE}: export.slotMinutes`,
        message: 'from 5 to 1440',
      },
      {
        what: 'fractional slots',
        raw: { export: { slotMinutes: 60.5 } },
        parameter: `${SOURCE}: export.slotMinutes`,
        message: 'expected a whole number from 5 to 1440, got 60.5',
      },
      {
        what: 'slots as a string',
        raw: { export: { slotMinutes: '60' } },
        parameter: `${SOURCE}: export.slotMinutes`,
        message: 'got a string',
      },
      {
        what: 'negative lateness',
        raw: { export: { latenessMinutes: -1 } },
        parameter: `${SOURCE}: export.latenessMinutes`,
        message: 'from 0 to 1440',
      },
      {
        what: 'lateness over a day',
        raw: { export: { latenessMinutes: 1441 } },
        parameter: `${SOURCE}: export.latenessMinutes`,
        message: '1441 is out of range',
      },
      { what: 'no concurrency', raw: { export: { concurrency: 0 } }, parameter: `${SOURCE}: export.concurrency`, message: 'from 1 to 32' },
      {
        what: 'too much concurrency',
        raw: { export: { concurrency: 33 } },
        parameter: `${SOURCE}: export.concurrency`,
        message: '33 is out of range',
      },
      { what: 'export settings as a list', raw: { export: [60] }, parameter: `${SOURCE}: export`, message: 'got a list' },
      {
        what: 'a lake in an unknown scheme',
        raw: { lake: 'gs://bucket/lake' },
        parameter: `${SOURCE}: lake`,
        message: 'expected a folder or s3://bucket/prefix',
      },
      {
        what: 'a lake bucket that S3 would refuse',
        raw: { lake: 's3://My_Bucket/lake' },
        parameter: `${SOURCE}: lake`,
        message: '"My_Bucket" is not an S3 bucket name',
      },
      {
        what: 'a lake prefix that climbs',
        raw: { lake: 's3://bucket/lake/../other' },
        parameter: `${SOURCE}: lake`,
        message: 'no . or .. segments',
      },
      {
        what: 'a lake prefix with an empty segment',
        raw: { lake: 's3://bucket/lake//x' },
        parameter: `${SOURCE}: lake`,
        message: '"" is not allowed in the S3 prefix',
      },
      {
        what: 'a lake folder with a control character',
        raw: { lake: './la\u0000ke' },
        parameter: `${SOURCE}: lake`,
        message: 'contains a control character',
      },
      { what: 'an empty lake', raw: { lake: ' ' }, parameter: `${SOURCE}: lake`, message: 'is empty' },
      {
        what: 'a state table name DynamoDB would refuse',
        raw: { state: 'dynamodb://a' },
        parameter: `${SOURCE}: state`,
        message: 'is not a DynamoDB table name',
      },
      { what: 'a catalog in Glue', raw: { catalog: 'glue://db' }, parameter: `${SOURCE}: catalog`, message: 'expected a file path' },
    ];

    it.each(invalid)('rejects $what', (invalidCase) => expectRejected(invalidCase));
  });
});
