/**
 * The version this build reports (`/deploy help`, `/healthz`, the `greenlight_build_info` metric):
 * package.json's, read once. The file sits one level above src/ under tsx and above dist/ when
 * compiled (the Docker image copies package.json to /app), so one relative path serves both.
 */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    const v = (pkg as { version?: unknown }).version;
    return typeof v === 'string' && v !== '' ? v : 'unknown';
  } catch {
    return 'unknown';
  }
}

export const VERSION: string = readVersion();
