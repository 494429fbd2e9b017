"""Confidence regions (Δχ², regions.py) and Bayesian posteriors (posterior.py: priors, dynesty, credible regions)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from darkbeam.cli import app
from darkbeam.errors import InputError
from darkbeam.inference.posterior import Prior, _run_dynesty, run_posterior
from darkbeam.inference.regions import credible_region, delta_chi2_levels, delta_chi2_region, plot_regions
from darkbeam.inference.scan import Axis, ScanResult, scan
from darkbeam.io.config import parse_config

MODEL = {"name": "muphilic-scalar", "m_phi": "1 MeV", "m_zprime": "49 MeV", "g_mu": 5e-3, "g_n": 1e-2,
         "lam": "4.4e-4 /MeV"}
SIM = {"n_mesons": 4000, "n_events": 400, "seed": 5}


def _cfg(**over):
    d = {"model": MODEL, "experiment": {"modes": ["neutrino"], "off_target": False}, "simulation": SIM}
    d.update(over)
    return parse_config(d)


def _synthetic(x0=5.0, y0=1e-3, sx=1.5, sy=0.25):
    """A scan result with χ² = ((x − x0)/sx)² + (log10(y/y0)/sy)² + 40 on a 37 × 41 grid."""
    xs = tuple(float(v) for v in np.linspace(1, 10, 37))
    ys = tuple(float(v) for v in np.geomspace(1e-4, 1e-2, 41))
    pts = []
    for i, x in enumerate(xs):
        for j, y in enumerate(ys):
            c2 = ((x - x0) / sx) ** 2 + (math.log10(y / y0) / sy) ** 2 + 40.0
            pts.append({"index": i * 41 + j, "experiment": "miniboone", "point": {"m_phi": x, "g_n": y},
                        "chi2": c2, "coupling_product": y * 2.2e-6})
    axes = [Axis("m_phi", xs, "mass", "MeV", "lin"), Axis("g_n", ys, "coupling", "", "log")]
    return ScanResult("muphilic-scalar", None, "", {a.name: list(a.values) for a in axes}, pts, "g_mu*g_n*lam",
                      "1/MeV", ["neutrino"], "serial", 1, None, 0.0, axis_info=axes)


def test_levels_and_synthetic_delta_chi2_region(tmp_path):
    assert delta_chi2_levels((0.68, 0.95), 2) == pytest.approx([2.2789, 5.9915], abs=1e-4)
    assert delta_chi2_levels((0.6827, 0.9545), 1) == pytest.approx([1.0, 4.0], abs=2e-3)
    with pytest.raises(InputError, match="confidence level"):
        delta_chi2_levels((68,), 2)
    res = _synthetic()
    reg = delta_chi2_region(res, "m_phi", "g_n")
    assert reg.best == pytest.approx((5.0, 1e-3)) and reg.x_log is False and reg.y_log is True
    assert reg.contains(5.0, 1e-3, 0.68) and not reg.contains(9.5, 1e-3, 0.95)
    assert reg.contains(5.0 + 1.5 * 2.0, 1e-3, 0.95) and not reg.contains(5.0 + 1.5 * 2.0, 1e-3, 0.68)
    for cl, t in zip(reg.cls, reg.thresholds):  # contour vertices lie on the analytic ellipse
        v = np.concatenate(reg.contours[cl])
        d = ((v[:, 0] - 5.0) / 1.5) ** 2 + (np.log10(v[:, 1] / 1e-3) / 0.25) ** 2
        assert np.allclose(d, t, rtol=0.03)
    prod = delta_chi2_region(res, "m_phi", "g_n", y_column="coupling_product")
    assert prod.best[1] == pytest.approx(2.2e-9) and prod.y_label == "g_mu*g_n*lam [1/MeV]"
    assert plot_regions(tmp_path / "r.png", [reg, prod], ["a", "b"]) is not None
    assert (tmp_path / "r.png").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(InputError, match="region axis"):
        delta_chi2_region(res, "m_phi", "lam")
    with pytest.raises(InputError, match="two different"):
        delta_chi2_region(res, "g_n", "g_n")
    d = reg.to_dict()
    assert [lev["cl"] for lev in d["levels"]] == [0.68, 0.95] and json.dumps(d)


def test_credible_region_of_gaussian_samples():
    rng = np.random.default_rng(1)
    s = np.column_stack([rng.normal(5.0, 1.0, 40000), 10 ** rng.normal(-3.0, 0.2, 40000)])
    reg = credible_region(s, None, "x", "y", (0.5, 9.5), (1e-4, 1e-2), False, True, bins=60, smooth=1.0)
    assert reg.contains(5.0, 1e-3, 0.68) and not reg.contains(8.0, 1e-3, 0.95)
    for cl, t in zip(reg.cls, delta_chi2_levels(reg.cls, 2)):  # HPD of a 2-D Gaussian: Δχ² = F⁻¹(CL; 2)
        v = np.concatenate(reg.contours[cl])
        d = (v[:, 0] - 5.0) ** 2 + (np.log10(v[:, 1] / 1e-3) / 0.2) ** 2
        assert np.median(d) == pytest.approx(t, rel=0.15)


def test_priors_and_dynesty_on_an_analytic_likelihood():
    lu = Prior("g", "log-uniform", 1e-4, 1e-2)
    assert lu.ppf(0.5) == pytest.approx(1e-3) and lu.log
    nt = Prior("m", "normal", 0.0, None, 1.0, 2.0)
    assert nt.ppf(0.0) == pytest.approx(0.0) and nt.ppf(0.5) > 1.0  # truncated below 0
    assert nt.truncated(0.5, 3.0).support() == (0.5, 3.0)
    priors = [Prior("a", "uniform", -10.0, 10.0), Prior("b", "uniform", -10.0, 10.0)]

    def loglike(x):
        return -0.5 * (((x[0] - 1.0) / 0.5) ** 2 + ((x[1] + 2.0) / 1.5) ** 2)

    def ptform(u):
        return np.array([p.ppf(float(v)) for p, v in zip(priors, u)])

    _raw, _w, eq, logz, logz_err, ncall, chi = _run_dynesty(loglike, ptform, 2, 150, 0.1, 3, None, False)
    assert eq.mean(axis=0) == pytest.approx([1.0, -2.0], abs=0.15)
    assert eq.std(axis=0) == pytest.approx([0.5, 1.5], rel=0.15)
    # evidence: ∫ L dπ = 2π σ_a σ_b / 400
    assert logz == pytest.approx(math.log(2 * math.pi * 0.5 * 1.5 / 400.0), abs=3 * logz_err + 0.15)
    assert chi.min() == pytest.approx(0.0, abs=0.05) and ncall > 0


def test_posterior_with_the_miniboone_likelihood(tmp_path):
    cfg = _cfg(priors={"g_n": {"dist": "log-uniform", "min": 1e-4, "max": 1e-2},
                       "m_phi": {"dist": "log-uniform", "min": "0.5 MeV", "max": "8 MeV"}})
    res = run_posterior(cfg, ["m_phi=1 MeV..8 MeV/3"], nlive=40, dlogz=1.0, cache=tmp_path / "c", backend="serial")
    assert res.parameters == ["g_n", "m_phi"] and res.sampler == "dynesty" and res.logz is not None
    assert any("truncated to the mass nodes [1, 8]" in n for n in res.notes)
    assert res.column("m_phi").min() >= 1.0 and res.column("m_phi").max() <= 8.0
    # the grid fit at the nodes and the posterior agree on the coupling scale
    grid = scan(_cfg(fit={"parameter": "g_n", "bounds": [1e-6, 1.0]}), ["m_phi=1 MeV..8 MeV/3"], backend="serial",
                cache=tmp_path / "c")
    med = res.summary()["parameters"]["g_n"]["median"]
    assert 0.5 < med / grid.best["value"] < 2.0
    assert res.summary()["best_fit"]["chi2"] == pytest.approx(grid.best["chi2"], abs=3.0)
    reg = res.credible_region("m_phi", "coupling_product", bins=25)
    assert reg.kind == "credible" and reg.contours[0.68]
    res.write(tmp_path / "s.parquet")
    for bad, msg in [({}, "priors"), ({"m_phi": {"dist": "uniform", "min": "20 MeV", "max": "30 MeV"}},
                                      "excludes the whole grid")]:
        with pytest.raises(InputError, match=msg):
            run_posterior(_cfg(priors=bad), ["m_phi=1 MeV..8 MeV/3"], cache=None, backend="serial")
    with pytest.raises(InputError, match="a single value, or a prior for m_phi"):
        run_posterior(_cfg(priors={"g_n": {"dist": "log-uniform", "min": 1e-4, "max": 1e-2}}),
                      ["m_phi=1 MeV..8 MeV/3"], cache=None, backend="serial")
    with pytest.raises(InputError, match="dataset"):
        run_posterior(_cfg(experiment={"name": "sbnd", "modes": ["neutrino"], "off_target": False},
                           priors={"g_n": {"dist": "log-uniform", "min": 1e-4, "max": 1e-2}}), None, cache=None)


def test_cli_regions(tmp_path, monkeypatch):
    cfg = _cfg(fit={"parameter": "g_n", "bounds": [1e-6, 1.0]})
    scan(cfg, ["m_phi=1 MeV,8 MeV", "g_n=1e-4..1e-2/7"], backend="serial", cache=tmp_path / "c",
         output=tmp_path / "t.parquet")
    r = CliRunner().invoke(app, ["regions", str(tmp_path / "t.parquet"), "--x", "m_phi", "--y", "g_n",
                                 "--y-column", "coupling_product", "--json", "--plot", str(tmp_path / "r.png")])
    assert r.exit_code == 0, (r.output, r.exception)
    out = json.loads(r.stdout)
    assert out["kind"] == "delta-chi2" and out["levels"][0]["threshold"] == pytest.approx(2.2789, abs=1e-3)
    assert (tmp_path / "r.png").is_file()
    r = CliRunner().invoke(app, ["regions", str(tmp_path / "nope.parquet"), "--x", "m_phi", "--y", "g_n"])
    assert r.exit_code != 0 and "scan table" in str(r.exception)
