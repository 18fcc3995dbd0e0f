/** Every message the bot sends, as pure Block Kit builders. */
export * from './action-ids.js';
export * from './approval.js';
export * from './cutover.js';
export * from './format.js';
export * from './help.js';
export * from './history.js';
export * from './kit.js';
export * from './precheck.js';
export * from './refusal.js';
export * from './reminder.js';
export * from './request-accepted.js';
export * from './rollback.js';
export * from './status-card.js';
export * from './status-list.js';
export * from './teardown.js';
export * from './verification.js';
