"""The builder: SPDYLAY_USE_SYSTEM=1 takes its flags from pkg-config and
refuses to guess when pkg-config does not know libspdylay; the shim's list
of forwarded callbacks and the Python side's agree."""

import inspect
import os
import runpy
import shutil
import subprocess
import sys

import pytest
from helpers import ROOT, child_env

import spdylay
from spdylay import _callbacks

BUILDER = os.path.join(ROOT, "spdylay_build.py")

# Runs the builder as setuptools does (executing the file), then prints the
# flags it chose for the extension.
SHOW_FLAGS = """
import runpy, sys
builder = runpy.run_path(sys.argv[1])
flags = builder["system_flags"]()
print(flags["extra_compile_args"], flags["extra_link_args"])
"""


def run_builder(pkg_config_dir):
    return subprocess.run(
        [sys.executable, "-c", SHOW_FLAGS, BUILDER],
        env=child_env(
            SPDYLAY_USE_SYSTEM="1", PKG_CONFIG_PATH="", PKG_CONFIG_LIBDIR=str(pkg_config_dir)
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def pkg_config_dir(tmp_path):
    if shutil.which("pkg-config") is None:
        pytest.skip("pkg-config is not installed")
    return tmp_path


def test_system_build_without_libspdylay_in_pkg_config_fails_loudly(pkg_config_dir):
    result = run_builder(pkg_config_dir)
    assert result.returncode != 0
    assert "SPDYLAY_USE_SYSTEM=1" in result.stderr
    assert "pkg-config cannot find libspdylay" in result.stderr
    assert result.stdout == ""


def test_system_build_takes_its_flags_from_pkg_config(pkg_config_dir):
    (pkg_config_dir / "libspdylay.pc").write_text(
        "Name: libspdylay\nDescription: test\nVersion: 1.4.0\n"
        "Libs: -L/opt/spdylay-test/lib -lspdylay\n"
        "Cflags: -I/opt/spdylay-test/include\n"
    )
    result = run_builder(pkg_config_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[0] == (
        "['-I/opt/spdylay-test/include'] ['-L/opt/spdylay-test/lib', '-lspdylay']"
    )


def test_every_callback_of_the_shims_list_has_a_trampoline_and_an_argument():
    with open(os.path.join(ROOT, "spdylay", "_shim.h")) as header:
        forwarded = runpy.run_path(BUILDER)["forwarded_callbacks"](header.read())
    names = [name + "_cb" for _, name, _ in forwarded]
    assert [name for name, _ in _callbacks.FORWARDED] == names
    assert set(names) <= set(inspect.signature(spdylay.Session).parameters)
    assert len({bit for _, bit in _callbacks.FORWARDED}) == len(names)
