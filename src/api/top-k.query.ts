import { Transform } from 'class-transformer';
import { IsDefined, IsIn, IsInt, Max, Min } from 'class-validator';
import { MAX_K, WINDOWS, WindowName } from '../topk/windows';

/**
 * Only plain decimal digits become numbers; an empty value counts as missing; anything else stays as given
 * and fails @IsInt with a clear message.
 */
const digitsToNumber = ({ value }: { value: unknown }) => {
  if (value === '') return undefined;
  return typeof value === 'string' && /^[0-9]{1,9}$/.test(value) ? Number(value) : value;
};

/** Query of GET /views/top-k. */
export class TopKQuery {
  // class-validator runs these bottom-up: presence first, then type, then range.
  @IsIn(WINDOWS, { message: `window must be one of: ${WINDOWS.join(', ')}` })
  @IsDefined({ message: 'window is required' })
  window!: WindowName;

  @Min(1, { message: `k must be between 1 and ${MAX_K}` })
  @Max(MAX_K, { message: `k must be between 1 and ${MAX_K}` })
  @IsInt({ message: 'k must be an integer' })
  @IsDefined({ message: 'k is required' })
  @Transform(digitsToNumber)
  k!: number;
}
