"""Ending well: a render stopped by a signal leaves no temporary file and the old output intact, and the
workers of a parallel render die with it, even when it is killed with SIGKILL."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from trajectories.support.processes import Stopped, signals_unwind

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="signals and /proc as on Linux")

COMMAND = [sys.executable, "-c", "from trajectories.cli.main import main; main()"]
SLOW_3D = ["render", "fig1_critical_points", "--jobs", "2"]  # a few seconds, frames drawn by two workers


def wait_for(condition, seconds=60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def children(pid):
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def dead(pid):
    """Gone, or a zombie waiting for a reaper (a container's init may never reap it)."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_stops_a_render_cleanly(signum, tmp_path):
    target = tmp_path / "out.gif"
    target.write_bytes(b"an earlier render")
    process = subprocess.Popen([*COMMAND, *SLOW_3D, "-o", str(target)], cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert wait_for(lambda: any(p.name.endswith(".part.gif") for p in tmp_path.iterdir())), "the render began"
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signum
    assert err.splitlines() == [f"trajectories: stopped by {signal.Signals(signum).name}"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.gif"], "the temporary file went"
    assert target.read_bytes() == b"an earlier render"


def test_workers_die_with_a_render_killed_outright(tmp_path):
    process = subprocess.Popen([*COMMAND, *SLOW_3D, "-o", str(tmp_path / "out.gif")], cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert wait_for(lambda: len(children(process.pid)) >= 2), "two workers started"
    workers = children(process.pid)
    process.kill()
    process.wait()
    try:
        assert wait_for(lambda: all(dead(pid) for pid in workers), seconds=10)
    finally:
        for pid in workers:
            if not dead(pid):
                os.kill(pid, signal.SIGKILL)


def test_signals_unwind_raises_in_the_block_and_restores_the_handlers():
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(Stopped) as stopped, signals_unwind():
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # interrupted by the handler
    assert stopped.value.exit_status == 128 + signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_huge_jobs_count_starts_no_more_workers_than_useful(invoke, tmp_path, monkeypatch):
    import multiprocessing

    from trajectories.pipeline import stages as pipeline

    started = []
    fork = type(multiprocessing.get_context("fork"))
    real_pool = fork.Pool

    def counting_pool(self, processes=None, *args, **kwargs):
        started.append(processes)
        return real_pool(self, processes, *args, **kwargs)

    monkeypatch.setattr(fork, "Pool", counting_pool)
    monkeypatch.setattr(pipeline, "useful_workers", lambda: 3)
    scene = tmp_path / "turn.toml"
    scene.write_text('surface = "sphere"\nsteps = 40\n[[optimizers]]\nname = "adam"\n[view]\nview = "wireframe"\n'
                     "grid = 10\n")
    args = ["render", str(scene), "--size", "64x64", "--dpi", "20", "-q"]
    assert invoke(*args, "-j", "1024", "-o", str(tmp_path / "many.gif")).exit_code == 0
    assert started == [3]
    assert invoke(*args, "-j", "1", "-o", str(tmp_path / "one.gif")).exit_code == 0
    assert (tmp_path / "many.gif").read_bytes() == (tmp_path / "one.gif").read_bytes()
    assert invoke(*args, "-j", "1025", "-o", str(tmp_path / "x.gif")).exit_code == 2


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX signal masks")
def test_a_worker_is_forked_with_ctrl_c_held_until_it_ignores_it():
    """Between a fork and die_with_parent, a Ctrl-C to the process group ran the parent's handler in the
    worker, which then unwound through the command and said 'aborted' a second time: a worker forked under
    signals_held is born with SIGINT blocked, and takes it (ignored) only once its own dispositions are set."""
    import multiprocessing

    from trajectories.support.processes import die_with_parent, signals_held

    def child(pipe):
        born = signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, [])
        die_with_parent()
        os.kill(os.getpid(), signal.SIGINT)  # a Ctrl-C now: ignored, and the worker goes on
        pipe.send((born, signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, []),
                   signal.getsignal(signal.SIGINT) == signal.SIG_IGN))

    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    with signals_held():
        process = context.Process(target=child, args=(sending,))
        process.start()
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])  # the parent's mask is back
    assert receiving.recv() == (True, False, True)
    process.join(30)
    assert process.exitcode == 0
