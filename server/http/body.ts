import type { z } from 'zod';
import { refusal, type MessageCode, type ParamsOf } from './messages.js';

/** Message codes that name the field at fault and say what a body should hold. */
type BodyCode = { [C in MessageCode]: ParamsOf<C> extends { field: string } ? C : never }[MessageCode];

/**
 * A JSON body checked against its schema; the first problem is a 400 with `code`'s sentence,
 * naming the field at fault (a property the schema does not know is named too).
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, code: BodyCode): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = String(issue.path[0] ?? (issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined) ?? 'body');
  throw refusal(400, code, { field } as ParamsOf<typeof code>, { field });
}
