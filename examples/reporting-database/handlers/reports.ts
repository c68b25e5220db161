/**
 * The reporting example's two functions, bundled from this file by aws-lambda-nodejs:
 * - `setup`, run once by hand: as the master user (its password from the secret RDS keeps), creates
 *   the `sales` table with a few rows, and the `reporter` user, who logs in with IAM tokens only
 *   (`rds_iam`) and may read every table (`pg_read_all_data`), nothing more;
 * - `report`: as `reporter`, with an IAM authentication token instead of a password, sums the sales
 *   by region on the reader endpoint, so reports never load the writer.
 *
 * Both connect over TLS and verify the server's certificate against the Amazon RDS CAs, which
 * Lambda ships in /var/runtime/ca-cert.pem (NODE_EXTRA_CA_CERTS, set by app.ts).
 */
import { createHash, createHmac } from 'crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Client, ClientConfig } from 'pg';

const secrets = new SecretsManagerClient({});

/** What both functions share: TLS verified, and time for a paused DEV cluster to resume (about 15 s). */
const common = (): ClientConfig => ({
  port: Number(process.env.DB_PORT),
  database: process.env.DB_NAME,
  ssl: { rejectUnauthorized: true },
  connectionTimeoutMillis: 30_000,
});

async function withClient<T>(config: ClientConfig, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client(config);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function setup(): Promise<{ reporter: string; sales: number }> {
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: process.env.DB_SECRET_ARN }));
  const { username, password } = JSON.parse(SecretString!);
  const reporter = process.env.REPORTER_USER!;
  return withClient({ ...common(), host: process.env.DB_WRITER_HOST, user: username, password }, async (client) => {
    await client.query('CREATE TABLE IF NOT EXISTS sales (id serial PRIMARY KEY, region text NOT NULL, amount numeric(12, 2) NOT NULL, sold_at timestamptz NOT NULL DEFAULT now())');
    const { rows } = await client.query<{ count: string }>('SELECT count(*) FROM sales');
    if (Number(rows[0].count) === 0) {
      await client.query("INSERT INTO sales (region, amount) VALUES ('eu', 120.00), ('eu', 80.50), ('us', 200.00), ('ap', 42.00)");
    }
    // `rds_iam`: the user logs in with IAM tokens, never a password
    // (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.IAMDBAuth.DBAccounts.html).
    // The name is an identifier from the function's own configuration, quoted as one.
    const user = client.escapeIdentifier(reporter);
    await client.query(`DO $$ BEGIN CREATE ROLE ${user} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
    await client.query(`GRANT rds_iam, pg_read_all_data TO ${user}`);
    const count = await client.query<{ count: string }>('SELECT count(*) FROM sales');
    return { reporter, sales: Number(count.rows[0].count) };
  });
}

export async function report(): Promise<{ user: string; onReader: boolean; byRegion: Array<{ region: string; sales: number; total: string }> }> {
  const host = process.env.DB_READER_HOST!;
  const user = process.env.REPORTER_USER!;
  const password = authToken(host, Number(process.env.DB_PORT), user, process.env.AWS_REGION!, new Date());
  return withClient({ ...common(), host, user, password }, async (client) => {
    // pg_is_in_recovery() is true on a reader; without readers (DEV), the reader endpoint is the writer.
    const who = await client.query<{ user: string; onReader: boolean }>('SELECT current_user AS "user", pg_is_in_recovery() AS "onReader"');
    const sums = await client.query<{ region: string; sales: string; total: string }>(
      'SELECT region, count(*) AS sales, sum(amount)::text AS total FROM sales GROUP BY region ORDER BY region');
    return { ...who.rows[0], byRegion: sums.rows.map((r) => ({ region: r.region, sales: Number(r.sales), total: r.total })) };
  });
}

interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** The function role's temporary credentials, which Lambda puts in the environment. */
const lambdaCredentials = (): Credentials => ({
  accessKeyId: process.env.AWS_ACCESS_KEY_ID!,
  secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY!,
  sessionToken: process.env.AWS_SESSION_TOKEN,
});

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
const encode = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * An IAM authentication token: a SigV4-presigned `connect` request for the user, valid 15 minutes,
 * signed with the function role's credentials, which `grantConnect` lets call `rds-db:connect` as
 * this user. What `@aws-sdk/rds-signer`'s `Signer.getAuthToken()` returns, written out here so the
 * example bundles nothing but the PostgreSQL client (test/integ/handlers/aurora-probe.ts signs its
 * own the same way: an example is a standalone app, built only from what it ships)
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.IAMDBAuth.Connecting.html).
 */
export function authToken(hostname: string, port: number, user: string, region: string, now: Date,
  credentials: Credentials = lambdaCredentials()): string {
  const host = `${hostname}:${port}`;
  const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${region}/rds-db/aws4_request`;
  const query: Record<string, string> = {
    'Action': 'connect',
    'DBUser': user,
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `${credentials.accessKeyId}/${scope}`,
    'X-Amz-Date': amzDate,
    'X-Amz-Expires': '900',
    ...(credentials.sessionToken ? { 'X-Amz-Security-Token': credentials.sessionToken } : {}),
    'X-Amz-SignedHeaders': 'host',
  };
  const queryString = (q: Record<string, string>) => Object.keys(q).sort().map((k) => `${encode(k)}=${encode(q[k])}`).join('&');
  // No body: the payload hash is the hash of the empty string.
  const canonicalRequest = ['GET', '/', queryString(query), `host:${host}`, '', 'host', sha256('')].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = ['rds-db', 'aws4_request'].reduce(hmac, hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), region));
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  return `${host}/?${queryString({ ...query, 'X-Amz-Signature': signature })}`;
}
