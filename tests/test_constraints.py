"""Exotic-decay constraints (seed 000 Table II, NA62, PIENU, PDG) at a model point: data, evaluation, CLI."""

from __future__ import annotations

import dataclasses
import json
import math
import sys

import pytest

from darkbeam.cli import main
from darkbeam.errors import InputError
from darkbeam.inference.constraints import (
    CONSTRAINTS,
    STATUS_ALLOWED,
    STATUS_EXCLUDED,
    STATUS_NO_CHANNEL,
    Constraint,
    Limit,
    constraint_from_dict,
    evaluate_constraints,
    load_constraints,
    mean_survival_probability,
    registered_constraints,
)
from darkbeam.models import get_model

#: seed 000 Table II "limit (×1e-8)" column, by darkbeam constraint name
SEED_TABLE_II = {
    "NA62 K->mu nu X (inv), vector": 2000e-8,
    "NA62 K->mu nu X (inv), scalar": 300e-8,
    "K->e nu X (inv) [PDG K->e nu nu nubar]": 6000e-8,
    "K->mu nu ee [PDG]": 7.4e-8,
    "K->e nu ee [PDG]": 2.7e-8,
    "PIENU pi->mu nu X (inv)": 600e-8,
    "PIENU pi->e nu X (inv)": 50e-8,
    "pi->e nu ee [PDG]": 0.37e-8,
}
#: seed 000 Table II couplings of the long-lived scalar (Table I benchmark (m_Z', m_phi) = (49, 1) MeV)
SCALAR = {"m_phi": "1 MeV", "m_zprime": "49 MeV", "g_mu": "5e-3", "g_n": "1e-2", "lam": "4.4e-4 /MeV"}
PSEUDO = {"m_a": "1 MeV", "m_zprime": "85 MeV", "g_mu": "1e-2", "g_n": "1e-2", "lam": "6.5e-3 /MeV"}
ROW_KEYS = {"name", "process", "parent", "lepton", "signature", "basis", "m_X_MeV", "production_br",
            "signature_fraction", "predicted_br", "limit", "cl", "limit_type", "normalisation", "mass_range_MeV",
            "detector_length_m", "parent_momentum_MeV", "status", "reason", "citation", "value_source", "note",
            "warnings"}


def by_name(rows):
    return {r["name"]: r for r in rows}


def outside(lo, hi):
    return f"not applicable (m_X outside [{lo:.4g}, {hi:.4g}] MeV)"


# --- the data file ------------------------------------------------------------------------------
def test_packaged_constraints_are_the_seed_table_ii_numbers_with_citations():
    default = registered_constraints()
    assert [c.name for c in default] == list(SEED_TABLE_II)
    for c in default:
        assert c.limit.type == "flat" and c.limit.value == pytest.approx(SEED_TABLE_II[c.name], rel=1e-12)
        assert c.cl == 0.90
    every = registered_constraints(include_proxies=True)
    assert len(every) == len(CONSTRAINTS) == 11
    for c in every:
        assert c.citation and c.value_source and c.note and c.mass_range_source and c.detector_length_note
        lo, hi = c.mass_range()
        assert 0.0 <= lo < hi <= c.kinematic_endpoint()
    # the stated ranges: NA62 10-370 MeV, PIENU 0-33.9 (mu) / 0-120 (e), K -> mu nu ee above m_ee = 145 MeV
    assert CONSTRAINTS.get("NA62 K->mu nu X (inv), scalar").mass_range() == (10.0, 370.0)
    assert CONSTRAINTS.get("PIENU pi->mu nu X (inv)").mass_range() == (0.0, 33.9)
    assert CONSTRAINTS.get("PIENU pi->e nu X (inv)").mass_range() == (0.0, 120.0)
    assert CONSTRAINTS.get("K->mu nu ee [PDG]").mass_range()[0] == 145.0
    assert CONSTRAINTS.get("K->e nu ee [PDG]").mass_range()[0] == pytest.approx(2 * 0.51099895, rel=1e-6)
    # the opt-in proxies (abstract-level numbers of NA62 and PIENU)
    assert {c.name: c.limit.value for c in every if not c.default} == {
        "NA62 K->mu nu nu nubar (proxy)": 1.0e-6, "PIENU pi->mu nu nu nubar (proxy)": 8.6e-6,
        "PIENU pi->e nu nu nubar (proxy)": 1.6e-7}
    assert CONSTRAINTS.get("NA62 K->mu nu X (inv), vector").parent_momentum_MeV == 75000.0


