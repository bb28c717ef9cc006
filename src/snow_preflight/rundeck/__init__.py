"""A small read-only Rundeck API client, for the optional checks of the Rundeck end (``--rundeck-url``).

Like the ServiceNow client stack it imports neither pytest nor the run's settings: it is given a URL, a
token and an API version, and answers with plain data that the snapshot keeps (so a bundle replays it).
"""

from snow_preflight.rundeck.client import (
    PROJECTS,
    RundeckAnswer,
    RundeckClient,
    RundeckReads,
    planned_calls,
    webhooks_call,
)

__all__ = ["PROJECTS", "RundeckAnswer", "RundeckClient", "RundeckReads", "planned_calls", "webhooks_call"]
