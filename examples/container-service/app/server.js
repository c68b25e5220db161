// Answers GET /health with 200 for the load balancer, and GET / with a greeting naming the task.
// The health check writes and reads a file in /tmp: the only writable place, since the root file
// system is read-only, so a task whose scratch volume is not writable is not healthy.
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');

const server = http.createServer((req, res) => {
  if (req.url === '/health') {
    const probe = path.join(os.tmpdir(), 'health');
    try {
      fs.writeFileSync(probe, String(Date.now()));
      fs.readFileSync(probe);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`scratch volume not writable: ${error.message}`);
    }
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ message: 'Hello from Fargate', task: os.hostname() }));
});
server.listen(8080, () => console.log(JSON.stringify({ message: 'listening', port: 8080 })));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
