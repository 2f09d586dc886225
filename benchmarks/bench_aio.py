"""Requests/s of the spdylay.aio client against the spdylay.aio server over
loopback TCP, beside the in-memory Session figure of bench_python.py.

The workload is bench_python.py's small exchange: a GET answered by 200
with a 1 KiB body, every body checked.  Client and server run in this one
process, on one event loop, so the figure is the cost of both ends on one
core, as bench_python.py's in-memory figure is:
- "1 connection": 100 requests in flight on one connection;
- "20 connections": 20 connections with 5 requests in flight on each;
- "threaded server": the aio client, 100 requests in flight on one
  connection, against spdylay.ThreadedSPDYServer (its threads in this
  process too).

Rates are per second of this process's CPU time (user and system, so the
socket calls count), not of wall-clock time: on a shared machine the wall
clock also counts the time other processes held the CPU.  Each figure is
the best of --repeat runs (default 3).

Usage: python3 benchmarks/bench_aio.py [--requests N] [--repeat R]
       [--loop asyncio|uvloop] [--version 2|3|3.1]
       (by default every version, on every loop installed)
"""

import argparse
import asyncio
import platform
import sys
import time

from bench_python import CONCURRENCY, SMALL_BODY, SpdylayConnection, small_rate

import spdylay
import spdylay.aio as aio

VERSIONS = {"2": spdylay.PROTO_SPDY2, "3": spdylay.PROTO_SPDY3, "3.1": spdylay.PROTO_SPDY3_1}


async def handler(request):
    return 200, [("content-type", "application/octet-stream")], SMALL_BODY


class ThreadedHandler(spdylay.BaseSPDYRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("content-type", "application/octet-stream")
        self.wfile.write(SMALL_BODY)

    def log_message(self, format, *args):
        pass


async def exchange_rate(version, connections, in_flight, count):
    async with await aio.serve(
        handler, "127.0.0.1", 0, version=version, max_concurrent_streams=CONCURRENCY
    ) as server:
        return await client_rate(server.port, version, connections, in_flight, count)


async def threaded_server_rate(version, connections, in_flight, count):
    with spdylay.ThreadedSPDYServer(
        ("127.0.0.1", 0), ThreadedHandler, version=version, max_concurrent_streams=CONCURRENCY
    ) as server:
        server.start()
        return await client_rate(server.server_address[1], version, connections, in_flight, count)


async def client_rate(port, version, connections, in_flight, count):
    """Requests per CPU-second of ``count`` GETs to the server on ``port``
    (the CPU time of the whole process: a threaded server's threads too)."""
    conns = [await aio.connect("127.0.0.1", port, version=version) for _ in range(connections)]
    remaining = [count]

    async def worker(conn):
        received = 0
        while remaining[0] > 0:
            remaining[0] -= 1
            resp = await conn.get("/bench")
            received += len(await resp.read())
        return received

    started = time.process_time()
    received = await asyncio.gather(*[worker(conn) for conn in conns for _ in range(in_flight)])
    elapsed = time.process_time() - started
    for conn in conns:
        await conn.close()
    if sum(received) != count * len(SMALL_BODY):
        raise RuntimeError("responses lost data")
    return count / elapsed


# (name, server, connections, requests in flight on each)
SCENARIOS = (
    ("1 connection", exchange_rate, 1, CONCURRENCY),
    ("20 connections", exchange_rate, 20, 5),
    ("threaded server", threaded_server_rate, 1, CONCURRENCY),
)


def in_memory_rate(version, count):
    """bench_python.py's small-exchange rate, per second of CPU time."""
    started = time.process_time()
    small_rate(lambda size: SpdylayConnection(version), count)
    return count / (time.process_time() - started)


def run_on(kind, coro):
    if kind == "uvloop":
        import uvloop

        loop = uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


def installed_loops():
    kinds = ["asyncio"]
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return kinds
    return kinds + ["uvloop"]


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--loop", choices=("asyncio", "uvloop"))
    parser.add_argument("--version", choices=sorted(VERSIONS))
    args = parser.parse_args(argv)
    loops = [args.loop] if args.loop else installed_loops()
    versions = [args.version] if args.version else sorted(VERSIONS)
    interpreter = "%s %s" % (platform.python_implementation(), platform.python_version())
    print(
        "spdylay.aio on %s, %d requests per figure, best of %d"
        % (interpreter, args.requests, args.repeat)
    )
    print("%-9s %-8s %-16s %12s" % ("version", "loop", "scenario", "req/CPU-s"))
    for name in versions:
        version = VERSIONS[name]
        memory = max(in_memory_rate(version, args.requests) for _ in range(args.repeat))
        print("%-9s %-8s %-16s %12.0f" % ("SPDY/" + name, "-", "in-memory Session", memory))
        for kind in loops:
            for scenario, rate_of, connections, in_flight in SCENARIOS:
                rate = max(
                    run_on(kind, rate_of(version, connections, in_flight, args.requests))
                    for _ in range(args.repeat)
                )
                print(
                    "%-9s %-8s %-16s %12.0f  (%.0f%% of in-memory)"
                    % ("SPDY/" + name, kind, scenario, rate, 100 * rate / memory)
                )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
