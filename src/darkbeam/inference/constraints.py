"""Exotic charged-meson decay constraints, evaluated at a model point (``darkbeam constraints``).

The constraints are data: ``darkbeam/data/constraints/exotic_decays.json`` lists each limit with its
process (parent, lepton), final-state signature, limit (a flat number or a limit-versus-mass curve),
confidence level, mass range, the flight length that defines the signature, and its citation. They are
the rows of seed 000 (Dutta et al., arXiv:2110.11944) Table II — NA62 K → μνX, PDG K → eννν̄ (as a proxy
for K → eνX), PDG K → μνee / K → eνee / π → eνee, PIENU π → μνX / π → eνX — plus opt-in proxies
(NA62 K → μνν̄ν, PIENU π → μνν̄ν / π → eνν̄ν). No limit-versus-mass curve was available
(the papers' abstracts quote single numbers): every limit is the quoted number, applied flat over its range.
See ``docs/constraints.md``.

Prediction for a constraint on P⁺ → ℓ⁺ ν X with signature S::

    BR_pred = BR(P → ℓνX) × f_S

* BR(P → ℓνX) = Γ_X/(Γ_SM + Γ_X) from the model's production channel rows (``value`` = Γ_X/Γ_SM of the
  parent, :meth:`darkbeam.production.channels.MesonThreeBody.branching_ratios`).
* S = "invisible": f = BR(X → invisible) + BR(X → visible) × ⟨exp(−L/λ)⟩, the probability that X leaves
  no visible decay within the flight length L (``detector_length_m``); a stable X (Γ = 0) gives f = 1.
  Invisible channels are those whose final states are all in :data:`INVISIBLE_STATES` (or those a model
  lists in an optional ``invisible_channels`` attribute).
* S = "ee": f = BR(X → e⁺e⁻) × (1 − ⟨exp(−L/λ)⟩), X → e⁺e⁻ within L of the parent decay (prompt).

λ = (p/m_X) cτ with the X lab momentum p, averaged (⟨·⟩) over the three-body Dalitz distribution
dΓ(P → ℓνX) of the model (Gauss–Legendre quadrature on the map of :mod:`darkbeam.production.three_body`)
and, for a parent moving with ``parent_momentum_MeV`` (NA62: 75 GeV/c), over the X direction (isotropic
in the parent frame). Parents without a stated momentum are taken at rest: exact for stopped pions
(PIENU); for kaons of an unidentified experiment it underestimates the escape probability of
"invisible" (conservative: fewer exclusions) and overestimates the prompt fraction of "ee".

Status of each row: "excluded" (BR_pred > limit at m_X), "allowed", "not applicable (m_X outside
[a, b] MeV)" or "not applicable (model has no such channel)" (no production channel with this parent
and lepton, a boson kind the limit is not for, or no such decay of X); never "allowed" outside the
mass range. A ``reason`` key says why.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from ..constants import HBARC, M_E
from ..data import data_path
from ..errors import InputError
from ..production import three_body
from ..production.matrix_elements import LEPTONS, MESONS
from ..production.three_body import boson_of
from ..propagation.decay import decay_length, survival_probability
from ..registry import Registry

#: final-state names counted as invisible in a decay channel name ("chi chi" is invisible, "chi chi'"
#: is not: χ' decays to χ e⁺e⁻ in vector-idm)
INVISIBLE_STATES = frozenset({"chi", "nu", "nu_e", "nu_mu", "nu_tau", "nubar", "anti-nu", "anti-nu_e",
                              "anti-nu_mu", "anti-nu_tau"})
#: decay channel of X for the "ee" signature (darkbeam.models.widths.EE)
EE_CHANNEL = "e+ e-"
SIGNATURES = ("invisible", "ee")
LIMIT_TYPES = ("flat", "curve")
BASES = ("direct", "measured BR", "proxy")
_PARENTS = ("K+", "pi+")
_LEPTONS = ("mu", "e")
_KINDS = ("scalar", "pseudoscalar", "vector")
#: Gauss–Legendre nodes per Dalitz dimension for the decay-length average
N_QUAD = 48

STATUS_EXCLUDED = "excluded"
STATUS_ALLOWED = "allowed"
STATUS_NO_CHANNEL = "not applicable (model has no such channel)"

DATA_FILE = ("constraints", "exotic_decays.json")


# ------------------------------------------------------------------------------------------------
# declarations
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Limit:
    """An upper limit: flat (``value``) or a curve (``m_MeV``, ``values``; linear in m, in log10 limit)."""

    type: str
    value: float | None = None
    m_MeV: tuple[float, ...] = ()
    values: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if self.type not in LIMIT_TYPES:
            raise InputError("constraint limit.type", self.type, LIMIT_TYPES)
        if self.type == "flat":
            if not (isinstance(self.value, (int, float)) and math.isfinite(self.value) and self.value > 0):
                raise InputError("constraint limit.value", self.value, "a finite number > 0")
        else:
            m, v = np.asarray(self.m_MeV, float), np.asarray(self.values, float)
            if m.ndim != 1 or len(m) < 2 or m.shape != v.shape:
                raise InputError("constraint limit curve", (len(self.m_MeV), len(self.values)),
                                 "at least two (m_MeV, value) points, equally many of each")
            if not (np.all(np.isfinite(m)) and np.all(np.diff(m) > 0)):
                raise InputError("constraint limit.m_MeV", list(self.m_MeV), "finite, strictly increasing masses")
            if not (np.all(np.isfinite(v)) and np.all(v > 0)):
                raise InputError("constraint limit.values", list(self.values), "finite limits > 0")

    def at(self, m_x: float) -> float | None:
        """The limit at ``m_x`` (MeV); None outside a curve's mass points."""
        if self.type == "flat":
            return float(self.value)
        m = np.asarray(self.m_MeV, float)
        if not m[0] <= m_x <= m[-1]:
            return None
        return float(10.0 ** np.interp(m_x, m, np.log10(np.asarray(self.values, float))))

    def describe(self) -> dict[str, Any]:
        if self.type == "flat":
            return {"type": "flat", "value": float(self.value)}
        return {"type": "curve", "m_MeV": list(self.m_MeV), "values": list(self.values)}


