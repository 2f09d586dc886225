# Sphinx configuration for the spdylay documentation.
#
# The API reference is written by hand with the py domain instead of
# autodoc, so building the docs never needs the compiled extension.

project = "spdylay"
author = "the spdylay authors"
release = "0.1.0"
version = "0.1"

extensions = []

primary_domain = "py"
default_role = "py:obj"
highlight_language = "default"

exclude_patterns = ["_build"]

html_theme = "alabaster"
