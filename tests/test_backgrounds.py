"""LArTPC single-shower backgrounds (detectors/backgrounds.py) and the significances built on them."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import gammaln

from darkbeam.detectors.backgrounds import (
    background,
    background_data,
    scale_factor,
    selection_rows,
    selections,
    significance,
)
from darkbeam.detectors.catalog import get_experiment
from darkbeam.errors import InputError


def _poisson_loglike(n: float, mu: float) -> float:
    return n * math.log(mu) - mu - float(gammaln(n + 1.0))


@pytest.mark.parametrize("s,b", [(1.0, 10.0), (30.0, 145.1), (5.0, 0.5), (1000.0, 20.0)])
def test_asimov_z_is_the_poisson_likelihood_ratio(s, b):
    """Independent route: Z_A² = 2[ln P(n | s+b) − ln P(n | b)] for the Asimov data n = s + b (continuous n)."""
    z = significance(s, b)["z_asimov"]
    n = s + b
    assert z == pytest.approx(math.sqrt(2.0 * (_poisson_loglike(n, s + b) - _poisson_loglike(n, b))), rel=1e-9)


def test_asimov_limits():
    # s << b: Z_A → s/√b (Z_A = (s/√b)(1 − s/(6b) + ...); here s/b = 1e-4)
    r = significance(1.0, 1e4)
    assert r["z_asimov"] == pytest.approx(r["s_over_sqrt_b"], rel=1e-4)
    # σ_b → 0: the systematic form reduces to Z_A; a large σ_b lowers it; s = 0 gives exactly 0
    r = significance(20.0, 100.0, 1e-6)
    assert r["z_asimov_syst"] == pytest.approx(r["z_asimov"], rel=1e-6)
    r2 = significance(20.0, 100.0, 30.0)
    assert 0 < r2["z_asimov_syst"] < r2["z_asimov"]
    # σ_b large: Z → s/σ_b-like saturation, here s/sqrt(b + σ_b²) is a known approximation within 20 %
    assert r2["z_asimov_syst"] == pytest.approx(20.0 / math.sqrt(100.0 + 900.0), rel=0.2)
    assert significance(0.0, 50.0, 5.0) == {"s_over_sqrt_b": 0.0, "z_asimov": 0.0, "z_asimov_syst": 0.0}
    assert significance(3.0, 9.0)["z_asimov_syst"] is None
    with pytest.raises(InputError, match="background events"):
        significance(1.0, 0.0)
    with pytest.raises(InputError, match="signal events"):
        significance(float("nan"), 1.0)


def test_microboone_published_backgrounds_reproduced():
    """The packaged numbers give back the published counts at the published exposures."""
    assert background("microboone", "1g0p").events(6.80e20) == pytest.approx(145.1, rel=1e-12)
    assert background("microboone", "1g1p").events(6.80e20) == pytest.approx(20.5, rel=1e-12)
    assert background("microboone", "1g1p").uncertainty_per_pot * 6.80e20 == pytest.approx(3.65, rel=1e-12)
    assert background("microboone", "1eNp").events(6.86e20) == pytest.approx(29.0, rel=1e-12)
    for key, d in selections().items():
        assert d["events"] is not None or d["reason"], key  # a number or its reason
        assert d["events"] is None or "arXiv" in d["reference"], key  # every number cited


def test_sbnd_icarus_scaling_mass_over_distance_squared():
    ub, sb, ic = (get_experiment(n) for n in ("microboone", "sbnd", "icarus"))
    # independent arithmetic from the catalog (112 t at 110 m, 476 t at 600 m, 85 t at 470 m)
    assert scale_factor("sbnd", "microboone") == pytest.approx(112 / 85 * (470 / 110) ** 2, rel=1e-9)
    assert scale_factor("icarus", "microboone") == pytest.approx(476 / 85 * (470 / 600) ** 2, rel=1e-9)
    for exp, e in (("sbnd", sb), ("icarus", ic)):
        b = background(exp, "1g0p")
        k = (e.fiducial_mass / ub.fiducial_mass) * (ub.distance / e.distance) ** 2
        assert b.per_pot == pytest.approx(145.1 / 6.80e20 * k, rel=1e-12)
        assert "scaled from microboone" in b.reference


def test_unknown_backgrounds_carry_reasons():
    assert background("microboone", "2sh").per_pot is None and background("microboone", "2sh").reason
    assert background("microboone", "1e0p").events(1e20) is None
    b = background("ccm", "1g0p")
    assert b.per_pot is None and "no background model packaged for ccm" in b.reason
    with pytest.raises(InputError, match="background selection"):
        background("microboone", "3g")
    rows = selection_rows("microboone", {"1g0p": 30.0, "2sh": 4.0}, 6.80e20)
    assert rows["2sh"]["background"] is None and rows["2sh"]["reason"].startswith("no background known")
    assert rows["1g0p"]["background"] == pytest.approx(145.1)
    assert rows["1g0p"]["s_over_sqrt_b"] == pytest.approx(30.0 / np.sqrt(145.1))
    assert rows["1g1p"]["signal"] == 0.0 and rows["1g1p"]["z_asimov"] == 0.0
    assert set(rows) == set(background_data()["selections"])
