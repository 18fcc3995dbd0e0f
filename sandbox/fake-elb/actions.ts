/**
 * Action lists in the fake: typed from the decoded strings, validated the way ELBv2 validates
 * them where that is cheap, and described the way ELBv2 describes them. Messages paraphrase
 * AWS's; codes are AWS's (ValidationError, TargetGroupNotFound, InvalidConfigurationRequest,
 * TargetGroupAssociationLimit).
 */
import type { Action, TargetGroupTuple } from '@aws-sdk/client-elastic-load-balancing-v2';
import { FakeElbError } from './errors.js';
import type { FakeElbState } from './state.js';

const NUMBER_FIELDS = new Set(['Order', 'Weight', 'DurationSeconds', 'SessionTimeout']);
const BOOLEAN_FIELDS = new Set(['Enabled', 'UseExistingClientSecret']);
/** Free-form members whose keys and values must not be converted. */
const OPAQUE_FIELDS = new Set(['AuthenticationRequestExtraParams', 'Values']);
const TYPES = new Set([
  'forward',
  'redirect',
  'fixed-response',
  'authenticate-oidc',
  'authenticate-cognito',
  'jwt-validation',
]);
const TERMINAL = new Set(['forward', 'redirect', 'fixed-response']);
const MAX_GROUP_STICKINESS_SECONDS = 604_800;
const MAX_GROUPS_PER_FORWARD = 5;

function typed(value: unknown, key: string): unknown {
  if (Array.isArray(value)) return value.map((v) => typed(v, ''));
  if (typeof value === 'object' && value !== null) {
    if (OPAQUE_FIELDS.has(key)) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = typed(v, k);
    return out;
  }
  if (typeof value !== 'string') return value;
  if (NUMBER_FIELDS.has(key)) {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n))
      throw new FakeElbError('ValidationError', `${key} must be a number`);
    return n;
  }
  if (BOOLEAN_FIELDS.has(key)) {
    if (value !== 'true' && value !== 'false')
      throw new FakeElbError('ValidationError', `${key} must be true or false`);
    return value === 'true';
  }
  return value;
}

function groupsOf(action: Action): TargetGroupTuple[] {
  const tuples = action.ForwardConfig?.TargetGroups ?? [];
  if (action.TargetGroupArn && tuples.length > 0) {
    if (tuples.length !== 1 || tuples[0]?.TargetGroupArn !== action.TargetGroupArn) {
      throw new FakeElbError(
        'ValidationError',
        'You cannot specify both a target group ARN and a forward config unless it names that same single target group',
      );
    }
  }
  if (tuples.length > 0) return tuples;
  if (action.TargetGroupArn) return [{ TargetGroupArn: action.TargetGroupArn, Weight: 1 }];
  throw new FakeElbError(
    'ValidationError',
    'A forward action must specify a target group ARN or a forward config',
  );
}

function validateForward(action: Action, state: FakeElbState, loadBalancerArn: string): void {
  const groups = groupsOf(action);
  if (groups.length > MAX_GROUPS_PER_FORWARD) {
    throw new FakeElbError(
      'ValidationError',
      `A forward action can have at most ${MAX_GROUPS_PER_FORWARD} target groups`,
    );
  }
  const seen = new Set<string>();
  for (const g of groups) {
    const arn = g.TargetGroupArn;
    if (!arn) throw new FakeElbError('ValidationError', 'A target group of a forward needs a TargetGroupArn');
    const tg = state.targetGroups.get(arn);
    if (!tg) throw new FakeElbError('TargetGroupNotFound', `Target groups '${arn}' not found`);
    if (seen.has(arn)) throw new FakeElbError('ValidationError', `Target group '${arn}' is listed twice`);
    seen.add(arn);
    const w = g.Weight;
    if (w !== undefined && (!Number.isInteger(w) || w < 0 || w > 999)) {
      throw new FakeElbError('ValidationError', `Target group weight ${w} is not an integer from 0 to 999`);
    }
    const others = state.loadBalancersOf(arn).filter((lb) => lb !== loadBalancerArn);
    if (others.length > 0) {
      throw new FakeElbError(
        'TargetGroupAssociationLimit',
        `The following target groups cannot be associated with more than one load balancer: ${arn}`,
      );
    }
  }
  const sticky = action.ForwardConfig?.TargetGroupStickinessConfig;
  if (sticky?.Enabled) {
    const d = sticky.DurationSeconds;
    if (d === undefined || !Number.isInteger(d) || d < 1 || d > MAX_GROUP_STICKINESS_SECONDS) {
      throw new FakeElbError(
        'ValidationError',
        'Target group stickiness duration must be from 1 to 604800 seconds',
      );
    }
  }
  if (groups.length > 1 && !sticky?.Enabled) {
    const sticking = groups.find(
      (g) => state.targetGroups.get(g.TargetGroupArn ?? '')?.attributes['stickiness.enabled'] === 'true',
    );
    if (sticking) {
      throw new FakeElbError(
        'InvalidConfigurationRequest',
        `Target group stickiness must be enabled on a forward to several target groups when '${sticking.TargetGroupArn}' has stickiness enabled`,
      );
    }
  }
}

