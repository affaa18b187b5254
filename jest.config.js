// Two tiers: unit specs beside the code (pure logic, HTTP layer), integration specs under test/
// against a real Kafka broker and real (embedded) ClickHouse, started once by the global set-up.
// Transpile only (fast); `npm run check` type-checks everything, tests included.
const tsJest = ['ts-jest', { tsconfig: { isolatedModules: true } }];
// content-disposition 3 (under @fastify/static 10, which serves Swagger UI) ships only as an ES module: Node 20.19
// requires it natively, jest does not, so jest transpiles that one package to CommonJS.
const esmOnly = {
  transform: {
    '^.+\\.ts$': tsJest,
    '/node_modules/content-disposition/.+\\.js$': ['ts-jest', { tsconfig: { isolatedModules: true, allowJs: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
};
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/src', '<rootDir>/test', '<rootDir>/bench'],
      testMatch: ['**/*.spec.ts'],
      ...esmOnly,
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.int-spec.ts'],
      ...esmOnly,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/jest-setup.ts'],
    },
  ],
};
