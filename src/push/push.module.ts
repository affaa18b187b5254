import { Module } from '@nestjs/common';
import { TopKModule } from '../top-k/top-k.module';
import { TopKStreamController } from './top-k-stream.controller';
import { TopKStreamHub } from './top-k-stream.service';

/** Lists pushed as they change: GET /views/top-k/stream (Server-Sent Events), fed by PrecomputeService's publications. */
@Module({
  imports: [TopKModule],
  controllers: [TopKStreamController],
  providers: [TopKStreamHub],
  exports: [TopKStreamHub],
})
export class PushModule {}
