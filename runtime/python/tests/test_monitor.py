import numpy as np

from mlspec_runtime import monitor, sample_data
from mlspec_runtime.features import Vector


def vectors(rng, centre, n=800, dim=8):
    return Vector(rng.normal(centre, 1.0, (n, dim)), tuple(str(i) for i in range(dim)))


def test_a_dense_vector_is_compared_by_distance_to_the_reference_centroid():
    rng = np.random.default_rng(0)
    ref = monitor.reference(vectors(rng, 0.0))
    assert "centroid" in ref and "counts" not in ref
    same = monitor.statistic("psi", ref, vectors(rng, 0.0))
    moved = monitor.statistic("psi", ref, vectors(rng, 1.0))
    assert same < 0.1 < 0.2 < moved
    assert monitor.statistic("ks", ref, vectors(rng, 1.0)) < 0.01


def test_an_indicator_vector_is_compared_as_counts():
    onehot = Vector(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]), ("a", "b"))
    assert monitor.reference(onehot) == {"columns": ["a", "b"], "counts": [2.0, 1.0]}


def test_the_shifted_sample_shifts_every_monitored_kind(spec, frames, artifacts):
    assert any(r["fired"] for r in monitor.check(spec, sample_data.generate(spec, n=800, seed=9, shift=True), artifacts))
    fresh = [monitor.check(spec, sample_data.generate(spec, n=600, seed=s), artifacts) for s in (11, 12, 13)]
    assert sum(any(r["fired"] for r in rs) for rs in fresh) <= 1
