"""snow-preflight: pre-flight checks for the Rundeck / PagerDuty Automation app on ServiceNow."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("snow-preflight")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
