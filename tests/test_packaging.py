"""What the installed distribution promises about itself: its version in one
place and the PEP 561 marker. CI runs this against the installed sdist and
wheels too, where a file missing from the package would show."""

import importlib.metadata
import os

import spdylay


def test_version_is_the_distributions_version() -> None:
    assert spdylay.__version__ == importlib.metadata.version("spdylay")


def test_package_ships_the_typed_marker() -> None:
    package_dir = os.path.dirname(spdylay.__file__)
    assert os.path.isfile(os.path.join(package_dir, "py.typed"))


def test_distribution_declares_its_licence_and_pythons() -> None:
    metadata = importlib.metadata.metadata("spdylay")
    assert metadata["License"] == "MIT"
    assert metadata["Requires-Python"] == ">=3.9"
