"""What asyncio itself costs per request, with no SPDY at all: the floor
under bench_aio.py's "1 connection, server process" figure.

A client and a server process on 127.0.0.1, on the loop given.  The client
runs 100 tasks, each sending requests one after the other on one
connection: a request is a 40-byte record, the response a 1,100-byte record
(about what a SPDY/3.1 GET and its 200 with a 1 KiB body take on the
wire).  Per request the client makes one future and its task waits on it;
the protocol resolves the futures in order as whole responses arrive.  The
server answers every whole request in what it has received.  Both batch
their writes as spdylay.aio does: one ``transport.write()`` per loop
iteration at most (scheduled with ``call_soon``), and the client's
protocol is an ``asyncio.BufferedProtocol`` reading into one buffer.

Printed: requests per wall-clock second, and what one request cost each
process in CPU time, the best of --repeat runs.

Usage: python3 benchmarks/aio_floor.py [--requests N] [--repeat R]
       [--loop asyncio|uvloop]
"""

import argparse
import asyncio
import collections
import os
import platform
import subprocess
import sys
import time

REQUEST = b"R" * 40
RESPONSE = b"A" * 1100
IN_FLIGHT = 100


class Batching(asyncio.BufferedProtocol):
    """Reads into one buffer; writes what was queued during a loop
    iteration in one write."""

    def __init__(self, loop):
        self.loop = loop
        self.transport = None
        self.buffer = memoryview(bytearray(256 * 1024))
        self.out = []
        self.scheduled = False

    def connection_made(self, transport):
        self.transport = transport

    def get_buffer(self, sizehint):
        return self.buffer

    def queue(self, data):
        self.out.append(data)
        if not self.scheduled:
            self.scheduled = True
            self.loop.call_soon(self.flush)

    def flush(self):
        self.scheduled = False
        out, self.out = self.out, []
        self.transport.write(b"".join(out))


class ServerProtocol(Batching):
    def __init__(self, loop):
        super().__init__(loop)
        self.pending = 0

    def buffer_updated(self, nbytes):
        # Requests are all alike: only their count matters.
        self.pending += nbytes
        whole, self.pending = divmod(self.pending, len(REQUEST))
        if whole:
            self.queue(RESPONSE * whole)


class ClientProtocol(Batching):
    def __init__(self, loop):
        super().__init__(loop)
        self.partial = 0
        self.waiting = collections.deque()

    def buffer_updated(self, nbytes):
        self.partial += nbytes
        whole, self.partial = divmod(self.partial, len(RESPONSE))
        waiting = self.waiting
        for _ in range(whole):
            waiting.popleft().set_result(RESPONSE)

    def request(self):
        future = self.loop.create_future()
        self.waiting.append(future)
        self.queue(REQUEST)
        return future


async def client_run(port, count):
    loop = asyncio.get_running_loop()
    transport, proto = await loop.create_connection(lambda: ClientProtocol(loop), "127.0.0.1", port)
    remaining = [count]

    async def worker():
        received = 0
        while remaining[0] > 0:
            remaining[0] -= 1
            received += len(await proto.request())
        return received

    started = time.process_time(), time.perf_counter()
    received = await asyncio.gather(*[worker() for _ in range(IN_FLIGHT)])
    cpu, wall = time.process_time() - started[0], time.perf_counter() - started[1]
    transport.close()
    if sum(received) != count * len(RESPONSE):
        raise RuntimeError("responses lost")
    return cpu, wall


async def serve_until_stdin_closes():
    """The server process: prints its port, then answers each line on stdin
    with its CPU seconds so far, until stdin closes."""
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def command():
        if not sys.stdin.readline():
            done.set_result(None)
            return
        print(time.process_time(), flush=True)

    server = await loop.create_server(lambda: ServerProtocol(loop), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    loop.add_reader(sys.stdin.fileno(), command)
    await done
    loop.remove_reader(sys.stdin.fileno())
    server.close()
    await server.wait_closed()


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


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        run_on(args.loop, serve_until_stdin_closes())
        return 0
    server = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "--serve", "--loop", args.loop],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = int(server.stdout.readline())

        def server_cpu():
            server.stdin.write("cpu\n")
            server.stdin.flush()
            return float(server.stdout.readline())

        runs = []
        for _ in range(args.repeat):
            started = server_cpu()
            cpu, wall = run_on(args.loop, client_run(port, args.requests))
            runs.append(
                (
                    args.requests / wall,
                    1e6 * cpu / args.requests,
                    1e6 * (server_cpu() - started) / args.requests,
                )
            )
    finally:
        server.stdin.close()
        server.wait(timeout=30)
    rate, client_us, server_us = max(runs)
    print(
        "asyncio floor on %s %s, loop %s, %d requests, best of %d; load average %s"
        % (
            platform.python_implementation(),
            platform.python_version(),
            args.loop,
            args.requests,
            args.repeat,
            "%.2f %.2f %.2f" % os.getloadavg(),
        )
    )
    print(
        "%.0f requests/s; CPU/request: client %.2f us, server %.2f us"
        % (rate, client_us, server_us)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
