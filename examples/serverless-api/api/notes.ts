import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

const logger = new Logger({ serviceName: 'notes' });
const metrics = new Metrics({ namespace: 'NotesExample', serviceName: 'notes' });
const tracer = new Tracer({ serviceName: 'notes' });

export interface Note {
  readonly id: string;
  readonly text: string;
  readonly createdAt: string;
}

const MAX_TEXT = 500;
// A demo store: it lives as long as the function instance. A real API keeps notes in DynamoDB.
const notes: Note[] = [];

function respond(statusCode: number, body: unknown): APIGatewayProxyResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
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

async function route(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const path = event.path.replace(/\/+$/, '');
  if (path !== '/notes') {
    return respond(404, { message: `No route for ${event.httpMethod} ${event.path}.` });
  }
  if (event.httpMethod === 'GET') {
    return respond(200, { notes });
  }
  if (event.httpMethod === 'POST') {
    const input = parseNewNote(event.body);
    if ('error' in input) {
      logger.warn('Rejected a note', { reason: input.error });
      metrics.addMetric('NotesRejected', MetricUnit.Count, 1);
      return respond(400, { message: input.error });
    }
    const note: Note = { id: event.requestContext.requestId, text: input.text, createdAt: new Date().toISOString() };
    notes.push(note);
    metrics.addMetric('NotesCreated', MetricUnit.Count, 1);
    logger.info('Created a note', { id: note.id });
    return respond(201, note);
  }
  return respond(405, { message: `${event.httpMethod} is not allowed on /notes.` });
}

export const handler = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
  logger.addContext(context);
  tracer.annotateColdStart();
  tracer.putAnnotation('route', `${event.httpMethod} ${event.path}`);
  try {
    return await route(event);
  } catch (error) {
    logger.error('Unexpected failure', error as Error);
    return respond(500, { message: 'Something went wrong.' });
  } finally {
    metrics.publishStoredMetrics();
  }
};
