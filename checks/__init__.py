"""The checklist: one module per area, each check a pytest function declared with ``@check``.

Areas run in this order: instance, app, roles, mid, rest, delivery, rundeck (see
``snow_preflight.judge.loading.AREAS``).
"""