@dataclass(frozen=True)
class Constraint:
    """One exotic-decay limit on P⁺ → ℓ⁺ ν X with a final-state signature of X.

    Attributes:
        name: unique short name. parent: "K+" or "pi+". lepton: "mu" or "e".
        signature: "invisible" (X escapes or decays invisibly) or "ee" (X → e⁺e⁻ within the length).
        limit: :class:`Limit`. cl: confidence level (0.9 = 90 %).
        mass_min_MeV, mass_max_MeV: where the limit applies; None = the signature threshold (0, or 2 m_e
            for "ee") / the kinematic endpoint M_P − m_ℓ.
        detector_length_m: flight length L of the signature (escape beyond L; decay within L).
        parent_momentum_MeV: lab momentum of the decaying parent (0: at rest), for the X decay length.
        boson_kinds: boson kinds the limit is for (None: any).
        normalisation: "BR" or the ratio the limit is quoted as (e.g. to Γ(π → μν)).
        basis: "direct" | "measured BR" | "proxy". default: evaluated unless proxies are asked for.
        citation, value_source, note, mass_range_source, detector_length_note: provenance (free text).
    """

    name: str
    parent: str
    lepton: str
    signature: str
    limit: Limit
    citation: str
    cl: float = 0.90
    mass_min_MeV: float | None = None
    mass_max_MeV: float | None = None
    detector_length_m: float = 1.0
    parent_momentum_MeV: float = 0.0
    boson_kinds: tuple[str, ...] | None = None
    normalisation: str = "BR"
    basis: str = "direct"
    default: bool = True
    value_source: str = ""
    note: str = ""
    mass_range_source: str = ""
    detector_length_note: str = ""
    parent_momentum_note: str = ""

    def __post_init__(self) -> None:
        where = f"constraint {self.name!r}"
        if not self.name:
            raise InputError("constraint name", self.name, "a non-empty name")
        if self.parent not in _PARENTS:
            raise InputError(f"{where} parent", self.parent, _PARENTS)
        if self.lepton not in _LEPTONS:
            raise InputError(f"{where} lepton", self.lepton, _LEPTONS)
        if self.signature not in SIGNATURES:
            raise InputError(f"{where} signature", self.signature, SIGNATURES)
        if self.basis not in BASES:
            raise InputError(f"{where} basis", self.basis, BASES)
        if not isinstance(self.limit, Limit):
            raise InputError(f"{where} limit", self.limit, "a darkbeam.inference.constraints.Limit")
        if not 0.0 < self.cl < 1.0:
            raise InputError(f"{where} cl", self.cl, "a confidence level in (0, 1)")
        if not (math.isfinite(self.detector_length_m) and self.detector_length_m > 0):
            raise InputError(f"{where} detector_length_m", self.detector_length_m, "a length > 0 in metres")
        if not (math.isfinite(self.parent_momentum_MeV) and self.parent_momentum_MeV >= 0):
            raise InputError(f"{where} parent_momentum_MeV", self.parent_momentum_MeV, "a momentum >= 0 MeV (0: at rest)")
        if self.boson_kinds is not None:
            for k in self.boson_kinds:
                if k not in _KINDS:
                    raise InputError(f"{where} boson_kinds", k, _KINDS)
        lo, hi = self.mass_range()
        if not 0.0 <= lo < hi or (self.mass_max_MeV is not None and self.mass_max_MeV > self.kinematic_endpoint()):
            raise InputError(f"{where} mass_range_MeV", [self.mass_min_MeV, self.mass_max_MeV],
                             f"0 <= low < high <= the kinematic endpoint {self.kinematic_endpoint():.4g} MeV")

    def kinematic_endpoint(self) -> float:
        """M_P − m_ℓ in MeV (P → ℓνX is closed at and above it)."""
        key = "K" if self.parent == "K+" else "pi"
        return float(MESONS.get(key).mass - LEPTONS.get(self.lepton).mass)

    def mass_range(self) -> tuple[float, float]:
        """[low, high] of m_X in MeV with the None ends resolved (threshold / kinematic endpoint)."""
        lo = self.mass_min_MeV if self.mass_min_MeV is not None else (2.0 * M_E if self.signature == "ee" else 0.0)
        hi = self.mass_max_MeV if self.mass_max_MeV is not None else self.kinematic_endpoint()
        return float(lo), float(hi)

    @property
    def process(self) -> str:
        """E.g. "K+ -> mu+ nu X, X invisible"."""
        lep = {"mu": "mu+", "e": "e+"}[self.lepton]
        sig = "X invisible" if self.signature == "invisible" else "X -> e+ e-"
        return f"{self.parent} -> {lep} nu X, {sig}"

    def describe(self) -> dict[str, Any]:
        """JSON-ready declaration (units in the keys)."""
        return {"name": self.name, "process": self.process, "parent": self.parent, "lepton": self.lepton,
                "signature": self.signature, "boson_kinds": list(self.boson_kinds) if self.boson_kinds else None,
                "limit": self.limit.describe(), "cl": self.cl, "normalisation": self.normalisation,
                "mass_range_MeV": list(self.mass_range()), "detector_length_m": self.detector_length_m,
                "parent_momentum_MeV": self.parent_momentum_MeV, "parent_momentum_note": self.parent_momentum_note,
                "basis": self.basis, "default": self.default, "citation": self.citation,
                "value_source": self.value_source, "mass_range_source": self.mass_range_source,
                "detector_length_note": self.detector_length_note, "note": self.note}


