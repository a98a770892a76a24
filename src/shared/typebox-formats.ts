import { FormatRegistry } from '@sinclair/typebox';

/**
 * Formats for TypeBox's own checker (`Value.Check`), used where a schema is checked outside a
 * route (per-action data). Routes use Ajv with ajv-formats instead.
 */
const formats: Record<string, (v: string) => boolean> = {
  'date-time': (v) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v) &&
    !Number.isNaN(Date.parse(v)),
  uuid: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
};
for (const [name, check] of Object.entries(formats))
  if (!FormatRegistry.Has(name)) FormatRegistry.Set(name, check);
