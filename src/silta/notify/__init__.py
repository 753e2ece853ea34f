"""Telling a company's people what needs them: failed runs, refused credentials, new refusals.

==================  ==========================================================
module              concept
==================  ==========================================================
``settings.py``     what a KH chooses: recipients, events, period, webhook (one table)
``config.py``       what the operator configures: mail, webhook allow-list, public URL
``smtp.py``         ``SILTA_SMTP_URL`` and sending mail (the password never shown)
``webhook.py``      the allow-list, the signature, the POST (never a redirect)
``detect.py``       finished runs → events; each refusal reported once
``digest.py``       the events of a period → one message per language, one JSON body
``notifier.py``     the scheduler's chore: detect, make digests, deliver, retry
==================  ==========================================================

The state (settings, events waiting, digests, refusals reported) is
:class:`silta.store.notifications.Notifications`.
"""
