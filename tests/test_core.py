"""spdylay.core names the libspdylay the extension really links, and tests of
bundled-only behaviour are skipped elsewhere."""

import shutil
import subprocess

import pytest
from helpers import bundled_core_skip_reason

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
        [nm, "-D", "--defined-only", _spdylay.__file__],
        stdout=subprocess.PIPE,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()
    assert ("spdylay_session_send" in defined) == (spdylay.core == "bundled")


def test_bundled_core_tests_are_skipped_on_a_system_library():
    mark = pytest.mark.bundled_core(reason="1.4 differs here").mark
    assert bundled_core_skip_reason(mark, "bundled") is None
    assert bundled_core_skip_reason(mark, "system") == (
        "not for this build: bundled core only (spdylay.core is 'system'): 1.4 differs here"
    )


def test_bundled_core_marker_needs_a_reason():
    with pytest.raises(pytest.UsageError):
        bundled_core_skip_reason(pytest.mark.bundled_core.mark, "system")
