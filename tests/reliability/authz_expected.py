"""The exact set of callers each operation admits, per service (see tests/RELIABILITY.md).

Read from each route's dependencies and service checks, and from DESIGN.md's auth contract.
An operation missing here fails `test_every_route_has_an_entry`. Admin passes every role check
except where a party acts for itself only (signatures, a reporter's confirm/reopen).
"""

from __future__ import annotations

from tests.reliability.authz_callers import COLUMNS, ORG_BOUND, REPORTER, ROLE_ORDER, WRONG_ORG

Allowed = frozenset[str]

PUBLIC: Allowed = frozenset(COLUMNS)
# A public route that still verifies a token when one is sent (OptionalPrincipal).
PUBLIC_CHECKING_TOKENS: Allowed = PUBLIC - {"expired", "foreign-key"}
SIGNED_IN: Allowed = frozenset(ROLE_ORDER) | frozenset(WRONG_ORG)
STAFF = ("district_bureau", "subdistrict", "community")


def roles(*names: str, any_org: tuple[str, ...] = (), admin: bool = True) -> Allowed:
    """The listed roles (plus admin); `any_org` roles are not bound to an org on this route.

    Offices act only in their own area (DESIGN.md "Jurisdiction"), so by default no `@other`
    column is admitted."""
    cols = set(names) | ({"admin"} if admin else set())
    cols |= {f"{role}@other" for role in names if role in any_org and role in ORG_BOUND}
    return frozenset(cols)


OPERATIONS_EVERYWHERE: dict[str, Allowed] = {
    "GET /healthz": PUBLIC, "GET /readyz": PUBLIC, "GET /metrics": PUBLIC,
    "GET /asyncapi.json": PUBLIC, "GET /asyncapi.yaml": PUBLIC,
}
UPLOADERS = ("district_bureau", "subdistrict", "community", "builder", "designer", "contractor",
             "supervisor", "pipeline")
UNITS = ("builder", "designer", "contractor", "supervisor", "pipeline")

