"""The command line tools: ``spdylay get`` (like libspdylay's ``spdycat``) and
``spdylay serve`` (like ``spdyd``), run as ``python -m spdylay`` or as the
``spdylay`` console script.

Errors a user can cause (bad arguments, an unreachable host, a failed TLS
handshake, a peer that speaks no SPDY) end in one line on stderr, never a
traceback.  Exit status: 0 when everything succeeded, 1 when a request or the
server failed, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import contextlib
import mimetypes
import os
import posixpath
import shutil
import signal
import ssl
import stat
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any, BinaryIO, Callable, NoReturn, TextIO, TypeVar, cast

from . import _constants, _tls
from ._errors import Error
from ._frames import CtrlFrame
from ._printable import printable
from ._urls import split_url
from .client import CONNECT_TIMEOUT, BaseSPDYStreamHandler, UrlFetcher
from .server import BaseSPDYRequestHandler, ThreadedSPDYServer

if TYPE_CHECKING:
    from ._frames import (
        DataFrame,
        GoawayFrame,
        PingFrame,
        RstStreamFrame,
        SettingsFrame,
        SynStreamFrame,
        WindowUpdateFrame,
    )
    from ._typing import ReceivedHeaderList

_Number = TypeVar("_Number", int, float)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

VERSION_NAMES = {
    _constants.PROTO_SPDY2: "spdy/2",
    _constants.PROTO_SPDY3: "spdy/3",
    _constants.PROTO_SPDY3_1: "spdy/3.1",
}

# How much of a file the server reads, and the client writes out, at a time.
CHUNK_SIZE = 65536


class UsageError(Exception):
    """A command line argument the tools cannot use; exit status 2."""


# --- argument parsing --------------------------------------------------------


class _OneLineParser(argparse.ArgumentParser):
    """argparse, but a bad argument is reported in one line (usage is one
    ``--help`` away) and raises UsageError instead of exiting, so that both
    tools report every error the same way."""

    def error(self, message: str) -> NoReturn:
        raise UsageError("%s (see %s --help)" % (message, self.prog))


def _number(
    convert: Callable[[str], _Number], what: str, accept: Callable[[_Number], bool], limits: str
) -> Callable[[str], _Number]:
    """An argparse type: ``convert`` (int or float) the text, which must be
    ``what`` and pass ``accept``; ``limits`` says which values do."""

    def parse(text: str) -> _Number:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError("not %s: %r" % (what, text)) from None
        if not accept(value):
            raise argparse.ArgumentTypeError("%s: %r" % (limits, text))
        return value

    return parse


_positive_int = _number(int, "a whole number", lambda value: value >= 1, "must be at least 1")
_positive_seconds = _number(
    float,
    "a number of seconds",
    lambda value: 0 < value < float("inf"),
    "must be a positive number of seconds",
)
_port = _number(
    int, "a port number", lambda value: 0 <= value <= 65535, "not a port number (0-65535)"
)


def parse_header(text: str) -> tuple[str, str]:
    """``'name: value'`` as a ``(name, value)`` pair, the name lower-cased
    (SPDY header names are lower case).  The special headers (``:host``,
    ``:method``, ...) come from the URL and the options, so names starting
    with ``:`` are refused rather than sent twice."""
    if text.startswith(":"):
        raise argparse.ArgumentTypeError(
            "%r: the URL and the options set the special headers "
            "(:host, :path, :method, ...)" % text
        )
    colon = text.find(":")
    if colon < 0:
        raise argparse.ArgumentTypeError("a header is 'name: value', not %r" % text)
    name = text[:colon].strip().lower()
    value = text[colon + 1 :].strip()
    if not name or any(c.isspace() for c in name):
        raise argparse.ArgumentTypeError("not a header name in %r" % text)
    return name, value


def _add_version_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "-2",
        "--spdy2",
        dest="version",
        action="store_const",
        const=_constants.PROTO_SPDY2,
        help="only SPDY/2",
    )
    group.add_argument(
        "-3",
        "--spdy3",
        dest="version",
        action="store_const",
        const=_constants.PROTO_SPDY3,
        help="only SPDY/3",
    )
    group.add_argument(
        "--spdy3-1",
        dest="version",
        action="store_const",
        const=_constants.PROTO_SPDY3_1,
        help="only SPDY/3.1",
    )
    parser.add_argument(
        "--no-tls",
        action="store_true",
        help="plain TCP with prior knowledge of the version (SPDY/3.1 unless -2 or -3)",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="print every frame sent and received on stderr"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(
        prog="spdylay",
        description="SPDY command line tools: a client "
        "(like spdycat) and a static file server (like spdyd).",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    get = commands.add_parser(
        "get",
        help="fetch URLs over SPDY",
        description="Fetch URLs over "
        "SPDY; URLs to the same host and port share one connection.  Bodies "
        "go to stdout in the order the URLs were given.  Exit status 1 when "
        "any request fails (no complete response, or status 400 or above).",
    )
    _add_version_options(get)
    get.add_argument("-n", "--null-out", action="store_true", help="discard the response bodies")
    get.add_argument(
        "-m",
        "--multiply",
        type=_positive_int,
        default=1,
        metavar="N",
        help="request each URL N times",
    )
    get.add_argument(
        "-t",
        "--timeout",
        type=_positive_seconds,
        metavar="SECONDS",
        help="give up on connecting, and on requests not answered in full, by then",
    )
    get.add_argument(
        "-H",
        "--header",
        type=parse_header,
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="add a request header (repeatable)",
    )
    get.add_argument("-d", "--data", metavar="FILE", help="POST the contents of FILE")
    get.add_argument(
        "-o", "--output", metavar="FILE", help="write the bodies to FILE instead of stdout"
    )
    get.add_argument(
        "--insecure", action="store_true", help="do not verify the server's TLS certificate"
    )
    get.add_argument(
        "--cacert",
        metavar="FILE",
        help="verify the server against the CA certificates in FILE instead of the system's",
    )
    get.add_argument("urls", nargs="+", metavar="URL")

    serve = commands.add_parser(
        "serve",
        help="serve a directory over SPDY",
        description="Serve the "
        "files under DIR over SPDY (index.html for directories); never "
        "anything outside DIR.  Logs one line per request on stderr; runs "
        "until interrupted (SIGINT or SIGTERM).",
    )
    _add_version_options(serve)
    serve.add_argument(
        "-d",
        "--htdocs",
        default=".",
        metavar="DIR",
        help="the directory to serve (default: the current one)",
    )
    serve.add_argument(
        "--address", default="", metavar="ADDRESS", help="the address to listen on (default: all)"
    )
    serve.add_argument(
        "port", type=_port, metavar="PORT", help="the port to listen on (0: any free one)"
    )
    serve.add_argument("key_file", nargs="?", metavar="KEY", help="the TLS private key (PEM)")
    serve.add_argument(
        "cert_file", nargs="?", metavar="CERT", help="the TLS certificate chain (PEM)"
    )
    return parser


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The parsed command line; raises UsageError for arguments argparse
    accepts but the tools cannot use."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "get":
            args.targets = [_parse_url(url, args.no_tls) for url in args.urls]
            if args.insecure and args.cacert:
                raise UsageError("--insecure and --cacert contradict each other")
        elif args.no_tls and args.key_file:
            raise UsageError("KEY and CERT are for TLS; --no-tls takes neither")
        elif not args.no_tls and not args.cert_file:
            raise UsageError("TLS needs KEY and CERT (or --no-tls for plain TCP)")
    except UsageError as exc:
        raise UsageError("%s (see spdylay %s --help)" % (exc, args.command)) from None
    return args


class Target:
    """Where one URL's request goes: ``(host, port)``, over TLS or not."""

    def __init__(self, url: str, host: str, port: int, tls: bool) -> None:
        self.url = url
        self.host = host
        self.port = port
        self.tls = tls

    @property
    def connection(self) -> tuple[str, int, bool]:
        return self.host, self.port, self.tls


