"""What the peer sends reaches a log or a terminal escaped: a path or a
status line with line breaks or terminal escapes stays on one line and
drives nothing, in the threaded server's request log, spdylay.aio's
handler-failure record and ``spdylay get``'s error lines."""

import asyncio
import logging

from clitools import get
from netkit import RawPeer, running
from socketpeer import request_nv

import spdylay
import spdylay.aio as aio

FORGED = '/x\n10.0.0.1 - - [01/Jan/2026 00:00:00] "GET /admin HTTP/1.1" 200 -\x1b[1A'
ESCAPED = '/x\\x0a10.0.0.1 - - [01/Jan/2026 00:00:00] "GET /admin HTTP/1.1" 200 -\\x1b[1A'


class NotFound(spdylay.BaseSPDYRequestHandler):
    def do_GET(self):
        self.send_response(404)
        self.wfile.write(b"none")


def test_request_log_line_escapes_what_the_client_sent(version, capsys):
    with running(NotFound, version) as server:
        peer = RawPeer(server.server_address, version)
        try:
            peer.send(
                peer.enc.syn_stream(1, request_nv(version, FORGED), flags=spdylay.CTRL_FLAG_FIN)
            )
            reply = peer.next_frame(lambda frame: frame.control and frame.type == spdylay.SYN_REPLY)
            assert reply.stream_id == 1
        finally:
            peer.close()
    (line,) = capsys.readouterr().err.splitlines()
    assert line.endswith('"GET %s HTTP/1.1" 404 -' % ESCAPED)
    assert "\x1b" not in line


def test_aio_handler_failure_record_escapes_the_path(aio_run, version, caplog):
    async def handler(request):
        raise RuntimeError("broken")

    async def main():
        server = await aio.serve(handler, "127.0.0.1", 0, version=version)
        async with server:
            conn = await aio.connect("127.0.0.1", server.port, version=version)
            async with conn:
                resp = await asyncio.wait_for(conn.get(FORGED), 10)
                assert resp.status == 500

    with caplog.at_level(logging.ERROR, logger="spdylay.aio"):
        aio_run(main())
    (message,) = [r.getMessage() for r in caplog.records if "handler failed" in r.getMessage()]
    assert message == "handler failed for GET %s" % ESCAPED


class ForgedStatus(spdylay.BaseSPDYRequestHandler):
    def do_GET(self):
        self.send_response(404, "Not Found\nspdylay get: all 1 requests succeeded\x1b[2J")
        self.end_headers()

    def log_message(self, format, *args):
        pass


def test_get_error_line_escapes_the_status_the_server_sent():
    with running(ForgedStatus) as server:
        result = get("--no-tls", "-n", "http://127.0.0.1:%d/" % server.server_address[1])
    assert result.returncode == 1
    # The error line, then the summary.
    assert result.stderr.splitlines()[:-1] == [
        "spdylay get: http://127.0.0.1:%d/: status 404 Not Found\\x0a"
        "spdylay get: all 1 requests succeeded\\x1b[2J" % server.server_address[1]
    ]
