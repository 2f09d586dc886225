// An independent SPDY server (the npm "spdy" package, plain TCP or TLS) for
// spdylay's interop tests.  It listens on 127.0.0.1 on a free port, prints
// {"port": N} as one JSON line, and answers:
//   GET  /hello  -> 200, "hello from node spdy\n"
//   GET  /bytes/N -> 200, N bytes of the pattern a, b, ... z, a, b, ...
//                   (more than one flow-control window makes WINDOW_UPDATE
//                   necessary)
//   POST /echo   -> 200, the request body back, prefixed with its length
// Every response carries x-spdy-version with the version node negotiated.
// It exits when its stdin closes, so a test that dies never leaves it behind.
//
// Usage: node server.js [--spdy31] [--tls CERT KEY [--protocol spdy/N]]
// Plain TCP has no NPN, and SPDY/3 and SPDY/3.1 frames both carry version 3,
// so node speaks SPDY/3 unless told with --spdy31 (its autoSpdy31 option) to
// add SPDY/3.1's connection-level flow control.
'use strict'
const spdy = require('spdy')

const MAX_BYTES = 10000000

function pattern (size) {
  const buf = Buffer.alloc(size)
  for (let i = 0; i < size; i++) buf[i] = 97 + (i % 26)
  return buf
}

function handler (req, res) {
  const common = {
    'content-type': 'text/plain',
    'x-spdy-version': String(req.spdyVersion),
    'x-request-method': req.method
  }
  if (req.method === 'GET' && req.url === '/hello') {
    res.writeHead(200, common)
    res.end('hello from node spdy\n')
  } else if (req.method === 'GET' && /^\/bytes\/[0-9]+$/.test(req.url) &&
             Number(req.url.slice(7)) <= MAX_BYTES) {
    res.writeHead(200, common)
    res.end(pattern(Number(req.url.slice(7))))
  } else if (req.method === 'POST' && req.url === '/echo') {
    const chunks = []
    req.on('data', (chunk) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      res.writeHead(200, common)
      res.end(Buffer.concat([Buffer.from(body.length + ':'), body]))
    })
  } else {
    res.writeHead(404, common)
    res.end('not found\n')
  }
}

// --tls CERT KEY: TLS, the version chosen by ALPN (--protocol P offers
// only P), instead of plain TCP.
const tlsAt = process.argv.indexOf('--tls')
const protocolAt = process.argv.indexOf('--protocol')
const options = {
  spdy: {
    plain: tlsAt < 0,
    ssl: tlsAt >= 0,
    protocols: protocolAt >= 0 ? [process.argv[protocolAt + 1]]
      : ['spdy/3.1', 'spdy/3', 'spdy/2'],
    connection: { autoSpdy31: process.argv.includes('--spdy31') }
  }
}
if (tlsAt >= 0) {
  const fs = require('fs')
  options.cert = fs.readFileSync(process.argv[tlsAt + 1])
  options.key = fs.readFileSync(process.argv[tlsAt + 2])
}
const server = spdy.createServer(options, handler)

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n')
})

process.stdin.on('end', () => process.exit(0))
process.stdin.resume()
