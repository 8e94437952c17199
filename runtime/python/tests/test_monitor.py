import numpy as np
from scipy import stats

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


def test_ks_counts_clustered_rows_once():
    rng = np.random.default_rng(3)
    # 40 entities; each draw realises each entity's value with its own noise
    # (a window count), and every row of the entity repeats it: 40
    # observations per draw, not 800. No drift between the two draws.
    entities = rng.normal(0, 1, 40)
    ref = (entities + rng.normal(0, 0.3, 40))[rng.integers(0, 40, 800)]
    fresh = (entities + rng.normal(0, 0.3, 40))[rng.integers(0, 40, 800)]
    assert stats.ks_2samp(ref, fresh).pvalue < 0.01  # rows taken as independent: a false alarm
    assert monitor.ks_pvalue(ref, fresh) > 0.01
    # independent continuous rows: the usual test, which still sees a real shift
    a, b = rng.normal(0, 1, 800), rng.normal(0, 1, 800)
    assert abs(monitor.ks_pvalue(a, b) - float(stats.ks_2samp(a, b, method="asymp").pvalue)) < 0.02
    assert monitor.ks_pvalue(a, rng.normal(0.3, 1, 800)) < 0.01
