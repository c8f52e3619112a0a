"""Anyone can check a published draw: verify() and the standalone script, on the real result and
on tampered ones (seed, candidate list, inspector list, result)."""

from __future__ import annotations

import copy
import http.server
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from inspections import drawing
from inspections.tests.drawing_data import candidate, dataset, inspector, seed_of

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "verify_draw.py"
MODULE = ROOT / "inspections" / "drawing.py"
CHECKS = (
    "seed_matches_commitment",
    "candidates_fingerprint_matches",
    "inspectors_fingerprint_matches",
    "result_matches",
)


@pytest.fixture
def published():
    data = dataset(
        [
            candidate(i, "LD" if i % 4 else "LQ", "crowded" if i % 3 else "key")
            for i in range(1, 81)
        ],
        [
            {"class": "crowded", "grade": "B", "ratio": "0.20"},
            {"class": "key", "grade": "B", "ratio": "0.10"},
        ],
        [inspector(100 + i, "LD") for i in range(5)] + [inspector(200, "LQ")],
        [{"inspector": 100, "candidate": 1}],
        [{"candidate": 2, "inspectors": [101, 102]}],
    )
    seed = seed_of("verify")
    return data, seed, drawing.draw(data, seed)


def failed(outcome, *checks):
    assert outcome["matches"] is False
    assert outcome["differences"]
    for check in CHECKS:
        assert outcome[check] is (check not in checks), check


def test_the_real_result_verifies(published):
    data, seed, result = published
    outcome = drawing.verify(data, seed, result)
    assert outcome == {**dict.fromkeys(("matches", *CHECKS), True), "differences": []}
    # A LQ unit cannot be assigned (one officer): reported, and still verifiable.
    assert result["unassigned"]


def test_a_json_round_trip_still_verifies(published):
    data, seed, result = published
    data, result = json.loads(json.dumps(data)), json.loads(json.dumps(result))
    assert drawing.verify(data, seed, result)["matches"] is True


def test_another_seed_does_not_match_the_commitment(published):
    data, _, result = published
    other = seed_of("another")
    failed(drawing.verify(data, other, result), "seed_matches_commitment", "result_matches")


def test_a_seed_revealed_with_its_own_commitment_still_fails_the_published_commitment(published):
    data, _, result = published
    other = seed_of("another")
    forged = drawing.draw(data, other)  # a redraw with a new seed, presented as the result
    forged["seed_commitment"] = result["seed_commitment"]
    failed(drawing.verify(data, other, forged), "seed_matches_commitment")


def test_a_changed_candidate_list_is_detected(published):
    data, seed, result = published
    tampered = copy.deepcopy(data)
    tampered["candidates"][5]["name"] = "改过的名字"
    failed(drawing.verify(tampered, seed, result), "candidates_fingerprint_matches")
    removed = copy.deepcopy(data)
    removed["candidates"] = [c for c in removed["candidates"] if c["id"] != 3]
    outcome = drawing.verify(removed, seed, result)
    assert not outcome["matches"]
    assert not outcome["candidates_fingerprint_matches"]


def test_a_changed_ratio_is_detected(published):
    data, seed, result = published
    tampered = copy.deepcopy(data)
    tampered["ratios"][0]["ratio"] = "0.30"
    outcome = drawing.verify(tampered, seed, result)
    failed(outcome, "candidates_fingerprint_matches", "result_matches")


def test_a_hidden_conflict_of_interest_is_detected(published):
    data, seed, result = published
    tampered = copy.deepcopy(data)
    tampered["exclusions"] = []
    assert not drawing.verify(tampered, seed, result)["inspectors_fingerprint_matches"]


def test_a_swapped_inspector_in_the_result_is_detected(published):
    data, seed, result = published
    tampered = copy.deepcopy(result)
    row = tampered["selected"][0]
    row["inspectors"] = [row["inspectors"][0], 104 if row["inspectors"][1] != 104 else 103]
    outcome = drawing.verify(data, seed, tampered)
    failed(outcome, "result_matches")
    assert any(d.startswith("selected[0]") for d in outcome["differences"])


@pytest.mark.parametrize(
    "tamper",
    [
        lambda r: r["selected"].pop(),
        lambda r: r["selected"].append({"candidate": 999, "inspectors": [100, 101]}),
        lambda r: r["unassigned"].clear(),
        lambda r: r["strata"][0].update(drawn=99),
        lambda r: r.update(algorithm="lishui-draw-v0"),
        lambda r: r.update(selected="all"),
        lambda r: r.pop("strata"),
    ],
)
def test_any_change_of_the_result_is_detected(published, tamper):
    data, seed, result = published
    tampered = copy.deepcopy(result)
    tamper(tampered)
    failed(drawing.verify(data, seed, tampered), "result_matches")


def test_a_result_naming_another_seed_is_refused(published):
    data, seed, result = published
    outcome = drawing.verify(data, seed, {**result, "seed": seed_of("x")})
    assert outcome["matches"] is False


