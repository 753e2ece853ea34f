"""The web app (``silta serve``): settings tab, run history, users' roles, the JSON API."""

from silta.web.app import WebState, create_app

__all__ = ["WebState", "create_app"]
