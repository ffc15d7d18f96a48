import pytest
import time_machine


@pytest.fixture
def frozen_now():
    """Billing tests run at a fixed moment: 2026-12-03 15:00 UTC (10:00 in Bogotá)."""
    with time_machine.travel("2026-12-03T15:00:00Z", tick=False) as traveller:
        yield traveller
