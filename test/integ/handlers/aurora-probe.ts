/**
 * The AuroraDatabase IntegTest's probe. As the master user (the password from the secret RDS
 * keeps), over TLS to the writer, it creates a table and a database user that has no password and
 * is granted `rds_iam`, so that an IAM token is the only way that user logs in
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.IAMDBAuth.DBAccounts.html).
 * Then, as that user, with IAM tokens it signs itself and over TLS (the server's certificate
 * checked against the RDS CAs Lambda ships in /var/runtime/ca-cert.pem), it writes a row through
 * the writer endpoint and reads it back through the reader endpoint, waiting briefly for the
 * replica. Last, it tries the writer without TLS, which the cluster's rds.force_ssl must refuse.
 *
 * It signs its tokens with node:crypto, as botocore's and the JavaScript SDK's RDS signers do, so
 * the bundle needs no signer package (the project has none: `@aws-sdk/rds-signer` is not a client
 * that Lambda's runtime is documented to provide).
 */
import { createHash, createHmac, randomUUID } from 'crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Client, ClientConfig } from 'pg';

/** AWS credentials, as Lambda's runtime puts them in the environment. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface DbAuthTokenRequest {
  /** The endpoint's host name, as the client connects to it. */
  readonly hostname: string;
  readonly port: number;
  /** The database user, who must be granted `rds_iam` (PostgreSQL). */
  readonly userName: string;
  readonly region: string;
  readonly credentials: AwsCredentials;
  readonly now: Date;
}

/** RFC 3986 encoding, as SigV4 canonicalizes query strings. */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/**
 * The IAM authentication token of a database user: a SigV4-presigned
 * `GET https://<host>:<port>/?Action=connect&DBUser=<user>` for the service `rds-db`, valid 15
 * minutes, without its scheme; it is the user's password
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.IAMDBAuth.Connecting.html).
 * Signed as SigV4 query signing does
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html): the
 * host header only (with the port, which is not HTTPS's), the empty payload's hash, and the
 * session token inside the signed query.
 */
export function presignDbAuthToken(request: DbAuthTokenRequest): string {
  const { hostname, port, userName, region, credentials, now } = request;
  const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const date = amzDate.slice(0, 8);
  const scope = `${date}/${region}/rds-db/aws4_request`;
  const host = `${hostname}:${port}`;
  const params: Record<string, string> = {
    'Action': 'connect',
    'DBUser': userName,
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `${credentials.accessKeyId}/${scope}`,
    'X-Amz-Date': amzDate,
    'X-Amz-Expires': '900',
    ...(credentials.sessionToken ? { 'X-Amz-Security-Token': credentials.sessionToken } : {}),
    'X-Amz-SignedHeaders': 'host',
  };
  const query = Object.keys(params).map((key) => [uriEncode(key), uriEncode(params[key])])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`).join('&');
  const canonicalRequest = ['GET', '/', query, `host:${host}`, '', 'host', sha256Hex('')].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${credentials.secretAccessKey}`, date);
  for (const part of [region, 'rds-db', 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  return `${host}/?${query}&X-Amz-Signature=${signature}`;
}

/** What a session is, as the probe reports it: `primary over TLS as iam_probe`. */
export function describeSession(row: { replica: boolean; tls: boolean | null; user: string }): string {
  return `${row.replica ? 'replica' : 'primary'} over ${row.tls ? 'TLS' : 'plain TCP'} as ${row.user}`;
}

export interface ProbeResult {
  /** The writer endpoint's session as the IAM user: `primary over TLS as <user>`. */
  readonly writer: string;
  /** The reader endpoint's session as the IAM user: `replica over TLS as <user>`. */
  readonly reader: string;
  /** Whether the reader endpoint returned the row written through the writer endpoint. */
  readonly readBack: boolean;
  /** `refused` when the writer refused a connection without TLS; otherwise what happened. */
  readonly withoutTls: string;
}

/** The session's role (a replica is in recovery), whether it is encrypted, and its user. */
const SESSION_QUERY = 'SELECT pg_is_in_recovery() AS replica, (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()) AS tls, '
  + 'current_user AS "user"';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function handler(): Promise<ProbeResult> {
  const writerHost = process.env.DB_HOST!;
  const readerHost = process.env.DB_READER_HOST!;
  const port = Number(process.env.DB_PORT);
  const iamUser = process.env.DB_IAM_USER!;
  const base: ClientConfig = {
    port,
    database: 'postgres',
    // A Serverless v2 cluster paused at 0 ACU resumes on the first connection, in about 15 s.
    connectionTimeoutMillis: 30_000,
  };
  const tls = { rejectUnauthorized: true };
  const token = (hostname: string) => presignDbAuthToken({
    hostname,
    port,
    userName: iamUser,
    region: process.env.AWS_REGION!,
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID!,
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY!,
      sessionToken: process.env.AWS_SESSION_TOKEN,
    },
    now: new Date(),
  });

  // The master user creates what the IAM user needs. Idempotent: the assertion runs again on every
  // deployment of the IntegTest.
  const secrets = new SecretsManagerClient({});
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: process.env.DB_SECRET_ARN }));
  const { username, password } = JSON.parse(SecretString!);
  const master = new Client({ ...base, host: writerHost, user: username, password, ssl: tls });
  await master.connect();
  try {
    const user = master.escapeIdentifier(iamUser);
    const { rowCount } = await master.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [iamUser]);
    // LOGIN without a password: the user can log in with an IAM token and nothing else.
    if (!rowCount) await master.query(`CREATE ROLE ${user} WITH LOGIN`);
    await master.query(`GRANT rds_iam TO ${user}`);
    await master.query('CREATE TABLE IF NOT EXISTS probe_rows (id uuid PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now())');
    await master.query(`GRANT SELECT, INSERT ON probe_rows TO ${user}`);
  } finally {
    await master.end();
  }

  const id = randomUUID();
  const writer = new Client({ ...base, host: writerHost, user: iamUser, password: token(writerHost), ssl: tls });
  await writer.connect();
  let writerSession: string;
  try {
    writerSession = describeSession((await writer.query(SESSION_QUERY)).rows[0]);
    await writer.query('INSERT INTO probe_rows (id) VALUES ($1)', [id]);
  } finally {
    await writer.end();
  }

  const reader = new Client({ ...base, host: readerHost, user: iamUser, password: token(readerHost), ssl: tls });
  await reader.connect();
  let readerSession: string;
  let readBack = false;
  try {
    readerSession = describeSession((await reader.query(SESSION_QUERY)).rows[0]);
    // Aurora's replicas share the writer's storage and usually lag by well under 100 ms; allow 10 s.
    for (let attempt = 0; attempt < 20 && !readBack; attempt++) {
      if (attempt > 0) await sleep(500);
      readBack = ((await reader.query('SELECT 1 FROM probe_rows WHERE id = $1', [id])).rowCount ?? 0) === 1;
    }
  } finally {
    await reader.end();
  }

  // No password and no token: a cluster that took plain connections would ask for one (and the
  // client would fail saying so); rds.force_ssl refuses the connection before authentication.
  const plain = new Client({ ...base, host: writerHost, user: iamUser, ssl: false });
  let withoutTls = 'accepted';
  try {
    await plain.connect();
    await plain.end();
  } catch (error) {
    // PostgreSQL with rds.force_ssl=1 answers: no pg_hba.conf entry ... no encryption.
    withoutTls = /no encryption/.test(String(error)) ? 'refused' : `failed otherwise: ${String(error)}`;
  }
  return { writer: writerSession, reader: readerSession, readBack, withoutTls };
}
