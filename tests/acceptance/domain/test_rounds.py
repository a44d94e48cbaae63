"""Pure rules of a round: required parties, who may sign, how a round ends."""

from __future__ import annotations

import pytest

from services.acceptance.domain.rounds import (
    Party,
    check_signature,
    decide_round,
    may_sign_as,
    party_of,
    rejecting_parties,
    required_parties,
)
from shared.errors import Conflict, Invalid

EIGHT = ["builder", "district_bureau", "subdistrict", "community", "owners", "designer",
         "contractor", "supervisor"]


def parties(**overrides: object) -> list[Party]:
    args: dict[str, object] = {"builder": "b", "contractor": "c", "designer": "d",
                               "supervisor": "s", "pipeline": [], **overrides}
    return required_parties(**args)  # type: ignore[arg-type]


def codes(**overrides: object) -> list[str]:
    return [p.code for p in parties(**overrides)]


class TestRequiredParties:
    def test_a_full_project_needs_the_eight_parties_in_policy_order(self) -> None:
        assert codes() == EIGHT

    def test_each_pipeline_unit_is_its_own_party(self) -> None:
        assert codes(pipeline=["power-co", "gas-co"])[-2:] == ["pipeline:power-co",
                                                               "pipeline:gas-co"]

    def test_a_pipeline_unit_named_twice_signs_once(self) -> None:
        assert codes(pipeline=["gas-co", "gas-co"]).count("pipeline:gas-co") == 1

    def test_units_the_project_does_not_name_are_not_required(self) -> None:
        assert "designer" not in codes(designer=None)
        assert "supervisor" not in codes(supervisor=None)

    def test_units_are_bound_to_their_org_and_public_bodies_to_none(self) -> None:
        by_code = {p.code: p for p in parties(pipeline=["gas-co"])}
        assert by_code["contractor"] == Party("contractor", "contractor", "c")
        assert by_code["pipeline:gas-co"] == Party("pipeline:gas-co", "pipeline", "gas-co")
        assert by_code["subdistrict"].org is None
        assert by_code["owners"] == Party("owners", "owners", None)

    def test_the_owners_party_is_bound_to_the_representative_the_project_names(self) -> None:
        by_code = {p.code: p for p in parties(owners="yzwh-7")}
        assert by_code["owners"] == Party("owners", "owners", "yzwh-7")
        assert codes(owners="yzwh-7") == EIGHT


class TestMaySignAs:
    def test_a_unit_needs_its_role_and_its_org(self) -> None:
        party = Party("contractor", "contractor", "c")
        assert may_sign_as(party, roles={"contractor"}, org="c")
        assert not may_sign_as(party, roles={"contractor"}, org="other")
        assert not may_sign_as(party, roles={"supervisor"}, org="c")

    def test_a_pipeline_party_needs_the_pipeline_role_and_that_org(self) -> None:
        party = Party("pipeline:gas-co", "pipeline", "gas-co")
        assert may_sign_as(party, roles={"pipeline"}, org="gas-co")
        assert not may_sign_as(party, roles={"pipeline"}, org="power-co")

    def test_admin_never_signs_for_a_party(self) -> None:
        for party in parties():
            assert not may_sign_as(party, roles={"admin"}, org=party.org)

    def test_an_office_signs_only_as_the_office_of_the_communitys_jurisdiction(
        self,
    ) -> None:
        for role, office in (("district_bureau", "siming-bureau"),
                             ("subdistrict", "shentian-street"), ("community", "shentian")):
            party = Party(role, role)
            assert may_sign_as(party, roles={role}, org=office, office=office)
            assert not may_sign_as(party, roles={role}, org="xiangan-bureau", office=office)
            assert not may_sign_as(party, roles={role}, org=None, office=office)

    def test_nobody_signs_for_an_office_of_a_community_without_jurisdiction(self) -> None:
        party = Party("subdistrict", "subdistrict")
        assert not may_sign_as(party, roles={"subdistrict"}, org="any-street", office=None)

    def test_the_owners_sign_by_role_unless_the_project_names_their_representative(
        self,
    ) -> None:
        assert may_sign_as(Party("owners", "owners"), roles={"owners"}, org=None)
        named = Party("owners", "owners", "yzwh-7")
        assert may_sign_as(named, roles={"owners"}, org="yzwh-7")
        assert not may_sign_as(named, roles={"owners"}, org="yzwh-8")
        assert not may_sign_as(named, roles={"owners"}, org=None)


class TestDecideRound:
    def test_the_round_stays_open_until_every_party_signed(self) -> None:
        assert decide_round(EIGHT, dict.fromkeys(EIGHT[:-1], "approve")) == "open"

    def test_all_approve_passes(self) -> None:
        assert decide_round(EIGHT, dict.fromkeys(EIGHT, "approve")) == "passed"

    def test_one_reject_fails(self) -> None:
        verdicts = {**dict.fromkeys(EIGHT, "approve"), "owners": "reject"}
        assert decide_round(EIGHT, verdicts) == "failed"  # type: ignore[arg-type]
        assert rejecting_parties(verdicts) == ["owners"]  # type: ignore[arg-type]

    def test_a_pipeline_party_must_sign_too(self) -> None:
        required = [*EIGHT, "pipeline:gas-co"]
        assert decide_round(required, dict.fromkeys(EIGHT, "approve")) == "open"
        assert decide_round(required, dict.fromkeys(required, "approve")) == "passed"


class TestCheckSignature:
    def check(self, **overrides: object) -> None:
        args: dict[str, object] = {"round_status": "open", "required": EIGHT, "signed": [],
                                   "party": "owners", "verdict": "approve", "defect_count": 0,
                                   **overrides}
        check_signature(**args)  # type: ignore[arg-type]

    def test_a_first_signature_on_an_open_round_is_taken(self) -> None:
        self.check()

    def test_a_second_signature_of_the_same_party_is_a_conflict(self) -> None:
        with pytest.raises(Conflict, match="already signed"):
            self.check(signed=["owners"])

    @pytest.mark.parametrize("status", ["passed", "failed"])
    def test_no_signature_after_the_round_closed(self, status: str) -> None:
        with pytest.raises(Conflict, match="closed"):
            self.check(round_status=status)

    def test_a_party_not_required_is_invalid(self) -> None:
        with pytest.raises(Invalid) as caught:
            self.check(party="pipeline:nobody")
        assert caught.value.extensions["errors"][0]["field"] == "party"

    def test_a_rejection_without_defects_is_invalid(self) -> None:
        with pytest.raises(Invalid, match="at least one defect"):
            self.check(verdict="reject")

    def test_an_approval_with_defects_is_invalid(self) -> None:
        with pytest.raises(Invalid, match="approval carries no defects"):
            self.check(defect_count=1)


class TestPartyOf:
    def test_a_required_party_is_found_by_its_code(self) -> None:
        assert party_of(parties(pipeline=["gas"]), "pipeline:gas") == Party(
            "pipeline:gas", "pipeline", "gas")

    def test_a_party_the_acceptance_does_not_require_is_invalid(self) -> None:
        with pytest.raises(Invalid, match="not a required party") as caught:
            party_of(parties(designer=None), "designer")
        assert caught.value.extensions["errors"][0]["field"] == "party"
