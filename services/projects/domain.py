"""Pure rules of the projects service: the pilot communities, lifecycle and its guards (409 /
422 problems), start and completion gates, funding split, schedule risk.

Funding (实施方案 七(二) 落实资金保障):
- Fiscal money = total - social capital - residents' contribution.
- `basic` (基础类) fiscal money is shared city:district 5:5, as in the old-compound renovation
  funding mechanism. An odd cent goes to the district, so the halves always add up.
- `improvement` / `enhancement` fiscal money is not covered by the 5:5 rule: the text leaves
  them to social capital first, with "government support under the relevant policies", and
  makes each district government responsible (各区人民政府负总责). We book it all to the district.
- Pipeline works (power, telecom, water_supply_drainage, gas) in shentian, shengguang and
  xinxing are paid entirely by the fiscal side, except the residents' gas account-opening fee
  (燃气开户费). So for those projects social capital must be 0 and the residents' share must
  equal the gas account-opening fee (which only a `gas` project may carry; 0 otherwise).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any, Literal, NoReturn

from shared.errors import Conflict, Invalid
from shared.geo import area_of

__all__ = [
    "BATCH_DEADLINE",
    "FISCAL_PIPELINE_COMMUNITIES",
    "PILOT_COMMUNITIES",
    "PIPELINE_DOMAINS",
    "TRANSITIONS",
    "Budget",
    "BudgetError",
    "Funding",
    "Gates",
    "HiddenWorkStatus",
    "ReportFacts",
    "StartFacts",
    "allowed_transitions",
    "can_transition",
    "completion_unmet",
    "ensure_can",
    "ensure_preparable",
    "ensure_progress_forward",
    "ensure_reported_in_the_past",
    "ensure_same_report",
    "ensure_site_open",
    "expected_percent",
    "gates",
    "inspection_outcome",
    "is_behind_schedule",
    "parse_boundary",
    "project_in",
    "require_status",
    "split_fiscal_funding",
    "start_unmet",
]

Status = Literal[
    "draft", "approved", "under_construction", "suspended", "completed", "rectifying",
    "accepted", "in_operation", "cancelled",
]
HiddenWorkStatus = Literal["pending", "passed", "failed"]

TRANSITIONS: Mapping[str, frozenset[str]] = {
    "draft": frozenset({"approved", "cancelled"}),
    "approved": frozenset({"under_construction", "cancelled"}),
    "under_construction": frozenset({"suspended", "completed"}),
    "suspended": frozenset({"under_construction"}),
    "completed": frozenset({"accepted", "rectifying"}),
    "rectifying": frozenset({"completed"}),
    "accepted": frozenset({"in_operation"}),
    "in_operation": frozenset(),
    "cancelled": frozenset(),
}

# Once construction is over there is nothing left to plan or to review.
_PREPARABLE = frozenset({"draft", "approved", "under_construction", "suspended"})
# Work on site (progress reports, hidden works) happens only while the site is open: under
# construction, or rectifying after a failed acceptance. A suspended site takes neither.
_SITE_OPEN = frozenset({"under_construction", "rectifying"})
# How a project in each status is named in a sentence ("an approved project").
_PROJECT_IN = {
    "draft": "a draft project", "approved": "an approved project",
    "under_construction": "a project under construction", "suspended": "a suspended project",
    "completed": "a completed project", "rectifying": "a project being rectified",
    "accepted": "an accepted project", "in_operation": "a project in operation",
    "cancelled": "a cancelled project",
}
# A phone clock a little fast is normal; a report from well in the future is not.
_CLOCK_SKEW = timedelta(minutes=10)

BATCH_DEADLINE = date(2022, 12, 31)
PILOT_COMMUNITIES: tuple[tuple[str, str, str], ...] = (
    ("shentian", "深田社区", "思明区"),
    ("dongdu", "东渡社区", "湖里区"),
    ("shengguang", "盛光社区", "集美区"),
    ("future-coast", "未来海岸社区", "海沧区"),
    ("chengxi", "城西社区", "同安区"),
    ("xinxing", "新兴社区", "翔安区"),
)

PIPELINE_DOMAINS = frozenset({"power", "telecom", "water_supply_drainage", "gas"})
FISCAL_PIPELINE_COMMUNITIES = frozenset({"shentian", "shengguang", "xinxing"})
CENT = Decimal("0.01")


def allowed_transitions(status: str) -> list[str]:
    return sorted(TRANSITIONS.get(status, frozenset()))


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def project_in(status: str) -> str:
    """A project in `status`, as a sentence names it: "an approved project"."""
    return _PROJECT_IN.get(status, f"a project in status {status}")


def ensure_can(status: str, target: str) -> None:
    """Refuse an illegal transition with 409 listing the allowed ones."""
    if not can_transition(status, target):
        raise Conflict(f"{project_in(status)} cannot become {target}",
                       current_status=status, allowed=allowed_transitions(status))


def require_status(status: str, wanted: str, action: str) -> None:
    """Refuse `action` unless the project is `wanted` (409 listing the allowed transitions)."""
    if status != wanted:
        raise Conflict(f"only {project_in(wanted)} can {action}; this one is {status}",
                       current_status=status, allowed=allowed_transitions(status))


def ensure_preparable(status: str, what: str) -> None:
    """A construction plan or heritage review is taken until construction is over."""
    if status not in _PREPARABLE:
        raise Conflict(f"{project_in(status)} takes no {what}", current_status=status)


def ensure_site_open(status: str, what: str) -> None:
    """The one rule for work on site: progress reports and hidden works are taken while the
    site is open (under construction, or rectifying), never while it is suspended."""
    if status not in _SITE_OPEN:
        raise Conflict(f"{project_in(status)} takes no {what}", current_status=status,
                       open_in=sorted(_SITE_OPEN))


def ensure_reported_in_the_past(reported_at: datetime, now: datetime, field: str) -> None:
    """A report from well in the future (beyond a fast phone clock) is refused."""
    if reported_at > now + _CLOCK_SKEW:
        raise Invalid("reported_at is in the future", field=field)


def ensure_progress_forward(current_percent: int, percent: int, field: str, *,
                            batch_percent: int | None = None) -> None:
    """Progress never decreases: a lower percent contradicts the recorded state (409).

    `current_percent` is the stored percent; `batch_percent`, in an offline batch, the percent
    its earlier items reached. A batch is all or nothing, so when an item falls below an
    earlier one the 409 still reports the stored percent as `current_percent` (nothing of the
    batch is stored) and the batch's as `batch_percent`.
    """
    if percent < current_percent:
        raise Conflict(f"progress cannot go back from {current_percent}% to {percent}%",
                       field=field, current_percent=current_percent)
    if batch_percent is not None and percent < batch_percent:
        raise Conflict(f"progress cannot go back from {batch_percent}%, reached by an earlier "
                       f"item of this batch, to {percent}% (nothing of the batch was stored)",
                       field=field, current_percent=current_percent,
                       batch_percent=batch_percent)


@dataclass(frozen=True)
class ReportFacts:
    """What a progress report says: two reports under one client key must say the same."""

    percent: int
    milestone: str | None
    note: str | None
    photos: tuple[str, ...]
    location: tuple[float, float] | None
    reported_at: datetime


def ensure_same_report(recorded: ReportFacts, sent: ReportFacts, field: str,
                       **where: str) -> None:
    """A client key names one report: sent again with the same content it is a replay, with
    other content a conflict (409 naming `field`), never silently answered with the old one.
    `where` says which report holds the key (its id, or the batch item that used it)."""
    if recorded == sent:
        return
    differing = [name for name in ("percent", "milestone", "note", "photos", "location",
                                   "reported_at")
                 if getattr(recorded, name) != getattr(sent, name)]
    raise Conflict("this idempotency key was already used for a different report "
                   f"(differing: {', '.join(differing)})", field=field, differing=differing,
                   **where)


def inspection_outcome(status: str, verdict: Literal["pass", "fail"], note: str | None
                       ) -> HiddenWorkStatus:
    """The hidden work's status after an inspection; a pass is final, a fail must say why."""
    if status == "passed":
        raise Conflict("the hidden work already passed inspection", current_status=status)
    if verdict == "fail" and note is None:
        raise Invalid("a failed inspection must say what is wrong", field="note")
    return "passed" if verdict == "pass" else "failed"


