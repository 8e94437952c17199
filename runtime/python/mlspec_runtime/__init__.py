"""mlspec_runtime: the spec-independent part of every project `mlspec build`
generates (training, models, features, the online store, serving, monitors,
sample data).

`mlspec build` vendors this package into each project; the project's own
files (`spec_config.py`, `schema.py`, `features.py`, `project.py`) describe
its spec, and `hooks.py` is the user's. Every entry point takes the
project's `Spec` (see `mlspec_runtime.spec`).
"""

__version__ = "0.3.0"
