"""What a check author imports: ``@check``, :class:`Evidence`, :class:`CannotVerify` and the typed views.

The judge turns the snapshot into verdicts. Views answer questions about the instance ("which MID Server
does this method use?") and raise :class:`CannotVerify` whenever the answer was not actually seen, so a
check cannot turn "not seen" into "passed" or "failed".
"""
