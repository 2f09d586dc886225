"""The type hints: typed code that uses the API correctly passes mypy --strict
and runs; code that passes wrong argument types is rejected, each error at
the line that expects it (tests/typing/)."""

import importlib.util
import os
import re

import pytest
from helpers import ROOT

TYPING_DIR = os.path.join(ROOT, "tests", "typing")
USAGE = os.path.join(TYPING_DIR, "usage.py")
MISUSE = os.path.join(TYPING_DIR, "misuse.py")
EXPECTED_ERROR = re.compile(r"#\s*E:\s*([a-z-]+)\s*$")
MYPY_ERROR = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): error: .*\[(?P<code>[a-z-]+)\]$")


def mypy_errors(path, monkeypatch):
    """mypy --strict's errors for ``path`` (the project's configuration, run
    from the root so that it checks this tree's spdylay) as a sorted list of
    ``(line, error code)``; fails if mypy could not check it."""
    monkeypatch.chdir(ROOT)
    api = pytest.importorskip(
        "mypy.api",
        reason="not for this build: mypy is not installed here (CI installs it, "
        "from requirements-dev.txt, for the CPython suite)",
    )
    stdout, stderr, status = api.run(
        [
            "--config-file",
            os.path.join(ROOT, "pyproject.toml"),
            "--no-incremental",
            "--cache-dir",
            os.devnull,
            "--no-error-summary",
            "--show-traceback",
            path,
        ]
    )
    assert status in (0, 1), stdout + stderr
    errors = []
    for line in stdout.splitlines():
        match = MYPY_ERROR.match(line)
        if match:
            assert os.path.samefile(match["path"], path), line
            errors.append((int(match["line"]), match["code"]))
        else:
            assert ": note: " in line, line
    return sorted(errors)


def expected_errors(path):
    with open(path, encoding="utf-8") as source:
        return sorted(
            (number, match[1])
            for number, line in enumerate(source, 1)
            for match in [EXPECTED_ERROR.search(line)]
            if match
        )


def test_typed_usage_passes_mypy_strict(monkeypatch):
    assert mypy_errors(USAGE, monkeypatch) == []


def test_typed_usage_runs():
    spec = importlib.util.spec_from_file_location("typed_usage", USAGE)
    usage = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(usage)
    usage.main()


def test_wrong_argument_types_are_rejected_where_expected(monkeypatch):
    expected = expected_errors(MISUSE)
    assert len(expected) >= 20
    assert mypy_errors(MISUSE, monkeypatch) == expected
