"""Fixtures of the weekly-rhythm tests (helpers: ``tests.weekly.helpers``)."""

from __future__ import annotations

import pytest

from tests.fake_platform import FakePlatform


@pytest.fixture
def fake() -> FakePlatform:
    return FakePlatform()
