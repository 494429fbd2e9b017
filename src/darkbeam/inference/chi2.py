"""chi^2 of a new-physics signal plus the MiniBooNE background against MiniBooNE data.

Three ingredients (all counts are events per bin):

(a) E_QE, official treatment (MiniBooNE data-release prescription, as in arXiv:2006.16883 and
    the release README): prediction vector p = [signal(11), nu_e background(11), nu_mu(8)];
    systematic covariance M = F * outer(p, p) with the released fractional matrix F; the signal
    and background blocks are collapsed (C = P M P^T with P = [[1, 1, 0], [0, 0, 1]]), so the
    nu_e bins carry the (signal + background) systematics and their correlation with the nu_mu
    CCQE sample, which constrains flux and cross-section normalisations. Statistics are added on
    the diagonal of every bin (nu_e and nu_mu), see ``stat`` below. The joint neutrino +
    antineutrino fit uses the released 60x60 matrix the same way (38 bins).
(b) E_vis and cos(theta): diagonal statistics plus a background systematic sigma_i = f b_i,
    following seed 000 ("statistical and systematic uncertainties added by quadrature ... systematics
    in backgrounds based on the estimates in TABLE I" of arXiv:2006.16883). Table I of that paper
    (per-category backgrounds in 200 < E_QE < 1250 MeV with diagonal-element systematic errors)
    is not available offline; the default f is its release equivalent: the fractional systematic
    of the total predicted background in 200-1250 MeV from the official covariance,
    sqrt(sum_ij M_bkg,ij)/sum_i b_i = 0.110 (neutrino) and 0.125 (antineutrino) -- computed from
    the packaged release, not hard-coded. ``syst_correlation="correlated"`` makes it a fully
    correlated normalisation instead of per-bin uncorrelated.
(c) Joint chi^2: sum of independent pieces (see :func:`chi2_joint`).

Statistics: ``stat="cnp"`` (default) uses the combined Neyman-Pearson variance
3 / (1/d + 2/mu) (X. Ji, W. Gu, X. Qian, H. Wei, C. Zhang, NIM A961, 163677 (2020),
arXiv:1903.07185), mu/2 when d = 0; ``"pearson"`` uses mu; ``"neyman"`` uses max(d, 1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

import numpy as np
from scipy import stats

from ..data.miniboone_release import (
    MODES,
    N_NUE,
    N_NUMU,
    OBSERVABLES,
    miniboone_eqe,
    miniboone_eqe_combined_frac_cov,
    miniboone_spectrum,
)
from ..errors import InputError

STAT_METHODS = ("cnp", "pearson", "neyman")
EQE_MODES = ("neutrino", "antineutrino", "combined")
SYST_CORRELATIONS = ("uncorrelated", "correlated")


@dataclass(frozen=True)
class Chi2Result:
    """chi^2 value, degrees of freedom and p-value (chi^2 survival function).

    ``parts`` holds the chi^2 of the pieces of a joint chi^2 (name -> (chi2, n_bins)).
    """

    chi2: float
    ndof: int
    pvalue: float
    n_bins: int
    parts: dict[str, tuple[float, int]] = field(default_factory=dict)


def _pvalue(chi2: float, ndof: int) -> float:
    return float(stats.chi2.sf(chi2, ndof)) if ndof > 0 else 1.0


def _result(chi2: float, n_bins: int, n_params: int, parts: dict | None = None) -> Chi2Result:
    if n_params < 0 or n_params >= n_bins:
        raise InputError("n_params", n_params, f"an integer in [0, {n_bins - 1}] (number of bins {n_bins})")
    ndof = n_bins - n_params
    return Chi2Result(float(chi2), ndof, _pvalue(float(chi2), ndof), n_bins, parts or {})


def stat_variance(data: np.ndarray, prediction: np.ndarray, method: str = "cnp") -> np.ndarray:
    """Statistical variance per bin (events^2) for observed ``data`` and expected ``prediction``.

    Args:
        method: "cnp" (combined Neyman-Pearson, arXiv:1903.07185), "pearson" (prediction) or
            "neyman" (data, floored at 1).
    """
    d = np.asarray(data, float)
    mu = np.asarray(prediction, float)
    if method == "pearson":
        var = mu.copy()
    elif method == "neyman":
        var = np.maximum(d, 1.0)
    elif method == "cnp":
        mu_pos = np.maximum(mu, 1e-12)
        var = np.where(d > 0, 3.0 / (1.0 / np.maximum(d, 1e-300) + 2.0 / mu_pos), mu_pos / 2.0)
    else:
        raise InputError("stat", method, STAT_METHODS)
    if np.any(var <= 0):
        raise InputError("prediction", "non-positive expected counts",
                         "positive signal + background in every bin")
    return var


def chi2_from_covariance(residual: np.ndarray, cov: np.ndarray) -> float:
    """r^T C^-1 r via a Cholesky solve (falls back to least squares if C is not positive definite)."""
    r = np.asarray(residual, float)
    try:
        L = np.linalg.cholesky(cov)
        z = np.linalg.solve(L, r)
        return float(z @ z)
    except np.linalg.LinAlgError:
        return float(r @ np.linalg.lstsq(cov, r, rcond=None)[0])


def _check_signal(signal, n: int, name: str) -> np.ndarray:
    s = np.asarray(signal, float)
    if s.shape != (n,):
        raise InputError(name, f"shape {s.shape}", f"a 1-d array of {n} bins (events per bin)")
    if not np.all(np.isfinite(s)):
        raise InputError(name, "non-finite entries", "finite events per bin")
    return s


# ---------------------------------------------------------------------------------------------
# (a) E_QE with the official covariance
# ---------------------------------------------------------------------------------------------


def _collapse_matrix(n_blocks: int) -> np.ndarray:
    """P of shape (n_blocks*19, n_blocks*30): adds the signal and background rows of each mode."""
    nb = N_NUE + N_NUMU
    nf = 2 * N_NUE + N_NUMU
    P = np.zeros((n_blocks * nb, n_blocks * nf))
    for k in range(n_blocks):
        r, c = k * nb, k * nf
        P[r:r + N_NUE, c:c + N_NUE] = np.eye(N_NUE)
        P[r:r + N_NUE, c + N_NUE:c + 2 * N_NUE] = np.eye(N_NUE)
        P[r + N_NUE:r + nb, c + 2 * N_NUE:c + nf] = np.eye(N_NUMU)
    return P


def eqe_covariance(
    signal: np.ndarray | Mapping[str, np.ndarray] | tuple,
    mode: str = "neutrino",
    stat: str = "cnp",
    data: Mapping[str, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Residuals and total covariance of the MiniBooNE E_QE fit (all 19 or 38 bins).

    Args:
        signal: signal events per E_QE bin (11 bins of the release); for ``mode="combined"`` a
            mapping {"neutrino": s_nu, "antineutrino": s_nubar} or a 2-tuple.
        mode: "neutrino", "antineutrino" or "combined".
        stat: statistics treatment (see :func:`stat_variance`).
        data: optional replacement observations {mode: {"data": 11 bins, "numu_data": 8 bins}}
            (pseudo-experiments); defaults to the released data.

    Returns:
        (residual, covariance, is_nue) with bins ordered [nu_e(11), nu_mu(8)] per mode;
        ``is_nue`` flags the nu_e bins.
    """
    if mode not in EQE_MODES:
        raise InputError("mode", mode, EQE_MODES)
    modes = list(MODES) if mode == "combined" else [mode]
    if mode == "combined":
        if isinstance(signal, Mapping):
            missing = [m for m in modes if m not in signal]
            if missing:
                raise InputError("signal", f"mapping without {missing}",
                                 "a mapping with keys 'neutrino' and 'antineutrino'")
            sigs = [signal[m] for m in modes]
        elif isinstance(signal, (tuple, list)) and len(signal) == 2:
            sigs = list(signal)
        else:
            raise InputError("signal", type(signal).__name__,
                             "{'neutrino': s, 'antineutrino': s} or a 2-tuple for mode='combined'")
        F = miniboone_eqe_combined_frac_cov()
    else:
        sigs = [signal]
        F = miniboone_eqe(mode)["frac_cov"]
    pred_full, resid, var = [], [], []
    for m, s in zip(modes, sigs):
        rel = miniboone_eqe(m)
        s = _check_signal(s, N_NUE, f"signal[{m}]" if mode == "combined" else "signal")
        given = {} if data is None or m not in data else data[m]
        obs = np.asarray(given.get("data", rel["data"]), float)
        nmu = np.asarray(given.get("numu_data", rel["numu_data"]), float)
        pred_full.append(np.concatenate([s, rel["background"], rel["numu_prediction"]]))
        mu = np.concatenate([s + rel["background"], rel["numu_prediction"]])
        d = np.concatenate([obs, nmu])
        resid.append(d - mu)
        var.append(stat_variance(d, mu, stat))
    p = np.concatenate(pred_full)
    P = _collapse_matrix(len(modes))
    cov = P @ (F * np.outer(p, p)) @ P.T + np.diag(np.concatenate(var))
    is_nue = np.tile(np.r_[np.ones(N_NUE, bool), np.zeros(N_NUMU, bool)], len(modes))
    return np.concatenate(resid), cov, is_nue


