import { randomUUID } from 'crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import {
  AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

const logger = new Logger({ serviceName: 'notes' });
const metrics = new Metrics({ namespace: 'NotesExample', serviceName: 'notes' });
const tracer = new Tracer({ serviceName: 'notes' });
// Created once per instance, outside the handler, so its connections are reused across requests
// (https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html). The Tracer adds a subsegment
// per DynamoDB call to the function's trace.
const dynamodb = tracer.captureAWSv3Client(new DynamoDBClient({}));

export interface Note {
  readonly id: string;
  readonly text: string;
  readonly createdAt: string;
}

const MAX_TEXT = 500;
/** The page size of `GET /notes` without `?limit=`, and the most a page may hold. */
export const DEFAULT_PAGE = 20;
export const MAX_PAGE = 100;
/**
 * The index `GET /notes` queries, newest first: every note has `kind` = `note` as its partition
 * key there and `createdAt` as its sort key (app.ts defines it).
 */
export const LIST_INDEX = 'byCreatedAt';
const KIND = 'note';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** DynamoDB's errors that mean "too many requests right now" (the SDK already retried them). */
const THROTTLED = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']);

function respond(statusCode: number, body?: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return body === undefined
    ? { statusCode, headers, body: '' }
    : { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

class BadRequest extends Error {}

function tableName(): string {
  const name = process.env.NOTES_TABLE_NAME;
  if (!name) {
    throw new Error('NOTES_TABLE_NAME is not set: app.ts passes the table name to the function.');
  }
  return name;
}

/**
 * Checks an untrusted request body: a JSON object with a `text` of 1 to 500 characters.
 */
export function parseNewNote(body: string | null): { text: string } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch {
    return { error: 'The body must be JSON.' };
  }
  const text = (parsed as { text?: unknown } | null)?.text;
  if (typeof text !== 'string' || text.trim().length === 0 || text.length > MAX_TEXT) {
    return { error: `The body must be an object with a "text" of 1 to ${MAX_TEXT} characters.` };
  }
  return { text: text.trim() };
}

/** `?limit=`: a whole number of notes from 1 to 100. */
export function parseLimit(value: string | undefined): number {
  if (value === undefined) {
    return DEFAULT_PAGE;
  }
  const limit = /^\d{1,3}$/.test(value) ? Number(value) : NaN;
  if (!(limit >= 1 && limit <= MAX_PAGE)) {
    throw new BadRequest(`limit must be a whole number from 1 to ${MAX_PAGE}; got "${value.slice(0, 20)}".`);
  }
  return limit;
}

/** The `next` token of a page: the index's last evaluated key, as base64url JSON. Opaque to callers. */
export function encodeNextToken(key: Record<string, AttributeValue>): string {
  return Buffer.from(JSON.stringify({ id: key.id?.S, createdAt: key.createdAt?.S })).toString('base64url');
}

/**
 * `?next=`: a token this API gave out, turned back into the index key to start after. A token is
 * untrusted input: only a key of the exact shape a page ends on is let through to DynamoDB.
 */
export function decodeNextToken(token: string): Record<string, AttributeValue> {
  let key: { id?: unknown; createdAt?: unknown } | null = null;
  // JSON.parse of a short string: the length check below runs after it, on at most an API
  // Gateway URL's worth of input.
  try {
    key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    // Reported below, as any other token that is not one of ours.
  }
  const id = key?.id;
  const createdAt = key?.createdAt;
  if (token.length > 200 || Object.keys(key ?? {}).length !== 2 || typeof id !== 'string' || !UUID.test(id) || typeof createdAt !== 'string' || !ISO_TIME.test(createdAt)) {
    throw new BadRequest('next must be the "next" token of a previous page of GET /notes.');
  }
  return { id: { S: id }, kind: { S: KIND }, createdAt: { S: createdAt } };
}

function noteId(id: string): string {
  if (!UUID.test(id)) {
    throw new BadRequest(`A note id is a lowercase UUID (such as 1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b); got "${id.slice(0, 40)}".`);
  }
  return id;
}

function noteOf(item: Record<string, AttributeValue>): Note {
  return { id: item.id.S!, text: item.text.S!, createdAt: item.createdAt.S! };
}

async function listNotes(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const query = event.queryStringParameters ?? {};
  const limit = parseLimit(query.limit);
  const startKey = query.next === undefined ? undefined : decodeNextToken(query.next);
  // A Query of one index partition, newest first, at most `limit` notes per call: never a Scan of
  // the whole table. Eventually consistent, as every read of a global index is.
  const page = await dynamodb.send(new QueryCommand({
    TableName: tableName(),
    IndexName: LIST_INDEX,
    KeyConditionExpression: '#kind = :kind',
    ExpressionAttributeNames: { '#kind': 'kind' },
    ExpressionAttributeValues: { ':kind': { S: KIND } },
    ScanIndexForward: false,
    Limit: limit,
    ExclusiveStartKey: startKey,
  }));
  const notes = (page.Items ?? []).map(noteOf);
  return respond(200, page.LastEvaluatedKey ? { notes, next: encodeNextToken(page.LastEvaluatedKey) } : { notes });
}

async function createNote(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const input = parseNewNote(event.body);
  if ('error' in input) {
    throw new BadRequest(input.error);
  }
  const note: Note = { id: randomUUID(), text: input.text, createdAt: new Date().toISOString() };
  try {
    await dynamodb.send(new PutItemCommand({
      TableName: tableName(),
      Item: { id: { S: note.id }, kind: { S: KIND }, text: { S: note.text }, createdAt: { S: note.createdAt } },
      // A put overwrites: the condition makes a create never replace another note.
      ConditionExpression: 'attribute_not_exists(id)',
    }));
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      logger.warn('A new note id was taken', { id: note.id });
      return respond(409, { message: 'A note with that id exists; send the request again.' });
    }
    throw error;
  }
  metrics.addMetric('NotesCreated', MetricUnit.Count, 1);
  logger.info('Created a note', { id: note.id });
  // requestContext.path is the path the caller sent, with the stage (`/api/notes`).
  return respond(201, note, { location: `${event.requestContext.path.replace(/\/+$/, '')}/${note.id}` });
}

