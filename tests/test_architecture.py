"""The house keeps its shape: floors only look down, and no room grows into a hall."""
from pathlib import Path

from importlinter.cli import lint_imports

PROJECT = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 600


def test_no_package_imports_from_a_floor_above_it(capsys):
    """The layers contract in .importlinter; a failure names the import that runs upward."""
    exit_code = lint_imports(config_filename=str(PROJECT / ".importlinter"), no_cache=True,
                             no_logo=True)
    report = capsys.readouterr().out
    assert exit_code == 0, report


def test_no_module_is_longer_than_a_newcomer_can_read():
    too_long = {
        str(path.relative_to(PROJECT)): lines
        for path in (PROJECT / "campaign").rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not too_long, f"modules over {MAX_MODULE_LINES} lines: {too_long}"
