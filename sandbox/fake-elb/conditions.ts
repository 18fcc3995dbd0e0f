/**
 * Rule conditions in the fake (CreateRule, ModifyRule), validated the way ELBv2 documents them
 * ("Listener rules for your Application Load Balancer", condition types; API reference,
 * `RuleCondition`): a field among host-header, path-pattern, http-header, http-request-method,
 * query-string and source-ip, each with its config; at least one condition per rule; at most five
 * match values across a rule's conditions.
 */
import { FakeElbError } from './errors.js';
import { listParam, stringParam } from './query.js';

type Condition = Record<string, unknown>;

const CONFIG_OF: Record<string, string> = {
  'host-header': 'HostHeaderConfig',
  'path-pattern': 'PathPatternConfig',
  'http-header': 'HttpHeaderConfig',
  'http-request-method': 'HttpRequestMethodConfig',
  'query-string': 'QueryStringConfig',
  'source-ip': 'SourceIpConfig',
};
const MAX_VALUES_PER_RULE = 5;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,40}$/;

function invalid(message: string): FakeElbError {
  return new FakeElbError('ValidationError', message);
}

function valuesOf(condition: Condition, configKey: string): unknown[] {
  const config = condition[configKey] as Record<string, unknown> | undefined;
  const values = listParam(config?.Values);
  return values.length > 0 ? values : listParam(condition.Values);
}

/** Decoded `Conditions.member.N…` → validated conditions to store. */
export function acceptConditions(raw: unknown): Condition[] {
  const conditions = listParam(raw) as Condition[];
  if (conditions.length === 0) throw invalid('A rule must have at least one condition');
  let values = 0;
  for (const c of conditions) {
    const field = stringParam(c?.Field);
    const configKey = field === undefined ? undefined : CONFIG_OF[field];
    if (!field || !configKey) throw invalid(`Condition field '${String(field)}' is not valid`);
    const these = valuesOf(c, configKey);
    if (field === 'http-header') {
      const name = stringParam((c.HttpHeaderConfig as Record<string, unknown> | undefined)?.HttpHeaderName);
      if (!name || !HEADER_NAME.test(name))
        throw invalid('An http-header condition needs a valid HttpHeaderName');
    }
    if (these.length === 0 && field !== 'query-string')
      throw invalid(`A ${field} condition needs at least one value`);
    values += these.length;
  }
  if (values > MAX_VALUES_PER_RULE)
    throw invalid(`A rule can have at most ${MAX_VALUES_PER_RULE} condition values`);
  return conditions;
}

/** The http-header conditions of a rule: `{ name (lower-case), values }`. */
export function headerConditions(conditions: Condition[]): { name: string; values: string[] }[] {
  return conditions
    .filter((c) => c.Field === 'http-header')
    .map((c) => {
      const config = (c.HttpHeaderConfig ?? {}) as Record<string, unknown>;
      return {
        name: String(config.HttpHeaderName ?? '').toLowerCase(),
        values: listParam(config.Values).map(String),
      };
    });
}
