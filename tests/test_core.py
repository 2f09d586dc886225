"""spdylay.core names the libspdylay the extension really links."""

import shutil
import subprocess

import pytest

import spdylay
from spdylay import _spdylay


def test_core_is_bundled_or_system():
    assert spdylay.core in ("bundled", "system")
    assert "core" in spdylay.__all__


def test_core_matches_where_the_c_functions_live():
    """The bundled build compiles libspdylay into the extension; the system
    build leaves its functions to the shared library."""
    nm = shutil.which("nm")
    if nm is None:
        pytest.skip("nm (binutils) is not installed")
    defined = subprocess.run(
        [nm, "-D", "--defined-only", _spdylay.__file__], stdout=subprocess.PIPE,
        universal_newlines=True, timeout=60, check=True).stdout.split()
    assert ("spdylay_session_send" in defined) == (spdylay.core == "bundled")
