/** The fake Slack workspace's and bot's ids (shared by the fake's method files and the sandbox page). */
export const FAKE_TEAM = { id: 'T0SANDBOX', name: 'Greenlight Sandbox', domain: 'greenlight-sandbox' };
export const FAKE_BOT = { userId: 'U0GREENLIGHT', botId: 'B0GREENLIGHT', name: 'greenlight' };
