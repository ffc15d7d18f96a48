from tests.web.browser_requirements import browser_tests_decision


def test_everything_present_runs():
    assert browser_tests_decision(missing=[], ci=False).action == "run"
    assert browser_tests_decision(missing=[], ci=True).action == "run"


def test_missing_tools_skip_with_the_install_commands_outside_ci():
    decision = browser_tests_decision(missing=["chromium", "axe-core"], ci=False)
    assert decision.action == "skip"
    assert "apt-get install chromium" in decision.reason
    assert "npm ci --prefix tests/web" in decision.reason


def test_missing_tools_fail_in_ci():
    decision = browser_tests_decision(missing=["axe-core"], ci=True)
    assert decision.action == "fail"
    assert "npm ci --prefix tests/web" in decision.reason
    assert "chromium:" not in decision.reason
