/**
 * Keeps the bench output readable: drops the AWS SDK's "Node 20 support ends" notice (printed
 * once per process that creates an SDK client) and prints every other warning as Node would.
 * Import it first.
 */
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name === 'NodeVersionSupportWarning') return;
  console.error(`(node:${process.pid}) ${w.name}: ${w.message}`);
});

export {};