@pytest.mark.parametrize("seed", [None, "", "xyz", 5])
def test_a_malformed_seed_is_a_mismatch_not_a_crash(published, seed):
    data, _, result = published
    outcome = drawing.verify(data, seed, result)
    assert outcome["matches"] is False
    assert outcome["differences"][0].startswith("seed:")


@pytest.mark.parametrize("bad", [[], None, "x", {"candidates": "x"}])
def test_malformed_data_or_result_is_a_mismatch_not_a_crash(published, bad):
    data, seed, result = published
    assert drawing.verify(bad, seed, result)["matches"] is False
    assert drawing.verify(data, seed, bad)["matches"] is False


def test_differences_are_capped():
    data = dataset(
        [candidate(i) for i in range(1, 101)],
        [{"class": "crowded", "grade": "B", "ratio": "1"}],
        [],
    )
    result = drawing.draw(data, seed_of("cap"))
    tampered = {**result, "unassigned": [{**r, "reason": "x"} for r in result["unassigned"]]}
    outcome = drawing.verify(data, seed_of("cap"), tampered)
    assert len(outcome["differences"]) == drawing.MAX_DIFFERENCES + 1
    assert outcome["differences"][-1].startswith("… and 80 more")


# --- the published document and the command line ---------------------------------------------


def api_document(data, result):
    """The public API's plan detail as the plans part publishes it (API.md)."""
    return {
        "id": data["plan"],
        "version": data["version"],
        "algorithm": drawing.ALGORITHM,
        "seed_commitment": result["seed_commitment"],
        "candidates_fingerprint": result["candidates_fingerprint"],
        "inspectors_fingerprint": result["inspectors_fingerprint"],
        "data": data,
        "draw": result,
    }


def run(*args, cwd=ROOT):
    return subprocess.run(
        [sys.executable, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"},
    )


def write(tmp_path, doc, name="plan.json"):
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_script_verifies_a_published_plan_file(published, tmp_path):
    data, _, result = published
    done = run(SCRIPT, write(tmp_path, api_document(data, result)))
    assert done.returncode == 0, done.stderr
    assert "结论：抽取可复现" in done.stdout
    assert "Verdict: the draw reproduces exactly" in done.stdout
    assert "Seed matches the prior commitment: 是 / yes" in done.stdout


def test_drawing_py_runs_alone_copied_out_of_the_repository(published, tmp_path):
    """The module needs nothing of the portal: a copy in an empty folder verifies the bundle."""
    data, _, result = published
    copy_path = tmp_path / "drawing.py"
    copy_path.write_text(MODULE.read_text(encoding="utf-8"), encoding="utf-8")
    bundle = write(tmp_path, {"data": data, "result": result})
    done = run(copy_path, "verify", bundle, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Django" not in done.stderr


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: d["data"]["candidates"][0].update(name="别的单位"),
        lambda d: d["draw"]["selected"][0]["inspectors"].reverse(),
        lambda d: d["draw"].update(seed=seed_of("other")),
        lambda d: d.update(seed_commitment=drawing.seed_commitment(seed_of("other"))),
    ],
)
def test_the_script_rejects_a_tampered_plan(published, tmp_path, tamper):
    data, _, result = published
    doc = copy.deepcopy(api_document(data, result))
    tamper(doc)
    done = run(SCRIPT, write(tmp_path, doc))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "验证未通过" in done.stdout
    assert "Verdict: verification FAILED" in done.stdout
    assert "difference:" in done.stdout


def test_the_script_fetches_the_plan_over_http(published, tmp_path):
    data, _, result = published
    body = json.dumps(api_document(data, result)).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/api/v1/public/inspection-plans/1/"
        done = run(SCRIPT, url)
    finally:
        server.shutdown()
    assert done.returncode == 0, done.stderr


def test_an_undrawn_plan_or_an_unreadable_file_exits_2(published, tmp_path):
    data, _, result = published
    doc = api_document(data, result)
    doc.pop("draw")
    done = run(SCRIPT, write(tmp_path, doc))
    assert done.returncode == 2
    assert "not drawn yet" in done.stderr
    assert run(SCRIPT, tmp_path / "missing.json").returncode == 2
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    assert run(SCRIPT, tmp_path / "bad.json").returncode == 2
    assert run(SCRIPT).returncode == 2


def test_main_in_process_reports_usage_and_verdict(published, tmp_path, capsys):
    data, _, result = published
    path = write(tmp_path, {"data": data, "result": result})
    assert drawing.main(["verify", str(path)]) == 0
    assert "Re-run result matches: 是 / yes" in capsys.readouterr().out
    assert drawing.main(["check", str(path)]) == 2
    assert "usage" in capsys.readouterr().err


def test_a_voided_draw_still_verifies_and_says_it_was_voided(published, tmp_path):
    data, _, result = published
    doc = api_document(
        data, {**result, "voided_at": "2026-12-01T10:00:00+08:00", "void_reason": "名录有误"}
    )
    done = run(SCRIPT, write(tmp_path, doc))
    assert done.returncode == 0, done.stderr
    assert "此次抽取已作废" in done.stdout
    assert "名录有误" in done.stdout
