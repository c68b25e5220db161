/**
 * The InMemoryCache IntegTest's probe: authenticates as the cache's IAM user with a token it signs
 * itself, over TLS, sets a key and reads it back; then opens a plain TCP connection, which the
 * cache (TLS required) must not answer. It speaks RESP (https://valkey.io/topics/protocol/)
 * directly and signs with node:crypto, so the bundle needs no client library and no SDK.
 */
import { createHash, createHmac, randomUUID } from 'crypto';
import * as net from 'net';
import * as tls from 'tls';

/** A decoded RESP reply. Errors are values, not exceptions: the caller decides what a failure means. */
export type RespValue = string | number | boolean | null | RespError | RespValue[] | Map<RespValue, RespValue>;

/** A RESP error reply (`-ERR ...`, or RESP3's blob error). */
export class RespError {
  constructor(public readonly message: string) {}
}

/** A command as RESP sends it: an array of bulk strings. */
export function encodeCommand(args: string[]): Buffer {
  const parts = args.map((arg) => {
    const bytes = Buffer.from(arg, 'utf8');
    return Buffer.concat([Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n')]);
  });
  return Buffer.concat([Buffer.from(`*${args.length}\r\n`), ...parts]);
}

/**
 * Decodes one reply from the start of `buffer`: the value and the bytes it used, or undefined
 * while the reply is incomplete. RESP2's types and RESP3's (maps, sets, null, booleans, doubles,
 * big numbers, verbatim strings, blob errors); anything else is refused, not guessed.
 */
export function decodeReply(buffer: Buffer, offset = 0): { value: RespValue; end: number } | undefined {
  const lineEnd = buffer.indexOf('\r\n', offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buffer[offset]);
  const line = buffer.toString('utf8', offset + 1, lineEnd);
  const next = lineEnd + 2;
  const aggregate = (count: number, pairs: boolean) => {
    const items: RespValue[] = [];
    let at = next;
    for (let i = 0; i < count * (pairs ? 2 : 1); i++) {
      const item = decodeReply(buffer, at);
      if (!item) return undefined;
      items.push(item.value);
      at = item.end;
    }
    if (!pairs) return { value: items, end: at };
    const map = new Map<RespValue, RespValue>();
    for (let i = 0; i < items.length; i += 2) map.set(items[i], items[i + 1]);
    return { value: map, end: at };
  };
  const blob = (wrap: (text: string) => RespValue) => {
    const length = Number(line);
    if (length < 0) return { value: null, end: next };
    if (buffer.length < next + length + 2) return undefined;
    return { value: wrap(buffer.toString('utf8', next, next + length)), end: next + length + 2 };
  };
  switch (type) {
    case '+': return { value: line, end: next };
    case '-': return { value: new RespError(line), end: next };
    case ':': return { value: Number(line), end: next };
    case '(': return { value: line, end: next };
    case ',': return { value: Number(line.replace(/^(-?)inf$/, '$1Infinity')), end: next };
    case '#': return { value: line === 't', end: next };
    case '_': return { value: null, end: next };
    case '$': return blob((text) => text);
    case '!': return blob((text) => new RespError(text));
    // A verbatim string starts with its format and a colon (`txt:`).
    case '=': return blob((text) => text.slice(4));
    case '*': case '~': case '>': return Number(line) < 0 ? { value: null, end: next } : aggregate(Number(line), false);
    case '%': return aggregate(Number(line), true);
    default: throw new Error(`Not a RESP reply: ${JSON.stringify(buffer.toString('utf8', offset, Math.min(buffer.length, offset + 40)))}`);
  }
}

/** AWS credentials, as Lambda's runtime puts them in the environment. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface ConnectTokenRequest {
  /** The replication group's id or the serverless cache's name, lower case. */
  readonly cacheName: string;
  /** The IAM-enabled user, whose id and name are equal. */
  readonly userName: string;
  readonly region: string;
  readonly serverless: boolean;
  readonly credentials: AwsCredentials;
  readonly now: Date;
  /** How long the token is valid, in seconds: ElastiCache takes at most 900. */
  readonly expiresSeconds?: number;
}

/** RFC 3986 encoding, as SigV4 canonicalizes query strings. */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/**
 * The IAM authentication token for ElastiCache: a SigV4-presigned `GET https://<cache name>/?Action=connect&User=<user>`
 * (with `&ResourceType=ServerlessCache` for a serverless cache), for the service `elasticache`,
 * valid 15 minutes, without its scheme. It is the password of `AUTH <user> <token>`
 * (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth-iam.html, "Connecting"). Signed
 * as SigV4 query signing does (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html):
 * the host header only, the empty payload's hash, and the session token inside the signed query.
 */
export function presignConnectToken(request: ConnectTokenRequest): string {
  const { cacheName, userName, region, credentials, now } = request;
  const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const date = amzDate.slice(0, 8);
  const scope = `${date}/${region}/elasticache/aws4_request`;
  const params: Record<string, string> = {
    'Action': 'connect',
    'User': userName,
    ...(request.serverless ? { ResourceType: 'ServerlessCache' } : {}),
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `${credentials.accessKeyId}/${scope}`,
    'X-Amz-Date': amzDate,
    'X-Amz-Expires': String(request.expiresSeconds ?? 900),
    ...(credentials.sessionToken ? { 'X-Amz-Security-Token': credentials.sessionToken } : {}),
    'X-Amz-SignedHeaders': 'host',
  };
  const query = Object.keys(params).map((key) => [uriEncode(key), uriEncode(params[key])])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`).join('&');
  const canonicalRequest = ['GET', '/', query, `host:${cacheName}`, '', 'host', sha256Hex('')].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${credentials.secretAccessKey}`, date);
  for (const part of [region, 'elasticache', 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  return `${cacheName}/?${query}&X-Amz-Signature=${signature}`;
}

/**
 * Sends the commands on an open socket and collects one reply each; rejects if the connection
 * ends, fails or stays silent for `timeoutMs` first.
 */
export function exchange(socket: net.Socket, commands: string[][], timeoutMs: number): Promise<RespValue[]> {
  return new Promise((resolve, reject) => {
    let pending = Buffer.alloc(0);
    const replies: RespValue[] = [];
    const fail = (error: Error) => { socket.destroy(); reject(error); };
    socket.setTimeout(timeoutMs, () => fail(new Error(`no reply within ${timeoutMs} ms`)));
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed before every reply')));
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      try {
        for (let reply = decodeReply(pending); reply; reply = pending.length > 0 ? decodeReply(pending) : undefined) {
          replies.push(reply.value);
          pending = pending.subarray(reply.end);
        }
      } catch (error) {
        fail(error as Error);
        return;
      }
      if (replies.length >= commands.length) {
        socket.removeAllListeners('close');
        socket.setTimeout(0);
        socket.end();
        resolve(replies);
      }
    });
    socket.write(Buffer.concat(commands.map(encodeCommand)));
  });
}