def _parse_url(url: str, no_tls: bool) -> Target:
    try:
        scheme, host, port = split_url(url)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return Target(url, host, port, scheme == "https" and not no_tls)


# --- the frame log of -v -----------------------------------------------------

FRAME_TYPE_NAMES = {
    _constants.SYN_STREAM: "SYN_STREAM",
    _constants.SYN_REPLY: "SYN_REPLY",
    _constants.RST_STREAM: "RST_STREAM",
    _constants.SETTINGS: "SETTINGS",
    _constants.NOOP: "NOOP",
    _constants.PING: "PING",
    _constants.GOAWAY: "GOAWAY",
    _constants.HEADERS: "HEADERS",
    _constants.WINDOW_UPDATE: "WINDOW_UPDATE",
    _constants.CREDENTIAL: "CREDENTIAL",
}
RST_STATUS_NAMES = {
    _constants.OK: "OK",
    _constants.PROTOCOL_ERROR: "PROTOCOL_ERROR",
    _constants.INVALID_STREAM: "INVALID_STREAM",
    _constants.REFUSED_STREAM: "REFUSED_STREAM",
    _constants.UNSUPPORTED_VERSION: "UNSUPPORTED_VERSION",
    _constants.CANCEL: "CANCEL",
    _constants.INTERNAL_ERROR: "INTERNAL_ERROR",
    _constants.FLOW_CONTROL_ERROR: "FLOW_CONTROL_ERROR",
    _constants.STREAM_IN_USE: "STREAM_IN_USE",
    _constants.STREAM_ALREADY_CLOSED: "STREAM_ALREADY_CLOSED",
    _constants.INVALID_CREDENTIALS: "INVALID_CREDENTIALS",
    _constants.FRAME_TOO_LARGE: "FRAME_TOO_LARGE",
}
GOAWAY_STATUS_NAMES = {
    _constants.GOAWAY_OK: "OK",
    _constants.GOAWAY_PROTOCOL_ERROR: "PROTOCOL_ERROR",
    _constants.GOAWAY_INTERNAL_ERROR: "INTERNAL_ERROR",
}
SETTINGS_ID_NAMES = {
    _constants.SETTINGS_UPLOAD_BANDWIDTH: "UPLOAD_BANDWIDTH",
    _constants.SETTINGS_DOWNLOAD_BANDWIDTH: "DOWNLOAD_BANDWIDTH",
    _constants.SETTINGS_ROUND_TRIP_TIME: "ROUND_TRIP_TIME",
    _constants.SETTINGS_MAX_CONCURRENT_STREAMS: "MAX_CONCURRENT_STREAMS",
    _constants.SETTINGS_CURRENT_CWND: "CURRENT_CWND",
    _constants.SETTINGS_DOWNLOAD_RETRANS_RATE: "DOWNLOAD_RETRANS_RATE",
    _constants.SETTINGS_INITIAL_WINDOW_SIZE: "INITIAL_WINDOW_SIZE",
    _constants.SETTINGS_CLIENT_CERTIFICATE_VECTOR_SIZE: "CLIENT_CERTIFICATE_VECTOR_SIZE",
}
# Continuation lines (name/value pairs, settings) line up under the frame type.
INDENT = " " * 10