EXPECTED: dict[str, dict[str, Allowed]] = {
    "projects": {
        **OPERATIONS_EVERYWHERE,
        "GET /communities": PUBLIC,
        "GET /communities/{community_id}": PUBLIC,
        "GET /communities/{community_id}/plans": SIGNED_IN,
        "GET /communities/{community_id}/surveys": SIGNED_IN,
        "GET /plans/{plan_id}": SIGNED_IN,
        "GET /projects": SIGNED_IN,
        "GET /projects/{project_id}": SIGNED_IN,
        "GET /projects/{project_id}/hidden-works": SIGNED_IN,
        "GET /projects/{project_id}/progress": SIGNED_IN,
        "GET /hidden-works/{hidden_work_id}": SIGNED_IN,
        "GET /attachments/{attachment_id}": SIGNED_IN,
        "GET /attachments/{attachment_id}/meta": SIGNED_IN,
        "GET /communities/{community_id}/surveys/{survey_id}": SIGNED_IN,
        "GET /projects/{project_id}/construction-plan": SIGNED_IN,
        "GET /projects/{project_id}/heritage-review": SIGNED_IN,
        "GET /projects/{project_id}/status-changes": SIGNED_IN,
        # Attachments are not bound to a project until a report cites them.
        "POST /attachments": roles(*UPLOADERS, any_org=ORG_BOUND),
        "PUT /communities/{community_id}/jurisdiction": roles(),
        "PUT /communities/{community_id}/boundary": roles(),
        "POST /communities/{community_id}/plans": roles("subdistrict", "community"),
        "POST /communities/{community_id}/surveys": roles("subdistrict", "community"),
        "POST /plans/{plan_id}/approve": roles("district_bureau"),
        "POST /projects": roles("district_bureau", "subdistrict", "builder"),
        "POST /projects/{project_id}/approve": roles("district_bureau"),
        "POST /projects/{project_id}/cancel": roles("district_bureau", "subdistrict", "builder"),
        "POST /projects/{project_id}/complete": roles("builder", "contractor"),
        "POST /projects/{project_id}/construction-plan": roles("contractor"),
        "POST /projects/{project_id}/heritage-review": roles("district_bureau"),
        "POST /projects/{project_id}/hidden-works": roles("contractor"),
        "POST /projects/{project_id}/operate": roles("builder"),
        "POST /projects/{project_id}/progress": roles("contractor"),
        "POST /projects/{project_id}/progress:batch": roles("contractor"),
        "POST /projects/{project_id}/rectified": roles("contractor"),
        "POST /projects/{project_id}/resume": roles("district_bureau", "builder", "contractor"),
        "POST /projects/{project_id}/start": roles("builder", "contractor"),
        "POST /projects/{project_id}/suspend": roles("district_bureau", "builder", "contractor"),
        "POST /hidden-works/{hidden_work_id}/inspect": roles("supervisor"),
    },
    "complaints": {
        **OPERATIONS_EVERYWHERE,
        "POST /complaints": PUBLIC,
        "GET /sites": PUBLIC,
        # Published by their role, as on the site's fence: public, no token looked at.
        "GET /sites/{project_id}/board": PUBLIC,
        "PUT /sites/{project_id}/board": roles("subdistrict", "contractor"),
        # Lists are filtered to the caller's area or org, so an office of another area or
        # another org is admitted and sees nothing.
        "GET /complaints": roles(*STAFF, "contractor", "property_provider",
                                 any_org=(*STAFF, "contractor")),
        "GET /complaints/{complaint_id}": roles(*STAFF, "contractor") | {REPORTER},
        "POST /complaints/{complaint_id}/acknowledge": roles(*STAFF),
        "POST /complaints/{complaint_id}/assign": roles(*STAFF),
        "POST /complaints/{complaint_id}/resolve": roles(*STAFF, "contractor"),
        "POST /complaints/{complaint_id}/close": roles(*STAFF),
        "POST /complaints/{complaint_id}/confirm": frozenset({REPORTER}),
        "POST /complaints/{complaint_id}/reopen": frozenset({REPORTER}),
        "GET /complaints/nearby": PUBLIC,
        "POST /complaints/{complaint_id}/supporters": PUBLIC,
        "POST /complaints/{complaint_id}/merge": roles(*STAFF),
        # A photo for a report to cite: anyone, rate-limited (its id is the capability).
        "POST /complaints/photos": PUBLIC,
        # Only the reporter's own token adds a photo to the report; not even admin.
        "POST /complaints/{complaint_id}/photos": frozenset({REPORTER}),
        "GET /calendar": PUBLIC,
        # Only the reporter's own token asks for erasure (PIPL art. 47); not even admin.
        "DELETE /complaints/{complaint_id}/contact": frozenset({REPORTER}),
        "GET /complaints/{complaint_id}/contact-views": roles(),
        "GET /contact-views": roles(),
        # Counts only, the figures the city dashboard publishes per community: not area-bound.
        "GET /stats": roles(*STAFF, "dashboard", any_org=STAFF),
        "GET /open311/v2/services.{fmt}": PUBLIC,
        "GET /open311/v2/services/{service_code}.{fmt}": PUBLIC,
        "GET /open311/v2/requests.{fmt}": PUBLIC,
        "GET /open311/v2/requests/{service_request_id}.{fmt}": PUBLIC,
        "GET /open311/v2/tokens/{token}.{fmt}": PUBLIC,
        "POST /open311/v2/requests.{fmt}": PUBLIC,  # authorised by its form `api_key`
        "GET /open311/v2/servicerequestupdates.{fmt}": PUBLIC,
        "GET /open311/v2/media/{media_id}": PUBLIC,  # a random id: its URL is the capability
        "GET /open311/discovery.{fmt}": PUBLIC,
    },
    "property": {
        **OPERATIONS_EVERYWHERE,
        "GET /compounds": SIGNED_IN,
        "GET /compounds/{compound_id}": SIGNED_IN,
        "GET /providers": SIGNED_IN,
        "GET /providers/{provider_id}": SIGNED_IN,
        "GET /trials": SIGNED_IN,
        "GET /trials/{trial_id}": SIGNED_IN,
        "GET /trials/{trial_id}/assessments": SIGNED_IN,
        "GET /trials/{trial_id}/votes": SIGNED_IN,
        "GET /votes/{vote_id}": SIGNED_IN,
        "GET /candidates": roles(*STAFF, "dashboard"),
        "GET /coverage": roles(*STAFF, "dashboard"),
        "GET /compounds/{compound_id}/owners": roles(*STAFF, "owners"),
        "POST /compounds": roles("subdistrict", "community"),
        "PUT /compounds/{compound_id}/owners": roles("subdistrict", "community"),
        # Providers are registered city-wide: an office of any area may register one.
        "POST /providers": roles("subdistrict", "community",
                                 any_org=("subdistrict", "community")),
        "POST /trials": roles("subdistrict"),
        "POST /trials/{trial_id}/end": roles("subdistrict"),
        "POST /trials/{trial_id}/extend": roles("subdistrict"),
        "POST /trials/{trial_id}/assessments": roles("subdistrict", "community", "owners"),
        "POST /trials/{trial_id}/votes": roles("subdistrict", "community"),
        "POST /votes/{vote_id}/ballots": roles("community", "owners", "owner"),
        "POST /votes/{vote_id}/close": roles("subdistrict"),
    },
    "acceptance": {
        **OPERATIONS_EVERYWHERE,
        "GET /acceptances": roles(*STAFF, "owners", *UNITS, any_org=ORG_BOUND),
        "GET /acceptances/{acceptance_id}": roles(*STAFF, "owners", *UNITS),
        "GET /acceptances/{acceptance_id}/record": roles(*STAFF, "owners", *UNITS),
        "GET /acceptances/{acceptance_id}/record.html": roles(*STAFF, "owners", *UNITS),
        "GET /acceptances/{acceptance_id}/verify": roles(*STAFF, "owners", *UNITS),
        # A link to the printable record, for a reader of it (the link opens nothing else).
        "POST /acceptances/{acceptance_id}/record-link": roles(*STAFF, "owners", *UNITS),
        "POST /acceptances/{acceptance_id}/schedule": roles("builder", admin=False),
        # Each party signs for itself only: not even admin signs for another.
        "POST /acceptances/{acceptance_id}/signatures": roles(*STAFF, "owners", *UNITS,
                                                              any_org=(), admin=False),
    },
}
