import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readFixture } from '../helpers/slack-requests.js';

// ajv-formats is CommonJS (`exports.default = plugin`): under NodeNext the plugin is `.default`.
const addFormats =
  ajvFormats.default.default ?? (ajvFormats.default as unknown as typeof ajvFormats.default.default);

interface Manifest {
  display_information: { name: string };
  features: {
    app_home?: { home_tab_enabled?: boolean; messages_tab_enabled?: boolean };
    bot_user: { display_name: string; always_online?: boolean };
    slash_commands: { command: string; url?: string; description: string; usage_hint?: string }[];
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    interactivity: { is_enabled: boolean; request_url?: string };
    event_subscriptions?: { request_url?: string; bot_events?: string[] };
    socket_mode_enabled: boolean;
  };
}

const manifestText = readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8');
const manifest = parse(manifestText) as Manifest;
const EVENTS_URL = 'https://greenlight.example.com/slack/events';

function validator() {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFixture('schemas/slack-app-manifest.v1.schema.json')) as object);
}

describe('manifest.yml', () => {
  it('is valid against Slack’s published app manifest schema', () => {
    const validate = validator();
    const ok = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('would be rejected by the schema if it broke a rule (the validator really checks)', () => {
    const validate = validator();
    const broken = structuredClone(manifest);
    broken.features.slash_commands[0]!.command = 'deploy';
    expect(validate(broken)).toBe(false);
  });

  it('is called Greenlight with an always-online bot user named greenlight', () => {
    expect(manifest.display_information.name).toBe('Greenlight');
    expect(manifest.features.bot_user).toEqual({ display_name: 'greenlight', always_online: true });
  });

  it('declares /deploy with a description, usage hint and the events URL', () => {
    expect(manifest.features.slash_commands).toHaveLength(1);
    const [cmd] = manifest.features.slash_commands;
    expect(cmd?.command).toBe('/deploy');
    expect(cmd?.url).toBe(EVENTS_URL);
    expect(cmd?.description.length).toBeGreaterThan(0);
    expect(cmd?.usage_hint).toContain('<service> <slot>');
  });

  it('says in the usage hint that the service and slot may be left out (the form) and a reason added', () => {
    expect(manifest.features.slash_commands[0]?.usage_hint).toMatch(/^\[<service> <slot> \[reason…\]\] \|/);
  });

  it('enables the Home tab and subscribes to app_home_opened on the events URL', () => {
    expect(manifest.features.app_home).toMatchObject({ home_tab_enabled: true, messages_tab_enabled: false });
    expect(manifest.settings.event_subscriptions).toEqual({
      request_url: EVENTS_URL,
      bot_events: ['app_home_opened'],
    });
  });

  it('asks for exactly the bot scopes Greenlight uses', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(
      ['chat:write', 'chat:write.public', 'commands', 'usergroups:read'].sort(),
    );
  });

  it('enables interactivity on the same URL and runs in HTTP mode', () => {
    expect(manifest.settings.interactivity).toEqual({ is_enabled: true, request_url: EVENTS_URL });
    expect(manifest.settings.socket_mode_enabled).toBe(false);
  });

  it('explains how to switch to Socket Mode', () => {
    expect(manifestText).toMatch(/socket_mode_enabled: true/);
    expect(manifestText).toMatch(/connections:write/);
  });
});
