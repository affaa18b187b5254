// Input checks that run on every request before Nest's validation: limits that no DTO can express safely.
import type { FastifyInstance } from 'fastify';

/** JSON bodies nested deeper than this are refused: recursive validation would otherwise exhaust the stack (a 500). */
export const MAX_BODY_DEPTH = 32;

/** Names every plain object has by inheritance (constructor, toString, __proto__, …): never a parameter or field of ours. */
const INHERITED = new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__']);

/**
 * What is wrong with a parsed body or query, or undefined: nesting past `maxDepth`, or a key named like an inherited
 * property, which class-validator's whitelist cannot see (it answered 200 to ?constructor=1). Iterative, so a body of
 * 100,000 levels costs a loop, not a stack.
 */
export function structureProblem(value: unknown, maxDepth: number, path = '', inheritedNames = true): string | undefined {
  const stack: [unknown, number, string][] = [[value, 0, path]];
  while (stack.length > 0) {
    const [node, depth, at] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= maxDepth) return `body is nested deeper than ${maxDepth} levels`;
    for (const key of Object.keys(node)) {
      const child = at ? `${at}.${key}` : key;
      if (inheritedNames && INHERITED.has(key)) return `property ${child} should not exist`;
      stack.push([(node as Record<string, unknown>)[key], depth + 1, child]);
    }
  }
  return undefined;
}

/**
 * Refuses such bodies and queries with a 400 in the shape of every other one (message: a list naming the problem).
 * A body's keys are the handler's to name (POST /views: `views.0.__proto__ is not a field of a view`, the reason a dead
 * letter gives): the body is never copied onto a class instance before that check (src/ingest/views.controller.ts).
 */
export function registerStructureGuard(fastify: FastifyInstance): void {
  fastify.addHook('preValidation', (request, reply, done) => {
    const problem = structureProblem(request.query, 2) ?? structureProblem(request.body, MAX_BODY_DEPTH, '', false);
    if (problem) {
      void reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: [problem] });
      return;
    }
    done();
  });
}