def _name(names: dict[int, str], value: int) -> str:
    return names.get(value, "UNKNOWN(%d)" % value)


def _flags(frame: CtrlFrame | DataFrame, fin_name: str) -> str:
    """Flags as hex and names: FIN (and UNIDIRECTIONAL for SYN_STREAM, or
    CLEAR_SETTINGS for SETTINGS)."""
    names = []
    if frame.flags & 0x01:
        names.append(fin_name)
    if frame.flags & 0x02:
        names.append("UNIDIRECTIONAL")
    return "0x%02x%s" % (frame.flags, "(%s)" % "|".join(names) if names else "")


def format_frame(elapsed: float, direction: str, frame: CtrlFrame | DataFrame) -> str:
    """One frame for the -v log: a line ``[seconds] send|recv TYPE fields``
    and, for frames with headers or settings, one indented line per entry.
    ``frame`` is a ``CtrlFrame`` or a ``DataFrame`` (stream_id, flags,
    length)."""
    fields: list[tuple[str, object]] = []
    entries: list[str] = []
    if not isinstance(frame, CtrlFrame):
        name = "DATA"
        fields.append(("stream_id", frame.stream_id))
        fields.append(("flags", _flags(frame, "FIN")))
    else:
        name = _name(FRAME_TYPE_NAMES, frame.frame_type)
        if hasattr(frame, "stream_id"):
            fields.append(("stream_id", frame.stream_id))
        fin_name = "CLEAR_SETTINGS" if frame.frame_type == _constants.SETTINGS else "FIN"
        fields.append(("flags", _flags(frame, fin_name)))
        # frame_type says which frame class it is.
        if frame.frame_type == _constants.SYN_STREAM:
            frame = cast("SynStreamFrame", frame)
            fields.append(("assoc_stream_id", frame.assoc_stream_id))
            fields.append(("pri", frame.pri))
        elif frame.frame_type == _constants.RST_STREAM:
            frame = cast("RstStreamFrame", frame)
            fields.append(("status_code", _name(RST_STATUS_NAMES, frame.status_code)))
        elif frame.frame_type == _constants.GOAWAY:
            frame = cast("GoawayFrame", frame)
            fields.append(("last_good_stream_id", frame.last_good_stream_id))
            # SPDY/2's GOAWAY carries no status code.
            if frame.version != _constants.PROTO_SPDY2:
                fields.append(("status_code", _name(GOAWAY_STATUS_NAMES, frame.status_code)))
        elif frame.frame_type == _constants.PING:
            frame = cast("PingFrame", frame)
            fields.append(("unique_id", frame.unique_id))
        elif frame.frame_type == _constants.WINDOW_UPDATE:
            frame = cast("WindowUpdateFrame", frame)
            fields.append(("delta_window_size", frame.delta_window_size))
        if hasattr(frame, "nv"):
            entries = ["%s: %s" % (printable(n), printable(v)) for n, v in frame.nv]
        elif frame.frame_type == _constants.SETTINGS:
            frame = cast("SettingsFrame", frame)
            entries = [
                "%s: %d (flags=0x%02x)" % (_name(SETTINGS_ID_NAMES, settings_id), value, flags)
                for settings_id, flags, value in frame.iv
            ]
    fields.append(("length", frame.length))
    lines = [
        "[%7.3f] %s %s %s"
        % (elapsed, direction, name, " ".join("%s=%s" % field for field in fields))
    ]
    lines.extend(INDENT + entry for entry in entries)
    return "\n".join(lines) + "\n"


