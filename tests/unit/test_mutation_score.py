"""The mutation score script: what counts as killed, survived and equivalent."""

from __future__ import annotations

from tests.mutation_score import equivalent_mutants, score, tally


def test_equivalent_mutants_are_read_from_list_items():
    text = (
        "Intro mentions `app.domain.units.x_convert__mutmut_1` in passing.\n"
        "- `app.domain.units.x_convert__mutmut_7`: reason\n"
        "- `app.domain.units.xǁConversionTablesǁfactor__mutmut_2` — reason\n"
    )
    assert equivalent_mutants(text) == {"app.domain.units.x_convert__mutmut_7",
                                        "app.domain.units.xǁConversionTablesǁfactor__mutmut_2"}


def test_tally_and_score():
    meta = {"exit_code_by_key": {"a__mutmut_1": 1, "a__mutmut_2": 0, "a__mutmut_3": 36, "a__mutmut_4": 5,
                                 "a__mutmut_5": 0, "a__mutmut_6": None, "a__mutmut_7": -11}}
    counts = tally(meta, {"a__mutmut_5"})
    assert counts == {"killed": 2, "survived": 2, "equivalent": 1, "not checked": 1, "other": 1}
    assert score(counts) == 40.0
    assert score(tally({"exit_code_by_key": {}}, set())) is None
