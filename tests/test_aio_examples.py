"""The asyncio examples the documentation shows run as documented:
examples/aio_server.py serves, examples/aio_client.py talks to it (plain
TCP and TLS), and the server stops cleanly on SIGTERM."""

import os
import signal
import subprocess
import sys

import pytest

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")
SECONDS = 60


@pytest.mark.parametrize("secure", [False, True], ids=["plain", "tls"])
def test_aio_examples_client_against_server(certificates, secure):
    server_args = ["--port", "0"]
    client_tls = []
    if secure:
        server_args += ["--tls", certificates.cert_file, certificates.key_file]
        client_tls = ["--tls", certificates.ca_file]
    server = subprocess.Popen(
        [sys.executable, os.path.join(EXAMPLES, "aio_server.py")] + server_args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = server.stdout.readline()
        assert line.startswith("listening on 127.0.0.1:"), server.stderr.read()
        port = line.strip().rsplit(":", 1)[1]
        client = subprocess.run(
            [sys.executable, os.path.join(EXAMPLES, "aio_client.py"), port] + client_tls,
            capture_output=True,
            text=True,
            timeout=SECONDS,
        )
        assert client.returncode == 0, client.stderr
        out = client.stdout
        assert "200 text/html <link rel=stylesheet" in out
        assert "  pushed /style.css p { font-weight: bold }" in out
        assert "streamed /count/100000: 100000 lines" in out
        assert "cancelled /count/100000000" in out
        assert "upload: received 1000000 bytes" in out
        assert "/fail: 500 Internal Server Error" in out
        assert "ping: " in out
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            _, errors = server.communicate(timeout=SECONDS)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()
            raise
    assert server.returncode == 0, errors
    assert "handler failed for GET /fail" in errors
