"""Keeps a test run apart from a portal served from the same clone (`make run` beside
`make test`).

Loaded with ``-p tests.isolation`` (pyproject's addopts), so it runs before Django reads its
settings. Everything the settings put under the var directory (the SQLite file, the filesystem
broker's queue that `make run`'s worker consumes, report files under media/, static files)
goes to a directory of this run's own: otherwise the portal's worker would pick up the jobs
the tests enqueue and run them against the portal's database, and the tests would write their
reports among the portal's.
"""

import atexit
import os
import shutil
import tempfile

_var_dir = tempfile.mkdtemp(prefix="routekaart-tests-")
os.environ["ROUTEKAART_VAR_DIR"] = _var_dir
atexit.register(shutil.rmtree, _var_dir, ignore_errors=True)
