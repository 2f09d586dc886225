// An independent SPDY client (the npm "spdy" package, plain TCP or TLS) for
// spdylay's interop tests.
// Usage: node client.js [--ca CAFILE] PORT PROTOCOL PATH...
//        (PROTOCOL: spdy/2, spdy/3, spdy/3.1)
// GETs each PATH from 127.0.0.1:PORT over one SPDY connection, one after the
// other, and prints one JSON array of {path, status, headers, body}.
'use strict'
const http = require('http')
const https = require('https')
const spdy = require('spdy')

// --ca CAFILE (first): TLS, verifying the server against CAFILE, offering
// PROTOCOL by ALPN, instead of plain TCP.
const args = process.argv.slice(2)
const ca = args[0] === '--ca' ? require('fs').readFileSync(args[1]) : null
const [port, protocol, ...paths] = ca ? args.slice(2) : args

const agent = spdy.createAgent(ca ? {
  host: 'localhost',
  port: Number(port),
  ca: ca,
  spdy: { protocols: [protocol] }
} : {
  host: '127.0.0.1',
  port: Number(port),
  spdy: { plain: true, ssl: false, protocol: protocol }
})

function fail (err) {
  process.stderr.write('client error: ' + (err && err.stack ? err.stack : err) + '\n')
  process.exit(1)
}
agent.on('error', fail)

function get (path) {
  return new Promise((resolve, reject) => {
    const get = ca ? https.get : http.get
    const host = ca ? 'localhost' : '127.0.0.1'
    const req = get({ host: host, port: Number(port), path: path, agent: agent }, (res) => {
      const chunks = []
      res.on('data', (chunk) => chunks.push(chunk))
      res.on('end', () => resolve({
        path: path,
        status: res.statusCode,
        headers: res.headers,
        body: Buffer.concat(chunks).toString('latin1')
      }))
      res.on('error', reject)
    })
    req.on('error', reject)
  })
}

(async () => {
  const results = []
  for (const path of paths) results.push(await get(path))
  agent.close()
  // A pipe takes stdout asynchronously: exit only once it is flushed.
  process.stdout.write(JSON.stringify(results) + '\n', () => process.exit(0))
})().catch(fail)
