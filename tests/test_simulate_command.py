"""`snow-preflight simulate` with bad inputs, and its clean stop, through the real command in a real process."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

COMMAND = [sys.executable, "-m", "snow_preflight", "simulate"]
USAGE_ERROR = 4


def simulate(
    *args: str, env: dict[str, str] | None = None, prefix: tuple[str, ...] = ()
) -> tuple[int, list[str]]:
    """Run the command to its end: its exit status and its stderr lines."""
    done = subprocess.run(
        [*prefix, *COMMAND, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    return done.returncode, done.stderr.splitlines()


def assert_one_line_error(status: int, stderr: list[str], *words: str) -> None:
    assert status == USAGE_ERROR, stderr
    assert len(stderr) == 1, stderr
    assert stderr[0].startswith("snow-preflight: error: ")
    assert "Traceback" not in stderr[0]
    for word in words:
        assert word in stderr[0]


def env_with(tmp: Path, **extra: str) -> dict[str, str]:
    """The test's environment with TMPDIR pointed at a folder of its own (to see what is left behind)."""
    return {**os.environ, "TMPDIR": str(tmp), **extra}


@pytest.mark.parametrize("port", ["70000", "-1"])
def test_port_out_of_range(port: str) -> None:
    """A port outside 0-65535 is a one-line usage error (exit 4) that names the port and the range."""
    status, stderr = simulate("--port", port)
    assert_one_line_error(status, stderr, f"port {port} is out of range 0-65535", "0 for any free port")


def test_port_in_use() -> None:
    """A port another program listens on is a one-line usage error (exit 4) saying it is in use."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        status, stderr = simulate("--port", str(port))
    assert_one_line_error(status, stderr, f"port {port} is in use by another program", "pick another port")


def _unprivileged_port_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_unprivileged_port_start").read_text())
    except (OSError, ValueError):
        return 1024


def test_privileged_port() -> None:
    """A port below 1024 without the privilege to bind it is a one-line usage error (exit 4) naming the fix."""
    if _unprivileged_port_start() <= 80:
        pytest.skip("this kernel lets every user bind port 80")
    prefix: tuple[str, ...] = ()
    if os.geteuid() == 0:
        # Root may bind port 80: run the command as root without CAP_NET_BIND_SERVICE, as an ordinary user is.
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root and util-linux setpriv is missing to drop CAP_NET_BIND_SERVICE")
        prefix = (setpriv, "--inh-caps=-net_bind_service", "--bounding-set=-net_bind_service")
    status, stderr = simulate("--port", "80", prefix=prefix)
    assert_one_line_error(status, stderr, "port 80 needs root privileges", "pick a port above 1023")


def test_unknown_scenario() -> None:
    """An unknown scenario is a one-line usage error (exit 4) that lists the known ones."""
    status, stderr = simulate("--scenario", "no_such_scenario")
    assert_one_line_error(status, stderr, "unknown scenario 'no_such_scenario'", "healthy")


def test_tls_without_cryptography(tmp_path: Path) -> None:
    """--tls where `import cryptography` fails is a one-line usage error (exit 4), and leaves no TLS folder."""
    shadow = tmp_path / "shadow" / "cryptography"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text('raise ImportError("cryptography is not installed here")\n')
    temp = tmp_path / "tmp"
    temp.mkdir()
    path = os.pathsep.join(filter(None, [str(shadow.parent), os.environ.get("PYTHONPATH", "")]))
    status, stderr = simulate("--tls", env=env_with(temp, PYTHONPATH=path))
    assert_one_line_error(status, stderr, "--tls needs the 'cryptography' package", "snow-preflight[tls]")
    assert list(temp.iterdir()) == []


def test_sigterm_removes_the_tls_folder(tmp_path: Path) -> None:
    """SIGTERM stops `simulate --tls` cleanly: it exits 0, with no traceback, and its CA folder is gone."""
    pytest.importorskip("cryptography")
    temp = tmp_path / "tmp"
    temp.mkdir()
    with subprocess.Popen(
        [*COMMAND, "--tls", "--scenario", "healthy"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env_with(temp),
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        ca_path: Path | None = None
        for line in process.stdout:
            if line.strip().startswith("CA certificate:"):
                ca_path = Path(line.split(":", 1)[1].strip())
            if line.startswith("Press Ctrl-C"):
                break
        else:
            process.kill()
            pytest.fail(f"the simulator stopped before it was ready: {process.stderr.read()}")
        assert ca_path is not None
        assert ca_path.is_file()
        assert ca_path.parent.parent == temp
        process.send_signal(signal.SIGTERM)
        status = process.wait(timeout=20)
        stderr = process.stderr.read()
    assert status == 0, stderr
    assert "Traceback" not in stderr
    assert not ca_path.parent.exists()
    assert list(temp.iterdir()) == []
