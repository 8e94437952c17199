"""What a generated project hands the runtime: its spec, as one object.

A project's `project.py` builds one `Spec` from the files `mlspec build`
generates (`spec_config.py`, `schema.py`, `features.py`) and the user's
`hooks.py`; every runtime function takes it. The runtime imports nothing
from the project: the spec is passed, never looked up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from pydantic import BaseModel

# (rows, windows, state, fitting) -> feature name -> float array or Vector
FeatureBuilder = Callable[..., dict[str, Any]]
# (rows, feat, ctx, now) -> boolean array
Rule = Callable[..., Any]

REGRESSION_TASKS = ("regression", "forecasting")


@dataclass(frozen=True)
class Hooks:
    """The user's extension points (`hooks.py`), each optional.

    - `features(rows, feat, state)` returns extra or replaced features
      (`rows`: one numpy array per column `source.field`; a feature is a
      float array with one value per row, or a `features.Vector`);
    - `estimator(name, impl, params, quick, class_weight)` returns a
      scikit-learn estimator for a model, or None for the default;
    - `enrich(body)` returns the request body with fields the caller does
      not send (e.g. looked up from the user's systems), before validation.
    """

    features: Callable[[Mapping[str, Any], dict[str, Any], dict[str, Any]], dict[str, Any]] | None = None
    estimator: Callable[..., Any] | None = None
    enrich: Callable[[dict[str, Any]], dict[str, Any]] | None = None

    @classmethod
    def of(cls, module: ModuleType | None) -> Hooks:
        if module is None:
            return cls()
        return cls(
            features=getattr(module, "features", None),
            estimator=getattr(module, "estimator", None),
            enrich=getattr(module, "enrich", None),
        )


@dataclass(frozen=True)
class Spec:
    config: dict[str, Any]
    request_model: type[BaseModel]
    request_columns: Mapping[str, str]
    records: Mapping[str, type[BaseModel]]
    feature_builder: FeatureBuilder
    rules: Mapping[str, list[Rule]] = field(default_factory=dict)
    hooks: Hooks = field(default_factory=Hooks)

    @property
    def task(self) -> str:
        return str(self.config["task"])

    @property
    def regression(self) -> bool:
        return self.task in REGRESSION_TASKS

    @property
    def multiclass(self) -> bool:
        return self.task == "multiclass_classification"

    @property
    def classes(self) -> list[str]:
        return list(self.config["classes"])

    @property
    def sources(self) -> Mapping[str, Any]:
        return self.config["sources"]

    @property
    def base_source(self) -> str:
        return str(self.config["base_source"])

    @property
    def base_time(self) -> str | None:
        t = self.config["base_time"]
        return str(t) if t else None

    @property
    def main_model(self) -> str:
        return str(self.config["main_model"])

    @property
    def fallback_model(self) -> str | None:
        m = self.config["fallback_model"]
        return str(m) if m else None

    def model_features(self, model: str) -> list[str]:
        return list(self.config["models"][model]["features"])

    def build_features(self, rows: Mapping[str, Any], windows: Any, state: dict[str, Any], fitting: bool = False) -> dict[str, Any]:
        """Every declared feature of `rows` (`features.Rows`), window
        aggregates from `windows` (`features.Windows`), then the user's own
        features (hooks)."""
        feat = self.feature_builder(rows, windows, state, fitting)
        if self.hooks.features is not None:
            feat.update(self.hooks.features(rows, feat, state))
        return feat
