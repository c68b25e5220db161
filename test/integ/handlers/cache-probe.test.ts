import * as net from 'net';
import { decodeReply, describeReply, encodeCommand, exchange, presignConnectToken, RespError } from './cache-probe';

// The InMemoryCache IntegTest's probe, without a cache: its RESP encoder and decoder, its token
// signer against tokens botocore signed, and its exchange against a local server.

test('a command is an array of bulk strings, lengths in bytes', () => {
  expect(encodeCommand(['SET', 'k', 'vé']).toString('utf8')).toBe('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nvé\r\n');
  expect(encodeCommand([]).toString()).toBe('*0\r\n');
});

test.each<[string, string, unknown]>([
  ['a simple string', '+OK\r\n', 'OK'],
  ['an integer', ':-42\r\n', -42],
  ['a bulk string holding CRLF', '$4\r\na\r\nb\r\n', 'a\r\nb'],
  ['a null bulk string', '$-1\r\n', null],
  ['a nested array', '*2\r\n:1\r\n*1\r\n+x\r\n', [1, ['x']]],
  ['a null array', '*-1\r\n', null],
  ['RESP3 null, boolean, double and big number', '*4\r\n_\r\n#t\r\n,-inf\r\n(123456789012345678901\r\n', [null, true, -Infinity, '123456789012345678901']],
  ['a RESP3 verbatim string', '=7\r\ntxt:abc\r\n', 'abc'],
  ['a RESP3 set', '~2\r\n+a\r\n+b\r\n', ['a', 'b']],
])('decodes %s', (_name, reply, value) => {
  const decoded = decodeReply(Buffer.from(reply));
  expect(decoded).toEqual({ value, end: Buffer.byteLength(reply) });
});

test('decodes errors as values, a RESP3 map as a Map, and says when a reply is incomplete', () => {
  expect(decodeReply(Buffer.from('-WRONGPASS invalid username-password pair\r\n'))!.value)
    .toEqual(new RespError('WRONGPASS invalid username-password pair'));
  expect(decodeReply(Buffer.from('!5\r\nNOPE!\r\n'))!.value).toEqual(new RespError('NOPE!'));
  const map = decodeReply(Buffer.from('%2\r\n+server\r\n+valkey\r\n+proto\r\n:3\r\n'))!.value as Map<unknown, unknown>;
  expect([...map]).toEqual([['server', 'valkey'], ['proto', 3]]);
  for (const partial of ['+OK', '$5\r\nabc', '*2\r\n:1\r\n', '%1\r\n+k\r\n']) expect(decodeReply(Buffer.from(partial))).toBeUndefined();
  // Two replies in one buffer: the second starts where the first ends.
  const both = Buffer.from('+OK\r\n$2\r\nhi\r\n');
  expect(decodeReply(both, decodeReply(both)!.end)).toEqual({ value: 'hi', end: both.length });
});

test('refuses what is not RESP, such as a TLS alert with a CRLF in it', () => {
  expect(() => decodeReply(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x0d, 0x0a]))).toThrow(/^Not a RESP reply/);
});

test('describes replies as the IntegTest expects them', () => {
  expect(describeReply('OK')).toBe('OK');
  expect(describeReply(new RespError('NOAUTH Authentication required.'))).toBe('error: NOAUTH Authentication required.');
  expect(describeReply(null)).toBe('null');
  expect(describeReply(undefined)).toBe('nothing');
});

// Expected tokens: botocore 1.43.11's SigV4QueryAuth (the signer of the GLIDE recipe that AWS's
// ElastiCache IAM page points to) for GET https://my-cache/?Action=connect&User=app-user, service
// elasticache, us-east-1, 900 seconds, at 2026-12-06T17:00:00Z, with these example credentials.
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const NOW = new Date('2026-12-06T17:00:00Z');

test('a node-based cache\'s token is the presigned connect URL without its scheme, as botocore signs it', () => {
  const token = presignConnectToken({ cacheName: 'my-cache', userName: 'app-user', region: 'us-east-1', serverless: false, credentials: CREDENTIALS, now: NOW });
  expect(token).toBe('my-cache/?Action=connect&User=app-user&X-Amz-Algorithm=AWS4-HMAC-SHA256'
    + '&X-Amz-Credential=AKIDEXAMPLE%2F20261206%2Fus-east-1%2Felasticache%2Faws4_request&X-Amz-Date=20261206T170000Z&X-Amz-Expires=900'
    + '&X-Amz-SignedHeaders=host&X-Amz-Signature=d20f318f119f8c6f0424a2ac60e0988b79f53b076eb9456f1747e3bd27a5cbec');
});

test('a serverless cache\'s token adds ResourceType=ServerlessCache, and a session token is signed in the query', () => {
  const token = presignConnectToken({
    cacheName: 'my-cache',
    userName: 'app-user',
    region: 'us-east-1',
    serverless: true,
    now: NOW,
    credentials: { ...CREDENTIALS, sessionToken: 'FQoGZXIvYXdzEXAMPLE/token+with=chars' },
  });
  expect(token).toContain('&ResourceType=ServerlessCache&');
  expect(token).toContain('&X-Amz-Security-Token=FQoGZXIvYXdzEXAMPLE%2Ftoken%2Bwith%3Dchars&');
  expect(token).toMatch(/&X-Amz-Signature=8897d8987467d61e2fa5983cf9e6b8805a93920ade98e16c43d4af7108726bef$/);
});

describe('exchange', () => {
  let server: net.Server;
  let port: number;
  // A local server that answers like a plain Valkey (PING), or hangs up without a word (anything else).
  beforeAll(async () => {
    server = net.createServer((socket) => socket.once('data', (data) => {
      if (data.includes('PING')) socket.write('+PONG\r\n$2\r\nhi\r\n');
      else socket.destroy();
    }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  test('collects one reply per command, across one chunk', async () => {
    await expect(exchange(net.connect({ host: '127.0.0.1', port }), [['PING'], ['GET', 'x']], 2_000)).resolves.toEqual(['PONG', 'hi']);
  });

  test('rejects when the server hangs up before replying', async () => {
    await expect(exchange(net.connect({ host: '127.0.0.1', port }), [['AUTH', 'u', 'p']], 2_000)).rejects.toThrow(/closed|ECONNRESET/);
  });
});
