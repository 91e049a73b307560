"""Measuring code: fictional data at scale and timings of the recompute, the import and the
reports. Each module with a ``main`` runs as ``.venv/bin/python -m benchmarks.<name>``; results
of runs are in benchmarks/results-scale.md and benchmarks/load/.

Imports go one way: these modules use the apps' own functions; no app imports from here.
"""

import os

import django
from django.apps import apps

# The modules import the apps' models at the top, so importing the package sets Django up
# (a no-op where it is set up already, as under pytest or in benchmarks/load/run_load.py).
if not apps.ready:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roadmap.settings")
    django.setup()
