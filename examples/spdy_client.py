#!/usr/bin/env python3
"""The client from python-spdylay's README, unchanged but for where its URLs
come from (and its type hints): a BaseSPDYStreamHandler subclass handed to urlfetch, which fetches
the URLs of one host over one multiplexed connection.

Usage: python3 examples/spdy_client.py [URL...]
       (default: https://localhost:3000/ and https://localhost:3000/robots.txt,
       the server of spdy_server.py)

The server's certificate is verified (python-spdylay did not verify it): for a
self-signed test certificate, point SSL_CERT_FILE at its CA certificate.
"""

import sys

import spdylay
from spdylay import ReceivedHeaderList


class MyStreamHandler(spdylay.BaseSPDYStreamHandler):
    def on_header(self, nv: ReceivedHeaderList) -> None:
        sys.stdout.write(f"Stream#{self.stream_id}\n")
        for k, v in nv:
            sys.stdout.write(f"{k}: {v}\n")

    def on_data(self, data: bytes) -> None:
        sys.stdout.write(f"Stream#{self.stream_id}\n")
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()

    def on_close(self, status_code: int) -> None:
        sys.stdout.write(f"Stream#{self.stream_id} closed\n")


if __name__ == "__main__":
    uris = sys.argv[1:] or ["https://localhost:3000/", "https://localhost:3000/robots.txt"]
    spdylay.urlfetch(uris, MyStreamHandler)
