import type { SlackMessage } from '../app/ports/slack.js';
import { requestReason } from '../domain/commands/parsers.js';
import { commandSpec, type IntentFor } from '../domain/commands/table.js';
import { beforeDeadline, TOO_LATE } from '../domain/deadline.js';
import type { ServiceConfig } from '../domain/service.js';
import { errorMessage } from '../errors.js';
import {
  DEPLOY_FORM,
  type DeployFormMetadata,
  type DeployFormModel,
  deployForm,
  formErrorText,
  INTERNAL_ERROR,
} from '../messages/index.js';
import type { Logger } from '../ops/logger.js';
import { type RequestReply, requestCommand } from './command-handler.js';
import { slackErrorOf, type ViewsClient } from './counted-web-client.js';
import { configOverview, readOverviews } from './service-overview.js';
import { actorFor, type WebContext } from './web-context.js';

export interface FormContext {
  userId: string;
  /** The channel `/deploy` was typed in. */
  channelId: string;
  /** The service chosen in the form, if any. */
  selected?: string;
}

const servicesIn = (ctx: WebContext, channelId: string): ServiceConfig[] =>
  Object.values(ctx.config.services).filter((s) => s.channel === channelId);

/** The form before anything was read: the channel's services and their slots, status unknown. */
export function firstFormModel(ctx: WebContext, form: FormContext): DeployFormModel {
  const here = servicesIn(ctx, form.channelId);
  return {
    channelId: form.channelId,
    services: here.map(configOverview),
    ...(form.selected !== undefined ? { selected: form.selected } : {}),
    elsewhere: here.length > 0 ? [] : elsewhere(ctx, form.channelId),
    notAllowed: [],
  };
}

function elsewhere(ctx: WebContext, channelId: string): DeployFormModel['elsewhere'] {
  return Object.values(ctx.config.services)
    .filter((s) => s.channel !== channelId)
    .map((s) => ({ name: s.name, channel: s.channel }));
}

/**
 * The form filled in: the channel's services the user may request (as `/deploy <service> <slot>`
 * authorizes), each slot's live status and health, and who may request the others.
 */
export async function formModel(ctx: WebContext, form: FormContext): Promise<DeployFormModel> {
  const here = servicesIn(ctx, form.channelId);
  // The authorization `/deploy <service> <slot>` applies (its intent in the command table).
  const { authorize } = commandSpec('deploy').intent as IntentFor<'request'>;
  const decisions = await Promise.all(
    here.map(async (svc) => authorize(svc, await actorFor(ctx, svc, form.userId))),
  );
  const allowed = here.filter((_, i) => decisions[i]?.ok);
  const notAllowed = here.flatMap((svc, i) => {
    const d = decisions[i];
    return d && !d.ok && d.reason.code === 'not_deployer'
      ? [{ name: svc.name, allowed: d.reason.params.allowed }]
      : [];
  });
  const readAt = ctx.clock.now();
  return {
    channelId: form.channelId,
    // Once a service is chosen only its slots are listed: only its health and tags are read.
    services: await readOverviews(ctx, allowed, {
      health: true,
      liveVersions: true,
      ...(form.selected !== undefined ? { only: form.selected } : {}),
    }),
    ...(form.selected !== undefined ? { selected: form.selected } : {}),
    elsewhere: allowed.length > 0 ? [] : elsewhere(ctx, form.channelId),
    notAllowed,
    readAt,
  };
}

/** Replaces the open form with one filled in for `form`; a form changed or closed meanwhile is left alone. */
export async function refreshDeployForm(
  ctx: WebContext,
  client: ViewsClient,
  log: Logger,
  view: { id: string; hash?: string },
  form: FormContext,
): Promise<void> {
  const filled = deployForm(await formModel(ctx, form));
  try {
    await client.views.update({ view_id: view.id, ...(view.hash ? { hash: view.hash } : {}), view: filled });
  } catch (err) {
    const code = slackErrorOf(err);
    // hash_conflict: the user changed the form meanwhile (that change refreshes it); not_found: closed.
    if (code === 'hash_conflict' || code === 'not_found') log.debug({ code }, 'deploy form not refreshed');
    else log.warn({ err: code, user: form.userId }, 'deploy form could not be refreshed');
  }
}

