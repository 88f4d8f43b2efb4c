"""``landtool --help`` imports no command module and none of the slow geodata libraries (issue
13: start-up within 0.3 s, measured by ``benchmarks/bench_startup.py``, not here), and lists
every command with its own one-line help, so the group's table cannot drift from the commands.
"""

import subprocess
import sys

import click
from click.testing import CliRunner

import landtool.cli
from landtool.cli import COMMANDS, main

HEAVY = ("geopandas", "shapely", "pyproj", "pandas", "numpy", "pyogrio", "rasterio")

PROBE = (
    "import sys; import landtool.cli; from click.testing import CliRunner; "
    "r = CliRunner().invoke(landtool.cli.main, {args!r}); print(r.exit_code); "
    f"print(sorted(m for m in {HEAVY!r} if m in sys.modules)); "
    "print(sorted(m for m in sys.modules if m.startswith('landtool.cli.')))"
)


def probe(args: list[str]) -> tuple[str, str, str]:
    out = subprocess.run([sys.executable, "-c", PROBE.format(args=args)],
                         capture_output=True, text=True, check=True)
    code, heavy, commands = out.stdout.strip().splitlines()
    return code, heavy, commands


def test_help_and_version_import_no_geodata_library_and_no_command():
    for args in (["--help"], ["--version"]):
        assert probe(args) == ("0", "[]", "[]"), args


def test_a_command_help_imports_only_its_own_module_and_no_geodata_library():
    # `check` is left out: its module imports the check engine at its top (ISSUE 13 leaves it)
    for args, module in ((["register", "--help"], "landtool.cli.register"),
                         (["workspace", "--help"], "landtool.cli.workspace"),
                         (["area", "--help"], "landtool.cli.layers"),
                         (["corners", "write", "--help"], "landtool.cli.corners"),
                         (["export", "map", "--help"], "landtool.cli.export"),
                         (["rehab", "--help"], "landtool.cli.rehab"),
                         (["sample", "build", "--help"], "landtool.cli.sample")):
        code, heavy, commands = probe(args)
        assert (code, heavy) == ("0", "[]"), args
        assert module in commands and "landtool.cli.check" not in commands, (args, commands)


def _group(commands: dict[str, click.Command] | None, cls=click.Group) -> click.Group:
    """A group like ``main``: with ``commands`` added, or (``None``) lazy and nothing loaded."""
    return cls(name="landtool", commands=commands, callback=main.callback, params=main.params,
               help=main.help, context_settings=main.context_settings)


def test_help_lists_every_command_with_its_own_short_help():
    ctx = click.Context(main)
    names = main.list_commands(ctx)
    assert names == sorted(COMMANDS)
    commands = {name: main.get_command(ctx, name) for name in names}  # imports them all
    assert all(c is not None and c.name == name for name, c in commands.items())
    lazy = _group(None, cls=type(main))
    shown = CliRunner().invoke(lazy, ["--help"], terminal_width=80)
    assert shown.exit_code == 0 and not lazy.commands  # listed from the table alone
    eager = CliRunner().invoke(_group(commands), ["--help"], terminal_width=80)
    assert shown.output == eager.output  # what click prints for the imported commands
    listing = shown.output.split("Commands:\n", 1)[1].splitlines()
    limit = 80 - 6 - max(map(len, names))
    for name, command in commands.items():
        # the table holds the command's whole one-line help; --help shortens it as click does
        assert COMMANDS[name][2] == command.get_short_help_str(limit=10**6), name
        line = next(x for x in listing if x.split()[0] == name)
        assert line.split(None, 1)[1] == command.get_short_help_str(limit), name


def test_a_lazy_command_keeps_the_error_handling(tmp_path):
    # a LandtoolError from a command imported on demand: one message, exit 2
    result = CliRunner().invoke(landtool.cli.main,
                                ["workspace", "info", str(tmp_path / "missing.gpkg")])
    assert result.exit_code == 2 and result.output.startswith("error: ")
    # an unknown command: click's own message
    result = CliRunner().invoke(landtool.cli.main, ["nosuch"])
    assert result.exit_code == 2 and "No such command 'nosuch'" in result.output


def test_a_bug_in_a_lazy_command_writes_the_crash_log(monkeypatch, tmp_path):
    import landtool.cli.workspace as ws_cli

    monkeypatch.setenv("HOME", str(tmp_path))

    def broken(*_args, **_kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(ws_cli, "is_database_url", broken)
    result = CliRunner().invoke(landtool.cli.main, ["workspace", "who", "postgresql://x@h/db"])
    assert result.exit_code == 1 and "internal error: ZeroDivisionError: boom" in result.output
    assert list((tmp_path / ".cache" / "landtool").glob("crash-*.log"))
