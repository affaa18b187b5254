// Integration tests wait for real ingestion and real restarts.
jest.setTimeout(300_000);

// Services built by hand in tests log through Nest's static logger; keep its debug lines out of the output.
import { Logger } from '@nestjs/common';
import { killLeftOverServices } from './service-process';
Logger.overrideLogger(['error', 'warn']);

// A test that failed while its service processes ran leaves them running: kill them, so that jest can end.
afterAll(() => {
  const killed = killLeftOverServices();
  if (killed > 0) console.warn(`killed ${killed} service process(es) left running by this file's tests`);
});
