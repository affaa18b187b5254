// Two tiers: unit specs beside the code (pure logic, HTTP layer), integration specs under test/
// against a real Kafka broker and real (embedded) ClickHouse, started once by the global set-up.
// Transpile only (fast); `npm run check` type-checks everything, tests included.
const tsJest = ['ts-jest', { tsconfig: { isolatedModules: true } }];
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/src'],
      testMatch: ['**/*.spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.int-spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/jest-setup.ts'],
    },
  ],
};