# --- seed 000 Table II benchmarks -----------------------------------------------------------------
def test_seed_scalar_benchmark_satisfies_the_limits_the_seed_checks():
    rows = by_name(evaluate_constraints(get_model("muphilic-scalar", SCALAR)))
    # pi -> mu nu phi: seed 120e-8 against 600e-8
    pienu = rows["PIENU pi->mu nu X (inv)"]
    assert pienu["status"] == STATUS_ALLOWED
    assert pienu["predicted_br"] == pytest.approx(120e-8, rel=0.02)
    assert pienu["signature_fraction"] == pytest.approx(1.0, abs=1e-3)  # phi (1 MeV, gamma gamma only) escapes
    assert pienu["limit"] == 600e-8
    # seed footnote 5: the K -> mu nu phi limits start at 10 MeV, above m_phi = 1 MeV
    assert rows["NA62 K->mu nu X (inv), scalar"]["status"] == outside(10, 370)
    assert rows["NA62 K->mu nu X (inv), vector"]["status"] == STATUS_NO_CHANNEL
    # no electron coupling: the e channels are allowed with a zero prediction (seed: "-")
    for name in ("PIENU pi->e nu X (inv)", "K->e nu X (inv) [PDG K->e nu nu nubar]"):
        assert rows[name]["status"] == STATUS_ALLOWED and rows[name]["predicted_br"] == 0.0
    # phi (1 MeV) cannot decay to e+e-: the ee rows do not apply (seed: "-")
    for name in ("K->mu nu ee [PDG]", "K->e nu ee [PDG]", "pi->e nu ee [PDG]"):
        assert rows[name]["status"].startswith("not applicable (m_X outside")
        assert rows[name]["predicted_br"] is None and rows[name]["limit"] is None
    # the seed's own comparison K -> mu nu phi 230e-8 < 300e-8, with the limit extended down to 1 MeV
    extended = dataclasses.replace(CONSTRAINTS.get("NA62 K->mu nu X (inv), scalar"), mass_min_MeV=0.0)
    (k,) = evaluate_constraints(get_model("muphilic-scalar", SCALAR), constraints=[extended])
    assert k["status"] == STATUS_ALLOWED
    assert k["production_br"] == pytest.approx(230e-8, rel=0.02)
    assert k["predicted_br"] == pytest.approx(230e-8, rel=0.02)


def test_seed_pseudoscalar_benchmark():
    m = get_model("muphilic-pseudoscalar", PSEUDO)
    rows = by_name(evaluate_constraints(m))
    assert rows["PIENU pi->mu nu X (inv)"]["status"] == STATUS_ALLOWED
    assert rows["PIENU pi->mu nu X (inv)"]["predicted_br"] == pytest.approx(1.1e-8, rel=0.02)
    extended = dataclasses.replace(CONSTRAINTS.get("NA62 K->mu nu X (inv), scalar"), mass_min_MeV=0.0)
    (k,) = evaluate_constraints(m, constraints=[extended])
    assert k["status"] == STATUS_ALLOWED and k["predicted_br"] == pytest.approx(100e-8, rel=0.02)


def test_large_coupling_is_excluded_and_tiny_coupling_allowed():
    big = by_name(evaluate_constraints(get_model("muphilic-scalar", {**SCALAR, "g_mu": "5e-2"})))
    assert big["PIENU pi->mu nu X (inv)"]["status"] == STATUS_EXCLUDED
    assert big["PIENU pi->mu nu X (inv)"]["predicted_br"] > 10 * 600e-8
    # at 10 MeV (inside NA62's range) with the kaon boost phi still escapes 100 m often enough
    na62 = by_name(evaluate_constraints(get_model("muphilic-scalar", {"m_phi": "10 MeV", "g_mu": "2e-2"})))
    assert na62["NA62 K->mu nu X (inv), scalar"]["status"] == STATUS_EXCLUDED
    # a vector: half-invisible V1 (BR(V1 -> chi chi) = 0.5), lepton-only amplitude, large mixing
    v = by_name(evaluate_constraints(get_model("vector-idm", {"eps1": "3e-2", "amplitude": "lepton"})))
    assert v["NA62 K->mu nu X (inv), vector"]["status"] == STATUS_EXCLUDED
    assert v["NA62 K->mu nu X (inv), vector"]["signature_fraction"] == pytest.approx(0.5, abs=1e-6)
    tiny = evaluate_constraints(get_model("muphilic-scalar", {**SCALAR, "g_mu": "1e-6", "g_e": "1e-6"}),
                                include_proxies=True)
    assert all(r["status"] in (STATUS_ALLOWED, STATUS_NO_CHANNEL) or r["status"].startswith("not applicable (m_X")
               for r in tiny)
    assert sum(r["status"] == STATUS_ALLOWED for r in tiny) >= 4


