"""/metrics (scale-out issue, item 4): Prometheus text for the scraper only; requests and latency per
endpoint name (never the raw path), answers saved, attempts graded, certificates issued and
revoked, verifications, queue depth and job outcomes; several processes added up."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from prometheus_client import REGISTRY

from lms import metrics
from tests.certs_helpers import earn, record
from tests.conftest import REPO, make_user, post_form

OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_metrics_answer_loopback_and_a_token_holder_only(app, client) -> None:
    assert client.get("/metrics").status_code == 200
    hidden = client.get("/metrics", environ_base=OUTSIDE)
    assert hidden.status_code == 404 and b"lms_" not in hidden.data
    app.config["LMS_METRICS_TOKEN"] = "scrape-token-0123456789"
    assert client.get("/metrics", environ_base=OUTSIDE, headers={"Authorization": "Bearer wrong"}).status_code == 404
    shown = client.get("/metrics", environ_base=OUTSIDE, headers={"Authorization": "Bearer scrape-token-0123456789"})
    assert shown.status_code == 200 and shown.mimetype == "text/plain"
    app.config["LMS_METRICS_ALLOW"] = "10.0.0.0/8"
    assert client.get("/metrics").status_code == 404  # loopback no longer listed
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200


def test_the_work_is_counted(app, client, courses) -> None:
    before = {
        "answers": value("lms_answers_saved_total"),
        "passed": value("lms_attempts_graded_total", result="passed"),
        "issued": value("lms_certificates_issued_total"),
        "revoked": value("lms_certificates_revoked_total"),
        "valid": value("lms_verifications_total", outcome="valid"),
        "invalid": value("lms_verifications_total", outcome="invalid"),
    }
    code = earn(app, client)
    token = record(app, code).token
    assert client.get(f"/V/{token}").status_code == 200
    assert client.get("/V/NOT-A-TOKEN").status_code == 200
    make_user(app, "quantri", roles={"admin"}, full_name="Quản Trị")
    client.post("/logout")
    post_form(client, "/login", {"login": "quantri", "password": "mat-khau-tot-2026"})
    revoked = post_form(client, f"/certificates/revoke?code={code}", {"code": code, "reason": "Cấp nhầm"})
    assert revoked.status_code in (200, 302), revoked.get_data(as_text=True)[:300]
    assert value("lms_answers_saved_total") > before["answers"]
    assert value("lms_attempts_graded_total", result="passed") == before["passed"] + 1
    assert value("lms_certificates_issued_total") == before["issued"] + 1
    assert value("lms_certificates_revoked_total") == before["revoked"] + 1
    assert value("lms_verifications_total", outcome="valid") == before["valid"] + 1
    assert value("lms_verifications_total", outcome="invalid") == before["invalid"] + 1
    text = client.get("/metrics").get_data(as_text=True)
    # per endpoint name: the token (a path segment) never becomes a label
    assert 'endpoint="lms_certificates.verify_token"' in text and token not in text
    assert 'lms_http_request_duration_seconds_bucket{endpoint="lms_certificates.verify_token"' in text


def test_unknown_paths_share_one_label(client) -> None:
    client.get("/no-such-page-4242")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'endpoint="unmatched"' in text and "no-such-page-4242" not in text


def test_queue_depth_is_read_when_scraped_and_jobs_are_counted(client) -> None:
    failed = value("lms_jobs_total", job="class_pdf", outcome="failed")
    metrics.job_finished("class_pdf", ok=False)
    assert value("lms_jobs_total", job="class_pdf", outcome="failed") == failed + 1
    metrics.set_queue_depth_reader(lambda: {"default": 3, "reports": 0})
    try:
        text = client.get("/metrics").get_data(as_text=True)
        assert 'lms_queue_depth{queue="default"} 3.0' in text and 'lms_queue_depth{queue="reports"} 0.0' in text

        def broken() -> dict[str, int]:
            raise ConnectionError("redis down")

        metrics.set_queue_depth_reader(broken)
        answer = client.get("/metrics")
        assert answer.status_code == 200 and b"lms_queue_depth" not in answer.data  # left out, not a 500
    finally:
        metrics.set_queue_depth_reader(None)


def test_multiprocess_mode_adds_up_every_process(tmp_path) -> None:
    """What gunicorn's workers do: each counts into PROMETHEUS_MULTIPROC_DIR; one scrape adds them up."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PYTHONPATH": str(REPO)}
    count = textwrap.dedent("""
        from lms import metrics
        metrics.CERTIFICATES_ISSUED.inc(2)
        metrics.observe_request("lms_certificates.verify_token", "GET", 200, 0.003)
    """)
    for _ in range(2):  # two "workers"
        subprocess.run([sys.executable, "-c", count], env=env, check=True, timeout=60)
    scrape = "from lms import metrics; import sys; sys.stdout.write(metrics.exposition().decode())"
    text = subprocess.run([sys.executable, "-c", scrape], env=env, check=True, timeout=60,
                          capture_output=True, text=True).stdout
    assert "lms_certificates_issued_total 4.0" in text
    assert 'lms_http_requests_total{endpoint="lms_certificates.verify_token",method="GET",status="200"} 2.0' in text
