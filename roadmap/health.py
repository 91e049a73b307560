"""Health checks for the load balancer, the compose healthcheck and monitoring.

The database is essential: without it nothing works, so the endpoint answers 503. The broker is
not: saves succeed without it and the figures catch up once it is back (roadmap/lib/jobs.py), so
a broker outage makes the portal "degraded" (200) rather than taking the web servers out of the
load balancer. Monitoring alerts on ``"status": "degraded"``.
"""

from django.db import connection

from roadmap.celery import app

BROKER_TIMEOUT_SECONDS = 2


def database_is_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any driver error means "not reachable" to a health check
        return False


def broker_is_reachable() -> bool:
    try:
        with app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
            # For Redis the connection is lazy; ask the server something to be sure.
            if broker.transport.driver_type == "redis":
                broker.default_channel.client.ping()
        return True
    except Exception:  # refused, timed out, unknown host: the broker is not there
        return False


def health() -> tuple[int, dict]:
    checks = {
        "database": "ok" if database_is_reachable() else "unreachable",
        "broker": "ok" if broker_is_reachable() else "unreachable",
    }
    if checks["database"] != "ok":
        return 503, {"status": "unavailable", "checks": checks}
    if checks["broker"] != "ok":
        return 200, {"status": "degraded", "checks": checks}
    return 200, {"status": "ok", "checks": checks}
