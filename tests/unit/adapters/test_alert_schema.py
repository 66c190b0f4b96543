"""The ``alerts`` section of center.yaml: validated with file, line and field; kept in the
store exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.unit.adapters.test_center_yaml import GOOD

from carecenter.adapters.center_yaml import parse_center
from carecenter.adapters.store.center_repo import SqlCenterRepository
from carecenter.adapters.store.engine import make_engine, migrate
from carecenter.domain.alerts import AlertMetric, Severity
from carecenter.errors import ConfigError

ALERTS = """\
alerts:
  rules:
    sl-low:
      metric: service_level
      window_s: 900
      clear: 0.85
      for_s: 60
      repeat_s: 1800
      severity: critical
      notify: [ops, floor]
    long-break: {metric: agent_state, state: break, reason: lunch, threshold: 1800}
  webhooks:
    ops: {url: "https://hooks.example.com/cc", secret_env: CC_HOOK_SECRET}
  mail:
    floor: {to: [floor@example.com], sender: cc@example.com, host: smtp.example.com,
            port: 587, starttls: true, username: cc, password_env: CC_SMTP_PASSWORD}
"""


def test_rules_and_channels_are_read() -> None:
    center = parse_center(GOOD + ALERTS)
    sl, lunch = center.alerts.rules
    assert sl.metric is AlertMetric.SERVICE_LEVEL
    assert sl.threshold is None  # each queue's own target
    assert (sl.clear, sl.for_s, sl.repeat_s, sl.severity) == (0.85, 60, 1800, Severity.CRITICAL)
    assert sl.notify == ("ops", "floor")
    assert (lunch.state, lunch.reason, lunch.threshold) == ("break", "lunch", 1800)
    assert center.alerts.webhooks["ops"].secret_env == "CC_HOOK_SECRET"
    assert center.alerts.mail["floor"].port == 587


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "notify: [ops, floor]",
            "notify: [ops, pager]",
            "center.yaml:25: alerts.rules.sl-low.notify: unknown webhook or mail channel "
            "'pager' (defined: floor, ops)",
        ),
        (
            "state: break, reason",
            "state: asleep, reason",
            "center.yaml:26: alerts.rules.long-break.state: unknown state 'asleep' "
            "(available, on_contact, after_call_work, break, missed)",
        ),
        (
            "clear: 0.85",
            "clear: 1.5",
            "center.yaml:21: alerts.rules.sl-low.clear: must be a share between 0 and 1, got 1.5",
        ),
        (
            "window_s: 900",
            "window_s: 90",
            "center.yaml:20: alerts.rules.sl-low.window_s: give whole minutes (a multiple of 60)",
        ),
        (
            'url: "https://hooks.example.com/cc"',
            'url: "ftp://x"',
            "center.yaml:28: alerts.webhooks.ops.url: 'ftp://x' is not an http(s) URL",
        ),
        (
            "threshold: 1800}",
            "}",
            "center.yaml:26: alerts.rules.long-break.threshold: a rule on agent_state needs a "
            "threshold",
        ),
    ],
)
def test_mistakes_name_file_line_and_field(old: str, new: str, message: str) -> None:
    text = (GOOD + ALERTS).replace(old, new)
    assert text != GOOD + ALERTS
    with pytest.raises(ConfigError) as info:
        parse_center(text)
    assert message in [str(p) for p in info.value.problems]


def test_the_store_keeps_the_alerts_exactly(tmp_path: Path) -> None:
    center = parse_center(GOOD + ALERTS)
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    migrate(engine)
    repo = SqlCenterRepository(engine)
    repo.save(center)
    loaded = repo.load()
    assert loaded is not None
    assert loaded.alerts == center.alerts
    engine.dispose()
