import { describe, expect, it } from 'vitest';
import { DEFAULT_COMPACTION_SETTINGS, validateCompactionSettings } from '../../../pipeline/config/compaction-settings.js';
import { ConfigLocation } from '../../../pipeline/config/config-location.js';
import { ConfigError } from '../../../pipeline/errors.js';

describe('validateCompactionSettings', () => {
  const at = new ConfigLocation('opslake.yaml').key('compaction');

  it('takes the defaults for what is left out', () => {
    expect(validateCompactionSettings(undefined, at)).toEqual(DEFAULT_COMPACTION_SETTINGS);
    expect(validateCompactionSettings({ graceMinutes: 0 }, at)).toEqual({ ...DEFAULT_COMPACTION_SETTINGS, graceMinutes: 0 });
  });

  it('names the key of a value out of range, and an unknown key', () => {
    expect(() => validateCompactionSettings({ cloudtrailLatenessMinutes: 5 }, at)).toThrow(
      /compaction\.cloudtrailLatenessMinutes.*from 15 to 2880/,
    );
    expect(() => validateCompactionSettings({ targetFile: 64 }, at)).toThrow(ConfigError);
  });
});