def chi2_eqe(
    signal: np.ndarray | Mapping[str, np.ndarray] | tuple,
    mode: str = "neutrino",
    *,
    stat: str = "cnp",
    numu_constraint: bool = True,
    eqe_max_MeV: float = 3000.0,
    data: Mapping[str, Mapping[str, np.ndarray]] | None = None,
    n_params: int = 0,
) -> Chi2Result:
    """MiniBooNE E_QE chi^2 with the official fractional covariance (+ statistics).

    Args:
        signal: signal events per release E_QE bin (edges 200, 300, ..., 1500, 3000 MeV);
            for ``mode="combined"`` {"neutrino": ..., "antineutrino": ...}.
        mode: "neutrino", "antineutrino" or "combined" (60x60 joint matrix).
        stat: "cnp" (default), "pearson" or "neyman".
        numu_constraint: include the nu_mu CCQE bins (correlated constraint; default True).
        eqe_max_MeV: use nu_e bins whose upper edge is <= this (1250 reproduces the
            200-1250 MeV "excess" range; default: all 11 bins up to 3000 MeV). Dropping bins
            marginalises the Gaussian exactly (sub-block of the covariance).
        data: optional pseudo-data (see :func:`eqe_covariance`).
        n_params: number of fitted parameters (ndof = bins used - n_params).
    """
    resid, cov, is_nue = eqe_covariance(signal, mode, stat, data)
    upper = miniboone_eqe("neutrino")["edges_MeV"][1:]
    keep_nue = upper <= eqe_max_MeV + 1e-9
    if not np.any(keep_nue):
        raise InputError("eqe_max_MeV", eqe_max_MeV, "at least 300 MeV (the first bin is 200-300 MeV)")
    n_modes = len(is_nue) // (N_NUE + N_NUMU)
    keep = np.tile(np.r_[keep_nue, np.full(N_NUMU, bool(numu_constraint))], n_modes)
    sel = np.flatnonzero(keep)
    chi2 = chi2_from_covariance(resid[sel], cov[np.ix_(sel, sel)])
    return _result(chi2, len(sel), n_params)


