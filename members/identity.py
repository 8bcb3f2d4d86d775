"""Personal-data checks: GB 11643 ID numbers, phone numbers, and pinyin initials for search."""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CODES = "10X98765432"
ID_PATTERN = re.compile(r"^\d{17}[\dX]$")
MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_PATTERN = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CODES[total % 11]


def _halfwidth(value) -> str:
    """Full-width digits, letters and spaces (１２３ Ｘ　) as plain ones, every space removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or "")))


def normalize_id_number(value: str) -> str:
    return _halfwidth(value).upper()


def birth_and_gender(value: str) -> tuple[datetime.date, str] | None:
    """The birth date and gender an ID number gives (None unless it is a valid one)."""
    value = normalize_id_number(value)
    if id_number_problems(value):
        return None
    born = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    return born, "male" if int(value[16]) % 2 else "female"


def id_number_problems(
    value: str, *, birth_date: datetime.date | None = None, gender: str | None = None
) -> list[str]:
    """Why `value` is not a valid ID number for this person (empty list: valid)."""
    value = normalize_id_number(value)
    if len(value) != 18:
        return [str(_("An ID number has 18 characters."))]
    if not ID_PATTERN.match(value):
        return [str(_("An ID number is 17 digits followed by a digit or X."))]
    if id_check_digit(value[:17]) != value[17]:
        return [str(_("The ID number's check digit is wrong; please check the number."))]
    problems = []
    try:
        born = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return [str(_("The ID number does not contain a valid birth date."))]
    if birth_date is not None and born != birth_date:
        problems.append(str(_("The birth date in the ID number does not match the birth date.")))
    if gender:
        id_gender = "male" if int(value[16]) % 2 else "female"
        if id_gender != gender:
            problems.append(str(_("The gender in the ID number does not match the gender.")))
    return problems


def make_id_number(region: str, born: datetime.date, sequence: int, gender: str) -> str:
    """An ID number with a correct check digit (demo data and tests).

    `sequence` (0–499) picks the order code; its last digit is odd for men, even for women.
    """
    order = sequence * 2 + (1 if gender == "male" else 0)
    first17 = f"{region}{born:%Y%m%d}{order % 1000:03d}"
    return first17 + id_check_digit(first17)


def normalize_phone(value: str) -> str:
    return _halfwidth(value)


def phone_is_valid(value: str) -> bool:
    value = normalize_phone(value)
    return bool(MOBILE_PATTERN.match(value) or LANDLINE_PATTERN.match(value))


def pinyin_initials(name: str) -> str:
    """王建国 → "wjg" (letters and digits kept as they are, lower-cased)."""
    letters = lazy_pinyin(name or "", style=Style.FIRST_LETTER, errors="default")
    return "".join(letters).lower().replace(" ", "")[:50]
