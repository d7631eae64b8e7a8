"""Run localstripe bound to 127.0.0.1 only (its own launcher listens on every interface).

Usage: python tools/localstripe_local.py [PORT]
"""

import logging
import sys

from aiohttp import web
from localstripe.server import app

if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8420
    logging.basicConfig(level=logging.WARNING)
    web.run_app(app, host="127.0.0.1", port=port, print=None)
