"""Hooks the snow-preflight plugin declares (added with ``pytest_addhooks``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from snow_preflight.run import Run


@pytest.hookspec(firstresult=True)
def pytest_snow_preflight_run(config: pytest.Config) -> Run | None:
    """The run to judge, prepared by whoever started pytest (``snow-preflight run`` does).

    Return None to let the plugin build one from the ``--sn-*`` options. The first non-None answer wins.
    """
