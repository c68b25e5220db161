// Answers GET /health with 200 for the load balancer, and GET / with a greeting naming the task.
const http = require('http');
const os = require('os');

const server = http.createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ message: 'Hello from Fargate', task: os.hostname() }));
});
server.listen(8080, () => console.log(JSON.stringify({ message: 'listening', port: 8080 })));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