/**
 * `/deploy` with no arguments: opens the form with the command's trigger id at once, then fills it
 * in. False when Slack would not open it (the caller answers with the usage instead).
 */
export async function openDeployForm(
  ctx: WebContext,
  client: ViewsClient,
  log: Logger,
  input: FormContext & { triggerId: string },
): Promise<boolean> {
  let opened: { id?: string; hash?: string } | undefined;
  try {
    const res = await client.views.open({
      trigger_id: input.triggerId,
      view: deployForm(firstFormModel(ctx, input)),
    });
    opened = res.view;
  } catch (err) {
    log.warn({ err: slackErrorOf(err), user: input.userId }, 'deploy form could not be opened');
    return false;
  }
  if (opened?.id) {
    const view = { id: opened.id, ...(opened.hash ? { hash: opened.hash } : {}) };
    // The form is open and usable as it is: a failure to fill it in is logged, not shown.
    await refreshDeployForm(ctx, client, log, view, input).catch((err: unknown) => {
      log.warn({ err: errorMessage(err), user: input.userId }, 'deploy form could not be filled in');
    });
  }
  return true;
}

/** The parts of a submitted view the form reads (Bolt's `ViewOutput` has them). */
export interface SubmittedView {
  private_metadata?: string;
  blocks?: readonly { block_id?: string }[];
  state: {
    values: Record<
      string,
      Record<string, { value?: string | null; selected_option?: { value?: string } | null } | undefined>
    >;
  };
}

export interface DeployFormInput {
  channelId: string;
  service: string;
  slot: string;
  reason?: string;
}

export type FormReading = { ok: true; form: DeployFormInput } | { ok: false; errors: Record<string, string> };

const list = (names: string[]) => names.join(', ');

/** The channel the form was opened in, from its metadata; null when it is not ours. */
export function formChannel(metadata: string | undefined): string | null {
  try {
    const meta = JSON.parse(metadata ?? '') as Partial<DeployFormMetadata>;
    return typeof meta.channel === 'string' && /^[CGD][A-Z0-9]{1,40}$/.test(meta.channel)
      ? meta.channel
      : null;
  } catch {
    return null;
  }
}

/** The slot block's id in this view (it names the service shown), or the plain one. */
function slotBlockOf(view: SubmittedView): string {
  const ids = [...(view.blocks ?? []).map((b) => b.block_id), ...Object.keys(view.state.values)].filter(
    (id): id is string => typeof id === 'string',
  );
  return (
    ids.find((id) => id === DEPLOY_FORM.slotBlock || id.startsWith(`${DEPLOY_FORM.slotBlock}.`)) ??
    DEPLOY_FORM.slotBlock
  );
}

/**
 * What the submitted form asks for, checked against the configuration as the command parser
 * checks `/deploy <service> <slot> [reason…]`; or, per input block, what is wrong. Pure.
 */
