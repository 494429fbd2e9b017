"""Scans on a real Dask cluster: a scheduler and workers started on 127.0.0.1 (loopback only), bounded in time.

* results on the cluster equal the serial run bit for bit;
* a worker killed (SIGKILL) while it computes a task loses no point: the task is rerun elsewhere;
* an unreachable scheduler is a one-line InputError within 10 s;
* plugins loaded by the submitting process (not by the workers' environment) are available on the workers.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from darkbeam.errors import InputError
from darkbeam.inference.scan import _load_task_plugins, scan
from darkbeam.io.config import load_config, parse_config

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[1]
MODEL = {"name": "muphilic-scalar", "m_phi": "1 MeV", "m_zprime": "49 MeV", "g_mu": 5e-3, "g_n": 1e-2,
         "lam": "4.4e-4 /MeV"}
GRID = ["m_phi=1 MeV..9 MeV/3:lin", "g_n=1e-4..1e-2/3"]
START_TIMEOUT = 60.0  # seconds for the scheduler / workers to come up


def _cfg():
    return parse_config({"model": MODEL, "experiment": {"modes": ["neutrino"]},
                         "simulation": {"n_mesons": 4000, "n_events": 400, "seed": 5},
                         "fit": {"parameter": "g_n", "bounds": [1e-6, 1.0]}})


def _env():
    env = dict(os.environ)
    env.pop("DARKBEAM_PLUGINS", None)  # the workers know nothing of the submitting process's plugins
    env["OMP_NUM_THREADS"] = "1"
    env["PYTHONWARNINGS"] = "ignore"
    return env


def _worker(address: str, name: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                             "--no-nanny", "--host", "127.0.0.1", "--no-dashboard", "--name", name,
                             "--death-timeout", "60"], env=_env(), stdout=log.open("w"), stderr=subprocess.STDOUT)


def _stop(procs):
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=10)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and two single-threaded workers (no nanny) on 127.0.0.1; yields (address, tmp folder)."""
    d = tmp_path_factory.mktemp("cluster")
    sfile = d / "scheduler.json"
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                               "--port", "0", "--no-dashboard", "--scheduler-file", str(sfile)], env=_env(),
                              stdout=(d / "scheduler.log").open("w"), stderr=subprocess.STDOUT)]
    try:
        t0 = time.monotonic()
        while not (sfile.is_file() and sfile.stat().st_size > 0):
            if time.monotonic() - t0 > START_TIMEOUT or procs[0].poll() is not None:
                pytest.fail("the dask scheduler did not start: " + (d / "scheduler.log").read_text()[-2000:])
            time.sleep(0.2)
        time.sleep(0.2)
        address = json.loads(sfile.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        procs += [_worker(address, f"w{i}", d / f"w{i}.log") for i in range(2)]
        with distributed.Client(address, timeout="20s", set_as_default=False) as c:
            c.wait_for_workers(2, timeout=START_TIMEOUT)
        yield address, d, procs
    finally:
        _stop(procs)


@pytest.fixture(scope="module")
def serial():
    return scan(_cfg(), GRID, backend="serial", cache=None)


def _numbers(res):
    drop = {"worker", "seconds", "notes"}
    return [{k: v for k, v in p.items() if k not in drop} for p in res.points]


def test_cluster_equals_serial_bit_for_bit(cluster, serial, tmp_path):
    address, _, _ = cluster
    res = scan(_cfg(), GRID, scheduler=address, cache=None, output=tmp_path / "s.parquet")
    assert res.backend == "scheduler"
    assert _numbers(res) == _numbers(serial)  # == on floats: bit for bit
    pids = {p["worker"].rsplit(":", 1)[1] for p in res.points}
    assert str(os.getpid()) not in pids  # computed on the workers
    assert len(res.points) == 9 and all(p["chi2"] > 0 for p in res.points)


def test_killed_worker_loses_no_point(cluster, serial, tmp_path):
    address, d, procs = cluster
    victim = _worker(address, "victim", d / "victim.log")
    procs.append(victim)
    killed = {}
    with distributed.Client(address, timeout="20s", set_as_default=False) as c:
        c.wait_for_workers(3, timeout=START_TIMEOUT)
        addr = next(a for a, w in c.scheduler_info(n_workers=-1)["workers"].items() if w["name"] == "victim")

        def kill_mid_scan(result):
            if killed:
                return
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:  # wait until the victim holds a task, then SIGKILL it
                busy = c.processing(workers=[addr]).get(addr) or []
                if busy:
                    killed["tasks"] = list(busy)
                    os.kill(victim.pid, signal.SIGKILL)
                    victim.wait(timeout=10)
                    return
                time.sleep(0.05)
            killed["tasks"] = []

        res = scan(_cfg(), GRID, scheduler=address, cache=None, on_result=kill_mid_scan,
                   output=tmp_path / "k.parquet", flush_seconds=0)
    assert killed.get("tasks"), "the victim worker never held a task: nothing was killed mid-task"
    assert victim.poll() is not None
    assert _numbers(res) == _numbers(serial)  # every point, the same numbers


def test_unreachable_scheduler_is_a_one_line_error_within_10_s(monkeypatch, capsys, tmp_path):
    from darkbeam.cli import main

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cfg = tmp_path / "c.toml"
    cfg.write_text((ROOT / "examples" / "scalar.toml").read_text())
    monkeypatch.setattr(sys, "argv", ["darkbeam", "scan", str(cfg), "--grid", "m_phi=1 MeV", "--no-cache",
                                      "--scheduler", f"tcp://127.0.0.1:{port}"])
    t0 = time.monotonic()
    with pytest.raises(SystemExit) as exc:
        main()
    assert time.monotonic() - t0 < 10.0
    err = capsys.readouterr().err
    assert exc.value.code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "--scheduler" in lines[0] and "reachable Dask scheduler" in lines[0], err
    with pytest.raises(InputError, match="scheduler address"):
        scan(_cfg(), ["m_phi=1 MeV"], scheduler="not an address", cache=None)
    with pytest.raises(InputError, match="--backend"):
        scan(_cfg(), ["m_phi=1 MeV"], scheduler=f"tcp://127.0.0.1:{port}", backend="dask", cache=None)


def test_user_plugins_reach_the_workers(cluster, tmp_path):
    """The bl-boson plugin is loaded here only (the workers' environment has no DARKBEAM_PLUGINS)."""
    from darkbeam.models.plugins import load_plugins

    address, _, _ = cluster
    load_plugins(str(ROOT / "examples" / "plugins" / "bl_boson.py"))
    cfg = load_config(ROOT / "examples" / "bl_boson.toml").with_simulation(n_mesons=4000, n_events=400)
    res = scan(cfg, ["m_zbl=40 MeV,60 MeV"], scheduler=address, cache=None)
    ser = scan(cfg, ["m_zbl=40 MeV,60 MeV"], backend="serial", cache=None)
    assert [p["point"]["m_zbl"] for p in res.points] == [40.0, 60.0]
    assert _numbers(res) == _numbers(ser)


def test_plugin_code_is_shipped_when_the_file_is_absent(tmp_path, monkeypatch):
    """A worker on another machine has no plugin file at the submitting process's path: it loads the code."""
    from darkbeam.models import MODELS

    src = (ROOT / "examples" / "plugins" / "bl_boson.py").read_text()
    src = src.replace('register_model("bl-boson")', 'register_model("bl-boson-shipped")') \
        .replace('name = "bl-boson"', 'name = "bl-boson-shipped"')
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    _load_task_plugins((("/nonexistent/elsewhere/bl_shipped.py", src),))
    assert "bl-boson-shipped" in MODELS
