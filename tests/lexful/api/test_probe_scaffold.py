"""The probe scaffold of connector_core: checks in order, a failing check kept as its own row,
and the table and JSON reports with every secret and presigned signature left out."""

from __future__ import annotations

import json

from connector_core import scrub
from connector_core.probe import (
    Check,
    Report,
    Step,
    Verdict,
    render_json,
    render_table,
    run_checks,
    scrub_text,
)

SECRET = "s3cr3t-key-value-0123"
PRESIGNED = (
    "https://bucket.s3.amazonaws.com/a/b.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Signature=deadbeefcafe&X-Amz-Expires=900"
)


def _report() -> Report:
    scrub.register(SECRET)

    def works() -> Check:
        return Check("a", "a is so", f"saw {PRESIGNED}", Verdict.WORKS, "nothing")

    def setting() -> Check:
        return Check("b", "b is so", "b is not", Verdict.SETTING, "set page_size: 100")

    def broken() -> Check:
        msg = f"refused key {SECRET} with Authorization: Bearer abc.def.ghi"
        raise RuntimeError(msg)

    steps = [
        Step("a", "a is so", works),
        Step("b", "b is so", setting),
        Step("c", "c is so", broken),
    ]
    return run_checks("demo", "https://api.example?token=zzz", steps)


def test_checks_run_in_order_and_a_failing_one_is_not_checked() -> None:
    report = run_checks("demo", "https://api.example", [])
    assert report.checks == []
    full = _report()
    assert [c.key for c in full.checks] == ["a", "b", "c"]
    assert full.verdicts() == {
        "a": Verdict.WORKS,
        "b": Verdict.SETTING,
        "c": Verdict.NOT_CHECKED,
    }
    assert [c.key for c in full.blocking] == ["b"]


def test_json_and_table_leave_out_secrets_tokens_and_signatures() -> None:
    report = _report()
    for text in (render_json(report), render_table(report)):
        assert SECRET not in text
        assert "abc.def.ghi" not in text
        assert "deadbeefcafe" not in text
        assert "zzz" not in text
        assert "X-Amz-Algorithm" not in text
    body = json.loads(render_json(report))
    assert body["checks"][0]["observed"] == "saw https://bucket.s3.amazonaws.com/a/b.pdf?****"
    assert [c["verdict"] for c in body["checks"]] == [
        "works as is",
        "needs a setting",
        "not checked",
    ]
    table = render_table(report)
    assert table.splitlines()[-1] == "1 to act on before a real run: b"


def test_scrub_text_masks_a_signature_outside_a_url() -> None:
    assert scrub_text("X-Amz-Signature=abc123&x=1") == "X-Amz-Signature=****&x=1"
    assert scrub_text("line\nbreak") == "line\\x0abreak"
