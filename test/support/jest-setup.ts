// Integration tests wait for real ingestion and real restarts.
jest.setTimeout(300_000);

// Services built by hand in tests log through Nest's static logger; keep its debug lines out of the output.
import { Logger } from '@nestjs/common';
Logger.overrideLogger(['error', 'warn']);
