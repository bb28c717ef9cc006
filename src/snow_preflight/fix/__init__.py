"""The write commands, ``snow-preflight fix`` and ``snow-preflight attach``: the only code that may write.

``run``, ``demo`` and ``replay`` read (GET, plus the OAuth token POST) and nothing else. This package alone
builds a :class:`~snow_preflight.fix.client.WritingClient`, and that client writes only what these commands
name: the ``use_mid_server`` field of the app's HTTP methods, and a change request's attachments and work
note (``tests/test_fix_containment.py`` holds both rules).

Module map: ``client`` (the writing client) → ``model`` (plan, undo file, result file, their JSON) →
``plan`` (read the instance, decide, refuse) → ``apply`` (re-read, refuse stale records, write, say where the
change was captured) → ``undo`` (plan and apply the way back) and ``attach`` (evidence on a change request)
→ ``commands`` (the CLI glue: settings, console lines, exit statuses, the checklist afterwards).
"""
