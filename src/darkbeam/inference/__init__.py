"""Inference: chi^2 against MiniBooNE data, normalisation fits and mass scans."""

from .chi2 import (
    Chi2Result,
    background_frac_syst,
    chi2_eqe,
    chi2_joint,
    chi2_spectrum,
    excess,
    stat_variance,
)
from .fit import FitResult, ScanResult, fit_normalisation, scale_template, scan_masses

__all__ = [
    "Chi2Result",
    "FitResult",
    "ScanResult",
    "background_frac_syst",
    "chi2_eqe",
    "chi2_joint",
    "chi2_spectrum",
    "excess",
    "fit_normalisation",
    "scale_template",
    "scan_masses",
    "stat_variance",
]
