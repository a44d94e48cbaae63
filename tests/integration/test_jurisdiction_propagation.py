"""A community's jurisdiction, set on projects, reaches the other three services' projections:
over real Kafka with each service on its own PostgreSQL database, and over the in-process bus
of embedded mode."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import pytest

from shared.bus import LocalBus
from shared.jurisdiction import Jurisdiction, jurisdiction_of
from shared.service import definition_of
from shared.settings import ServiceSettings
from tests.integration.flows import eventually, on_kafka
from tests.integration.servers import scratch_database, unique
from tests.support import ServiceHarness, running_service

SERVICES = ("projects", "acceptance", "complaints", "property")
NEW = {"district_bureau_org": "siming-urban-bureau", "subdistrict_org": "binhai-street",
       "community_org": "shentian-cc"}


def _settings(name: str, tmp_path: Path, **values: object) -> ServiceSettings:
    extra: dict[str, object] = {"attachments_root": tmp_path / "att"} if name == "projects" else {}
    settings: ServiceSettings = definition_of(name).settings_class(**extra, **values)
    return settings


async def _projection(svc: ServiceHarness) -> Jurisdiction | None:
    table = svc.ctx.definition.metadata.tables["community_jurisdictions"]
    async with svc.ctx.db.sessions() as session:
        return await jurisdiction_of(session, table, "shentian")


async def _set_and_follow(services: dict[str, ServiceHarness]) -> None:
    projects = services["projects"]
    before = (await projects.client.get("/communities/shentian")).json()
    response = await projects.client.put(
        "/communities/shentian/jurisdiction", json=NEW, headers={
            **projects.auth("admin"), "If-Match": f'"{before["version"]}"'})
    assert response.status_code == 200, response.text
    assert response.json()["jurisdiction"] == NEW

    for name in ("acceptance", "complaints", "property"):
        svc = services[name]

        async def arrived(svc: ServiceHarness = svc) -> bool:
            found = await _projection(svc)
            return found is not None and found.subdistrict_org == NEW["subdistrict_org"]

        await eventually(arrived, timeout=60, interval=0.2, what=f"{name} projection")
        found = await _projection(svc)
        assert found is not None
        assert (found.district_bureau_org, found.community_org) == (
            NEW["district_bureau_org"], NEW["community_org"])


@pytest.mark.kafka
@pytest.mark.postgres
async def test_a_jurisdiction_change_reaches_every_service_over_kafka(
        tmp_path: Path, kafka_bootstrap: str, postgres_server: None) -> None:
    namespace = unique("jur") + "."
    async with AsyncExitStack() as stack:
        services = {}
        for name in SERVICES:
            url = await stack.enter_async_context(scratch_database())
            definition = definition_of(name)
            services[name] = await stack.enter_async_context(on_kafka(
                definition, tmp_path / name, database_url=url, bootstrap=kafka_bootstrap,
                namespace=namespace, **({"attachments_root": tmp_path / "att"}
                                        if name == "projects" else {})))
        await _set_and_follow(services)


@asynccontextmanager
async def _embedded(tmp_path: Path) -> AsyncIterator[dict[str, ServiceHarness]]:
    bus = LocalBus(f"sqlite+aiosqlite:///{tmp_path / 'bus.db'}")
    try:
        async with AsyncExitStack() as stack:
            yield {name: await stack.enter_async_context(running_service(
                definition_of(name), tmp_path / name, settings=_settings(name, tmp_path),
                shared_bus=bus)) for name in SERVICES}
    finally:
        await bus.close()


async def test_a_jurisdiction_change_reaches_every_service_over_the_in_process_bus(
        tmp_path: Path) -> None:
    async with _embedded(tmp_path) as services:
        await _set_and_follow(services)
