"""Run localstripe bound to 127.0.0.1 only (its own launcher listens on every interface).

Usage: python tools/localstripe_local.py [PORT]

localstripe waits one second before it sends each webhook; LOCALSTRIPE_WEBHOOK_DELAY
(seconds) changes that wait (the tests use a fifth of a second: hundreds of payments).
"""

import asyncio
import logging
import os
import sys

from aiohttp import web
from localstripe import webhooks
from localstripe.server import app


class _DelayedAsyncio:
    """asyncio as localstripe's webhook module sees it, with its one sleep shortened."""

    def __init__(self, delay: float):
        self.delay = delay

    def __getattr__(self, name):
        return getattr(asyncio, name)

    async def sleep(self, seconds, *args, **kwargs):
        return await asyncio.sleep(min(seconds, self.delay), *args, **kwargs)


delay = os.environ.get("LOCALSTRIPE_WEBHOOK_DELAY")
if delay:
    webhooks.asyncio = _DelayedAsyncio(float(delay))

if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8420
    logging.basicConfig(level=logging.WARNING)
    web.run_app(app, host="127.0.0.1", port=port, print=None)
