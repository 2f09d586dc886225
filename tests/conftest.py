"""pytest fixtures; the helpers tests import are in helpers.py.

- ``version`` fixture: runs a test once per protocol (SPDY/2, SPDY/3, SPDY/3.1).
- ``certificates`` fixture: a CA and a server certificate (tests/certs.py).
- ``@pytest.mark.bundled_core(reason=...)``: the test pins behaviour of the bundled
  C core that libspdylay 1.4 does not share; skipped when spdylay.core is not
  "bundled".
"""

import pytest

import certs
import spdylay
from helpers import VERSION_IDS, VERSIONS, bundled_core_skip_reason


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "bundled_core(reason): the test pins behaviour only the bundled C core "
        "has (see docs/differences.rst); skipped, with the reason, on a system libspdylay")


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
