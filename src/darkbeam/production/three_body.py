"""Three-body charged-meson decays P± → ℓ± ν X (P = π, K; X = scalar φ, pseudoscalar a, vector V).

Widths come from the spin-summed |M|² of :mod:`darkbeam.production.matrix_elements` integrated over the
Dalitz plot (PDG 2022 "Kinematics", Eq. 49.22):  dΓ = Σ|M|² / (256 π³ M³) dq² ds, with q² = m²_{ℓX},
s = m²_{ℓν}. The integration runs over the unit square (u, w) with
  q² − m_ℓ² = D_min (D_max/D_min)^u,   M² − s = a(q²) (b(q²)/a(q²))^w,
which flattens the collinear (1/D) and soft (1/N) peaks of the emission amplitudes.

Widths are cached per (meson, lepton, boson kind, m_X, amplitude) at unit coupling and scale with the
coupling² (g_ℓ² for (pseudo)scalars, (eε)² for vectors). BR = Γ / Γ_total(P) with Γ_total from the PDG
lifetime (``darkbeam.constants``).

The sampler draws (u, w) from the bilinear interpolant of dΓ/du dw on a 128×128 grid (cell envelope +
accept–reject, exact for the interpolant), builds the rest-frame momenta, applies a uniform random
rotation and boosts to the lab with the parents' velocities.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numba
import numpy as np

from ..errors import ClosedChannelError, InputError

# particle ids of the emitted boson: one source of truth in darkbeam.particles
from ..particles import BOSON_PDG
from ..registry import Registry
from ..sample import ParticleSample
from .matrix_elements import LEPTONS, MESONS, VECTOR_AMPLITUDES, Invariants, LeptonSpec, MesonSpec, me2

# parent name -> (meson key, charge)
PARENTS: Registry[tuple[str, int]] = Registry("parent")
PARENTS.add("pi+", ("pi", +1), "π⁺")
PARENTS.add("pi-", ("pi", -1), "π⁻")
PARENTS.add("K+", ("K", +1), "K⁺")
PARENTS.add("K-", ("K", -1), "K⁻")

N_QUAD = 96  # Gauss–Legendre nodes per dimension for widths
N_GRID = 128  # cells per dimension of the sampling grid


def _meson(parent: str | int) -> tuple[MesonSpec, int]:
    """Resolve "pi+", "K-", ... or a PDG id (±211, ±321) to (MesonSpec, charge)."""
    if isinstance(parent, (int, np.integer)) and not isinstance(parent, bool):
        for name in PARENTS:
            key, q = PARENTS.get(name)
            if MESONS.get(key).pdg * q == int(parent):
                return MESONS.get(key), q
        raise InputError("parent", parent, "PDG id ±211 or ±321")
    if isinstance(parent, str) and parent in MESONS:  # "pi" / "K"
        return MESONS.get(parent), +1
    key, q = PARENTS.get(str(parent))
    return MESONS.get(key), q


def _lepton(lepton: str) -> LeptonSpec:
    return LEPTONS.get(str(lepton))


def boson_of(model: Any) -> tuple[str, float, Any]:
    """(kind, m_X in MeV, amplitude) of the boson a model emits in charged-meson decays.

    The amplitude is what the model declares through ``three_body_amplitude()``: a registered vector
    amplitude name, or a tuple of vector charges (q_ℓ, q_ν, q_P) (see :func:`matrix_elements.me2`);
    it is ignored for scalars and pseudoscalars.
    """
    kind = getattr(model, "boson_kind", None)
    if kind not in BOSON_PDG:
        raise InputError("model", getattr(model, "name", model), "a model emitting a scalar, pseudoscalar or vector boson")
    mx = float(model.m_x)
    if not (mx > 0.0 and math.isfinite(mx)):
        raise InputError(f"{model.name} boson mass", mx, "a finite mass > 0 MeV (massless emission is infrared divergent)")
    amplitude: Any = "gauge-invariant"
    if kind == "vector":
        amplitude = model.three_body_amplitude()
        if isinstance(amplitude, str):
            VECTOR_AMPLITUDES.get(amplitude)
        else:
            amplitude = tuple(float(q) for q in amplitude)
            if len(amplitude) != 3:
                raise InputError(f"{model.name} three_body_amplitude()", amplitude,
                                 "an amplitude name or the charges (q_lepton, q_nu, q_meson)")
    return kind, mx, amplitude


def is_closed(meson: MesonSpec, lepton: LeptonSpec, mx: float) -> bool:
    """True if P → ℓ ν X is kinematically closed (m_X ≥ M − m_ℓ)."""
    return mx >= meson.mass - lepton.mass


def two_body_width(parent: str | int, lepton: str) -> float:
    """Tree-level Γ(P → ℓ ν) in MeV: G_F² V² f² m_ℓ² M (1 − m_ℓ²/M²)² / (8π) (PDG 2022, Eq. 72.1)."""
    mes, _ = _meson(parent)
    lep = _lepton(lepton)
    M, m = mes.mass, lep.mass
    return mes.coupling**2 * m * m * M * (1 - m * m / (M * M)) ** 2 / (4.0 * math.pi)  # C² = G²V²f²/2


# ------------------------------------------------------------------------------------------------
# Dalitz map
# ------------------------------------------------------------------------------------------------
@dataclass
class DalitzPoint:
    q2: np.ndarray
    s: np.ndarray
    jac: np.ndarray  # |∂(q², s)/∂(u, w)|, MeV⁴


def dalitz_map(meson: MesonSpec, lepton: LeptonSpec, mx: float, u: np.ndarray, w: np.ndarray) -> DalitzPoint:
    """Map the unit square (u, w) to (q² = m²_{ℓX}, s = m²_{ℓν}) with the Jacobian (MeV⁴)."""
    M, m = meson.mass, lepton.mass
    dmin = mx * mx + 2.0 * m * mx
    dmax = M * M - m * m
    lu = math.log(dmax / dmin)
    D = dmin * np.exp(u * lu)
    q2 = np.minimum(D + m * m, M * M)
    rq = np.sqrt(q2)
    el = (q2 + m * m - mx * mx) / (2 * rq)  # ℓ energy in the ℓX rest frame
    en = (M * M - q2) / (2 * rq)  # ν energy in the ℓX rest frame
    pl = np.sqrt(np.clip(el * el - m * m, 0.0, None))
    smax = (el + en) ** 2 - (pl - en) ** 2
    smin = (el + en) ** 2 - (pl + en) ** 2
    a = M * M - smax  # ≥ 2 M m_X − m_X² > 0
    b = M * M - smin
    lw = np.log(np.maximum(b, a) / a)
    negN = a * np.exp(w * lw)
    s = M * M - negN
    jac = D * lu * negN * lw
    return DalitzPoint(q2, s, jac)


def _dgamma_duw(meson: MesonSpec, lepton: LeptonSpec, kind: str, mx: float, amplitude: str,
                u: np.ndarray, w: np.ndarray) -> np.ndarray:
    """dΓ/du dw at unit coupling, MeV (never NaN; zero where the Dalitz region collapses)."""
    pt = dalitz_map(meson, lepton, mx, u, w)
    inv = Invariants(meson.mass, lepton.mass, mx, pt.q2, pt.s)
    if isinstance(amplitude, tuple):  # declared vector charges (q_lepton, q_nu, q_meson)
        m2 = me2(meson, inv, kind, "gauge-invariant", charges=amplitude)
    else:
        m2 = me2(meson, inv, kind, amplitude)
    val = m2 * pt.jac / (256.0 * math.pi**3 * meson.mass**3)
    val = np.where(pt.jac > 0, val, 0.0)
    return np.nan_to_num(np.maximum(val, 0.0), nan=0.0, posinf=0.0)


@lru_cache(maxsize=512)
def unit_width(meson_name: str, lepton_name: str, kind: str, mx: float, amplitude: str = "gauge-invariant",
               n: int = N_QUAD) -> float:
    """Γ(P → ℓ ν X) in MeV at unit coupling (g = 1, or e' = eε = 1): n×n Gauss–Legendre in (u, w)."""
    mes, lep = MESONS.get(meson_name), LEPTONS.get(lepton_name)
    if is_closed(mes, lep, mx):
        return 0.0
    x, wt = np.polynomial.legendre.leggauss(n)
    x = 0.5 * (x + 1.0)
    wt = 0.5 * wt
    U, W = np.meshgrid(x, x, indexing="ij")
    f = _dgamma_duw(mes, lep, kind, mx, amplitude, U.ravel(), W.ravel()).reshape(n, n)
    return float(wt @ f @ wt)


def width(parent: str | int, lepton: str, model: Any) -> float:
    """Γ(P → ℓ ν X) in MeV for the boson of ``model`` (0.0 for a closed channel or zero coupling)."""
    mes, _ = _meson(parent)
    lep = _lepton(lepton)
    kind, mx, amplitude = boson_of(model)
    g = float(model.lepton_coupling(lep.name))
    if g == 0.0 or is_closed(mes, lep, mx):
        return 0.0
    return g * g * unit_width(mes.name, lep.name, kind, mx, amplitude)


def branching_ratio(parent: str | int, lepton: str, model: Any) -> float:
    """BR(P → ℓ ν X) = Γ / Γ_total(P) (Γ_total from the PDG lifetime). 0.0 if closed."""
    mes, _ = _meson(parent)
    return width(parent, lepton, model) / mes.total_width


def model_branching_ratios(model: Any) -> list[dict[str, Any]]:
    """BR of every charged-meson channel π±, K± → ℓ± ν X (ℓ = μ, e) for ``darkbeam br``.

    Returns ``[{"parent": "pi+", "lepton": "mu", "channel": "mu+ nu_mu phi", "value": float | "closed"}, ...]``.
    """
    kind, mx, _ = boson_of(model)
    boson = getattr(model, "boson", None) or kind
    out = []
    for parent in PARENTS:
        mes, q = _meson(parent)
        for lname in ("mu", "e"):
            lep = _lepton(lname)
            sign = "+" if q > 0 else "-"
            nu = f"nu_{lname}" if q > 0 else f"anti-nu_{lname}"
            value: float | str = "closed" if is_closed(mes, lep, mx) else branching_ratio(parent, lname, model)
            out.append({"parent": parent, "lepton": lname, "channel": f"{lname}{sign} {nu} {boson}", "value": value})
    return out


# ------------------------------------------------------------------------------------------------
# sampler
# ------------------------------------------------------------------------------------------------
@dataclass
class _Grid:
    n: int
    f: np.ndarray  # (n+1, n+1) dΓ/du dw at the grid corners
    fmax: np.ndarray  # (n*n,) max over each cell's corners
    cdf: np.ndarray  # cumulative of fmax, normalised


@lru_cache(maxsize=128)
def _grid(meson_name: str, lepton_name: str, kind: str, mx: float, amplitude: str, n: int = N_GRID) -> _Grid:
    mes, lep = MESONS.get(meson_name), LEPTONS.get(lepton_name)
    x = np.linspace(0.0, 1.0, n + 1)
    U, W = np.meshgrid(x, x, indexing="ij")
    f = _dgamma_duw(mes, lep, kind, mx, amplitude, U.ravel(), W.ravel()).reshape(n + 1, n + 1)
    corners = np.stack([f[:-1, :-1], f[1:, :-1], f[:-1, 1:], f[1:, 1:]])
    fmax = corners.max(axis=0).ravel()
    cdf = np.cumsum(fmax)
    if cdf[-1] <= 0:
        raise ClosedChannelError(f"{meson_name} -> {lepton_name} nu X(m={mx} MeV): empty Dalitz plot")
    return _Grid(n, f, fmax, cdf / cdf[-1])


def sample_uw(rng: np.random.Generator, grid: _Grid, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Draw n points of the unit square from the bilinear interpolant of the grid values."""
    us, ws = [], []
    have = 0
    while have < n:
        m = int(1.3 * (n - have)) + 64
        cell = np.searchsorted(grid.cdf, rng.random(m), side="right")
        cell = np.minimum(cell, grid.n * grid.n - 1)
        i, j = np.divmod(cell, grid.n)
        r = rng.random((3, m))
        f = grid.f
        v = ((1 - r[0]) * (1 - r[1]) * f[i, j] + r[0] * (1 - r[1]) * f[i + 1, j]
             + (1 - r[0]) * r[1] * f[i, j + 1] + r[0] * r[1] * f[i + 1, j + 1])
        ok = r[2] * grid.fmax[cell] < v
        us.append((i[ok] + r[0][ok]) / grid.n)
        ws.append((j[ok] + r[1][ok]) / grid.n)
        have += int(ok.sum())
    return np.concatenate(us)[:n], np.concatenate(ws)[:n]


@numba.njit(cache=True)
def _decay_kernel(u, w, r, parent_p4, M, m, mx, dmin, lu, k_out, l_out, n_out):  # pragma: no cover - numba
    """Rest-frame ℓ ν X momenta from (u, w) (same map as :func:`dalitz_map`), a uniform random rotation
    (Shoemake quaternion from three uniforms r) and the boost to the lab frame of ``parent_p4``."""
    for i in range(u.shape[0]):
        D = dmin * math.exp(u[i] * lu)
        q2 = min(D + m * m, M * M)
        rq = math.sqrt(q2)
        el_s = (q2 + m * m - mx * mx) / (2 * rq)
        en_s = (M * M - q2) / (2 * rq)
        pl_s = math.sqrt(max(el_s * el_s - m * m, 0.0))
        smax = (el_s + en_s) ** 2 - (pl_s - en_s) ** 2
        smin = (el_s + en_s) ** 2 - (pl_s + en_s) ** 2
        a = M * M - smax
        b = max(M * M - smin, a)
        s = M * M - a * math.exp(w[i] * math.log(b / a))
        en = (M * M - q2) / (2 * M)
        ex = (M * M + mx * mx - s) / (2 * M)
        el = M - en - ex
        px = math.sqrt(max(ex * ex - mx * mx, 0.0))
        pl2 = max(el * el - m * m, 0.0)
        den = 2 * en * px
        cs = (pl2 - en * en - px * px) / den if den > 0 else 1.0
        cs = min(max(cs, -1.0), 1.0)
        sn = math.sqrt(1.0 - cs * cs)
        # uniform random rotation (K. Shoemake, Graphics Gems III (1992)): unit quaternion (qa, qb, qc, qd)
        s1 = math.sqrt(1.0 - r[i, 0])
        s2 = math.sqrt(r[i, 0])
        t1 = 2 * math.pi * r[i, 1]
        t2 = 2 * math.pi * r[i, 2]
        qb = s1 * math.sin(t1)
        qc = s1 * math.cos(t1)
        qd = s2 * math.sin(t2)
        qa = s2 * math.cos(t2)
        # first and third columns of the rotation matrix: ν along column 3, X in the (col 1, col 3) plane
        c0x = qa * qa + qb * qb - qc * qc - qd * qd
        c0y = 2 * (qb * qc + qa * qd)
        c0z = 2 * (qb * qd - qa * qc)
        c2x = 2 * (qb * qd + qa * qc)
        c2y = 2 * (qc * qd - qa * qb)
        c2z = qa * qa - qb * qb - qc * qc + qd * qd
        nx, ny, nz = en * c2x, en * c2y, en * c2z
        kx = px * (sn * c0x + cs * c2x)
        ky = px * (sn * c0y + cs * c2y)
        kz = px * (sn * c0z + cs * c2z)
        lx, ly, lz = -(nx + kx), -(ny + ky), -(nz + kz)
        # boost to the lab: u = γβ of the parent, p' = p + (u·p/(γ+1) + E) u, E' = γE + u·p
        E = parent_p4[i, 0]
        mp = math.sqrt(max(E * E - parent_p4[i, 1] ** 2 - parent_p4[i, 2] ** 2 - parent_p4[i, 3] ** 2, 1e-300))
        g = E / mp
        ux, uy, uz = parent_p4[i, 1] / mp, parent_p4[i, 2] / mp, parent_p4[i, 3] / mp
        g1 = 1.0 / (g + 1.0)
        up = ux * kx + uy * ky + uz * kz
        f = g1 * up + ex
        k_out[i, 0] = g * ex + up
        k_out[i, 1] = kx + f * ux
        k_out[i, 2] = ky + f * uy
        k_out[i, 3] = kz + f * uz
        up = ux * nx + uy * ny + uz * nz
        f = g1 * up + en
        n_out[i, 0] = g * en + up
        n_out[i, 1] = nx + f * ux
        n_out[i, 2] = ny + f * uy
        n_out[i, 3] = nz + f * uz
        up = ux * lx + uy * ly + uz * lz
        f = g1 * up + el
        l_out[i, 0] = g * el + up
        l_out[i, 1] = lx + f * ux
        l_out[i, 2] = ly + f * uy
        l_out[i, 3] = lz + f * uz


def sample_decays(rng: np.random.Generator, meson: MesonSpec, lepton: LeptonSpec, kind: str, mx: float,
                  amplitude: str, parent_p4: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One P → ℓ ν X decay per row of ``parent_p4`` (N,4, MeV; (M,0,0,0) = decay at rest).

    Returns lab four-momenta (p_ℓ, p_ν, k), each (N, 4), MeV. The Dalitz point follows dΓ/du dw
    (bilinear interpolant of the cached grid), the orientation is isotropic in the parent rest frame.
    """
    n = len(parent_p4)
    grid = _grid(meson.name, lepton.name, kind, mx, amplitude)
    u, w = sample_uw(rng, grid, n)
    r = rng.random((n, 3))
    M, m = meson.mass, lepton.mass
    dmin = mx * mx + 2.0 * m * mx
    lu = math.log((M * M - m * m) / dmin)
    k = np.empty((n, 4))
    pl = np.empty((n, 4))
    pn = np.empty((n, 4))
    _decay_kernel(u, w, r, np.ascontiguousarray(parent_p4, dtype=np.float64), M, m, mx, dmin, lu, k, pl, pn)
    return pl, pn, k


def sample_rest_frame(rng: np.random.Generator, meson: MesonSpec, lepton: LeptonSpec, kind: str, mx: float,
                      amplitude: str, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n decays at rest, isotropically oriented: (p_ℓ, p_ν, k), each (n, 4) in MeV."""
    at_rest = np.zeros((n, 4))
    at_rest[:, 0] = meson.mass
    return sample_decays(rng, meson, lepton, kind, mx, amplitude, at_rest)


def sample_three_body(rng: np.random.Generator, parents: ParticleSample, lepton: str, model: Any,
                      n_per_parent: int = 1, with_leptons: bool = True) -> ParticleSample:
    """Decay charged π/K parents into ℓ ν X; return the X's (lab four-momenta, MeV) at the parents' vertices.

    Parents with |pdg| other than 211/321 are skipped (they do not decay this way). Weights are
    ``parents.w × BR / n_per_parent`` so that the sum is BR × Σ parents.w (same ``weight_unit``).
    ``extra`` holds ``parent_index``, ``parent_pdg`` and, if ``with_leptons``, the lab four-momenta
    ``p4_lepton`` and ``p4_nu`` with ``lepton_pdg`` and ``nu_pdg``.
    """
    if not isinstance(n_per_parent, (int, np.integer)) or n_per_parent < 1:
        raise InputError("n_per_parent", n_per_parent, "an integer >= 1")
    lep = _lepton(lepton)
    kind, mx, amplitude = boson_of(model)
    pieces: list[ParticleSample] = []
    apdg = np.abs(parents.pdg)
    for key in ("pi", "K"):
        mes = MESONS.get(key)
        idx = np.flatnonzero(apdg == mes.pdg)
        if len(idx) == 0:
            continue
        br = branching_ratio(key, lep.name, model)
        if br <= 0.0:
            continue
        idx = np.repeat(idx, n_per_parent)
        n = len(idx)
        pl, pn, k = sample_decays(rng, mes, lep, kind, mx, amplitude, parents.p4[idx])
        extra: dict[str, np.ndarray] = {"parent_index": idx, "parent_pdg": parents.pdg[idx]}
        if with_leptons:
            charge = np.sign(parents.pdg[idx])
            extra["p4_lepton"] = pl
            extra["p4_nu"] = pn
            extra["lepton_pdg"] = -charge * lep.pdg
            extra["nu_pdg"] = charge * lep.nu_pdg
        pieces.append(ParticleSample(
            np.full(n, BOSON_PDG[kind]), k, parents.x[idx],
            parents.w[idx] * (br / n_per_parent), parents.weight_unit, extra,
        ))
    if not pieces:
        return ParticleSample.empty(parents.weight_unit)
    return pieces[0] if len(pieces) == 1 else ParticleSample.concat(pieces)
