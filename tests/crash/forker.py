"""A fork server for ``silta`` commands: ``python tests/crash/forker.py``.

Importing the ``silta`` command takes seconds of CPU (it pulls in the web app, Faker for the
demo, SQLAlchemy...), which fifty fresh ``python -m silta sync`` processes would pay fifty
times. This process imports the command once and forks a child per command line instead:
each child runs the real ``silta`` command (``silta.cli.main``'s Typer app) from its
arguments to its exit, as its own process with its own pid, so a SIGKILL ends it exactly as
it would end ``python -m silta sync``.

Protocol, one JSON object per line: read ``{"argv": [...], "log": "path"}`` on stdin; write
``{"pid": n}`` once the child runs, then ``{"pid": n, "status": s}`` once it has ended
(``s`` is the exit code, or minus the signal number, as ``subprocess`` reports it). Only one
child runs at a time. An empty line or end of input ends the server.
"""

from __future__ import annotations

import json
import os
import sys

from silta.cli import app


def _run_child(argv: list[str], log: str) -> None:
    """In the child: output to ``log``, run the command, leave with its exit code."""
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    code = 0
    try:
        app(args=argv, prog_name="silta", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except Exception:  # noqa: BLE001 - any crash of the command: its traceback in the log
        import traceback

        traceback.print_exc()
        code = 70
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)  # never return into the server's loop, nor run its exit handlers


def _say(message: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main() -> None:
    for line in sys.stdin:
        if not line.strip():
            return
        command = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _run_child(command["argv"], command["log"])
        _say({"pid": pid})
        _, wait_status = os.waitpid(pid, 0)
        _say({"pid": pid, "status": os.waitstatus_to_exitcode(wait_status)})


if __name__ == "__main__":
    main()
