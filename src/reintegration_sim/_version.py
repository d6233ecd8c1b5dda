"""The version of reintegration-sim, read from the installed package's metadata.

pyproject.toml is the one place the version is written; this module only reads it back, so
``reintegration-sim --version``, ``reintegration_sim.__version__`` and every result folder's
``metadata.json`` agree. A source tree that was never installed (``pip install -e .``) has no
metadata, and its version is ``"unknown"``.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:
    __version__: str = version("reintegration-sim")
except PackageNotFoundError:
    __version__ = "unknown"
