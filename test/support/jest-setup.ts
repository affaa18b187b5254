// Integration tests wait for real ingestion and real restarts.
jest.setTimeout(300_000);
