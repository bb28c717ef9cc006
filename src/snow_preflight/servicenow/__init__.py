"""The ServiceNow client stack: how to reach one instance, log in, read it, and say what went wrong.

``connection`` (where and how to log in) → ``auth`` (the login modes) → ``transport`` (one request, its
retries, its log entry in ``exchange``) → ``client`` (Table API reads, paging, the hidden-by-ACL signal);
``diagnosis`` and ``unreachable`` turn a bad answer into one line naming the cause and the fix.

This layer knows nothing of a run: it imports neither pytest nor the run's settings (a test holds it).
"""
