import { describe, expect, it } from 'vitest';
import { planSlots, type SlotPlanInput } from '../../../pipeline/redshift/slot-planner.js';
import { slotEnd, slotFloor } from '../../../pipeline/redshift/slot-time.js';

const t = (iso: string) => new Date(`${iso}Z`);
const base: SlotPlanInput = {
  sealedThrough: null,
  oldestInView: null,
  clusterHorizon: null,
  now: t('2026-11-20T12:30:00'),
  slotMinutes: 60,
  latenessMinutes: 15,
};
const bounds = (plan: ReturnType<typeof planSlots>) =>
  plan.slots.map(
    (slot) => `${slot.start.toISOString().slice(11, 16)}-${slot.end.toISOString().slice(11, 16)}${slot.sealed ? ' sealed' : ''}`,
  );

describe('SlotPlanner', () => {
  it('plans nothing on a first run over an empty view', () => {
    expect(planSlots(base)).toEqual({ slots: [], gap: null, start: null });
  });

  it('starts a first run at the slot of the oldest row still in the view', () => {
    const plan = planSlots({ ...base, oldestInView: t('2026-11-20T09:42:13'), clusterHorizon: t('2026-11-20T09:42:13') });
    expect(plan.start).toEqual(t('2026-11-20T09:00:00'));
    expect(bounds(plan)).toEqual(['09:00-10:00 sealed', '10:00-11:00 sealed', '11:00-12:00 sealed', '12:00-13:00']);
  });

  it('seals a slot only after end + lateness has passed on the cluster clock', () => {
    const at = (now: string) => bounds(planSlots({ ...base, sealedThrough: t('2026-11-20T11:00:00'), now: t(now) }));
    expect(at('2026-11-20T12:14:59')).toEqual(['11:00-12:00', '12:00-13:00']);
    expect(at('2026-11-20T12:15:00')).toEqual(['11:00-12:00 sealed', '12:00-13:00']);
  });

  it('seals no slot ending after the seal limit, however late it is, and seals up to it', () => {
    const at = (limit: string | null) =>
      bounds(
        planSlots({
          ...base,
          sealedThrough: t('2026-11-20T08:00:00'),
          now: t('2026-11-20T12:30:00'),
          sealLimit: limit === null ? null : t(limit),
        }),
      );
    expect(at(null)).toEqual(['08:00-09:00 sealed', '09:00-10:00 sealed', '10:00-11:00 sealed', '11:00-12:00 sealed', '12:00-13:00']);
    // A statement finished running at 09:40 and is not final yet: its slot and every later one wait.
    expect(at('2026-11-20T09:40:00')).toEqual(['08:00-09:00 sealed', '09:00-10:00', '10:00-11:00', '11:00-12:00', '12:00-13:00']);
    // A limit on a slot boundary still seals the slot that ends there.
    expect(at('2026-11-20T10:00:00')).toEqual(['08:00-09:00 sealed', '09:00-10:00 sealed', '10:00-11:00', '11:00-12:00', '12:00-13:00']);
  });

  it('resumes at the watermark and never re-plans sealed slots', () => {
    const plan = planSlots({ ...base, sealedThrough: t('2026-11-20T11:00:00'), oldestInView: t('2026-11-13T00:00:01') });
    expect(plan.slots[0]?.start).toEqual(t('2026-11-20T11:00:00'));
    expect(plan.gap).toBeNull();
  });

  it('includes the open slot that contains now, unsealed', () => {
    const plan = planSlots({ ...base, sealedThrough: t('2026-11-20T12:00:00') });
    expect(bounds(plan)).toEqual(['12:00-13:00']);
  });

  it('never lets a slot cross UTC midnight, whatever the slot length', () => {
    const plan = planSlots({
      ...base,
      sealedThrough: t('2026-11-19T21:00:00'),
      now: t('2026-11-20T05:00:00'),
      slotMinutes: 7 * 60,
    });
    expect(plan.slots.map((slot) => [slot.start.toISOString(), slot.end.toISOString()])).toEqual([
      ['2026-11-19T21:00:00.000Z', '2026-11-20T00:00:00.000Z'],
      ['2026-11-20T00:00:00.000Z', '2026-11-20T07:00:00.000Z'],
    ]);
    for (const slot of plan.slots)
      expect(slot.start.toISOString().slice(0, 10)).toBe(new Date(slot.end.getTime() - 1).toISOString().slice(0, 10));
  });

  it('records a gap when the cluster no longer holds rows as old as the watermark', () => {
    const plan = planSlots({
      ...base,
      sealedThrough: t('2026-11-10T08:00:00'),
      oldestInView: t('2026-11-13T12:34:56'),
      clusterHorizon: t('2026-11-13T12:30:00'),
      now: t('2026-11-20T12:30:00'),
    });
    expect(plan.gap).toEqual({ from: t('2026-11-10T08:00:00'), to: t('2026-11-13T12:00:00') });
    expect(plan.slots[0]?.start).toEqual(t('2026-11-13T12:00:00'));
  });

  it('does not call a quiet sparse view a gap while the cluster still holds older rows', () => {
    const plan = planSlots({
      ...base,
      sealedThrough: t('2026-11-20T10:00:00'),
      oldestInView: t('2026-11-20T12:10:00'),
      clusterHorizon: t('2026-11-13T12:30:00'),
    });
    expect(plan.gap).toBeNull();
    expect(plan.slots[0]?.start).toEqual(t('2026-11-20T10:00:00'));
  });

  it('keeps rows of a sparse view that survive past the horizon when recording a gap', () => {
    const plan = planSlots({
      ...base,
      sealedThrough: t('2026-11-10T00:00:00'),
      oldestInView: t('2026-11-12T05:10:00'),
      clusterHorizon: t('2026-11-13T00:00:00'),
    });
    expect(plan.gap).toEqual({ from: t('2026-11-10T00:00:00'), to: t('2026-11-12T05:00:00') });
  });

  it('floors to slots that start at midnight', () => {
    expect(slotFloor(t('2026-11-20T00:44:59'), 15)).toEqual(t('2026-11-20T00:30:00'));
    expect(slotEnd(t('2026-11-20T23:30:00'), 60)).toEqual(t('2026-11-21T00:00:00'));
  });
});
