"""The one write path to an instance: :class:`WritingTransport`, for fix mode and attach only.

The read-only :class:`~snow_preflight.servicenow.transport.Transport` stays GET-only by construction; this
subclass adds :meth:`WritingTransport.write`, which sends PATCH or POST and nothing else. Only
:mod:`snow_preflight.fix` imports this module (``tests/test_fix_containment.py`` holds that), so ``run``,
``demo`` and ``replay`` cannot write even by mistake.

Every write is one exchange-log line: its method, its path (which names the table and sys_id, or the
Attachment API), its query, and a *source* naming the fields or the file written; a body is never logged.
A write is never retried after the instance may have acted on it: only a 401 under OAuth (the token
expired) is retried once with a new token, and a 429 after its ``Retry-After`` within the time budget.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from snow_preflight.errors import WriteRefusedError
from snow_preflight.servicenow import diagnosis
from snow_preflight.servicenow.answer import Target, instance_says
from snow_preflight.servicenow.transport import Reply, Transport


class WritingTransport(Transport):
    """The one write path: PATCH a record or POST a file.

    Only :mod:`snow_preflight.fix` may build one. The exchange log shows each write as its method, path
    and *source*, which names the fields written (``fix: use_mid_server``); bodies are never logged.
    """

    def write(
        self,
        method: str,
        target: Target,
        body: bytes,
        content_type: str,
        params: Mapping[str, str],
        *,
        source: str,
    ) -> Reply:
        """Send one write; its ``result``, or a redacted InstanceError (:class:`WriteRefusedError` for 4xx)."""
        if method not in ("PATCH", "POST"):
            raise ValueError(f"the writing transport sends PATCH or POST, not {method}")
        url = self.conn.base_url + target.path
        started = time.monotonic()
        query = {k: self.redactor.text(v) for k, v in self.redactor.data(dict(params)).items()}
        with self._logged(method, self.redactor.text(target.path), query, source) as entry:
            renewed = False
            while True:
                auth, used_token = self._auth.attempt()
                raw = self._request(
                    method,
                    url,
                    auth,
                    target.describe(),
                    params=dict(params),
                    data=body,
                    headers={"Content-Type": content_type},
                )
                entry.status = raw.status
                # A 401 under OAuth (an expired token) and a 429 (rate limited) mean the write did not
                # happen, so retrying them is safe; nothing else is retried.
                if raw.status == 401 and self._auth.renewable and not renewed:
                    self._auth.invalidate(used_token)
                    renewed = True
                    entry.retries += 1
                    continue
                if raw.status == 429:
                    wait = diagnosis.retry_after(raw.headers) or 1.0
                    if time.monotonic() + wait > started + self.conn.time_budget:
                        raise diagnosis.rate_limited(raw, wait, self.conn.time_budget)
                    time.sleep(wait)
                    entry.retries += 1
                    continue
                break
            if 400 <= raw.status < 500 and raw.status != 401:
                said = instance_says(raw)
                raise WriteRefusedError(
                    f"The instance refused {method} {target.describe()} ({raw.status}){said}.",
                    status=raw.status,
                    url=raw.url,
                    said=said,
                )
            if raw.status >= 500 and not diagnosis.is_hibernating(raw):
                raise diagnosis.server_error(raw, 0, time.monotonic() - started)
            return self._reply(raw, target, renewed=renewed)
