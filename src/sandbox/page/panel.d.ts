/** Types of panel.js (browser JS without a build step; the unit tests import it in Node). */
import type { AwsView } from '../sandbox-aws-view.js';

export interface PanelData {
  aws: AwsView;
  jobs?: { id: string; name: string; deploymentId?: string; dueAt: number }[];
}

export function slotColor(slot: string | undefined, index?: number): string;
export function dueIn(ms: number): string;
export function renderPanel(
  data: PanelData | null | undefined,
  opts?: { now?: number; canSkip?: boolean },
): string;
