import { z } from "zod";

const schema = z.object({
  DATABASE_URL: z.string().url(),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default("0.0.0.0"),
  /** The built web app to serve; absent in API-only runs and tests. */
  WEB_DIST: z.string().optional(),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(20),
});

export type Config = Readonly<{
  databaseUrl: string;
  port: number;
  host: string;
  webDist: string | undefined;
  dbPoolMax: number;
}>;

/** The only reader of process.env: validates once and freezes. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid configuration: ${issues}`);
  }
  const e = parsed.data;
  return Object.freeze({
    databaseUrl: e.DATABASE_URL,
    port: e.PORT,
    host: e.HOST,
    webDist: e.WEB_DIST,
    dbPoolMax: e.DB_POOL_MAX,
  });
}
