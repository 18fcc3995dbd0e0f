/**
 * The `/deploy` form: the modal that `/deploy` with no arguments opens. A service (those served in
 * the channel where `/deploy` was typed that the user may deploy), a slot with its live status, and
 * an optional reason. Submitting it requests exactly what `/deploy <service> <slot> <reason>`
 * requests, in that channel (src/slack/deploy-form.ts). Pure.
 */
import type { SlackMessage } from '../app/ports/slack.js';
import { MAX_REQUEST_REASON } from '../domain/commands/parsers.js';
import type { People } from '../domain/reasons.js';
import { utcTime } from '../domain/utc-time.js';
import { channelLink, clipLine, escapedMentionList, plainClip } from './format.js';
import { context, type KnownBlock, section } from './kit.js';
import { type ServiceOverview, slotDescription, slotStateText } from './service-overview.js';
import {
  inputBlock,
  type ModalView,
  modalView,
  option,
  type PlainTextOption,
  plainTextInput,
  staticSelect,
} from './view-kit.js';

/** The form's ids: its callback id, its blocks and their elements (the listeners read them back). */
export const DEPLOY_FORM = {
  callbackId: 'glv_deploy',
  serviceBlock: 'service',
  serviceAction: 'glv_service',
  /** The slot block's id starts with this; the service shown is appended once one is chosen. */
  slotBlock: 'slot',
  slotAction: 'glv_slot',
  reasonBlock: 'reason',
  reasonAction: 'glv_reason',
} as const;

/** The slot menu's option value: `<service>/<slot>` (neither may hold `/`). */
export function slotOptionValue(service: string, slot: string): string {
  return `${service}/${slot}`;
}

/** The slot block's id for the service shown (`slot` while the menu lists every service's slots). */
export function slotBlockId(selected: string | undefined): string {
  return selected === undefined ? DEPLOY_FORM.slotBlock : `${DEPLOY_FORM.slotBlock}.${selected}`;
}

export interface DeployFormModel {
  /** The channel `/deploy` was typed in: the request is made there. */
  channelId: string;
  /** Services the form offers: served in this channel, and the user may deploy them. */
  services: ServiceOverview[];
  /** The chosen service (its slots alone are listed), if any. */
  selected?: string;
  /** Services the user may deploy that other channels serve (the form names their channels). */
  elsewhere: { name: string; channel: string }[];
  /** Services of this channel the user may not request, with who may. */
  notAllowed: { name: string; allowed: People }[];
  /** When the slots' status was read; undefined while it is being read (the first view). */
  readAt?: number;
}

/** What the form carries to its submission (Slack returns it as is, at most 3000 characters). */
export interface DeployFormMetadata {
  channel: string;
}

function liveSummary(s: ServiceOverview): string | undefined {
  if (s.live === undefined) return undefined;
  if (s.live === null) return 'no slot is live';
  if (s.live === 'mixed') return 'traffic split between slots';
  return `live: ${s.live}`;
}

function serviceOption(s: ServiceOverview): PlainTextOption {
  return option(s.name, s.name, liveSummary(s));
}

function slotOptions(s: ServiceOverview): PlainTextOption[] {
  return s.slots.map((slot) =>
    option(
      `${slot.name} — ${slotStateText(slot)}`,
      slotOptionValue(s.name, slot.name),
      slotDescription(slot),
    ),
  );
}

function statusHint(m: DeployFormModel): string {
  if (m.readAt === undefined) return 'Reading which slot is live…';
  const sources = new Set(m.services.map((s) => s.liveSource).filter((x) => x !== undefined));
  const from =
    sources.size === 1 && sources.has('records')
      ? 'from the last deployments (the load balancer could not be read)'
      : 'from the load balancer';
  return `Live status ${from}, as of ${utcTime(m.readAt)}. The precheck reads it again before anything moves.`;
}

function notes(m: DeployFormModel): KnownBlock[] {
  const lines: string[] = [];
  for (const n of m.notAllowed.slice(0, 10)) {
    lines.push(`You may not request *${clipLine(n.name, 40)}*: ask ${escapedMentionList(n.allowed, 5)}.`);
  }
  if (m.elsewhere.length > 0) {
    const shown = m.elsewhere
      .slice(0, 10)
      .map((e) => `*${clipLine(e.name, 40)}* in ${channelLink(e.channel)}`)
      .join(', ');
    const more = m.elsewhere.length > 10 ? ` and ${m.elsewhere.length - 10} more` : '';
    lines.push(`Requested in their own channels: ${shown}${more}.`);
  }
  return lines.length > 0 ? [context(lines.join('\n'))] : [];
}

