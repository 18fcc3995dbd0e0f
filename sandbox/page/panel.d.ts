/** Types of panel.js (browser JS without a build step; the unit tests import it in Node). */
import type { AwsView } from '../sandbox-aws-view.js';

export interface PanelData {
  aws: AwsView;
  jobs?: { id: string; name: string; deploymentId?: string; dueAt: number }[];
}

export function slotColor(slot: string | undefined, index?: number): string;
/** `in 42s`, `in 3m 05s`, `now`; '' for anything that is not a finite number. */
export function dueIn(ms: unknown): string;
/** A finite number, or `fallback` (default 0). */
export function num(value: unknown, fallback?: number): number;
/** Tooltips of "Skip to next deadline" and "Run all now". */
export const SKIP_TITLE: string;
export const ALL_TITLE: string;
export function renderPanel(
  data: PanelData | null | undefined,
  opts?: { now?: number; canSkip?: boolean },
): string;