class FrameLog:
    """The ``on_frame`` hook of -v: writes each frame to ``stream``, timed from
    when the log was made.  Frames arrive on every connection's I/O thread,
    so writes are serialised."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.clock = clock
        self.started = clock()
        self.lock = threading.Lock()

    def __call__(self, direction: str, frame: CtrlFrame | DataFrame) -> None:
        text = format_frame(self.clock() - self.started, direction, frame)
        with self.lock:
            self.stream.write(text)
            self.stream.flush()


# --- progress bar and summary of `get` --------------------------------------


def _size(count: float) -> str:
    """A byte count for people: 999 B, 12.3 KB, 4.5 MB (powers of 1000)."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if count >= scale:
            return "%.1f %s" % (count / scale, unit)
    return "%d B" % count


class Progress:
    """A one-line progress bar on a terminal's stderr for long downloads:
    drawn once the bodies pass ``threshold`` bytes, redrawn at most every
    ``interval`` seconds, erased at the end.  ``expected`` is the sum of the
    content-lengths announced so far (the bar shows a percentage only when
    every stream announced one)."""

    WIDTH = 30

    def __init__(
        self,
        stream: TextIO,
        threshold: int = 1000000,
        interval: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.threshold = threshold
        self.interval = interval
        self.clock = clock
        self.received = 0
        self.expected = 0
        self.unknown = 0
        self.drawn_at: float | None = None
        self.lock = threading.Lock()

    def announce(self, content_length: int | None) -> None:
        """A response arrived with this content-length (None: not given)."""
        with self.lock:
            if content_length is None:
                self.unknown += 1
            else:
                self.expected += content_length

    def add(self, count: int) -> None:
        with self.lock:
            self.received += count
            if self.received < self.threshold:
                return
            now = self.clock()
            if self.drawn_at is not None and now - self.drawn_at < self.interval:
                return
            self.drawn_at = now
            self.stream.write("\r" + self.line())
            self.stream.flush()

    def line(self) -> str:
        if self.unknown or not self.expected:
            return "%s received" % _size(self.received)
        fraction = min(self.received / self.expected, 1.0)
        filled = int(fraction * self.WIDTH)
        return "[%s%s] %3d%% %s of %s" % (
            "=" * filled,
            " " * (self.WIDTH - filled),
            fraction * 100,
            _size(self.received),
            _size(self.expected),
        )

    def finish(self) -> None:
        with self.lock:
            if self.drawn_at is not None:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
                self.drawn_at = None


def format_summary(streams: int, failed: int, body_bytes: int, seconds: float) -> str:
    """The last line of ``get``: streams, failures, bytes, time and rates."""
    seconds = max(seconds, 1e-6)
    return "%d streams, %d failed, %d body bytes in %.3f s: %.1f streams/s, %s/s\n" % (
        streams,
        failed,
        body_bytes,
        seconds,
        streams / seconds,
        _size(body_bytes / seconds),
    )


# --- ordered output of `get` -------------------------------------------------


class OutputFailed(Exception):
    """Writing the bodies failed (a closed pipe, a full disk); raised from a
    stream handler, it ends that connection's fetch."""


class OrderedOutput:
    """Writes the bodies of ``count`` streams to ``out`` in request order
    while they arrive interleaved: the earliest unfinished stream's data goes
    straight out, later streams' data waits in spooled temporary files (in
    memory while small), so memory stays bounded whatever the body sizes.

    The first OSError while writing is kept in ``error``; that write and
    every later one raise OutputFailed, and ``close()`` writes nothing."""

    SPOOL_IN_MEMORY = 1 << 20

    def __init__(self, out: BinaryIO, count: int) -> None:
        self.out = out
        self.count = count
        self.current = 0
        self.finished = [False] * count
        self.spools: dict[int, tempfile.SpooledTemporaryFile[bytes]] = {}
        self.error: OSError | None = None
        self.lock = threading.Lock()

    def _guarded(self, action: Callable[..., object], *args: Any) -> None:
        """Runs ``action(*args)`` holding the lock, unless writing failed."""
        with self.lock:
            if self.error is not None:
                raise OutputFailed(self.error)
            try:
                action(*args)
            except OSError as exc:
                self.error = exc
                raise OutputFailed(exc) from exc

    def write(self, index: int, data: bytes) -> None:
        self._guarded(self._write, index, data)

    def _write(self, index: int, data: bytes) -> None:
        if index == self.current:
            self.out.write(data)
            return
        spool = self.spools.get(index)
        if spool is None:
            spool = tempfile.SpooledTemporaryFile(self.SPOOL_IN_MEMORY)
            self.spools[index] = spool
        spool.write(data)

    def finish(self, index: int) -> None:
        """Stream ``index`` has all its data (or has failed)."""
        self._guarded(self._finish, index)

    def _finish(self, index: int) -> None:
        self.finished[index] = True
        while self.current < self.count and self.finished[self.current]:
            self.current += 1
            if self.current < self.count:
                self._flush_spool(self.current)
        self.out.flush()

    def _flush_spool(self, index: int) -> None:
        spool = self.spools.pop(index, None)
        if spool is not None:
            with spool:
                spool.seek(0)
                shutil.copyfileobj(spool, self.out, CHUNK_SIZE)

    def close(self) -> None:
        """Writes whatever is still waiting (streams that never finished
        appear in order, with what they received); failures end in
        ``error``."""
        try:
            self._guarded(self._close)
        except OutputFailed:
            pass
        for spool in self.spools.values():
            spool.close()

    def _close(self) -> None:
        for index in sorted(self.spools):
            self._flush_spool(index)
        self.out.flush()


# --- static files for `serve` ------------------------------------------------


class Refused(Exception):
    """A request path ``serve`` does not answer with a file; ``status`` is
    the HTTP status to answer with instead."""

    def __init__(self, status: int, reason: str) -> None:
        Exception.__init__(self, reason)
        self.status = status
        self.reason = reason


class MovedToDirectory(Exception):
    """A directory asked for without its trailing slash: the links in its
    index.html are relative to ``location``, the path with the slash."""

    def __init__(self, location: str) -> None:
        Exception.__init__(self, location)
        self.location = location


def _inside(root: str, path: str) -> bool:
    return os.path.commonpath([root, path]) == root


def resolve_path(root: str, request_path: str) -> str:
    """The file under ``root`` (a real, absolute directory path) that
    ``request_path`` (the request's ``:path``) names: ``index.html`` for a
    directory.  Raises Refused with 400 for a path that is not a clean
    absolute URL path (``..`` segments, encoded or not; NUL; backslashes) and
    404 for anything missing, not a regular file, or outside ``root`` once
    symbolic links are followed, and MovedToDirectory for a directory
    named without a trailing slash, as ``http.server`` answers it."""
    path, query_mark, query = request_path.split("#", 1)[0].partition("?")
    if not path.startswith("/"):
        raise Refused(400, "not an absolute path")
    decoded = urllib.parse.unquote(path, errors="surrogateescape")
    segments = decoded.split("/")
    if any(segment == ".." for segment in segments):
        raise Refused(400, "'..' in the path")
    if "\0" in decoded or "\\" in decoded:
        raise Refused(400, "NUL or backslash in the path")
    candidate = os.path.join(root, *[s for s in segments if s not in ("", ".")])
    real = os.path.realpath(candidate)
    if not _inside(root, real):
        raise Refused(404, "outside the served directory")
    if os.path.isdir(real):
        if not path.endswith("/"):
            raise MovedToDirectory(path + "/" + query_mark + query)
        real = os.path.realpath(os.path.join(real, "index.html"))
        if not _inside(root, real):
            raise Refused(404, "outside the served directory")
    if not os.path.isfile(real):
        raise Refused(404, "no such file")
    return real


def content_type(path: str) -> str:
    guessed, encoding = mimetypes.guess_type(posixpath.basename(path))
    if guessed is None or encoding is not None:
        return "application/octet-stream"
    if guessed.startswith("text/"):
        return guessed + "; charset=utf-8"
    return guessed


class StaticFileHandler(BaseSPDYRequestHandler):
    """``spdylay serve``'s handler: GET and HEAD of the files under
    ``htdocs`` (a real, absolute path; the server makes a subclass per
    directory), and POST answered as GET, its body read and discarded, as
    spdyd does (so ``spdycat -d`` and ``spdylay get -d`` can be tried
    against it).  Other methods get 501 from the base class."""

    htdocs: str | None = None

    def do_GET(self) -> None:
        try:
            path = resolve_path(cast(str, self.htdocs), self.path)
            body = open(path, "rb")
        except Refused as exc:
            self.send_error(exc.status, exc.reason)
            return
        except MovedToDirectory as exc:
            self.send_response(301)
            self.send_header("location", exc.location)
            self.send_header("content-length", 0)
            return
        except PermissionError:
            self.send_error(403)
            return
        except OSError:
            self.send_error(404)
            return
        with body:
            stat = os.fstat(body.fileno())
            self.send_response(200)
            self.send_header("content-type", content_type(path))
            self.send_header("content-length", stat.st_size)
            self.send_header("last-modified", self.date_time_string(stat.st_mtime))
            if self.command != "HEAD":
                shutil.copyfileobj(body, self.wfile, CHUNK_SIZE)

    do_HEAD = do_GET
    do_POST = do_GET

    def log_error(self, format: str, *args: Any) -> None:
        """Silent: the request line that send_response logs carries the
        status, and one line per request is the log's promise."""


def _describe(exc: BaseException) -> str:
    """An exception as the one-line message the tools print."""
    if isinstance(exc, ssl.SSLError):
        return "TLS: %s" % (exc.reason or exc)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


class _Interrupted(Exception):
    """SIGTERM, raised in the main thread to stop ``serve`` as Ctrl-C does."""


def _interrupt(signum: int, frame: object) -> NoReturn:
    raise _Interrupted()


def run_serve(args: argparse.Namespace, stderr: TextIO) -> int:
    root = os.path.realpath(args.htdocs)
    if not os.path.isdir(root):
        raise UsageError("not a directory: %r (see spdylay serve --help)" % args.htdocs)
    handler = cast(
        "type[StaticFileHandler]", type("StaticFileHandler", (StaticFileHandler,), {"htdocs": root})
    )
    ssl_context = None
    if not args.no_tls:
        try:
            ssl_context = _tls.server_context(args.cert_file, args.key_file, args.version)
        except OSError as exc:
            stderr.write(
                "spdylay serve: error: cannot use KEY %s and CERT %s: "
                "%s\n" % (args.key_file, args.cert_file, _describe(exc))
            )
            return EXIT_FAILED
    try:
        server = ThreadedSPDYServer(
            (args.address, args.port),
            handler,
            version=args.version,
            ssl_context=ssl_context,
            on_frame=FrameLog(stderr) if args.verbose else None,
        )
    except OSError as exc:
        stderr.write(
            "spdylay serve: error: cannot listen on %s:%d: %s\n"
            % (args.address or "*", args.port, _describe(exc))
        )
        return EXIT_FAILED
    host, port = server.server_address[:2]
    if args.no_tls:
        versions = VERSION_NAMES[server.version] + " over plain TCP"
    else:
        versions = ", ".join(_tls.spdy_protocols(args.version)) + " over TLS"
    stderr.write(
        "spdylay serve: listening on %s:%d (%s), serving %s\n" % (host, port, versions, root)
    )
    stderr.flush()
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, _Interrupted):
        pass
    finally:
        # A second signal during the shutdown ends the process at once.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        server.shutdown()
        server.server_close()
    return EXIT_OK


