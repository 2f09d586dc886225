"""Helpers for the networking tests: a server running in a thread for the
length of a ``with`` block, a stream handler that collects its response, and
a raw SPDY peer on a plain socket (bytes built and parsed with spdywire)."""

import contextlib
import socket
import ssl
import threading

import spdylay

import spdywire

# Every socket operation and thread join in these tests ends within this.
TIMEOUT = 20


class QuietHandler(spdylay.BaseSPDYRequestHandler):
    """Request handler whose per-request log lines are kept, not printed."""

    log_lines = None

    def log_message(self, format, *args):
        if self.log_lines is not None:
            self.log_lines.append(format % args)


class Collect(spdylay.BaseSPDYStreamHandler):
    """Collects one response: ``nv``, ``body``, ``status_code``."""

    def __init__(self, url, fetcher):
        super().__init__(url, fetcher)
        self.nv = []
        self.body = bytearray()
        self.status_code = None
        fetcher.collected.append(self)

    def on_header(self, nv):
        self.nv.extend(nv)

    def on_data(self, data):
        self.body += data

    def on_close(self, status_code):
        self.status_code = status_code

    def header(self, name):
        return dict(self.nv).get(name)


def fetch(server, paths, version=None, certificates=None, handler_class=Collect, **kwargs):
    """Fetches ``paths`` from ``server`` on one connection; returns the
    ``handler_class`` (a Collect) handlers in the order of ``paths``."""
    host, port = server.server_address[:2]
    tls = server.ssl_context is not None
    scheme = "https" if tls else "http"
    urls = ["%s://%s:%d%s" % (scheme, host, port, path) for path in paths]
    if tls and "ssl_context" not in kwargs and "verify" not in kwargs:
        kwargs["ssl_context"] = ssl.create_default_context(cafile=certificates.ca_file)
    kwargs.setdefault("timeout", TIMEOUT)
    fetcher = spdylay.UrlFetcher(
        (host, port), urls, handler_class, tls=tls, version=version, **kwargs
    )
    fetcher.collected = []
    fetcher.loop()
    by_url = {}
    for handler in fetcher.collected:
        by_url.setdefault(handler.url, []).append(handler)
    return [by_url[url].pop(0) for url in urls]


@contextlib.contextmanager
def running(handler_class, version=spdylay.PROTO_SPDY3_1, certificates=None, **kwargs):
    """A ThreadedSPDYServer on 127.0.0.1 port 0, serving in a thread: TLS
    with the test certificates when ``certificates`` is given."""
    if certificates is not None:
        kwargs.setdefault("cert_file", certificates.cert_file)
        kwargs.setdefault("key_file", certificates.key_file)
    server = spdylay.ThreadedSPDYServer(("127.0.0.1", 0), handler_class, version=version, **kwargs)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(TIMEOUT)
        assert not thread.is_alive()


class RawPeer:
    """A plain TCP connection speaking SPDY by hand: ``send`` bytes built
    with ``enc``, ``frames()`` what arrives, parsed by spdywire."""

    def __init__(self, address, version):
        self.sock = socket.create_connection(address, timeout=TIMEOUT)
        self.enc = spdywire.Encoder(version)
        self.dec = spdywire.Decoder(version)
        self.pending = []

    def send(self, data):
        self.sock.sendall(data)

    def next_frame(self, accept=lambda frame: True):
        """The next frame ``accept`` agrees to (earlier ones are dropped);
        None at end of file."""
        while True:
            while self.pending:
                frame = self.pending.pop(0)
                if accept(frame):
                    return frame
            data = self.sock.recv(65536)
            if not data:
                return None
            self.pending.extend(self.dec.feed(data))

    def close(self):
        self.sock.close()
