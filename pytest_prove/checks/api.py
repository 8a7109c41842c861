"""Where the public API for third-party checks was imported from before it moved to
:mod:`pytest_prove.api`: kept so that checks written against it still load.  New code imports
from :mod:`pytest_prove` or :mod:`pytest_prove.api`."""

from __future__ import annotations

from ..api import *  # noqa: F403 - the same names, whatever pytest_prove.api adds
from ..api import __all__ as __all__  # noqa: PLC0414 - the explicit re-export form
