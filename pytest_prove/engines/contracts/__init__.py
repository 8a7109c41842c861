"""OpenAPI contracts: loading specs with their references, validity, and breaking changes.

Used by the ``contracts`` check (:mod:`pytest_prove.checks.contracts`); pure
functions of file contents, except for the readers the caller passes in.
"""
