"""The C API as a C program sees it: examples/c_api_check.c, which includes only
<spdylay/spdylay.h>, builds with -Werror against the bundled core and runs a
request/response with bodies, a PING and a GOAWAY in every version."""

import glob
import os
import shutil
import subprocess

import pytest
from helpers import ROOT, child_env


def find_compiler():
    for name in ("cc", "gcc", "clang"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("no C compiler on this machine")


def test_c_program_using_only_the_public_header_builds_and_runs(tmp_path):
    program = str(tmp_path / "c_api_check")
    build = subprocess.run(
        [
            find_compiler(),
            "-std=c99",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-I",
            os.path.join(ROOT, "libspdylay", "include"),
            os.path.join(ROOT, "examples", "c_api_check.c"),
            *sorted(glob.glob(os.path.join(ROOT, "libspdylay", "src", "*.c"))),
            "-lz",
            "-o",
            program,
        ],
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stdout

    run = subprocess.run(
        [program],
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stdout
    assert run.stdout.splitlines() == ["SPDY/2: ok", "SPDY/3: ok", "SPDY/3.1: ok"]
