"""Fixtures of the privacy tests."""

from __future__ import annotations

import pytest

from tests.weekly.fake_platform import FakePlatform


@pytest.fixture
def fake() -> FakePlatform:
    return FakePlatform()
