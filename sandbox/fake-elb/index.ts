/** A fake ELBv2 (awsQuery over HTTP) for tests and the local sandbox. */
export { fakeElbClient } from './client.js';
export { DEMO, type DemoArns, type DemoOptions, demoState } from './demo.js';
export { FakeElbError } from './errors.js';
export { type FakeResponse, handleQuery } from './handler.js';
export { SUPPORTED_OPERATIONS } from './operations.js';
export { type FakeElb, startFakeElb } from './server.js';
export {
  type FakeCall,
  FakeElbState,
  type FakeListener,
  type FakeLoadBalancer,
  type FakeRule,
  type FakeTarget,
  type FakeTargetGroup,
  forward,
} from './state.js';
