/**
 * XML responses as ELBv2 sends them and the SDK's awsQuery deserializer reads them:
 *   <DescribeListenersResponse xmlns="…/doc/2015-12-01/">
 *     <DescribeListenersResult><Listeners><member>…</member></Listeners></DescribeListenersResult>
 *     <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata>
 *   </DescribeListenersResponse>
 * and errors as
 *   <ErrorResponse xmlns="…"><Error><Type>Sender</Type><Code>…</Code><Message>…</Message></Error>
 *   <RequestId>…</RequestId></ErrorResponse>
 * Arrays become `<member>` lists, the maps of authenticate configs become `<entry><key/><value/>`.
 */

export const XML_NAMESPACE = 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/';

/** Members that are maps (string → string) in the ELBv2 model. */
const MAP_MEMBERS = new Set(['AuthenticationRequestExtraParams']);

export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );
}

function element(name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return `<${name}>${value.map((v) => element('member', v)).join('')}</${name}>`;
  if (value instanceof Date) return `<${name}>${value.toISOString()}</${name}>`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (MAP_MEMBERS.has(name)) {
      const body = entries.map(
        ([k, v]) => `<entry><key>${escapeXml(k)}</key><value>${escapeXml(String(v))}</value></entry>`,
      );
      return `<${name}>${body.join('')}</${name}>`;
    }
    return `<${name}>${entries.map(([k, v]) => element(k, v)).join('')}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

export function resultXml(operation: string, result: Record<string, unknown>, requestId: string): string {
  const body = Object.entries(result)
    .map(([k, v]) => element(k, v))
    .join('');
  return (
    `<${operation}Response xmlns="${XML_NAMESPACE}">` +
    `<${operation}Result>${body}</${operation}Result>` +
    `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata>` +
    `</${operation}Response>`
  );
}

export function errorXml(
  code: string,
  message: string,
  requestId: string,
  type: 'Sender' | 'Receiver',
): string {
  return (
    `<ErrorResponse xmlns="${XML_NAMESPACE}">` +
    `<Error><Type>${type}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error>` +
    `<RequestId>${escapeXml(requestId)}</RequestId>` +
    `</ErrorResponse>`
  );
}
