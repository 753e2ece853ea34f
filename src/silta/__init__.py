"""Silta keeps the registers of Netvisor and Visma Severa in step."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("silta")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
