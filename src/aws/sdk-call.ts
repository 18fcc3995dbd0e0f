/**
 * What every SDK adapter (ELBv2, CloudWatch, ECS, Auto Scaling, STS) does alike: the client's
 * config (its Region, and the credentials of the account it acts in) over the standard AWS
 * environment, and SDK failures turned into AwsCallErrors.
 */
import type { ElasticLoadBalancingV2ClientConfig } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsCallError } from '../errors.js';

/** Static credentials or a provider of them, as every SDK v3 client takes them. */
export type CredentialsConfig = NonNullable<ElasticLoadBalancingV2ClientConfig['credentials']>;

/**
 * What a client is built with beyond the standard environment: its Region, the credentials it
 * signs with (an assumed role's), and, for tests and the sandbox, an endpoint and a number of
 * attempts. Absent keys: the SDK's standard resolution (AWS_REGION, AWS_ENDPOINT_URL_<SERVICE>,
 * the default credential chain, AWS_MAX_ATTEMPTS).
 */
export interface ClientOptions {
  region?: string;
  credentials?: CredentialsConfig;
  endpoint?: string;
  maxAttempts?: number;
}

/**
 * The client config: `region` when given, else AWS_DEFAULT_REGION when AWS_REGION is unset
 * (the JS SDK reads AWS_REGION but not AWS_DEFAULT_REGION, which the AWS CLI honours), else
 * nothing (the SDK's own resolution).
 */
export function regionConfig(opts: { region?: string } = {}): {
  region?: string;
  requestHandler: { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: boolean };
} {
  const region = opts.region ?? (process.env.AWS_REGION ? undefined : process.env.AWS_DEFAULT_REGION);
  // Bounded calls: the SDK waits forever by default, and a hung call must not keep a job (and the
  // forward lock it renews while it waits) forever, nor keep it from being retried.
  // (throwOnRequestTimeout: since @smithy/node-http-handler 4.4 a timeout only warns without it.)
  const requestHandler = { connectionTimeout: 5_000, requestTimeout: 20_000, throwOnRequestTimeout: true };
  return region ? { region, requestHandler } : { requestHandler };
}

/** The whole client config of `opts`: `regionConfig` plus the credentials, endpoint and attempts given. */
export function clientConfig(
  opts: ClientOptions = {},
): ReturnType<typeof regionConfig> & Omit<ClientOptions, 'region'> {
  return {
    ...regionConfig(opts),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.maxAttempts !== undefined ? { maxAttempts: opts.maxAttempts } : {}),
  };
}

interface SdkErrorLike {
  name?: string;
  message?: string;
  Code?: string;
  code?: unknown;
  Error?: { Code?: string };
  $metadata?: { attempts?: number };
}

/**
 * The AWS error code of an SDK failure. The wire code (`Code`, e.g. `ListenerNotFound`) wins;
 * a modelled exception without it (`ListenerNotFoundException`) is named by its class without
 * the `Exception` suffix, so both spell the code as AWS documents it. Network and credential
 * failures keep their own name or errno code (`ECONNREFUSED`, `CredentialsProviderError`).
 */
export function toAwsCallError(operation: string, err: unknown): AwsCallError {
  if (err instanceof AwsCallError) return err;
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as SdkErrorLike;
  const wire = e.Code ?? e.Error?.Code;
  const named = e.name && e.name !== 'Error' ? e.name.replace(/(.)Exception$/, '$1') : undefined;
  const code = wire ?? (typeof e.code === 'string' ? e.code : undefined) ?? named ?? 'Error';
  const attempts = e.$metadata?.attempts ?? 0;
  const message = (e.message || code) + (attempts > 1 ? ` (after ${attempts} attempts)` : '');
  return new AwsCallError(operation, code, message);
}

/** Runs one SDK call; its failure is rethrown as an AwsCallError naming `operation`. */
export async function callAws<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw toAwsCallError(operation, err);
  }
}
