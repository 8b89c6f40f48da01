import { z } from 'zod';

/**
 * The control API's view of a driver's options schema: the same fields, all optional, no defaults
 * (the driver applies them), unknown fields rejected. One schema per vendor serves both sides.
 */
export function apiOptionsOf<S extends z.ZodRawShape>(driverOptions: z.ZodObject<S>) {
  return z.strictObject(
    Object.fromEntries(
      Object.entries(driverOptions.shape).map(([k, v]) => [
        k,
        (v instanceof z.ZodDefault ? (v.unwrap() as z.ZodType) : (v as z.ZodType)).optional(),
      ]),
    ) as { [K in keyof S]: z.ZodOptional<z.ZodType> },
  );
}