_KEYS = {"name", "parent", "lepton", "signature", "boson_kinds", "limit", "cl", "normalisation",
         "mass_range_MeV", "mass_range_source", "detector_length_m", "detector_length_note", "basis",
         "default", "citation", "value_source", "note", "parent_momentum_MeV", "parent_momentum_note"}


def constraint_from_dict(d: dict[str, Any]) -> Constraint:
    """Build a :class:`Constraint` from one entry of the JSON data file (InputError on a bad entry)."""
    if not isinstance(d, dict):
        raise InputError("constraint entry", d, "a JSON object")
    name = d.get("name", "")
    unknown = set(d) - _KEYS
    if unknown:
        raise InputError(f"constraint {name!r} key", min(unknown), _KEYS)
    for key in ("name", "parent", "lepton", "signature", "limit", "citation"):
        if key not in d:
            raise InputError(f"constraint {name!r} key", key, "present (required)")
    lim = d["limit"]
    if not isinstance(lim, dict) or lim.get("type") not in LIMIT_TYPES:
        raise InputError(f"constraint {name!r} limit", lim, "{'type': 'flat', 'value': ...} or "
                                                            "{'type': 'curve', 'm_MeV': [...], 'values': [...]}")
    if lim["type"] == "flat":
        limit = Limit("flat", value=lim.get("value"))
    else:
        limit = Limit("curve", m_MeV=tuple(lim.get("m_MeV", ())), values=tuple(lim.get("values", ())))
    rng = d.get("mass_range_MeV", [None, None])
    if not (isinstance(rng, list) and len(rng) == 2):
        raise InputError(f"constraint {name!r} mass_range_MeV", rng, "[low, high] (numbers or null)")
    kinds = d.get("boson_kinds")
    return Constraint(
        name=name, parent=d["parent"], lepton=d["lepton"], signature=d["signature"], limit=limit,
        citation=d["citation"], cl=float(d.get("cl", 0.90)),
        mass_min_MeV=None if rng[0] is None else float(rng[0]),
        mass_max_MeV=None if rng[1] is None else float(rng[1]),
        detector_length_m=float(d.get("detector_length_m", 1.0)),
        parent_momentum_MeV=float(d.get("parent_momentum_MeV") or 0.0),
        parent_momentum_note=d.get("parent_momentum_note", ""),
        boson_kinds=None if kinds is None else tuple(kinds), normalisation=d.get("normalisation", "BR"),
        basis=d.get("basis", "direct"), default=bool(d.get("default", True)),
        value_source=d.get("value_source", ""), note=d.get("note", ""),
        mass_range_source=d.get("mass_range_source", ""), detector_length_note=d.get("detector_length_note", ""),
    )