# ---------------------------------------------------------------------------------------------
# (b) E_vis and cos(theta)
# ---------------------------------------------------------------------------------------------


@cache
def background_frac_syst(mode: str = "neutrino", eqe_max_MeV: float = 1250.0) -> float:
    """Fractional systematic of the total predicted nu_e background in 200 MeV-``eqe_max_MeV``.

    Computed from the official release: sqrt(sum of the background block of F * outer(b, b))
    / sum(b) (unconstrained, i.e. the analogue of the diagonal-element systematics of Table I of
    arXiv:2006.16883). Dimensionless (0.110 in neutrino mode, 0.125 in antineutrino mode).
    """
    if mode not in MODES:
        raise InputError("mode", mode, MODES)
    rel = miniboone_eqe(mode)
    keep = rel["edges_MeV"][1:] <= eqe_max_MeV + 1e-9
    b = np.where(keep, rel["background"], 0.0)
    Fbb = rel["frac_cov"][N_NUE:2 * N_NUE, N_NUE:2 * N_NUE]
    return float(np.sqrt(b @ Fbb @ b) / b.sum())


def spectrum_covariance(
    background: np.ndarray,
    observed: np.ndarray,
    prediction: np.ndarray,
    frac_syst: float | np.ndarray,
    stat: str = "cnp",
    syst_correlation: str = "uncorrelated",
) -> np.ndarray:
    """Covariance diag(stat) + background systematic (per-bin fraction ``frac_syst``), events^2."""
    if syst_correlation not in SYST_CORRELATIONS:
        raise InputError("syst_correlation", syst_correlation, SYST_CORRELATIONS)
    f = np.broadcast_to(np.asarray(frac_syst, float), np.shape(background))
    if np.any(f < 0) or not np.all(np.isfinite(f)):
        raise InputError("frac_syst", frac_syst, "finite non-negative fractions")
    sb = f * np.asarray(background, float)
    syst = np.diag(sb * sb) if syst_correlation == "uncorrelated" else np.outer(sb, sb)
    return np.diag(stat_variance(observed, prediction, stat)) + syst