class _Request:
    """One request of ``get``: its URL, and what became of it."""

    def __init__(self, index: int, target: Target) -> None:
        self.index = index
        self.target = target
        self.status: str | None = None
        self.close_status: int | None = None
        # ("send" or "recv", status code) of the stream's RST_STREAM, if any.
        self.reset: tuple[str, int] | None = None
        self.body_bytes = 0

    def failure(self, timeout: float | None) -> str | None:
        """Why the request failed, or None if it did not; ``timeout`` is the
        -t value (the client cancels the streams it ends with CANCEL)."""
        if self.close_status is None:
            return "no complete response"
        if self.close_status != _constants.OK:
            if (
                self.close_status == _constants.CANCEL
                and timeout is not None
                and (self.reset is None or self.reset[0] == "send")
            ):
                # The client ends a timed-out stream at its deadline, before
                # its RST_STREAM goes out.
                return "no complete response within %g s (-t)" % timeout
            if self.reset is None:
                return "the connection ended before the response was complete"
            direction, status_code = self.reset
            if direction == "recv":
                return "reset by the server (%s)" % _name(RST_STATUS_NAMES, status_code)
            return "reset by spdylay get (%s)" % _name(RST_STATUS_NAMES, status_code)
        if self.status is None:
            return "the response has no :status"
        code = self.status.split(" ", 1)[0]
        if not code.isdigit() or int(code) >= 400:
            return "status %s" % printable(self.status)
        return None


