import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Integration and end-to-end tests start their own redis-server processes on random ports.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
