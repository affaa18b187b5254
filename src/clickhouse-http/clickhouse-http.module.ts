import { Module } from '@nestjs/common';
import { ClickHouseHttpServer } from './clickhouse-http.server';

/** ClickHouse's HTTP interface over the embedded engine, for analysts (docs/operations.md, SQL for analysts). */
@Module({ providers: [ClickHouseHttpServer] })
export class ClickHouseHttpModule {}
