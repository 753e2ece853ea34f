"""Sandboxes: fake Netvisor and Severa servers that behave like the real services.

They serve the test suite, the demo and the benchmarks. :mod:`silta.sandbox.server` puts them
together in one app; :mod:`silta.sandbox.netvisor` is the Netvisor one and
:mod:`silta.sandbox.severa` the Severa one (REST API v1, from Severa's own OpenAPI document).
"""