class _Fetch:
    """The requests of ``get`` that share one connection, and the stream
    handler class their UrlFetcher makes one of per request, in URL order."""

    def __init__(
        self,
        requests: list[_Request],
        output: OrderedOutput | None,
        progress: Progress | None,
        frame_log: FrameLog | None,
    ) -> None:
        self.requests = requests
        self.pending: Iterator[_Request] = iter(requests)
        self.error: str | None = None
        self.frame_log = frame_log
        # By stream ID; a request that was never sent looks up None.
        self.resets: dict[int | None, tuple[str, int]] = {}
        fetch = self

        class StreamHandler(BaseSPDYStreamHandler):
            def __init__(self, url: str, fetcher: UrlFetcher) -> None:
                BaseSPDYStreamHandler.__init__(self, url, fetcher)
                self.request = next(fetch.pending)
                self.announced = False

            def on_header(self, nv: ReceivedHeaderList) -> None:
                for name, value in nv:
                    if name == ":status" and self.request.status is None:
                        self.request.status = value
                    elif name == "content-length" and progress is not None and not self.announced:
                        self.announced = True
                        progress.announce(int(value) if value.isdigit() else None)

            def on_data(self, data: bytes) -> None:
                self.request.body_bytes += len(data)
                if output is not None:
                    output.write(self.request.index, data)
                if progress is not None:
                    progress.add(len(data))

            def on_close(self, status_code: int) -> None:
                self.request.close_status = status_code
                self.request.reset = fetch.resets.get(self.stream_id)
                if output is not None:
                    output.finish(self.request.index)

        self.handler_class = StreamHandler

    def on_frame(self, direction: str, frame: CtrlFrame | DataFrame) -> None:
        """Notes each stream's RST_STREAM, to say who ended a failed
        request; passes every frame to the -v log."""
        if isinstance(frame, CtrlFrame) and frame.frame_type == _constants.RST_STREAM:
            reset = cast("RstStreamFrame", frame)
            self.resets.setdefault(reset.stream_id, (direction, reset.status_code))
        if self.frame_log is not None:
            self.frame_log(direction, frame)

    def run(self, fetcher_arguments: dict[str, Any], body_path: str | None) -> None:
        """Fetches this connection's URLs; the body, if ``body_path`` names
        one, from a file of this fetch's own (UrlFetcher seeks it back for
        each URL)."""
        target = self.requests[0].target
        try:
            with contextlib.ExitStack() as closing:
                if body_path is not None:
                    body = closing.enter_context(open(body_path, "rb"))
                    fetcher_arguments = dict(fetcher_arguments, body=body)
                fetcher = UrlFetcher(
                    (target.host, target.port),
                    [request.target.url for request in self.requests],
                    self.handler_class,
                    tls=target.tls,
                    server_hostname=target.host,
                    on_frame=self.on_frame,
                    **fetcher_arguments,
                )
                fetcher.loop()
        except OutputFailed:
            pass  # reported once, for every connection, by run_get
        except Error as exc:
            self.error = str(exc)
        except OSError as exc:
            self.error = "%s:%d: %s" % (target.host, target.port, _describe(exc))