@pytest.mark.parametrize("m_phi", ["0.5 MeV", "5 MeV", "34 MeV", "50 MeV", "121 MeV", "300 MeV", "380 MeV"])
def test_never_allowed_outside_the_mass_range(m_phi):
    rows = evaluate_constraints(get_model("muphilic-scalar", {"m_phi": m_phi, "g_mu": "1e-3", "g_e": "1e-4"}),
                                include_proxies=True)
    for r in rows:
        lo, hi = r["mass_range_MeV"]
        inside = lo <= r["m_X_MeV"] <= hi
        if r["status"] in (STATUS_ALLOWED, STATUS_EXCLUDED):
            assert inside, r
            assert r["predicted_br"] is not None and r["limit"] is not None
        elif r["status"] != STATUS_NO_CHANNEL:
            assert not inside and r["status"] == outside(lo, hi), r
    if m_phi == "50 MeV":
        assert by_name(rows)["PIENU pi->mu nu X (inv)"]["status"] == outside(0, 33.9)
        assert by_name(rows)["PIENU pi->e nu X (inv)"]["status"] in (STATUS_ALLOWED, STATUS_EXCLUDED)


def test_model_without_charged_meson_production_is_not_applicable_everywhere():
    rows = evaluate_constraints(get_model("dark-neutrino", {}), include_proxies=True)
    assert len(rows) == 11
    assert all(r["status"] == STATUS_NO_CHANNEL and r["predicted_br"] is None for r in rows)
    assert all("declares no production channel" in r["reason"] for r in rows)


def test_signatures():
    # dark photon (17 MeV): V -> e+e- promptly; nothing invisible
    rows = by_name(evaluate_constraints(get_model("dark-photon", {"m_v": "17 MeV", "epsilon": "1e-3"})))
    assert rows["NA62 K->mu nu X (inv), vector"]["signature_fraction"] == pytest.approx(0.0, abs=1e-12)
    ee = rows["pi->e nu ee [PDG]"]
    assert ee["status"] == STATUS_ALLOWED and ee["signature_fraction"] == pytest.approx(1.0, abs=1e-3)
    assert ee["predicted_br"] == pytest.approx(ee["production_br"], rel=1e-3)
    # survival: 1 for a stable X, falls with the length, rises with the parent's momentum
    m = get_model("muphilic-scalar", {"m_phi": "10 MeV", "g_mu": "1e-2"})
    gam = sum(m.decays()["phi"].widths.values())
    assert mean_survival_probability(m, "K+", "mu", 1e5, 0.0) == 1.0
    s1, s2 = mean_survival_probability(m, "K+", "mu", 1e4, gam), mean_survival_probability(m, "K+", "mu", 1e5, gam)
    boosted = mean_survival_probability(m, "K+", "mu", 1e5, gam, parent_momentum=75000.0)
    assert 0.0 < s2 < s1 < 1.0 and s2 < boosted < 1.0
    # stopped pion, slow X: the average of exp(-L m Gamma/(p hbar c)) lies between its values at the extreme p
    p_max = (139.57039**2 + 10.0**2 - 105.6583755**2) / (2 * 139.57039)
    p_max = math.sqrt(p_max**2 - 10.0**2)
    from darkbeam.constants import HBARC

    s = mean_survival_probability(m, "pi+", "mu", 1e3, gam)
    assert s < math.exp(-1e3 * 10.0 * gam / (p_max * HBARC))


def test_limit_curves_and_custom_constraints():
    lim = Limit("curve", m_MeV=(10.0, 100.0), values=(1e-5, 1e-7))
    assert lim.at(55.0) == pytest.approx(1e-6, rel=1e-12)  # linear in log10(limit)
    assert lim.at(10.0) == pytest.approx(1e-5) and lim.at(5.0) is None
    c = Constraint("toy", "pi+", "mu", "invisible", lim, "toy citation", mass_min_MeV=10.0, mass_max_MeV=30.0)
    m = get_model("muphilic-scalar", {"m_phi": "20 MeV", "g_mu": "1e-4"})
    (r,) = evaluate_constraints(m, constraints=[c])
    assert r["limit"] == pytest.approx(lim.at(20.0)) and r["limit_type"] == "curve"
    (r5,) = evaluate_constraints(get_model("muphilic-scalar", {"m_phi": "5 MeV", "g_mu": "1e-4"}), constraints=[c])
    assert r5["status"] == outside(10, 30)


