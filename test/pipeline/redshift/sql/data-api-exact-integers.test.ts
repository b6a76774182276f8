import { describe, expect, it } from 'vitest';
import { quoteUnsafeLongValues } from '../../../../pipeline/redshift/sql/data-api-exact-integers.js';

describe('quoteUnsafeLongValues', () => {
  const decode = (json: string) => new TextDecoder().decode(quoteUnsafeLongValues(new TextEncoder().encode(json)));

  it('quotes a longValue beyond 2^53 and leaves safe ones and string contents alone', () => {
    const body =
      '{"Records":[[{"longValue":9007199254740993},{"longValue": -9223372036854775808 },' +
      '{"longValue":9007199254740991},{"stringValue":"\\"longValue\\":12345678901234567890"}]]}';

    expect(decode(body)).toBe(
      '{"Records":[[{"longValue":"9007199254740993"},{"longValue":"-9223372036854775808" },' +
        '{"longValue":9007199254740991},{"stringValue":"\\"longValue\\":12345678901234567890"}]]}',
    );
  });
});
