"""pytest fixtures; the helpers tests import are in helpers.py.

- ``version`` fixture: runs a test once per protocol (SPDY/2, SPDY/3, SPDY/3.1).
- ``certificates`` fixture: a CA and a server certificate (tests/certs.py).
"""

import pytest

import certs
from helpers import VERSION_IDS, VERSIONS


@pytest.fixture(params=VERSIONS, ids=[VERSION_IDS[v] for v in VERSIONS])
def version(request):
    return request.param


@pytest.fixture(scope="session")
def certificates(tmp_path_factory):
    """A CA and a server certificate for localhost/127.0.0.1 (tests/certs.py)."""
    return certs.make_certificates(str(tmp_path_factory.mktemp("certs")))