def load_constraints(path: str | None = None) -> tuple[Constraint, ...]:
    """Read a constraints file (default: the packaged ``data/constraints/exotic_decays.json``)."""
    if path is None:
        with data_path(*DATA_FILE).open("r", encoding="utf-8") as f:
            doc = json.load(f)
    else:
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except OSError as exc:
            raise InputError("constraints file", str(path), f"a readable JSON file ({exc.strerror})") from None
        except json.JSONDecodeError as exc:
            raise InputError("constraints file", str(path), f"valid JSON ({exc})") from None
    entries = doc.get("constraints") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise InputError("constraints file", str(path or "packaged"), "a JSON object with a 'constraints' list")
    out = tuple(constraint_from_dict(e) for e in entries)
    names = [c.name for c in out]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise InputError("constraint name", dup, "unique names")
    return out


_FILE_ORDER = load_constraints()
#: the packaged constraints by name (``CONSTRAINTS.get(name)``; unknown names raise InputError)
CONSTRAINTS: Registry[Constraint] = Registry("constraint")
for _c in _FILE_ORDER:
    CONSTRAINTS.add(_c.name, _c, _c.process)


def registered_constraints(include_proxies: bool = False) -> list[Constraint]:
    """The packaged constraints in file order: the default ones, plus the opt-in proxies if asked."""
    return [c for c in _FILE_ORDER if c.default or include_proxies]


# ------------------------------------------------------------------------------------------------
# evaluation
# ------------------------------------------------------------------------------------------------
def _production_ratio(model: Any, parent: str, lepton: str) -> float | str | None:
    """Γ_X/Γ_SM of P → ℓνX from the model's production rows ("closed"), or None if none declares it."""
    for ch in getattr(model, "production", ()):
        for r in ch.branching_ratios(model):
            if r.get("parent") == parent and r.get("lepton") == lepton:
                return r["value"]
    return None


def _declares(model: Any, parent: str, lepton: str) -> bool:
    """Does a production channel of the model declare P → ℓνX (without computing rates)?"""
    for ch in getattr(model, "production", ()):
        if parent in getattr(ch, "parents", ()) and lepton in getattr(ch, "leptons", ()):
            return True
    return False


def _is_invisible(channel: str, model: Any) -> bool:
    declared = getattr(model, "invisible_channels", None)
    if declared is not None:
        return channel in declared
    return all(tok in INVISIBLE_STATES for tok in channel.split())


