/**
 * Derives, from TypeScript source, the AWS API actions the code can call through the AWS SDK for
 * JavaScript v3: every `new XCommand(…)` whose class is a value import from `@aws-sdk/client-*`
 * becomes the IAM action `<prefix>:X`. Used by test/unit/iam-policy.test.ts to hold
 * docs/iam-policy.json to what src/ really calls.
 *
 * It refuses (lists a problem) rather than guess when code reaches the SDK in a way it cannot
 * read: a dynamic import or require of a client package, a namespace import, a value import that
 * is neither a Command nor a Client (an aggregated client's methods, a paginator, a waiter), a
 * client package with no known IAM prefix, or an ELB Create* command whose input is not an object
 * literal (whether it sends Tags decides whether `elasticloadbalancing:AddTags` is needed).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/**
 * SDK package → IAM service prefix (Service Authorization Reference, "service prefix" of each
 * service page: https://docs.aws.amazon.com/service-authorization/latest/reference/).
 */
export const IAM_PREFIX: Record<string, string> = {
  '@aws-sdk/client-elastic-load-balancing-v2': 'elasticloadbalancing',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-ecs': 'ecs',
  '@aws-sdk/client-auto-scaling': 'autoscaling',
  '@aws-sdk/client-sts': 'sts',
};

/**
 * Operations whose IAM action is not named like the operation. None of the services above has
 * one for the operations we call; an entry here would be `'<prefix>:<Operation>': '<prefix>:<Action>'`.
 */
const ACTION_OVERRIDES: Record<string, string> = {};

export interface SdkCall {
  /** IAM action, e.g. `elasticloadbalancing:DescribeRules`. */
  action: string;
  /** Where the command is constructed (`src/aws/x.ts:12`). */
  at: string;
  /** For a Create* command: whether its input sends `Tags` (null when not a Create* command). */
  sendsTags: boolean | null;
}

export interface ScanResult {
  calls: SdkCall[];
  problems: string[];
}

/** Every `.ts` file under `dir` (declaration files excluded), sorted. */
export function tsFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...tsFilesUnder(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out.sort();
}

const CLIENT_PACKAGE = /^@aws-sdk\/client-/;

/** Whether an object literal certainly, certainly not, or maybe (null) has a `Tags` property. */
function hasTags(expr: ts.Expression): boolean | null {
  if (ts.isParenthesizedExpression(expr)) return hasTags(expr.expression);
  if (ts.isConditionalExpression(expr)) {
    const [a, b] = [hasTags(expr.whenTrue), hasTags(expr.whenFalse)];
    if (a === null || b === null) return null;
    return a || b;
  }
  if (!ts.isObjectLiteralExpression(expr)) return null;
  let found = false;
  for (const p of expr.properties) {
    if (ts.isSpreadAssignment(p)) {
      const inner = hasTags(p.expression);
      if (inner === null) return null;
      found ||= inner;
    } else if (p.name !== undefined && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) {
      if (p.name.text === 'Tags') found = true;
    } else {
      return null; // a computed key: cannot tell
    }
  }
  return found;
}

/** Scans one source text; `label` names it in results (a path relative to the repository). */
export function scanSource(label: string, text: string): ScanResult {
  const sf = ts.createSourceFile(label, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const calls: SdkCall[] = [];
  const problems: string[] = [];
  /** Local name of an imported Command class → its IAM action. */
  const commands = new Map<string, string>();
  const line = (node: ts.Node) => `${label}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;

  for (const stmt of sf.statements) {
    if (!ts.isImportDeclaration(stmt) || !ts.isStringLiteral(stmt.moduleSpecifier)) continue;
    const pkg = stmt.moduleSpecifier.text;
    if (!CLIENT_PACKAGE.test(pkg)) continue;
    const clause = stmt.importClause;
    if (clause === undefined || clause.isTypeOnly) continue;
    const prefix = IAM_PREFIX[pkg];
    if (clause.name !== undefined)
      problems.push(`${line(stmt)}: default import of ${pkg} (use named imports)`);
    const bindings = clause.namedBindings;
    if (bindings !== undefined && ts.isNamespaceImport(bindings)) {
      problems.push(`${line(stmt)}: namespace import of ${pkg} (use named imports of its Commands)`);
      continue;
    }
    for (const el of bindings?.elements ?? []) {
      if (el.isTypeOnly) continue;
      const imported = (el.propertyName ?? el.name).text;
      if (imported.endsWith('Client')) continue; // constructing a client calls nothing
      if (!imported.endsWith('Command')) {
        problems.push(
          `${line(el)}: ${imported} from ${pkg} is neither a Command nor a Client; the IAM test cannot tell which actions it calls`,
        );
        continue;
      }
      if (prefix === undefined) {
        problems.push(
          `${line(el)}: ${pkg} has no IAM service prefix in IAM_PREFIX (test/helpers/sdk-actions.ts)`,
        );
        continue;
      }
      const action = `${prefix}:${imported.slice(0, -'Command'.length)}`;
      commands.set(el.name.text, ACTION_OVERRIDES[action] ?? action);
    }
  }

  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) && CLIENT_PACKAGE.test(node.text)) {
      const parent = node.parent;
      const isImportSpecifier =
        (ts.isImportDeclaration(parent) || ts.isExportDeclaration(parent)) && parent.moduleSpecifier === node;
      if (!isImportSpecifier)
        problems.push(`${line(node)}: ${node.text} is loaded dynamically; import it statically`);
    }
    if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && !node.isTypeOnly) {
      const spec = node.moduleSpecifier;
      if (ts.isStringLiteral(spec) && CLIENT_PACKAGE.test(spec.text))
        problems.push(`${line(node)}: re-export of ${spec.text}; import its Commands where they are used`);
    }
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression)) {
      const action = commands.get(node.expression.text);
      if (action !== undefined) {
        let sendsTags: boolean | null = null;
        if (action.startsWith('elasticloadbalancing:Create')) {
          const input = node.arguments?.[0];
          sendsTags = input === undefined ? false : hasTags(input);
          if (sendsTags === null)
            problems.push(
              `${line(node)}: the input of ${action} is not an object literal, so whether it sends Tags (and needs elasticloadbalancing:AddTags) cannot be read`,
            );
        }
        calls.push({ action, at: line(node), sendsTags });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { calls, problems };
}

/** Scans every `.ts` file under `dir`; results name files relative to `root`. */
export function scanTree(root: string, dir: string): ScanResult {
  const all: ScanResult = { calls: [], problems: [] };
  for (const file of tsFilesUnder(join(root, dir))) {
    const { calls, problems } = scanSource(relative(root, file), readFileSync(file, 'utf8'));
    all.calls.push(...calls);
    all.problems.push(...problems);
  }
  return all;
}