export function readDeployForm(view: SubmittedView, services: Record<string, ServiceConfig>): FormReading {
  const values = view.state.values;
  const slotBlock = slotBlockOf(view);
  const channelId = formChannel(view.private_metadata);
  if (channelId === null) {
    return {
      ok: false,
      errors: {
        [DEPLOY_FORM.serviceBlock]:
          'This form does not say which channel it was opened in. Close it and type /deploy again in the service’s channel.',
      },
    };
  }
  const serviceName = values[DEPLOY_FORM.serviceBlock]?.[DEPLOY_FORM.serviceAction]?.selected_option?.value;
  const configured = Object.keys(services);
  if (!serviceName) return { ok: false, errors: { [DEPLOY_FORM.serviceBlock]: 'Choose a service.' } };
  const svc = Object.hasOwn(services, serviceName) ? services[serviceName] : undefined;
  if (!svc) {
    return {
      ok: false,
      errors: {
        [DEPLOY_FORM.serviceBlock]: `“${serviceName}” is not a configured service. Configured: ${list(configured)}.`,
      },
    };
  }
  const slots = Object.keys(svc.slots);
  const picked = values[slotBlock]?.[DEPLOY_FORM.slotAction]?.selected_option?.value;
  const errors: Record<string, string> = {};
  let slot: string | undefined;
  if (!picked) {
    errors[slotBlock] = `Choose the slot of ${svc.name} to switch to: ${list(slots)}.`;
  } else {
    const cut = picked.indexOf('/');
    const ofService = cut === -1 ? svc.name : picked.slice(0, cut);
    const name = cut === -1 ? picked : picked.slice(cut + 1);
    if (ofService !== svc.name)
      errors[slotBlock] =
        `${name} is a slot of ${ofService}, not of ${svc.name}: choose one of ${list(slots)}.`;
    else if (!Object.hasOwn(svc.slots, name))
      errors[slotBlock] = `${svc.name} has no slot “${name}”: choose one of ${list(slots)}.`;
    else slot = name;
  }
  // Cleaned and bounded as a typed reason is.
  const typed = requestReason(values[DEPLOY_FORM.reasonBlock]?.[DEPLOY_FORM.reasonAction]?.value ?? '');
  if ('problem' in typed) errors[DEPLOY_FORM.reasonBlock] = typed.problem;
  const reason = 'reason' in typed ? typed.reason : undefined;
  if (Object.keys(errors).length > 0 || slot === undefined) return { ok: false, errors };
  return {
    ok: true,
    form: { channelId, service: svc.name, slot, ...(reason ? { reason } : {}) },
  };
}

/** The request the form makes: `/deploy <service> <slot> [reason…]` typed in its channel by `userId`. */
export function requestFromForm(
  ctx: WebContext,
  form: DeployFormInput,
  userId: string,
): Promise<RequestReply> {
  return requestCommand(
    ctx,
    {
      name: 'deploy',
      service: form.service,
      slot: form.slot,
      ...(form.reason !== undefined ? { reason: form.reason } : {}),
    },
    { command: '/deploy', text: '', userId, channelId: form.channelId },
  );
}

/** How Slack is answered for a submission: errors under the fields, or the form closed. */
export type SubmissionAnswer = { response_action: 'errors'; errors: Record<string, string> } | undefined;

export interface SubmissionDeps {
  /** Answers Slack (at most once, within 3 s). */
  ack(answer: SubmissionAnswer): Promise<void>;
  log: Logger;
  /** How long the request may take before Slack is answered and the outcome is posted instead. */
  budgetMs: number;
}

/**
 * A submitted form: problems with what was chosen go back under their fields; otherwise the
 * request is made as the command makes it. A refusal (not allowed, service busy) goes back under
 * the service when it comes within the budget, else as an ephemeral reply in the channel, where
 * an accepted request's note goes too.
 */
export async function submitDeployForm(
  ctx: WebContext,
  submitted: { view: SubmittedView; userId: string },
  deps: SubmissionDeps,
): Promise<void> {
  const reading = readDeployForm(submitted.view, ctx.config.services);
  if (!reading.ok) return deps.ack({ response_action: 'errors', errors: reading.errors });
  const { form } = reading;
  const work = requestFromForm(ctx, form, submitted.userId).catch((err: unknown): RequestReply => {
    deps.log.error({ err: errorMessage(err), user: submitted.userId }, 'deploy form submission failed');
    return { message: INTERNAL_ERROR };
  });
  const first = await beforeDeadline(work, deps.budgetMs);
  if (first !== TOO_LATE && first.deployment === undefined) {
    return deps.ack({
      response_action: 'errors',
      errors: { [DEPLOY_FORM.serviceBlock]: formErrorText(first.message) },
    });
  }
  await deps.ack(undefined);
  const reply = first === TOO_LATE ? await work : first;
  await say(ctx, deps.log, form.channelId, submitted.userId, reply.message);
}

async function say(ctx: WebContext, log: Logger, channel: string, user: string, message: SlackMessage) {
  await ctx.slack.ephemeral(channel, user, message).catch((err: unknown) => {
    log.warn({ err: errorMessage(err), user }, 'deploy form reply could not be posted');
  });
}
