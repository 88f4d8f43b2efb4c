"""Rate files: the shipped illustrative file loads; malformed files are refused clearly."""

from __future__ import annotations

import pytest

from landtool.errors import LandtoolError
from landtool.rehab.rates import (
    TASKS,
    RateConfigError,
    list_rates,
    load_rates,
    rates_dir,
)

SHIPPED = "mn-illustrative-2026"

# -- the shipped file ----------------------------------------------------------------------------


def test_shipped_rate_file_is_marked_illustrative():
    rates = load_rates(SHIPPED)
    assert rates.id == SHIPPED and rates.label() == f"{SHIPPED} 1.0.0"
    assert rates.illustrative is True
    assert "illustrative" in rates.description.lower()
    assert rates.currency == "MNT"
    assert rates.based_on is None
    assert rates.deposit_confirmed is False and "unconfirmed" in rates.deposit_note.lower()
    assert list(rates.tasks) == list(TASKS)
    for name, entry in rates.tasks.items():
        assert entry.task == name
        assert entry.unit == TASKS[name].unit
        assert entry.rate > 0
        assert entry.source == "illustrative: no published Mongolian unit rates (domain brief)"
        assert any("\u0400" <= ch <= "\u04ff" for ch in TASKS[name].title_mn)
    # the flag sits at the top of the file, where a reader sees it first
    text = (rates_dir() / f"{SHIPPED}.toml").read_text(encoding="utf-8")
    first_key = next(ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#"))
    assert first_key.replace(" ", "") == "illustrative=true"


def test_loads_by_id_and_by_path_and_lists():
    assert load_rates(SHIPPED) == load_rates(rates_dir() / f"{SHIPPED}.toml")
    files = sorted(p.stem for p in rates_dir().glob("*.toml"))
    assert [r.id for r in list_rates()] == files  # the id is the file name
    assert SHIPPED in files


def test_unknown_id_lists_the_shipped_ones():
    with pytest.raises(RateConfigError) as info:
        load_rates("mn-rates-1999")
    assert "mn-rates-1999" in str(info.value) and SHIPPED in str(info.value)
    assert isinstance(info.value, LandtoolError)


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.toml"
    with pytest.raises(RateConfigError) as info:
        load_rates(path)
    assert str(path) in str(info.value)


# -- malformed files -----------------------------------------------------------------------------

GOOD = '''\
illustrative = true
id = "test-rates"
version = "0.1.0"
date = 2026-01-01
currency = "MNT"
description = "Test rates."
topsoil_thickness_m = 0.2
monitoring_years = 3
fencing = false
deposit_percent = 50.0

[tasks.backfill]
unit = "m3"
rate = 3500
source = "test"

[tasks.grading]
unit = "ha"
rate = 1200000
source = "test"

[tasks.topsoil]
unit = "m3"
rate = 4500
source = "test"

[tasks.seeding]
unit = "ha"
rate = 1800000
source = "test"

[tasks.fencing]
unit = "m"
rate = 12000
source = "test"

[tasks.mobilisation]
unit = "site"
rate = 2500000
source = "test"

[tasks.monitoring]
unit = "year"
rate = 800000
source = "test"
'''

# name: (old text, new text, what the message must name besides the file)
MALFORMED = {
    "unknown_file_key": ("fencing = false", "fencing = false\nfences = 2", ["fences"]),
    "unknown_task_key": ('rate = 3500\n', 'rate = 3500\nprice = 3\n', ["'backfill'", "price"]),
    "negative_rate": ("rate = 3500\n", "rate = -3500\n", ["'backfill'", "'rate'"]),
    "rate_not_a_number": ("rate = 12000\n", 'rate = "cheap"\n', ["'fencing'", "'rate'"]),
    "unknown_task": ('[tasks.monitoring]', '[tasks.blasting]\nunit = "m3"\nrate = 1\n'
                     'source = "test"\n\n[tasks.monitoring]', ["'blasting'", "'tasks'"]),
    "missing_task": ('[tasks.monitoring]\nunit = "year"\nrate = 800000\nsource = "test"\n', '',
                     ["'monitoring'", "'tasks'"]),
    "wrong_unit": ('unit = "ha"\nrate = 1800000', 'unit = "m2"\nrate = 1800000',
                   ["'seeding'", "'unit'", "m2"]),
    "missing_source": ('rate = 1200000\nsource = "test"', 'rate = 1200000',
                       ["'grading'", "'source'"]),
    "task_says_another": ('unit = "m"\n', 'task = "grading"\nunit = "m"\n',
                          ["'fencing'", "'task'", "grading"]),
    "deposit_over_100": ("deposit_percent = 50.0", "deposit_percent = 150.0",
                         ["deposit_percent"]),
    "missing_illustrative": ("illustrative = true\n", "", ["illustrative"]),
    "bad_currency": ('currency = "MNT"', 'currency = "tugrik"', ["currency"]),
    "bad_toml": ("rate = 4500", "rate = = 4500", ["line"]),
}


def _write(tmp_path, name, text):
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_template_is_valid(tmp_path):
    rates = load_rates(_write(tmp_path, "good", GOOD))
    assert rates.tasks["backfill"].rate == 3500 and rates.tasks["backfill"].task == "backfill"


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_file_names_file_task_and_key(tmp_path, case):
    old, new, named = MALFORMED[case]
    assert GOOD.count(old) == 1, case
    path = _write(tmp_path, case, GOOD.replace(old, new))
    with pytest.raises(RateConfigError) as info:
        load_rates(path)
    text = str(info.value)
    assert info.value.path == path and str(path) in text
    for part in named:
        assert part in text, f"{case}: {part!r} not named in: {text}"


# -- changed rates need a justification ----------------------------------------------------------

def _derived(backfill_rate: str, justification: str | None = None,
             based_on: str = SHIPPED) -> str:
    text = GOOD.replace('id = "test-rates"', f'id = "derived"\nbased_on = "{based_on}"')
    new = f"rate = {backfill_rate}\n"
    if justification is not None:
        new += f'justification = "{justification}"\n'
    return text.replace("rate = 3500\n", new)


def test_a_changed_rate_without_justification_is_refused(tmp_path):
    # 4,000 MNT/m³ for backfill differs from 3,500 in the base: it must be justified
    path = _write(tmp_path, "derived", _derived("4000"))
    with pytest.raises(RateConfigError) as info:
        load_rates(path)
    text = str(info.value)
    for part in (str(path), "'backfill'", "'justification'", "4,000", "3,500", SHIPPED):
        assert part in text, f"{part!r} not named in: {text}"
    # the other tasks have the base's rates and need none
    assert "'grading'" not in text


def test_a_changed_rate_with_justification_loads(tmp_path):
    path = _write(tmp_path, "derived", _derived("4000", "Quote from a Zuunkharaa contractor"))
    rates = load_rates(path)
    assert rates.based_on == SHIPPED and rates.tasks["backfill"].rate == 4000


def test_blank_justification_counts_as_missing(tmp_path):
    path = _write(tmp_path, "derived", _derived("4000", "   "))
    with pytest.raises(RateConfigError, match="justification"):
        load_rates(path)


def test_unchanged_rates_need_no_justification(tmp_path):
    assert load_rates(_write(tmp_path, "derived", _derived("3500"))).based_on == SHIPPED


def test_base_next_to_the_file_is_found_first(tmp_path):
    # a base beside the derived file (an office's own folder) wins over layers/rates
    _write(tmp_path, SHIPPED, GOOD.replace("rate = 3500\n", "rate = 4000\n"))
    assert load_rates(_write(tmp_path, "derived", _derived("4000"))).tasks["backfill"].rate == 4000


def test_unknown_base_names_the_key(tmp_path):
    path = _write(tmp_path, "derived", _derived("3500", based_on="mn-nowhere"))
    with pytest.raises(RateConfigError) as info:
        load_rates(path)
    assert "based_on" in str(info.value) and "mn-nowhere" in str(info.value)
    assert info.value.path == path


def test_a_cycle_of_bases_is_refused(tmp_path):
    _write(tmp_path, "a", _derived("3500", based_on="b"))
    _write(tmp_path, "b", _derived("3500", based_on="a"))
    with pytest.raises(RateConfigError, match="based_on"):
        load_rates(tmp_path / "a.toml")


def test_base_in_another_currency_is_refused(tmp_path):
    path = _write(tmp_path, "derived", _derived("3500").replace('"MNT"', '"USD"'))
    with pytest.raises(RateConfigError) as info:
        load_rates(path)
    assert "currency" in str(info.value) and "USD" in str(info.value)
