"""The shipped rulesets load and differ only where intended; malformed files are refused clearly."""

from __future__ import annotations

import pytest

from landtool.check.ruleset import (
    PLACEHOLDERS,
    Ruleset,
    RuleType,
    list_rulesets,
    load_ruleset,
    rulesets_dir,
)
from landtool.errors import RuleConfigError

SHIPPED = ["mn-asm-2010", "mn-asm-2022", "mn-conclusion-2022"]

#: What may decide a result; every other field is wording, sources and notes.
ANSWER_FIELDS = ("type", "enabled", "severity", "params")


def _rules(rs: Ruleset) -> dict:
    return {r.id: r for r in rs.rules}


# -- the shipped rulesets ------------------------------------------------------------------------

def test_every_shipped_ruleset_loads():
    files = sorted(p.stem for p in rulesets_dir().glob("*.toml"))
    assert set(SHIPPED) <= set(files)
    loaded = list_rulesets()
    assert [rs.id for rs in loaded] == files  # the id is the file name
    for rs in loaded:
        assert rs.label() == f"{rs.id} {rs.version}"
        if rs.id in SHIPPED:
            assert rs.version == "1.0.0"
        assert rs.effective_date_note, f"{rs.id}: the effective date's source is not stated"
        for rule in rs.rules:
            assert rule.source and rule.title_mn and rule.message_mn
            assert any("\u0400" <= ch <= "\u04ff" for ch in rule.title_mn + rule.message_mn), \
                f"{rs.id}/{rule.id}: the Mongolian text is not in Cyrillic"


@pytest.mark.parametrize("ruleset_id", SHIPPED)
def test_loads_by_id_and_by_path(ruleset_id):
    by_id = load_ruleset(ruleset_id)
    by_path = load_ruleset(rulesets_dir() / f"{ruleset_id}.toml")
    assert by_id == by_path
    assert by_id.id == ruleset_id


def test_headers():
    r2010, r2022, conc = (load_ruleset(i) for i in SHIPPED)
    assert "308/2010" in r2010.regulation and "308/2010" in r2010.title_en
    assert str(r2010.effective_date) == "2010-01-01"
    assert "not confirmed" in r2010.effective_date_note
    assert "296/2022" in r2022.regulation and str(r2022.effective_date) == "2022-01-01"
    assert r2010.target == r2022.target == "request"
    assert conc.target == "conclusion"
    assert conc.regulation == r2022.regulation and conc.effective_date == r2022.effective_date


def test_2010_and_2022_differ_exactly_where_intended():
    r2010, r2022 = _rules(load_ruleset("mn-asm-2010")), _rules(load_ruleset("mn-asm-2022"))
    assert list(r2010) == list(r2022), "the same rule ids, in the same order"

    answer_diff = {
        rid: [f for f in ANSWER_FIELDS if getattr(r2010[rid], f) != getattr(r2022[rid], f)]
        for rid in r2010
    }
    assert {rid: f for rid, f in answer_diff.items() if f} == {
        "max_area": ["severity"],
        "min_members": ["severity"],
    }
    for rid in ("max_area", "min_members"):
        assert (r2010[rid].severity, r2010[rid].confidence) == ("fail", "confirmed")
        assert (r2022[rid].severity, r2022[rid].confidence) == ("warn", "unconfirmed")
        assert "308/2010" in r2010[rid].source
    assert r2010["max_area"].params.max_ha == r2022["max_area"].params.max_ha == 5.0
    assert r2010["min_members"].params.value == r2022["min_members"].params.value == 5

    # confirmed in 2010 only: the rehabilitation rule (same answer, better source)
    assert r2010["rehabilitation_backlog"].confidence == "confirmed"
    assert "308/2010" in r2010["rehabilitation_backlog"].source
    assert r2022["rehabilitation_backlog"].confidence == "unconfirmed"

    # water, licence, protected area, contract, forest and first come: as in 2022, same sources
    for rid in ("water_special_zone", "water_regular_zone", "no_valid_licence",
                "no_protected_area", "no_active_contract", "no_forest",
                "first_come_first_served"):
        a, b = r2010[rid], r2022[rid]
        assert (a.source, a.confidence, a.message_en, a.message_mn) == \
            (b.source, b.confidence, b.message_en, b.message_mn), rid
    for rid in ("water_special_zone", "water_regular_zone"):
        assert "today's figures" in r2010[rid].note


def test_conclusion_ruleset_checks_only_the_land():
    conc = load_ruleset("mn-conclusion-2022")
    r2022 = _rules(load_ruleset("mn-asm-2022"))
    assert [r.id for r in conc.rules] == ["no_valid_licence", "no_protected_area", "no_forest",
                                          "water_special_zone", "water_regular_zone"]
    forbidden = {RuleType.WITHIN, RuleType.AREA, RuleType.ATTRIBUTE,
                 RuleType.REHABILITATION_BACKLOG, RuleType.PRIORITY}
    assert not {r.type for r in conc.rules} & forbidden
    for rule in conc.rules:
        # the same check as for requests, worded for a proposed conclusion area
        ref = r2022[rule.id]
        assert [getattr(rule, f) for f in ANSWER_FIELDS] == [getattr(ref, f) for f in ANSWER_FIELDS]
        assert (rule.source, rule.confidence) == (ref.source, ref.confidence)
        assert "proposed conclusion area" in rule.message_en
        assert "дүгнэлтийн талбай" in rule.message_mn


