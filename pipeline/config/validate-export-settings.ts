import type { ConfigLocation } from './config-location.js';
import { asRecord, checkKeys, integerField } from './config-fields.js';
import { DEFAULT_EXPORT_SETTINGS, type ExportSettings } from './opslake-config.js';

export const EXPORT_SETTINGS_KEYS = ['slotMinutes', 'latenessMinutes', 'concurrency'] as const;

const MINUTES_PER_DAY = 1440;

const SLOT_MINUTES = { min: 5, max: MINUTES_PER_DAY } as const;

const LATENESS_MINUTES = { min: 0, max: MINUTES_PER_DAY } as const;

const CONCURRENCY = { min: 1, max: 32 } as const;

/** Validates export settings; absent keys take DEFAULT_EXPORT_SETTINGS. */
export function validateExportSettings(raw: unknown, at: ConfigLocation): ExportSettings {
  if (raw === undefined) return { ...DEFAULT_EXPORT_SETTINGS };
  const record = asRecord(raw, at);
  checkKeys(record, EXPORT_SETTINGS_KEYS, at);

  const slotMinutes = integerField(record, 'slotMinutes', at, SLOT_MINUTES) ?? DEFAULT_EXPORT_SETTINGS.slotMinutes;
  // The lake names a slot's object by its UTC day; a slot that crossed midnight would belong
  // to two day partitions at once.
  if (MINUTES_PER_DAY % slotMinutes !== 0) {
    throw at
      .key('slotMinutes')
      .error(
        `${slotMinutes} does not divide a day (1440 minutes), so slots would cross UTC midnight; choose one of ${slotChoices().join(', ')}`,
      );
  }
  return {
    slotMinutes,
    latenessMinutes: integerField(record, 'latenessMinutes', at, LATENESS_MINUTES) ?? DEFAULT_EXPORT_SETTINGS.latenessMinutes,
    concurrency: integerField(record, 'concurrency', at, CONCURRENCY) ?? DEFAULT_EXPORT_SETTINGS.concurrency,
  };
}

function slotChoices(): number[] {
  const choices: number[] = [];
  for (let minutes = SLOT_MINUTES.min; minutes <= SLOT_MINUTES.max; minutes += 1) {
    if (MINUTES_PER_DAY % minutes === 0) choices.push(minutes);
  }
  return choices;
}
