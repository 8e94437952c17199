import json

import pandas as pd

from mlspec_runtime import bodies


def test_bodies_are_distinct_live_requests(spec, tmp_path):
    out = tmp_path / "bodies.jsonl"
    n = bodies.write(spec, out, 50)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert n == len(lines) == 50
    assert len(set(lines)) == 50, "no body twice: a repeat could come from the answer cache"
    parsed = [json.loads(line) for line in lines]
    assert all(set(b) >= set(spec.request_columns) for b in parsed)
    key = next(k for k, c in spec.request_columns.items() if c == spec.base_time)
    times = pd.to_datetime([b[key] for b in parsed], utc=True)
    # Live: in order, within LIVE_SPAN_S after the sample's last event.
    assert times.is_monotonic_increasing
    assert (times.max() - times.min()).total_seconds() < bodies.LIVE_SPAN_S


def test_main_writes_and_refuses_a_bad_count(spec, tmp_path, capsys):
    out = tmp_path / "b.jsonl"
    assert bodies.main(spec, ["--out", str(out), "--count", "5"]) == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 5
    assert bodies.main(spec, ["--out", str(out), "--count", "0"]) == 2
    assert "--count" in capsys.readouterr().err
