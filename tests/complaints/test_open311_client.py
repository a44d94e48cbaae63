"""A round trip through Open311 clients someone else wrote.

Reads go through `georeport` (PyPI: an Open311 GeoReport v2 client on `requests` and
`xmltodict`), in XML and in JSON, against the app served by uvicorn on 127.0.0.1. Writes are
shaped as FixMyStreet's `Open311.pm` sends them (georeport has no POST): a form with
`jurisdiction_id`, `api_key`, `service_code`, `description`, `first_name`, `last_name`,
`email`, `phone` and either `lat`/`long` or `address_string`, or, when it uploads the photos
itself, `multipart/form-data` with `photo1`, `photo2`, ... and no `media_url`.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import requests
import uvicorn
import xmltodict
from georeport import GeoReport
from PIL import Image

from tests.complaints.conftest import API_KEY, known_project
from tests.support import ServiceHarness

JURISDICTION = "xm.gov.cn"


class _Server(uvicorn.Server):
    """uvicorn in the test's event loop, leaving signal handling to pytest."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def served(svc: ServiceHarness) -> AsyncIterator[str]:
    """The harness's app (its lifespan already running) over HTTP on a free local port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = _Server(uvicorn.Config(svc.app, lifespan="off", log_level="warning",
                                    access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(10):
            while not server.started:
                await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@pytest.fixture
async def endpoint(svc: ServiceHarness) -> AsyncIterator[str]:
    await known_project(svc)
    async with served(svc) as root:
        yield f"{root}/open311/v2"


def _photo() -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (24.0, 28.0, 48.0), 3: "E", 4: (118.0, 5.0, 24.0)}
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (20, 120, 20)).save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def _fixmystreet_params(**where: str) -> dict[str, str]:
    return {"jurisdiction_id": JURISDICTION, "api_key": API_KEY, "service_code": "noise",
            "description": "Drilling after 22:00 next to building 3",
            "first_name": "Xiaoming", "last_name": "Chen", "email": "chen@example.com",
            "phone": "13712345678", **where}


def _post_as_fixmystreet(endpoint: str, params: dict[str, str],
                         uploads: dict[str, tuple[str, bytes, str]] | None = None) -> str:
    """POST requests.xml; returns the service_request_id read as FixMyStreet reads it."""
    response = requests.post(f"{endpoint}/requests.xml", data=params, files=uploads,
                             timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    request = xmltodict.parse(response.content)["service_requests"]["request"]
    return str(request["service_request_id"])


def _as_list(found: Any) -> list[dict[str, Any]]:
    """xmltodict gives one element as a dict, several as a list."""
    return found if isinstance(found, list) else [found]


@pytest.mark.parametrize("output_format", ["xml", "json"])
async def test_georeport_reads_services_and_definitions(endpoint: str,
                                                        output_format: str) -> None:
    client = GeoReport(endpoint, jurisdiction=JURISDICTION, output_format=output_format)
    services = await asyncio.to_thread(client.get_service_list)
    assert {s["service_code"] for s in services} >= {"noise", "dust", "safety"}
    definition = await asyncio.to_thread(client.get_service_definition, "noise")
    assert definition["service_code"] == "noise"
    attributes = definition["attributes"]
    if output_format == "xml":
        attributes = _as_list(attributes["attribute"])
    assert [a["code"] for a in attributes] == ["project_id", "community_id", "compound_id",
                                               "kind"]


@pytest.mark.parametrize("output_format", ["xml", "json"])
async def test_georeport_reads_requests_filed_as_fixmystreet_files_them(
    endpoint: str, output_format: str,
) -> None:
    with_project = _fixmystreet_params(lat="24.48", long="118.09",
                                       **{"attribute[project_id]": "p-1"})
    first = await asyncio.to_thread(_post_as_fixmystreet, endpoint, with_project)
    second = await asyncio.to_thread(_post_as_fixmystreet, endpoint,
                                     {**with_project, "service_code": "dust"})
    client = GeoReport(endpoint, jurisdiction=JURISDICTION, output_format=output_format)
    listed = _as_list(await asyncio.to_thread(client.get_service_requests))
    assert {r["service_request_id"] for r in listed} == {first, second}
    dusty = _as_list(await asyncio.to_thread(client.get_service_requests,
                                             service_code="dust", status="open"))
    assert [r["service_request_id"] for r in dusty] == [second]
    one = await asyncio.to_thread(client.get_service_request, first)
    assert one["service_request_id"] == first and one["status"] == "open"
    assert one["agency_responsible"] == "acme" and one["expected_datetime"]
    assert "13712345678" not in str(one) and "Chen" not in str(one)


async def test_fixmystreet_files_with_a_point_only(endpoint: str) -> None:
    """No attribute of ours: the point (inside the shentian demo boundary) places it."""
    request_id = await asyncio.to_thread(
        _post_as_fixmystreet, endpoint, _fixmystreet_params(lat="24.478", long="118.096"))
    client = GeoReport(endpoint, jurisdiction=JURISDICTION, output_format="xml")
    request = await asyncio.to_thread(client.get_service_request, request_id)
    assert request["lat"] == "24.478" and request["long"] == "118.096"


async def test_fixmystreet_files_with_an_address_only(endpoint: str) -> None:
    """FixMyStreet sends `address_string` (its postcode) when the user did not use the map."""
    request_id = await asyncio.to_thread(
        _post_as_fixmystreet, endpoint, _fixmystreet_params(address_string="深田路 3 号"))
    client = GeoReport(endpoint, jurisdiction=JURISDICTION, output_format="json")
    request = await asyncio.to_thread(client.get_service_request, request_id)
    assert request["address"] == "深田路 3 号" and request["lat"] is None


async def test_fixmystreet_uploads_its_photos(endpoint: str) -> None:
    params = _fixmystreet_params(lat="24.48", long="118.09", **{"attribute[project_id]": "p-1"})
    uploads = {"photo1": ("1.0.full.jpeg", _photo(), "image/jpeg")}
    request_id = await asyncio.to_thread(_post_as_fixmystreet, endpoint, params, uploads)
    keyed = GeoReport(endpoint, jurisdiction=JURISDICTION, output_format="xml")
    response = await asyncio.to_thread(
        requests.get, f"{endpoint}/requests/{request_id}.xml",
        params={"jurisdiction_id": JURISDICTION, "api_key": API_KEY}, timeout=10)
    request = xmltodict.parse(response.content)["service_requests"]["request"]
    media = await asyncio.to_thread(requests.get, request["media_url"], timeout=10)
    assert media.status_code == 200 and media.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(media.content)).getexif().get(0x8825) is None  # no GPS
    public = await asyncio.to_thread(keyed.get_service_request, request_id)
    assert public["media_url"] is None  # without the key
