import { Module } from '@nestjs/common';
import { TopKModule } from '../topk/topk.module';
import { TopKController } from './top-k.controller';

/** The HTTP API. */
@Module({ imports: [TopKModule], controllers: [TopKController] })
export class ApiModule {}
