# Sphinx configuration for the spdylay documentation.
#
# The API reference is written by hand with the py domain instead of
# autodoc, so building the docs never needs the compiled extension; for the
# same reason the version is read from spdylay/__init__.py, not imported.

import os
import re

_HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(_HERE, os.pardir, "spdylay", "__init__.py"), encoding="utf-8") as _init:
    release = re.search(r'^__version__ = "([^"]+)"$', _init.read(), re.M).group(1)
version = ".".join(release.split(".")[:2])

project = "spdylay"
author = "the spdylay developers"
copyright = "2026, the spdylay developers"

extensions = []

primary_domain = "py"
default_role = "py:obj"
highlight_language = "default"

exclude_patterns = ["_build"]

# furo: a maintained theme for API documentation whose code blocks scroll
# sideways instead of running past the page column.
html_theme = "furo"
html_title = "spdylay %s" % release
