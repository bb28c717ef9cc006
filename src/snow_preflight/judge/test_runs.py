"""The "Test Runs" of the app's HTTP methods (``sys_rest_message_fn_test``): evidence, never a verdict.

A person who clicks an HTTP method's Test related link leaves a row with the HTTP status of that call
(facts §2.6, §4). It says how the method fared when someone last tried it by hand, which is worth seeing
beside the delivery result, most of all when the method had no traffic to judge. It decides nothing, so
reading it never raises: what could not be read is said in words.
"""

from __future__ import annotations

from snow_preflight.errors import CannotVerify
from snow_preflight.judge.base import truncated
from snow_preflight.judge.records import Record, RestMethod
from snow_preflight.judge.rest import RestViews


class TestRunViews(RestViews):
    def last_test_run(self, method: RestMethod) -> str:
        """*method*'s latest manual Test in words: when, the HTTP status, by whom; or why none is shown."""
        try:
            source = self._source("test_runs")
        except CannotVerify:  # a snapshot taken before this read existed
            return "not read in this snapshot"
        if not source.readable:
            return f"not readable by this login ({source.error_kind or 'hidden by ACL'})"
        for row in source.rows:
            record = Record.of(source.table, row)
            if record.has("rest_message_function") and record.get("rest_message_function") == method.sys_id:
                status = record.shown("http_status", "(none)")
                return f"{record.shown('sys_created_on')} UTC: HTTP {status}, by {record.shown('sys_created_by')}"
        if source.hidden:
            return "none visible (some Test Runs are hidden from this login by ACL)"
        if truncated(source):
            return "none among the newest Test Runs read"
        return "none recorded"
