import math

import pytest

from ganviz.core import config, presets


@pytest.mark.parametrize("mode", ["1d", "mnist"])
def test_defaults_are_valid_and_match_the_schema(mode):
    values = config.defaults(mode)
    assert list(values) == [s.name for s in config.SETTINGS if mode in s.modes]
    assert config.validate(values, mode) == values


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("lr_d", 5.0, "lr_d: 5 is out of range; expected a number from 1e-05 to 1"),
        ("lr_g", 0.0, "lr_g: 0 is out of range"),
        ("k", 0, "k: 0 is out of range; expected a whole number from 1 to 50"),
        ("k", 51, "k: 51 is out of range"),
        ("k", 2.5, "k: expected a whole number from 1 to 50, got 2.5"),
        ("batch_size", "many", "batch_size: 'many' is not a number"),
        ("target_sigma", math.nan, "target_sigma: expected a number"),
        ("target_mean", math.inf, "target_mean: expected a number"),
        ("seed", -1, "seed: -1 is out of range"),
        ("k", True, "k: expected a whole number"),
    ],
)
def test_bad_values_are_refused_with_one_line_naming_the_setting(name, value, fragment):
    with pytest.raises(config.SettingError) as info:
        config.validate({name: value})
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message


def test_parse_assignment_converts_types():
    assert config.parse_assignment("lr_d=2e-4") == ("lr_d", 2e-4)
    assert config.parse_assignment("k=3") == ("k", 3)
    assert config.parse_assignment("batch_size=1e3") == ("batch_size", 1000)
    assert config.parse_assignment("k_d=4") == ("k", 4)  # alias used by later presets


@pytest.mark.parametrize("text", ["lr_d", "=3", "nope=1", "k=", "k=nan"])
def test_parse_assignment_refuses_malformed_input(text):
    with pytest.raises(config.SettingError):
        config.parse_assignment(text)


def test_unknown_setting_lists_the_known_ones():
    with pytest.raises(config.SettingError, match="known settings: loss, lr_d, lr_g, optimizer_d"):
        config.lookup("learning_rate")


def test_presets_have_valid_settings_and_two_sentence_descriptions():
    assert presets.DEFAULT_PRESET == "gaussian"
    for preset in presets.PRESETS.values():
        preset.settings()  # validates the overrides
        assert preset.description.count(". ") >= 1
    gaussian = presets.get("gaussian").settings()
    assert (gaussian["target_mean"], gaussian["target_sigma"]) == (4.0, 0.5)
    with pytest.raises(config.SettingError, match="unknown preset 'nope'; known presets: gauss"):
        presets.get("nope")
