// The web tier of the multi-region example, the same image in both regions. Each task talks to
// the table in its own region only (TABLE_REGION): the primary region's table, or the secondary
// region's replica of it. Routes:
//   GET /        counts the visit (UpdateItem ADD on one item) and answers with the region serving
//   GET /health  200 while the process runs: the load balancer's target health check
//   GET /ready   200 once this region's table answers a read: Route 53's health check, so DNS
//                fails over when the region cannot serve, not only when its tasks are down
const http = require('http');
const os = require('os');
const { DynamoDBClient, GetItemCommand, UpdateItemCommand } = require('@aws-sdk/client-dynamodb');

const region = process.env.TABLE_REGION;
const tableName = process.env.TABLE_NAME;
// A short timeout and one retry: Route 53's checkers count an answer that takes more than 2
// seconds after connecting as a failure, so /ready must answer within that, ready or not.
const dynamodb = new DynamoDBClient({ region, maxAttempts: 2, requestHandler: { requestTimeout: 800 } });
const COUNTER = { pk: { S: 'visits' } };

function reply(res, status, body) {
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

async function handle(req, res) {
  if (req.url === '/health') {
    return reply(res, 200, 'ok');
  }
  if (req.url === '/ready') {
    try {
      await dynamodb.send(new GetItemCommand({ TableName: tableName, Key: COUNTER, ProjectionExpression: 'pk' }));
      return reply(res, 200, `ready in ${region}`);
    } catch (error) {
      console.log(JSON.stringify({ message: 'not ready', region, error: error.name }));
      return reply(res, 503, `not ready in ${region}: ${error.name}`);
    }
  }
  if (req.url === '/' && req.method === 'GET') {
    // Both regions write this one item. A global table replicates each write to the other region
    // in about a second, and when both regions change the item within that window the later write
    // wins in both: increments made meanwhile in the other region are lost (see the README).
    const { Attributes: item } = await dynamodb.send(new UpdateItemCommand({
      TableName: tableName,
      Key: COUNTER,
      UpdateExpression: 'ADD visits :one SET lastRegion = :region, lastVisit = :now',
      ExpressionAttributeValues: { ':one': { N: '1' }, ':region': { S: region }, ':now': { S: new Date().toISOString() } },
      ReturnValues: 'ALL_NEW',
    }));
    return reply(res, 200, { region, task: os.hostname(), visits: Number(item.visits.N), lastRegion: item.lastRegion.S });
  }
  return reply(res, 404, 'not found');
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((error) => {
    console.log(JSON.stringify({ message: 'request failed', url: req.url, error: error.name }));
    reply(res, 500, { error: error.name });
  });
});
server.listen(8080, () => console.log(JSON.stringify({ message: 'listening', port: 8080, region, tableName })));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
