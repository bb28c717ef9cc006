"""The checklist: one module per area, each check a pytest function declared with ``@check``.

Areas run in this order: instance, app, roles, mid, rest (see ``snow_preflight.judge.outcomes.AREAS``).
"""