@lru_cache(maxsize=256)
def _mean_survival(meson: str, lepton: str, kind: str, mx: float, amplitude: Any, length: float, ctau: float,
                   p_parent: float = 0.0) -> float:
    """⟨exp(−L/λ)⟩, λ = (p_lab/m_X) cτ, over the Dalitz distribution of P → ℓνX (L, cτ in mm), with the
    decay law of :mod:`darkbeam.propagation.decay`.

    ``p_parent`` = 0: P at rest (p_lab = the rest-frame X momentum p*). Otherwise P moves with momentum
    ``p_parent`` (MeV) and the X direction is isotropic in its rest frame: p_lab² = (γ p* cos θ* + βγ E*)²
    + (p* sin θ*)², averaged over cos θ* as well (Gauss–Legendre)."""
    mes, lep = MESONS.get(meson), LEPTONS.get(lepton)
    if length == 0.0 or math.isinf(ctau):
        return 1.0
    g, wt = np.polynomial.legendre.leggauss(N_QUAD)
    g = 0.5 * (g + 1.0)
    wt = 0.5 * wt
    U, W = np.meshgrid(g, g, indexing="ij")
    u, w = U.ravel(), W.ravel()
    f = three_body._dgamma_duw(mes, lep, kind, mx, amplitude, u, w)
    pt = three_body.dalitz_map(mes, lep, mx, u, w)
    M = mes.mass
    ex = (M * M + mx * mx - pt.s) / (2.0 * M)
    p = np.sqrt(np.clip(ex * ex - mx * mx, 0.0, None))
    ww = np.outer(wt, wt).ravel() * f
    if p_parent > 0.0:
        c, wc = np.polynomial.legendre.leggauss(N_QUAD)  # cos θ* on [−1, 1], weights sum to 2
        bg = p_parent / M
        gam = math.sqrt(1.0 + bg * bg)
        pz = gam * p[:, None] * c[None, :] + bg * ex[:, None]
        pt2 = (p[:, None] ** 2) * (1.0 - c[None, :] ** 2)
        p = np.sqrt(pz * pz + pt2).ravel()
        ww = (ww[:, None] * 0.5 * wc[None, :]).ravel()
    surv = survival_probability(np.full(p.shape, length), decay_length(p, mx, ctau))
    tot = float(ww.sum())
    if not tot > 0.0:
        return 1.0
    return float(np.clip((ww * surv).sum() / tot, 0.0, 1.0))


def mean_survival_probability(model: Any, parent: str, lepton: str, length_mm: float, total_width: float,
                              parent_momentum: float = 0.0) -> float:
    """Probability that X of ``parent`` → ℓνX flies ``length_mm`` without decaying:
    ⟨exp(−L m Γ/(p ħc))⟩ over the Dalitz distribution of the model's amplitude (and over the X direction
    for a parent of lab momentum ``parent_momentum`` MeV; 0 = at rest). 1 for Γ = 0."""
    if total_width <= 0.0:
        return 1.0
    kind, mx, amplitude = boson_of(model)
    meson = "K" if parent.startswith("K") else "pi"
    return _mean_survival(meson, lepton, kind, mx, amplitude, float(length_mm), float(HBARC / total_width),
                          float(parent_momentum))


def _fmt_range(lo: float, hi: float) -> str:
    return f"[{lo:.4g}, {hi:.4g}] MeV"


def _row(c: Constraint, m_x: float | None) -> dict[str, Any]:
    lo, hi = c.mass_range()
    return {"name": c.name, "process": c.process, "parent": c.parent, "lepton": c.lepton,
            "signature": c.signature, "basis": c.basis, "m_X_MeV": m_x, "production_br": None,
            "signature_fraction": None, "predicted_br": None, "limit": None, "cl": c.cl,
            "limit_type": c.limit.type, "normalisation": c.normalisation, "mass_range_MeV": [lo, hi],
            "detector_length_m": c.detector_length_m, "parent_momentum_MeV": c.parent_momentum_MeV,
            "status": STATUS_NO_CHANNEL, "reason": "",
            "citation": c.citation, "value_source": c.value_source, "note": c.note, "warnings": []}


