"""A SPDY server with spdylay.aio: a page that pushes its stylesheet, a
streamed response, an upload that is read as it arrives, and a handler that
fails (the client gets a 500, the log gets the traceback).

Usage: python3 examples/aio_server.py [--port N] [--tls CERT KEY]
       [--version spdy/2|spdy/3|spdy/3.1]
Prints "listening on 127.0.0.1:PORT" once it accepts connections; stops on
Ctrl-C (or SIGTERM), sending GOAWAY and letting open streams finish.
"""

import argparse
import asyncio
import logging
import signal
import ssl
from collections.abc import AsyncIterator

import spdylay
import spdylay.aio

VERSIONS = {
    "spdy/2": spdylay.PROTO_SPDY2,
    "spdy/3": spdylay.PROTO_SPDY3,
    "spdy/3.1": spdylay.PROTO_SPDY3_1,
}
PAGE = b"<link rel=stylesheet href=/style.css><p>Hello from spdylay.aio</p>\n"
STYLE = b"p { font-weight: bold }\n"


async def count_to(n: int) -> AsyncIterator[bytes]:
    """A response body produced as the client's window allows."""
    for i in range(1, n + 1):
        yield b"%d\n" % i


async def handler(request: spdylay.aio.Request) -> tuple[int, list[tuple[str, str]], object]:
    if request.path == "/":
        await request.push("/style.css", [("content-type", "text/css")], STYLE)
        return 200, [("content-type", "text/html")], PAGE
    if request.path.startswith("/count/"):
        return 200, [("content-type", "text/plain")], count_to(int(request.path[len("/count/") :]))
    if request.path == "/upload" and request.method == "POST":
        size = 0
        async for chunk in request:
            size += len(chunk)
        return 200, [("content-type", "text/plain")], b"received %d bytes\n" % size
    if request.path == "/fail":
        raise RuntimeError("this handler always fails")
    return 404, [("content-type", "text/plain")], b"not found\n"


async def main(args: argparse.Namespace) -> None:
    context = None
    if args.tls:
        # serve() makes the context offer SPDY by ALPN.
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*args.tls)
    server = await spdylay.aio.serve(
        handler, "127.0.0.1", args.port, ssl=context, version=VERSIONS.get(args.version)
    )
    print("listening on 127.0.0.1:%d" % server.port, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8443)
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--version", choices=sorted(VERSIONS))
    asyncio.run(main(parser.parse_args()))
