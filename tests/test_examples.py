"""The programs in examples/ and docs/code/ run as their documentation says:
the README-style server and client of python-spdylay against each other over
TLS, the demo for every version, the tutorial's server and client."""

import os
import re
import subprocess
import sys

import pytest
from helpers import ROOT
from netkit import TIMEOUT, running

import spdylay

EXAMPLES = os.path.join(ROOT, "examples")


def run_example(*args, **kwargs):
    return subprocess.run(
        (sys.executable,) + args, capture_output=True, timeout=TIMEOUT * 3, check=True, **kwargs
    )


@pytest.mark.parametrize("protocol", ["spdy/2", "spdy/3", "spdy/3.1"])
def test_demo(protocol):
    result = run_example(os.path.join(EXAMPLES, "demo.py"), protocol)
    out = result.stdout.decode()
    assert "status: 200 OK" in out
    assert ("body: Hello from spdylay over %s, you asked for /hello" % protocol) in out


def test_readme_server_and_client_over_tls(certificates):
    server = subprocess.Popen(
        (
            sys.executable,
            os.path.join(EXAMPLES, "spdy_server.py"),
            "0",
            certificates.cert_file,
            certificates.key_file,
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        banner = server.stdout.readline().decode()
        port = int(re.match(r"serving on https://localhost:(\d+)/", banner).group(1))
        env = dict(os.environ, SSL_CERT_FILE=certificates.ca_file)
        client = run_example(
            os.path.join(EXAMPLES, "spdy_client.py"),
            "https://localhost:%d/" % port,
            "https://localhost:%d/robots.txt" % port,
            env=env,
        )
    finally:
        server.terminate()
        server.wait(TIMEOUT)
        server.stdout.close()
        server.stderr.close()
    out = client.stdout.decode()
    for stream_id in (1, 3):
        assert "Stream#%d\n:status: 200 OK\n" % stream_id in out
        assert "Stream#%d closed\n" % stream_id in out
    assert out.count("<h1>SPDY FTW</h1>") == 2
    assert "content-type: text/html; charset=UTF-8\n" in out


def test_readme_client_refuses_an_unverified_server(certificates):
    with running(spdylay.BaseSPDYRequestHandler, None, certificates) as server:
        result = subprocess.run(
            (
                sys.executable,
                os.path.join(EXAMPLES, "spdy_client.py"),
                "https://localhost:%d/" % server.server_address[1],
            ),
            capture_output=True,
            timeout=TIMEOUT * 3,
        )
    assert result.returncode != 0
    assert b"spdylay.client.UrlFetchError: TLS handshake" in result.stderr


def test_tutorial_server_and_client(capsys, monkeypatch):
    sys.path.insert(0, os.path.join(ROOT, "docs", "code"))
    try:
        import socket_client
        import socket_server
    finally:
        sys.path.pop(0)

    class Quiet(socket_server.AskedFor):
        def log_message(self, format, *args):
            pass

    with running(Quiet) as server:
        port = server.server_address[1]
        monkeypatch.setattr(sys, "argv", ["socket_client.py", "/some/path"])
        real_urlfetch = spdylay.urlfetch

        def on_this_port(urls, handler, **kwargs):
            return real_urlfetch(
                [url.replace(":8080", ":%d" % port) for url in urls], handler, **kwargs
            )

        monkeypatch.setattr(spdylay, "urlfetch", on_this_port)
        socket_client.main()
    out = capsys.readouterr().out
    assert out.startswith(
        ":status: 200 OK\n:version: HTTP/1.1\ncontent-length: 25\ncontent-type: text/plain\n"
    )
    assert out.endswith("\nYou asked for /some/path\n")
