/** Metric time and traffic points for the traffic, gate and CloudWatch tests: whole minutes from T0. */

import type { SlotTraffic, TrafficPoint } from '../../src/domain/evidence.js';
import type { GateSettings } from '../../src/domain/service.js';

export const MIN = 60_000;
export const T0 = Date.UTC(2025, 2, 14, 10, 0);
export const at = (minutes: number): number => T0 + minutes * MIN;
export const NO_GATES: GateSettings = { alarms: [], autoRollback: false, watchIntervalMs: MIN };

/** Points at whole minutes from T0: [minute, requests, 5xx?, p99Ms?]. */
export function slot(name: string, rows: [number, number, number?, (number | null)?][]): SlotTraffic {
  return {
    slot: name,
    points: rows.map<TrafficPoint>(([m, requests, errors5xx = 0, p99Ms = null]) => ({
      at: at(m),
      requests,
      errors5xx,
      p99Ms,
    })),
  };
}
