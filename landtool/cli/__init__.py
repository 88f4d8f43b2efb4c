"""The ``landtool`` command: one click group; each subcommand parses, calls the library, prints.

Every :class:`~landtool.errors.LandtoolError` becomes one clear message on stderr and exit code
2; an unexpected error prints one line and writes the details to a crash log, never a traceback.
"""

from __future__ import annotations

import os
import re
import sys
import traceback
from datetime import datetime
from pathlib import Path

import click

from landtool import __version__
from landtool.errors import LandtoolError


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except LandtoolError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:  # the reader went away (e.g. `| head`): not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(0)
        except KeyboardInterrupt:
            click.echo("interrupted; nothing was written", err=True)
            ctx.exit(130)
        except Exception as exc:  # a bug: say so plainly, keep the details in a log
            log = _crash_log()
            click.echo(f"internal error: {type(exc).__name__}: {exc}\n"
                       f"  This is a bug in landtool. Details were written to {log}", err=True)
            ctx.exit(1)


def _crash_log() -> Path:
    folder = Path.home() / ".cache" / "landtool"
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / f"crash-{datetime.now():%Y%m%d-%H%M%S}.log"
    text = " ".join(sys.argv) + "\n\n" + traceback.format_exc()
    # never keep a database password (postgresql://user:PASSWORD@host, ?password=...)
    text = re.sub(r"(postgres(?:ql)?://[^:/@\s]*:)[^@\s]*@", r"\1***@", text)
    text = re.sub(r"([?&]password=)[^&\s]*", r"\1***", text)
    log.write_text(text, encoding="utf-8")
    return log


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="landtool")
def main() -> None:
    """landtool: land access for artisanal and small-scale gold mining in Mongolia."""


def _register() -> None:
    from landtool.cli import check, corners, export, layers, register, rehab, sample, workspace

    main.add_command(workspace.workspace)
    main.add_command(check.check)
    main.add_command(rehab.rehab)
    main.add_command(register.register)
    main.add_command(layers.area)
    main.add_command(layers.convert)
    main.add_command(corners.corners)
    main.add_command(export.export)
    main.add_command(sample.sample)
    main.add_command(sample.demo)


_register()
