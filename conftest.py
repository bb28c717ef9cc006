"""Loads the snow-preflight plugin for checks run from this source tree; nothing else."""

pytest_plugins = ["preflight.plugin"]
