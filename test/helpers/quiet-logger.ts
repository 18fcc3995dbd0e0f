/** A Slack WebClient logger that says nothing: the client logs Slack's error details, which tests provoke. */
export const quietSlackLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  setLevel() {},
  getLevel: () => 'error' as never,
  setName() {},
};
