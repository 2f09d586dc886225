#!/usr/bin/env python3
"""The server from python-spdylay's README, unchanged but for where it
listens (and its type hints): a BaseSPDYRequestHandler with do_GET, run by ThreadedSPDYServer over
TLS (spdy/3.1, spdy/3 and spdy/2 offered by ALPN).

Usage: python3 examples/spdy_server.py [PORT [CERT_FILE KEY_FILE]]
       (default: 3000 server.crt server.key; port 0 picks a free port)
"""

import sys

import spdylay


class MySPDYRequestHandler(spdylay.BaseSPDYRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/html; charset=UTF-8")

        content = b"""\
<html><head><title>SPDY FTW</title></head><body>
<h1>SPDY FTW</h1>
<p>The age of HTTP/1.1 is over. The time of SPDY has come.</p>
</body></html>"""

        self.wfile.write(content)


if __name__ == "__main__":
    HOST, PORT = "localhost", int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    cert_file, key_file = sys.argv[2:4] or ("server.crt", "server.key")

    server_address = (HOST, PORT)
    server = spdylay.ThreadedSPDYServer(
        server_address, MySPDYRequestHandler, cert_file=cert_file, key_file=key_file
    )
    print("serving on https://%s:%d/" % (HOST, server.server_address[1]), flush=True)
    server.start()
