"""The demo data that `make run` loads (`manage.py load_demo`).

The top of the import graph: it writes through the domain apps' services, and no domain app
imports it.
"""
