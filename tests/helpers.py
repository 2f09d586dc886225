"""Helpers the test modules import (pytest's fixtures stay in conftest.py)."""

import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def child_env(**overrides):
    """The environment for child processes, without a sanitizer runtime that CI
    may have preloaded into this interpreter, with ``overrides`` applied."""
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    env.update(overrides)
    return env
