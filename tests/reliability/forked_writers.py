"""Writers for the kill -9 tests, forked from one waiting interpreter instead of started fresh.

A fresh `python` that imports paintrack (SQLAlchemy, Alembic) spends 0.3-0.5 s of CPU before
its first write, and the crash test kills 55 of them. The kills are about the store, not about
Python's start-up: a `Zygote` is an interpreter that has imported the writer's modules once and
then forks a child per writer. Each child is a real process of its own (its own file locks,
its own SQLite connections, opened after the fork), is killed with a real SIGKILL, and still
goes through everything paintrack does from `open_store` on: creating and migrating the file,
writing, committing. Its stdout and stderr go to files, read once it has ended; a line counts
only when complete, as with a pipe.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

# The waiting interpreter. It is single-threaded and holds no database connection, so a fork
# copies nothing that a child could share with another. One request per line on stdin, one
# answer per line on stdout: {"run": ...} forks a child and answers its pid; {"wait": pid}
# reaps that child and answers its exit code (negative: the signal that ended it); {"poll": pid}
# answers the exit code if it has ended, else null.
ZYGOTE = textwrap.dedent(
    """
    import json, os, runpy, sys, traceback
    for name in sys.argv[1:]:
        __import__(name)
    ended = {}
    for line in sys.stdin:
        request = json.loads(line)
        if "wait" in request or "poll" in request:
            pid = request.get("wait", request.get("poll"))
            if pid not in ended:
                done, status = os.waitpid(pid, 0 if "wait" in request else os.WNOHANG)
                if done:
                    ended[pid] = os.waitstatus_to_exitcode(status)
            print(json.dumps(ended.get(pid)), flush=True)
            continue
        pid = os.fork()
        if pid:
            print(json.dumps(pid), flush=True)
            continue
        code = 1
        try:
            os.dup2(os.open(request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 1)
            os.dup2(os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 2)
            os.close(0)
            sys.argv = list(request["argv"])
            if request["module"]:
                runpy.run_module(request["module"], run_name="__main__", alter_sys=True)
            else:
                runpy.run_path(sys.argv[0], run_name="__main__")
            code = 0
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
            if not isinstance(exit.code, int | None):
                print(exit.code, file=sys.stderr)  # as Python itself does
        except BaseException:
            traceback.print_exc()
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    """
)


# What a forked `paintrack` command would otherwise import after the fork, in every child: the
# commands import their modules when they run, and those load SQLAlchemy and its SQLite dialect
# (0.3 s of CPU a child, longer than the import or restore itself).
COMMAND_MODULES = [
    "paintrack.cli",
    "paintrack.commands.common",
    "paintrack.commands.import_diary",
    "paintrack.commands.restore",
    "paintrack.exchange.diary_json",
    "paintrack.operations.clinic",
    "paintrack.store.backup",
    "paintrack.store.merge",
    "paintrack.store.repository",
    "sqlalchemy.dialects.sqlite",
]
STORE_MODULES = ["paintrack.clinical.model", "paintrack.store", "sqlalchemy.dialects.sqlite"]


class Zygote:
    """An interpreter that has imported `preload` and forks writers on request. One thread
    uses it at a time (each kill loop has its own)."""

    def __init__(self, preload: list[str], folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self._count = 0
        self.process = subprocess.Popen(
            [sys.executable, "-c", ZYGOTE, *preload],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def _ask(self, request: dict[str, object]) -> int | None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        assert answer, self._stderr()
        value: int | None = json.loads(answer)
        return value

    def _stderr(self) -> str:
        self.process.kill()
        assert self.process.stderr is not None
        return self.process.stderr.read()

    def start(self, argv: list[str], *, module: str | None = None) -> ForkedWriter:
        """Fork a child that runs `argv[0]` as a script (or `module` as `python -m` does, with
        `argv` as its sys.argv)."""
        self._count += 1
        out = self.folder / f"writer-{self._count}.out"
        err = self.folder / f"writer-{self._count}.err"
        started = time.monotonic()
        pid = self._ask(
            {"run": True, "argv": argv, "module": module, "stdout": str(out), "stderr": str(err)}
        )
        assert pid is not None
        return ForkedWriter(self, pid, out, err, started)

    def wait(self, pid: int) -> int:
        code = self._ask({"wait": pid})
        assert code is not None
        return code

    def poll(self, pid: int) -> int | None:
        """The child's exit code if it has ended (it stays known to `wait`), else None."""
        return self._ask({"poll": pid})

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()

    def __enter__(self) -> Zygote:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class ForkedWriter:
    """One forked writer: wait for its "ready" line, kill it after a delay, or let it finish.
    `lines` are its complete stdout lines but "ready", once it has ended."""

    def __init__(self, zygote: Zygote, pid: int, out: Path, err: Path, started: float) -> None:
        self.zygote, self.pid, self.out, self.err = zygote, pid, out, err
        self.started = started
        self.lines: list[str] = []
        self.returncode: int | None = None
        self.stderr = ""

    def wait_ready(self, timeout: float, line: str = "ready") -> bool:
        """Until it has printed `line` (polled: the output is a file, not a pipe). False, with
        its stderr in `self.stderr`, if it ended without printing it or the time ran out."""
        deadline = time.monotonic() + timeout
        checked = time.monotonic()
        while time.monotonic() < deadline:
            if self.out.exists() and f"{line}\n" in self.out.read_text(errors="replace"):
                return True
            if time.monotonic() - checked > 0.05:  # every 50 ms: has it ended already?
                checked = time.monotonic()
                if self.zygote.poll(self.pid) is not None:
                    break
            time.sleep(0.0005)
        if self.out.exists() and f"{line}\n" in self.out.read_text(errors="replace"):
            return True
        self.stderr = self.err.read_text(errors="replace") if self.err.exists() else ""
        return False

    def kill_after(self, delay: float) -> bool:
        """SIGKILL after `delay` seconds; True if the kill hit it while it ran."""
        time.sleep(delay)
        # Not yet reaped (only `wait` reaps it), so the pid is still this child's.
        os.kill(self.pid, signal.SIGKILL)
        self._ended()
        # It may have finished on its own just before the kill (an import that completed):
        # that is fine, but it is not counted as a kill.
        assert self.returncode in (0, -signal.SIGKILL), self.stderr
        return self.returncode == -signal.SIGKILL

    def finish(self) -> float:
        """Let it run to the end; how many seconds it took from its start."""
        self._ended()
        took = time.monotonic() - self.started
        assert self.returncode == 0, self.stderr
        return took

    def result(self) -> tuple[int, str, str]:
        """Wait for it to end: its exit code, all it wrote to stdout, and its stderr."""
        self._ended()
        assert self.returncode is not None
        out = self.out.read_text(errors="replace") if self.out.exists() else ""
        return self.returncode, out, self.stderr

    def _ended(self) -> None:
        self.returncode = self.zygote.wait(self.pid)
        text = self.out.read_bytes() if self.out.exists() else b""
        complete = text[: text.rfind(b"\n") + 1].decode()  # a line cut off by the kill: unsaid
        self.lines = [line for line in complete.splitlines() if line.strip() != "ready"]
        self.stderr = self.err.read_text(errors="replace") if self.err.exists() else ""
