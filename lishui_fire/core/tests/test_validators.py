"""Identifier validators: USCC (GB 32100-2015), resident ID number (GB 11643-1999), mobile numbers.

Property tests generate codes the way the standards define them and check that the checksum
catches every single-character mistake; examples pin the shapes people actually type.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import example, given
from hypothesis import strategies as st

from lishui_fire.core.validators import (
    ID_CHECK_CHARS,
    USCC_CHARSET,
    id_check_char,
    is_valid_id_number,
    is_valid_mainland_mobile,
    is_valid_uscc,
    normalise_code,
    uscc_check_char,
    validate_id_number,
    validate_mainland_mobile,
    validate_uscc,
)

DIGITS = "0123456789"


# --- Unified social credit code (GB 32100-2015) -------------------------------------------------
def test_the_charset_and_weights_are_those_of_the_standard():
    assert len(USCC_CHARSET) == 31
    assert not set("IOSVZ") & set(USCC_CHARSET)
    # Weights are 3^i mod 31 (GB 32100 §5, table of weighting factors).
    from lishui_fire.core.validators import USCC_WEIGHTS

    assert tuple(pow(3, i, 31) for i in range(17)) == USCC_WEIGHTS


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91330100716105852F", "91440300708461136T"])
def test_published_codes_are_valid(code):
    assert is_valid_uscc(code)
    validate_uscc(code)


def test_check_char_31_is_written_0():
    # C18 = 31 - MOD(sum, 31); a sum divisible by 31 would give 31, which is written "0".
    assert uscc_check_char("0" * 17) == "0"
    assert is_valid_uscc("0" * 18)


uscc_charset_chars = st.sampled_from(USCC_CHARSET)
digit_chars = st.sampled_from(DIGITS)
uscc_prefixes = st.tuples(
    st.text(uscc_charset_chars, min_size=2, max_size=2),
    st.text(digit_chars, min_size=6, max_size=6),  # division code of the registering authority
    st.text(uscc_charset_chars, min_size=9, max_size=9),
).map("".join)


@given(uscc_prefixes)
def test_any_prefix_with_its_check_char_is_valid(prefix):
    code = prefix + uscc_check_char(prefix)
    assert is_valid_uscc(code)
    assert normalise_code(code.lower()) == code


@given(uscc_prefixes, st.integers(0, 17), st.sampled_from(USCC_CHARSET))
def test_any_single_character_change_is_caught(prefix, position, replacement):
    code = prefix + uscc_check_char(prefix)
    if code[position] == replacement:
        replacement = USCC_CHARSET[(USCC_CHARSET.index(replacement) + 1) % 31]
    changed = code[:position] + replacement + code[position + 1 :]
    assert not is_valid_uscc(changed)


@given(uscc_prefixes, st.integers(0, 16))
def test_swapping_two_different_neighbours_is_caught(prefix, position):
    code = prefix + uscc_check_char(prefix)
    if code[position] == code[position + 1]:
        return
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    assert not is_valid_uscc(swapped)


@given(uscc_prefixes, st.integers(0, 17), st.sampled_from("IOSVZ!-_ a*"))
def test_a_character_outside_the_charset_is_invalid_and_never_crashes(prefix, position, bad):
    code = prefix + uscc_check_char(prefix)
    assert not is_valid_uscc(code[:position] + bad + code[position + 1 :])


@pytest.mark.parametrize(
    "value",
    [
        "",
        "91350100M000100Y4",  # 17 characters
        "91350100M000100Y433",  # 19
        "91350100M000100Y43\n",  # "$" would accept this
        "9135010OM000100Y43",  # letter in the division code (positions 3–8)
        "91３50100M000100Y43",  # full-width digit: invalid, and no crash on the checksum table
        "91350100m000100y43",  # lower case is not canonical (validate_uscc normalises it)
        "91350100M000100Y44",  # wrong check character
        None,
        91350100,
    ],
)
def test_malformed_codes_are_invalid(value):
    assert not is_valid_uscc(value)


@pytest.mark.parametrize(
    "typed",
    ["91350100m000100y43", " 9135 0100 M000 100Y43 ", "９１３５０１００Ｍ０００１００Ｙ４３"],
)
def test_validate_uscc_accepts_what_people_type_once_normalised(typed):
    validate_uscc(typed)
    assert normalise_code(typed) == "91350100M000100Y43"


@pytest.mark.parametrize("typed", ["91350100M000100Y44", "91３50100M000100Y4", "", "abc"])
def test_validate_uscc_says_why_in_the_users_language(typed):
    with pytest.raises(ValidationError) as err:
        validate_uscc(typed)
    assert err.value.code == "invalid_uscc"
    assert "统一社会信用代码无效" in err.value.messages[0]


def test_normalise_code_of_nothing_is_empty():
    assert normalise_code(None) == ""
    assert normalise_code("  ") == ""


# --- Resident identity card number (GB 11643-1999) ------------------------------------------------
TODAY = dt.date(2026, 11, 28)


def make_id(region: str, born: dt.date, sequence: int) -> str:
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)


def test_the_example_of_the_standard_is_valid():
    # GB 11643-1999 appendix: 北京市朝阳区, born 31 Dec 1949, check character X.
    assert is_valid_id_number("11010519491231002X", today=TODAY)
    assert id_check_char("11010519491231002") == "X"


def test_check_characters_follow_iso_7064_mod_11_2():
    assert ID_CHECK_CHARS == "10X98765432"
    from lishui_fire.core.validators import ID_WEIGHTS

    assert tuple(pow(2, 17 - i, 11) for i in range(17)) == ID_WEIGHTS


id_numbers = st.builds(
    make_id,
    st.sampled_from(["331102", "331181", "331121", "110105", "440305", "650102"]),
    st.dates(dt.date(1900, 1, 1), TODAY),
    st.integers(0, 999),
)


@given(id_numbers)
def test_generated_numbers_are_valid(number):
    assert is_valid_id_number(number, today=TODAY)


@given(id_numbers, st.sampled_from(ID_CHECK_CHARS))
def test_a_wrong_check_character_fails(number, check):
    if check == number[-1]:
        return
    assert not is_valid_id_number(number[:17] + check, today=TODAY)


@given(id_numbers, st.integers(0, 16), st.sampled_from(DIGITS))
@example("11010519491231002X", 16, "1")
def test_a_single_wrong_digit_fails(number, position, digit):
    if number[position] == digit:
        return
    assert not is_valid_id_number(number[:position] + digit + number[position + 1 :], today=TODAY)


@pytest.mark.parametrize(
    ("born", "why"),
    [
        ("20230230", "30 February"),
        ("19991301", "month 13"),
        ("19990000", "day 0"),
        ("20261129", "tomorrow"),
        ("20300101", "future"),
        ("18991231", "before 1900"),
    ],
)
def test_impossible_birth_dates_fail_even_with_a_right_check_character(born, why):
    first17 = f"331102{born}123"
    assert not is_valid_id_number(first17 + id_check_char(first17), today=TODAY), why


def test_born_today_is_valid_and_today_is_shanghai_time():
    number = make_id("331102", TODAY, 1)
    assert is_valid_id_number(number, today=TODAY)
    # At 01:00 in Lishui on 28 Nov the UTC date is still the 27th: the portal's today counts.
    import time_machine

    with time_machine.travel(dt.datetime(2026, 11, 27, 17, 0, tzinfo=dt.UTC), tick=False):
        assert is_valid_id_number(number)


def test_lower_case_x_is_normalised():
    validate_id_number("11010519491231002x")
    validate_id_number("１１０１０５１９４９１２３１００２ｘ")
    assert normalise_code(" 110105 19491231 002x ") == "11010519491231002X"
    assert not is_valid_id_number("11010519491231002x", today=TODAY)  # raw: not canonical


@pytest.mark.parametrize(
    "value",
    [
        "11010519491231002",  # 17 digits
        "1101051949123100",
        "11010519491231002X\n",
        "110105194912310021",  # wrong check
        "11010519491231002Y",
        "110105491231002",  # first-generation 15-digit numbers expired in 2013
        "",
        None,
    ],
)
def test_malformed_id_numbers_fail(value):
    assert not is_valid_id_number(value, today=TODAY)


def test_validate_id_number_message():
    with pytest.raises(ValidationError) as err:
        validate_id_number("110105194912310021")
    assert err.value.code == "invalid_id_number"
    assert "公民身份号码无效" in err.value.messages[0]


# --- Mobile numbers ----------------------------------------------------------------------------------
@given(st.sampled_from("3456789"), st.text(st.sampled_from(DIGITS), min_size=9, max_size=9))
def test_mainland_mobiles_are_valid(second, rest):
    assert is_valid_mainland_mobile(f"1{second}{rest}")


@pytest.mark.parametrize(
    "value",
    [
        "12812345678",  # no 12x mobile numbers
        "10086",
        "1381234567",
        "138123456789",
        "13812345678\n",
        "1３812345678",  # full-width digit
        "+8613812345678",
        "0578-2123456",  # a landline
        "",
        None,
    ],
)
def test_other_numbers_are_not_mobiles(value):
    assert not is_valid_mainland_mobile(value)


def test_validate_mainland_mobile_strips_spaces_and_explains():
    validate_mainland_mobile(" 13812345678 ")
    with pytest.raises(ValidationError) as err:
        validate_mainland_mobile("12812345678")
    assert err.value.code == "invalid_mobile"
    assert "手机号码无效" in err.value.messages[0]


def test_messages_follow_the_users_language():
    from django.utils import translation

    with translation.override("en"):
        with pytest.raises(ValidationError) as err:
            validate_mainland_mobile("1")
        assert err.value.messages == [
            "Invalid mobile number: it must have 11 digits and start with 1."
        ]