/** Keeps the stored OIDC client secret when the request asks for it (UseExistingClientSecret). */
function withSecret(action: Action, previous: Action[]): Action {
  if (action.Type !== 'authenticate-oidc') return action;
  const config = action.AuthenticateOidcConfig as Record<string, unknown> | undefined;
  if (!config)
    throw new FakeElbError('ValidationError', 'An authenticate-oidc action needs AuthenticateOidcConfig');
  if (config.ClientSecret !== undefined) return action;
  const before = previous.find((a) => a.Type === 'authenticate-oidc')?.AuthenticateOidcConfig as
    | Record<string, unknown>
    | undefined;
  if (config.UseExistingClientSecret !== true || before?.ClientSecret === undefined) {
    throw new FakeElbError(
      'ValidationError',
      'ClientSecret must be specified unless UseExistingClientSecret is true for an existing secret',
    );
  }
  const { UseExistingClientSecret: _drop, ...rest } = config;
  return {
    ...action,
    AuthenticateOidcConfig: {
      ...rest,
      ClientSecret: before.ClientSecret,
    } as Action['AuthenticateOidcConfig'],
  };
}

/** Decoded `Actions.member.N…` → a validated action list ready to store. */
export function acceptActions(
  raw: unknown,
  state: FakeElbState,
  loadBalancerArn: string,
  previous: Action[],
): Action[] {
  if (!Array.isArray(raw) || raw.length === 0)
    throw new FakeElbError('ValidationError', 'At least one action must be specified');
  const actions = raw.map((r) => typed(r, '') as Action);
  let terminal = 0;
  const out = actions.map((a) => {
    if (typeof a !== 'object' || a === null || typeof a.Type !== 'string' || !TYPES.has(a.Type)) {
      throw new FakeElbError('ValidationError', `Action type '${String(a?.Type)}' is not valid`);
    }
    if (TERMINAL.has(a.Type)) terminal += 1;
    if (a.Type === 'forward') validateForward(a, state, loadBalancerArn);
    return withSecret(a, previous);
  });
  if (terminal !== 1)
    throw new FakeElbError(
      'ValidationError',
      'An action list needs exactly one forward, redirect or fixed-response action',
    );
  return out;
}

/**
 * An action list as DescribeListeners/DescribeRules return it: a single-group forward shows both
 * TargetGroupArn and ForwardConfig, every forward shows TargetGroupStickinessConfig, and an OIDC
 * client secret is never returned.
 */
export function describedActions(actions: Action[]): Action[] {
  return actions.map((a) => {
    if (a.Type === 'authenticate-oidc') {
      const {
        ClientSecret: _secret,
        UseExistingClientSecret: _flag,
        ...config
      } = (a.AuthenticateOidcConfig ?? {}) as Record<string, unknown>;
      return { ...a, AuthenticateOidcConfig: config as unknown as Action['AuthenticateOidcConfig'] };
    }
    if (a.Type !== 'forward') return a;
    const groups = (
      a.ForwardConfig?.TargetGroups ?? (a.TargetGroupArn ? [{ TargetGroupArn: a.TargetGroupArn }] : [])
    ).map((g) => ({ TargetGroupArn: g.TargetGroupArn, Weight: g.Weight ?? 1 }));
    const out: Action = {
      ...a,
      ForwardConfig: {
        TargetGroups: groups,
        TargetGroupStickinessConfig: a.ForwardConfig?.TargetGroupStickinessConfig ?? { Enabled: false },
      },
    };
    if (groups.length === 1) out.TargetGroupArn = groups[0]?.TargetGroupArn;
    else delete out.TargetGroupArn;
    return out;
  });
}
