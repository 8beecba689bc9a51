// Plain ES modules, run by Node as they are (npm test passes --experimental-vm-modules): no transform.
export default {
  testEnvironment: 'node',
  transform: {},
  testMatch: ['**/test/**/*.test.js'],
  // Room for a consumer group's first join on a busy machine.
  testTimeout: 30_000,
}
