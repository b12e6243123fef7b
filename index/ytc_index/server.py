"""Run the index under gunicorn (threaded workers): `python -m ytc_index`."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from ytc_index.app import create_app
from ytc_index.backend import remove_stale_uploads
from ytc_index.settings import IndexSettings, _csv

log = logging.getLogger("ytc_index")


class IndexServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: IndexSettings) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        s = self.settings
        options: dict[str, Any] = {
            "bind": f"{s.host}:{s.port}",
            "workers": s.workers,
            "threads": s.threads,
            "worker_class": "gthread",
            "timeout": 120,
            "graceful_timeout": 10,
            "keepalive": 5,
            "accesslog": None,
            "errorlog": str(s.log_file) if s.log_file else "-",
            "proc_name": "ytc-index",
            # One index per checkout (and per test) may run at once: no shared control socket.
            "control_socket_disable": True,
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        # Runs in each worker after fork: each worker has its own fresh backend.
        return create_app(self.settings)


def parse_args(argv: Sequence[str] | None, base: IndexSettings) -> IndexSettings:
    parser = argparse.ArgumentParser(prog="python -m ytc_index", description="The ytcaption private index.")
    parser.add_argument("--host", default=base.host)
    parser.add_argument("--port", type=int, default=base.port)
    parser.add_argument("--packages", type=Path, default=base.packages)
    parser.add_argument("--htpasswd", type=Path, default=base.htpasswd)
    parser.add_argument("--fallback-url", default=base.fallback_url)
    parser.add_argument("--reserved", default=",".join(base.reserved), help="comma-separated name patterns")
    parser.add_argument("--authenticate", default=",".join(base.authenticate), help="download,list,update")
    parser.add_argument("--workers", type=int, default=base.workers)
    parser.add_argument("--threads", type=int, default=base.threads)
    parser.add_argument("--log-file", type=Path, default=base.log_file)
    args = parser.parse_args(argv)
    return replace(
        base,
        host=args.host,
        port=args.port,
        packages=args.packages,
        htpasswd=args.htpasswd,
        fallback_url=args.fallback_url,
        reserved=_csv(args.reserved),
        authenticate=_csv(args.authenticate),
        workers=args.workers,
        threads=args.threads,
        log_file=args.log_file,
    )


def main(argv: Sequence[str] | None = None) -> None:
    try:
        settings = parse_args(argv, IndexSettings.from_env())
        settings.validate()
    except ValueError as err:
        sys.exit(f"ytc_index: {err}")
    settings.packages.mkdir(parents=True, exist_ok=True)
    for stale in remove_stale_uploads(settings.packages):
        print(f"ytc_index: removed the partial upload {stale.name} left by an interrupted upload", file=sys.stderr)
    create_app(settings)  # fail here, in the master, on a bad setting rather than in every worker
    IndexServer(settings).run()
