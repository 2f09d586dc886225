"""pytest fixtures; the helpers tests import are in helpers.py.

- ``version`` fixture: runs a test once per protocol (SPDY/2, SPDY/3, SPDY/3.1).
- ``certificates`` fixture: a CA and a server certificate (tests/certs.py).
- ``@pytest.mark.bundled_core(reason=...)``: the test pins behaviour of the bundled
  C core that libspdylay 1.4 does not share; skipped when spdylay.core is not
  "bundled".
"""

import pytest
from helpers import VERSION_IDS, VERSIONS, bundled_core_skip_reason

import spdylay

import certs


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "bundled_core(reason): the test pins behaviour only the bundled C core "
        "has (see docs/differences.rst); skipped, with the reason, on a system libspdylay",
    )


def pytest_collection_modifyitems(config, items):
    for item in items:
        mark = item.get_closest_marker("bundled_core")
        if mark is not None:
            reason = bundled_core_skip_reason(mark, spdylay.core)
            if reason is not None:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(params=VERSIONS, ids=[VERSION_IDS[v] for v in VERSIONS])
def version(request):
    return request.param


@pytest.fixture(scope="session")
def certificates(tmp_path_factory):
    """A CA and a server certificate for localhost/127.0.0.1 (tests/certs.py)."""
    return certs.make_certificates(str(tmp_path_factory.mktemp("certs")))


# Event loops the asyncio tests run on: asyncio's own, and uvloop's where it
# is installed (CI installs it on CPython through the test extras).
try:
    import uvloop
except ImportError:
    uvloop = None

LOOP_KINDS = ["asyncio"] + (["uvloop"] if uvloop is not None else [])
# No asyncio test may hang the suite: each runs under this bound.
AIO_TEST_SECONDS = 60


@pytest.fixture(params=LOOP_KINDS)
def aio_run(request):
    """Runs a coroutine to completion on a fresh event loop of the kind the
    test is parametrized with, failing it after AIO_TEST_SECONDS."""
    import asyncio

    def run(coro):
        if request.param == "uvloop":
            loop = uvloop.new_event_loop()
        else:
            loop = asyncio.new_event_loop()
        try:
            return loop.run_until_complete(asyncio.wait_for(coro, AIO_TEST_SECONDS))
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    return run
