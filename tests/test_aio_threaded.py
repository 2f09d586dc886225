"""spdylay.aio against the package's threaded server and client (the
python-spdylay API): our asyncio client against ThreadedSPDYServer, and
urlfetch against our asyncio server, over plain TCP and TLS with ALPN, every
SPDY version."""

import asyncio
import ssl
import threading

import pytest

import spdylay
import spdylay.aio as aio
from spdylay._tls import client_context, server_context

HOST = "127.0.0.1"
BIG = bytes(i % 253 for i in range(300000))


class Handler(spdylay.BaseSPDYRequestHandler):
    def do_GET(self):
        if self.path == "/big":
            self.send_response(200)
            self.send_header("content-type", "application/octet-stream")
            for start in range(0, len(BIG), 50000):
                self.wfile.write(BIG[start : start + 50000])
            return
        self.send_response(200)
        self.send_header("content-type", "text/plain")
        self.send_header("x-path", self.path)
        self.wfile.write(b"threaded says hi\n")

    def do_POST(self):
        body = self.rfile.read()
        self.send_response(200)
        self.send_header("content-type", "application/octet-stream")
        self.wfile.write(b"%d:" % len(body) + body)

    def log_message(self, format, *args):
        pass


@pytest.fixture(params=["plain", "tls"])
def secure(request):
    return request.param == "tls"


def test_aio_client_against_threaded_server(certificates, secure, version):
    if secure:
        server = spdylay.ThreadedSPDYServer(
            (HOST, 0),
            Handler,
            cert_file=certificates.cert_file,
            key_file=certificates.key_file,
            version=version,
        )
    else:
        server = spdylay.ThreadedSPDYServer((HOST, 0), Handler, version=version)
    port = server.server_address[1]
    upload = bytes(range(256)) * 800

    async def main():
        context = client_context(cafile=certificates.ca_file) if secure else None
        async with await aio.connect(
            "localhost" if secure else HOST, port, ssl=context, version=version
        ) as conn:
            assert conn.version == version
            hellos = await asyncio.gather(*[conn.get("/hello/%d" % i) for i in range(50)])
            big = await conn.get("/big")
            echo = await conn.request("POST", "/echo", body=upload)
            return (
                [(r.status, r.headers["x-path"], await r.read()) for r in hellos],
                await big.read(),
                await echo.read(),
            )

    with server:
        server.start()
        hellos, big, echo = asyncio.run(asyncio.wait_for(main(), 60))
    assert hellos == [(200, "/hello/%d" % i, b"threaded says hi\n") for i in range(50)]
    assert big == BIG
    assert echo == b"%d:" % len(upload) + upload


class Collect(spdylay.BaseSPDYStreamHandler):
    results = {}
    lock = threading.Lock()

    def on_header(self, nv):
        self.status = dict(nv)[":status"]
        self.body = bytearray()

    def on_data(self, data):
        self.body += data

    def on_close(self, status_code):
        with self.lock:
            self.results[self.url] = (status_code, self.status, bytes(self.body))


def test_urlfetch_against_aio_server(certificates, secure, version):
    seen = []

    async def handler(request):
        seen.append((request.method, request.path, request.version))
        body = await request.read()
        if request.path == "/big":
            return 200, [("content-type", "application/octet-stream")], BIG
        return 200, [("content-type", "text/plain")], b"aio says hi " + body

    async def main():
        context = server_context(certificates.cert_file, certificates.key_file) if secure else None
        async with await aio.serve(handler, HOST, 0, ssl=context, version=version) as server:
            scheme = "https://localhost" if secure else "http://127.0.0.1"
            urls = ["%s:%d/%s" % (scheme, server.port, path) for path in ("a", "b", "big")]
            kwargs = {"version": version}
            if secure:
                kwargs["ssl_context"] = ssl.create_default_context(cafile=certificates.ca_file)
            Collect.results = {}
            await asyncio.get_running_loop().run_in_executor(
                None, lambda: spdylay.urlfetch(urls, Collect, timeout=30, **kwargs)
            )
            return urls, dict(Collect.results)

    urls, results = asyncio.run(asyncio.wait_for(main(), 60))
    assert results[urls[0]] == (spdylay.OK, "200 OK", b"aio says hi ")
    assert results[urls[1]] == (spdylay.OK, "200 OK", b"aio says hi ")
    assert results[urls[2]] == (spdylay.OK, "200 OK", BIG)
    assert sorted(seen) == [
        ("GET", "/a", version),
        ("GET", "/b", version),
        ("GET", "/big", version),
    ]