# -- malformed files -----------------------------------------------------------------------------

GOOD = '''\
id = "test-ruleset"
version = "0.1.0"
title_en = "Test"
title_mn = "Туршилт"
regulation = "None"
effective_date = 2022-01-01

[[rules]]
id = "no_forest"
type = "no_overlap"
severity = "fail"
title_en = "Not in forested land"
title_mn = "Ойн сан бүхий газарт хамаарахгүй байх"
message_en = "Overlaps forested land {ids} ({overlap_ha:.2f} ha)."
message_mn = "Ойн сан бүхий газар {ids}-тай давхцаж байна ({overlap_ha:.2f} га)."
source = "Long Name Law 2009"
confidence = "confirmed"
[rules.params]
layers = ["forest"]
sliver_m2 = 10.0

[[rules]]
id = "water_special_zone"
type = "min_distance"
severity = "fail"
title_en = "Outside the special protection zone of water (50 m)"
title_mn = "Усны тусгай хамгаалалтын бүсээс (50 м) гадна байх"
message_en = "Lies {nearest_m:.0f} m from {ids}."
message_mn = "{ids}-аас {nearest_m:.0f} м-т оршино."
source = "Water Law, article 22.1"
confidence = "confirmed"
[rules.params]
layers = ["water_lines"]
distance_m = 50.0
'''

# name: (old text, new text, what the message must name besides the file)
MALFORMED = {
    "unknown_rule_key": ('severity = "fail"\ntitle_en = "Not in', 'severity = "fail"\n'
                         'severeness = 2\ntitle_en = "Not in', ["'no_forest'", "severeness"]),
    "unknown_param_key": ('sliver_m2 = 10.0', 'sliver_m2 = 10.0\nbuffer_m = 5',
                          ["'no_forest'", "buffer_m"]),
    "param_of_another_type": ('sliver_m2 = 10.0', 'sliver_m2 = 10.0\nmax_ha = 5',
                              ["'no_forest'", "max_ha"]),
    "wrong_type": ('distance_m = 50.0', 'distance_m = "fifty"',
                   ["'water_special_zone'", "distance_m"]),
    "wrong_type_in_rule": ('confidence = "confirmed"\n[rules.params]\nlayers = ["forest"]',
                           'confidence = "sure"\n[rules.params]\nlayers = ["forest"]',
                           ["'no_forest'", "confidence"]),
    "unknown_rule_type": ('type = "no_overlap"', 'type = "not_in"', ["'no_forest'", "type"]),
    "duplicate_rule_id": ('id = "water_special_zone"', 'id = "no_forest"',
                          ["'no_forest'", "id"]),
    "placeholder_not_provided": ('({overlap_ha:.2f} ha).', '({area_ha:.2f} ha).',
                                 ["'no_forest'", "message_en", "area_ha"]),
    "bad_toml": ('distance_m = 50.0', 'distance_m = = 50.0', ["line"]),
}


def test_the_template_is_valid(tmp_path):
    path = tmp_path / "good.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert [r.id for r in load_ruleset(path).rules] == ["no_forest", "water_special_zone"]


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_file_names_file_rule_and_key(tmp_path, case):
    old, new, named = MALFORMED[case]
    assert GOOD.count(old) == 1, case
    path = tmp_path / f"{case}.toml"
    path.write_text(GOOD.replace(old, new), encoding="utf-8")
    with pytest.raises(RuleConfigError) as info:
        load_ruleset(path)
    text = str(info.value)
    assert str(path) in text
    assert info.value.path == path
    for part in named:
        assert part in text, f"{case}: {part!r} not named in: {text}"


def test_unknown_ruleset_id_lists_the_shipped_ones():
    with pytest.raises(RuleConfigError) as info:
        load_ruleset("mn-asm-1999")
    text = str(info.value)
    assert "mn-asm-1999" in text
    for ruleset_id in SHIPPED:
        assert ruleset_id in text


def test_missing_file_is_a_rule_config_error(tmp_path):
    path = tmp_path / "nowhere.toml"
    with pytest.raises(RuleConfigError) as info:
        load_ruleset(path)
    assert str(path) in str(info.value)


def test_every_placeholder_in_the_shipped_messages_is_provided():
    # the loader checks this; here the other way round too: no message names a key by mistake
    import string

    for rs in list_rulesets():
        for rule in rs.rules:
            allowed = PLACEHOLDERS[rule.type] | set(type(rule.params).model_fields)
            for text in (rule.message_en, rule.message_mn):
                names = {n.split(".")[0] for _, n, _, _ in string.Formatter().parse(text) if n}
                assert names <= allowed, (rs.id, rule.id, names - allowed)
                assert names, (rs.id, rule.id, "a message without any figure")
