"""Assertions in the scenario's step modules are rewritten so a failing step shows its values."""

import pytest

pytest.register_assert_rewrite("tests.e2e.basics", "tests.e2e.checks", "tests.e2e.handover",
                               "tests.e2e.residents", "tests.e2e.works")
