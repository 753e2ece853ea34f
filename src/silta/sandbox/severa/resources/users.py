"""``GET /v1/users`` (scope ``users:read``): the organisation's users, token paged; and
``GET /v1/users/{guid}`` (an unknown GUID is an empty 404).

The sandbox's users are its seeded reference users (the owners and writers of its records),
all active, all in the company's root business unit. Filters (``Users_GetUsers``):
``isActive``, ``code`` and ``email`` (exact, any letter case), ``changedSince`` (≥),
``businessUnitGuids`` (the root unit matches), and ``keywordGuids`` and
``supervisorUserGuids``, which match nothing: the sandbox's users have neither. ``purpose``
is accepted and changes nothing.
"""

from __future__ import annotations

from typing import Any

from ..errors import NotFound
from ..paging import TokenPage, max_rows, read_token_page
from ..reference import User
from ..render import shaped
from ..times import format_datetime
from ..variance import shorter_page
from .base import Answer, Call, Handler, Predicates, fold

__all__ = ["HANDLERS"]


def list_users(call: Call) -> Answer:
    query = call.query
    org = call.org
    users = list(org.reference.users)
    stamp = org.reference.created_at
    filters = Predicates()  # for the page token's fingerprint; the checks are below
    active = query.boolean("isActive")
    code, email = query.text("code"), query.text("email")
    since = query.changed_since()
    units = set(query.texts("businessUnitGuids"))
    keywords, supervisors = query.texts("keywordGuids"), query.texts("supervisorUserGuids")
    query.text("purpose")
    wanted = [
        user
        for user in users
        if active is not False
        and (not code or fold(user.code) == fold(code))
        and (not email or fold(user.email or "") == fold(email))
        and (since is None or stamp >= since)
        and (not units or org.company.root_business_unit in units)
        and not keywords
        and not supervisors
    ]
    for name, value in (
        ("isActive", active),
        ("code", code),
        ("email", email),
        ("changedSince", since),
        ("businessUnitGuids", sorted(units)),
        ("keywordGuids", keywords),
        ("supervisorUserGuids", supervisors),
    ):
        filters.add(name, value, lambda record: True)  # fmt: skip
    scope = f"{org.id}:{call.operation.template}"
    page = read_token_page(
        query, call.tokens, scope, filters.fingerprint(), max_rows(call.operation.template)
    )
    page = TokenPage(shorter_page(page.row_count, call.variance), page.after)
    start = page.after + 1
    rows = wanted[start : start + page.row_count]
    headers = {}
    if start + page.row_count < len(wanted):
        after = start + page.row_count - 1
        headers["NextPageToken"] = call.tokens.encode(scope, after, filters.fingerprint())
    return Answer(200, [_user_json(call, user) for user in rows], headers)


def _user_json(call: Call, user: User) -> dict[str, Any]:
    org = call.org
    stamp = format_datetime(org.reference.created_at)
    return shaped(
        "UserOutputModel",
        {
            "guid": user.guid,
            "firstName": user.first_name,
            "lastName": user.last_name,
            "code": user.code,
            "email": user.email,
            "isActive": True,
            "title": None,
            "phone": None,
            "address": None,
            "postalCode": None,
            "city": None,
            "notes": None,
            "keywords": [],
            "businessUnit": {
                "guid": org.company.root_business_unit,
                "name": org.company.name,
                "companyGuid": org.company.guid,
                "companyName": org.company.name,
            },
            "createdDateTime": stamp,
            "createdBy": None,
            "lastUpdatedDateTime": stamp,
            "lastUpdatedBy": None,
        },
    )


def get_user(call: Call) -> Answer:
    user = call.org.reference.user(call.params["guid"])
    if user is None:
        raise NotFound
    return Answer(200, _user_json(call, user))


HANDLERS: dict[str, Handler] = {"Users_GetUsers": list_users, "Users_GetUser": get_user}