def evaluate_constraint(c: Constraint, model: Any) -> dict[str, Any]:
    """Evaluate one constraint at the model point (see the module docstring for keys and statuses)."""
    kind = getattr(model, "boson_kind", None)
    has_mass = bool(getattr(model, "mass_param", ""))
    m_x = float(model.m_x) if has_mass else None
    row = _row(c, m_x)
    lep = {"mu": "mu+", "e": "e+"}[c.lepton]
    if not _declares(model, c.parent, c.lepton) or m_x is None:
        row["reason"] = f"the model declares no production channel {c.parent} -> {lep} nu X"
        return row
    if c.boson_kinds is not None and kind not in c.boson_kinds:
        row["reason"] = f"the limit is for a {' or '.join(c.boson_kinds)} X; the model's X is a {kind}"
        return row
    lo, hi = c.mass_range()
    outside = f"not applicable (m_X outside {_fmt_range(lo, hi)})"
    if not lo <= m_x <= hi:
        row.update(status=outside, reason=f"m_X = {m_x:.4g} MeV; {c.mass_range_source or 'mass range of the limit'}")
        return row
    limit = c.limit.at(m_x)
    if limit is None:
        row.update(status=outside, reason=f"m_X = {m_x:.4g} MeV is outside the points of the limit curve")
        return row
    ratio = _production_ratio(model, c.parent, c.lepton)
    if ratio is None:  # declared by parents/leptons but no row: treat as not declared
        row["reason"] = f"the model's production channels give no {c.parent} -> {lep} nu X rate"
        return row
    if ratio == "closed" or not isinstance(ratio, float):
        row.update(status=outside, reason=f"{c.parent} -> {lep} nu X is kinematically closed at m_X = {m_x:.4g} MeV")
        return row
    boson = getattr(model, "boson", None)
    states = model.decays()
    if boson not in states:
        row["reason"] = (f"the model declares no decays of its boson {boson!r}, so the {c.signature} "
                         "signature cannot be evaluated")
        return row
    widths = states[boson].widths
    if c.signature == "ee" and EE_CHANNEL not in widths:
        row["reason"] = f"the model's {boson} has no {EE_CHANNEL} decay channel"
        return row
    total = float(sum(widths.values()))
    length_mm = c.detector_length_m * 1000.0
    surv = mean_survival_probability(model, c.parent, c.lepton, length_mm, total, c.parent_momentum_MeV)
    frame = (f"{c.parent} at {c.parent_momentum_MeV / 1000.0:g} GeV/c" if c.parent_momentum_MeV > 0
             else f"{c.parent} at rest")
    if c.signature == "invisible":
        if total > 0.0:
            br_inv = sum(w for ch, w in widths.items() if _is_invisible(ch, model)) / total
            frac = br_inv + (1.0 - br_inv) * surv
            how = (f"BR(X -> invisible) = {br_inv:.3g}, P(no decay within {c.detector_length_m:g} m) = {surv:.3g} "
                   f"({frame})")
        else:
            frac, how = 1.0, "X is stable at these couplings (no open channel)"
    else:
        br_ee = widths[EE_CHANNEL] / total if total > 0.0 else 0.0
        frac = br_ee * (1.0 - surv)
        how = (f"BR(X -> e+ e-) = {br_ee:.3g}, P(decay within {c.detector_length_m:g} m) = {1.0 - surv:.3g} "
               f"({frame})")
    br_prod = ratio / (1.0 + ratio)
    pred = br_prod * frac
    if ratio > 0.01:
        row["warnings"].append(f"Gamma_X/Gamma_SM = {ratio:.3g} of {c.parent} is not small: BR = Gamma_X/(Gamma_SM + "
                               "Gamma_X), and the model is far outside the region the limit was set for")
    excluded = pred > limit
    row.update(production_br=br_prod, signature_fraction=frac, predicted_br=pred, limit=limit,
               status=STATUS_EXCLUDED if excluded else STATUS_ALLOWED,
               reason=f"{'predicted > limit' if excluded else 'predicted <= limit'}; {how}")
    return row


def evaluate_constraints(model: Any, include_proxies: bool = False,
                         constraints: Iterable[Constraint] | None = None) -> list[dict[str, Any]]:
    """Evaluate every constraint at the model point.

    Args:
        model: a :class:`darkbeam.models.Model` (any model: one without charged-meson production gives
            "not applicable (model has no such channel)" everywhere).
        include_proxies: also evaluate the opt-in constraints (``default`` false: the ℓνν̄ν proxies).
        constraints: evaluate these instead of the packaged ones (``include_proxies`` is then ignored).

    Returns:
        One dict per constraint with the keys ``name, process, parent, lepton, signature, basis, m_X_MeV,
        production_br, signature_fraction, predicted_br, limit, cl, limit_type, normalisation,
        mass_range_MeV, detector_length_m, parent_momentum_MeV, status, reason, citation, value_source, note,
        warnings`` (the CLI adds ``model``)
        (``predicted_br`` and ``limit`` are None when not applicable).
    """
    cs: Sequence[Constraint] = list(constraints) if constraints is not None else registered_constraints(include_proxies)
    return [evaluate_constraint(c, model) for c in cs]


__all__ = [
    "CONSTRAINTS",
    "INVISIBLE_STATES",
    "STATUS_ALLOWED",
    "STATUS_EXCLUDED",
    "STATUS_NO_CHANNEL",
    "Constraint",
    "Limit",
    "constraint_from_dict",
    "evaluate_constraint",
    "evaluate_constraints",
    "load_constraints",
    "mean_survival_probability",
    "registered_constraints",
]
