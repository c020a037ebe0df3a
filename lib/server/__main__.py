"""``python -m lib.server [--host] [--port] [--data-dir] [--workers] [--api-key]``.

Binds the socket itself so that ``--port 0`` picks a free port, then prints one line
``Extract server listening on <url>`` (flushed) that scripts and tests wait for.
"""

from __future__ import annotations

import logging
import sys
from typing import Sequence

import uvicorn

from lib.server.app import bind_socket, create_app
from lib.server.settings import SettingsError, parse_args, settings_from_env


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = parse_args(argv, settings_from_env())
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        sock = bind_socket(settings.host, settings.port)
    except OSError as error:
        print(f"error: cannot listen on {settings.host}:{settings.port}: {error}", file=sys.stderr)
        return 2
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    app = create_app(settings)
    config = uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    print(f"Extract server listening on http://{shown}:{port} (data in {settings.data_dir.resolve()})", flush=True)
    server.run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
