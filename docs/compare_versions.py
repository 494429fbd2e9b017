"""Before/after numbers of a restructuring: run the same commands on two versions of darkbeam and compare.

    python docs/compare_versions.py --before d3f3891 [--after HEAD] [--out docs/redesign_numbers.md]

Each version is checked out with ``git worktree`` into a temporary directory and run with its own sources
(``PYTHONPATH=<tree>/src``) in this Python environment: the examples' predictions (``darkbeam run``), the
fits of seed 000's Table I benchmarks (``darkbeam fit``), branching ratios (``darkbeam br``) and the ν_μ flux
against the official MiniBooNE flux (``darkbeam flux --compare``). Prints a Markdown table with both values
and their ratio. Takes about 10 minutes per version on two cores.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = ["scalar", "pseudoscalar", "idm_single", "idm_double", "dark_neutrino_bpa", "scalar_microboone"]
FITS = ["scalar", "pseudoscalar", "idm_single", "idm_double"]
BR = {"br_scalar": ["muphilic-scalar", "--set", "m_phi=1 MeV", "--set", "g_mu=5e-3"],
      "br_dark_photon": ["dark-photon", "--set", "m_v=17 MeV", "--set", "epsilon=6e-5"]}


def _run(tree: Path, args: list[str]) -> dict | None:
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    r = subprocess.run([sys.executable, "-m", "darkbeam.cli", *args, "--json"], cwd=tree, env=env,
                       capture_output=True, text=True, check=False)
    if r.returncode != 0:
        print(f"  {' '.join(args)}: exit {r.returncode}: {r.stderr.strip()[-200:]}", file=sys.stderr)
        return None
    return json.loads(r.stdout)


def numbers(tree: Path) -> dict[str, float]:
    """Flat {label: value} of the comparison quantities for one source tree."""
    out: dict[str, float] = {}
    for ex in RUNS:
        print(f"run {ex} in {tree}", file=sys.stderr)
        r = _run(tree, ["run", f"examples/{ex}.toml"])
        if r is None:
            continue
        for mode, m in r["modes"].items():
            out[f"run {ex}: {mode} signal events"] = m["signal_events"]
            if "signal_events_eqe_200_1250" in m:
                out[f"run {ex}: {mode} events 200<E_QE<1250"] = m["signal_events_eqe_200_1250"]
        if "chi2" in r:
            out[f"run {ex}: chi2"] = r["chi2"]
        if "signal_events" in r.get("off_target", {}):
            out[f"run {ex}: off-target events"] = r["off_target"]["signal_events"]
    for ex in FITS:
        print(f"fit {ex} in {tree}", file=sys.stderr)
        r = _run(tree, ["fit", f"examples/{ex}.toml"])
        if r is None:
            continue
        cp = r["best_fit"].get("coupling_product")
        if cp:
            out[f"fit {ex}: best {cp['name']}"] = cp["value"]
        out[f"fit {ex}: chi2/dof"] = r["chi2_per_dof"]
    for label, args in BR.items():
        r = _run(tree, ["br", *args])
        if r is None:
            continue
        for row in r["branching_ratios"]:
            if isinstance(row["value"], float) and row["parent"] in ("pi+", "K+"):
                out[f"{label}: {row['parent']} -> {row['channel']}"] = row["value"]
    r = _run(tree, ["flux", "--experiment", "miniboone", "--species", "nu_mu", "--compare"])
    if r is not None:
        ratios = [x for x in r["official_ratio"] if x is not None]
        edges = r["edges_GeV"]
        sel = [x for x, lo in zip(r["official_ratio"], edges[:-1]) if x is not None and 0.3 <= lo < 2.0]
        out["flux nu_mu / official, mean over 0.3-2 GeV"] = sum(sel) / len(sel)
        out["flux nu_mu / official, bins"] = float(len(ratios))
    return out


def worktree(ref: str, where: Path) -> Path:
    subprocess.run(["git", "worktree", "add", "--detach", str(where), ref], cwd=ROOT, check=True,
                   capture_output=True)
    return where


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", required=True, help="git ref of the earlier version")
    ap.add_argument("--after", default=None, help="git ref of the later version (default: this working tree)")
    ap.add_argument("--out", default=None, help="also write the table to this Markdown file")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        before = numbers(worktree(a.before, Path(tmp) / "before"))
        after = numbers(worktree(a.after, Path(tmp) / "after") if a.after else ROOT)
        subprocess.run(["git", "worktree", "prune"], cwd=ROOT, check=False)
    lines = [f"| quantity | before ({a.before}) | after ({a.after or 'working tree'}) | after/before |",
             "|---|---|---|---|"]
    for k in sorted(set(before) | set(after)):
        b, x = before.get(k), after.get(k)
        ratio = f"{x / b:.4f}" if b not in (None, 0.0) and x is not None else "—"
        fb = "—" if b is None else f"{b:.5g}"
        fx = "—" if x is None else f"{x:.5g}"
        lines.append(f"| {k} | {fb} | {fx} | {ratio} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if a.out:
        Path(a.out).write_text(text)


if __name__ == "__main__":
    main()