def chi2_spectrum(
    signal: np.ndarray,
    mode: str = "neutrino",
    observable: str = "E_vis",
    *,
    stat: str = "cnp",
    frac_syst: float | np.ndarray | None = None,
    syst_correlation: str = "uncorrelated",
    data: np.ndarray | None = None,
    n_params: int = 0,
) -> Chi2Result:
    """chi^2 of signal + background against the MiniBooNE E_vis or cos(theta) distribution.

    Args:
        signal: signal events per bin of :func:`~darkbeam.data.miniboone_spectrum` (mode, observable).
        mode: "neutrino" (E_vis or cos_theta) or "antineutrino" (E_vis only).
        observable: "E_vis" or "cos_theta".
        stat: statistics treatment ("cnp", "pearson", "neyman").
        frac_syst: fractional background systematic, scalar or per bin; default
            :func:`background_frac_syst` of the mode. 0 gives statistics only.
        syst_correlation: "uncorrelated" (seed 000's quadrature sum, default) or "correlated".
        data: optional replacement observations (pseudo-data).
        n_params: fitted parameters.
    """
    spec = miniboone_spectrum(mode, observable)
    b = spec["background"]
    s = _check_signal(signal, len(b), "signal")
    d = spec["data"] if data is None else _check_signal(data, len(b), "data")
    f = background_frac_syst(mode) if frac_syst is None else frac_syst
    mu = s + b
    cov = spectrum_covariance(b, d, mu, f, stat, syst_correlation)
    return _result(chi2_from_covariance(d - mu, cov), len(b), n_params)


# ---------------------------------------------------------------------------------------------
# (c) joint
# ---------------------------------------------------------------------------------------------

JOINT_KEYS = (
    ("neutrino", "E_QE"), ("antineutrino", "E_QE"), ("combined", "E_QE"),
    ("neutrino", "E_vis"), ("neutrino", "cos_theta"), ("antineutrino", "E_vis"),
)


def chi2_joint(
    signals: Mapping[tuple[str, str], object],
    *,
    stat: str = "cnp",
    n_params: int = 0,
    eqe_options: Mapping | None = None,
    spectrum_options: Mapping | None = None,
) -> Chi2Result:
    """Sum of independent chi^2 pieces, keyed by (mode, observable).

    Keys: ("neutrino"|"antineutrino"|"combined", "E_QE"), ("neutrino", "E_vis"),
    ("neutrino", "cos_theta"), ("antineutrino", "E_vis"). The pieces are treated as
    independent: E_vis and cos(theta) (and E_QE) are projections of the SAME events, so the
    joint chi^2 double-counts their statistics -- this mirrors seed 000, which fits E_vis and
    cos(theta) of both modes together; use a single observable per mode for a strict test.
    Do not combine ("combined", "E_QE") with a per-mode E_QE key.

    Returns: Chi2Result with ``parts`` {"mode/observable": (chi2, n_bins)}.
    """
    if not signals:
        raise InputError("signals", "{}", f"a mapping with keys among {JOINT_KEYS}")
    eqe_kw = dict(eqe_options or {})
    sp_kw = dict(spectrum_options or {})
    total, n_bins, parts = 0.0, 0, {}
    for key, sig in signals.items():
        if key not in JOINT_KEYS:
            raise InputError("signals key", key, [f"{m}/{o}" for m, o in JOINT_KEYS])
        mode, obs = key
        if obs == "E_QE":
            r = chi2_eqe(sig, mode, stat=stat, **eqe_kw)
        else:
            r = chi2_spectrum(sig, mode, obs, stat=stat, **sp_kw)
        parts[f"{mode}/{obs}"] = (r.chi2, r.n_bins)
        total += r.chi2
        n_bins += r.n_bins
    return _result(total, n_bins, n_params, parts)


def excess(mode: str = "neutrino", observable: str = "E_QE") -> np.ndarray:
    """Observed minus predicted background per bin (the 'perfect signal'), events."""
    if observable == "E_QE":
        if mode not in MODES:
            raise InputError("mode", mode, MODES)
        rel = miniboone_eqe(mode)
        return rel["data"] - rel["background"]
    if observable not in OBSERVABLES:
        raise InputError("observable", observable, OBSERVABLES + ("E_QE",))
    spec = miniboone_spectrum(mode, observable)
    return spec["data"] - spec["background"]


__all__ = [
    "JOINT_KEYS",
    "STAT_METHODS",
    "Chi2Result",
    "background_frac_syst",
    "chi2_eqe",
    "chi2_from_covariance",
    "chi2_joint",
    "chi2_spectrum",
    "eqe_covariance",
    "excess",
    "spectrum_covariance",
    "stat_variance",
]