function metadata(m: DeployFormModel): string {
  const meta: DeployFormMetadata = { channel: m.channelId };
  return JSON.stringify(meta);
}

/** The form with nothing to offer: why, and where to go instead. */
function nothingToOffer(m: DeployFormModel): ModalView {
  return modalView({
    callbackId: DEPLOY_FORM.callbackId,
    title: 'Deploy',
    close: 'Close',
    privateMetadata: metadata(m),
    blocks: [
      section(
        `No service you may deploy is served in ${channelLink(m.channelId)}. Deployments are requested in the service's own channel.`,
      ),
      ...notes(m),
    ],
  });
}

/** The `/deploy` form as it should look now. */
export function deployForm(m: DeployFormModel): ModalView {
  if (m.services.length === 0) return nothingToOffer(m);
  const selected =
    m.selected !== undefined && m.services.some((s) => s.name === m.selected)
      ? m.selected
      : m.services.length === 1
        ? m.services[0]?.name
        : undefined;
  const shown = m.services.find((s) => s.name === selected);
  const slotSelect = staticSelect({
    actionId: DEPLOY_FORM.slotAction,
    placeholder: shown ? `A slot of ${shown.name}` : 'A slot',
    ...(shown
      ? { options: slotOptions(shown) }
      : { groups: m.services.map((s) => ({ label: s.name, options: slotOptions(s) })) }),
  });
  const blocks: KnownBlock[] = [
    section(
      `Switch a service's production traffic to another slot in ${channelLink(m.channelId)}. Greenlight checks the slot, asks an approver in the thread, then switches; the old slot is kept for rollback.`,
    ),
    inputBlock({
      blockId: DEPLOY_FORM.serviceBlock,
      label: 'Service',
      element: staticSelect({
        actionId: DEPLOY_FORM.serviceAction,
        placeholder: 'Choose a service',
        options: m.services.map(serviceOption),
        ...(selected !== undefined ? { initial: selected } : {}),
      }),
      dispatchAction: true,
    }),
    inputBlock({
      blockId: slotBlockId(selected),
      label: 'Switch traffic to slot',
      element: slotSelect,
      hint: statusHint(m),
    }),
    inputBlock({
      blockId: DEPLOY_FORM.reasonBlock,
      label: 'Reason',
      element: plainTextInput(
        DEPLOY_FORM.reasonAction,
        MAX_REQUEST_REASON,
        'e.g. 1.42.0: new pricing, JIRA-123',
      ),
      hint: 'Shown to approvers and kept in the audit.',
      optional: true,
    }),
    ...notes(m),
  ];
  return modalView({
    callbackId: DEPLOY_FORM.callbackId,
    title: 'Deploy',
    submit: 'Request',
    close: 'Cancel',
    privateMetadata: metadata(m),
    blocks,
  });
}

/** Slack shows a form error as plain text, so a reply's mrkdwn is flattened: `<@U1>` → `@U1`. */
const FORM_ERROR_MAX = 500;

/**
 * A reply (a refusal) as the plain text Slack shows under a form field: mentions, channels and
 * dates as their readable part, links as their label, bold and code marks dropped, entities decoded.
 */
export function formErrorText(m: SlackMessage): string {
  const flat = m.text
    .replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, '@$1')
    .replace(/<#([CG][A-Z0-9]+)\|([^>]+)>/g, '#$2')
    .replace(/<#([CG][A-Z0-9]+)>/g, '#$1')
    .replace(/<!subteam\^(S[A-Z0-9]+)(?:\|([^>]*))?>/g, (_, id: string, label?: string) => label || `@${id}`)
    .replace(/<!date\^[^|>]*\|([^>]*)>/g, '$1')
    .replace(/<[^|<>]+\|([^<>]+)>/g, '$1')
    .replace(/[*`]/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  return plainClip(flat, FORM_ERROR_MAX);
}