@dataclass(frozen=True)
class Budget:
    total_cny: Decimal
    social_capital_cny: Decimal = Decimal("0")
    residents_cny: Decimal = Decimal("0")
    gas_account_opening_fee_cny: Decimal | None = None


@dataclass(frozen=True)
class Funding:
    city_fiscal_cny: Decimal
    district_fiscal_cny: Decimal
    social_capital_cny: Decimal
    residents_cny: Decimal


class BudgetError(ValueError):
    """A budget that breaks a funding rule; `field` names the offending budget field."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def _check_budget(budget: Budget, *, community_id: str, domain: str) -> None:
    amounts = {
        "total_cny": budget.total_cny,
        "social_capital_cny": budget.social_capital_cny,
        "residents_cny": budget.residents_cny,
        "gas_account_opening_fee_cny": budget.gas_account_opening_fee_cny or Decimal("0"),
    }
    for name, amount in amounts.items():
        if amount < 0:
            raise BudgetError("must not be negative", f"budget.{name}")
    if budget.social_capital_cny + budget.residents_cny > budget.total_cny:
        raise BudgetError("social capital and residents together exceed the total",
                          "budget.social_capital_cny")
    fee = budget.gas_account_opening_fee_cny
    if fee is not None and domain != "gas":
        raise BudgetError("only a gas project has a gas account-opening fee",
                          "budget.gas_account_opening_fee_cny")
    if fee is not None and fee > budget.residents_cny:
        raise BudgetError("the gas account-opening fee is part of the residents' share",
                          "budget.gas_account_opening_fee_cny")
    if domain in PIPELINE_DOMAINS and community_id in FISCAL_PIPELINE_COMMUNITIES:
        _check_fiscal_pipeline(budget)


def _check_fiscal_pipeline(budget: Budget) -> None:
    if budget.social_capital_cny != 0:
        raise BudgetError("pipeline works in this community are paid by the fiscal side",
                          "budget.social_capital_cny")
    if budget.residents_cny != (budget.gas_account_opening_fee_cny or Decimal("0")):
        raise BudgetError(
            "residents pay only the gas account-opening fee for pipeline works here",
            "budget.residents_cny",
        )


def split_fiscal_funding(budget: Budget, *, category: str, community_id: str,
                         domain: str) -> Funding:
    """Check the budget against the funding rules and compute who pays what."""
    _check_budget(budget, community_id=community_id, domain=domain)
    fiscal = budget.total_cny - budget.social_capital_cny - budget.residents_cny
    city = (fiscal / 2).quantize(CENT, rounding=ROUND_DOWN) if category == "basic" else Decimal(0)
    return Funding(
        city_fiscal_cny=city.quantize(CENT),
        district_fiscal_cny=(fiscal - city).quantize(CENT),
        social_capital_cny=budget.social_capital_cny.quantize(CENT),
        residents_cny=budget.residents_cny.quantize(CENT),
    )


@dataclass(frozen=True)
class StartFacts:
    status: str
    has_construction_plan: bool
    site_board_published: bool
    heritage: bool
    heritage_review_approved: bool


def start_unmet(facts: StartFacts) -> list[str]:
    """The conditions still missing before construction may start (empty ⇒ may start)."""
    unmet = []
    if facts.status != "approved":
        unmet.append("project_approved")
    if not facts.has_construction_plan:
        unmet.append("construction_plan_submitted")
    if not facts.site_board_published:
        unmet.append("site_board_published")
    if facts.heritage and not facts.heritage_review_approved:
        unmet.append("heritage_review_approved")
    return unmet


def completion_unmet(progress_percent: int, hidden_works: Iterable[str]) -> list[str]:
    """Completion needs progress 100 and every hidden work passed."""
    unmet = []
    if progress_percent < 100:
        unmet.append("progress_100")
    if any(status != "passed" for status in hidden_works):
        unmet.append("hidden_works_passed")
    return unmet


@dataclass(frozen=True)
class Gates:
    """Which conditions of starting and completing a project are met now.

    `heritage_review_approved` is None when no review is needed (the project does not touch
    heritage); `hidden_works_passed` is true when every recorded hidden work passed (or
    there is none yet).
    """

    plan_approved: bool
    construction_plan_submitted: bool
    site_board_published: bool
    heritage_review_approved: bool | None
    hidden_works_passed: bool
    progress_100: bool


def gates(*, plan_status: str | None, construction_plan: bool, site_board: bool,
          heritage: bool, heritage_review_approved: bool, hidden_work_unpassed: bool,
          progress_percent: int) -> Gates:
    """The gate state of a project from the facts start and completion are decided on."""
    return Gates(
        plan_approved=plan_status == "approved",
        construction_plan_submitted=construction_plan,
        site_board_published=site_board,
        heritage_review_approved=heritage_review_approved if heritage else None,
        hidden_works_passed=not hidden_work_unpassed,
        progress_100=progress_percent >= 100,
    )


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def expected_percent(planned_start: date, planned_end: date, at: datetime) -> int:
    """Progress a linear plan expects at `at` (0 before the start, 100 from the end on)."""
    span = (_start_of(planned_end) - _start_of(planned_start)).total_seconds()
    elapsed = (at - _start_of(planned_start)).total_seconds()
    if span <= 0:
        return 100 if elapsed >= 0 else 0
    return max(0, min(100, int(elapsed * 100 // span)))


def is_behind_schedule(percent: int, expected: int, threshold: int) -> bool:
    return expected - percent > threshold


# Community boundaries: GeoJSON (RFC 7946) Polygon or MultiPolygon in WGS84, [lng, lat].

def _refuse_boundary(message: str) -> NoReturn:
    raise Invalid(f"boundary: {message}", field="boundary")


def _position(value: Any) -> list[float]:
    numbers = isinstance(value, list) and all(
        isinstance(c, int | float) and not isinstance(c, bool) for c in value)
    if not numbers or len(value) not in (2, 3):
        _refuse_boundary("a position is [longitude, latitude]")
    return [float(value[0]), float(value[1])]


def _ring(value: Any) -> list[list[float]]:
    if not isinstance(value, list) or len(value) < 4:
        _refuse_boundary("a linear ring has at least four positions")
    ring = [_position(p) for p in value]
    if ring[0] != ring[-1]:
        _refuse_boundary("a linear ring must be closed (its last position repeats its first)")
    return ring


def _polygon(value: Any) -> list[list[list[float]]]:
    if not isinstance(value, list) or not value:
        _refuse_boundary("a polygon is a non-empty list of linear rings")
    return [_ring(r) for r in value]


def parse_boundary(value: Any) -> dict[str, Any]:
    """A community boundary, checked and normalised (2D positions; a Feature unwrapped).

    It must be a GeoJSON Polygon or MultiPolygon in WGS84 (`[lng, lat]`): closed rings of
    at least four positions, within the longitude/latitude ranges, forming a valid area (no
    self-intersection, holes inside their shell, no overlapping parts: `shared.geo.area_of`).
    Anything else is 422 naming `boundary`.
    """
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or value.get("type") not in ("Polygon", "MultiPolygon"):
        _refuse_boundary("must be a GeoJSON Polygon or MultiPolygon")
    coordinates = value.get("coordinates")
    if value["type"] == "Polygon":
        clean: list[Any] = _polygon(coordinates)
    elif isinstance(coordinates, list) and coordinates:
        clean = [_polygon(p) for p in coordinates]
    else:
        _refuse_boundary("a MultiPolygon is a non-empty list of polygons")
    boundary = {"type": value["type"], "coordinates": clean}
    try:
        area_of(boundary)
    except ValueError as exc:
        _refuse_boundary(str(exc))
    return boundary
