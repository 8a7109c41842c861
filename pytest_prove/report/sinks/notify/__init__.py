"""Notifications after a run: Slack and Microsoft Teams webhooks, email over SMTP.

The consumer in :mod:`.sink` decides with :mod:`.policy` whether a run is worth a
message, builds it with :mod:`.message` and hands it to :func:`.deliver.deliver`,
which gives every notifier retries within one time budget and never lets a failing
or hanging server fail or hang the run.  Webhook URLs and SMTP credentials come from
the environment only and are masked in everything shown (see :mod:`pytest_prove.redact.redactor`).
"""
