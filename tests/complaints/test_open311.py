"""Open311 GeoReport v2 conformance, written from the spec (wiki.open311.org/GeoReport_v2 and
/Service_Discovery): both formats, the spec's element names and errors.

What the spec says, and what these tests hold the endpoint to:
- XML is required, JSON optional; the format is the path's extension; everything is UTF-8 and
  an XML document starts with the XML declaration naming its encoding;
- GET services ⇒ `services/service` {service_code, service_name, description, metadata, type,
  keywords, group}; GET services/{code} ⇒ `service_definition` {service_code,
  attributes/attribute {variable, code, datatype, required, datatype_description, order,
  description, values/value {key, name}}};
- POST requests ⇒ `service_requests/request` {service_request_id or token, service_notice,
  account_id}; GET requests, GET requests/{id} and GET tokens/{token} ⇒
  `service_requests/request`;
- errors ⇒ `errors/error` {code, description}: 403 for a missing or invalid api_key, 404 for an
  unknown jurisdiction_id, service_code or service_request_id, 400 otherwise;
- dates are W3C datetimes with a timezone;
- service discovery at `.../discovery.{xml,json}` ⇒ changeset, contact, key_service,
  endpoints/endpoint {specification, url, changeset, type, formats/format}.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from lxml import etree

from tests.complaints.conftest import API_KEY, known_project
from tests.support import ServiceHarness

BASE = "/open311/v2"
XML_TYPE = "text/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type",
                  "keywords", "group"]
ATTRIBUTE_FIELDS = {"variable", "code", "datatype", "required", "datatype_description",
                    "order", "description"}
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name",
                  "service_code", "description", "agency_responsible", "service_notice",
                  "requested_datetime", "updated_datetime", "expected_datetime", "address",
                  "address_id", "zipcode", "lat", "long", "media_url"}
# The element of each list's items, as the spec's examples show them.
ITEMS = {"services": "service", "attributes": "attribute", "values": "value",
         "service_requests": "request", "errors": "error", "endpoints": "endpoint",
         "formats": "format", "service_request_updates": "request_update"}


@pytest.fixture(params=["xml", "json"])
def fmt(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# Reading documents in either format

def _element(element: etree._Element) -> Any:
    """An XML element as plain data: text, a list of its items, or a dict of its children."""
    if element.tag in ITEMS:
        assert all(child.tag == ITEMS[element.tag] for child in element), element.tag
        return [_element(child) for child in element]
    if len(element) == 0:
        return element.text
    return {child.tag: _element(child) for child in element}


def read_xml(response: httpx.Response, root: str) -> Any:
    """The document of an XML answer, after checking what the spec requires of XML."""
    assert response.headers["content-type"] == XML_TYPE
    assert re.match(rb"<\?xml version=['\"]1\.0['\"] encoding=['\"]UTF-8['\"]\?>",
                    response.content, re.IGNORECASE), response.content[:80]
    tree = etree.fromstring(response.content)
    assert tree.tag == root, f"root element {tree.tag}, expected {root}"
    return _element(tree)


def read(response: httpx.Response, fmt: str, root: str) -> Any:
    """The document in either format; XML values are text, as XML has them."""
    if fmt == "xml":
        return read_xml(response, root)
    assert response.headers["content-type"] == JSON_TYPE
    return response.json()


def as_xml_text(value: Any) -> Any:
    """A JSON document as XML carries it: scalars as text, null as an empty element."""
    if isinstance(value, list):
        return [as_xml_text(item) for item in value]
    if isinstance(value, dict):
        return {key: as_xml_text(item) for key, item in value.items()}
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None or value == "" else str(value)


def assert_spec_error(response: httpx.Response, fmt: str, status: int, *names: str) -> str:
    """A spec error list with one error of `status`; returns its description, which names
    each of `names`."""
    assert response.status_code == status, response.text
    [error] = read(response, fmt, "errors")
    assert str(error["code"]) == str(status)
    description = str(error["description"])
    for name in names:
        assert name in description, (name, description)
    return description


def form(**overrides: str) -> dict[str, str]:
    return {"api_key": API_KEY, "service_code": "noise", "lat": "24.48", "long": "118.09",
            "description": "Night-time drilling", "first_name": "小明", "last_name": "陈",
            "phone": "13712345678", "email": "chen@example.com",
            "attribute[project_id]": "p-1", **overrides}


async def create(svc: ServiceHarness, fmt: str = "json", **overrides: str) -> httpx.Response:
    return await svc.client.post(f"{BASE}/requests.{fmt}", data=form(**overrides))


async def filed(svc: ServiceHarness, **overrides: str) -> dict[str, Any]:
    response = await create(svc, **overrides)
    assert response.status_code == 200, response.text
    [receipt] = response.json()
    assert isinstance(receipt, dict)
    return receipt


# Service discovery

async def test_discovery_lists_the_georeport_endpoint(svc: ServiceHarness, fmt: str) -> None:
    response = await svc.client.get(f"/open311/discovery.{fmt}")
    assert response.status_code == 200, response.text
    discovery = read(response, fmt, "discovery")
    assert set(discovery) >= {"changeset", "contact", "key_service", "endpoints"}
    assert W3C.match(discovery["changeset"]) and discovery["contact"]
    assert discovery["key_service"]
    [endpoint] = discovery["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://test/open311/v2"
    assert endpoint["type"] in ("production", "test")
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}


# Services and their definitions

async def test_the_service_list_has_the_spec_fields(svc: ServiceHarness, fmt: str) -> None:
    services = read(await svc.client.get(f"{BASE}/services.{fmt}"), fmt, "services")
    assert {s["service_code"] for s in services} >= {"noise", "dust", "safety",
                                                     "property_service"}
    for service in services:
        assert list(service) == SERVICE_FIELDS
        assert str(service["metadata"]).lower() == "true"
        assert service["type"] == "realtime"


async def test_a_service_definition_lists_its_attributes(svc: ServiceHarness, fmt: str) -> None:
    definition = read(await svc.client.get(f"{BASE}/services/noise.{fmt}"), fmt,
                      "service_definition")
    assert definition["service_code"] == "noise"
    attributes = definition["attributes"]
    assert [a["code"] for a in attributes] == ["project_id", "community_id", "compound_id",
                                               "kind"]
    for attribute in attributes:
        assert set(attribute) >= ATTRIBUTE_FIELDS
        assert str(attribute["required"]).lower() == "false"  # a point is enough
    kinds = attributes[-1]
    assert kinds["datatype"] == "singlevaluelist"
    assert [v["key"] for v in kinds["values"]] == ["complaint", "inquiry", "supervision"]


async def test_an_unknown_service_is_a_404(svc: ServiceHarness, fmt: str) -> None:
    response = await svc.client.get(f"{BASE}/services/graffiti.{fmt}")
    assert_spec_error(response, fmt, 404, "service_code", "graffiti")


# Both formats carry the same documents

async def test_xml_and_json_carry_the_same_documents(svc: ServiceHarness) -> None:
    await known_project(svc)
    receipt = await filed(svc)
    request_id, token = receipt["service_request_id"], receipt["token"]
    acknowledged = await svc.client.post(f"/complaints/{request_id}/acknowledge", json={},
                                         headers=svc.auth("admin"))
    assert acknowledged.status_code == 200, acknowledged.text
    documents = {
        "/open311/discovery": "discovery",
        f"{BASE}/services": "services",
        f"{BASE}/services/safety": "service_definition",
        f"{BASE}/requests": "service_requests",
        f"{BASE}/requests/{request_id}": "service_requests",
        f"{BASE}/tokens/{token}": "service_requests",
        f"{BASE}/servicerequestupdates": "service_request_updates",
    }
    for path, root in documents.items():
        as_json = (await svc.client.get(f"{path}.json", params={"api_key": API_KEY})).json()
        as_xml = read_xml(await svc.client.get(f"{path}.xml", params={"api_key": API_KEY}),
                          root)
        assert as_xml == as_xml_text(as_json), path


async def test_a_post_answers_in_the_format_it_names(svc: ServiceHarness, fmt: str) -> None:
    await known_project(svc)
    response = await create(svc, fmt)
    assert response.status_code == 200, response.text
    [receipt] = read(response, fmt, "service_requests")
    assert receipt["service_request_id"] and receipt["token"]
    assert "service_notice" in receipt and "account_id" in receipt


async def test_text_is_utf8_in_both_formats(svc: ServiceHarness, fmt: str) -> None:
    response = await svc.client.get(f"{BASE}/services.{fmt}")
    response.content.decode("utf-8")  # strict
    assert "施工噪声".encode() in response.content  # not escaped away


async def test_text_xml_cannot_carry_is_dropped_not_a_500(svc: ServiceHarness) -> None:
    """XML 1.0 has no escape for most control characters; a report may contain them."""
    await known_project(svc)
    receipt = await filed(svc, description="bell\x07 and escape\x1b[0m end")
    response = await svc.client.get(f"{BASE}/requests/{receipt['service_request_id']}.xml",
                                    params={"api_key": API_KEY})
    [request] = read_xml(response, "service_requests")
    assert request["description"] == "bell and escape[0m end"


# Dates

async def test_dates_are_w3c_datetimes_with_a_timezone(svc: ServiceHarness, fmt: str) -> None:
    await known_project(svc)
    receipt = await filed(svc)
    [request] = read(await svc.client.get(
        f"{BASE}/requests/{receipt['service_request_id']}.{fmt}"), fmt, "service_requests")
    assert set(request) >= REQUEST_FIELDS
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C.match(request[name]), (name, request[name])


# Errors

async def test_errors_are_the_spec_error_list_in_the_requested_format(
    svc: ServiceHarness, fmt: str,
) -> None:
    await known_project(svc)
    get = svc.client.get
    assert_spec_error(await get(f"{BASE}/requests/nope.{fmt}"), fmt, 404,
                      "service_request_id")
    assert_spec_error(await get(f"{BASE}/tokens/CC-NOPE00.{fmt}"), fmt, 404, "token")
    assert_spec_error(await get(f"{BASE}/requests.{fmt}", params={"start_date": "yesterday"}),
                      fmt, 400, "start_date")
    assert_spec_error(await get(f"{BASE}/requests.{fmt}", params={"status": "pending"}),
                      fmt, 400, "status")
    assert_spec_error(await create(svc, fmt, api_key="stolen"), fmt, 403, "api_key")
    assert_spec_error(await create(svc, fmt, api_key=""), fmt, 403, "api_key")
    assert_spec_error(await create(svc, fmt, service_code="graffiti"), fmt, 404,
                      "service_code")
    assert_spec_error(await create(svc, fmt, service_code=""), fmt, 400, "service_code")
    assert_spec_error(await create(svc, fmt, lat="", long=""), fmt, 400, "lat", "long",
                      "address_string")


async def test_the_key_is_checked_before_anything_else(svc: ServiceHarness) -> None:
    """The spec lists 403 first: a client without a key learns nothing about its arguments."""
    response = await create(svc, api_key="stolen", service_code="graffiti", lat="north")
    assert_spec_error(response, "json", 403)
    response = await svc.client.post(f"{BASE}/requests.json", data=form(api_key="stolen"),
                                     files={"attachment": ("a.pdf", b"%PDF-1.7", "text/plain")})
    assert_spec_error(response, "json", 403)


async def test_an_unknown_format_is_a_400_in_xml(svc: ServiceHarness) -> None:
    response = await svc.client.get(f"{BASE}/services.csv")
    assert_spec_error(response, "xml", 400, "format")


# jurisdiction_id

async def test_jurisdiction_id_is_optional_and_an_unknown_one_is_a_404(
    svc: ServiceHarness, fmt: str,
) -> None:
    await known_project(svc)
    ours = {"jurisdiction_id": "xm.gov.cn"}
    other = {"jurisdiction_id": "sf.gov"}
    for path in ("services", "services/noise", "requests", "servicerequestupdates"):
        assert (await svc.client.get(f"{BASE}/{path}.{fmt}")).status_code == 200
        assert (await svc.client.get(f"{BASE}/{path}.{fmt}", params=ours)).status_code == 200
        assert_spec_error(await svc.client.get(f"{BASE}/{path}.{fmt}", params=other), fmt, 404,
                          "jurisdiction_id", "sf.gov")
    assert (await create(svc, fmt, **ours)).status_code == 200
    assert_spec_error(await create(svc, fmt, **other), fmt, 404, "jurisdiction_id")


async def test_the_openapi_documents_both_formats(svc: ServiceHarness) -> None:
    spec = (await svc.client.get("/openapi.json")).json()
    for path, operations in spec["paths"].items():
        if not path.startswith("/open311/") or "/media/" in path:
            continue
        for operation in operations.values():
            assert set(operation["responses"]["200"]["content"]) == {"application/json",
                                                                     "text/xml"}, path
            assert set(operation["responses"]["4XX"]["content"]) == {"application/json",
                                                                     "text/xml"}, path