/** A reply as the probe reports it: a string as it is, an error as `error: <message>`, anything else as JSON. */
export function describeReply(value: RespValue | undefined): string {
  if (typeof value === 'string') return value;
  return value instanceof RespError ? `error: ${value.message}` : JSON.stringify(value instanceof Map ? [...value] : value) ?? 'nothing';
}

export interface ProbeResult {
  /** The reply to AUTH (`OK`), or what went wrong. */
  readonly auth: string;
  /** The reply to SET (`OK`). */
  readonly set: string;
  /** Whether GET returned the value SET stored. */
  readonly readBack: boolean;
  /** `refused` when the plain TCP connection got no RESP reply; otherwise what it got. */
  readonly withoutTls: string;
}

export async function handler(): Promise<ProbeResult> {
  const host = process.env.CACHE_HOST!;
  const port = Number(process.env.CACHE_PORT);
  const user = process.env.CACHE_USER!;
  const token = presignConnectToken({
    cacheName: process.env.CACHE_NAME!,
    userName: user,
    region: process.env.AWS_REGION!,
    serverless: process.env.CACHE_SERVERLESS === 'true',
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID!,
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY!,
      sessionToken: process.env.AWS_SESSION_TOKEN,
    },
    now: new Date(),
  });

  // The server's certificate is checked against Node's CAs, which include Amazon's roots.
  const key = `integ-probe:${randomUUID()}`;
  const value = randomUUID();
  const secure = tls.connect({ host, port, servername: host, rejectUnauthorized: true });
  await new Promise<void>((resolve, reject) => secure.once('secureConnect', resolve).once('error', reject));
  const [auth, set, got] = await exchange(secure, [['AUTH', user, token], ['SET', key, value, 'EX', '60'], ['GET', key]], 10_000);

  // Only PING, never the token, goes over plain TCP. A cache that served plain connections would
  // answer it (+PONG, or -NOAUTH); a TLS-only one answers with no RESP reply at all.
  let withoutTls: string;
  try {
    const plain = net.connect({ host, port });
    const [reply] = await exchange(plain, [['PING']], 5_000);
    withoutTls = `answered ${describeReply(reply)}`;
  } catch (error) {
    withoutTls = /no reply|closed|ECONNRESET|EPIPE|ECONNREFUSED|Not a RESP reply/.test(String(error)) ? 'refused' : `failed otherwise: ${String(error)}`;
  }
  return { auth: describeReply(auth), set: describeReply(set), readBack: got === value, withoutTls };
}