def _terminal_output(stream: IO[Any]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _report_failures(
    fetches: list[_Fetch], stderr: TextIO, each_request: bool, timeout: float | None
) -> int:
    """Writes a line for each connection that failed and, when
    ``each_request``, for each failed request (identical ones counted);
    returns the number of failed requests."""
    failed = 0
    for fetch in fetches:
        if fetch.error is not None:
            stderr.write("spdylay get: error: %s\n" % fetch.error)
        reasons: dict[tuple[str, str], list[_Request]] = {}
        for request in fetch.requests:
            reason = request.failure(timeout)
            if reason is None:
                continue
            failed += 1
            if each_request and (fetch.error is None or request.close_status is not None):
                reasons.setdefault((request.target.url, reason), []).append(request)
        for (url, reason), same in reasons.items():
            stderr.write(
                "spdylay get: %s: %s%s\n"
                % (url, reason, " (%d times)" % len(same) if len(same) > 1 else "")
            )
    return failed


def run_get(args: argparse.Namespace, stdout: BinaryIO | None, stderr: TextIO) -> int:
    started = time.monotonic()
    requests = [
        _Request(index, target)
        for index, target in enumerate(
            target for target in args.targets for _ in range(args.multiply)
        )
    ]
    # A regular file is streamed, opened by each connection's fetch; what
    # cannot be read twice (a pipe, a device) is read once, for every URL.
    body: bytes | None = None
    body_path: str | None = None
    body_length = 0
    if args.data is not None:
        try:
            with open(args.data, "rb") as source:
                status = os.fstat(source.fileno())
                if stat.S_ISREG(status.st_mode):
                    body_path, body_length = args.data, status.st_size
                else:
                    body = source.read()
                    body_length = len(body)
        except OSError as exc:
            raise UsageError("cannot read -d %s: %s" % (args.data, _describe(exc))) from exc
    ssl_context = None
    if any(request.target.tls for request in requests):
        try:
            ssl_context = _tls.client_context(
                verify=not args.insecure, cafile=args.cacert, version=args.version
            )
        except (OSError, ssl.SSLError) as exc:
            raise UsageError("cannot use --cacert %s: %s" % (args.cacert, _describe(exc))) from exc
    sink: BinaryIO | None = None
    if args.output is not None:
        try:
            sink = open(args.output, "wb")
        except OSError as exc:
            raise UsageError("cannot write -o %s: %s" % (args.output, _describe(exc))) from exc
    elif not args.null_out:
        if stdout is None:
            raise UsageError("there is no standard output for the bodies: use -o FILE or -n")
        sink = stdout
    output = None if sink is None else OrderedOutput(sink, len(requests))
    progress = None
    if (
        _terminal_output(stderr)
        and not args.verbose
        and (sink is None or not _terminal_output(sink))
    ):
        progress = Progress(stderr)
    headers = list(args.header)
    if args.data is not None and "content-length" not in dict(headers):
        headers.append(("content-length", str(body_length)))
    fetcher_arguments = {
        "method": "GET" if args.data is None else "POST",
        "headers": headers,
        "body": body,
        "timeout": args.timeout,
        # -t bounds connecting and the TLS handshake too.
        "connect_timeout": (
            CONNECT_TIMEOUT if args.timeout is None else min(args.timeout, CONNECT_TIMEOUT)
        ),
        "version": args.version,
        "ssl_context": ssl_context,
    }
    frame_log = FrameLog(stderr) if args.verbose else None
    groups: dict[tuple[str, int, bool], list[_Request]] = {}
    for request in requests:
        groups.setdefault(request.target.connection, []).append(request)
    fetches = [_Fetch(group, output, progress, frame_log) for group in groups.values()]
    threads = [
        threading.Thread(target=fetch.run, args=(fetcher_arguments, body_path), daemon=True)
        for fetch in fetches[1:]
    ]
    for thread in threads:
        thread.start()
    fetches[0].run(fetcher_arguments, body_path)
    for thread in threads:
        thread.join()
    if progress is not None:
        progress.finish()
    output_error: OSError | None = None
    if output is not None:
        output.close()
        output_error = output.error
    if sink is not None and sink is not stdout:
        try:
            sink.close()
        except OSError as exc:
            output_error = output_error or exc
    if output_error is not None:
        stderr.write(
            "spdylay get: error: cannot write the bodies to %s: %s\n"
            % (args.output or "stdout", _describe(output_error))
        )
        if stdout is not None and sink is stdout:
            # Nothing more can reach a closed pipe; the interpreter's own
            # flush at exit must not fail on it again.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stdout.fileno())
            os.close(devnull)
    failed = _report_failures(fetches, stderr, output_error is None, args.timeout)
    if args.verbose or args.null_out:
        stderr.write(
            format_summary(
                len(requests),
                failed,
                sum(r.body_bytes for r in requests),
                time.monotonic() - started,
            )
        )
    return EXIT_FAILED if failed or output_error is not None else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Runs ``spdylay COMMAND ...`` (``argv`` defaults to the command
    line); returns the exit status."""
    stderr = sys.stderr
    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
        if args.command == "get":
            stdout = sys.stdout
            return run_get(args, None if stdout is None else stdout.buffer, stderr)
        return run_serve(args, stderr)
    except UsageError as exc:
        stderr.write("spdylay: error: %s\n" % exc)
        return EXIT_USAGE
    except KeyboardInterrupt:
        stderr.write("spdylay: interrupted\n")
        return 130
