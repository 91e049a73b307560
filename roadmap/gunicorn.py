"""gunicorn settings for production: `gunicorn -c python:roadmap.gunicorn roadmap.wsgi`.

Each value can be overridden on the command line or with GUNICORN_CMD_ARGS.
"""

import json
import multiprocessing
import os

from gunicorn.glogging import Logger

# A password-reset link carries its token in the path (/account/reset/<uid>/<token>/); the
# access log must not hand working reset links to whoever reads the logs. The same masking as
# the application's own log handlers (roadmap/lib/logging.py).
from roadmap.lib.logging import RedactingFilter, redact


class RedactingLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        # gunicorn's error log too (a bad request line, a timeout) masks what it writes.
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                    handler.addFilter(RedactingFilter())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = redact(atoms["U"])
        atoms["r"] = redact(atoms["r"])
        return atoms


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers: the pages are short database reads; the long work runs in Celery.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Recycle workers now and then so a slow leak never becomes an outage.
max_requests = 2000
max_requests_jitter = 200
# The reverse proxy in front (the only client that reaches us) sets X-Forwarded-*.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")

# Access log: one JSON object per request on stdout, like the application's own logs.
logger_class = RedactingLogger
accesslog = "-"
errorlog = "-"
access_log_format = json.dumps(
    {
        "time": "%(t)s",
        "logger": "gunicorn.access",
        "method": "%(m)s",
        "path": "%(U)s",
        "status": "%(s)s",
        "bytes": "%(B)s",
        "duration_ms": "%(M)s",
        "remote": "%(h)s",
        "user_agent": "%(a)s",
    }
)
