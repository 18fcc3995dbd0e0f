/**
 * The App Home tab: every configured service with its live slot and slots, its active deployment
 * (state, who, since when), its last outcome, and the slots still running after its last cutover
 * (kept for rollback, or kept past their soak). Published for each person who opens it. Pure.
 */
import { formatMoney } from '../domain/cost.js';
import { type Deployment, STATE_LABEL } from '../domain/deployment.js';
import { previousSlot, STATE_EMOJI } from './common.js';
import { capList, channelLink, clipLine, code, mention, slackDate, slot } from './format.js';
import { context, divider, header, type KnownBlock, section } from './kit.js';
import {
  type ServiceOverview,
  type SlotOverview,
  slotStateText,
  slotVersionText,
} from './service-overview.js';
import { roughAge } from './status-list.js';
import { type HomeView, homeView, VIEW_LIMITS } from './view-kit.js';

export const APP_HOME_CALLBACK_ID = 'glv_home';

/** Blocks before and after the services: header, intro, summary, divider; the closing note. */
const FRAME_BLOCKS = 5;
/** Each service is one section and one divider; past this many the rest are counted, not shown. */
export const MAX_HOME_SERVICES = Math.floor((VIEW_LIMITS.blocks - FRAME_BLOCKS - 1) / 2);

export interface AppHomeModel {
  services: ServiceOverview[];
  now: number;
}

function liveLine(s: ServiceOverview): string {
  const from =
    s.liveSource === 'records' ? ' _(per the last deployment: the load balancer could not be read)_' : '';
  if (s.live === undefined)
    return 'Live: _unknown_ — the load balancer could not be read and no deployment says';
  if (s.live === null) return `Live: _no slot_ — no production forward names one of its slots${from}`;
  if (s.live === 'mixed')
    return `Live: _split_ — production forwards send traffic to more than one slot${from}`;
  return `Live: ${slot(s.live)}${from}`;
}

/** `• *green* — live`, then the slot's version on its own line once versions are known. */
function slotLines(s: SlotOverview): string[] {
  const version = slotVersionText(s);
  return [`• ${slot(s.name)} — ${slotStateText(s)}`, ...(version ? [`    ${version}`] : [])];
}

/**
 * The active deployment. Not its reason: the Home tab is open to every member of the workspace,
 * and the reason was written for the service's channel, which may be private.
 */
function activeLine(d: Deployment): string {
  const approved = d.approvedBy ? `, approved by ${mention(d.approvedBy)}` : '';
  return (
    `Active: ${STATE_EMOJI[d.state]} *${STATE_LABEL[d.state]}* → ${slot(d.toSlot)} · ${code(d.id, 80)} ` +
    `requested by ${mention(d.requester)} ${slackDate(d.createdAt)}${approved}` +
    (d.state !== 'requested' ? ` · ${STATE_LABEL[d.state]} since ${slackDate(d.updatedAt)}` : '')
  );
}

function lastLine(d: Deployment): string {
  return `Last: ${STATE_EMOJI[d.state]} ${STATE_LABEL[d.state]} → ${slot(d.toSlot)} ${slackDate(d.finishedAt ?? d.updatedAt)} by ${mention(d.requester)}`;
}

/** A slot still running after the last cutover: kept for rollback until…, past its soak, or left. */
function keptLine(s: ServiceOverview, now: number): string[] {
  return s.kept.map((k) => {
    const cost = k.cost !== undefined ? ` · ${formatMoney(k.cost)} so far` : '';
    const a = s.active;
    if (a && a.id === k.deploymentId && a.state === 'soaking' && a.teardownAt !== undefined) {
      const old = slot(previousSlot(a));
      return a.teardownAt > now
        ? `• ${old} kept for rollback until ${slackDate(a.teardownAt)}${cost}`
        : `• ⚠️ ${old} kept past its soak: teardown was due ${slackDate(a.teardownAt)}${cost}`;
    }
    return `• ⚠️ ${slot(k.slot)} running ${roughAge(k.ageMs)} after the last cutover — ${clipLine(k.why, 200)}${cost}`;
  });
}

/** Lines of one kind a service shows at most; the rest are counted (`/deploy status` has them all). */
export const MAX_HOME_LINES = 8;

/**
 * One service: one section. Slots and kept slots are capped at MAX_HOME_LINES each, with a count
 * of the rest; whatever is left over Slack's 3000 characters is cut by `section`.
 */
function serviceBlock(s: ServiceOverview, now: number): KnownBlock {
  const more = (what: string) => (n: number) =>
    `_…and ${n} more ${what}: \`/deploy status ${clipLine(s.name, 40)}\` lists them_`;
  const lines = [
    `*${clipLine(s.name, 40)}* · ${channelLink(s.channel)}`,
    liveLine(s),
    ...s.slots.slice(0, MAX_HOME_LINES).flatMap(slotLines),
    ...(s.slots.length > MAX_HOME_LINES ? [more('slots')(s.slots.length - MAX_HOME_LINES)] : []),
  ];
  if (s.active) lines.push(activeLine(s.active));
  else if (s.last) lines.push(lastLine(s.last));
  else lines.push('No deployment yet.');
  const kept = keptLine(s, now);
  if (kept.length > 0)
    lines.push('Still running after the last cutover:', ...capList(kept, MAX_HOME_LINES, more('slots')));
  return section(lines.join('\n'));
}

/** The App Home tab as it should look now. */
export function appHome(m: AppHomeModel): HomeView {
  const busy = m.services.filter((s) => s.active).length;
  const kept = m.services.reduce((n, s) => n + s.kept.length, 0);
  const shown = m.services.slice(0, MAX_HOME_SERVICES);
  const hidden = m.services.length - shown.length;
  const blocks: KnownBlock[] = [
    header('Greenlight'),
    section(
      'Blue-green cutovers on the load balancer, approved and verified in Slack. Type `/deploy` in a service’s channel for the request form, or `/deploy &lt;service&gt; &lt;slot&gt; [reason]`.',
    ),
    context(
      `${m.services.length} service(s) · ${busy} with an active deployment · ${kept} slot(s) still running after a cutover · as of ${slackDate(m.now)}`,
    ),
    divider(),
    ...shown.flatMap((s) => [serviceBlock(s, m.now), divider()]),
  ];
  if (hidden > 0)
    blocks.push(
      section(
        `_…and ${hidden} more service(s) not shown here (a tab holds 100 blocks): \`/deploy status\` lists them all._`,
      ),
    );
  if (m.services.length === 0) blocks.push(section('No services are configured.'));
  blocks.push(context('Open this tab again to refresh it. `/deploy help` lists every command.'));
  return homeView(APP_HOME_CALLBACK_ID, blocks);
}
