/**
 * A read-only view of an ElbPort for one pass over many services (the forgotten-environment scan):
 * each listener and its rules are read once, however many services share the load balancer —
 * 200 services on one ALB cost one DescribeRules per listener, not 200. Writes are refused: a
 * snapshot is no basis for changing anything.
 */
import type { ElbPort } from '../app/ports/elb.js';
import type { Listener, Rule } from '../domain/load-balancer.js';

function readOnly(what: string): () => Promise<never> {
  return () => Promise.reject(new Error(`${what} through a cached read-only view of the load balancer`));
}

export function cachedReads(port: ElbPort): ElbPort {
  const listeners = new Map<string, Promise<Listener[]>>();
  const rules = new Map<string, Promise<Rule[]>>();
  return {
    describeListeners: async (query) => {
      if (!('listenerArns' in query)) return port.describeListeners(query);
      const missing = query.listenerArns.filter((arn) => !listeners.has(arn));
      if (missing.length > 0) {
        const read = port.describeListeners({ listenerArns: missing });
        for (const arn of missing)
          listeners.set(
            arn,
            read.then((ls) => ls.filter((l) => l.ListenerArn === arn)),
          );
      }
      return (await Promise.all(query.listenerArns.map((arn) => listeners.get(arn) ?? []))).flat();
    },
    describeRules: (listenerArn) => {
      const known = rules.get(listenerArn);
      if (known) return known;
      const read = port.describeRules(listenerArn);
      rules.set(listenerArn, read);
      return read;
    },
    describeTargetHealth: port.describeTargetHealth.bind(port),
    describeTargetGroupAttributes: port.describeTargetGroupAttributes.bind(port),
    describeTargetGroups: port.describeTargetGroups.bind(port),
    describeTags: port.describeTags.bind(port),
    modifyListener: readOnly('ModifyListener'),
    modifyRule: readOnly('ModifyRule'),
    createRule: readOnly('CreateRule'),
    deleteRule: readOnly('DeleteRule'),
    deregisterTargets: readOnly('DeregisterTargets'),
  };
}
