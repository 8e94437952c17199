"""The batch scoring job: scores every row of the target's source.

python batch.py --sample --output predictions.csv
python batch.py --data data/ --output predictions.csv
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from mlspec_runtime import models
from mlspec_runtime.data import add_source_args, features_of, frames_from_args, joined_rows, rows_of
from mlspec_runtime.spec import Spec


def score(spec: Spec, frames: dict, artifacts: str | Path = "artifacts") -> pd.DataFrame:
    """One prediction per row, by the served model."""
    folder = Path(artifacts)
    state = json.loads((folder / "feature_state.json").read_text())
    threshold = float(json.loads((folder / "model_card.json").read_text()).get("threshold", 0.5))
    model = models.load(spec, spec.main_model, folder, state)
    rows = joined_rows(spec, frames)
    feat = features_of(spec, rows, frames, state)
    s = model.scores(rows_of(spec, rows), feat)
    key = spec.sources[spec.base_source]["key"]
    out = pd.DataFrame({"row": np.arange(len(rows))})
    if key:
        out[key] = rows[spec.base_source + "." + key].to_numpy()
    if spec.regression:
        out["prediction"] = s
    elif spec.multiclass:
        out["prediction"] = np.array(spec.classes, dtype=object)[np.asarray(s).argmax(axis=1)]
    else:
        out["score"] = s
        out["prediction"] = s >= threshold
    out["model"] = spec.main_model
    return out


def main(spec: Spec, argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Batch scoring for " + spec.config["spec_name"])
    add_source_args(parser, "score synthetic data")
    parser.add_argument("--artifacts", default="artifacts")
    parser.add_argument("--output", default="predictions.csv")
    args = parser.parse_args(argv)
    frames = frames_from_args(spec, args, seed=1)
    out = score(spec, frames, args.artifacts)
    out.to_csv(args.output, index=False)
    print(f"wrote {len(out)} predictions to {args.output}")
    return 0