async function readNote(id: string): Promise<APIGatewayProxyResult> {
  // Strongly consistent: a note just created reads back at once.
  const { Item } = await dynamodb.send(new GetItemCommand({ TableName: tableName(), Key: { id: { S: id } }, ConsistentRead: true }));
  return Item ? respond(200, noteOf(Item)) : respond(404, { message: `No note ${id}.` });
}

async function deleteNote(id: string): Promise<APIGatewayProxyResult> {
  try {
    await dynamodb.send(new DeleteItemCommand({ TableName: tableName(), Key: { id: { S: id } }, ConditionExpression: 'attribute_exists(id)' }));
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      return respond(404, { message: `No note ${id}.` });
    }
    throw error;
  }
  metrics.addMetric('NotesDeleted', MetricUnit.Count, 1);
  logger.info('Deleted a note', { id });
  return respond(204);
}

async function route(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  // The REST API proxies every path and method ({proxy+}, ANY): the routes are decided here.
  const segments = event.path.replace(/\/+$/, '').split('/').slice(1);
  const method = event.httpMethod;
  // The route's template, not its path: an annotation per note id would make X-Ray's filters useless.
  tracer.putAnnotation('route', `${method} /${segments.length === 2 ? `${segments[0]}/{id}` : segments.join('/')}`);
  if (segments.length === 1 && segments[0] === 'notes') {
    if (method === 'GET') return listNotes(event);
    if (method === 'POST') return createNote(event);
    return respond(405, { message: `${method} is not allowed on /notes.` }, { allow: 'GET, POST' });
  }
  if (segments.length === 2 && segments[0] === 'notes') {
    if (method === 'GET') return readNote(noteId(segments[1]));
    if (method === 'DELETE') return deleteNote(noteId(segments[1]));
    return respond(405, { message: `${method} is not allowed on /notes/{id}.` }, { allow: 'GET, DELETE' });
  }
  return respond(404, { message: `No route for ${method} ${event.path.slice(0, 100)}.` });
}

export const handler = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
  logger.addContext(context);
  tracer.annotateColdStart();
  try {
    return await route(event);
  } catch (error) {
    if (error instanceof BadRequest) {
      logger.warn('Rejected a request', { reason: error.message });
      metrics.addMetric('NotesRejected', MetricUnit.Count, 1);
      return respond(400, { message: error.message });
    }
    if (THROTTLED.has((error as Error).name)) {
      logger.warn('DynamoDB throttled the request', { error: (error as Error).name });
      return respond(503, { message: 'Too many requests right now; try again shortly.' }, { 'retry-after': '1' });
    }
    logger.error('Unexpected failure', error as Error);
    return respond(500, { message: 'Something went wrong.' });
  } finally {
    metrics.publishStoredMetrics();
  }
};
