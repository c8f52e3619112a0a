"""Masking of personal data (PIPL): what a list or a public page shows of a phone, an ID number,
a name or an e-mail address, and that the hidden part never leaks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lishui_fire.core.masking import mask_email, mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        (" 13812345678 ", "138****5678"),
        (13812345678, "138****5678"),  # a number where a string was expected: no crash
        ("0578-2123456", "057*****3456"),
        ("110", "1**"),  # too short to show a part: only the first character
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("11010519491231002X", "110***********002X"),
        ("331102199001011234", "331***********1234"),
        ("110105491231002", "110********1002"),  # first generation, 15 digits
        ("", ""),
        (None, ""),
    ],
)
def test_mask_id_number_hides_region_and_birth_date(value, masked):
    assert mask_id_number(value) == masked
    if value:
        assert len(masked) == len(value)


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("张三", "张*"),
        ("欧阳娜娜", "欧***"),
        ("王小明", "王**"),
        ("  李四 ", "李*"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_name_keeps_the_family_name(value, masked):
    assert mask_name(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("zhangsan@example.com", "z*******@example.com"),
        ("a@example.com", "a*@example.com"),  # a one-letter name still gets a star
        ("not-an-email", "n***********"),
        ("", ""),
    ],
)
def test_mask_email(value, masked):
    assert mask_email(value) == masked


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_a_masked_mobile_never_shows_its_middle_four(phone):
    masked = mask_phone(phone)
    assert masked[:3] == phone[:3]
    assert masked[-4:] == phone[-4:]
    assert masked[3:7] == "****"
    assert len(masked) == len(phone)


@given(
    st.from_regex(
        r"[1-8][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9])[0-9]{3}[0-9X]",
        fullmatch=True,
    )
)
def test_a_masked_id_number_never_shows_the_birth_date(number):
    masked = mask_id_number(number)
    assert masked[3:14] == "*" * 11  # the rest of the region code and the birth date
    assert number[6:14] not in masked


@given(st.text(min_size=2, max_size=12).filter(lambda s: s.strip() == s and len(s) >= 2))
def test_a_masked_name_shows_only_its_first_character(name):
    masked = mask_name(name)
    assert masked == name[0] + "*" * (len(name) - 1)
