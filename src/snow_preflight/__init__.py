"""snow-preflight: pre-flight checks for the Rundeck / PagerDuty Automation app on ServiceNow.

The version is a literal, read by setuptools at build time (``[tool.setuptools.dynamic]``): looking it
up through package metadata costs tens of milliseconds on every start, ``--version`` included.
"""

__version__ = "0.2.0.dev0"

__all__ = ["__version__"]
