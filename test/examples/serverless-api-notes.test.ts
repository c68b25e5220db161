import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { handler, parseNewNote } from '../../examples/serverless-api/api/notes';

// A REST API (v1) Lambda proxy event as API Gateway sends it for the {proxy+} resource.
function restEvent(httpMethod: string, path: string, body: string | null = null): APIGatewayProxyEvent {
  return {
    resource: '/{proxy+}',
    path,
    httpMethod,
    headers: { 'content-type': 'application/json', 'Host': 'abc123.execute-api.us-east-1.amazonaws.com' },
    multiValueHeaders: {},
    queryStringParameters: null,
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

beforeAll(() => {
  // Keep Powertools' structured log and metric lines out of the test output.
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

describe('notes handler (examples/serverless-api)', () => {
  test('creates a note from a valid body, and lists it', async () => {
    const created = await handler(restEvent('POST', '/notes', JSON.stringify({ text: '  buy milk ' })), context);
    expect(created.statusCode).toBe(201);
    const note = JSON.parse(created.body);
    expect(note).toEqual({ id: expect.stringMatching(/^req-/), text: 'buy milk', createdAt: expect.any(String) });

    const listed = await handler(restEvent('GET', '/notes'), context);
    expect(listed.statusCode).toBe(200);
    expect(JSON.parse(listed.body).notes).toContainEqual(note);
    expect(listed.headers).toEqual({ 'content-type': 'application/json' });
  });

  test.each([
    ['malformed JSON', '{"text": '],
    ['no body', null],
    ['a missing text', JSON.stringify({ title: 'x' })],
    ['a text that is not a string', JSON.stringify({ text: 42 })],
    ['a blank text', JSON.stringify({ text: '   ' })],
    ['a text over 500 characters', JSON.stringify({ text: 'x'.repeat(501) })],
  ])('rejects %s with a 400', async (_name, body) => {
    const response = await handler(restEvent('POST', '/notes', body), context);
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).message).toMatch(/^The body must be/);
  });

  test('answers 404 for an unknown route and 405 for an unknown method', async () => {
    expect((await handler(restEvent('GET', '/todos'), context)).statusCode).toBe(404);
    expect((await handler(restEvent('DELETE', '/notes'), context)).statusCode).toBe(405);
  });

  test('accepts a trailing slash', async () => {
    expect((await handler(restEvent('GET', '/notes/'), context)).statusCode).toBe(200);
  });

  test('parseNewNote accepts exactly 500 characters', () => {
    expect(parseNewNote(JSON.stringify({ text: 'x'.repeat(500) }))).toEqual({ text: 'x'.repeat(500) });
  });
});
