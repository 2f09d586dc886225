"""A SPDY client with spdylay.aio, for examples/aio_server.py: requests
running concurrently on one connection, a pushed stylesheet, a streamed
body, an upload from an async generator, cancellation, and the ping time.

Usage: python3 examples/aio_client.py PORT [--tls CAFILE]
       [--version spdy/2|spdy/3|spdy/3.1]
"""

import argparse
import asyncio
import ssl
from collections.abc import AsyncIterator

import spdylay
import spdylay.aio

VERSIONS = {
    "spdy/2": spdylay.PROTO_SPDY2,
    "spdy/3": spdylay.PROTO_SPDY3,
    "spdy/3.1": spdylay.PROTO_SPDY3_1,
}


async def upload_chunks() -> AsyncIterator[bytes]:
    for _ in range(100):
        yield b"x" * 10000


async def page_with_push(conn: spdylay.aio.Connection) -> None:
    resp = await conn.get("/")
    page = await resp.read()
    print(resp.status, resp.headers["content-type"], page.decode().strip())
    for pushed in resp.pushed:
        print("  pushed", pushed.path, (await pushed.read()).decode().strip())


async def streamed(conn: spdylay.aio.Connection) -> None:
    resp = await conn.get("/count/100000")
    lines = 0
    async for chunk in resp:
        lines += chunk.count(b"\n")
    print("streamed /count/100000:", lines, "lines")


async def cancelled(conn: spdylay.aio.Connection) -> None:
    resp = await conn.get("/count/100000000")
    reader = asyncio.ensure_future(resp.read())
    await asyncio.sleep(0.1)
    reader.cancel()
    try:
        await reader
    except asyncio.CancelledError:
        print("cancelled /count/100000000 (its stream was reset with CANCEL)")


async def main(args: argparse.Namespace) -> None:
    # connect() makes the context offer SPDY by ALPN.
    context = ssl.create_default_context(cafile=args.tls) if args.tls else None
    async with await spdylay.aio.connect(
        "localhost" if args.tls else "127.0.0.1",
        args.port,
        ssl=context,
        version=VERSIONS.get(args.version),
    ) as conn:
        await asyncio.gather(page_with_push(conn), streamed(conn), cancelled(conn))
        upload = await conn.request("POST", "/upload", body=upload_chunks())
        print("upload:", (await upload.read()).decode().strip())
        failed = await conn.get("/fail")
        print("/fail:", failed.status, failed.reason)
        print("ping: %.3f ms" % (1000 * await conn.ping()))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("port", type=int)
    parser.add_argument("--tls", metavar="CAFILE")
    parser.add_argument("--version", choices=sorted(VERSIONS))
    asyncio.run(main(parser.parse_args()))
