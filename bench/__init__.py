"""`make bench`: how fast the shop is against the fastest this machine can render the same pages.

run.py drives it; prepare.py finds the scenario parameters and counts SQL queries in-process;
ceiling.py is the bare Starlette app serving the same templates from memory; load.py is the asyncio
load generator for flows that need cookies and CSRF (wrk drives the single-URL scenarios).
"""
