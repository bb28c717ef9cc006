"""The snow-preflight pytest plugin is loaded by its ``pytest11`` entry point (``snow_preflight.plugin``).

Nothing else belongs here: this file only marks the repository's root for pytest.
"""
