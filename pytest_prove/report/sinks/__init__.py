"""The run-time consumers of run records: terminal table, CI reports, SARIF, history,
dashboard, durations and notifications, each registered by :mod:`..consumers`."""
