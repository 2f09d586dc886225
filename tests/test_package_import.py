"""``import spdylay`` leaves the networking layer (ssl, http.server, ...)
unimported until one of its names is used, and those names still behave as
attributes of the package."""

import subprocess

import pytest
from helpers import python_command

import spdylay

NETWORKING_NAMES = (
    "BaseSPDYStreamHandler",
    "UrlFetcher",
    "UrlFetchError",
    "urlfetch",
    "BaseSPDYRequestHandler",
    "ThreadedSPDYServer",
)


def run_fresh(code):
    return subprocess.run(
        python_command(code),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=60,
    )


def test_import_does_not_load_the_networking_layer():
    result = run_fresh(
        "import sys, spdylay\n"
        "s = spdylay.Session(spdylay.CLIENT, spdylay.PROTO_SPDY3)\n"
        "loaded = [m for m in ('spdylay.client', 'spdylay.server', 'ssl',"
        " 'http.server') if m in sys.modules]\n"
        "print(loaded)\n"
    )
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip() == "[]"


def test_first_use_of_a_networking_name_loads_it():
    result = run_fresh(
        "import sys, spdylay\n"
        "server = spdylay.ThreadedSPDYServer\n"
        "print(server is sys.modules['spdylay.server'].ThreadedSPDYServer)\n"
    )
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip() == "True"


@pytest.mark.parametrize("name", NETWORKING_NAMES)
def test_networking_names_are_package_attributes(name):
    assert name in spdylay.__all__
    assert name in dir(spdylay)
    module = spdylay.client if name in vars(spdylay.client) else spdylay.server
    assert getattr(spdylay, name) is getattr(module, name)


@pytest.mark.parametrize("module", ["client", "server"])
def test_networking_modules_are_package_attributes(module):
    result = run_fresh(
        "import spdylay\nprint(spdylay.%s.__name__, '%s' in dir(spdylay))\n" % (module, module)
    )
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip() == "spdylay.%s True" % module


def test_star_import_brings_the_networking_names():
    namespace = {}
    exec("from spdylay import *", namespace)
    assert namespace["urlfetch"] is spdylay.urlfetch
    assert namespace["ThreadedSPDYServer"] is spdylay.ThreadedSPDYServer


def test_an_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = spdylay.no_such_name