@pytest.mark.parametrize("patch,needle", [
    ({"signature": "gamma gamma"}, "signature"),
    ({"parent": "D+"}, "parent"),
    ({"mass_range_MeV": [50, 20]}, "mass_range_MeV"),
    ({"mass_range_MeV": [0, 500]}, "mass_range_MeV"),
    ({"limit": {"type": "flat", "value": -1}}, "limit.value"),
    ({"limit": {"type": "curve", "m_MeV": [1, 1], "values": [1e-6, 1e-6]}}, "m_MeV"),
    ({"colour": "red"}, "key"),
])
def test_bad_constraint_entries_are_input_errors(patch, needle):
    good = {"name": "x", "parent": "pi+", "lepton": "mu", "signature": "invisible",
            "limit": {"type": "flat", "value": 1e-6}, "citation": "c"}
    constraint_from_dict(good)
    with pytest.raises(InputError, match=needle):
        constraint_from_dict({**good, **patch})


def test_bad_constraints_file(tmp_path):
    p = tmp_path / "c.json"
    p.write_text("{not json")
    with pytest.raises(InputError, match="valid JSON"):
        load_constraints(str(p))
    p.write_text(json.dumps({"constraints": [{"name": "a", "parent": "pi+", "lepton": "mu", "signature": "ee",
                                               "limit": {"type": "flat", "value": 1e-6}, "citation": "c"}] * 2}))
    with pytest.raises(InputError, match="unique"):
        load_constraints(str(p))


def test_rows_json_contract():
    rows = evaluate_constraints(get_model("muphilic-scalar", SCALAR), include_proxies=True)
    for r in rows:
        assert ROW_KEYS <= set(r)
        assert r["status"] in (STATUS_ALLOWED, STATUS_EXCLUDED, STATUS_NO_CHANNEL) or r["status"].startswith(
            "not applicable (m_X outside [")
    assert json.loads(json.dumps(rows)) == rows


# --- command line ---------------------------------------------------------------------------------
def run_cli(monkeypatch, capsys, *args):
    monkeypatch.setattr(sys, "argv", ["darkbeam", "constraints", *args])
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_default_config_json_and_text(monkeypatch, capsys):
    code, out, err = run_cli(monkeypatch, capsys, "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert isinstance(rows, list) and len(rows) == 8
    assert all(ROW_KEYS <= set(r) and r["model"] == "muphilic-scalar" for r in rows)
    assert by_name(rows)["PIENU pi->mu nu X (inv)"]["status"] == STATUS_ALLOWED
    code, out, _ = run_cli(monkeypatch, capsys, "--proxies")
    assert code == 0
    assert "PIENU pi->mu nu X (inv)" in out and "allowed" in out and "Phys. Rev. D 103 (2021) 052006" in out
    assert "NA62 K->mu nu nu nubar (proxy)" in out


def test_cli_config_model_and_set(monkeypatch, capsys, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[model]\nname = "muphilic-scalar"\nm_phi = "1 MeV"\ng_mu = 5e-2\n')
    code, out, err = run_cli(monkeypatch, capsys, str(cfg), "--json")
    assert code == 0, err
    assert by_name(json.loads(out))["PIENU pi->mu nu X (inv)"]["status"] == STATUS_EXCLUDED
    code, out, err = run_cli(monkeypatch, capsys, str(cfg), "--set", "g_mu=1e-4", "--json")
    assert code == 0, err
    assert by_name(json.loads(out))["PIENU pi->mu nu X (inv)"]["status"] == STATUS_ALLOWED
    code, out, err = run_cli(monkeypatch, capsys, "--model", "dark-neutrino", "--json")
    assert code == 0, err
    assert all(r["status"] == STATUS_NO_CHANNEL for r in json.loads(out))


@pytest.mark.parametrize("args,needle", [
    (["--model", "no-such-model"], "no-such-model"),
    (["--model", "muphilic-scalar", "--set", "m_phi=5"], "m_phi"),
    (["--set", "bogus=1"], "bogus"),
    (["/no/such/config.toml"], "config file"),
    (["CFG", "--model", "dark-photon"], "--model"),
])
def test_cli_bad_input_is_one_line_exit_2(monkeypatch, capsys, tmp_path, args, needle):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[model]\nname = "muphilic-scalar"\n')
    args = [str(cfg) if a == "CFG" else a for a in args]
    code, out, err = run_cli(monkeypatch, capsys, *args)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in err
