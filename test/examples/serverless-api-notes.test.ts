import {
  AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ThrottlingException,
} from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

// Powertools writes its log and metric lines to process.stdout through a console of its own,
// unless POWERTOOLS_DEV is set when it loads: then through the global console, which the tests
// silence (beforeAll). So the handler is required after setting it.
process.env.POWERTOOLS_DEV = 'true';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const notes: typeof import('../../examples/serverless-api/api/notes') = require('../../examples/serverless-api/api/notes');
const { decodeNextToken, encodeNextToken, handler, LIST_INDEX, MAX_PAGE, parseLimit, parseNewNote } = notes;

const TABLE = 'ServerlessApiExample-NotesTable-ABC';

// A REST API (v1) Lambda proxy event as API Gateway sends it for the {proxy+} resource.
function restEvent(httpMethod: string, path: string, body: string | null = null, query: Record<string, string> | null = null): APIGatewayProxyEvent {
  return {
    resource: '/{proxy+}',
    path,
    httpMethod,
    headers: { 'content-type': 'application/json', 'Host': 'abc123.execute-api.us-east-1.amazonaws.com' },
    multiValueHeaders: {},
    queryStringParameters: query,
    multiValueQueryStringParameters: null,
    pathParameters: { proxy: path.replace(/^\//, '') },
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod,
      identity: {
        accessKey: 'AKIAEXAMPLE',
        accountId: '123456789012',
        apiKey: null,
        apiKeyId: null,
        caller: 'AIDAEXAMPLE',
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '203.0.113.7',
        user: 'AIDAEXAMPLE',
        userAgent: 'curl/8.5.0',
        userArn: 'arn:aws:iam::123456789012:user/alice',
      },
      path: `/api${path}`,
      stage: 'api',
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      requestTimeEpoch: 1700000000000,
      resourceId: 'xyz',
      resourcePath: '/{proxy+}',
    },
  };
}

const context = {
  functionName: 'notes',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:notes',
  memoryLimitInMB: '256',
  awsRequestId: 'aws-req-1',
  logGroupName: '/aws/lambda/notes',
  logStreamName: 'stream',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 5000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} as Context;

type Item = Record<string, AttributeValue>;

/**
 * A table in memory that answers the four commands the handler sends as DynamoDB does: a put or
 * delete whose condition fails throws ConditionalCheckFailedException, and a Query of the index
 * returns its partition sorted by createdAt, at most Limit items, with a LastEvaluatedKey when more
 * remain. Any other command, a Scan above all, fails the test.
 */
class FakeTable {
  readonly items = new Map<string, Item>();
  readonly commands: unknown[] = [];

  async send(command: unknown): Promise<unknown> {
    this.commands.push(command);
    const input = (command as { input: any }).input;
    expect(input.TableName).toBe(TABLE);
    if (command instanceof PutItemCommand) {
      expect(input.ConditionExpression).toBe('attribute_not_exists(id)');
      if (this.items.has(input.Item.id.S)) throw conditionFailed();
      this.items.set(input.Item.id.S, input.Item);
      return {};
    }
    if (command instanceof GetItemCommand) {
      const item = this.items.get(input.Key.id.S);
      return item ? { Item: item } : {};
    }
    if (command instanceof DeleteItemCommand) {
      expect(input.ConditionExpression).toBe('attribute_exists(id)');
      if (!this.items.delete(input.Key.id.S)) throw conditionFailed();
      return {};
    }
    if (command instanceof QueryCommand) {
      const kind = input.ExpressionAttributeValues[':kind'].S;
      const order = input.ScanIndexForward === false ? -1 : 1;
      const sorted = [...this.items.values()]
        .filter((item) => item.kind.S === kind)
        .sort((a, b) => order * (a.createdAt.S!.localeCompare(b.createdAt.S!) || a.id.S!.localeCompare(b.id.S!)));
      const start = input.ExclusiveStartKey ? sorted.findIndex((item) => item.id.S === input.ExclusiveStartKey.id.S) + 1 : 0;
      const page = sorted.slice(start, start + input.Limit);
      const more = start + input.Limit < sorted.length;
      const last = page[page.length - 1];
      return { Items: page, LastEvaluatedKey: more ? { id: last.id, kind: last.kind, createdAt: last.createdAt } : undefined };
    }
    throw new Error(`The handler sent a command it should not: ${(command as object).constructor.name}`);
  }
}

const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

let fake: FakeTable;
let clock = Date.parse('2026-12-01T10:00:00.000Z');

beforeAll(() => {
  // Keep Powertools' structured log and metric lines out of the test output.
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
});

beforeEach(() => {
  process.env.NOTES_TABLE_NAME = TABLE;
  fake = new FakeTable();
  jest.spyOn(DynamoDBClient.prototype, 'send').mockImplementation(((command: unknown) => fake.send(command)) as any);
  // Only the clock is faked, so each note is created a second after the last (see `create`).
  jest.useFakeTimers({
    now: clock,
    doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
  });
});

afterEach(() => {
  jest.useRealTimers();
  // The tests that make DynamoDB fail re-mock this same spy; the console's stay mocked.
  jest.mocked(DynamoDBClient.prototype.send).mockRestore();
});

const json = (response: { body: string }) => JSON.parse(response.body);
const create = async (text: string) => {
  jest.setSystemTime(clock += 1000);
  return json(await handler(restEvent('POST', '/notes', JSON.stringify({ text })), context));
};

describe('notes handler (examples/serverless-api)', () => {
  test('POST creates a note under a new UUID, only where no note has that id, and answers 201 with where it is', async () => {
    jest.setSystemTime(Date.parse('2026-12-06T09:30:00.000Z'));
    const created = await handler(restEvent('POST', '/notes', JSON.stringify({ text: '  buy milk ' })), context);

    expect(created.statusCode).toBe(201);
    const note = json(created);
    expect(note).toEqual({ id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/), text: 'buy milk', createdAt: '2026-12-06T09:30:00.000Z' });
    expect(created.headers).toEqual({ 'content-type': 'application/json', 'location': `/api/notes/${note.id}` });
    expect(fake.items.get(note.id)).toEqual({ id: { S: note.id }, kind: { S: 'note' }, text: { S: 'buy milk' }, createdAt: { S: note.createdAt } });
  });

  test('POST answers 409, and overwrites nothing, when the new id is taken', async () => {
    jest.spyOn(DynamoDBClient.prototype, 'send').mockImplementation((() => Promise.reject(conditionFailed())) as any);

    const response = await handler(restEvent('POST', '/notes', JSON.stringify({ text: 'x' })), context);

    expect(response.statusCode).toBe(409);
    expect(json(response).message).toMatch(/exists/);
  });

  test('GET /notes/{id} reads a note back, strongly consistent; 404 when there is none', async () => {
    const note = await create('buy milk');

    const read = await handler(restEvent('GET', `/notes/${note.id}`), context);
    expect(read.statusCode).toBe(200);
    expect(json(read)).toEqual(note);
    expect((fake.commands[1] as GetItemCommand).input).toEqual({ TableName: TABLE, Key: { id: { S: note.id } }, ConsistentRead: true });

    const missing = await handler(restEvent('GET', '/notes/1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b'), context);
    expect(missing.statusCode).toBe(404);
    expect(json(missing).message).toBe('No note 1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b.');
  });

  test('DELETE /notes/{id} deletes the note (204), then answers 404 for it', async () => {
    const note = await create('buy milk');

    const deleted = await handler(restEvent('DELETE', `/notes/${note.id}`), context);
    expect(deleted).toEqual({ statusCode: 204, headers: {}, body: '' });
    expect(fake.items.has(note.id)).toBe(false);

    expect((await handler(restEvent('DELETE', `/notes/${note.id}`), context)).statusCode).toBe(404);
    expect((await handler(restEvent('GET', `/notes/${note.id}`), context)).statusCode).toBe(404);
  });

  test('GET /notes lists newest first, 20 by default, from a Query of the index (never a Scan)', async () => {
    const created = [];
    for (let i = 0; i < 25; i++) created.push(await create(`note ${i}`));

    const listed = await handler(restEvent('GET', '/notes'), context);

    expect(listed.statusCode).toBe(200);
    const page = json(listed);
    expect(page.notes).toEqual(created.reverse().slice(0, 20));
    expect(page.next).toEqual(expect.any(String));
    const query = fake.commands.at(-1) as QueryCommand;
    expect(query).toBeInstanceOf(QueryCommand);
    expect(query.input).toMatchObject({ IndexName: LIST_INDEX, KeyConditionExpression: '#kind = :kind', ScanIndexForward: false, Limit: 20 });
  });

  test('GET /notes pages through every note with ?limit= and the next token, each once, and the last page has no token', async () => {
    const created = [];
    for (let i = 0; i < 7; i++) created.push(await create(`note ${i}`));

    const seen = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const response = await handler(restEvent('GET', '/notes', null, next ? { limit: '3', next } : { limit: '3' }), context);
      expect(response.statusCode).toBe(200);
      const page = json(response);
      expect(page.notes.length).toBeLessThanOrEqual(3);
      seen.push(...page.notes);
      next = page.next;
      pages++;
    } while (next);

    expect(pages).toBe(3);
    expect(seen).toEqual(created.reverse());
  });

  test('GET /notes of an empty table is an empty list without a token', async () => {
    const response = await handler(restEvent('GET', '/notes/'), context);
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual({ notes: [] });
  });

  test.each([
    ['malformed JSON', '{"text": '],
    ['no body', null],
    ['a missing text', JSON.stringify({ title: 'x' })],
    ['a text that is not a string', JSON.stringify({ text: 42 })],
    ['a blank text', JSON.stringify({ text: '   ' })],
    ['a text over 500 characters', JSON.stringify({ text: 'x'.repeat(501) })],
    ['JSON null', 'null'],
  ])('POST rejects %s with a 400, and writes nothing', async (_name, body) => {
    const response = await handler(restEvent('POST', '/notes', body), context);
    expect(response.statusCode).toBe(400);
    expect(json(response).message).toMatch(/^The body must be/);
    expect(fake.commands).toEqual([]);
  });

  test.each(['0', '101', '-1', '2.5', 'ten', ''])('GET /notes rejects ?limit=%s with a 400 that names the range', async (limit) => {
    const response = await handler(restEvent('GET', '/notes', null, { limit }), context);
    expect(response.statusCode).toBe(400);
    expect(json(response).message).toBe(`limit must be a whole number from 1 to ${MAX_PAGE}; got "${limit}".`);
    expect(fake.commands).toEqual([]);
  });

  test.each([
    ['not base64 JSON', 'abc'],
    ['a key with another attribute', Buffer.from(JSON.stringify({ id: '1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b', createdAt: '2026-12-01T10:00:00.000Z', kind: 'x', extra: 1 })).toString('base64url')],
    ['a key whose id is not a UUID', Buffer.from(JSON.stringify({ id: 'x', createdAt: '2026-12-01T10:00:00.000Z' })).toString('base64url')],
    ['a key whose createdAt is not a time', Buffer.from(JSON.stringify({ id: '1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b', createdAt: { S: 'x' } })).toString('base64url')],
    ['a token over 200 characters', 'A'.repeat(201)],
  ])('GET /notes rejects a next token that is %s with a 400, and queries nothing', async (_name, next) => {
    const response = await handler(restEvent('GET', '/notes', null, { next }), context);
    expect(response.statusCode).toBe(400);
    expect(json(response).message).toBe('next must be the "next" token of a previous page of GET /notes.');
    expect(fake.commands).toEqual([]);
  });

  test.each(['GET', 'DELETE'])('%s /notes/{id} rejects an id that is not a UUID with a 400, and sends nothing', async (method) => {
    const response = await handler(restEvent(method, '/notes/abc'), context);
    expect(response.statusCode).toBe(400);
    expect(json(response).message).toMatch(/^A note id is a lowercase UUID .*; got "abc"\.$/);
    expect(fake.commands).toEqual([]);
  });

  test('answers 404 for an unknown route, and 405 with the allowed methods for an unknown method', async () => {
    expect((await handler(restEvent('GET', '/todos'), context)).statusCode).toBe(404);
    expect((await handler(restEvent('GET', '/notes/1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b/x'), context)).statusCode).toBe(404);
    const onList = await handler(restEvent('DELETE', '/notes'), context);
    expect([onList.statusCode, onList.headers?.allow]).toEqual([405, 'GET, POST']);
    const onNote = await handler(restEvent('PUT', '/notes/1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b'), context);
    expect([onNote.statusCode, onNote.headers?.allow]).toEqual([405, 'GET, DELETE']);
    expect(fake.commands).toEqual([]);
  });

  test('answers 503 with Retry-After when DynamoDB throttles, and 500 without details for any other failure', async () => {
    const send = jest.spyOn(DynamoDBClient.prototype, 'send');
    send.mockImplementation((() => Promise.reject(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }))) as any);
    const throttled = await handler(restEvent('GET', '/notes'), context);
    expect([throttled.statusCode, throttled.headers?.['retry-after']]).toEqual([503, '1']);

    send.mockImplementation((() => Promise.reject(new Error('socket hang up'))) as any);
    const failed = await handler(restEvent('GET', '/notes'), context);
    expect(failed.statusCode).toBe(500);
    expect(json(failed)).toEqual({ message: 'Something went wrong.' });
  });

  test('answers 500 when the table name is missing from the environment, before calling DynamoDB', async () => {
    delete process.env.NOTES_TABLE_NAME;
    expect((await handler(restEvent('GET', '/notes'), context)).statusCode).toBe(500);
    expect(fake.commands).toEqual([]);
  });
});

describe('the handler\'s input checks', () => {
  test('parseNewNote accepts exactly 500 characters', () => {
    expect(parseNewNote(JSON.stringify({ text: 'x'.repeat(500) }))).toEqual({ text: 'x'.repeat(500) });
  });

  test('parseLimit: 20 without a value, 1 and 100 at the bounds', () => {
    expect([parseLimit(undefined), parseLimit('1'), parseLimit('100')]).toEqual([20, 1, 100]);
  });

  test('a next token turns back into the index key it was made from', () => {
    const key = { id: { S: '1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b' }, kind: { S: 'note' }, createdAt: { S: '2026-12-01T10:00:00.000Z' } };
    expect(decodeNextToken(encodeNextToken(key))).toEqual(key);
  });
});
