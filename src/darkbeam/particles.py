"""One source of truth for particle ids of the states darkbeam adds to the Standard Model.

New particles have no official PDG numbers. darkbeam uses numbers from the PDG's range for
"generator-specific" states (the 9xxxxxx block of the PDG Monte Carlo numbering scheme, RPP 2024
"Monte Carlo particle numbering scheme", rule 11), Pythia's hidden-valley number for a dark vector
(4900022) and DarkNews' numbers for heavy neutral leptons (arXiv:2207.04137, N4/N5/N6 = 5914/5915/5916,
the light neutrino of N → ν e⁺e⁻ = 5910). Event files declare these numbers in their run info.

Nuclei follow the PDG nuclear code 10LZZZAAAI; free nucleons are 2212 / 2112.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from . import constants as _c
from .constants import M_E, M_MU, M_PI, M_PI0
from .errors import InputError

#: spin-parity kind of a new boson emitted in meson decays -> particle id
BOSON_PDG = MappingProxyType({"scalar": 9000005, "pseudoscalar": 9000006, "vector": 4900022})
#: boson kinds darkbeam's production code can emit
BOSON_KINDS: tuple[str, ...] = tuple(BOSON_PDG)
#: dark-matter χ and its excited state χ' (both written with this id; the event record says which)
CHI_PDG = 9000011
#: axion-like particle coupled to photons (darkbeam.models.alp), PDG generator-specific range (rule 11)
ALP_PDG = 9000007
#: heavy neutral leptons N4, N5, N6 (DarkNews numbers) and the light neutrino of N → ν e⁺e⁻
HNL_PDG: tuple[int, int, int] = (5914, 5915, 5916)
NU_LIGHT_PDG = 5910
#: Higgs-portal dark scalar S (darkbeam.models.higgs_scalar), a number of the PDG "generator-specific" 9xxxxxx block
HIGGS_SCALAR_PDG = 9000025

#: mass (MeV) and cτ (mm) of the charged mesons, K0_L and muons that decay in flight, by particle id
PDG_MASS = MappingProxyType({211: _c.M_PI, -211: _c.M_PI, 321: _c.M_K, -321: _c.M_K, 130: _c.M_K0,
                             13: _c.M_MU, -13: _c.M_MU})
PDG_CTAU = MappingProxyType({211: _c.CTAU_PI, -211: _c.CTAU_PI, 321: _c.CTAU_K, -321: _c.CTAU_K, 130: _c.CTAU_KL,
                             13: _c.CTAU_MU, -13: _c.CTAU_MU})

#: nucleus or nucleon target name -> particle id
NUCLEUS_PDG = MappingProxyType({"C12": 1000060120, "H1": 2212, "proton": 2212, "neutron": 2112,
                                "Ar40": 1000180400, "O16": 1000080160})

#: names of the non-PDG numbers, for the run info of event files
NEW_PARTICLE_NAMES = MappingProxyType({
    9000005: "scalar X (phi)", 9000006: "pseudoscalar X (a)", 4900022: "dark vector X",
    CHI_PDG: "dark fermion chi / chi'", ALP_PDG: "axion-like particle a (photon coupling)",
    5914: "N4", 5915: "N5", 5916: "N6", NU_LIGHT_PDG: "light nu of N decay",
    HIGGS_SCALAR_PDG: "Higgs-portal scalar S",
})


#: two-body visible final states of decays, by channel name: ((pdg_1, pdg_2), (m_1, m_2) in MeV)
TWO_BODY_FINAL_STATES = MappingProxyType({
    "e+ e-": ((-11, 11), (M_E, M_E)),
    "mu+ mu-": ((-13, 13), (M_MU, M_MU)),
    "pi+ pi-": ((211, -211), (M_PI, M_PI)),
    "gamma gamma": ((22, 22), (0.0, 0.0)),
    "pi0 pi0": ((111, 111), (M_PI0, M_PI0)),
    # heavy neutral lepton N -> l pi (darkbeam.models.hnl): charge-summed channels (a Majorana N decays to
    # l-pi+ and l+pi-), listed as pi+ l- (the decay of N; decay-in-volume records the charge conjugate pi- l+
    # per event for N-bar or a self-conjugate N's other charge state, Decays.self_conjugate). The pion comes
    # first so that the decay-in-volume process, which labels its first daughter with max(pdg_1, pdg_2),
    # writes 211 (-211) on the pion and 11/13 (-11/-13) on the lepton.
    "e pi": ((211, 11), (M_PI, M_E)),
    "mu pi": ((211, 13), (M_PI, M_MU)),
})


#: Standard-Model particle ids that are their own antiparticle (neutral and flavourless, or K⁰_L/K⁰_S; PDG RPP
#: "Monte Carlo particle numbering scheme", which gives them no negative number): γ, Z, H, π⁰, ρ⁰, K⁰_L, K⁰_S, η, ω,
#: η′, φ. Every other SM id's antiparticle is −id (tests/test_hnl_charges.py checks this against ``particle``).
SELF_CONJUGATE_PDG = frozenset({22, 23, 25, 111, 113, 130, 310, 221, 223, 331, 333})


def charge_conjugate(pdg: int) -> int:
    """Particle id of the antiparticle of ``pdg``: ``pdg`` itself for :data:`SELF_CONJUGATE_PDG`, else −pdg."""
    return int(pdg) if int(pdg) in SELF_CONJUGATE_PDG else -int(pdg)


def nucleus_pdg(z: int, a: int) -> int:
    """PDG nuclear code 10LZZZAAAI (L = I = 0)."""
    return 1_000_000_000 + 10_000 * z + 10 * a


def record_pdg(model: Any) -> int:
    """Particle id of a model's new state in samples and event records: its declared ``state_pdg`` (a fermion such
    as a heavy neutral lepton, or a named boson such as the ALP), else the id of its boson kind, else 0."""
    return int(getattr(model, "state_pdg", None) or BOSON_PDG.get(str(getattr(model, "boson_kind", None)), 0))


def boson_pdg(kind: str) -> int:
    """Particle id of a new boson of spin-parity ``kind`` ("scalar", "pseudoscalar", "vector")."""
    if kind not in BOSON_PDG:
        raise InputError("boson kind", kind, BOSON_KINDS)
    return BOSON_PDG[kind]


__all__ = ["ALP_PDG", "BOSON_KINDS", "BOSON_PDG", "CHI_PDG", "HIGGS_SCALAR_PDG", "HNL_PDG", "NEW_PARTICLE_NAMES",
           "NUCLEUS_PDG", "NU_LIGHT_PDG", "PDG_CTAU", "PDG_MASS", "SELF_CONJUGATE_PDG", "TWO_BODY_FINAL_STATES",
           "boson_pdg", "charge_conjugate", "nucleus_pdg", "record_pdg"]
