"""forecast: how fast does the compute of the largest AI training runs grow, and when
does that growth meet economic and physical limits?"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("forecast")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
