"""Bulk data for the scale benchmark: `INSERT ... SELECT generate_series` straight into the
services' migrated tables (never through the API), then ANALYZE.

Shapes: 500 communities; projects spread evenly over them, five minutes apart; complaints
on pseudo-random projects (so a community has ~1/500 of them), thirty seconds apart,
routed to one of 2,000 contractor orgs, statuses and categories in fixed proportions drawn
by hash (independent of the community, which follows the row number modulo 500).
"""

from __future__ import annotations

import asyncpg  # type: ignore[import-untyped]

COMMUNITIES = 500
ORGS = 2000

PROJECTS_SQL = f"""
INSERT INTO projects (id, community_id, plan_id, title, category, domain, heritage,
    delivery_mode, total_cny, social_capital_cny, residents_cny, gas_account_opening_fee_cny,
    city_fiscal_cny, district_fiscal_cny, parties, planned_start, planned_end, status, version,
    progress_percent, schedule_at_risk, created_at, updated_at, started_at, completed_at)
SELECT 'p-' || lpad(g::text, 6, '0'),
       'c-' || lpad((g % {COMMUNITIES})::text, 3, '0'),
       'plan-' || (g % {COMMUNITIES}),
       'Renewal works ' || g,
       (ARRAY['basic','improvement','enhancement'])[1 + g % 3],
       'roads', false, 'government_investment',
       1000000, 100000, 50000, NULL, 600000, 250000,
       json_build_object('builder', 'builder-' || (g % 100),
                         'contractor', 'org-' || (g % {ORGS}),
                         'supervisor', 'supervisor-' || (g % 50), 'pipeline', '[]'::json),
       date '2026-01-01' + (g % 300), date '2026-12-31' + (g % 300),
       (ARRAY['draft','approved','under_construction','under_construction','suspended',
              'completed','rectifying','accepted','in_operation'])[1 + g % 9],
       1, g % 100, false,
       timestamptz '2025-06-01 00:00+00' + g * interval '5 minutes',
       timestamptz '2025-06-01 00:00+00' + g * interval '5 minutes', NULL, NULL
FROM generate_series(0, $1::int - 1) AS g
"""  # noqa: S608 - module constants only, no input

COMPLAINTS_SQL = f"""
INSERT INTO complaints (id, tracking_code, kind, category, status, source, project_id,
    community_id, compound_id, description, location, photos, anonymous, contact_name,
    contact_phone, contact_email, routed_org, assignee_org, sla, clock_started_at, due_at,
    district_due_at,
    escalation_level, escalated_at, next_escalation_at, resolved_at, resolution_seconds,
    sla_met, closed_at, satisfaction, last_note, version, created_at, updated_at)
SELECT md5('complaint' || g), 'B' || lpad(g::text, 9, '0'), 'complaint',
       (ARRAY['noise','dust','safety','access','quality','utility_outage',
              'property_service','other'])[1 + abs(hashint4(g + 7)) % 8],
       s.status, 'api', 'p-' || lpad(p.n::text, 6, '0'),
       'c-' || lpad((p.n % {COMMUNITIES})::text, 3, '0'), NULL,
       'Drilling after 22:00 next to building ' || (g % 20),
       '{{"lat": 24.48, "lng": 118.09}}'::json, '[]'::json, false, NULL, NULL, NULL,
       'org-' || (p.n % {ORGS}),
       CASE WHEN s.status IN ('assigned','resolved','closed','reopened')
            THEN 'org-' || (p.n % {ORGS}) END,
       '24h', t.at, t.at + interval '24 hours', t.at + interval '48 hours', NULL, NULL,
       CASE WHEN s.status IN ('resolved','closed') THEN NULL ELSE t.at + interval '24 hours' END,
       CASE WHEN s.status IN ('resolved','closed') THEN t.at + interval '20 hours' END,
       CASE WHEN s.status IN ('resolved','closed') THEN 72000 END,
       CASE WHEN s.status IN ('resolved','closed') THEN true END,
       CASE WHEN s.status = 'closed' THEN t.at + interval '30 hours' END,
       NULL, 'Report received.', 1, t.at, t.at
FROM generate_series(0, $1::int - 1) AS g,
     LATERAL (SELECT ((g::bigint * 7919) % $2::int)::int AS n) AS p,
     LATERAL (SELECT (ARRAY['received','received','received','acknowledged','acknowledged',
                            'assigned','assigned','resolved','closed','reopened'])
                            [1 + abs(hashint4(g)) % 10]
                     AS status) AS s,
     LATERAL (SELECT timestamptz '2025-06-01 00:00+00' + g * interval '30 seconds' AS at) AS t
"""  # noqa: S608 - module constants only, no input


async def load(projects_dsn: str, complaints_dsn: str, *, projects: int,
               complaints: int) -> None:
    for dsn, sql, args, table in (
        (projects_dsn, PROJECTS_SQL, (projects,), "projects"),
        (complaints_dsn, COMPLAINTS_SQL, (complaints, projects), "complaints"),
    ):
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute("SET synchronous_commit = off")  # a bulk load, not the API
            await conn.execute("SET maintenance_work_mem = '256MB'")
            await conn.execute(sql, *args)
            await conn.execute(f"VACUUM ANALYZE {table}")
        finally:
            await conn.close()
