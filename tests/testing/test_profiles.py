"""Hypothesis profiles: registered by funcgrad.testing, chosen by FUNCGRAD_PROFILE."""
from __future__ import annotations

import os

import pytest
from hypothesis import settings

from funcgrad.testing import profiles


@pytest.fixture
def restore_profile():
    loaded = os.environ.get(profiles.ENV_VAR) or profiles.DEFAULT  # what conftest.py loaded
    yield
    profiles.load_profile(loaded)


def test_the_suite_runs_the_selected_profile():
    wanted = os.environ.get(profiles.ENV_VAR) or "ci"
    assert settings.default.max_examples == settings.get_profile(wanted).max_examples


def test_ci_is_bounded_and_deterministic():
    ci = settings.get_profile("ci")
    assert ci.derandomize and ci.database is None and ci.deadline is None
    assert ci.max_examples <= 20
    assert settings.get_profile("dev").max_examples < settings.get_profile("thorough").max_examples


def test_environment_variable_selects_the_profile(monkeypatch, restore_profile):
    monkeypatch.setenv(profiles.ENV_VAR, "thorough")
    assert profiles.load_profile().max_examples == 400
    assert settings.default.max_examples == 400
    monkeypatch.delenv(profiles.ENV_VAR)
    assert profiles.load_profile().max_examples == settings.get_profile("ci").max_examples


def test_unknown_profile_is_a_clear_error(monkeypatch, restore_profile):
    monkeypatch.setenv(profiles.ENV_VAR, "nightly")
    with pytest.raises(ValueError, match="Unknown hypothesis profile 'nightly'.*ci, dev, thorough"):
        profiles.load_profile()


def test_user_registered_profiles_load_too(restore_profile):
    settings.register_profile("funcgrad-test-mine", max_examples=3)
    assert profiles.load_profile("funcgrad-test-mine").max_examples == 3
