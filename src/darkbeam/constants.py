"""Physical constants and particle properties in internal units (MeV, mm, ns).

Masses and lifetimes come from the PDG tables shipped with scikit-hep ``particle``;
electroweak and hadronic constants are from the PDG Review of Particle Physics
(R.L. Workman et al., PTEP 2022, 083C01) as cited next to each.
"""

from __future__ import annotations

import math

import hepunits as hu
from particle import Particle


def _mass(pdg: int) -> float:
    return float(Particle.from_pdgid(pdg).mass) * hu.MeV


def _ctau(pdg: int) -> float:
    return float(Particle.from_pdgid(pdg).ctau) * hu.mm


# --- particle masses (MeV) -------------------------------------------------------------
M_E = _mass(11)
M_MU = _mass(13)
M_PI = _mass(211)
M_PI0 = _mass(111)
M_K = _mass(321)
M_K0 = _mass(311)
M_ETA = _mass(221)
# light vector mesons and the eta' (N -> nu eta', l rho, nu rho0, nu omega, l K*, nu phi in darkbeam.models.hnl)
M_ETAP = _mass(331)
M_RHO = _mass(213)  # rho(770)+
M_RHO0 = _mass(113)
M_OMEGA = _mass(223)
M_KSTAR = _mass(323)  # K*(892)+
M_PHI = _mass(333)
# charm hadrons and the tau (D± and D_s± → ℓN in darkbeam.production.two_body, charm production in darkbeam.beams.charm)
M_D = _mass(411)  # D+
M_D0 = _mass(421)
M_DS = _mass(431)  # D_s+
M_LAMBDA = _mass(3122)
M_LAMBDA_C = _mass(4122)
M_TAU = _mass(15)
M_P = _mass(2212)
M_N = _mass(2112)

# --- proper decay lengths c*tau (mm) ---------------------------------------------------
CTAU_PI = _ctau(211)  # 7804 mm
CTAU_K = _ctau(321)  # 3711 mm
CTAU_MU = _ctau(13)  # 658.6 m
CTAU_KL = _ctau(130)
CTAU_D = _ctau(411)  # 0.310 mm
CTAU_DS = _ctau(431)  # 0.150 mm
CTAU_TAU = _ctau(15)  # 0.0870 mm

# --- couplings ------------------------------------------------------------------------
ALPHA_EM = 1.0 / 137.035999084  # fine-structure constant (PDG 2022)
E_CHARGE = math.sqrt(4.0 * math.pi * ALPHA_EM)
G_F = 1.1663787e-11  # Fermi constant in MeV^-2 (PDG 2022)
SIN2_THETA_W = 0.23121  # MS-bar at M_Z (PDG 2022)
M_Z = 91187.6  # MeV
V_UD = 0.97373  # PDG 2022 CKM review, |V_ud|
V_US = 0.2243  # PDG 2022 CKM review, |V_us|
V_CD = 0.221  # PDG 2022 CKM review, |V_cd| = 0.221 ± 0.004
V_CS = 0.975  # PDG 2022 CKM review, |V_cs| = 0.975 ± 0.006
# Top-quark CKM elements, top mass and the Higgs vev for the Higgs-portal scalar (darkbeam.models.higgs_scalar):
# |V_td|, |V_ts| and beta = arg(-V_cd V_cb* / V_td V_tb*) from the PDG 2022 CKM review (sin 2beta = 0.699);
# m_t = 172.69 GeV (PDG 2022, direct measurements); v = (sqrt(2) G_F)^(-1/2) = 246.22 GeV.
V_TD = 8.6e-3
V_TS = 41.5e-3
BETA_CKM = 0.5 * math.asin(0.699)  # rad (22.2 deg): V_td = |V_td| e^{-i beta} in the standard parametrisation
M_TOP = 172.69e3  # MeV
HIGGS_VEV = (math.sqrt(2.0) * G_F) ** -0.5  # MeV, 246.22 GeV
# Decay constants in the f_pi ~ 130 MeV normalisation (FLAG 2021 / PDG 2022 "Leptonic decays").
F_PI = 130.2  # MeV
F_K = 155.7  # MeV
# D and D_s decay constants: FLAG 2021 (Aoki et al., EPJC 82 (2022) 869, arXiv:2111.09849), N_f = 2+1+1 averages,
# as quoted by PDG 2022 "Leptonic decays of charged pseudoscalar mesons": f_D+ = 212.0 ± 0.7, f_Ds = 249.9 ± 0.5 MeV
F_D = 212.0  # MeV
F_DS = 249.9  # MeV
# Neutral-current decay constants of eta, eta' and the vector-meson constants g_V (<0|q-bar gamma^mu q'|V> = g_V eps^mu,
# rho0/omega with the 1/sqrt(2) of their quark content) of Bondarenko, Boyarsky, Gorbunov, Ruchayskiy, JHEP 11 (2018)
# 032, arXiv:1805.08567, its tables of meson decay constants (f_eta, f_eta' in the f_pi ~ 130 MeV normalisation; g in
# GeV^2 there); checked against tau and e+e- data in tests/test_hnl_hadronic.py.
F_ETA = 81.7  # MeV
F_ETAP = -94.7  # MeV
G_RHO = 0.162e6  # MeV^2 (rho+ and rho0)
G_OMEGA = 0.153e6  # MeV^2
G_PHI = 0.234e6  # MeV^2
# tau -> K*(892) nu_tau (PDG 2022: (1.20 +- 0.07) %): fixes g_K* (darkbeam.models.hnl.G_KSTAR)
BR_TAU_KSTAR_NU = 0.0120

# --- branching ratios used for SM normalisation (PDG 2022) --------------------------------
BR_PI_MUNU = 0.9998770
BR_PI_ENU = 1.230e-4
BR_K_MUNU = 0.6356
BR_K_ENU = 1.582e-5
BR_K_PI0_E_NU = 0.0507  # K+ -> pi0 e+ nu (Ke3)
BR_K_PI0_MU_NU = 0.03352  # K+ -> pi0 mu+ nu (Kmu3)
BR_PI0_GG = 0.98823
BR_ETA_GG = 0.3936

# --- unit conversions -------------------------------------------------------------------
HBARC = hu.hbarc  # MeV * mm  (197.327e-12 MeV mm)
HBAR = hu.hbar  # MeV * ns
C_LIGHT = hu.c_light  # mm / ns
INV_MEV2_TO_CM2 = (hu.hbarc**2) / hu.cm2  # 1 MeV^-2 in cm^2 (3.894e-22)
